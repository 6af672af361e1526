//! OAuth 2.0 endpoints: `/services/oauth2/{authorize,token,revoke,userinfo}`, the identity URL
//! `/id/{org}/{user}` and `/.well-known/openid-configuration`. (stub)

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
