//! Which org the user signs in to: the choices on the sign-in screen, the devorg URL override (on
//! this computer only), the remembered per-org consumer keys, and this page's redirect URI.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use salesforce::types::InstanceUrl;

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

/// Where a devorg address came from, for the message when it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevorgSource {
    /// `?devorg=` on this page's URL.
    Query,
    /// Remembered for this tab from an earlier `?devorg=`.
    Stored,
    /// The page's `<meta name="orgbridge-devorg">`.
    Meta,
}

impl DevorgSource {
    /// How a person recognises the source in a message.
    pub fn describe(self) -> String {
        match self {
            DevorgSource::Query => format!("?{DEVORG_PARAM}= in the page address"),
            DevorgSource::Stored => "remembered for this tab".into(),
            DevorgSource::Meta => format!("the page's {DEVORG_META} meta tag"),
        }
    }
}

/// A devorg address that was not used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedDevorg {
    pub given: String,
    pub source: DevorgSource,
    pub reason: String,
}

/// The address "Local devorg" points at, and what was refused on the way to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevorgChoice {
    pub url: String,
    /// More devorgs to offer beside `url` (the meta tag may list several: `scripts/dev` runs a
    /// source and a target org).
    pub others: Vec<String>,
    pub refused: Vec<RefusedDevorg>,
}

impl DevorgChoice {
    /// Every devorg offered, `url` first.
    pub fn all(&self) -> Vec<String> {
        std::iter::once(self.url.clone())
            .chain(self.others.iter().cloned())
            .collect()
    }
}

/// The hosts a devorg may be on. Only this computer: the address comes from the page URL, which
/// anyone can hand out, and "Sign in" sends the person (and their password) to it.
const LOOPBACK_HOSTS: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

/// Accepts `text` as a devorg address only when it is http(s) on this computer (127.0.0.1,
/// localhost or [::1], any port) and nothing but scheme, host and port; returns it in canonical
/// form (`http://127.0.0.1:8787`), else why not, in words.
///
/// The host is read by the same WHATWG URL rules the browser uses, so `http://localhost@evil.example`
/// (a user name), `http://evil.example#@127.0.0.1` (a fragment) and `http://127.0.0.1.evil.example`
/// are what they are: evil.example. Numeric spellings of 127.0.0.1 (`http://0x7f000001`,
/// `http://2130706433`) are accepted: browsers read them as 127.0.0.1 too, and the canonical form
/// returned is what the app then opens.
pub fn check_devorg_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err("a devorg address starts with http:// or https://".into());
    }
    let parsed = InstanceUrl::parse(text);
    // To name the host: InstanceUrl refuses http:// to other hosts before saying which, and http
    // and https hosts parse alike (both are WHATWG "special" schemes).
    let for_host = parsed.clone().or_else(|_| {
        let rest = &text[text.find("://").map_or(0, |i| i + 3)..];
        InstanceUrl::parse(&format!("https://{rest}"))
    });
    if let Ok(url) = &for_host {
        let origin = url.origin();
        let host = origin_host(&origin);
        if !LOOPBACK_HOSTS.contains(&host) {
            return Err(format!(
                "{host} is not this computer: a devorg must be on 127.0.0.1, localhost or [::1]"
            ));
        }
    }
    let not_plain =
        || "it is not a plain address on this computer, such as http://127.0.0.1:8787".to_owned();
    let url = parsed.map_err(|_| not_plain())?;
    let origin = url.origin();
    // No path, and no user name or password (which the origin leaves out).
    if url.as_str() != origin {
        return Err(not_plain());
    }
    Ok(origin)
}

/// The host of a serialised origin (`http://[::1]:8787` → `[::1]`).
fn origin_host(origin: &str) -> &str {
    let rest = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    match rest.find(']') {
        Some(end) if rest.starts_with('[') => &rest[..=end],
        _ => rest.split(':').next().unwrap_or(rest),
    }
}

/// The devorg "Local devorg" points at: `?devorg=` on this page (remembered for the tab, so it
/// survives the OAuth round trip), else the remembered one, else the `<meta name="orgbridge-devorg">`
/// content, else [`DEFAULT_DEVORG_URL`]. Each is checked with [`check_devorg_url`] when read (a
/// stored value too: it may predate the check); a refused one is never stored and is reported.
///
/// Worked out once per page (the page's address does not change under the hash router), so the
/// refusals are still there for the sign-in screen after the first reader removed a stored one.
pub fn devorg_choice() -> DevorgChoice {
    thread_local! {
        static CHOICE: std::cell::OnceCell<DevorgChoice> = const { std::cell::OnceCell::new() };
    }
    CHOICE.with(|choice| choice.get_or_init(read_devorg_choice).clone())
}

fn read_devorg_choice() -> DevorgChoice {
    let mut refused = Vec::new();
    let mut consider = |given: String, source: DevorgSource| match check_devorg_url(&given) {
        Ok(url) => Some(url),
        Err(reason) => {
            refused.push(RefusedDevorg {
                given,
                source,
                reason,
            });
            None
        }
    };
    let given = query_param(DEVORG_PARAM).filter(|u| !u.trim().is_empty());
    if let Some(url) = given.and_then(|u| consider(u, DevorgSource::Query)) {
        storage::set(Key::DevorgUrl, &url);
        return DevorgChoice {
            url,
            others: Vec::new(),
            refused,
        };
    }
    if let Some(stored) = storage::get(Key::DevorgUrl) {
        if let Some(url) = consider(stored, DevorgSource::Stored) {
            return DevorgChoice {
                url,
                others: Vec::new(),
                refused,
            };
        }
        storage::remove(Key::DevorgUrl);
    }
    // The meta tag may list several, separated by spaces; each is checked on its own.
    let meta = meta_content(DEVORG_META).unwrap_or_default();
    let mut urls: Vec<String> = meta
        .split_whitespace()
        .filter_map(|u| consider(u.to_owned(), DevorgSource::Meta))
        .collect();
    urls.dedup();
    if urls.is_empty() {
        urls.push(DEFAULT_DEVORG_URL.to_owned());
    }
    let url = urls.remove(0);
    DevorgChoice {
        url,
        others: urls,
        refused,
    }
}

/// The devorg URL "Local devorg" signs in to (see [`devorg_choice`]).
pub fn devorg_url() -> String {
    devorg_choice().url
}

/// One query parameter of the page's URL.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// The `content` of the page's `<meta name="{name}">`.
pub fn meta_content(name: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::check_devorg_url;
    use wasm_bindgen_test::wasm_bindgen_test as test;
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn loopback_devorg_addresses_are_accepted_in_canonical_form() {
        for (given, expected) in [
            ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
            ("http://127.0.0.1:8787/", "http://127.0.0.1:8787"),
            ("https://localhost:9443", "https://localhost:9443"),
            ("http://LOCALHOST:8787", "http://localhost:8787"),
            ("HTTP://127.0.0.1", "http://127.0.0.1"),
            ("http://[::1]:8787", "http://[::1]:8787"),
            ("http://[0:0:0:0:0:0:0:1]:8787", "http://[::1]:8787"),
            // The browser reads these as 127.0.0.1 as well; what is opened is the canonical form.
            ("http://0x7f000001:8787", "http://127.0.0.1:8787"),
            ("http://2130706433", "http://127.0.0.1"),
        ] {
            assert_eq!(check_devorg_url(given).as_deref(), Ok(expected), "{given}");
        }
    }

    #[test]
    fn other_hosts_and_schemes_are_refused_with_the_reason() {
        for (given, reason) in [
            ("https://evil.example", "evil.example is not this computer"),
            (
                "http://127.0.0.1.evil.example",
                "127.0.0.1.evil.example is not this computer",
            ),
            (
                "https://localhost@evil.example",
                "evil.example is not this computer",
            ),
            (
                "https://localhost.evil.example:8787",
                "localhost.evil.example is not this computer",
            ),
            ("http://127.0.0.2:8787", "127.0.0.2 is not this computer"),
            ("https://evil.example#@127.0.0.1", "not a plain address"),
            (
                "http://localhost@evil.example",
                "evil.example is not this computer",
            ),
            ("http://user:pw@127.0.0.1:8787", "not a plain address"),
            ("http://127.0.0.1:8787/path", "not a plain address"),
            ("http://127.0.0.1:8787?x=1", "not a plain address"),
            ("http://127.0.0.1:99999", "not a plain address"),
            ("javascript:alert(1)", "starts with http:// or https://"),
            (
                "JavaScript://127.0.0.1/%0aalert(1)",
                "starts with http:// or https://",
            ),
            ("data:text/html,hi", "starts with http:// or https://"),
            ("//127.0.0.1:8787", "starts with http:// or https://"),
            ("127.0.0.1:8787", "starts with http:// or https://"),
            ("ftp://127.0.0.1", "starts with http:// or https://"),
        ] {
            let refused = check_devorg_url(given).expect_err(given);
            assert!(refused.contains(reason), "{given}: {refused}");
        }
    }
}
