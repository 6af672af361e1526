//! CORS as Salesforce does it (Setup → CORS). REST and Apex REST: an allowlisted origin gets
//! `Access-Control-Allow-Origin` and a working preflight; any other origin gets 403. OAuth endpoints
//! follow Salesforce's own table: discovery for any origin, userinfo for allowlisted origins, token
//! and revoke only while "Enable CORS for OAuth endpoints" is on (`--no-oauth-cors` turns it off).
//! Requests without `Origin` (native clients) pass untouched.
//! Docs: https://help.salesforce.com/s/articleView?id=xcloud.extend_code_cors.htm and
//! https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_endpoints_cors.htm

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::AppState;

/// Methods a REST preflight allows (as observed on Salesforce).
pub const ALLOW_METHODS: &str = "HEAD, GET, POST, PUT, PATCH, DELETE";
/// How long a browser may cache a preflight (UNCONFIRMED for Salesforce).
pub const MAX_AGE_SECS: &str = "86400";
/// Response headers scripts may read (UNCONFIRMED for Salesforce; needed to read API usage).
pub const EXPOSE_HEADERS: &str = "Sforce-Limit-Info";

/// How a path is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    /// REST and Apex REST: allowlist, others 403.
    Api,
    /// Discovery: any origin.
    Open,
    /// userinfo: allowlisted origins get headers, others none.
    Allowlisted,
    /// token, revoke: like `Allowlisted`, but only with CORS for OAuth endpoints on.
    OAuthSwitch,
    /// Navigations, the identity URL, the admin API, unknown paths: never CORS.
    None,
}

fn policy(path: &str) -> Policy {
    if path.starts_with("/services/data") || path.starts_with("/services/apexrest") {
        Policy::Api
    } else if path.starts_with("/.well-known/") {
        Policy::Open
    } else if path == "/services/oauth2/userinfo" {
        Policy::Allowlisted
    } else if matches!(path, "/services/oauth2/token" | "/services/oauth2/revoke") {
        Policy::OAuthSwitch
    } else {
        Policy::None
    }
}

/// Splits an origin or pattern into (scheme, host, port-with-colon), lower-cased.
fn split_origin(origin: &str) -> Option<(String, String, String)> {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = origin.split_once("://")?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            (h, format!(":{p}"))
        }
        _ => (rest, String::new()),
    };
    Some((scheme.to_string(), host.to_string(), port))
}

/// Salesforce's "Origin URL Pattern" match: exact, or `scheme://*.domain[:port]` for subdomains.
pub fn origin_matches(pattern: &str, origin: &str) -> bool {
    let (Some((ps, ph, pp)), Some((os, oh, op))) = (split_origin(pattern), split_origin(origin))
    else {
        return false;
    };
    if ps != os || pp != op {
        return false;
    }
    match ph.strip_prefix("*.") {
        Some(domain) => oh.ends_with(&format!(".{domain}")),
        None => ph == oh,
    }
}

fn is_allowlisted(state: &AppState, origin: &str) -> bool {
    state
        .config
        .allowed_origins
        .iter()
        .any(|pattern| origin_matches(pattern, origin))
}

/// True for a request from the org's own pages (same origin): not cross-origin at all.
fn is_same_origin(state: &AppState, origin: &str) -> bool {
    origin_matches(&state.base_url(), origin)
}

fn add_allow_origin(headers: &mut HeaderMap, origin: &HeaderValue, expose: bool) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if expose {
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
}

fn preflight_ok(origin: &HeaderValue, request_headers: Option<&HeaderValue>) -> Response {
    let mut resp = StatusCode::OK.into_response();
    let headers = resp.headers_mut();
    add_allow_origin(headers, origin, false);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    if let Some(requested) = request_headers {
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
    }
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static(MAX_AGE_SECS),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("false"),
    );
    resp
}

/// 403 without any CORS header: the browser reports a CORS failure, as with Salesforce.
fn refused() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
        "CORS: this origin is not on the org's allowed origins list",
    )
        .into_response()
}

async fn apply_cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(origin) = req.headers().get(header::ORIGIN).cloned() else {
        return next.run(req).await;
    };
    let path_policy = policy(req.uri().path());
    if path_policy == Policy::None {
        return next.run(req).await;
    }
    let origin_str = origin.to_str().unwrap_or("");
    if is_same_origin(&state, origin_str) {
        return next.run(req).await;
    }
    let allowed = match path_policy {
        Policy::Api | Policy::Allowlisted => is_allowlisted(&state, origin_str),
        Policy::Open => true,
        Policy::OAuthSwitch => !state.config.no_oauth_cors && is_allowlisted(&state, origin_str),
        Policy::None => false,
    };
    let is_preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if is_preflight {
        return if allowed {
            preflight_ok(
                &origin,
                req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS),
            )
        } else {
            refused()
        };
    }
    if !allowed {
        // Salesforce refuses API calls from other origins; OAuth endpoints just omit the headers.
        return if path_policy == Policy::Api {
            refused()
        } else {
            next.run(req).await
        };
    }
    let mut resp = next.run(req).await;
    let expose = path_policy == Policy::Api && !state.config.no_expose_limit_info;
    add_allow_origin(resp.headers_mut(), &origin, expose);
    resp
}

/// Wraps the routes with CORS; it runs first, so preflights never reach faults or limits.
pub fn layer(routes: Router<AppState>, state: AppState) -> Router<AppState> {
    routes.layer(middleware::from_fn_with_state(state, apply_cors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_patterns() {
        assert!(origin_matches(
            "http://localhost:8080",
            "http://localhost:8080"
        ));
        assert!(origin_matches(
            "http://localhost:8080/",
            "HTTP://LOCALHOST:8080"
        ));
        assert!(!origin_matches(
            "http://localhost:8080",
            "http://localhost:8081"
        ));
        assert!(!origin_matches(
            "http://localhost:8080",
            "https://localhost:8080"
        ));
        assert!(origin_matches(
            "https://*.example.com",
            "https://app.example.com"
        ));
        assert!(!origin_matches(
            "https://*.example.com",
            "https://example.com"
        ));
        assert!(!origin_matches(
            "https://*.example.com",
            "https://evilexample.com"
        ));
        assert!(!origin_matches("http://localhost:8080", "null"));
    }

    #[test]
    fn policies() {
        assert_eq!(policy("/services/data/v67.0/query"), Policy::Api);
        assert_eq!(policy("/services/apexrest/x"), Policy::Api);
        assert_eq!(policy("/.well-known/openid-configuration"), Policy::Open);
        assert_eq!(policy("/services/oauth2/token"), Policy::OAuthSwitch);
        assert_eq!(policy("/services/oauth2/authorize"), Policy::None);
        assert_eq!(policy("/id/00D/005"), Policy::None);
    }
}
