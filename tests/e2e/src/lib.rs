//! The end-to-end rig: devorg in-process, the release build of the app served from another origin,
//! and headless Chromium driven over WebDriver through page objects that find controls by role and
//! accessible name. Tests live in `tests/`; `spawn_app()` gives each its own org, site and browser.

pub mod browser;
pub mod pages;
pub mod rig;
pub mod site;

pub use browser::{Browser, Role};
pub use pages::{DevorgLoginPage, SignInPage, SignedInPage};
pub use rig::{
    spawn_app, spawn_app_with, spawn_second_org, spawn_second_org_with, unreachable_org_url,
    TestApp, PASSWORD, TARGET_PASSWORD, TARGET_USERNAME, USERNAME, USER_FULL_NAME,
};
pub use site::{StaticSite, APP_PATH};
