//! Several accounts at once through sObject Collections: 200 per call, a progress bar, one result
//! per record (failures listed), and the org holding exactly what succeeded.

use anyhow::Result;
use orgbridge_e2e::spawn_app_with;
use serde_json::json;

use crate::page::{AccountsPage, Org};

#[tokio::test]
async fn updating_one_field_on_every_selected_account_uses_one_call_per_200_and_reports_each_failure(
) -> Result<()> {
    let app = spawn_app_with(|config, _| config.accounts = 450).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    assert_eq!(page.wait_loaded().await?, (450, 450));

    page.checkbox("Select all loaded accounts")
        .await?
        .click()
        .await?;
    browser.wait_for_text("450 selected").await?;
    browser.click_button("Update a field…").await?;
    page.choose_option("Field to update", "Account Rating")
        .await?;
    page.choose_option("New value: Account Rating", "Hot")
        .await?;
    // The org fails the second record of the next call (its first chunk of 200).
    app.org.state.faults.set_collection_failures(vec![1]);
    let calls_before = org.api_calls();
    browser.click_button("Update 450 accounts").await?;

    let summary = page.wait_status_containing("updated,").await?;
    assert_eq!(summary, "449 updated, 1 failed.");
    assert_eq!(
        org.api_calls() - calls_before,
        3,
        "450 records in calls of 200"
    );
    let failed_rows = page.browser().eval(
        "return [...document.querySelectorAll('table[aria-label=\"Records that failed\"] tbody tr')].map(r => r.textContent);",
    ).await?;
    let failed_rows: Vec<String> = serde_json::from_value(failed_rows)?;
    assert_eq!(failed_rows.len(), 1, "{failed_rows:?}");
    let hot = org.ids_where("Rating", "Hot").len();
    assert_eq!(hot, 449);
    // The one account that is not Hot is the one reported (whichever call the org failed).
    let cold: Vec<(String, String)> = {
        let store = app.org.state.store.read();
        let rating = devorg::schema::account_object().field("Rating").unwrap();
        let name = devorg::schema::account_object().field("Name").unwrap();
        store
            .accounts()
            .filter(|r| !r.deleted && store.account_value(r, rating) != json!("Hot"))
            .map(|r| {
                (
                    r.id.clone(),
                    store
                        .account_value(r, name)
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect()
    };
    assert_eq!(cold.len(), 1);
    assert!(
        failed_rows[0].contains(&cold[0].0) && failed_rows[0].contains(&cold[0].1),
        "{failed_rows:?} vs {cold:?}"
    );
    app.finish().await
}

#[tokio::test]
async fn deleting_selected_accounts_asks_first_and_removes_them() -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let org = Org(&app);
    let names = ["Bulk Gone 1", "Bulk Gone 2", "Bulk Gone 3"];
    let ids = org.insert_named(&names);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let (_, total) = page.wait_loaded().await?;

    page.select_rows(&names).await?;
    browser.wait_for_text("3 selected").await?;
    browser.click_button("Delete selected…").await?;
    browser.wait_for_text("Delete 3 accounts?").await?;
    browser.click_button("Cancel").await?;
    assert!(ids.iter().all(|id| org.is_live(id)));

    browser.click_button("Delete selected…").await?;
    browser.click_button("Delete 3 accounts").await?;
    let summary = page.wait_status_containing("deleted,").await?;
    assert_eq!(summary, "3 deleted, 0 failed.");
    assert!(ids.iter().all(|id| !org.is_live(id)));
    assert_eq!(page.wait_loaded().await?, (total - 3, total - 3));
    let rows = page.rendered_rows().await?;
    assert!(rows.iter().all(|r| !r[0].starts_with("Bulk Gone")));
    app.finish().await
}

/// The session ends as a bulk delete starts: every record is reported (none sent, so none
/// deleted), the rows stay, and the screen stays with the way to sign in again.
#[tokio::test]
async fn a_bulk_run_whose_session_ended_reports_every_record_as_not_attempted() -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let org = Org(&app);
    let names = ["Bulk Kept 1", "Bulk Kept 2", "Bulk Kept 3"];
    let ids = org.insert_named(&names);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let (_, total) = page.wait_loaded().await?;
    page.select_rows(&names).await?;
    browser.click_button("Delete selected…").await?;
    app.org.state.tokens.lock().revoke_all();
    app.browser.expect_console_error("401");
    app.browser.expect_console_error("400");

    browser.click_button("Delete 3 accounts").await?;

    let summary = page.wait_status_containing("not attempted").await?;
    assert_eq!(summary, "0 deleted, 0 failed, 3 not attempted.");
    let alert = page
        .wait_alert_containing("The session ended during the change")
        .await?;
    assert!(alert.contains("3 accounts were not sent"), "{alert}");
    let listed = browser.eval(
        "return [...document.querySelectorAll('table[aria-label=\"Records not attempted\"] tbody tr')].map(r => r.textContent);",
    ).await?;
    let listed: Vec<String> = serde_json::from_value(listed)?;
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(ids.iter().all(|id| org.is_live(id)), "nothing was deleted");
    assert_eq!(
        page.count_text().await?,
        format!("{total} of {total} loaded")
    );
    page.wait_alert_containing("Your session with this org ended")
        .await?;
    app.finish().await
}
