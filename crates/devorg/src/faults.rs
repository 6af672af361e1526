//! Injected faults for tests: failing or dropped requests, latency, failing collection items. (stub)

use axum::Router;

use crate::AppState;

#[derive(Debug, Default)]
pub struct Faults {}

pub fn layer(routes: Router<AppState>, _state: AppState) -> Router<AppState> {
    routes
}
