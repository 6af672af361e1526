//! All browser storage of the app, in one place: one list of keys ([`Key`]), one prefix, and which
//! storage area each key lives in. Nothing else in the app touches `sessionStorage`/`localStorage`.
//!
//! When the browser refuses storage (a sandboxed iframe, storage disabled) the app keeps working for
//! the life of the page with an in-memory map instead of failing.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::{de::DeserializeOwned, Serialize};

/// Every stored name starts with this, so the app never collides with a host page's own keys.
pub const PREFIX: &str = "orgbridge.";

/// Where a key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Per tab, gone when the tab closes, never sent to any server: tokens and pending logins.
    Session,
    /// Survives restarts: only choices that are not secrets.
    Local,
}

/// Every key the app stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'a> {
    /// One signed-in org's session (access and refresh token, instance URL, identity), under its
    /// org key `<org id>/<user id>`. Session storage: a token must not outlive the tab or be
    /// visible to other tabs, and unlike a cookie it is never sent with any request.
    Session(&'a str),
    /// Which orgs this tab is signed in to, in order, and the one the screens work on (keys only,
    /// no tokens).
    Orgs,
    /// A devorg URL given with `?devorg=` on this tab, kept so it survives the OAuth round trip.
    DevorgUrl,
    /// One entry of the client crate's key-value store: pending logins, each under its `state`,
    /// holding the PKCE verifier. Session storage, so only the tab that started a login can
    /// finish it.
    Client(&'a str),
    /// Why the last session ended, shown once on the sign-in screen (e.g. "You signed out.").
    SignedOutReason,
    /// What the person typed into one form, under `<org id>/<user id>/<form>` (see `drafts.rs`).
    /// Session storage: it may be account data, and it only has to outlive an ended session, a
    /// sign-in round trip and a reload of this tab.
    Draft(&'a str),
    /// The user's org choices and consumer keys per org (not secrets).
    Prefs,
    /// Each org's label and colour, by org id (see `org_look.rs`; not secrets).
    OrgLooks,
    /// The columns chosen for the accounts list of one org, by org id (field paths; not secrets).
    AccountColumns(&'a str),
    /// A copy between two orgs, by `<source org id>><target org id>`: the key, the field mapping
    /// and the last sync's watermark (field names and a date; no account data, no secrets).
    SyncPair(&'a str),
    /// A person's column choices for an import file, by `<org id>.<headers key>` (field names;
    /// no account data, no secrets).
    ImportColumns(&'a str),
}

impl Key<'_> {
    /// The storage area this key belongs to.
    pub fn area(&self) -> Area {
        match self {
            Key::Prefs
            | Key::AccountColumns(_)
            | Key::OrgLooks
            | Key::SyncPair(_)
            | Key::ImportColumns(_) => Area::Local,
            Key::Session(_)
            | Key::Orgs
            | Key::DevorgUrl
            | Key::Client(_)
            | Key::SignedOutReason
            | Key::Draft(_) => Area::Session,
        }
    }

    /// The full stored name, prefix included.
    pub fn name(&self) -> String {
        match self {
            Key::Session(key) => format!("{PREFIX}session.{key}"),
            Key::Orgs => format!("{PREFIX}orgs"),
            Key::OrgLooks => format!("{PREFIX}org_looks"),
            Key::DevorgUrl => format!("{PREFIX}devorg_url"),
            Key::Client(key) => format!("{PREFIX}{CLIENT}{key}"),
            Key::SignedOutReason => format!("{PREFIX}signed_out_reason"),
            Key::Draft(key) => format!("{PREFIX}{DRAFT}{key}"),
            Key::Prefs => format!("{PREFIX}prefs"),
            Key::AccountColumns(org) => format!("{PREFIX}account_columns.{org}"),
            Key::SyncPair(pair) => format!("{PREFIX}sync_pair.{pair}"),
            Key::ImportColumns(key) => format!("{PREFIX}import_columns.{key}"),
        }
    }
}

/// Name fragment under which the client crate's entries are stored.
const CLIENT: &str = "client.";
/// Name fragment under which drafts are stored.
const DRAFT: &str = "draft.";

thread_local! {
    // Used only when the browser refuses an area (see the module docs).
    static FALLBACK: RefCell<BTreeMap<String, String>> = const { RefCell::new(BTreeMap::new()) };
}

fn area_storage(area: Area) -> Option<web_sys::Storage> {
    let window = web_sys::window()?;
    let storage = match area {
        Area::Session => window.session_storage(),
        Area::Local => window.local_storage(),
    };
    storage.ok().flatten()
}

fn fallback_name(area: Area, name: &str) -> String {
    format!("{area:?}:{name}")
}

/// Reads a key's text value.
pub fn get(key: Key<'_>) -> Option<String> {
    let (area, name) = (key.area(), key.name());
    match area_storage(area) {
        Some(s) => s.get_item(&name).ok().flatten(),
        None => FALLBACK.with(|m| m.borrow().get(&fallback_name(area, &name)).cloned()),
    }
}

/// Writes a key's text value. A full or refusing store degrades to memory rather than failing the
/// user's action.
pub fn set(key: Key<'_>, value: &str) {
    let (area, name) = (key.area(), key.name());
    let stored = area_storage(area).is_some_and(|s| s.set_item(&name, value).is_ok());
    if !stored {
        FALLBACK.with(|m| {
            m.borrow_mut()
                .insert(fallback_name(area, &name), value.to_owned())
        });
    }
}

/// Removes a key.
pub fn remove(key: Key<'_>) {
    let (area, name) = (key.area(), key.name());
    if let Some(s) = area_storage(area) {
        let _ = s.remove_item(&name);
    }
    FALLBACK.with(|m| m.borrow_mut().remove(&fallback_name(area, &name)));
}

/// Reads a JSON value; a value that no longer parses (an older app version) counts as absent.
pub fn get_json<T: DeserializeOwned>(key: Key<'_>) -> Option<T> {
    get(key).and_then(|text| serde_json::from_str(&text).ok())
}

/// Writes a JSON value.
pub fn set_json<T: Serialize>(key: Key<'_>, value: &T) {
    if let Ok(text) = serde_json::to_string(value) {
        set(key, &text);
    }
}

/// The keys of every entry of the client crate's store in this tab.
pub fn client_keys() -> Vec<String> {
    session_keys(CLIENT)
}

/// The keys of every draft in this tab.
pub fn draft_keys() -> Vec<String> {
    session_keys(DRAFT)
}

/// The keys (after `PREFIX` + `fragment`) of this tab's session-storage entries under `fragment`.
fn session_keys(fragment: &str) -> Vec<String> {
    let prefix = format!("{PREFIX}{fragment}");
    let mut names = Vec::new();
    match area_storage(Area::Session) {
        Some(s) => {
            let len = s.length().unwrap_or(0);
            for i in 0..len {
                if let Ok(Some(name)) = s.key(i) {
                    names.push(name);
                }
            }
        }
        None => FALLBACK.with(|m| {
            let area = fallback_name(Area::Session, "");
            names.extend(
                m.borrow()
                    .keys()
                    .filter_map(|k| k.strip_prefix(&area).map(str::to_owned)),
            );
        }),
    }
    names
        .into_iter()
        .filter_map(|n| n.strip_prefix(&prefix).map(str::to_owned))
        .collect()
}

/// Removes every key of the app from both areas (and only the app's keys).
pub fn clear_all() {
    for area in [Area::Session, Area::Local] {
        if let Some(s) = area_storage(area) {
            let len = s.length().unwrap_or(0);
            let ours: Vec<String> = (0..len)
                .filter_map(|i| s.key(i).ok().flatten())
                .filter(|n| n.starts_with(PREFIX))
                .collect();
            for name in ours {
                let _ = s.remove_item(&name);
            }
        }
    }
    FALLBACK.with(|m| m.borrow_mut().clear());
}

/// The client crate's key-value store (pending logins), kept in this tab's sessionStorage under
/// `orgbridge.client.<key>` (see [`Key::Client`] for why session storage).
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientStorage;

impl salesforce::storage::KeyValueStore for ClientStorage {
    fn get(&self, key: &str) -> Option<String> {
        get(Key::Client(key))
    }
    fn set(&self, key: &str, value: &str) {
        set(Key::Client(key), value)
    }
    fn remove(&self, key: &str) {
        remove(Key::Client(key))
    }
    fn keys(&self) -> Vec<String> {
        client_keys()
    }
}
