//! `GET /.well-known/openid-configuration`: the OpenID Connect discovery document (no session
//! needed, CORS for any origin). Lists only endpoints devorg implements.
//! Doc: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_using_openid_discovery_endpoint.htm

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::apps::APP_SCOPES;
use crate::error::json_response;
use crate::AppState;

pub async fn openid_configuration(State(state): State<AppState>) -> Response {
    let base = state.base_url();
    json_response(
        StatusCode::OK,
        &json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/services/oauth2/authorize"),
            "token_endpoint": format!("{base}/services/oauth2/token"),
            "revocation_endpoint": format!("{base}/services/oauth2/revoke"),
            "userinfo_endpoint": format!("{base}/services/oauth2/userinfo"),
            "scopes_supported": APP_SCOPES,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "display_values_supported": ["page"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "none"],
            "claims_supported": [
                "active", "address", "email", "email_verified", "family_name", "given_name",
                "is_app_installed", "language", "locale", "name", "nickname", "organization_id",
                "phone_number", "photos", "picture", "preferred_username", "profile", "sub",
                "updated_at", "urls", "user_id", "user_type", "zoneinfo"
            ],
        }),
    )
}
