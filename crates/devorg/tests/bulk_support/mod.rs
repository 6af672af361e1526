//! Shared by the Bulk API 2.0 route tests (`bulk_ingest.rs`, `bulk_query.rs`): an in-process org
//! (no sockets), requests with any body, and a bounded wait for a job to finish.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
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
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first error's `errorCode`.
    pub fn code(&self) -> &str {
        self.json[0]["errorCode"].as_str().unwrap_or("<none>")
    }

    pub fn message(&self) -> &str {
        self.json[0]["message"].as_str().unwrap_or("<none>")
    }
}

impl Org {
    pub fn new(accounts: usize) -> Org {
        Org::with(Config {
            accounts,
            ..Config::default()
        })
    }

    pub fn with(config: Config) -> Org {
        let state = AppState::new(config);
        let token = state.issue_test_token();
        Org { state, token }
    }

    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        content_type: Option<&str>,
        body: impl Into<Body>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("Authorization", format!("Bearer {}", self.token));
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = devorg::app(self.state.clone())
            .oneshot(req.body(body.into()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.call(Method::GET, uri, None, Body::empty(), &[]).await
    }

    pub async fn json(&self, method: Method, uri: &str, body: Value) -> Reply {
        self.call(method, uri, Some("application/json"), body.to_string(), &[])
            .await
    }

    /// A REST query's records.
    pub async fn query(&self, soql: &str, all: bool) -> Vec<Value> {
        let q: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
        let resource = if all { "queryAll" } else { "query" };
        let r = self.get(&format!("{V}/{resource}?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json["records"].as_array().unwrap().clone()
    }

    /// Polls `GET uri` (a job) until its state is terminal, yielding in between so the job's
    /// background task runs; bounded so a stuck job fails the test. Returns the job info and
    /// every state seen, in order, without repeats.
    pub async fn wait(&self, uri: &str) -> (Value, Vec<String>) {
        let mut seen: Vec<String> = vec![];
        for _ in 0..10_000 {
            let r = self.get(uri).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            let state = r.json["state"].as_str().unwrap().to_string();
            if seen.last() != Some(&state) {
                seen.push(state.clone());
            }
            if ["JobComplete", "Failed", "Aborted"].contains(&state.as_str()) {
                return (r.json, seen);
            }
            tokio::task::yield_now().await;
        }
        panic!("job {uri} did not finish; states seen: {seen:?}");
    }
}

/// Percent-encodes a query string value.
pub fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
