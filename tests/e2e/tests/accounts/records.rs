//! One account: view, create, edit, upsert by external ID and delete — and markup in account text
//! shown as text.

use anyhow::Result;
use fantoccini::Locator;
use orgbridge_e2e::{spawn_app_with, Role};
use serde_json::{json, Value};

use crate::page::{AccountsPage, Org};

const XSS_NAME: &str = "<img src=x onerror=alert(1)>";

#[tokio::test]
async fn markup_in_an_account_name_is_shown_as_text_and_the_record_view_lists_every_field(
) -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let id =
        Org(&app).insert(json!({"Name": XSS_NAME, "Industry": "Media", "BillingCity": "Austin"}));
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();

    page.search("onerror", None).await?;
    assert_eq!(page.visible_names().await?, [XSS_NAME]);
    let images = browser
        .eval("return document.querySelectorAll('.orgbridge img').length;")
        .await?;
    assert_eq!(images, json!(0), "the name must not become an element");

    page.open_account(XSS_NAME).await?;
    let (facts, read_only) = page.record_facts().await?;
    let fact = |label: &str| {
        facts
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(fact("Account Name").as_deref(), Some(XSS_NAME));
    assert_eq!(fact("Industry").as_deref(), Some("Media"));
    assert_eq!(fact("Account ID").as_deref(), Some(id.as_str()));
    assert!(
        facts.len() >= 40,
        "every field of the describe: {}",
        facts.len()
    );
    for label in [
        "Account ID",
        "Created Date",
        "Last Modified Date",
        "Billing Address",
    ] {
        assert!(
            read_only.contains(&label.to_string()),
            "{label} is marked read-only: {read_only:?}"
        );
    }
    assert!(!read_only.contains(&"Account Name".to_string()));
    let images = browser
        .eval("return document.querySelectorAll('.orgbridge img').length;")
        .await?;
    assert_eq!(images, json!(0));

    browser.click_button("Back to the list").await?;
    page.wait_loaded().await?;
    app.finish().await
}

#[tokio::test]
async fn create_and_edit_check_input_show_the_orgs_errors_beside_fields_and_keep_what_was_typed(
) -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let before = org.live_count();

    page.go_to("New account").await?;
    browser.by_role(Role::Heading, "New account").await?;
    // Required, checked before sending.
    browser.click_button("Create account").await?;
    assert_eq!(
        page.wait_field_error("Account Name").await?,
        "Account Name is required."
    );
    assert_eq!(org.live_count(), before);

    // Lengths are enforced by the control: Billing City holds 40 characters.
    browser.fill("Billing City", &"x".repeat(50)).await?;
    assert_eq!(page.field_value("Billing City").await?.chars().count(), 40);
    // Numbers are checked before sending.
    browser.fill("Employees", "12.5").await?;
    browser.fill("Account Name", "E2E Created").await?;
    browser.click_button("Create account").await?;
    assert_eq!(
        page.wait_field_error("Employees").await?,
        "Enter a whole number."
    );
    assert_eq!(org.live_count(), before);

    // The org's validation rule, shown beside the field it names; the input stays.
    app.browser.expect_console_error("400");
    browser.fill("Employees", "12").await?;
    browser.fill("Billing City", "Springfield").await?;
    page.choose_option("Account Type", "Prospect").await?;
    browser.fill("Annual Revenue", "-5").await?;
    browser.click_button("Create account").await?;
    assert_eq!(
        page.wait_field_error("Annual Revenue").await?,
        "Annual Revenue cannot be negative."
    );
    assert_eq!(page.field_value("Account Name").await?, "E2E Created");
    assert_eq!(page.field_value("Billing City").await?, "Springfield");
    assert_eq!(page.field_value("Account Type").await?, "Prospect");
    assert_eq!(org.live_count(), before);

    browser.fill("Annual Revenue", "5000").await?;
    browser.click_button("Create account").await?;
    browser.by_role(Role::Heading, "E2E Created").await?;
    page.wait_status_containing("Account created.").await?;
    let id = org.id_named("E2E Created")?;
    assert_eq!(org.value(&id, "Type"), json!("Prospect"));
    assert_eq!(org.value(&id, "AnnualRevenue"), json!(5000.0));
    assert_eq!(org.value(&id, "NumberOfEmployees"), json!(12));
    assert_eq!(org.value(&id, "BillingCity"), json!("Springfield"));

    // Edit: only the changed field is sent; a duplicate external id lands beside that field.
    browser.click_button("Edit").await?;
    browser.by_role(Role::Heading, "Edit E2E Created").await?;
    assert_eq!(page.field_value("Billing City").await?, "Springfield");
    browser.fill("External Id", "EXT-000001").await?;
    browser.click_button("Save changes").await?;
    let message = page.wait_field_error("External Id").await?;
    assert!(message.contains("duplicate value found"), "{message}");
    assert_eq!(
        page.field_value("External Id").await?,
        "EXT-000001",
        "the input is kept"
    );
    assert_eq!(org.value(&id, "External_Id__c"), Value::Null);

    browser.fill("External Id", "").await?;
    browser.fill("Billing City", "Shelbyville").await?;
    browser.fill("Account Phone", "(555) 010-0199").await?;
    browser.click_button("Save changes").await?;
    page.wait_status_containing("Changes saved.").await?;
    let (facts, _) = page.record_facts().await?;
    assert!(facts.contains(&("Billing City".to_string(), "Shelbyville".to_string())));
    assert_eq!(org.value(&id, "BillingCity"), json!("Shelbyville"));
    assert_eq!(org.value(&id, "Phone"), json!("(555) 010-0199"));
    assert_eq!(
        org.value(&id, "Type"),
        json!("Prospect"),
        "untouched fields stay"
    );

    // Back in the list, the new account is there.
    browser.click_button("Back to the list").await?;
    page.search("E2E Created", None).await?;
    assert_eq!(page.rendered_rows().await?[0][3], "Shelbyville");
    app.finish().await
}

#[tokio::test]
async fn upsert_says_whether_it_created_or_updated_and_lists_several_matches() -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let org = Org(&app);
    let first = org.insert(json!({"Name": "Legacy Twin A", "Legacy_Number__c": "L-DUP"}));
    let second = org.insert(json!({"Name": "Legacy Twin B", "Legacy_Number__c": "L-DUP"}));
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let before = org.live_count();

    page.go_to("Upsert by external ID").await?;
    page.choose_option("External ID field", "External Id (External_Id__c)")
        .await?;
    browser.fill("External ID value", "E2E-UP-1").await?;
    browser.fill("Account Name", "Upserted One").await?;
    browser.click_button("Upsert account").await?;
    let status = page.wait_status_containing("Created a new account").await?;
    assert!(status.contains("HTTP 201"), "{status}");
    let id = org.id_named("Upserted One")?;
    assert_eq!(org.value(&id, "External_Id__c"), json!("E2E-UP-1"));
    assert_eq!(org.live_count(), before + 1);

    // Same key again: the same record is updated.
    browser.fill("Account Phone", "555-0100").await?;
    browser.click_button("Upsert account").await?;
    let status = page
        .wait_status_containing("Updated the existing account")
        .await?;
    assert!(status.contains("HTTP 200"), "{status}");
    assert_eq!(org.value(&id, "Phone"), json!("555-0100"));
    assert_eq!(org.live_count(), before + 1);
    browser
        .by_role(Role::Link, &format!("Open account {id}"))
        .await?
        .click()
        .await?;
    browser.by_role(Role::Heading, "Upserted One").await?;

    // The org requires a name when it creates: its error lands beside the field.
    app.browser.expect_console_error("400");
    page.go_to("Upsert by external ID").await?;
    browser.fill("External ID value", "E2E-UP-2").await?;
    browser.click_button("Upsert account").await?;
    let message = page.wait_field_error("Account Name").await?;
    assert!(message.contains("Required fields are missing"), "{message}");
    assert!(org.ids_where("External_Id__c", "E2E-UP-2").is_empty());

    // A key two records share: 300, nothing written, both listed.
    page.choose_option("External ID field", "Legacy Number (Legacy_Number__c)")
        .await?;
    browser.fill("External ID value", "L-DUP").await?;
    browser.fill("Account Name", "Should Not Exist").await?;
    browser.click_button("Upsert account").await?;
    let alert = page.wait_alert_containing("HTTP 300").await?;
    assert!(
        alert.contains("2 accounts have this Legacy Number"),
        "{alert}"
    );
    browser
        .by_role(Role::Link, &format!("Legacy Twin A ({first})"))
        .await?;
    browser
        .by_role(Role::Link, &format!("Legacy Twin B ({second})"))
        .await?;
    assert!(org.ids_where("Name", "Should Not Exist").is_empty());
    assert_eq!(org.value(&first, "Name"), json!("Legacy Twin A"));

    // `.` and `..` are path steps: as a value they would address another resource. Refused unsent.
    let calls = org.api_calls();
    for value in [".", ".."] {
        browser.fill("External ID value", value).await?;
        browser.click_button("Upsert account").await?;
        let alert = page
            .wait_alert_containing("cannot be sent in a URL")
            .await?;
        assert!(alert.contains(&format!("“{value}”")), "{alert}");
    }
    assert_eq!(org.api_calls(), calls, "nothing was sent");
    assert!(org.ids_where("Name", "Should Not Exist").is_empty());
    app.finish().await
}

#[tokio::test]
async fn delete_asks_first_and_the_row_leaves_the_list() -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let org = Org(&app);
    let id = org.insert(json!({"Name": "Doomed Account"}));
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let (_, total) = page.wait_loaded().await?;

    page.open_account("Doomed Account").await?;
    browser.click_button("Delete…").await?;
    let dialog = browser
        .client()
        .find(Locator::Css("[role=alertdialog]"))
        .await?;
    assert!(dialog.text().await?.contains("Delete Doomed Account?"));
    // The safe choice has the focus.
    let focused = browser
        .eval("return document.activeElement.textContent.trim();")
        .await?;
    assert_eq!(focused, json!("Cancel"));
    browser.click_button("Cancel").await?;
    assert!(org.is_live(&id));

    browser.click_button("Delete…").await?;
    browser.click_button("Delete account").await?;
    page.wait_status_containing("Deleted Doomed Account.")
        .await?;
    assert!(!org.is_live(&id));
    assert_eq!(page.wait_loaded().await?, (total - 1, total - 1));
    let names = page.rendered_rows().await?;
    assert!(names.iter().all(|r| r[0] != "Doomed Account"));
    app.finish().await
}
