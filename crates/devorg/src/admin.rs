//! The loopback-only admin API under `/__devorg/` that tests use to inject faults (token lifetime,
//! expiring and revoking tokens, failing or dropping the next requests, latency, the API budget,
//! failing collections items) and to list the org's users. Requests from other hosts, and any
//! request carrying a browser `Origin`, are refused, so neither the network nor a web page can
//! reach it.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::faults::FailureMode;
use crate::AppState;

fn admin_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Only loopback peers, and no browser pages: without a socket (`oneshot` tests) there is no
/// `ConnectInfo`, which counts as "not loopback" — tests insert a `ConnectInfo` extension.
async fn loopback_only(req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    if !peer.is_some_and(|addr| addr.ip().is_loopback()) {
        return admin_error(
            StatusCode::FORBIDDEN,
            "the devorg admin API only answers loopback connections",
        );
    }
    if req.headers().contains_key(header::ORIGIN) {
        return admin_error(
            StatusCode::FORBIDDEN,
            "the devorg admin API does not answer browser pages (request has an Origin header)",
        );
    }
    next.run(req).await
}

/// Everything the admin API can set, as it stands now.
fn snapshot(state: &AppState) -> Value {
    let faults = &state.faults;
    json!({
        "token_lifetime_secs": faults.token_lifetime().as_secs(),
        "latency_ms": faults.latency().as_millis() as u64,
        "fail_next": faults.pending_failures(),
        "collection_failures": faults.collection_failures(),
        "api_usage": {"used": state.usage.used(), "max": state.usage.max()},
        "oauth_cors": !state.config.no_oauth_cors,
    })
}

async fn admin_state(State(state): State<AppState>) -> Response {
    Json(snapshot(&state)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenLifetime {
    seconds: u64,
}

async fn set_token_lifetime(
    State(state): State<AppState>,
    Json(body): Json<TokenLifetime>,
) -> Response {
    state.faults.set_token_lifetime(body.seconds);
    Json(snapshot(&state)).into_response()
}

async fn expire_tokens(State(state): State<AppState>) -> Response {
    state.tokens.lock().expire_all_access(Instant::now());
    Json(snapshot(&state)).into_response()
}

async fn revoke_tokens(State(state): State<AppState>) -> Response {
    state.tokens.lock().revoke_all();
    Json(snapshot(&state)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FailNext {
    count: u32,
    /// `unavailable` (503, the default) or `drop` (connection closed, no response).
    #[serde(default = "default_mode")]
    mode: FailureMode,
    /// Only requests whose path contains this (such as `/batches`, a Bulk upload).
    #[serde(default)]
    path_contains: Option<String>,
}

fn default_mode() -> FailureMode {
    FailureMode::Unavailable
}

async fn fail_next(State(state): State<AppState>, Json(body): Json<FailNext>) -> Response {
    state
        .faults
        .fail_next_on(body.count, body.mode, body.path_contains.as_deref());
    Json(snapshot(&state)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Latency {
    ms: u64,
}

async fn set_latency(State(state): State<AppState>, Json(body): Json<Latency>) -> Response {
    if body.ms > 600_000 {
        return admin_error(
            StatusCode::BAD_REQUEST,
            "latency is capped at 600000 ms (10 minutes)",
        );
    }
    state.faults.set_latency(body.ms);
    Json(snapshot(&state)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiUsageBody {
    used: Option<u64>,
    max: Option<u64>,
}

async fn set_api_usage(State(state): State<AppState>, Json(body): Json<ApiUsageBody>) -> Response {
    if let Some(max) = body.max {
        state.usage.set_max(max);
    }
    if let Some(used) = body.used {
        state.usage.set_used(used);
    }
    Json(snapshot(&state)).into_response()
}

async fn exhaust_api(State(state): State<AppState>) -> Response {
    state.usage.exhaust();
    Json(snapshot(&state)).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CollectionFailures {
    /// 0-based positions, in request order, of the items the next collections call fails.
    indexes: Vec<usize>,
}

async fn set_collection_failures(
    State(state): State<AppState>,
    Json(body): Json<CollectionFailures>,
) -> Response {
    state.faults.set_collection_failures(body.indexes);
    Json(snapshot(&state)).into_response()
}

/// The org's users (no passwords), admin first: what tests match owners against.
async fn admin_users(State(state): State<AppState>) -> Response {
    let users: Vec<Value> = state
        .org
        .users
        .iter()
        .map(|u| {
            json!({"id": u.id, "username": u.username, "email": u.email, "firstName": u.first_name,
                   "lastName": u.last_name, "name": u.name(), "isActive": u.active})
        })
        .collect();
    Json(json!({ "users": users })).into_response()
}

/// Clears every fault: token lifetime and latency back to the flags, nothing pending, API usage 0
/// of the flag's limit, no bulk allowance used. Tokens already issued stay as they are.
async fn reset(State(state): State<AppState>) -> Response {
    state.faults.reset(&state.config);
    state.usage.set_max(state.config.api_limit);
    state.usage.set_used(0);
    state.bulk.reset_usage();
    Json(snapshot(&state)).into_response()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__devorg/state", get(admin_state))
        .route("/__devorg/users", get(admin_users))
        .route("/__devorg/token-lifetime", post(set_token_lifetime))
        .route("/__devorg/tokens/expire", post(expire_tokens))
        .route("/__devorg/tokens/revoke", post(revoke_tokens))
        .route("/__devorg/fail-next", post(fail_next))
        .route("/__devorg/latency", post(set_latency))
        .route("/__devorg/api-usage", post(set_api_usage))
        .route("/__devorg/api-usage/exhaust", post(exhaust_api))
        .route(
            "/__devorg/collection-failures",
            post(set_collection_failures),
        )
        .route("/__devorg/reset", post(reset))
        .route_layer(middleware::from_fn(loopback_only))
}
