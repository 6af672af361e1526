//! Page objects: what a person sees and does on each screen, in their words (headings, labels,
//! button names), so a test reads like the steps of a sign-in and breaks only when those change.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use fantoccini::Locator;

use crate::browser::{Browser, Role};

/// The app's sign-in screen.
pub struct SignInPage<'a> {
    browser: &'a Browser,
}

impl<'a> SignInPage<'a> {
    pub const HEADING: &'static str = "Sign in to a Salesforce org";

    /// Waits until the sign-in screen is shown.
    pub async fn wait(browser: &'a Browser) -> Result<SignInPage<'a>> {
        browser.by_role(Role::Heading, Self::HEADING).await?;
        Ok(SignInPage { browser })
    }

    /// Replaces the consumer key (prefilled `orgbridge-local` for Local devorg).
    pub async fn set_consumer_key(&self, key: &str) -> Result<()> {
        self.browser.fill("Consumer key", key).await
    }

    /// Chooses "My Domain URL" and types `url` into it.
    pub async fn use_my_domain(&self, url: &str) -> Result<()> {
        self.browser.choose("My Domain URL").await?;
        self.browser.fill("My Domain URL", url).await
    }

    /// Points the form at the devorg at `url` as a person would for a second org: its address as
    /// the My Domain URL, and devorg's consumer key.
    pub async fn use_devorg_at(&self, url: &str) -> Result<()> {
        self.use_my_domain(url).await?;
        self.set_consumer_key("orgbridge-local").await
    }

    /// Clicks "Sign in"; the browser leaves for the org's login page (or the app shows an error).
    pub async fn click_sign_in(&self) -> Result<()> {
        self.browser.click_button("Sign in").await
    }

    /// Clicks "Sign in" and waits for devorg's login page.
    pub async fn sign_in(&self) -> Result<DevorgLoginPage<'a>> {
        self.click_sign_in().await?;
        DevorgLoginPage::wait(self.browser).await
    }
}

/// devorg's own pages during the authorization: its login form, then the approval page.
pub struct DevorgLoginPage<'a> {
    browser: &'a Browser,
}

impl<'a> DevorgLoginPage<'a> {
    /// Waits until the browser shows devorg's login form (its inputs are named `username` and
    /// `pw`, as on Salesforce's own login page).
    pub async fn wait(browser: &'a Browser) -> Result<DevorgLoginPage<'a>> {
        browser
            .wait_for("devorg's login form (an input named pw)", || async {
                Ok(browser
                    .client()
                    .find_all(Locator::Css("input[name=pw]"))
                    .await?
                    .into_iter()
                    .next()
                    .map(|_| ()))
            })
            .await?;
        Ok(DevorgLoginPage { browser })
    }

    /// Types the user's name and password and submits; waits for the approval page.
    pub async fn log_in(&self, username: &str, password: &str) -> Result<()> {
        self.browser.fill("Username", username).await?;
        self.browser.fill("Password", password).await?;
        self.browser.click_button("Log In").await
    }

    /// Logs in and approves access ("Allow").
    pub async fn log_in_and_allow(&self, username: &str, password: &str) -> Result<()> {
        self.log_in(username, password).await?;
        self.allow().await
    }

    /// Clicks "Allow" on the approval page.
    pub async fn allow(&self) -> Result<()> {
        self.browser.click_button("Allow").await
    }

    /// Clicks "Deny" on the approval page.
    pub async fn deny(&self) -> Result<()> {
        self.browser.click_button("Deny").await
    }
}

/// The app's signed-in view.
pub struct SignedInPage<'a> {
    browser: &'a Browser,
}

impl<'a> SignedInPage<'a> {
    /// Waits until the signed-in view is shown: its heading, and its Sign out button (the heading
    /// alone also stands above the org's screens while they are fetched).
    pub async fn wait(browser: &'a Browser) -> Result<SignedInPage<'a>> {
        browser.by_role(Role::Heading, "Signed in").await?;
        browser.by_role(Role::Button, "Sign out").await?;
        Ok(SignedInPage { browser })
    }

    /// The facts shown about the session ("Name", "Username", "Org", …) as term → value.
    pub async fn details(&self) -> Result<BTreeMap<String, String>> {
        let browser = self.browser;
        browser
            .wait_for("the session details (Name, Username, …)", || async {
                let terms = browser.client().find_all(Locator::Css("dl dt")).await?;
                let mut details = BTreeMap::new();
                for term in terms {
                    let value = term
                        .find(Locator::XPath("following-sibling::dd[1]"))
                        .await
                        .context("a <dt> without its <dd>")?;
                    details.insert(
                        term.text().await?.trim().to_string(),
                        value.text().await?.trim().to_string(),
                    );
                }
                // The values arrive after the page (userinfo and the versions list are fetched).
                let complete = ["Name", "Username"]
                    .iter()
                    .all(|k| details.get(*k).is_some_and(|v| !v.is_empty()));
                Ok(complete.then_some(details))
            })
            .await
    }

    /// Clicks "Sign out" and waits for the sign-in screen.
    pub async fn sign_out(&self) -> Result<SignInPage<'a>> {
        self.browser.click_button("Sign out").await?;
        SignInPage::wait(self.browser).await
    }
}
