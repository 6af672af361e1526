//! Signing in and out as a person does it.

use anyhow::Result;
use orgbridge_e2e::{spawn_app, SignedInPage, USERNAME, USER_FULL_NAME};

#[tokio::test]
async fn a_person_signs_in_with_the_org_user_and_sees_who_they_are() -> Result<()> {
    let app = spawn_app().await?;

    let signed_in = app.sign_in().await?;

    let details = signed_in.details().await?;
    assert_eq!(details["Name"], USER_FULL_NAME);
    assert_eq!(details["Username"], USERNAME);
    assert_eq!(details["Instance"], app.org.url);
    // The code and state left the address bar (a shared link or the history never carries them).
    let url = app.browser.current_url().await?;
    assert!(
        !url.query().unwrap_or_default().contains("code="),
        "the address bar still shows the code: {url}"
    );
    // The org holds a live session for what the app keeps.
    let tokens = app.stored_tokens().await?;
    assert!(
        !tokens.access.is_empty() && !tokens.refresh.is_empty(),
        "{tokens:?}"
    );
    for token in &tokens.access {
        assert!(app
            .org
            .state
            .tokens
            .lock()
            .validate(token, std::time::Instant::now())
            .is_ok());
    }
    app.finish().await
}

#[tokio::test]
async fn a_reloaded_page_stays_signed_in() -> Result<()> {
    let app = spawn_app().await?;
    app.sign_in().await?;

    app.browser.client().refresh().await?;

    let details = SignedInPage::wait(&app.browser).await?.details().await?;
    assert_eq!(details["Username"], USERNAME);
    app.finish().await
}

#[tokio::test]
async fn signing_out_returns_to_sign_in_and_revokes_the_session_at_the_org() -> Result<()> {
    let app = spawn_app().await?;
    let signed_in = app.sign_in().await?;
    let tokens = app.stored_tokens().await?;
    assert!(
        !tokens.refresh.is_empty(),
        "the app keeps a refresh token: {tokens:?}"
    );

    signed_in.sign_out().await?;

    assert!(app
        .browser
        .status_text()
        .await?
        .starts_with("You signed out of admin@devorg.local"));
    assert_eq!(
        app.stored_tokens().await?,
        Default::default(),
        "nothing left in the tab"
    );
    for refresh in &tokens.refresh {
        let session = app.org.state.tokens.lock().refresh_session(refresh);
        assert!(session.is_none(), "the org still honours the refresh token");
    }
    // A reload does not bring the session back.
    app.browser.client().refresh().await?;
    orgbridge_e2e::SignInPage::wait(&app.browser).await?;
    app.finish().await
}
