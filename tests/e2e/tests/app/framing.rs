//! Clickjacking: a site not on the app's frame-ancestors list frames it. Inside the frame the app
//! says it will not run there and who an admin would add, and offers nothing to click: no sign-in
//! form, no session read. (The allowed case is embedding.rs's framed pop-up sign-in.)

use anyhow::Result;
use fantoccini::Locator;
use orgbridge_e2e::rig::enter_app_frame;
use orgbridge_e2e::site::dist_dir;
use orgbridge_e2e::{spawn_app, Role, StaticSite, TestApp};

const REFUSED_HEADING: &str = "OrgBridge will not run inside this frame";

/// Checks the framed app shows only the refusal naming `origin`, and touched no session.
async fn assert_refused_naming(app: &TestApp, origin: &str) -> Result<()> {
    let browser = &app.browser;
    browser.by_role(Role::Heading, REFUSED_HEADING).await?;
    let alert = browser.alert_containing(REFUSED_HEADING).await?;
    assert!(
        alert.contains(&format!("{origin} frames it")),
        "names the framing origin: {alert}"
    );
    assert!(
        alert.contains("orgbridge-frame-ancestors") && alert.contains("frame-ancestors header"),
        "says what an admin adds: {alert}"
    );
    let buttons = browser
        .client()
        .find_all(Locator::Css("button, input"))
        .await?;
    assert!(buttons.is_empty(), "the refused frame offers controls");
    assert!(!browser
        .page_text()
        .await?
        .contains("Sign in to a Salesforce org"));
    let stored = browser.session_storage().await?;
    assert!(
        stored.keys().all(|k| !k.starts_with("orgbridge.")),
        "the refused app used storage: {stored:?}"
    );
    Ok(())
}

#[tokio::test]
async fn framed_by_a_site_not_on_the_list_it_refuses_to_run() -> Result<()> {
    let app = spawn_app().await?;
    let attacker = StaticSite::start(&dist_dir()?).await?;
    app.browser
        .goto(&attacker.iframe_host_url_for(&app.app_url_for(&app.org.url)))
        .await?;

    enter_app_frame(&app.browser).await?;
    assert_refused_naming(&app, &attacker.origin).await?;
    app.finish().await
}

#[tokio::test]
async fn an_allowed_frame_inside_a_site_not_on_the_list_is_refused_too() -> Result<()> {
    let app = spawn_app().await?;
    let intranet = StaticSite::start(&dist_dir()?).await?;
    app.site.allow_framing_by(&intranet.origin);
    let attacker = StaticSite::start(&dist_dir()?).await?;
    // attacker → intranet (allowed) → the app: every ancestor must be on the list.
    let intranet_page = intranet.iframe_host_url_for(&app.app_url_for(&app.org.url));
    app.browser
        .goto(&attacker.iframe_host_url_for(&intranet_page))
        .await?;

    enter_app_frame(&app.browser).await?;
    enter_app_frame(&app.browser).await?;
    assert_refused_naming(&app, &attacker.origin).await?;
    app.finish().await
}
