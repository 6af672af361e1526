//! `POST /services/oauth2/revoke` (form `token=`) and `GET /services/oauth2/revoke?token=`:
//! revokes an access or refresh token (a refresh token takes its access tokens with it).
//! Success is 200 with an empty body; an unknown token is 400 `unsupported_token_type`.
//! Doc: https://developer.salesforce.com/docs/platform/mobile-sdk/guide/oauth-revoking-tokens.html

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::parse_form;
use crate::error::OAuthError;
use crate::AppState;

fn revoke(state: &AppState, token: Option<&String>) -> Response {
    let token = token.map(String::as_str).unwrap_or("");
    if !token.is_empty() && state.tokens.lock().revoke(token) {
        StatusCode::OK.into_response()
    } else {
        OAuthError::new("unsupported_token_type", "this token type is not supported")
            .into_response()
    }
}

pub async fn oauth_revoke_post(State(state): State<AppState>, body: Bytes) -> Response {
    revoke(&state, parse_form(&body).get("token"))
}

pub async fn oauth_revoke_get(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    revoke(
        &state,
        parse_form(query.unwrap_or_default().as_bytes()).get("token"),
    )
}
