//! The setup guide: the values an admin needs for this page, and "Check", which probes the org from
//! the browser and names what is missing.

use anyhow::Result;
use fantoccini::Locator;
use orgbridge_e2e::{spawn_app, spawn_app_with, Browser, Role};

/// One finding: whether it is a problem, and its text.
#[derive(Debug)]
struct Finding {
    problem: bool,
    text: String,
}

/// Opens the setup guide from the sign-in screen, as a person would.
async fn open_guide(browser: &Browser) -> Result<()> {
    browser
        .by_role(Role::Link, "Setup guide")
        .await?
        .click()
        .await?;
    browser.by_role(Role::Heading, "Setup guide").await?;
    Ok(())
}

/// Opens the setup guide and presses Check.
async fn check(browser: &Browser) -> Result<Vec<Finding>> {
    open_guide(browser).await?;
    press_check(browser).await
}

/// Presses Check and reads the findings.
async fn press_check(browser: &Browser) -> Result<Vec<Finding>> {
    browser.click_button("Check").await?;
    browser
        .wait_for("the findings of the check", || async {
            let items = browser
                .client()
                .find_all(Locator::Css("ul[aria-label=Findings] li"))
                .await?;
            let mut findings = vec![];
            for item in items {
                let class = item.attr("class").await?.unwrap_or_default();
                findings.push(Finding {
                    problem: class.contains("ob-finding-problem"),
                    text: item.text().await?.trim().to_string(),
                });
            }
            Ok((!findings.is_empty()).then_some(findings))
        })
        .await
}

#[tokio::test]
async fn a_configured_org_passes_and_the_guide_names_this_pages_callback_and_origin() -> Result<()>
{
    let app = spawn_app().await?;
    app.open().await?;

    let findings = check(&app.browser).await?;

    assert!(findings.len() >= 3, "{findings:?}");
    assert!(findings.iter().all(|f| !f.problem), "{findings:?}");
    let text = app.browser.page_text().await?;
    assert!(
        text.contains(&app.site.app_url()),
        "the callback URL to register: {text}"
    );
    assert!(
        text.contains(&app.site.origin),
        "the origin to allowlist: {text}"
    );
    // The check's token probe is refused by the org (a made-up code): that is its expected answer.
    app.browser.expect_console_error("status of 400");
    app.finish().await
}

#[tokio::test]
async fn an_origin_missing_from_the_allowlist_is_named_with_the_entry_to_add() -> Result<()> {
    let app = spawn_app_with(|config, _| {
        config.allowed_origins = vec!["https://intranet.example.com".into()];
    })
    .await?;
    app.browser.expect_console_error("CORS policy");
    app.browser.expect_console_error("ERR_FAILED");
    app.open().await.ok();

    let findings = check(&app.browser).await?;

    let allowlist = findings
        .iter()
        .find(|f| f.text.contains("CORS allowlist"))
        .expect("a finding about the allowlist");
    assert!(allowlist.problem, "{allowlist:?}");
    let entry = format!("Origin URL Pattern {}", app.site.origin);
    assert!(allowlist.text.contains(&entry), "{allowlist:?}");
    app.finish().await
}

#[tokio::test]
async fn a_token_endpoint_without_cors_names_the_setting_to_check() -> Result<()> {
    let app = spawn_app_with(|config, _| config.no_oauth_cors = true).await?;
    app.browser.expect_console_error("CORS policy");
    app.browser.expect_console_error("ERR_FAILED");
    app.open().await?;

    let findings = check(&app.browser).await?;

    let oauth = findings
        .iter()
        .find(|f| f.text.contains("CORS for OAuth endpoints"))
        .expect("a finding about the OAuth endpoints");
    assert!(oauth.problem, "{oauth:?}");
    assert!(
        oauth
            .text
            .contains("check \"Enable CORS for OAuth endpoints\""),
        "{oauth:?}"
    );
    assert!(
        oauth.text.contains("only this setting is missing"),
        "the allowlist is fine: {oauth:?}"
    );
    app.finish().await
}

#[tokio::test]
async fn a_wrong_consumer_key_is_named() -> Result<()> {
    let app = spawn_app().await?;
    app.browser.expect_console_error("status of 400");
    app.open().await?;
    open_guide(&app.browser).await?;
    app.browser
        .fill("Consumer key", "not-a-registered-app")
        .await?;

    let findings = press_check(&app.browser).await?;

    let key = findings
        .iter()
        .find(|f| f.text.contains("Consumer key"))
        .expect("a finding about the consumer key");
    assert!(key.problem, "{key:?}");
    assert!(key.text.contains("not-a-registered-app"), "{key:?}");
    app.finish().await
}
