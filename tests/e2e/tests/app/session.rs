//! What happens to a stored session when the org expires or revokes its tokens.

use std::time::Instant;

use anyhow::Result;
use orgbridge_e2e::{spawn_app, DevorgLoginPage, SignedInPage, PASSWORD, USERNAME};

#[tokio::test]
async fn an_expired_access_token_is_refreshed_without_the_person_noticing() -> Result<()> {
    let app = spawn_app().await?;
    app.sign_in().await?;
    let before = app.stored_tokens().await?;
    app.org
        .state
        .tokens
        .lock()
        .expire_all_access(Instant::now());
    // The restored session is checked against the org on load and the accounts are read: those
    // calls meet the expired token (userinfo answers 403 Bad_OAuth_Token, the REST API 401).
    app.browser.expect_console_error("401");
    app.browser.expect_console_error("403");

    app.browser.client().refresh().await?;

    let details = SignedInPage::wait(&app.browser).await?.details().await?;
    assert_eq!(details["Username"], USERNAME);
    let after = app
        .browser
        .wait_for("a new access token in the tab", || async {
            let tokens = app.stored_tokens().await?;
            Ok((!tokens.access.is_empty() && tokens.access != before.access).then_some(tokens))
        })
        .await?;
    let accepted = app
        .org
        .state
        .tokens
        .lock()
        .validate(&after.access[0], Instant::now());
    assert!(
        accepted.is_ok(),
        "the org accepts the new token: {accepted:?}"
    );
    app.finish().await
}

#[tokio::test]
async fn a_revoked_refresh_token_ends_the_session_with_the_reason_and_a_way_back() -> Result<()> {
    let app = spawn_app().await?;
    app.sign_in().await?;
    app.org.state.tokens.lock().revoke_all();
    app.browser.expect_console_error("401");
    app.browser.expect_console_error("403");
    app.browser.expect_console_error("400");

    app.browser.client().refresh().await?;

    let message = app
        .browser
        .alert_containing("Your session with this org ended")
        .await?;
    assert!(
        message.contains("revoked or expired"),
        "says why: {message}"
    );
    assert!(message.contains("sign in again"), "{message}");
    assert_eq!(app.stored_tokens().await?, Default::default());
    // The way back is one click: the same org and consumer key, the org's login page.
    app.browser.click_button("Sign in again").await?;
    DevorgLoginPage::wait(&app.browser)
        .await?
        .log_in_and_allow(USERNAME, PASSWORD)
        .await?;
    SignedInPage::wait(&app.browser).await?;
    app.finish().await
}
