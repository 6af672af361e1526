//! Injected faults for tests: the runtime token lifetime, added latency, the next N requests failing
//! with 503 or a dropped connection, and collections items made to fail. Set by flags at start and
//! by the loopback admin API (`admin.rs`) while running.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::config::Config;
use crate::error::{ApiError, OAuthError};
use crate::AppState;

/// How an injected failure shows itself to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureMode {
    /// HTTP 503 with a Salesforce-style error body (`SERVER_UNAVAILABLE`).
    Unavailable,
    /// The TCP connection is closed without any HTTP response.
    Drop,
    /// The request is carried out (a record really is created), then its answer is cut off after
    /// the status line and the first byte of the body: the client cannot tell whether its write
    /// happened. (A connection closed before any byte would be retried by browsers, which resend
    /// a request whose reused connection closed silently: the write would happen twice.)
    DropAfterWrite,
}

/// The failures still to inject: the next `remaining` requests (whose path contains `only`,
/// when set) fail as `mode`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingFailures {
    pub mode: FailureMode,
    pub remaining: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only: Option<String>,
}

/// The org's mutable test knobs. Starts from the flags (`Faults::new`), changed by `/__devorg/`.
#[derive(Debug)]
pub struct Faults {
    token_lifetime_secs: AtomicU64,
    latency_ms: AtomicU64,
    failures: Mutex<Option<PendingFailures>>,
    collection_failures: Mutex<Vec<usize>>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults::new(&Config::default())
    }
}

impl Faults {
    /// The faults the flags ask for: token lifetime and latency; nothing failing yet.
    pub fn new(config: &Config) -> Self {
        Faults {
            token_lifetime_secs: AtomicU64::new(config.token_lifetime_secs),
            latency_ms: AtomicU64::new(config.latency_ms),
            failures: Mutex::new(None),
            collection_failures: Mutex::new(Vec::new()),
        }
    }

    /// Lifetime given to access tokens issued from now on (the org's session timeout).
    pub fn token_lifetime(&self) -> Duration {
        Duration::from_secs(self.token_lifetime_secs.load(Ordering::Relaxed))
    }

    pub fn set_token_lifetime(&self, secs: u64) {
        self.token_lifetime_secs.store(secs, Ordering::Relaxed);
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    pub fn set_latency(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    /// Makes the next `count` requests fail as `mode` (replacing any failures still pending).
    pub fn fail_next(&self, count: u32, mode: FailureMode) {
        self.fail_next_on(count, mode, None);
    }

    /// Makes the next `count` requests whose path contains `only` (every request: `None`) fail
    /// as `mode`, such as a Bulk job's upload (`/batches`).
    pub fn fail_next_on(&self, count: u32, mode: FailureMode, only: Option<&str>) {
        *self.failures.lock() = (count > 0).then(|| PendingFailures {
            mode,
            remaining: count,
            only: only.map(str::to_string),
        });
    }

    pub fn pending_failures(&self) -> Option<PendingFailures> {
        self.failures.lock().clone()
    }

    /// Consumes one pending failure for a request to `path`, if any, and says how it must fail.
    fn take_failure(&self, path: &str) -> Option<FailureMode> {
        let mut pending = self.failures.lock();
        let current = pending.as_mut()?;
        if current
            .only
            .as_deref()
            .is_some_and(|only| !path.contains(only))
        {
            return None;
        }
        let mode = current.mode;
        current.remaining -= 1;
        if current.remaining == 0 {
            *pending = None;
        }
        Some(mode)
    }

    /// Makes the next sObject Collections call fail the items at these 0-based positions.
    pub fn set_collection_failures(&self, indexes: Vec<usize>) {
        *self.collection_failures.lock() = indexes;
    }

    pub fn collection_failures(&self) -> Vec<usize> {
        self.collection_failures.lock().clone()
    }

    /// For `rest/collections`: the item positions (0-based, in request order) the current
    /// collections call must fail, emptying the list so only one call is affected.
    pub fn take_collection_failures(&self) -> Vec<usize> {
        std::mem::take(&mut *self.collection_failures.lock())
    }

    /// Back to the flags' values with nothing pending.
    pub fn reset(&self, config: &Config) {
        self.set_token_lifetime(config.token_lifetime_secs);
        self.set_latency(config.latency_ms);
        *self.failures.lock() = None;
        self.collection_failures.lock().clear();
    }
}

/// Put on each request by the socket server (`server.rs`): notifying it closes the request's TCP
/// connection without a response. Absent for in-process (`oneshot`) requests.
#[derive(Clone, Debug)]
pub struct ConnectionKill(pub Arc<Notify>);

/// Header that marks a simulated drop answered in-process, where there is no connection to close.
pub const DROPPED_MARKER: &str = "x-devorg-fault";

/// Which requests faults and latency apply to: the REST API and the OAuth endpoints a program calls,
/// never the admin API, the browser login pages or the discovery document.
fn is_faultable(path: &str) -> bool {
    path.starts_with("/services/data")
        || path.starts_with("/services/apexrest")
        || matches!(
            path,
            "/services/oauth2/token" | "/services/oauth2/revoke" | "/services/oauth2/userinfo"
        )
        || path.starts_with("/id/")
}

/// The 503 body: Salesforce's error array on REST paths, the OAuth error object on OAuth paths.
fn unavailable(path: &str) -> Response {
    let mut resp = if path.starts_with("/services/oauth2/") {
        OAuthError::new(
            "temporarily_unavailable",
            "devorg injected fault: the server is temporarily unavailable",
        )
        .with_status(StatusCode::SERVICE_UNAVAILABLE)
        .into_response()
    } else {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVER_UNAVAILABLE",
            "Server temporarily unavailable (devorg injected fault); try again later.",
        )
        .into_response()
    };
    resp.headers_mut()
        .insert(DROPPED_MARKER, HeaderValue::from_static("unavailable"));
    resp
}

async fn apply_faults(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !is_faultable(path) {
        return next.run(req).await;
    }
    let latency = state.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match state.faults.take_failure(path) {
        None => next.run(req).await,
        Some(FailureMode::Unavailable) => unavailable(path),
        Some(FailureMode::Drop) => drop_connection(req.extensions().get::<ConnectionKill>()).await,
        Some(FailureMode::DropAfterWrite) => cut_short(next.run(req).await),
    }
}

/// The answer's head, one byte of its body, then an error: hyper aborts the connection there.
fn cut_short(resp: Response) -> Response {
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(DROPPED_MARKER, HeaderValue::from_static("cut_short"));
    use futures_util::stream::{self, StreamExt};
    let head = stream::iter([Ok::<&'static [u8], std::io::Error>(b"[")]);
    // A moment between, so the head and the byte leave before the connection is aborted.
    let abort = stream::once(async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "devorg injected fault: answer cut short",
        ))
    });
    Response::from_parts(parts, axum::body::Body::from_stream(head.chain(abort)))
}

/// Closes the request's connection without an answer (in-process, where there is no socket to
/// close: a 502 with a marker instead).
async fn drop_connection(kill: Option<&ConnectionKill>) -> Response {
    match kill {
        Some(kill) => {
            kill.0.notify_one();
            // The server drops the connection (and this future) as soon as it is notified.
            std::future::pending().await
        }
        None => {
            let mut resp = (
                StatusCode::BAD_GATEWAY,
                [(header::CONTENT_TYPE, "text/plain")],
                "devorg injected fault: connection dropped",
            )
                .into_response();
            resp.headers_mut()
                .insert(DROPPED_MARKER, HeaderValue::from_static("dropped"));
            resp
        }
    }
}

/// Wraps the routes with latency and injected failures.
pub fn layer(routes: Router<AppState>, state: AppState) -> Router<AppState> {
    routes.layer(middleware::from_fn_with_state(state, apply_faults))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_consumed_one_per_request() {
        let faults = Faults::default();
        faults.fail_next(2, FailureMode::Unavailable);
        assert_eq!(
            faults.take_failure("/services/data/v62.0/"),
            Some(FailureMode::Unavailable)
        );
        assert_eq!(
            faults.take_failure("/services/data/v62.0/"),
            Some(FailureMode::Unavailable)
        );
        assert_eq!(faults.take_failure("/services/data/v62.0/"), None);
        faults.fail_next(0, FailureMode::Drop);
        assert_eq!(faults.pending_failures(), None);
    }

    #[test]
    fn a_failure_for_one_path_waits_for_a_request_to_it() {
        let faults = Faults::default();
        faults.fail_next_on(1, FailureMode::DropAfterWrite, Some("/batches"));
        let job = "/services/data/v62.0/jobs/ingest/750000000000001AAA";
        assert_eq!(faults.take_failure(job), None, "the job is made");
        assert_eq!(
            faults.take_failure(&format!("{job}/batches")),
            Some(FailureMode::DropAfterWrite),
            "its upload is cut off"
        );
        assert_eq!(faults.take_failure(&format!("{job}/batches")), None);
    }

    #[test]
    fn collection_failures_apply_to_one_call() {
        let faults = Faults::default();
        faults.set_collection_failures(vec![1, 3]);
        assert_eq!(faults.take_collection_failures(), vec![1, 3]);
        assert!(faults.take_collection_failures().is_empty());
    }
}
