//! CORS as Salesforce does it: allowlisted origins get the headers and a working preflight,
//! other origins get 403. (stub)

use axum::Router;

use crate::AppState;

pub fn layer(routes: Router<AppState>, _state: AppState) -> Router<AppState> {
    routes
}
