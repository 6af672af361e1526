//! devorg: one local Salesforce org — OAuth 2.0 endpoints, the REST API, CORS, errors and limits —
//! behaving as Salesforce documents them, so OrgBridge can be developed and tested with no real org.
//!
//! Use it as a binary (`cargo run --release -p devorg`) or in-process:
//! `app(state)` is the whole org as an axum `Router`, and [`spawn`] serves it on a port.

pub mod admin;
pub mod config;
pub mod cors;
pub mod error;
pub mod faults;
pub mod host_check;
pub mod ids;
pub mod limits;
pub mod oauth;
pub mod org_file;
pub mod record_types;
pub mod rest;
pub mod schema;
pub mod seed;
pub mod server;
pub mod soql;
pub mod sosl;
pub mod state;
pub mod store;
pub mod tls;
pub mod tokens;
pub mod users;

pub use config::Config;
pub use org_file::OrgSpec;
pub use server::{spawn, RunningOrg};
pub use state::AppState;

use axum::Router;
use tower::util::MapRequestLayer;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;

/// The whole org as one router: OAuth, REST, the loopback admin endpoint, and the cross-cutting layers
/// (CORS, API limits, injected faults) that wrap every request as Salesforce's front door does.
/// Every path answers with or without a trailing slash, as Salesforce's resources do.
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
        .merge(oauth::router())
        .merge(rest::router())
        .merge(admin::router());
    let routes = limits::layer(routes, state.clone());
    let routes = faults::layer(routes, state.clone());
    let routes = cors::layer(routes, state.clone());
    let routes = routes.with_state(state);
    // A Router's own layers run after routing, so the slash is trimmed by a service wrapped around
    // the whole router, mounted as the only (fallback) service of an outer one: `app` stays a Router.
    let routes = NormalizePathLayer::trim_trailing_slash().layer(routes);
    Router::new().fallback_service(MapRequestLayer::new(collapse_job_slashes).layer(routes))
}

/// jsforce asks for a query job's later result pages at `…/jobs/query//{id}/results` (its path
/// starts with a slash after the base that ends with one), and Salesforce serves it; so runs of
/// slashes in Bulk API paths count as one.
fn collapse_job_slashes(mut req: axum::extract::Request) -> axum::extract::Request {
    let path = req.uri().path();
    if !(path.starts_with("/services/data/") && path.contains("/jobs/") && path.contains("//")) {
        return req;
    }
    let mut collapsed = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && collapsed.ends_with('/')) {
            collapsed.push(c);
        }
    }
    if let Some(q) = req.uri().query() {
        collapsed = format!("{collapsed}?{q}");
    }
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = collapsed.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}
