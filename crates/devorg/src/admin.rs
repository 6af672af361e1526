//! Loopback-only admin endpoint (`/__devorg/...`) for tests to inject faults. (stub)

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
