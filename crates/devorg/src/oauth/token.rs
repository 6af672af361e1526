//! `POST /services/oauth2/token`: the authorization_code (with PKCE), refresh_token and
//! client_credentials grants, with Salesforce's response fields and `{error, error_description}`
//! bodies (HTTP 400).
//! Doc: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_web_server_flow.htm
//! and https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_refresh_token_flow.htm

use std::collections::HashMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;

use super::apps::{self, ConnectedApp};
use super::{constant_time_eq, parse_form, pkce_s256, token_signature};
use crate::error::{json_response, OAuthError};
use crate::tokens::Session;
use crate::AppState;

/// The token response, fields in Salesforce's order.
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub signature: String,
    pub scope: String,
    pub instance_url: String,
    pub id: String,
    pub token_type: &'static str,
    pub issued_at: String,
}

fn invalid_client_id() -> OAuthError {
    OAuthError::new("invalid_client_id", "client identifier invalid")
}

fn invalid_client() -> OAuthError {
    OAuthError::new("invalid_client", "invalid client credentials")
}

fn expired_code() -> OAuthError {
    OAuthError::new("invalid_grant", "expired authorization code")
}

/// `client_id` / `client_secret` from the form, or from HTTP Basic auth (RFC 6749 §2.3.1).
fn client_credentials(
    form: &HashMap<String, String>,
    headers: &HeaderMap,
) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| STANDARD.decode(b64.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(id, secret)| (id.to_string(), secret.to_string()))
        });
    let field = |k: &str| form.get(k).filter(|v| !v.is_empty()).cloned();
    match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (field("client_id"), field("client_secret")),
    }
}

/// The app named by the request, with any secret it sent checked.
fn authenticate_client(
    state: &AppState,
    form: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<ConnectedApp, OAuthError> {
    let (client_id, secret) = client_credentials(form, headers);
    let app = client_id
        .and_then(|id| apps::find(&state.config, &id))
        .ok_or_else(invalid_client_id)?;
    // Salesforce validates a secret whenever one is sent, even when the app does not require it.
    if let Some(secret) = secret {
        if !app.secret_matches(&secret) {
            return Err(invalid_client());
        }
    }
    Ok(app)
}

/// Issues an access token (and a refresh token when asked) and builds the response.
fn issue(
    state: &AppState,
    app: &ConnectedApp,
    session: Session,
    existing_refresh: Option<&str>,
    new_refresh: bool,
) -> TokenResponse {
    let org_id = &state.org.org_id;
    let lifetime = state.faults.token_lifetime();
    let scope = session.scopes.join(" ");
    let user_id = session.user_id.clone();
    let (access_token, refresh_token) = {
        let mut tokens = state.tokens.lock();
        let refresh = new_refresh.then(|| tokens.issue_refresh(session.clone()));
        let parent = refresh.as_deref().or(existing_refresh);
        let access = tokens.issue_access(org_id, session, lifetime, parent, Instant::now());
        (access, refresh)
    };
    let base = state.base_url();
    let id = format!("{base}/id/{org_id}/{user_id}");
    let issued_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
        .to_string();
    let key = app
        .client_secret
        .map(str::as_bytes)
        .unwrap_or_else(|| state.oauth.signing_key());
    TokenResponse {
        signature: token_signature(key, &id, &issued_at),
        access_token,
        refresh_token,
        scope,
        instance_url: base,
        id,
        token_type: "Bearer",
        issued_at,
    }
}

fn authorization_code(
    state: &AppState,
    form: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<TokenResponse, OAuthError> {
    let app = authenticate_client(state, form, headers)?;
    let code = form.get("code").map(String::as_str).unwrap_or("");
    // The code is consumed by any attempt, failed or not: a leaked code is worth one try.
    let grant = state
        .tokens
        .lock()
        .redeem_code(code, Instant::now())
        .ok_or_else(expired_code)?;
    if grant.client_id != app.client_id {
        return Err(expired_code());
    }
    if form.get("redirect_uri").map(String::as_str) != Some(grant.redirect_uri.as_str()) {
        return Err(OAuthError::new(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ));
    }
    let verifier = form.get("code_verifier").filter(|v| !v.is_empty());
    let pkce_ok = match (&grant.code_challenge, verifier) {
        (Some(challenge), Some(verifier)) => {
            constant_time_eq(pkce_s256(verifier).as_bytes(), challenge.as_bytes())
        }
        (None, None) => true,
        // A challenge without a verifier, or a verifier for a code issued without a challenge.
        _ => false,
    };
    if !pkce_ok {
        return Err(OAuthError::new("invalid_grant", "invalid code verifier"));
    }
    let refresh = apps::wants_refresh_token(&grant.scopes);
    let session = Session {
        user_id: grant.user_id,
        client_id: grant.client_id,
        scopes: grant.scopes,
    };
    Ok(issue(state, &app, session, None, refresh))
}

fn refresh_token(
    state: &AppState,
    form: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<TokenResponse, OAuthError> {
    let app = authenticate_client(state, form, headers)?;
    let token = form.get("refresh_token").map(String::as_str).unwrap_or("");
    let expired = || OAuthError::new("invalid_grant", "expired access/refresh token");
    let session = state
        .tokens
        .lock()
        .refresh_session(token)
        .ok_or_else(expired)?;
    if session.client_id != app.client_id {
        return Err(expired());
    }
    // No rotation: the response carries no refresh_token and the old one keeps working.
    Ok(issue(state, &app, session, Some(token), false))
}

fn client_credentials_grant(
    state: &AppState,
    form: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<TokenResponse, OAuthError> {
    let (client_id, secret) = client_credentials(form, headers);
    let app = client_id
        .and_then(|id| apps::find(&state.config, &id))
        .ok_or_else(invalid_client_id)?;
    if !app.secret_matches(secret.as_deref().unwrap_or("")) {
        return Err(invalid_client());
    }
    if !app.client_credentials {
        return Err(OAuthError::new(
            "invalid_grant",
            "no client credentials user enabled",
        ));
    }
    let session = Session {
        // The app's "Run As" user: the admin.
        user_id: state.org.admin().id.clone(),
        client_id: app.client_id.to_string(),
        // The flow never issues a refresh token, so it is not among the granted scopes.
        scopes: vec!["api".into(), "id".into(), "web".into()],
    };
    Ok(issue(state, &app, session, None, false))
}

/// `POST /services/oauth2/token`.
pub async fn oauth_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let result = match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => authorization_code(&state, &form, &headers),
        Some("refresh_token") => refresh_token(&state, &form, &headers),
        Some("client_credentials") => client_credentials_grant(&state, &form, &headers),
        _ => Err(OAuthError::new(
            "unsupported_grant_type",
            "grant type not supported",
        )),
    };
    let mut resp = match result {
        Ok(token) => json_response(StatusCode::OK, &token),
        Err(err) => err.into_response(),
    };
    // Tokens must not be cached anywhere (RFC 6749 §5.1).
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache,must-revalidate,max-age=0,no-store,private"),
    );
    resp
}
