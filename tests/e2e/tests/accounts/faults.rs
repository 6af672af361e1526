//! The org failing under the person's hands: a page of the list that fails mid-load, and an API
//! allowance used up while a form is being saved. Each says what happened, keeps what was already
//! there, and carries on once the org is back.

use anyhow::Result;
use devorg::faults::FailureMode;
use orgbridge_e2e::{spawn_app_with, Role};
use serde_json::json;

use crate::page::{parse_count, AccountsPage, Org};

#[tokio::test]
async fn a_page_that_fails_mid_load_keeps_the_rows_loaded_and_loads_the_rest_on_request(
) -> Result<()> {
    // 4,5xx accounts: three pages of up to 2,000.
    let app = spawn_app_with(|config, _| config.accounts = 4_500).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let all = org.live_count() as u64;
    app.browser.expect_console_error("503");

    // A slow org, so the second page is still on its way when the fault is set.
    app.org.state.faults.set_latency(1_500);
    browser.click_button("Reload").await?;
    browser
        .wait_for("the first page of the reload", || async {
            let text = page.count_text().await?;
            Ok(parse_count(&text).filter(|(loaded, _)| *loaded == 2_000))
        })
        .await?;
    app.org.state.faults.fail_next(1, FailureMode::Unavailable);

    let alert = page
        .wait_alert_containing("Loading stopped after 2,000 accounts")
        .await?;
    assert!(alert.contains("try again"), "says what to do: {alert}");
    assert_eq!(
        parse_count(&page.count_text().await?),
        Some((2_000, all)),
        "the loaded rows stay"
    );
    app.org.state.faults.set_latency(0);

    browser.click_button("Load the rest").await?;
    assert_eq!(page.wait_loaded().await?, (all, all));
    let rows = page.rendered_rows().await?;
    assert!(!rows.is_empty());
    app.finish().await
}

#[tokio::test]
async fn a_used_up_api_allowance_is_explained_and_the_form_keeps_its_input() -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let before = org.live_count();
    app.browser.expect_console_error("403");

    page.go_to("New account").await?;
    browser.by_role(Role::Heading, "New account").await?;
    browser.fill("Account Name", "Over The Limit Ltd").await?;
    browser.fill("Billing City", "Leeds").await?;
    app.org.state.usage.exhaust();
    browser.click_button("Create account").await?;

    let alert = page.wait_alert_containing("daily API allowance").await?;
    assert!(alert.contains("The account was not created"), "{alert}");
    assert_eq!(
        page.field_value("Account Name").await?,
        "Over The Limit Ltd"
    );
    assert_eq!(page.field_value("Billing City").await?, "Leeds");
    assert_eq!(org.live_count(), before);
    // The badge shows the allowance is gone.
    browser
        .wait_for("the budget badge to show none left", || async {
            Ok(page.budget_text().await?.contains("(0 left)").then_some(()))
        })
        .await?;

    // The allowance resets (a new day): the same form, unchanged, now creates the account.
    app.org.state.usage.set_used(0);
    browser.click_button("Create account").await?;
    page.wait_status_containing("Account created.").await?;
    let id = org.id_named("Over The Limit Ltd")?;
    assert_eq!(org.value(&id, "BillingCity"), json!("Leeds"));
    app.finish().await
}

/// The org takes the new account but the answer never arrives: the form says it may exist, finds
/// it by name, and never invites the second click that would create it twice.
#[tokio::test]
async fn a_create_that_got_no_answer_says_it_may_exist_and_finds_it() -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    // The org's answer is cut off after its first byte.
    app.browser
        .expect_console_error("ERR_INCOMPLETE_CHUNKED_ENCODING");

    page.go_to("New account").await?;
    browser.by_role(Role::Heading, "New account").await?;
    browser.fill("Account Name", "Lost Answer Ltd").await?;
    app.org
        .state
        .faults
        .fail_next(1, FailureMode::DropAfterWrite);
    browser.click_button("Create account").await?;

    let alert = page.wait_alert_containing("may have been created").await?;
    assert!(
        alert.contains("Look for it before creating it again"),
        "{alert}"
    );
    // The button no longer reads as the everyday action.
    browser.button("Create it anyway").await?;
    let id = org.id_named("Lost Answer Ltd")?;

    browser.click_button("Look for “Lost Answer Ltd”").await?;
    browser
        .by_role(Role::Link, &format!("Lost Answer Ltd ({id})"))
        .await?
        .click()
        .await?;
    browser.by_role(Role::Heading, "Lost Answer Ltd").await?;
    assert_eq!(
        org.ids_where("Name", "Lost Answer Ltd").len(),
        1,
        "created once"
    );
    app.finish().await
}

/// One account that the org fails to send, on the record and the edit screen: each says so in
/// words, with Try again, which reads it again and shows it; nothing is written meanwhile.
#[tokio::test]
async fn an_account_the_org_fails_to_send_says_so_and_try_again_reads_it_again() -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let org = Org(&app);
    let id = org.insert(json!({"Name": "Flaky Read Ltd", "Industry": "Energy"}));
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    app.browser.expect_console_error("503");
    let modified = org.value(&id, "LastModifiedDate");

    page.search("Flaky Read", None).await?;
    app.org.state.faults.fail_next(1, FailureMode::Unavailable);
    browser
        .by_role(Role::Link, "Flaky Read Ltd")
        .await?
        .click()
        .await?;
    let alert = page
        .wait_alert_containing("Could not load the account")
        .await?;
    assert!(
        alert.contains("503") || alert.contains("unavailable"),
        "{alert}"
    );
    browser.click_button("Try again").await?;
    browser.by_role(Role::Heading, "Flaky Read Ltd").await?;

    app.org.state.faults.fail_next(1, FailureMode::Unavailable);
    browser.click_button("Edit").await?;
    page.wait_alert_containing("Could not load the account")
        .await?;
    browser.click_button("Try again").await?;
    browser
        .by_role(Role::Heading, "Edit Flaky Read Ltd")
        .await?;
    assert_eq!(page.field_value("Account Name").await?, "Flaky Read Ltd");
    assert_eq!(
        org.value(&id, "LastModifiedDate"),
        modified,
        "nothing written"
    );
    app.finish().await
}
