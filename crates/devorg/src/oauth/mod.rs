//! OAuth 2.0 endpoints as Salesforce serves them (web server flow with PKCE, refresh token and
//! client credentials): `/services/oauth2/{authorize,token,revoke,userinfo}`, the identity URL
//! `/id/{org}/{user}` and `/.well-known/openid-configuration`.
//! Doc: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_endpoints.htm

pub mod apps;
pub mod authorize;
pub mod discovery;
pub mod identity;
mod pages;
pub mod revoke;
pub mod token;

use std::collections::HashMap;

use axum::http::{header, HeaderMap};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use parking_lot::Mutex;
use rand::distributions::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::AppState;

pub use authorize::PendingLogin;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/services/oauth2/authorize",
            get(authorize::oauth_authorize),
        )
        .route(
            "/services/oauth2/authorize/login",
            post(authorize::oauth_authorize_login),
        )
        .route(
            "/services/oauth2/authorize/approve",
            post(authorize::oauth_authorize_approve),
        )
        .route("/services/oauth2/token", post(token::oauth_token))
        .route(
            "/services/oauth2/revoke",
            post(revoke::oauth_revoke_post).get(revoke::oauth_revoke_get),
        )
        .route(
            "/services/oauth2/userinfo",
            get(identity::oauth_userinfo).post(identity::oauth_userinfo),
        )
        .route("/id/{org_id}/{user_id}", get(identity::identity_url))
        .route(
            "/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
}

/// OAuth state of one org beyond its grants (which live in `tokens.rs`).
pub struct OAuthState {
    /// Authorize requests between the login form and the approval, keyed by a random id carried
    /// in a hidden form field (no cookie, so nothing depends on the browser's cookie policy).
    pub pending: Mutex<HashMap<String, PendingLogin>>,
    /// Key for the token response `signature` of apps without a secret (the public PKCE app).
    signing_key: [u8; 32],
}

impl Default for OAuthState {
    fn default() -> Self {
        OAuthState {
            pending: Mutex::new(HashMap::new()),
            signing_key: rand::thread_rng().gen(),
        }
    }
}

impl std::fmt::Debug for OAuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The signing key stays out of logs.
        f.debug_struct("OAuthState")
            .field("pending", &self.pending.lock().len())
            .finish_non_exhaustive()
    }
}

impl OAuthState {
    pub fn signing_key(&self) -> &[u8] {
        &self.signing_key
    }
}

/// A random URL-safe identifier.
pub(crate) fn random_id(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Compares secrets without leaking where they differ through timing.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// HMAC-SHA256 (RFC 2104), for the token response `signature`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let inner_pad: Vec<u8> = block_key.iter().map(|b| b ^ 0x36).collect();
    let outer_pad: Vec<u8> = block_key.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&inner_pad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// Salesforce's `signature`: base64 of HMAC-SHA256(`id` + `issued_at`).
pub fn token_signature(key: &[u8], id: &str, issued_at: &str) -> String {
    STANDARD.encode(hmac_sha256(key, format!("{id}{issued_at}").as_bytes()))
}

/// The S256 PKCE challenge of a verifier: base64url (no padding) of its SHA-256 (RFC 7636 §4.2).
pub fn pkce_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Parses an `application/x-www-form-urlencoded` body or query; the first value of a key wins.
pub(crate) fn parse_form(bytes: &[u8]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(bytes) {
        map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    map
}

/// The token in `Authorization: Bearer <token>` (Salesforce also accepts the older `OAuth <token>`).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then_some(token)
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_rfc7636_appendix_b_vector() {
        // RFC 7636 Appendix B.
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn hmac_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn bearer_parsing() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), None);
        headers.insert(header::AUTHORIZATION, "Bearer abc!def".parse().unwrap());
        assert_eq!(bearer_token(&headers), Some("abc!def"));
        headers.insert(header::AUTHORIZATION, "OAuth xyz".parse().unwrap());
        assert_eq!(bearer_token(&headers), Some("xyz"));
        headers.insert(header::AUTHORIZATION, "Basic xyz".parse().unwrap());
        assert_eq!(bearer_token(&headers), None);
    }
}
