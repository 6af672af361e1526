//! The identity URL `GET /id/{orgId}/{userId}` and the OpenID Connect `GET /services/oauth2/userinfo`.
//! Userinfo answers for the token's user only; the identity URL for the user it names, which may
//! be another user of the org when the token has the `api` or `full` scope (`asserted_user` false). `?version=` (`latest` or `NN.N`) fills the
//! `{version}` placeholders in `urls`. A missing or bad token is 403 with a plain-text body
//! (`Missing_OAuth_Token` / `Bad_OAuth_Token`), as Salesforce answers these endpoints.
//! Docs: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_using_openid.htm and
//! https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_using_userinfo_endpoint.htm

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::bearer_token;
use crate::error::json_response;
use crate::tokens::Session;
use crate::AppState;

/// The newest API version devorg serves (`NN.0`); `?version=latest` resolves to it.
fn latest_api_version() -> String {
    format!("{}.0", crate::rest::NEWEST_VERSION)
}

/// When the org's user was last modified, as both documents report it.
const USER_UPDATED: &str = "2026-01-01T00:00:00Z";

fn forbidden(text: &'static str) -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
        text,
    )
        .into_response()
}

/// The session, or the plain-text reason Salesforce gives for refusing it.
fn check_token(state: &AppState, headers: &HeaderMap) -> Result<Session, &'static str> {
    let token = bearer_token(headers).ok_or("Missing_OAuth_Token")?;
    state
        .tokens
        .lock()
        .validate(token, std::time::Instant::now())
        .map_err(|_| "Bad_OAuth_Token")
}

/// `latest` or `NN.N` → the version to fill in; anything else leaves the placeholders.
fn resolve_version(version: Option<&String>) -> Option<String> {
    match version.map(String::as_str) {
        Some("latest") => Some(latest_api_version()),
        Some(v) => {
            let (major, minor) = v.split_once('.')?;
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            (digits(major) && digits(minor)).then(|| v.to_string())
        }
        None => None,
    }
}

/// The `urls` object for `user_id`, with `{version}` filled in when a version was asked for.
fn urls(state: &AppState, user_id: &str, version: Option<&str>) -> Value {
    let base = state.base_url();
    let org15 = &state.org.org_id[..15];
    let data = format!("{base}/services/data/v{{version}}");
    let pairs = [
        (
            "enterprise",
            format!("{base}/services/Soap/c/{{version}}/{org15}"),
        ),
        (
            "metadata",
            format!("{base}/services/Soap/m/{{version}}/{org15}"),
        ),
        (
            "partner",
            format!("{base}/services/Soap/u/{{version}}/{org15}"),
        ),
        ("rest", format!("{data}/")),
        ("sobjects", format!("{data}/sobjects/")),
        ("search", format!("{data}/search/")),
        ("query", format!("{data}/query/")),
        ("recent", format!("{data}/recent/")),
        (
            "tooling_soap",
            format!("{base}/services/Soap/T/{{version}}/{org15}"),
        ),
        ("tooling_rest", format!("{data}/tooling/")),
        ("profile", format!("{base}/{user_id}")),
        ("feeds", format!("{data}/chatter/feeds")),
        ("groups", format!("{data}/chatter/groups")),
        ("users", format!("{data}/chatter/users")),
        ("feed_items", format!("{data}/chatter/feed-items")),
        ("feed_elements", format!("{data}/chatter/feed-elements")),
        ("custom_domain", base.clone()),
    ];
    let map: Map<String, Value> = pairs
        .into_iter()
        .map(|(k, v)| {
            let v = match version {
                Some(version) => v.replace("{version}", version),
                None => v,
            };
            (k.to_string(), Value::String(v))
        })
        .collect();
    Value::Object(map)
}

fn photos(base: &str) -> Value {
    json!({
        "picture": format!("{base}/img/userprofile/default_profile_200_v2.png"),
        "thumbnail": format!("{base}/img/userprofile/default_profile_45_v2.png"),
    })
}

/// The nickname Salesforce derives from the username's local part.
fn nickname(username: &str) -> String {
    username.split('@').next().unwrap_or(username).to_string()
}

/// `GET /id/{orgId}/{userId}`.
pub async fn identity_url(
    State(state): State<AppState>,
    Path((org_id, user_id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let session = match check_token(&state, &headers) {
        Ok(s) => s,
        Err(reason) => return forbidden(reason),
    };
    let bad_id = || {
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
            "Bad_Id",
        )
            .into_response()
    };
    let same_org = org_id.get(..15) == state.org.org_id.get(..15);
    let Some(user) = state.org.user(&user_id).filter(|_| same_org) else {
        return bad_id();
    };
    let asserted = user.id == session.user_id;
    // Documented: a token reaches another user of its org only with the `api` or `full` scope,
    // for an internal (STANDARD) user with API Enabled who may see that user — all devorg users.
    let may_see_others = session.scopes.iter().any(|s| s == "api" || s == "full");
    if !asserted && (!may_see_others || !user.active) {
        return bad_id();
    }
    let base = state.base_url();
    let version = resolve_version(query.get("version"));
    json_response(
        StatusCode::OK,
        &json!({
            "id": format!("{base}/id/{}/{}", state.org.org_id, user.id),
            "asserted_user": asserted,
            "user_id": user.id,
            "organization_id": state.org.org_id,
            "username": user.username,
            "nick_name": nickname(&user.username),
            "display_name": user.name(),
            "email": user.email,
            "email_verified": true,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "timezone": "GMT",
            "photos": photos(&base),
            "addr_street": null, "addr_city": null, "addr_state": null,
            "addr_country": null, "addr_zip": null,
            "mobile_phone": null,
            "mobile_phone_verified": false,
            "is_lightning_login_user": false,
            "status": {"created_date": null, "body": null},
            "urls": urls(&state, &user.id, version.as_deref()),
            "active": user.active,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": 0,
            "last_modified_date": "2026-01-01T00:00:00.000+0000",
            "is_app_installed": true,
        }),
    )
}

/// `GET` or `POST /services/oauth2/userinfo`.
pub async fn oauth_userinfo(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let session = match check_token(&state, &headers) {
        Ok(s) => s,
        Err(reason) => return forbidden(reason),
    };
    // Only ever the token's own user (the endpoint gives no access to other users).
    let Some(user) = state.org.user(&session.user_id) else {
        return forbidden("Bad_OAuth_Token");
    };
    let base = state.base_url();
    let version = resolve_version(query.get("version"));
    json_response(
        StatusCode::OK,
        &json!({
            "sub": format!("{base}/id/{}/{}", state.org.org_id, user.id),
            "user_id": user.id,
            "organization_id": state.org.org_id,
            "preferred_username": user.username,
            "nickname": nickname(&user.username),
            "name": user.name(),
            "email": user.email,
            "email_verified": true,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "zoneinfo": "GMT",
            "photos": photos(&base),
            "profile": format!("{base}/{}", user.id),
            "picture": format!("{base}/img/userprofile/default_profile_200_v2.png"),
            "address": {},
            "is_salesforce_integration_user": false,
            "urls": urls(&state, &user.id, version.as_deref()),
            "active": user.active,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": 0,
            "updated_at": USER_UPDATED,
            "is_app_installed": true,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(
            resolve_version(Some(&"latest".into())),
            Some(latest_api_version())
        );
        assert_eq!(
            resolve_version(Some(&"60.0".into())).as_deref(),
            Some("60.0")
        );
        assert_eq!(resolve_version(Some(&"v60".into())), None);
        assert_eq!(resolve_version(None), None);
    }
}
