//! Every screen passes axe-core's WCAG 2.1 A and AA rules, as a person reaches it: the sign-in
//! screen, two orgs side by side with their Accounts screens, forms with errors, copying
//! accounts and its preview, a bulk run's results, an ended session, and the setup guide; each
//! with exactly one level-one heading.

use anyhow::{bail, Result};
use orgbridge_e2e::{
    spawn_second_org, Browser, Role, SignInPage, TARGET_PASSWORD, TARGET_USERNAME,
};

use crate::page::AccountsPage;

async fn check(browser: &Browser, screen: &str, failures: &mut Vec<String>) -> Result<()> {
    for violation in browser.axe_violations().await? {
        failures.push(format!("{screen}: {violation}"));
    }
    // axe's page-has-heading-one is a best practice, outside the WCAG tags run, and asks for at
    // least one: every screen has exactly one level-one heading, saying what the screen is.
    let headings = browser
        .eval("return [...document.querySelectorAll('h1, [role=heading][aria-level=\"1\"]')].map(h => h.textContent.trim());")
        .await?;
    let headings: Vec<String> = serde_json::from_value(headings)?;
    if headings.len() != 1 {
        failures.push(format!(
            "{screen}: {} level-one headings {headings:?}, not exactly one",
            headings.len()
        ));
    }
    Ok(())
}

#[tokio::test]
async fn every_screen_passes_wcag_2_1_aa() -> Result<()> {
    let app = orgbridge_e2e::spawn_app().await?;
    let browser = &app.browser;
    let mut failures = Vec::new();

    app.open().await?;
    check(browser, "sign-in", &mut failures).await?;
    let page = AccountsPage::sign_in(&app).await?;
    check(browser, "account list", &mut failures).await?;

    let target = spawn_second_org(&app).await?;
    browser.click_button("Add an org").await?;
    let form = SignInPage::wait(browser).await?;
    form.use_devorg_at(&target.url).await?;
    check(browser, "adding an org", &mut failures).await?;
    form.sign_in()
        .await?
        .log_in_and_allow(TARGET_USERNAME, TARGET_PASSWORD)
        .await?;
    page.wait_loaded().await?;
    browser.fill("Label", "Target").await?;
    check(browser, "two orgs", &mut failures).await?;

    page.open_account("O'Reilly Media").await?;
    check(browser, "one account", &mut failures).await?;
    browser.click_button("Edit").await?;
    check(browser, "edit form", &mut failures).await?;
    page.go_to("New account").await?;
    browser.click_button("Create account").await?;
    page.wait_field_error("Account Name").await?;
    check(browser, "new account with errors", &mut failures).await?;
    page.go_to("Upsert by external ID").await?;
    check(browser, "upsert", &mut failures).await?;
    page.go_to("Apex REST console").await?;
    check(browser, "Apex REST console", &mut failures).await?;
    page.go_to("Import CSV").await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("a11y.csv");
    std::fs::write(&path, "Name,Unknown Column\nA11y Import,x\n")?;
    browser
        .field("CSV file")
        .await?
        .send_keys(&path.display().to_string())
        .await?;
    browser
        .choose("Insert: every line is a new account")
        .await?;
    browser.click_button("Preview the import").await?;
    page.wait_status_containing("1 line:").await?;
    check(browser, "import preview", &mut failures).await?;
    page.go_to("Download CSV").await?;
    browser
        .by_role(Role::Heading, "Download accounts as CSV")
        .await?;
    check(browser, "download as CSV", &mut failures).await?;

    crate::sync::open_copy(browser).await?;
    browser.field("Target External ID field").await?;
    check(browser, "copy accounts", &mut failures).await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing("Nothing is written yet")
        .await?;
    check(browser, "copy preview", &mut failures).await?;
    browser.by_role(Role::Link, "Home").await?.click().await?;

    page.go_to("Account list").await?;
    page.checkbox("Select all loaded accounts")
        .await?
        .click()
        .await?;
    browser.click_button("Delete selected…").await?;
    check(browser, "bulk delete confirmation", &mut failures).await?;
    target.state.tokens.lock().revoke_all();
    app.browser.expect_console_error("401");
    app.browser.expect_console_error("400");
    browser.click_button("Delete 5 accounts").await?;
    page.wait_status_containing("not attempted").await?;
    check(browser, "bulk results, session ended", &mut failures).await?;

    browser
        .by_role(Role::Link, "Setup guide")
        .await?
        .click()
        .await?;
    browser
        .by_role(Role::Heading, "Set up an org for OrgBridge")
        .await
        .ok();
    check(browser, "setup guide", &mut failures).await?;

    if !failures.is_empty() {
        bail!("WCAG 2.1 AA failures:\n  {}", failures.join("\n  "));
    }
    app.finish().await
}
