//! The session during Accounts work: an access token that expires mid-session is renewed without
//! the person noticing; a session the org ended keeps the screen and what was typed until the
//! person signs in again; sign-out races a refresh safely and says when the org did not revoke.
//! The API budget follows the org's count.

use std::time::Instant;

use anyhow::Result;
use orgbridge_e2e::{
    spawn_app, spawn_app_with, DevorgLoginPage, Role, SignInPage, PASSWORD, USERNAME,
};
use serde_json::json;

use crate::page::{AccountsPage, Org};

#[tokio::test]
async fn an_access_token_expiring_mid_session_is_refreshed_and_the_work_goes_on() -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let before = app.stored_tokens().await?;

    // The badge shows what the org counted.
    let used = org.api_calls();
    let badge = page
        .browser()
        .wait_for("the API budget to show the org's count", || async {
            let text = page.budget_text().await?;
            Ok(text
                .contains(&format!("API calls today: {used} of 15,000"))
                .then_some(text))
        })
        .await?;
    assert!(badge.contains("left"), "{badge}");

    app.org
        .state
        .tokens
        .lock()
        .expire_all_access(Instant::now());
    app.browser.expect_console_error("401");
    assert_eq!(page.search("O'Reilly", None).await?, (1, 1));
    assert_eq!(page.visible_names().await?, ["O'Reilly Media"]);

    let after = app.stored_tokens().await?;
    assert_ne!(
        after.access, before.access,
        "a new access token was stored for the tab"
    );
    assert!(app
        .org
        .state
        .tokens
        .lock()
        .validate(&after.access[0], Instant::now())
        .is_ok());

    // An edit right after works with the new token too.
    let id = org.id_named("O'Reilly Media")?;
    page.open_account("O'Reilly Media").await?;
    page.browser().click_button("Edit").await?;
    page.browser().fill("Account Site", "Sebastopol").await?;
    page.browser().click_button("Save changes").await?;
    page.wait_status_containing("Changes saved.").await?;
    assert_eq!(org.value(&id, "Site"), serde_json::json!("Sebastopol"));
    app.finish().await
}

/// The org ends the session while the person edits: the form stays with what they typed, they sign
/// in again (typing the password on the org's page) and come back to it, and saving works once.
#[tokio::test]
async fn an_ended_session_keeps_the_typed_edit_and_saves_it_after_signing_in_again() -> Result<()> {
    let app = spawn_app().await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let id = org.id_named("O'Reilly Media")?;
    let site_before = org.value(&id, "Site");
    page.open_account("O'Reilly Media").await?;
    browser.click_button("Edit").await?;
    browser.fill("Account Site", "Typed before the end").await?;
    browser.fill("Account Phone", "555-0199").await?;

    app.org.state.tokens.lock().revoke_all();
    app.browser.expect_console_error("401");
    app.browser.expect_console_error("400");
    browser.click_button("Save changes").await?;

    let alert = page
        .wait_alert_containing("Your session with this org ended")
        .await?;
    assert!(alert.contains("What you typed is kept"), "{alert}");
    // The way back has the focus (the person pressed Save far below it).
    let focused = browser
        .wait_for("the focus on Sign in again", || async {
            let text = browser
                .eval("return document.activeElement && document.activeElement.textContent;")
                .await?;
            Ok((text.as_str().map(str::trim) == Some("Sign in again")).then_some(()))
        })
        .await;
    assert!(focused.is_ok(), "{focused:?}");
    assert_eq!(
        page.field_value("Account Site").await?,
        "Typed before the end"
    );
    assert_eq!(org.value(&id, "Site"), site_before, "nothing was written");
    assert_eq!(app.stored_tokens().await?, Default::default());

    browser.click_button("Sign in again").await?;
    DevorgLoginPage::wait(browser)
        .await?
        .log_in_and_allow(USERNAME, PASSWORD)
        .await?;
    browser
        .by_role(Role::Heading, "Edit O'Reilly Media")
        .await?;
    assert_eq!(
        page.field_value("Account Site").await?,
        "Typed before the end"
    );
    assert_eq!(page.field_value("Account Phone").await?, "555-0199");

    browser.click_button("Save changes").await?;
    page.wait_status_containing("Changes saved.").await?;
    assert_eq!(org.value(&id, "Site"), json!("Typed before the end"));
    assert_eq!(org.value(&id, "Phone"), json!("555-0199"));
    // Saved, so the draft is gone: nothing would be restored (or sent) again.
    let drafts: Vec<String> = browser
        .session_storage()
        .await?
        .into_keys()
        .filter(|k| k.contains(".draft.") && k.contains("edit."))
        .collect();
    assert!(drafts.is_empty(), "{drafts:?}");
    app.finish().await
}

/// Sign-out while a token refresh is in flight: the refresh lands first, its new tokens are the
/// ones revoked, and no session is stored after the person signed out.
#[tokio::test]
async fn signing_out_during_a_refresh_revokes_the_new_tokens_and_keeps_no_session() -> Result<()> {
    let app = spawn_app().await?;
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    app.org
        .state
        .tokens
        .lock()
        .expire_all_access(Instant::now());
    // Slow enough that the click lands while the refresh is on its way.
    app.org.state.faults.set_latency(1500);
    app.browser.expect_console_error("401");

    browser.click_button("Reload").await?;
    // The list's call came back 401: the refresh has just been sent.
    browser.wait_for_log("401").await?;
    browser.click_button("Sign out").await?;

    SignInPage::wait(browser).await?;
    let status = browser.status_text().await?;
    assert!(status.starts_with("You signed out of"), "{status}");
    app.org.state.faults.set_latency(0);
    assert_eq!(app.stored_tokens().await?, Default::default());
    // Every token the session had, the refreshed one too, is dead at the org.
    let counts = {
        let mut tokens = app.org.state.tokens.lock();
        tokens.sweep(Instant::now());
        tokens.counts()
    };
    assert_eq!((counts.refresh, counts.access), (0, 0), "{counts:?}");
    app.finish().await
}

/// The org fails to revoke at sign-out: this tab forgets the session, and says the token still
/// lives at the org instead of "You signed out."
#[tokio::test]
async fn a_revoke_the_org_did_not_confirm_is_said() -> Result<()> {
    let app = spawn_app().await?;
    AccountsPage::sign_in(&app).await?;
    app.org
        .state
        .faults
        .fail_next(1, devorg::faults::FailureMode::Unavailable);
    app.browser.expect_console_error("503");

    app.browser.click_button("Sign out").await?;

    SignInPage::wait(&app.browser).await?;
    let alert = app.browser.alert_containing("did not confirm").await?;
    assert!(alert.contains("still works at the org"), "{alert}");
    assert_eq!(app.stored_tokens().await?, Default::default());
    assert_eq!(
        app.org.state.tokens.lock().counts().refresh,
        1,
        "the org still has it"
    );
    app.finish().await
}

#[tokio::test]
async fn the_api_budget_comes_from_limits_when_the_browser_cannot_read_the_header() -> Result<()> {
    // An org whose CORS answers do not expose Sforce-Limit-Info (Salesforce does not document it).
    let app = spawn_app_with(|config, _| config.no_expose_limit_info = true).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;

    let badge = page
        .browser()
        .wait_for("the API budget from /limits", || async {
            let text = page.budget_text().await?;
            Ok(text.contains("of 15,000").then_some(text))
        })
        .await?;
    let used: u64 = badge
        .trim_start_matches("API calls today: ")
        .split(' ')
        .next()
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or(0);
    assert!(
        used >= 1 && used <= org.api_calls(),
        "the org's count at the time of /limits: {badge}"
    );

    // Later calls are counted on top of that reading, so the badge keeps up with the org.
    assert_eq!(page.search("O'Reilly", None).await?, (1, 1));
    let expected = format!("API calls today: {} of 15,000", org.api_calls());
    page.browser()
        .wait_for("the badge to count the search", || async {
            Ok(page
                .budget_text()
                .await?
                .starts_with(&expected)
                .then_some(()))
        })
        .await?;
    app.finish().await
}
