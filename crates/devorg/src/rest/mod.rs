//! The REST API under `/services/data/` and Apex REST under `/services/apexrest/`. (stub)

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
