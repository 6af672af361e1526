//! The Apex REST console: the seeds' two endpoints as examples, the answer shown as it came, and
//! bad paths and bodies stopped before sending.

use anyhow::Result;
use fantoccini::Locator;
use orgbridge_e2e::{spawn_app_with, Role};

use crate::page::{AccountsPage, Org};

async fn response_body(page: &AccountsPage<'_>) -> Result<String> {
    let el = page
        .browser()
        .client()
        .find(Locator::Css("pre.ob-acc-body"))
        .await?;
    Ok(el.text().await?)
}

#[tokio::test]
async fn the_console_calls_the_orgs_apex_rest_classes_and_shows_status_headers_and_body(
) -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    page.go_to("Apex REST console").await?;
    browser.by_role(Role::Heading, "Apex REST console").await?;

    // createAccountRecord: inserts the array, answers the JSON string "Success".
    browser.click_button("Example: createAccountRecord").await?;
    assert_eq!(page.field_value("Path").await?, "createAccountRecord");
    browser.click_button("Send request").await?;
    page.wait_status_containing("Status 200").await?;
    assert_eq!(response_body(&page).await?.trim(), "\"Success\"");
    let created = org.id_named("Console Example One")?;
    assert_eq!(
        org.value(&created, "Industry"),
        serde_json::json!("Technology")
    );
    let headers = browser
        .client()
        .find(Locator::Css(".ob-acc-headers"))
        .await?
        .text()
        .await?;
    assert!(headers.to_lowercase().contains("content-type"), "{headers}");

    // arrify/v1/accounts: 201 with the new id in the body.
    browser.click_button("Example: arrify/v1/accounts").await?;
    browser.click_button("Send request").await?;
    page.wait_status_containing("Status 201").await?;
    let body: serde_json::Value = serde_json::from_str(&response_body(&page).await?)?;
    let id = body["accountId"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        org.value(&id, "Name"),
        serde_json::json!("Console Example Two")
    );

    // The org's own error answers are shown as they came.
    app.browser.expect_console_error("500");
    app.browser.expect_console_error("404");
    browser.click_button("Example: createAccountRecord").await?;
    browser
        .fill("JSON body", "{\"Name\": \"not an array\"}")
        .await?;
    browser.click_button("Send request").await?;
    page.wait_status_containing("Status 500").await?;
    assert!(response_body(&page).await?.contains("APEX_ERROR"));
    browser.fill("Path", "no/such/class").await?;
    browser.click_button("Send request").await?;
    page.wait_status_containing("Status 404").await?;

    // Stopped before sending: a path outside /services/apexrest/, a body that is not JSON.
    let calls = org.api_calls();
    browser.fill("Path", "../data/v60.0/limits").await?;
    browser.click_button("Send request").await?;
    let message = page.wait_field_error("Path").await?;
    assert!(
        message.contains("not a path under /services/apexrest/"),
        "{message}"
    );
    // Every other spelling a browser resolves as a step up is refused the same way.
    for path in [
        "a/%2e%2e/%2e%2e/data/v60.0/limits",
        "a/%2E%2E/%2E%2E/data/v60.0/limits",
        "a/.%2e/.%2E/data/v60.0/limits",
        "a\\..\\..\\data\\v60.0\\limits",
    ] {
        browser.fill("Path", path).await?;
        browser.click_button("Send request").await?;
        let message = page.wait_field_error("Path").await?;
        assert!(
            message.contains("not a path under /services/apexrest/"),
            "{path}: {message}"
        );
    }
    browser.fill("Path", "arrify/v1/accounts").await?;
    browser.fill("JSON body", "{\"Name\": ").await?;
    browser.click_button("Send request").await?;
    let message = page.wait_field_error("JSON body").await?;
    assert!(
        message.starts_with("The body is not valid JSON"),
        "{message}"
    );
    assert_eq!(org.api_calls(), calls, "nothing was sent");
    app.finish().await
}

/// A POST whose answer never arrives may still have run: the console says so and makes sending it
/// again a deliberate choice, rather than an everyday click that would create the records twice.
#[tokio::test]
async fn a_call_that_got_no_answer_says_it_may_have_run() -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    page.go_to("Apex REST console").await?;
    browser.click_button("Example: createAccountRecord").await?;
    app.browser
        .expect_console_error("ERR_INCOMPLETE_CHUNKED_ENCODING");
    app.org
        .state
        .faults
        .fail_next(1, devorg::faults::FailureMode::DropAfterWrite);

    browser.click_button("Send request").await?;

    let alert = page.wait_alert_containing("may still have run").await?;
    assert!(
        alert.contains("check the org before sending it again"),
        "{alert}"
    );
    browser.button("Send again anyway").await?;
    assert_eq!(org.ids_where("Name", "Console Example One").len(), 1);
    app.finish().await
}
