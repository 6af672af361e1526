//! The app dropped into an intranet page: mounted in the host page's own div, and framed in an
//! iframe on another origin (where sign-in runs in a pop-up window, as the org's login page refuses
//! to be framed).

use anyhow::{Context, Result};
use fantoccini::Locator;
use orgbridge_e2e::site::dist_dir;
use orgbridge_e2e::{
    spawn_app, DevorgLoginPage, SignInPage, SignedInPage, StaticSite, PASSWORD, USERNAME,
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
    // The intranet page is a different origin from the app's.
    let intranet = StaticSite::start(&dist_dir()?).await?;
    let framed_app = app.app_url_for(&app.org.url);
    let host =
        url::Url::parse_with_params(&intranet.iframe_host_url(), [("app", framed_app.as_str())])?;
    browser.goto(host.as_str()).await?;
    let main_window = browser.client().window().await?;

    let frame = browser
        .wait_for("the app's iframe", || async {
            Ok(browser
                .client()
                .find_all(Locator::Css("iframe[title=OrgBridge]"))
                .await?
                .pop())
        })
        .await?;
    frame.enter_frame().await?;
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
    let frame = browser
        .client()
        .find(Locator::Css("iframe[title=OrgBridge]"))
        .await?;
    frame
        .enter_frame()
        .await
        .context("re-entering the app's frame")?;
    let details = SignedInPage::wait(browser).await?.details().await?;
    assert_eq!(details["Username"], USERNAME);
    app.finish().await
}
