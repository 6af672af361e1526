//! Every way a sign-in can go wrong that a browser can reach: each ends on a screen that says what
//! happened and what to do, never a broken page.

use anyhow::Result;
use orgbridge_e2e::{
    spawn_app, spawn_app_with, unreachable_org_url, DevorgLoginPage, SignInPage, PASSWORD, USERNAME,
};

#[tokio::test]
async fn denying_access_says_so_and_offers_to_start_again() -> Result<()> {
    let app = spawn_app().await?;
    let login = app.open().await?.sign_in().await?;
    login.log_in(USERNAME, PASSWORD).await?;

    login.deny().await?;

    let message = app.browser.alert_text().await?;
    assert!(message.contains("chose not to allow"), "{message}");
    // The screen's one level-one heading, as on every screen.
    let headings = app
        .browser
        .eval("return [...document.querySelectorAll('h1')].map(h => h.textContent.trim());")
        .await?;
    assert_eq!(headings, serde_json::json!(["Signing in"]));
    app.browser.click_button("Start again").await?;
    SignInPage::wait(&app.browser).await?;
    assert_eq!(app.stored_tokens().await?, Default::default());
    app.finish().await
}

#[tokio::test]
async fn opening_the_callback_again_is_refused_in_words() -> Result<()> {
    let app = spawn_app().await?;
    app.sign_in().await?;
    let callback = app.browser.navigation_url().await?;
    assert!(
        callback.contains("code=") && callback.contains("state="),
        "{callback}"
    );

    // The same tab: the pending login was used up.
    app.browser.goto(&callback).await?;
    let message = app.browser.alert_text().await?;
    assert!(
        message.contains("already used or was opened in another tab"),
        "{message}"
    );

    // Another tab (its own sessionStorage, so no pending login at all).
    let tab = app.browser.client().new_window(true).await?;
    app.browser.client().switch_to_window(tab.handle).await?;
    app.browser.goto(&callback).await?;
    let message = app.browser.alert_text().await?;
    assert!(
        message.contains("already used or was opened in another tab"),
        "{message}"
    );
    app.finish().await
}

#[tokio::test]
async fn a_callback_with_a_state_the_tab_never_sent_is_refused() -> Result<()> {
    let app = spawn_app().await?;
    app.open().await?;

    app.browser
        .goto(&format!(
            "{}?code=forged&state=not-mine",
            app.site.app_url()
        ))
        .await?;

    let message = app.browser.alert_text().await?;
    assert!(message.contains("start the sign-in again"), "{message}");
    app.finish().await
}

/// Anyone can link to the app with an error and words of their choosing: without a state this
/// tab sent, none of those words appear.
#[tokio::test]
async fn an_error_link_this_tab_never_asked_for_shows_none_of_its_words() -> Result<()> {
    let app = spawn_app().await?;
    app.open().await?;
    let planted =
        "error=access_denied&error_description=Your+account+is+locked.+Call+IT+at+555-0100";

    for query in [format!("{planted}&state=forged"), planted.to_string()] {
        app.browser
            .goto(&format!("{}?{query}", app.site.app_url()))
            .await?;
        let message = app.browser.alert_text().await?;
        assert!(message.contains("did not ask for"), "{message}");
        assert!(
            !message.contains("555") && !message.contains("locked"),
            "the planted words are shown: {message}"
        );
        let page = app.browser.page_text().await?;
        assert!(!page.contains("555-0100"), "{page}");
    }
    app.finish().await
}

#[tokio::test]
async fn a_wrong_consumer_key_is_stopped_by_the_org_before_any_login() -> Result<()> {
    let app = spawn_app().await?;
    let sign_in = app.open().await?;
    sign_in.set_consumer_key("not-a-registered-app").await?;

    sign_in.click_sign_in().await?;

    // The org shows its own error page (it cannot trust the redirect) and never a login form.
    app.browser.wait_for_text("We can't sign you in").await?;
    let message = app.browser.alert_text().await?;
    assert!(message.contains("invalid_client_id"), "{message}");
    app.browser.expect_console_error("status of 400");
    app.finish().await
}

#[tokio::test]
async fn a_page_the_org_does_not_list_as_a_callback_is_stopped_by_the_org() -> Result<()> {
    // The org's app knows another callback URL only: this page's URL is not on its list.
    let app = spawn_app_with(|config, _| {
        config.redirect_uris = vec!["https://intranet.example.com/orgbridge/".into()];
    })
    .await?;
    let sign_in = app.open().await?;

    sign_in.click_sign_in().await?;

    // The org refuses to send a code to an unknown address: its error page, no login form.
    app.browser.wait_for_text("We can't sign you in").await?;
    let message = app.browser.alert_text().await?;
    assert!(message.contains("redirect_uri_mismatch"), "{message}");
    let login_form = app
        .browser
        .eval("return document.querySelector('input[name=pw]') !== null;")
        .await?;
    assert_eq!(
        login_form,
        serde_json::json!(false),
        "no password box is offered"
    );
    let url = app.browser.current_url().await?;
    assert!(
        url.as_str().starts_with(&app.org.url),
        "stays on the org: {url}"
    );
    app.browser.expect_console_error("status of 400");
    app.finish().await
}

#[tokio::test]
async fn a_callback_without_state_is_refused_and_offers_a_new_start() -> Result<()> {
    let app = spawn_app().await?;
    app.open().await?;

    app.browser
        .goto(&format!("{}?code=some-code", app.site.app_url()))
        .await?;

    let message = app.browser.alert_text().await?;
    assert!(
        message.contains("state"),
        "names what is missing: {message}"
    );
    let url = app.browser.current_url().await?;
    assert!(
        !url.as_str().contains("code="),
        "the code leaves the address bar: {url}"
    );
    app.browser.click_button("Start again").await?;
    SignInPage::wait(&app.browser).await?;
    app.finish().await
}

#[tokio::test]
async fn an_unreachable_org_is_named_with_what_to_check() -> Result<()> {
    let app = spawn_app().await?;
    let org_url = unreachable_org_url()?;
    let sign_in = app.open_against(&org_url).await?;
    app.browser.expect_console_error("ERR_CONNECTION_REFUSED");

    sign_in.click_sign_in().await?;

    let message = app.browser.alert_text().await?;
    assert!(
        message.contains(org_url.trim_start_matches("http://")),
        "names the org: {message}"
    );
    assert!(
        message.contains("Check the URL"),
        "says what to check: {message}"
    );
    app.finish().await
}

#[tokio::test]
async fn an_origin_missing_from_the_cors_allowlist_is_named() -> Result<()> {
    let app = spawn_app_with(|config, _| {
        config.allowed_origins = vec!["https://intranet.example.com".into()];
    })
    .await?;
    // The blocked request shows in the console as Chromium's CORS error and a failed load.
    app.browser.expect_console_error("CORS policy");
    app.browser.expect_console_error("ERR_FAILED");

    let login = app.open().await?.sign_in().await;
    if let Ok(login) = login {
        // The app may only find out at the token exchange, after the person has logged in.
        login.log_in_and_allow(USERNAME, PASSWORD).await?;
    }

    let message = app.browser.alert_text().await?;
    assert!(message.contains("CORS"), "{message}");
    assert!(
        message.contains(&app.site.origin),
        "names the origin to allowlist: {message}"
    );
    app.finish().await
}

#[tokio::test]
async fn a_token_endpoint_without_cors_names_the_setting() -> Result<()> {
    let app = spawn_app_with(|config, _| config.no_oauth_cors = true).await?;
    app.browser.expect_console_error("CORS policy");
    app.browser.expect_console_error("ERR_FAILED");

    let login: DevorgLoginPage<'_> = app.open().await?.sign_in().await?;
    login.log_in_and_allow(USERNAME, PASSWORD).await?;

    let message = app.browser.alert_text().await?;
    assert!(
        message.contains("Enable CORS for OAuth endpoints"),
        "{message}"
    );
    app.finish().await
}
