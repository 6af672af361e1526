//! The app dropped into an intranet page: mounted in the host page's own div, and framed in an
//! iframe on another origin that is on the app's frame-ancestors list (where sign-in runs in a
//! pop-up window, as the org's login page refuses to be framed). The example host pages are not
//! shipped in the release build, and the framing one frames only http(s) addresses.

use anyhow::Result;
use fantoccini::Locator;
use orgbridge_e2e::rig::enter_app_frame;
use orgbridge_e2e::site::dist_dir;
use orgbridge_e2e::{
    spawn_app, Browser, DevorgLoginPage, SignInPage, SignedInPage, StaticSite, PASSWORD, USERNAME,
};

#[tokio::test]
async fn mounted_in_a_host_page_div_it_signs_in_and_keeps_out_of_the_host_styles() -> Result<()> {
    let app = spawn_app().await?;
    let browser = &app.browser;
    browser
        .goto(&format!(
            "{}?devorg={}",
            app.site.host_page_url(),
            app.org.url
        ))
        .await?;

    let sign_in = SignInPage::wait(browser).await?;
    // The app lives in the host's div, and the host's own page is still there.
    let mount = browser.client().find(Locator::Id("orgbridge")).await?;
    assert!(mount.text().await?.contains(SignInPage::HEADING));
    let host_button = browser.button("Host button").await?;
    // Neither side restyles the other: the host's button keeps its pink, the app's is not dashed.
    let pink = host_button.css_value("background-color").await?;
    // Chromium reports an opaque colour as rgb() or, in newer versions, rgba(…, 1).
    assert!(
        ["rgb(211, 54, 130)", "rgba(211, 54, 130, 1)"].contains(&pink.as_str()),
        "{pink}"
    );
    let app_button = browser.button("Sign in").await?;
    assert_ne!(app_button.css_value("border-top-style").await?, "dashed");

    sign_in
        .sign_in()
        .await?
        .log_in_and_allow(USERNAME, PASSWORD)
        .await?;

    // Back on the host page (its URL is the callback), signed in, inside the div.
    let details = SignedInPage::wait(browser).await?.details().await?;
    assert_eq!(details["Username"], USERNAME);
    let url = browser.current_url().await?;
    assert!(url.path().ends_with("/examples/host-page.html"), "{url}");
    browser.button("Host button").await?;
    // The accounts list works in the host page too: its stylesheet gives rows the fixed height
    // the list's arithmetic relies on.
    let row_height = browser
        .wait_for("an account row in the host page", || async {
            let v = browser
                .eval(
                    "const r = document.querySelector('#orgbridge .ob-acc-table tbody tr[aria-rowindex=\"2\"]');
                     return r ? getComputedStyle(r).height : null;",
                )
                .await?;
            Ok(v.as_str().map(str::to_string))
        })
        .await?;
    assert_eq!(row_height, "36px");
    app.finish().await
}

#[tokio::test]
async fn framed_on_another_origin_it_signs_in_through_a_pop_up() -> Result<()> {
    let app = spawn_app().await?;
    let browser = &app.browser;
    // The intranet page is a different origin from the app's, and the app's admin allows it.
    let intranet = StaticSite::start(&dist_dir()?).await?;
    app.site.allow_framing_by(&intranet.origin);
    browser
        .goto(&intranet.iframe_host_url_for(&app.app_url_for(&app.org.url)))
        .await?;
    let main_window = browser.client().window().await?;

    enter_app_frame(browser).await?;
    SignInPage::wait(browser).await?.click_sign_in().await?;

    // devorg's login page opens in a pop-up window.
    let popup = browser
        .wait_for("the sign-in pop-up window", || async {
            let windows = browser.client().windows().await?;
            Ok(windows.into_iter().find(|w| *w != main_window))
        })
        .await?;
    browser.client().switch_to_window(popup).await?;
    DevorgLoginPage::wait(browser)
        .await?
        .log_in_and_allow(USERNAME, PASSWORD)
        .await?;

    // The pop-up hands the result to the framed app and closes itself.
    browser
        .wait_for("the pop-up to close", || async {
            Ok((browser.client().windows().await?.len() == 1).then_some(()))
        })
        .await?;
    browser.client().switch_to_window(main_window).await?;
    enter_app_frame(browser).await?;
    let details = SignedInPage::wait(browser).await?.details().await?;
    assert_eq!(details["Username"], USERNAME);
    app.finish().await
}

#[tokio::test]
async fn the_release_build_ships_no_example_pages() -> Result<()> {
    let dist = dist_dir()?;
    assert!(
        !dist.join("examples").exists(),
        "{} holds the example host pages",
        dist.display()
    );
    let site = StaticSite::start_release_only(&dist).await?;
    for page in ["examples/iframe-host.html", "examples/host-page.html"] {
        let url = format!("{}{page}", site.app_url());
        let status = reqwest::get(&url).await?.status();
        assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "{url}");
    }
    // The app itself is there.
    assert!(reqwest::get(site.app_url()).await?.status().is_success());
    Ok(())
}

/// Opens iframe-host.html with `?app=given`; returns the refusal it shows.
async fn open_iframe_host_with(
    browser: &Browser,
    site: &StaticSite,
    given: &str,
) -> Result<String> {
    browser.goto(&site.iframe_host_url_for(given)).await?;
    browser.alert_containing("was refused").await
}

#[tokio::test]
async fn the_iframe_host_page_frames_only_http_and_https_addresses() -> Result<()> {
    // On the app's own origin, where a script run by the page could read the app's storage.
    let site = StaticSite::start(&dist_dir()?).await?;
    let browser = Browser::start().await?;
    let attacks = [
        "javascript:top.document.title='pwned';top.localStorage.setItem('pwned','1')",
        "JavaScript:top.document.title='pwned'",
        "data:text/html,<script>parent.postMessage('pwned','*')</script>",
        "../index.html",
    ];
    for attack in attacks {
        let refused = open_iframe_host_with(&browser, &site, attack).await?;
        assert!(refused.contains(attack), "{refused}");
        assert!(
            refused.contains("only an absolute http:// or https:// address"),
            "{refused}"
        );
        // Nothing is framed and nothing ran.
        let frames = browser.client().find_all(Locator::Css("iframe")).await?;
        assert!(frames.is_empty(), "{attack}: a frame is on the page");
        let marks = browser
            .eval("return [document.title, localStorage.getItem('pwned')];")
            .await?;
        assert_eq!(
            marks,
            serde_json::json!(["Intranet — OrgBridge in an iframe", null]),
            "{attack}"
        );
    }
    browser.close().await
}
