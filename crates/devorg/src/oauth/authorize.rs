//! `GET /services/oauth2/authorize`: the start of the web server flow. Validates the app and its
//! callback URL (errors there show a page and never redirect), shows the login form, then the
//! approval page, then redirects to the callback with `code` + `state` or `error=access_denied`.
//! Doc: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_web_server_flow.htm

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::apps::{self, ConnectedApp};
use super::{pages, parse_form, random_id};
use crate::tokens::AuthCode;
use crate::AppState;

/// How long a login page stays usable (the same as an authorization code).
pub const PENDING_LIFETIME: Duration = crate::tokens::CODE_LIFETIME;

/// At most this many login pages wait at once; past it the oldest is forgotten, so a flood of
/// authorize requests cannot grow memory without bound.
pub const MAX_PENDING: usize = 10_000;

/// The validated parameters of one authorize request.
#[derive(Debug, Clone)]
pub struct AuthorizeParams {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
}

/// An authorize request waiting for the user to log in and approve.
#[derive(Debug, Clone)]
pub struct PendingLogin {
    pub params: AuthorizeParams,
    pub app_label: &'static str,
    pub created: Instant,
    /// Set once the user has logged in; only then can the request be approved.
    pub user_id: Option<String>,
}

/// A 302 to the app's callback URL with extra query parameters.
fn redirect_to_callback(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(url) => url,
        Err(_) => {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "redirect_uri_mismatch",
                "redirect_uri must match configuration",
            )
        }
    };
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in params {
            query.append_pair(k, v);
        }
    }
    let mut resp = StatusCode::FOUND.into_response();
    let headers = resp.headers_mut();
    if let Ok(location) = HeaderValue::from_str(url.as_str()) {
        headers.insert(header::LOCATION, location);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Redirects with `error`, `error_description` and the request's `state`.
fn redirect_error(
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> Response {
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        params.push(("state", state));
    }
    redirect_to_callback(redirect_uri, &params)
}

/// True for a well-formed S256 challenge: 43 base64url characters (RFC 7636 §4.2).
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn page_error(error: &str, description: &str) -> Box<Response> {
    Box::new(pages::error(StatusCode::BAD_REQUEST, error, description))
}

/// Checks an authorize request; `Err` is the page or redirect to answer with (boxed: it is large).
fn validate(
    state: &AppState,
    query: &str,
) -> Result<(ConnectedApp, AuthorizeParams, Option<String>), Box<Response>> {
    let q = parse_form(query.as_bytes());
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());

    // Until the client and callback are known good, never redirect: the target could be an attacker's.
    let app = get("client_id")
        .and_then(|id| apps::find(&state.config, id))
        .ok_or_else(|| page_error("invalid_client_id", "client identifier invalid"))?;
    let redirect_uri = get("redirect_uri")
        .ok_or_else(|| page_error("redirect_uri_missing", "redirect_uri must be provided"))?;
    if !app.allows_redirect(redirect_uri) {
        return Err(page_error(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ));
    }

    let client_state = get("state");
    let fail = |error: &str, description: &str| {
        Box::new(redirect_error(
            redirect_uri,
            client_state,
            error,
            description,
        ))
    };
    if get("response_type") != Some("code") {
        return Err(fail(
            "unsupported_response_type",
            "response type not supported",
        ));
    }
    match get("code_challenge_method") {
        None | Some("S256") => {}
        Some(_) => {
            return Err(fail(
                "invalid_request",
                "code_challenge_method must be S256 (plain is not supported)",
            ))
        }
    }
    let code_challenge = get("code_challenge");
    match code_challenge {
        Some(c) if !is_s256_challenge(c) => {
            return Err(fail(
                "invalid_request",
                "invalid code_challenge: expected base64url(SHA-256(code_verifier)), 43 characters",
            ))
        }
        None if app.require_pkce => {
            return Err(fail("invalid_request", "missing required code challenge"))
        }
        _ => {}
    }
    let scopes = apps::parse_scopes(get("scope")).map_err(|unknown| {
        fail(
            "invalid_scope",
            &format!("the requested scope is not allowed: {unknown}"),
        )
    })?;
    if get("immediate") == Some("true") {
        // devorg keeps no browser session, so an immediate (no UI) request can never succeed.
        return Err(fail("immediate_unsuccessful", "user is not logged in"));
    }
    let params = AuthorizeParams {
        client_id: app.client_id.to_string(),
        redirect_uri: redirect_uri.to_string(),
        state: client_state.map(str::to_string),
        scopes,
        code_challenge: code_challenge.map(str::to_string),
    };
    Ok((app, params, get("login_hint").map(str::to_string)))
}

/// `GET /services/oauth2/authorize`: validates the request and shows the login form.
pub async fn oauth_authorize(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let (app, params, login_hint) = match validate(&state, query.as_deref().unwrap_or("")) {
        Ok(ok) => ok,
        Err(resp) => return *resp,
    };
    let id = random_id(40);
    let now = Instant::now();
    {
        let mut pending = state.oauth.pending.lock();
        pending.retain(|_, p| now.duration_since(p.created) < PENDING_LIFETIME);
        if pending.len() >= MAX_PENDING {
            let oldest = pending
                .iter()
                .min_by_key(|(_, p)| p.created)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                pending.remove(&oldest);
            }
        }
        pending.insert(
            id.clone(),
            PendingLogin {
                params,
                app_label: app.label,
                created: now,
                user_id: None,
            },
        );
    }
    pages::login(&id, login_hint.as_deref().unwrap_or(""), app.label, None)
}

fn expired_page() -> Response {
    pages::error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "this login page has expired or was already used",
    )
}

/// The still-valid pending request named by the form's hidden `pending` field.
fn find_pending(state: &AppState, id: &str) -> Option<PendingLogin> {
    let pending = state.oauth.pending.lock();
    pending
        .get(id)
        .filter(|p| p.created.elapsed() < PENDING_LIFETIME)
        .cloned()
}

/// `POST /services/oauth2/authorize/login` (devorg's own path): checks the username and password
/// of any of the org's users, then shows the approval page; a wrong password, or a deactivated
/// user, shows the form again with Salesforce's error.
pub async fn oauth_authorize_login(State(state): State<AppState>, body: Bytes) -> Response {
    let form = parse_form(&body);
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let id = field("pending");
    let Some(pending) = find_pending(&state, id) else {
        return expired_page();
    };
    let user = state.org.user_named(field("username").trim());
    let Some(user) = user.filter(|u| u.password_matches(field("pw"))) else {
        return pages::login(
            id,
            field("username"),
            pending.app_label,
            Some("Please check your username and password. If you still can't log in, contact your Salesforce administrator."),
        );
    };
    if !user.active {
        // A deactivated user with the right password: Salesforce's text for it (help 000390434).
        return pages::login(
            id,
            field("username"),
            pending.app_label,
            Some("Your access to salesforce.com has been disabled by your system administrator. Please contact your Administrator for more information."),
        );
    }
    if let Some(p) = state.oauth.pending.lock().get_mut(id) {
        p.user_id = Some(user.id.clone());
    }
    pages::approve(
        id,
        pending.app_label,
        &user.username,
        &pending.params.scopes,
    )
}

/// `POST /services/oauth2/authorize/approve` (devorg's own path): Allow issues a code and redirects
/// with it; Deny redirects with `error=access_denied`.
pub async fn oauth_authorize_approve(State(state): State<AppState>, body: Bytes) -> Response {
    let form = parse_form(&body);
    let id = form.get("pending").map(String::as_str).unwrap_or("");
    // Removed now: one approval per login page, so a replayed form cannot mint a second code.
    let pending = state.oauth.pending.lock().remove(id);
    let Some(pending) = pending.filter(|p| p.created.elapsed() < PENDING_LIFETIME) else {
        return expired_page();
    };
    let Some(user_id) = pending.user_id else {
        return pages::error(
            StatusCode::FORBIDDEN,
            "invalid_request",
            "log in before approving access",
        );
    };
    let params = pending.params;
    if form.get("decision").map(String::as_str) != Some("allow") {
        return redirect_error(
            &params.redirect_uri,
            params.state.as_deref(),
            "access_denied",
            "end-user denied authorization",
        );
    }
    let code = state.tokens.lock().issue_code(
        &state.org.org_id,
        AuthCode {
            client_id: params.client_id,
            redirect_uri: params.redirect_uri.clone(),
            code_challenge: params.code_challenge,
            scopes: params.scopes,
            user_id,
            issued: Instant::now(),
        },
    );
    let mut query = vec![("code", code.as_str())];
    if let Some(s) = params.state.as_deref() {
        query.push(("state", s));
    }
    redirect_to_callback(&params.redirect_uri, &query)
}
