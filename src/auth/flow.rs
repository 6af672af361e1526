//! The browser steps of the OAuth web-server flow around the client crate's functions: keeping
//! the pending login and the sessions in storage, and the address bar. Failures are `AppError`s.

use salesforce::error::Error;
use salesforce::oauth::{self, Callback, OrgLogin};
use salesforce::session::Session;
use salesforce::transport::Transport;
use salesforce::types::InstanceUrl;

use super::setup::{self, Depth};
use super::SignInRequest;
use crate::error::AppError;
use crate::settings::redirect_uri;
use crate::storage::{self, ClientStorage, Key};

/// Milliseconds since the epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// The page's query string (`?code=…&state=…` on a callback).
pub fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Replaces the address bar's URL with this page's URL minus the query (keeping the route in the
/// fragment), so the one-time code and the state are neither bookmarked, nor kept in history, nor
/// sent as a referrer.
pub fn scrub_address_bar() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let hash = window.location().hash().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{}{hash}", redirect_uri())),
        );
    }
}

/// Drops pending logins older than 15 minutes (abandoned sign-ins leave their verifier behind).
pub fn sweep_stale_logins() {
    oauth::sweep_pending(&ClientStorage, now_ms());
}

/// Which orgs this tab is signed in to (see [`Key::Orgs`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrgList {
    pub keys: Vec<String>,
    pub active: Option<String>,
}

/// This tab's sessions, in the order they were signed in to, and the key of the active one.
pub fn load_sessions() -> (Vec<Session>, Option<String>) {
    let list: OrgList = storage::get_json(Key::Orgs).unwrap_or_default();
    let sessions = list
        .keys
        .iter()
        .filter_map(|key| storage::get_json::<Session>(Key::Session(key)))
        .collect();
    (sessions, list.active)
}

/// Remembers which orgs are signed in, and the active one, for a reload of this tab.
pub fn save_org_list(list: &OrgList) {
    storage::set_json(Key::Orgs, list);
}

/// Keeps an org's session for this tab (see [`Key::Session`] for why sessionStorage).
pub fn save_session(session: &Session) {
    storage::set_json(Key::Session(&session.org_key()), session);
}

/// Forgets one org's session.
pub fn clear_session(key: &str) {
    storage::remove(Key::Session(key));
}

/// Starts a sign-in: checks from this browser that the org answers and allows this page (so a
/// wrong URL or a missing CORS entry is reported here, not after the user typed a password),
/// builds the authorize URL and keeps the pending login (with its PKCE verifier) under its
/// `state` in this tab's storage. Returns the URL to open.
pub async fn begin(
    transport: &impl Transport,
    request: &SignInRequest,
) -> Result<String, AppError> {
    let login_url = InstanceUrl::parse(&request.login_url)?;
    let login = OrgLogin::new(login_url, request.consumer_key.clone(), redirect_uri());
    // login/test.salesforce.com answer no CORS request at all; their sign-in is let through and
    // explained if the exchange fails.
    if !login.login_url.is_generic_login_host() {
        let findings = setup::probe(transport, &login, Depth::Quick).await;
        if let Some(problem) = setup::first_problem(&findings) {
            return Err(AppError::Setup(problem));
        }
    }
    let (url, pending) = oauth::begin_login(&login, now_ms());
    oauth::save_pending(&ClientStorage, &pending);
    Ok(url)
}

/// Sends this tab to `url` (the org's login page).
pub fn navigate(url: &str) -> Result<(), AppError> {
    web_sys::window()
        .ok_or_else(|| {
            AppError::Browser("No browser window to open the org's login page in.".into())
        })?
        .location()
        .assign(url)
        .map_err(|_| {
            AppError::Browser(format!(
                "The browser refused to open the org's login page ({url})."
            ))
        })
}

/// Finishes a callback: checks the org's error, then the state (taking the pending login once),
/// and exchanges the code (the caller keeps the session, `Auth::enter`).
pub async fn complete(
    transport: &impl Transport,
    callback: Callback,
    now_ms: u64,
) -> Result<Session, AppError> {
    let Callback::Code { code, state } = callback else {
        // An error from the org, or no result at all: the crate says which.
        return match oauth::finish_login(transport, &ClientStorage, callback, now_ms).await {
            Ok(_) => Err(AppError::NoSignInResult),
            Err(error) => Err(error.into()),
        };
    };
    let pending = oauth::take_pending(&ClientStorage, &state, now_ms)?;
    let login = OrgLogin::new(
        pending.login_url.clone(),
        pending.consumer_key.clone(),
        pending.redirect_uri.clone(),
    );
    match oauth::complete_login(transport, pending, &code).await {
        Ok(session) => Ok(session),
        Err(error @ Error::Network { .. }) => {
            // No answer from the token endpoint: find out why from here, as the setup guide would.
            let findings = setup::probe(transport, &login, Depth::Full).await;
            Err(setup::first_problem(&findings)
                .map(AppError::Setup)
                .unwrap_or(AppError::Org(error)))
        }
        Err(error) => Err(error.into()),
    }
}
