//! Tests of the rig itself, against a stand-in page (`fixtures/placeholder/`), so a failure in the
//! app's tests is about the app: locators by accessible name, the sub-path site, page-error capture.

use std::path::Path;

use anyhow::Result;
use orgbridge_e2e::{Browser, Role, StaticSite};

async fn placeholder() -> Result<(StaticSite, Browser)> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/placeholder");
    let site = StaticSite::start(&fixture).await?;
    let browser = Browser::start().await?;
    browser.goto(&site.app_url()).await?;
    Ok((site, browser))
}

#[tokio::test]
async fn finds_controls_by_their_accessible_name_and_reads_alerts() -> Result<()> {
    let (site, browser) = placeholder().await?;
    assert!(site.app_url().ends_with("/apps/orgbridge/"));

    browser
        .by_role(Role::Heading, "Sign in to a Salesforce org")
        .await?;
    browser.fill("Consumer key", "my-key").await?;
    browser.field("Search accounts").await?;
    browser.button("Close dialog").await?;
    browser.choose("My Domain URL").await?;
    browser.click_button("Sign in").await?;
    assert_eq!(
        browser.alert_text().await?,
        "Signing in to domain with my-key"
    );
    browser.close().await
}

#[tokio::test]
async fn a_missing_control_fails_naming_what_is_there() -> Result<()> {
    let (_site, mut browser) = placeholder().await?;
    browser.set_timeout(std::time::Duration::from_secs(1));
    let err = browser
        .button("Sign out")
        .await
        .expect_err("no such button");
    let message = format!("{err:#}");
    assert!(
        message.contains(r#"a button named "Sign out""#),
        "{message}"
    );
    assert!(
        message.contains(r#""Sign in""#),
        "lists the buttons there: {message}"
    );
    browser.close().await
}

#[tokio::test]
async fn page_errors_fail_the_test_unless_expected() -> Result<()> {
    let (_site, browser) = placeholder().await?;
    browser.click_button("Break something").await?;
    let errors = browser
        .wait_for("the console error", || async {
            let errors = browser.unexpected_errors().await?;
            Ok((!errors.is_empty()).then_some(errors))
        })
        .await?;
    assert!(
        errors[0].contains("placeholder: something broke"),
        "{errors:?}"
    );
    let err = browser.close().await.expect_err("close fails on the error");
    assert!(format!("{err:#}").contains("something broke"));

    let (_site, browser) = placeholder().await?;
    browser.expect_console_error("something broke");
    browser.click_button("Break something").await?;
    browser.close().await
}
