//! The parts of the app loaded on demand (src/parts.rs): the first screen fetches none of them,
//! and a part that cannot be fetched says so, with Try again, and opens once the server answers.

use anyhow::Result;
use orgbridge_e2e::{spawn_app, Role, SignInPage, SignedInPage, TestApp};

/// The wasm files the page has fetched so far (their names), from the browser's resource timing.
async fn fetched_wasm(app: &TestApp) -> Result<Vec<String>> {
    let names = app
        .browser
        .eval(
            "return performance.getEntriesByType('resource').map(e => e.name.split('/').pop())\
             .filter(n => n.endsWith('.wasm'));",
        )
        .await?;
    Ok(serde_json::from_value(names)?)
}

#[tokio::test]
async fn a_part_that_cannot_be_fetched_says_so_and_opens_on_try_again() -> Result<()> {
    let app = spawn_app().await?;
    let browser = &app.browser;
    // Before the page loads: the parts fetched when the browser is idle fail too.
    app.site.refuse_parts(true);
    browser.goto(&app.site.app_url()).await?;
    SignInPage::wait(browser).await?;
    assert!(
        fetched_wasm(&app)
            .await?
            .contains(&"orgbridge_bg.wasm".to_string()),
        "the first-load wasm is fetched"
    );

    // What the browser logs for each refused file, and the loader for each failed part.
    browser.expect_console_error("503");
    browser.expect_console_error("HTTP status code is not ok");
    browser
        .by_role(Role::Link, "Setup guide")
        .await?
        .click()
        .await?;
    let alert = browser
        .alert_containing("Could not open the setup guide")
        .await?;
    assert!(
        alert.contains("Check the network connection") && alert.contains("reload the page"),
        "the alert says what to do: {alert}"
    );
    assert_eq!(browser.axe_violations().await?, Vec::<String>::new());

    // The server answers again: Try again opens the guide, and the sign-in form still works.
    app.site.refuse_parts(false);
    browser.click_button("Try again").await?;
    browser.by_role(Role::Heading, "Setup guide").await?;
    browser.by_role(Role::Link, "Home").await?.click().await?;
    SignInPage::wait(browser).await?;
    app.finish().await
}

#[tokio::test]
async fn the_sign_in_form_shows_before_any_part_is_fetched() -> Result<()> {
    let app = spawn_app().await?;
    let browser = &app.browser;
    // The parts are refused, so a part the first screen needed would fail it.
    app.site.refuse_parts(true);
    browser.expect_console_error("503");
    browser.expect_console_error("HTTP status code is not ok");
    app.open().await?;
    browser.by_role(Role::Button, "Sign in").await?;
    let alerts = browser
        .eval("return document.querySelectorAll('[role=alert]').length;")
        .await?;
    assert_eq!(alerts, 0, "no error on the first screen");
    app.finish().await
}

#[tokio::test]
async fn a_signed_in_tab_reloaded_asks_for_the_org_screens_beside_the_first_load() -> Result<()> {
    let app = spawn_app().await?;
    app.sign_in().await?;
    let browser = &app.browser;
    browser.goto(&app.site.app_url()).await?;
    SignedInPage::wait(browser).await?;
    // Requested by boot.js's preload link (not by the loader after the first-load wasm ran),
    // and the loader's own fetch took it from there: asked for once.
    let asked = browser
        .eval(
            "return performance.getEntriesByType('resource')\
             .filter(e => e.name.endsWith('/split_org_screens.wasm')).map(e => e.initiatorType);",
        )
        .await?;
    assert_eq!(asked, serde_json::json!(["link"]));
    app.finish().await
}
