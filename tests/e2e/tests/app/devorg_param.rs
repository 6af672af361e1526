//! `?devorg=` points "Local devorg" at an org on this computer only: any other address (a link
//! anyone can send) is refused in words, never remembered, and the default devorg is used. The
//! sign-in screen names the host "Sign in" will open.

use anyhow::Result;
use fantoccini::Locator;
use orgbridge_e2e::{spawn_app, SignInPage, TestApp};

/// devorg's default address, which "Local devorg" falls back to.
const DEFAULT_DEVORG: &str = "http://127.0.0.1:8787";

/// The text of the "Org" choices (each choice's note shows its address).
async fn org_choices_text(app: &TestApp) -> Result<String> {
    let fieldset = app.browser.client().find(Locator::Css("fieldset")).await?;
    Ok(fieldset.text().await?)
}

/// Checks "Sign in" would open the default devorg and no refused address was kept.
async fn assert_default_devorg_used(app: &TestApp) -> Result<()> {
    app.browser
        .wait_for_text("Sign in opens 127.0.0.1:8787")
        .await?;
    assert_not_stored(app, "evil").await?;
    assert_not_stored(app, "javascript").await
}

/// Checks nothing in this tab's storage mentions `needle`.
async fn assert_not_stored(app: &TestApp, needle: &str) -> Result<()> {
    let session = app.browser.session_storage().await?;
    assert!(
        session
            .iter()
            .all(|(k, v)| !k.contains(needle) && !v.contains(needle)),
        "sessionStorage holds {needle}: {session:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_devorg_address_off_this_computer_is_refused_and_the_default_used() -> Result<()> {
    let app = spawn_app().await?;
    app.open_against("https://evil.example").await?;

    let alert = app.browser.alert_containing("https://evil.example").await?;
    assert!(alert.contains("A devorg address was refused"), "{alert}");
    assert!(
        alert.contains("evil.example is not this computer"),
        "{alert}"
    );
    assert!(
        alert.contains(&format!("Local devorg uses {DEFAULT_DEVORG} instead")),
        "{alert}"
    );
    let choices = org_choices_text(&app).await?;
    assert!(choices.contains(DEFAULT_DEVORG), "{choices}");
    assert!(!choices.contains("evil.example"), "{choices}");
    assert_default_devorg_used(&app).await?;
    app.finish().await
}

#[tokio::test]
async fn tricky_addresses_that_only_look_local_are_refused() -> Result<()> {
    let app = spawn_app().await?;
    for (given, refused_host) in [
        (
            "http://127.0.0.1.evil.example",
            Some("127.0.0.1.evil.example"),
        ),
        ("http://localhost@evil.example", Some("evil.example")),
        (
            "http://LOCALHOST.evil.example:8787",
            Some("localhost.evil.example"),
        ),
        ("http://evil.example#@127.0.0.1", None),
        ("javascript:alert(1)//127.0.0.1", None),
    ] {
        app.open_against(&urlencode(given)).await?;
        let alert = app.browser.alert_containing("was not used").await?;
        assert!(alert.contains(given), "{given}: {alert}");
        if let Some(host) = refused_host {
            assert!(
                alert.contains(&format!("{host} is not this computer")),
                "{alert}"
            );
        }
        assert_default_devorg_used(&app).await?;
    }
    app.finish().await
}

#[tokio::test]
async fn a_stored_devorg_address_is_checked_again_when_read() -> Result<()> {
    let app = spawn_app().await?;
    app.open().await?;
    // As an older version of the app, which stored any address, would have left it.
    app.browser
        .eval(
            "sessionStorage.setItem('orgbridge.devorg_url', 'https://evil.example'); return null;",
        )
        .await?;
    app.browser.goto(&app.site.app_url()).await?;
    SignInPage::wait(&app.browser).await?;

    let alert = app.browser.alert_containing("https://evil.example").await?;
    assert!(alert.contains("remembered for this tab"), "{alert}");
    assert_default_devorg_used(&app).await?;
    app.finish().await
}

#[tokio::test]
async fn sign_in_names_the_host_it_opens_as_the_choice_changes() -> Result<()> {
    let app = spawn_app().await?;
    let sign_in = app.open().await?;
    let devorg_host = app.org.url.trim_start_matches("http://");
    let browser = &app.browser;
    browser
        .wait_for_text(&format!("Sign in opens {devorg_host}"))
        .await?;
    assert!(!browser.page_text().await?.contains("refused"));

    sign_in.use_my_domain("acme.my.salesforce.com").await?;
    browser
        .wait_for_text("Sign in opens acme.my.salesforce.com")
        .await?;
    browser.choose("Production").await?;
    browser
        .wait_for_text("Sign in opens login.salesforce.com")
        .await?;
    browser.choose("Local devorg").await?;
    browser
        .wait_for_text(&format!("Sign in opens {devorg_host}"))
        .await?;

    // And it does: the loopback devorg given in ?devorg= is where Sign in goes.
    sign_in.sign_in().await?;
    let url = browser.current_url().await?;
    assert_eq!(url.origin().ascii_serialization(), app.org.url, "{url}");
    app.finish().await
}

/// `text` as one query parameter value.
fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
