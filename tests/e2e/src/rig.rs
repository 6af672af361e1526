//! `spawn_app()`: one devorg started in-process on a free port, the release build served from a
//! second origin, and a fresh headless Chromium — everything a test needs, torn down on drop.

use anyhow::{Context, Result};
use fantoccini::Locator;

use crate::browser::{free_port, Browser};
use crate::pages::{DevorgLoginPage, SignInPage, SignedInPage};
use crate::site::{dist_dir, StaticSite};

/// The org's user as devorg's defaults make it.
pub const USERNAME: &str = "admin@devorg.local";
pub const PASSWORD: &str = "devorg";
/// The user's name as devorg shows it in userinfo.
pub const USER_FULL_NAME: &str = "Devorg Admin";

/// One test's world: the org, the site serving the app, and the browser.
pub struct TestApp {
    pub org: devorg::RunningOrg,
    pub site: StaticSite,
    pub browser: Browser,
}

/// Starts devorg (allowing the site's origin and the app's URL as callback), the site and a browser.
pub async fn spawn_app() -> Result<TestApp> {
    spawn_app_with(|_, _| {}).await
}

/// As [`spawn_app`], with `configure` changing devorg's settings (CORS allowlist, OAuth CORS,
/// token lifetime, `org` for an org file's fields and users, `users`…) before it starts.
pub async fn spawn_app_with(
    configure: impl FnOnce(&mut devorg::Config, &StaticSite),
) -> Result<TestApp> {
    let site = StaticSite::start(&dist_dir()?).await?;
    let mut config = devorg::Config {
        addr: "127.0.0.1:0".parse()?,
        allowed_origins: vec![site.origin.clone()],
        // The app's page, and the example host page that mounts it (its own URL is the callback).
        redirect_uris: vec![site.app_url(), site.host_page_url()],
        // A handful is enough for what the UI shows, and quicker to seed.
        accounts: 20,
        ..Default::default()
    };
    configure(&mut config, &site);
    let org = devorg::spawn(config).await.context("cannot start devorg")?;
    let browser = Browser::start().await?;
    Ok(TestApp { org, site, browser })
}

/// The second org's user (a target org as `scripts/dev` starts one).
pub const TARGET_USERNAME: &str = "admin@target.devorg.local";
pub const TARGET_PASSWORD: &str = "target";

/// A second devorg for `app` (another org id, user and data), allowing the same site.
pub async fn spawn_second_org(app: &TestApp) -> Result<devorg::RunningOrg> {
    spawn_second_org_with(app, |_| {}).await
}

/// As [`spawn_second_org`], with `configure` changing the org before it starts: its fields and
/// users from an org file (`config.org = Some(devorg::OrgSpec::example_target())`, or
/// `OrgSpec::from_value(json!({…}))`), more users (`config.users`), seed, accounts….
pub async fn spawn_second_org_with(
    app: &TestApp,
    configure: impl FnOnce(&mut devorg::Config),
) -> Result<devorg::RunningOrg> {
    let mut config = devorg::Config {
        addr: "127.0.0.1:0".parse()?,
        allowed_origins: vec![app.site.origin.clone()],
        redirect_uris: vec![app.site.app_url()],
        username: TARGET_USERNAME.into(),
        password: TARGET_PASSWORD.into(),
        accounts: 5,
        ..Default::default()
    };
    configure(&mut config);
    devorg::spawn(config)
        .await
        .context("cannot start the second devorg")
}

impl TestApp {
    /// The app's URL pointed at `org_url` (the app keeps it for the tab, across the OAuth round trip).
    pub fn app_url_for(&self, org_url: &str) -> String {
        format!("{}?devorg={org_url}", self.site.app_url())
    }

    /// Opens the app pointed at this test's devorg and waits for the sign-in screen.
    pub async fn open(&self) -> Result<SignInPage<'_>> {
        self.open_against(&self.org.url).await
    }

    /// Opens the app pointed at `org_url` and waits for the sign-in screen.
    pub async fn open_against(&self, org_url: &str) -> Result<SignInPage<'_>> {
        self.browser.goto(&self.app_url_for(org_url)).await?;
        SignInPage::wait(&self.browser).await
    }

    /// The whole happy path as a person does it: open the app, Sign in, type the devorg user and
    /// password, Allow; returns the signed-in view.
    pub async fn sign_in(&self) -> Result<SignedInPage<'_>> {
        let login: DevorgLoginPage<'_> = self.open().await?.sign_in().await?;
        login.log_in_and_allow(USERNAME, PASSWORD).await?;
        SignedInPage::wait(&self.browser).await
    }

    /// Adds the devorg `org` beside the orgs signed in, as a person does: "Add an org", its
    /// address and consumer key, then `username` and `password` on its login page.
    pub async fn add_org(
        &self,
        org: &devorg::RunningOrg,
        username: &str,
        password: &str,
    ) -> Result<()> {
        self.browser.click_button("Add an org").await?;
        let form = SignInPage::wait(&self.browser).await?;
        form.use_devorg_at(&org.url).await?;
        form.sign_in()
            .await?
            .log_in_and_allow(username, password)
            .await
    }

    /// Ends the test: closes the browser, failing on page errors the test did not expect.
    pub async fn finish(self) -> Result<()> {
        self.browser.close().await
    }
}

/// The OAuth tokens the app keeps in this tab's storage, found by their JSON field names.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoredTokens {
    pub access: Vec<String>,
    pub refresh: Vec<String>,
}

impl TestApp {
    /// The tokens the app holds now (read from sessionStorage), to check what the org thinks of them.
    pub async fn stored_tokens(&self) -> Result<StoredTokens> {
        let mut tokens = StoredTokens::default();
        for value in self.browser.session_storage().await?.values() {
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(value) {
                collect_tokens(&json, &mut tokens);
            }
        }
        Ok(tokens)
    }
}

fn collect_tokens(json: &serde_json::Value, out: &mut StoredTokens) {
    match json {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value.as_str()) {
                    ("access_token", Some(token)) => out.access.push(token.to_string()),
                    ("refresh_token", Some(token)) => out.refresh.push(token.to_string()),
                    _ => collect_tokens(value, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_tokens(v, out)),
        _ => {}
    }
}

/// Waits for the app's iframe (`title="OrgBridge"`, as the example host page has it) in the current
/// frame and switches into it.
pub async fn enter_app_frame(browser: &Browser) -> Result<()> {
    let frame = browser
        .wait_for("the app's iframe", || async {
            Ok(browser
                .client()
                .find_all(Locator::Css("iframe[title=OrgBridge]"))
                .await?
                .pop())
        })
        .await?;
    frame
        .enter_frame()
        .await
        .context("entering the app's frame")
}

/// A URL where no org listens (a port that was just free): "the org is unreachable".
pub fn unreachable_org_url() -> Result<String> {
    Ok(format!("http://127.0.0.1:{}", free_port()?))
}
