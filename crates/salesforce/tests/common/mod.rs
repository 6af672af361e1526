//! Test harness: devorg in-process on port 0, a reqwest [`Transport`], the OAuth login driven
//! like a browser, and the loopback admin API for injecting faults.

#![allow(dead_code)]

use std::collections::HashMap;

use devorg::RunningOrg;
use salesforce::oauth::{begin_login, parse_callback, Callback, OrgLogin};
use salesforce::storage::MemoryStore;
use salesforce::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};
use salesforce::types::InstanceUrl;

/// reqwest without redirects (the test reads `Location` itself, as it drives the login pages).
#[derive(Clone)]
pub struct Reqwest(reqwest::Client);

impl Reqwest {
    pub fn new() -> Self {
        Reqwest(
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("reqwest client"),
        )
    }
}

impl Transport for Reqwest {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let method = reqwest::Method::from_bytes(req.method.as_str().as_bytes()).unwrap();
        let mut builder = self.0.request(method, &req.url);
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        if let Some(body) = req.body {
            builder = builder.body(body);
        }
        let resp = builder
            .send()
            .await
            .map_err(|e| TransportError::new(&req.url, e.to_string()))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        let body = resp
            .text()
            .await
            .map_err(|e| TransportError::new(&req.url, e.to_string()))?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// The redirect URI devorg's public app `orgbridge-local` accepts by default.
pub const REDIRECT_URI: &str = "http://127.0.0.1:8080/";

pub async fn spawn_org() -> RunningOrg {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(tweak: impl FnOnce(&mut devorg::Config)) -> RunningOrg {
    let mut config = devorg::Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    };
    tweak(&mut config);
    devorg::spawn(config).await.expect("devorg starts")
}

pub fn org_login(org: &RunningOrg) -> OrgLogin {
    OrgLogin::new(
        InstanceUrl::parse(&org.url).unwrap(),
        "orgbridge-local",
        REDIRECT_URI,
    )
}

/// The value of the hidden `pending` input on a devorg login or approval page.
fn hidden_pending(html: &str) -> String {
    let marker = "name=\"pending\" value=\"";
    let start = html.find(marker).expect("page has a pending field") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

fn form(url: String, pairs: &[(&str, &str)]) -> HttpRequest {
    HttpRequest::new(Method::Post, url).form(pairs)
}

/// Opens the authorize URL, logs in and clicks Allow or Deny, like a person in a browser; returns
/// the callback parsed from the final redirect's query.
pub async fn authorize(org: &RunningOrg, authorize_url: &str, allow: bool) -> Callback {
    let t = Reqwest::new();
    let page = t
        .send(HttpRequest::new(Method::Get, authorize_url))
        .await
        .unwrap();
    assert_eq!(page.status, 200, "login page: {}", page.body);
    let approve = t
        .send(form(
            format!("{}/services/oauth2/authorize/login", org.url),
            &[
                ("pending", &hidden_pending(&page.body)),
                ("username", "admin@devorg.local"),
                ("pw", "devorg"),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(approve.status, 200, "approval page: {}", approve.body);
    let redirect = t
        .send(form(
            format!("{}/services/oauth2/authorize/approve", org.url),
            &[
                ("pending", &hidden_pending(&approve.body)),
                ("decision", if allow { "allow" } else { "deny" }),
            ],
        ))
        .await
        .unwrap();
    assert!(
        (300..400).contains(&redirect.status),
        "approve redirects: {} {}",
        redirect.status,
        redirect.body
    );
    let location = redirect.header("location").expect("Location header");
    assert!(
        location.starts_with(REDIRECT_URI),
        "redirects to the app: {location}"
    );
    let query = url::Url::parse(location)
        .unwrap()
        .query()
        .unwrap_or_default()
        .to_string();
    parse_callback(&query)
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A full PKCE sign-in; returns the session.
pub async fn sign_in(org: &RunningOrg) -> salesforce::Session {
    let store = MemoryStore::new();
    let (url, pending) = begin_login(&org_login(org), now_ms());
    salesforce::oauth::save_pending(&store, &pending);
    let callback = authorize(org, &url, true).await;
    salesforce::oauth::finish_login(&Reqwest::new(), &store, callback, now_ms())
        .await
        .expect("sign-in succeeds")
        .expect("callback carries a code")
}

/// POSTs JSON to devorg's loopback admin API.
pub async fn admin(org: &RunningOrg, path: &str, body: serde_json::Value) {
    let resp = Reqwest::new()
        .send(HttpRequest::new(Method::Post, format!("{}/__devorg/{path}", org.url)).json(&body))
        .await
        .unwrap();
    assert_eq!(resp.status, 200, "admin {path}: {}", resp.body);
}

/// Collects the client's events.
#[derive(Clone, Default)]
pub struct Events(std::sync::Arc<std::sync::Mutex<Vec<salesforce::ClientEvent>>>);

impl Events {
    pub fn attach<T: Transport>(&self, client: &salesforce::Client<T>) {
        let sink = self.0.clone();
        client.subscribe(move |e| sink.lock().unwrap().push(e.clone()));
    }
    pub fn refreshes(&self) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| matches!(e, salesforce::ClientEvent::SessionRefreshed(_)))
            .count()
    }
    pub fn ended(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                salesforce::ClientEvent::SessionEnded { reason } => Some(reason.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Form fields as a map (to check what a request carried).
pub fn form_fields(body: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

/// A transport that behaves as `fetch` does in a page at `origin`: it sends `Origin`, turns an
/// answer without a matching `Access-Control-Allow-Origin` into a network error (that is all a
/// script sees of a CORS block), and hides response headers that are not exposed.
#[derive(Clone)]
pub struct BrowserLike {
    pub origin: String,
    inner: Reqwest,
}

impl BrowserLike {
    pub fn new(origin: &str) -> Self {
        BrowserLike {
            origin: origin.to_string(),
            inner: Reqwest::new(),
        }
    }
}

impl Transport for BrowserLike {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let url = req.url.clone();
        let resp = self.inner.send(req.header("Origin", &self.origin)).await?;
        let allowed = resp
            .header("access-control-allow-origin")
            .is_some_and(|v| v == self.origin || v == "*");
        if !allowed {
            return Err(TransportError::new(url, "TypeError: Failed to fetch"));
        }
        let exposed: Vec<String> = resp
            .header("access-control-expose-headers")
            .unwrap_or_default()
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let safelisted = [
            "cache-control",
            "content-language",
            "content-length",
            "content-type",
            "expires",
            "last-modified",
            "pragma",
        ];
        let headers = resp
            .headers
            .into_iter()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                safelisted.contains(&k.as_str()) || exposed.contains(&k)
            })
            .collect();
        Ok(HttpResponse {
            status: resp.status,
            headers,
            body: resp.body,
        })
    }
}

/// A client of `org` with a token minted for its admin (no sign-in flow).
pub async fn client_for(org: &devorg::RunningOrg) -> salesforce::Client<Reqwest> {
    let url = InstanceUrl::parse(&org.url).unwrap();
    let versions = salesforce::oauth::parse_newest_version(
        salesforce::transport::Transport::send(
            &Reqwest::new(),
            salesforce::oauth::versions_request(&url),
        )
        .await
        .unwrap(),
    )
    .unwrap();
    let session = salesforce::Session {
        access_token: salesforce::types::AccessToken::new(org.state.issue_test_token()),
        refresh_token: None,
        instance_url: url.clone(),
        login_url: url,
        consumer_key: "orgbridge-local".into(),
        identity_url: String::new(),
        user: salesforce::UserInfo::default(),
        api_version: versions,
        issued_at_ms: None,
    };
    salesforce::Client::new(Reqwest::new(), session)
}
