//! Helpers shared by the REST route tests (no sockets): an org with a session, calls with JSON
//! bodies, and Salesforce's error code of a reply.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use devorg::{AppState, Config};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const V: &str = "/services/data/v60.0";

pub struct Org {
    pub state: AppState,
    pub token: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Org {
    pub fn new(accounts: usize) -> Org {
        let config = Config {
            accounts,
            ..Config::default()
        };
        let state = AppState::new(config);
        let token = state.issue_test_token();
        Org { state, token }
    }

    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        req = req.header("Authorization", format!("Bearer {}", self.token));
        if body.is_some() {
            req = req.header("Content-Type", "application/json");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(Body::from(body.unwrap_or("").to_string()))
            .unwrap();
        let resp = devorg::app(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.call(Method::GET, uri, None, &[]).await
    }
    pub async fn send(&self, method: Method, uri: &str, body: Value) -> Reply {
        self.call(method, uri, Some(&body.to_string()), &[]).await
    }
    pub async fn query(&self, soql: &str) -> Reply {
        self.get(&format!("{V}/query?q={}", encode(soql))).await
    }
    pub async fn create(&self, body: Value) -> String {
        let r = self
            .send(Method::POST, &format!("{V}/sobjects/Account"), body)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }
}

pub fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn code(r: &Reply) -> &str {
    r.body[0]["errorCode"].as_str().unwrap_or("<none>")
}
