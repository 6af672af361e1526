//! The Bearer check every REST resource makes: `Authorization: Bearer <access token>` (Salesforce
//! also accepts the older `OAuth <token>` scheme). Missing, unknown or expired → 401 INVALID_SESSION_ID.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/quickstart_oauth.htm>

use std::time::Instant;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::tokens::Session;
use crate::AppState;

/// A request made with a valid access token.
pub struct Authed(pub Session);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(ApiError::invalid_session)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("OAuth "))
            .map(str::trim)
            .ok_or_else(ApiError::invalid_session)?;
        state
            .tokens
            .lock()
            .validate(token, Instant::now())
            .map(Authed)
            .map_err(|_| ApiError::invalid_session())
    }
}
