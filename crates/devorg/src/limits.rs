//! The org's daily API allowance: counts REST calls, adds `Sforce-Limit-Info`, and refuses calls
//! past the limit with REQUEST_LIMIT_EXCEEDED (403), as Salesforce's API usage header doc describes.
//! Counted: everything under `/services/data/vXX.X/…` and `/services/apexrest/…`; not the versions
//! list (`/services/data`), not OAuth, not the admin API.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::error::ApiError;
use crate::AppState;

/// The response header carrying API usage.
pub const LIMIT_INFO_HEADER: &str = "sforce-limit-info";

#[derive(Debug)]
pub struct ApiUsage {
    pub max: AtomicU64,
    pub used: AtomicU64,
}

impl ApiUsage {
    pub fn new(max: u64) -> Self {
        ApiUsage {
            max: AtomicU64::new(max),
            used: AtomicU64::new(0),
        }
    }

    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    pub fn max(&self) -> u64 {
        self.max.load(Ordering::Relaxed)
    }

    pub fn set_used(&self, used: u64) {
        self.used.store(used, Ordering::Relaxed);
    }

    pub fn set_max(&self, max: u64) {
        self.max.store(max, Ordering::Relaxed);
    }

    /// Uses up the whole allowance: every counted call now gets REQUEST_LIMIT_EXCEEDED.
    pub fn exhaust(&self) {
        self.set_used(self.max());
    }

    /// Counts one call if the allowance has room; `false` when it is used up.
    fn try_count(&self) -> bool {
        let max = self.max();
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                (used < max).then_some(used + 1)
            })
            .is_ok()
    }

    fn uncount(&self) {
        let _ = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| u.checked_sub(1));
    }

    /// The header value, `api-usage=N/M`.
    pub fn header_value(&self) -> HeaderValue {
        HeaderValue::from_str(&format!("api-usage={}/{}", self.used(), self.max()))
            .expect("digits and ascii")
    }
}

/// True for requests that count against the allowance and carry `Sforce-Limit-Info`.
pub fn is_counted(path: &str) -> bool {
    if path.starts_with("/services/apexrest/") {
        return true;
    }
    // `/services/data` and `/services/data/` are the versions list, which Salesforce does not count.
    path.strip_prefix("/services/data/")
        .is_some_and(|rest| !rest.trim_matches('/').is_empty())
}

async fn count_api_call(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_counted(req.uri().path()) {
        return next.run(req).await;
    }
    let usage = &state.usage;
    let mut resp = if usage.try_count() {
        let resp = next.run(req).await;
        // A request without a valid session is not attributed to the org's allowance.
        if resp.status() == StatusCode::UNAUTHORIZED {
            usage.uncount();
        }
        resp
    } else {
        ApiError::request_limit_exceeded().into_response()
    };
    resp.headers_mut()
        .insert(LIMIT_INFO_HEADER, usage.header_value());
    resp
}

/// Wraps the routes with API counting.
pub fn layer(routes: Router<AppState>, state: AppState) -> Router<AppState> {
    routes.layer(middleware::from_fn_with_state(state, count_api_call))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_paths_count() {
        assert!(is_counted("/services/data/v67.0/query"));
        assert!(is_counted("/services/data/v67.0"));
        assert!(is_counted("/services/apexrest/arrify/v1/accounts"));
        assert!(!is_counted("/services/data"));
        assert!(!is_counted("/services/data/"));
        assert!(!is_counted("/services/oauth2/token"));
        assert!(!is_counted("/__devorg/state"));
    }

    #[test]
    fn counting_stops_at_the_limit() {
        let usage = ApiUsage::new(2);
        assert!(usage.try_count());
        assert!(usage.try_count());
        assert!(!usage.try_count());
        assert_eq!(usage.header_value(), "api-usage=2/2");
        usage.uncount();
        assert_eq!(usage.used(), 1);
    }
}
