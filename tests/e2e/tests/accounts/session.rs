//! The session during Accounts work: an access token that expires mid-session is renewed without
//! the person noticing; a session the org ended signs out with the reason. The API budget follows
//! the org's count.

use std::time::Instant;

use anyhow::Result;
use orgbridge_e2e::{spawn_app_with, SignInPage};

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

#[tokio::test]
async fn a_session_the_org_ended_signs_out_from_the_accounts_screen_with_the_reason() -> Result<()>
{
    let app = spawn_app_with(|_, _| {}).await?;
    let page = AccountsPage::sign_in(&app).await?;
    app.org.state.tokens.lock().revoke_all();
    app.browser.expect_console_error("401");
    app.browser.expect_console_error("400");

    page.browser().click_button("Reload").await?;

    SignInPage::wait(&app.browser).await?;
    let alert = app.browser.alert_text().await?;
    assert!(alert.contains("You were signed out"), "{alert}");
    assert_eq!(app.stored_tokens().await?, Default::default());
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
