//! The two apps registered in the org (Salesforce "connected apps" / External Client Apps): the
//! public PKCE app the OrgBridge web app signs in with, and the integration app for the
//! client-credentials flow.

use crate::config::{Config, INTEGRATION_CLIENT_ID, INTEGRATION_CLIENT_SECRET, PKCE_CLIENT_ID};

/// Scopes selected on both apps; a request for anything else is `invalid_scope`.
pub const APP_SCOPES: &[&str] = &[
    "api",
    "refresh_token",
    "offline_access",
    "id",
    "profile",
    "email",
    "address",
    "phone",
    "openid",
    "web",
    "full",
];

/// Granted when an authorize request names no scope (Salesforce grants the app's selected scopes).
pub const DEFAULT_SCOPES: &[&str] = &["api", "refresh_token", "id", "web"];

/// One registered app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedApp {
    pub client_id: &'static str,
    /// Shown on the approval page.
    pub label: &'static str,
    /// `None` for the public app: it cannot keep a secret, so PKCE protects its codes instead.
    pub client_secret: Option<&'static str>,
    pub callback_urls: Vec<String>,
    /// "Require Proof Key for Code Exchange (PKCE)" on the app.
    pub require_pkce: bool,
    /// "Enable Client Credentials Flow", running as the org's user.
    pub client_credentials: bool,
}

/// The app registered under `client_id`, if any.
pub fn find(config: &Config, client_id: &str) -> Option<ConnectedApp> {
    match client_id {
        PKCE_CLIENT_ID => Some(ConnectedApp {
            client_id: PKCE_CLIENT_ID,
            label: "OrgBridge (local)",
            client_secret: None,
            callback_urls: config.redirect_uris.clone(),
            require_pkce: true,
            client_credentials: false,
        }),
        INTEGRATION_CLIENT_ID => Some(ConnectedApp {
            client_id: INTEGRATION_CLIENT_ID,
            label: "devorg integration",
            client_secret: Some(INTEGRATION_CLIENT_SECRET),
            callback_urls: Vec::new(),
            require_pkce: false,
            client_credentials: true,
        }),
        _ => None,
    }
}

impl ConnectedApp {
    /// Whether a secret sent by the client is right. Salesforce validates a secret whenever one is
    /// sent, so a public app given any secret fails.
    pub fn secret_matches(&self, sent: &str) -> bool {
        self.client_secret.is_some_and(|secret| {
            crate::oauth::constant_time_eq(secret.as_bytes(), sent.as_bytes())
        })
    }

    /// Callback URLs match exactly, as Salesforce compares them.
    pub fn allows_redirect(&self, redirect_uri: &str) -> bool {
        self.callback_urls.iter().any(|url| url == redirect_uri)
    }
}

/// Parses a space-separated `scope` into the granted list, or names the first unknown scope.
pub fn parse_scopes(scope: Option<&str>) -> Result<Vec<String>, String> {
    let requested: Vec<&str> = match scope.map(str::trim) {
        None | Some("") => DEFAULT_SCOPES.to_vec(),
        Some(s) => s.split_whitespace().collect(),
    };
    let mut granted: Vec<String> = Vec::new();
    for scope in requested {
        if !APP_SCOPES.contains(&scope) {
            return Err(scope.to_string());
        }
        if !granted.iter().any(|g| g == scope) {
            granted.push(scope.to_string());
        }
    }
    Ok(granted)
}

/// True when the scopes include a refresh token (`refresh_token` and `offline_access` are synonyms).
pub fn wants_refresh_token(scopes: &[String]) -> bool {
    scopes
        .iter()
        .any(|s| s == "refresh_token" || s == "offline_access")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_default_dedupe_and_reject_unknown() {
        assert_eq!(parse_scopes(None).unwrap(), DEFAULT_SCOPES);
        assert_eq!(parse_scopes(Some("api api  id")).unwrap(), ["api", "id"]);
        assert_eq!(
            parse_scopes(Some("api chatter_api")),
            Err("chatter_api".into())
        );
    }

    #[test]
    fn public_app_rejects_any_secret() {
        let config = Config::default();
        let public = find(&config, PKCE_CLIENT_ID).unwrap();
        assert!(!public.secret_matches(""));
        let integration = find(&config, INTEGRATION_CLIENT_ID).unwrap();
        assert!(integration.secret_matches(INTEGRATION_CLIENT_SECRET));
        assert!(!integration.secret_matches("nope"));
        assert!(public.allows_redirect("http://127.0.0.1:8080/"));
        assert!(!public.allows_redirect("http://127.0.0.1:8080"));
    }
}
