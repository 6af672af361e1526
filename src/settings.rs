//! Which org the user signs in to: the choices on the sign-in screen, the devorg URL override,
//! the remembered per-org consumer keys, and this page's redirect URI.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::storage::{self, Key};

/// devorg's default address (`cargo run -p devorg`).
pub const DEFAULT_DEVORG_URL: &str = "http://127.0.0.1:8787";
/// The consumer key of devorg's public PKCE app.
pub const DEVORG_CONSUMER_KEY: &str = "orgbridge-local";
/// Salesforce's generic login hosts.
pub const PRODUCTION_URL: &str = "https://login.salesforce.com";
pub const SANDBOX_URL: &str = "https://test.salesforce.com";
/// `<meta name=…>` a host page can use to point "Local devorg" elsewhere.
pub const DEVORG_META: &str = "orgbridge-devorg";
/// Query parameter that points "Local devorg" elsewhere (takes precedence over the meta tag).
pub const DEVORG_PARAM: &str = "devorg";

/// The kinds of org on the sign-in screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum OrgKind {
    #[default]
    Devorg,
    MyDomain,
    Production,
    Sandbox,
}

impl OrgKind {
    pub const ALL: [OrgKind; 4] = [
        OrgKind::Devorg,
        OrgKind::MyDomain,
        OrgKind::Production,
        OrgKind::Sandbox,
    ];

    /// The radio button's label (the e2e tests find it by this name).
    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Devorg => "Local devorg",
            OrgKind::MyDomain => "My Domain URL",
            OrgKind::Production => "Production",
            OrgKind::Sandbox => "Sandbox",
        }
    }

    /// Stable id fragment for form controls.
    pub fn id(self) -> &'static str {
        match self {
            OrgKind::Devorg => "devorg",
            OrgKind::MyDomain => "mydomain",
            OrgKind::Production => "production",
            OrgKind::Sandbox => "sandbox",
        }
    }
}

/// What the user chose on the sign-in screen, remembered in localStorage (nothing secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Prefs {
    pub kind: OrgKind,
    /// The last My Domain URL typed.
    pub my_domain_url: String,
    /// Consumer key last used per org login URL.
    pub consumer_keys: BTreeMap<String, String>,
}

impl Prefs {
    /// The remembered choices, or the defaults (Local devorg).
    pub fn load() -> Prefs {
        storage::get_json(Key::Prefs).unwrap_or_default()
    }

    pub fn save(&self) {
        storage::set_json(Key::Prefs, self);
    }

    /// The login URL for `kind` (the typed URL for My Domain).
    pub fn login_url(&self, kind: OrgKind) -> String {
        match kind {
            OrgKind::Devorg => devorg_url(),
            OrgKind::MyDomain => normalize_url(&self.my_domain_url),
            OrgKind::Production => PRODUCTION_URL.to_owned(),
            OrgKind::Sandbox => SANDBOX_URL.to_owned(),
        }
    }

    /// The consumer key to prefill for `kind`: the one last used with that org, else devorg's.
    pub fn consumer_key(&self, kind: OrgKind) -> String {
        let url = self.login_url(kind);
        match self.consumer_keys.get(&url) {
            Some(key) => key.clone(),
            None if kind == OrgKind::Devorg => DEVORG_CONSUMER_KEY.to_owned(),
            None => String::new(),
        }
    }

    /// Records a choice after the user pressed "Sign in".
    pub fn remember(&mut self, kind: OrgKind, login_url: &str, consumer_key: &str) {
        self.kind = kind;
        if kind == OrgKind::MyDomain {
            self.my_domain_url = login_url.to_owned();
        }
        self.consumer_keys
            .insert(login_url.to_owned(), consumer_key.trim().to_owned());
    }
}

/// Lets a typed host work: adds `https://` when no scheme is given and drops a trailing slash.
pub fn normalize_url(typed: &str) -> String {
    let typed = typed.trim().trim_end_matches('/');
    if typed.is_empty() || typed.contains("://") {
        typed.to_owned()
    } else {
        format!("https://{typed}")
    }
}

/// The devorg URL: `?devorg=` on this page (remembered for the tab), else the
/// `<meta name="orgbridge-devorg">` content, else [`DEFAULT_DEVORG_URL`].
pub fn devorg_url() -> String {
    if let Some(url) = query_param(DEVORG_PARAM).filter(|u| !u.trim().is_empty()) {
        let url = normalize_url(&url);
        storage::set(Key::DevorgUrl, &url);
        return url;
    }
    if let Some(url) = storage::get(Key::DevorgUrl) {
        return url;
    }
    meta_content(DEVORG_META)
        .map(|u| normalize_url(&u))
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_DEVORG_URL.to_owned())
}

/// One query parameter of the page's URL.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

fn meta_content(name: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let selector = format!("meta[name=\"{name}\"]");
    document
        .query_selector(&selector)
        .ok()
        .flatten()
        .and_then(|m| m.get_attribute("content"))
}

/// This page's URL without query or fragment: the OAuth redirect URI, so the app works from any
/// path of a plain static server (the org sends the user back to exactly this page).
pub fn redirect_uri() -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    let location = window.location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    format!("{origin}{path}")
}

/// This page's origin (scheme, host, port): what an admin adds to the org's CORS allowlist.
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}
