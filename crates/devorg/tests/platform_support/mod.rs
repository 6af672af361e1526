//! Helpers shared by the OAuth and platform route tests: an org without sockets, requests, and
//! driving the authorize pages as a browser would.
#![allow(dead_code)]

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use devorg::{AppState, Config};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

pub const CLIENT_ID: &str = "orgbridge-local";
pub const REDIRECT: &str = "http://127.0.0.1:8080/";
pub const APP_ORIGIN: &str = "http://127.0.0.1:8080";

/// A small org (a few accounts) and its router.
pub fn org_with(config: Config) -> (AppState, Router) {
    let state = AppState::new(config);
    (state.clone(), devorg::app(state))
}

pub fn org() -> (AppState, Router) {
    org_with(small_config())
}

pub fn small_config() -> Config {
    Config {
        accounts: 3,
        ..Config::default()
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// The query parameters of the `Location` header.
    pub fn location_params(&self) -> Vec<(String, String)> {
        let location = self.header("location").expect("a Location header");
        url::Url::parse(location)
            .expect("absolute Location")
            .query_pairs()
            .into_owned()
            .collect()
    }

    pub fn location_param(&self, key: &str) -> Option<String> {
        self.location_params()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

pub async fn send(app: &Router, req: Request<Body>) -> Reply {
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

pub fn get_bearer(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

/// A REST call with a JSON body (or none) and a bearer token.
pub fn json_bearer(
    method: Method,
    uri: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> Request<Body> {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    match body {
        Some(json) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap()
}

/// `q` as a query string value.
pub fn encode_query(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

pub fn encode_form(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

pub fn form_post(uri: &str, fields: &[(&str, &str)]) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(encode_form(fields)))
        .unwrap()
}

/// A request from a loopback peer, as the socket server marks it.
pub fn from_loopback(mut req: Request<Body>) -> Request<Body> {
    let peer: SocketAddr = "127.0.0.1:50000".parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(peer));
    req
}

pub fn admin_post(path: &str, json: serde_json::Value) -> Request<Body> {
    from_loopback(
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json.to_string()))
            .unwrap(),
    )
}

/// A PKCE verifier and its S256 challenge.
pub fn pkce_pair(seed: &str) -> (String, String) {
    let verifier = format!("{seed}-verifier-0123456789abcdefghijklmnopqrstuvwxyz");
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

pub fn authorize_uri(params: &[(&str, &str)]) -> String {
    format!("/services/oauth2/authorize?{}", encode_form(params))
}

/// The value of the hidden `pending` field of a login or approval page.
pub fn pending_id(html: &str) -> String {
    let marker = "name=\"pending\" value=\"";
    let start = html.find(marker).expect("a pending field") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// Runs authorize → login → Allow and returns the callback reply (a 302).
pub async fn authorize_and_allow(app: &Router, challenge: &str, scope: &str, state: &str) -> Reply {
    authorize_and_allow_as(app, challenge, scope, state, "admin@devorg.local", "devorg").await
}

/// The login page's answer to `username` and `password` for a new authorize request: the
/// approval page, or the login form again with an error. Returns the reply and the pending id.
pub async fn log_in(
    app: &Router,
    challenge: &str,
    scope: &str,
    state: &str,
    username: &str,
    password: &str,
) -> (Reply, String) {
    let page = send(
        app,
        get(&authorize_uri(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("scope", scope),
            ("state", state),
        ])),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let pending = pending_id(&page.body);
    let reply = send(
        app,
        form_post(
            "/services/oauth2/authorize/login",
            &[
                ("pending", &pending),
                ("username", username),
                ("pw", password),
            ],
        ),
    )
    .await;
    (reply, pending)
}

/// As [`authorize_and_allow`], logging in as `username` with `password`.
pub async fn authorize_and_allow_as(
    app: &Router,
    challenge: &str,
    scope: &str,
    state: &str,
    username: &str,
    password: &str,
) -> Reply {
    let (approval, pending) = log_in(app, challenge, scope, state, username, password).await;
    assert!(approval.body.contains("Allow"), "{}", approval.body);
    send(
        app,
        form_post(
            "/services/oauth2/authorize/approve",
            &[("pending", &pending), ("decision", "allow")],
        ),
    )
    .await
}

/// A fresh authorization code issued with `challenge`.
pub async fn code_for(app: &Router, challenge: &str, scope: &str) -> String {
    let reply = authorize_and_allow(app, challenge, scope, "s").await;
    assert_eq!(reply.status, StatusCode::FOUND);
    reply.location_param("code").expect("a code")
}

/// Exchanges a code for tokens; returns the token endpoint's reply.
pub async fn exchange(app: &Router, code: &str, verifier: &str) -> Reply {
    send(
        app,
        form_post(
            "/services/oauth2/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("client_id", CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("code_verifier", verifier),
            ],
        ),
    )
    .await
}

/// Signs in as `username` through the whole flow with `scope`; returns the token response JSON.
pub async fn sign_in_as(
    app: &Router,
    username: &str,
    password: &str,
    scope: &str,
) -> serde_json::Value {
    let (verifier, challenge) = pkce_pair(username);
    let reply = authorize_and_allow_as(app, &challenge, scope, "s", username, password).await;
    let code = reply.location_param("code").expect("a code");
    let reply = exchange(app, &code, &verifier).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

/// Signs in through the whole flow and returns the token response JSON.
pub async fn sign_in(app: &Router) -> serde_json::Value {
    let (verifier, challenge) = pkce_pair("sign-in");
    let code = code_for(app, &challenge, "api refresh_token").await;
    let reply = exchange(app, &code, &verifier).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}
