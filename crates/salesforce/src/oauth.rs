//! OAuth 2.0 web-server flow with PKCE, as Salesforce runs it for a public browser client:
//! the authorize URL, pending logins kept per `state`, callback parsing, and the token, refresh,
//! revoke, userinfo and versions requests as data with their response parsing.
//!
//! Flow: [`begin_login`] → save the [`PendingLogin`] with [`save_pending`] → redirect to the URL →
//! on return [`parse_callback`] → [`finish_login`] (takes the pending login, exchanges the code,
//! reads userinfo and the newest API version) → a [`Session`].

use std::fmt;

use oauth2::{CsrfToken, PkceCodeChallenge, PkceCodeVerifier};
use serde::{Deserialize, Serialize};

use crate::error::{decode_json, map_response, Error};
use crate::session::{Session, UserInfo};
use crate::storage::KeyValueStore;
use crate::transport::{HttpRequest, HttpResponse, Method, Transport};
use crate::types::{AccessToken, ApiVersion, AuthorizationCode, InstanceUrl, RefreshToken};

/// Scopes OrgBridge asks for: REST access and a refresh token.
pub const DEFAULT_SCOPES: &str = "api refresh_token";

/// Pending logins older than this are swept: Salesforce's authorization code lives 15 minutes too.
pub const PENDING_LOGIN_TTL_MS: u64 = 15 * 60 * 1000;

/// Storage key prefix of pending logins; the full key is the prefix followed by the `state`.
pub const PENDING_KEY_PREFIX: &str = "pending_login.";

/// How to sign in to one org: these are not secrets, and the app may remember them per org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgLogin {
    /// Base URL of the login host: a My Domain URL, `https://login.salesforce.com`, or devorg.
    pub login_url: InstanceUrl,
    /// Consumer key of the org's External Client App.
    pub consumer_key: String,
    /// Callback URL registered in the app: OrgBridge's own page URL.
    pub redirect_uri: String,
    /// Space-separated scopes.
    pub scopes: String,
}

impl OrgLogin {
    /// A login with the default scopes (`api refresh_token`).
    pub fn new(
        login_url: InstanceUrl,
        consumer_key: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        OrgLogin {
            login_url,
            consumer_key: consumer_key.into().trim().to_string(),
            redirect_uri: redirect_uri.into(),
            scopes: DEFAULT_SCOPES.to_string(),
        }
    }
}

/// A sign-in in progress, kept (in `sessionStorage`) between the redirect to the org and the
/// callback. Holds the PKCE verifier, so it is deliberately not `Clone` and its `Debug` is redacted.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingLogin {
    /// The random `state` sent to the org; the storage key.
    pub state: String,
    code_verifier: String,
    pub login_url: InstanceUrl,
    pub consumer_key: String,
    pub redirect_uri: String,
    /// When the login began, in milliseconds since the epoch (passed in by the caller).
    pub created_at_ms: u64,
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("state", &self.state)
            .field("code_verifier", &"[redacted]")
            .field("login_url", &self.login_url)
            .field("consumer_key", &self.consumer_key)
            .field("redirect_uri", &self.redirect_uri)
            .field("created_at_ms", &self.created_at_ms)
            .finish()
    }
}

impl PendingLogin {
    /// The storage key this login is kept under.
    pub fn storage_key(&self) -> String {
        format!("{PENDING_KEY_PREFIX}{}", self.state)
    }

    /// The PKCE code verifier (to send in the token exchange, nowhere else).
    pub fn code_verifier(&self) -> &str {
        &self.code_verifier
    }
}

/// Starts a sign-in: a fresh S256 PKCE pair and random `state`, and the authorize URL to send
/// the browser to. Save the returned [`PendingLogin`] with [`save_pending`] before redirecting.
///
/// ```
/// use salesforce::{oauth::{begin_login, OrgLogin}, types::InstanceUrl};
/// let login = OrgLogin::new(InstanceUrl::parse("http://127.0.0.1:8787").unwrap(),
///     "orgbridge-local", "http://127.0.0.1:8080/");
/// let (url, pending) = begin_login(&login, 1_700_000_000_000);
/// assert!(url.starts_with("http://127.0.0.1:8787/services/oauth2/authorize?response_type=code"));
/// assert!(url.contains(&format!("state={}", pending.state)));
/// ```
pub fn begin_login(login: &OrgLogin, now_ms: u64) -> (String, PendingLogin) {
    let (_, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = CsrfToken::new_random().secret().clone();
    begin_login_with(login, verifier, state, now_ms)
}

/// [`begin_login`] with a given verifier and state (deterministic, for tests).
pub fn begin_login_with(
    login: &OrgLogin,
    verifier: PkceCodeVerifier,
    state: String,
    now_ms: u64,
) -> (String, PendingLogin) {
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &login.consumer_key)
        .append_pair("redirect_uri", &login.redirect_uri)
        .append_pair("code_challenge", challenge.as_str())
        .append_pair("code_challenge_method", challenge.method().as_str())
        .append_pair("state", &state)
        .append_pair("scope", &login.scopes)
        .finish();
    let url = format!(
        "{}?{query}",
        login.login_url.join("/services/oauth2/authorize")
    );
    let pending = PendingLogin {
        state,
        code_verifier: verifier.secret().clone(),
        login_url: login.login_url.clone(),
        consumer_key: login.consumer_key.clone(),
        redirect_uri: login.redirect_uri.clone(),
        created_at_ms: now_ms,
    };
    (url, pending)
}

/// Keeps a pending login under its own `state`, so two sign-ins (two tabs, two orgs) never clobber
/// each other.
pub fn save_pending(store: &impl KeyValueStore, pending: &PendingLogin) {
    // Serializing plain strings and numbers cannot fail.
    let json = serde_json::to_string(pending).unwrap_or_default();
    store.set(&pending.storage_key(), &json);
}

/// Removes and returns the pending login for `state`. Fails with [`Error::UnknownLoginState`] when
/// there is none (callback reused, opened in another tab, forged) or it is older than 15 minutes.
pub fn take_pending(
    store: &impl KeyValueStore,
    state: &str,
    now_ms: u64,
) -> Result<PendingLogin, Error> {
    let key = format!("{PENDING_KEY_PREFIX}{state}");
    let raw = store.get(&key).ok_or(Error::UnknownLoginState)?;
    // Single use: removed before anything else can fail, so a callback never works twice.
    store.remove(&key);
    let pending: PendingLogin = serde_json::from_str(&raw).map_err(|_| Error::UnknownLoginState)?;
    if pending.state != state || now_ms.saturating_sub(pending.created_at_ms) > PENDING_LOGIN_TTL_MS
    {
        return Err(Error::UnknownLoginState);
    }
    Ok(pending)
}

/// Removes pending logins older than 15 minutes (and unreadable ones); returns how many.
pub fn sweep_pending(store: &impl KeyValueStore, now_ms: u64) -> usize {
    let mut removed = 0;
    for key in store.keys() {
        if !key.starts_with(PENDING_KEY_PREFIX) {
            continue;
        }
        let stale = match store
            .get(&key)
            .and_then(|raw| serde_json::from_str::<PendingLogin>(&raw).ok())
        {
            Some(p) => now_ms.saturating_sub(p.created_at_ms) > PENDING_LOGIN_TTL_MS,
            None => true,
        };
        if stale {
            store.remove(&key);
            removed += 1;
        }
    }
    removed
}

/// What the page's query string says about a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// The org sent back an authorization code.
    Code {
        code: AuthorizationCode,
        state: String,
    },
    /// The org sent back an error (the user chose Deny, a bad callback URL, …).
    Error {
        error: String,
        description: Option<String>,
        state: Option<String>,
    },
    /// Not a callback: no `code` and no `error`.
    None,
}

/// Reads the callback from a query string (`location.search`, with or without `?`).
/// `error` wins over `code`; a `code` without `state` counts as an error, since it cannot be
/// tied to a pending login.
///
/// ```
/// use salesforce::oauth::{parse_callback, Callback};
/// assert!(matches!(parse_callback("?code=aPrx%3D%3D&state=s1"), Callback::Code { state, .. } if state == "s1"));
/// assert_eq!(parse_callback(""), Callback::None);
/// ```
pub fn parse_callback(query: &str) -> Callback {
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut code = None;
    let mut state = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = Some(v.into_owned()),
            _ => {}
        }
    }
    match (error, code, state) {
        (Some(error), _, state) => Callback::Error {
            error,
            description,
            state,
        },
        (None, Some(code), Some(state)) => Callback::Code {
            code: AuthorizationCode::new(code),
            state,
        },
        (None, Some(_), None) => Callback::Error {
            error: "invalid_request".into(),
            description: Some("the org's answer has no state parameter".into()),
            state: None,
        },
        (None, None, _) => Callback::None,
    }
}

/// The token endpoint's answer (§1.5). `issued_at` is milliseconds as a string.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenResponse {
    pub access_token: AccessToken,
    #[serde(default)]
    pub refresh_token: Option<RefreshToken>,
    pub instance_url: String,
    /// Identity URL `…/id/<orgId>/<userId>`.
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub issued_at: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
}

impl TokenResponse {
    /// `issued_at` as a number, when present and numeric.
    pub fn issued_at_ms(&self) -> Option<u64> {
        self.issued_at.as_deref().and_then(|s| s.parse().ok())
    }
}

fn token_url(login_url: &InstanceUrl) -> String {
    login_url.join("/services/oauth2/token")
}

/// The authorization-code exchange: `grant_type=authorization_code` with the PKCE verifier and no
/// client secret (a browser cannot keep one).
pub fn token_request(pending: &PendingLogin, code: &AuthorizationCode) -> HttpRequest {
    HttpRequest::new(Method::Post, token_url(&pending.login_url))
        .header("Accept", "application/json")
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.secret()),
            ("client_id", &pending.consumer_key),
            ("redirect_uri", &pending.redirect_uri),
            ("code_verifier", &pending.code_verifier),
        ])
}

/// The refresh-token grant, sent to the same token endpoint the sign-in used.
pub fn refresh_request(
    login_url: &InstanceUrl,
    consumer_key: &str,
    refresh_token: &RefreshToken,
) -> HttpRequest {
    HttpRequest::new(Method::Post, token_url(login_url))
        .header("Accept", "application/json")
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.secret()),
            ("client_id", consumer_key),
        ])
}

/// Revokes a token (revoking the refresh token also revokes its access tokens).
pub fn revoke_request(login_url: &InstanceUrl, token: &str) -> HttpRequest {
    HttpRequest::new(Method::Post, login_url.join("/services/oauth2/revoke"))
        .form(&[("token", token)])
}

/// Reads a token endpoint answer (exchange or refresh).
pub fn parse_token_response(resp: HttpResponse) -> Result<TokenResponse, Error> {
    let path = "/services/oauth2/token";
    let resp = map_response(path, resp)?;
    decode_json(path, &resp)
}

/// OpenID Connect userinfo of the signed-in user (CORS-enabled when the origin is allowlisted,
/// unlike the identity URL).
pub fn userinfo_request(instance_url: &InstanceUrl, token: &AccessToken) -> HttpRequest {
    HttpRequest::new(Method::Get, instance_url.join("/services/oauth2/userinfo"))
        .header("Authorization", format!("Bearer {}", token.secret()))
        .header("Accept", "application/json")
}

/// Reads a userinfo answer.
pub fn parse_userinfo(resp: HttpResponse) -> Result<UserInfo, Error> {
    let path = "/services/oauth2/userinfo";
    let resp = map_response(path, resp)?;
    decode_json(path, &resp)
}

/// `GET /services/data/`: the org's API versions (no authentication needed).
pub fn versions_request(instance_url: &InstanceUrl) -> HttpRequest {
    HttpRequest::new(Method::Get, instance_url.join("/services/data/"))
        .header("Accept", "application/json")
}

/// One entry of the versions list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub url: String,
    pub version: String,
}

/// The newest version the org offers: never hard-coded, so OrgBridge follows the org's release.
pub fn parse_newest_version(resp: HttpResponse) -> Result<ApiVersion, Error> {
    let path = "/services/data/";
    let resp = map_response(path, resp)?;
    let list: Vec<VersionInfo> = decode_json(path, &resp)?;
    list.iter()
        .filter_map(|v| ApiVersion::parse(&v.version).ok())
        .max()
        .ok_or_else(|| Error::decode(path, &resp, "the org lists no API versions"))
}

async fn send(transport: &impl Transport, req: HttpRequest) -> Result<HttpResponse, Error> {
    transport.send(req).await.map_err(Error::network)
}

/// Exchanges the code of a pending login and builds the [`Session`]: token exchange, userinfo,
/// and the newest API version.
pub async fn complete_login(
    transport: &impl Transport,
    pending: PendingLogin,
    code: &AuthorizationCode,
) -> Result<Session, Error> {
    let tokens = parse_token_response(send(transport, token_request(&pending, code)).await?)?;
    Session::from_tokens(transport, tokens, pending.login_url, pending.consumer_key).await
}

/// Handles a callback end to end: an org error becomes [`Error::AuthorizationDenied`], the
/// pending login is taken (once) by `state`, and the code is exchanged. Remove `code` and `state`
/// from the address bar *before* calling this.
pub async fn finish_login(
    transport: &impl Transport,
    store: &impl KeyValueStore,
    callback: Callback,
    now_ms: u64,
) -> Result<Option<Session>, Error> {
    match callback {
        Callback::None => Ok(None),
        Callback::Error {
            error,
            description,
            state,
        } => {
            // Anyone can link to this page with `?error=…&error_description=Call+IT+at+…`: only an
            // answer to a sign-in this tab started may speak for the org. Taking the pending login
            // also ends that attempt, so its verifier is not left behind.
            match state.map(|state| take_pending(store, &state, now_ms)) {
                Some(Ok(_)) => Err(Error::AuthorizationDenied { error, description }),
                _ => Err(Error::UnrequestedAnswer),
            }
        }
        Callback::Code { code, state } => {
            let pending = take_pending(store, &state, now_ms)?;
            complete_login(transport, pending, &code).await.map(Some)
        }
    }
}

/// Revokes the session's refresh token (or, without one, its access token) at sign-out. A token
/// the org no longer recognises (`invalid_token`, or `unsupported_token_type`, which Salesforce
/// also answers for unknown tokens) counts as success: the goal, a dead token, is reached.
pub async fn revoke(transport: &impl Transport, session: &Session) -> Result<(), Error> {
    let token = session
        .refresh_token
        .as_ref()
        .map(|t| t.secret().to_string())
        .unwrap_or_else(|| session.access_token.secret().to_string());
    let resp = send(transport, revoke_request(&session.login_url, &token)).await?;
    match map_response("/services/oauth2/revoke", resp) {
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.error_code(),
                Some("invalid_token" | "unsupported_token_type")
            ) =>
        {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStore;

    fn login() -> OrgLogin {
        OrgLogin::new(
            InstanceUrl::parse("https://acme.my.salesforce.com").unwrap(),
            "3MVG9key",
            "https://apps.example.com/orgbridge/?x=1",
        )
    }

    #[test]
    fn rfc7636_appendix_b_vector() {
        // RFC 7636 Appendix B: this verifier must give this S256 challenge.
        let verifier = PkceCodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
        assert_eq!(
            challenge.as_str(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let (url, pending) = begin_login_with(&login(), verifier, "st".into(), 0);
        assert!(url.contains(
            "code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
        ));
        assert_eq!(
            pending.code_verifier(),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
    }

    #[test]
    fn authorize_url_has_every_parameter_encoded() {
        let (url, pending) = begin_login(&login(), 5);
        let parsed = url::Url::parse(&url).unwrap();
        assert_eq!(parsed.path(), "/services/oauth2/authorize");
        let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "3MVG9key");
        assert_eq!(q["redirect_uri"], "https://apps.example.com/orgbridge/?x=1");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["scope"], "api refresh_token");
        assert_eq!(q["state"], pending.state);
        assert_eq!(
            q["code_challenge"],
            PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
                pending.code_verifier().into()
            ))
            .as_str()
        );
        // Two logins never share state or verifier.
        let (_, other) = begin_login(&login(), 5);
        assert_ne!(other.state, pending.state);
        assert_ne!(other.code_verifier(), pending.code_verifier());
    }

    #[test]
    fn pending_debug_hides_the_verifier() {
        let (_, pending) = begin_login(&login(), 5);
        assert!(!format!("{pending:?}").contains(pending.code_verifier()));
    }

    #[test]
    fn pending_logins_are_kept_per_state_and_taken_once() {
        let store = MemoryStore::new();
        let (_, a) = begin_login(&login(), 1_000);
        let (_, b) = begin_login(&login(), 2_000);
        save_pending(&store, &a);
        save_pending(&store, &b);
        let got = take_pending(&store, &b.state, 3_000).unwrap();
        assert_eq!(got, b);
        assert_eq!(
            take_pending(&store, &b.state, 3_000),
            Err(Error::UnknownLoginState)
        );
        assert_eq!(take_pending(&store, &a.state, 3_000).unwrap(), a);
        assert_eq!(
            take_pending(&store, "forged", 3_000),
            Err(Error::UnknownLoginState)
        );
    }

    #[test]
    fn stale_pending_logins_expire_and_are_swept() {
        let store = MemoryStore::new();
        let (_, old) = begin_login(&login(), 0);
        let (_, fresh) = begin_login(&login(), PENDING_LOGIN_TTL_MS);
        save_pending(&store, &old);
        save_pending(&store, &fresh);
        store.set("unrelated", "kept");
        store.set(&format!("{PENDING_KEY_PREFIX}garbage"), "{");
        assert_eq!(sweep_pending(&store, PENDING_LOGIN_TTL_MS + 1), 2);
        assert_eq!(store.keys().len(), 2);
        assert!(store.get("unrelated").is_some());
        assert!(take_pending(&store, &fresh.state, PENDING_LOGIN_TTL_MS * 2 + 1).is_err());
    }

    #[test]
    fn callbacks_are_parsed() {
        match parse_callback("?code=aPrxsmIEeqM9PiQroGEWx1UiMQd95_5JUZVEhsOFhS8EVvbfYBBJli2W5fn3zbo.u8&state=abc%20d") {
            Callback::Code { code, state } => {
                assert_eq!(code.secret(), "aPrxsmIEeqM9PiQroGEWx1UiMQd95_5JUZVEhsOFhS8EVvbfYBBJli2W5fn3zbo.u8");
                assert_eq!(state, "abc d");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse_callback(
                "error=access_denied&error_description=end-user+denied+authorization&state=s"
            ),
            Callback::Error {
                error: "access_denied".into(),
                description: Some("end-user denied authorization".into()),
                state: Some("s".into())
            }
        );
        assert!(matches!(
            parse_callback("?code=x"),
            Callback::Error { state: None, .. }
        ));
        assert_eq!(parse_callback("?tab=accounts"), Callback::None);
    }

    /// A transport that must never be used.
    struct NoOrg;

    impl Transport for NoOrg {
        async fn send(
            &self,
            req: HttpRequest,
        ) -> Result<HttpResponse, crate::transport::TransportError> {
            panic!("nothing may be sent: {req:?}")
        }
    }

    #[tokio::test]
    async fn an_error_answer_speaks_for_the_org_only_when_its_state_is_ours() {
        let store = MemoryStore::new();
        let planted =
            "?error=access_denied&error_description=Your+account+is+locked.+Call+IT+at+555-0100";
        for query in [
            format!("{planted}&state=forged"),
            planted.to_string(),
            "?code=c".to_string(),
        ] {
            let err = finish_login(&NoOrg, &store, parse_callback(&query), 0)
                .await
                .unwrap_err();
            assert_eq!(err, Error::UnrequestedAnswer, "{query}");
            let shown = format!("{err} {}", err.user_message());
            assert!(
                !shown.contains("555") && !shown.contains("locked"),
                "{shown}"
            );
        }
        let (_, pending) = begin_login(&login(), 0);
        save_pending(&store, &pending);
        let ours = format!("{planted}&state={}", pending.state);
        let err = finish_login(&NoOrg, &store, parse_callback(&ours), 0)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::AuthorizationDenied { .. }), "{err:?}");
        assert!(store.keys().is_empty(), "the attempt is over");
    }

    #[test]
    fn token_request_sends_verifier_and_no_secret() {
        let (_, pending) = begin_login(&login(), 0);
        let req = token_request(&pending, &AuthorizationCode::new("c o+de"));
        assert_eq!(req.method, Method::Post);
        assert_eq!(
            req.url,
            "https://acme.my.salesforce.com/services/oauth2/token"
        );
        let form: std::collections::HashMap<_, _> =
            url::form_urlencoded::parse(req.body.as_deref().unwrap().as_bytes())
                .into_owned()
                .collect();
        assert_eq!(form["grant_type"], "authorization_code");
        assert_eq!(form["code"], "c o+de");
        assert_eq!(form["code_verifier"], pending.code_verifier());
        assert_eq!(form["redirect_uri"], pending.redirect_uri);
        assert_eq!(form["client_id"], "3MVG9key");
        assert!(!form.contains_key("client_secret"));
        assert!(!format!("{req:?}").contains(pending.code_verifier()));
    }

    #[test]
    fn token_response_fields() {
        let resp = HttpResponse {
            status: 200,
            headers: vec![],
            body: r#"{"access_token":"00Dx!AR8","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00Dx/005x","token_type":"Bearer","issued_at":"1278448832702","signature":"0CmxinZir53Yex7nE0TD+zMpvIWYGb/bdJh6XfOH6EQ=","scope":"api refresh_token","refresh_token":"5Aep8"}"#.into(),
        };
        let t = parse_token_response(resp).unwrap();
        assert_eq!(t.issued_at_ms(), Some(1_278_448_832_702));
        assert_eq!(t.refresh_token.unwrap().secret(), "5Aep8");
        assert_eq!(t.access_token.secret(), "00Dx!AR8");
    }

    #[test]
    fn newest_version_is_picked_numerically() {
        let resp = HttpResponse {
            status: 200,
            headers: vec![],
            body: r#"[{"label":"Winter '26","url":"/services/data/v65.0","version":"65.0"},{"label":"Summer '26","url":"/services/data/v67.0","version":"67.0"},{"label":"Old","url":"/services/data/v9.0","version":"9.0"}]"#.into(),
        };
        assert_eq!(parse_newest_version(resp).unwrap().to_string(), "67.0");
        let empty = HttpResponse {
            status: 200,
            headers: vec![],
            body: "[]".into(),
        };
        assert!(matches!(
            parse_newest_version(empty),
            Err(Error::Decode { .. })
        ));
    }
}
