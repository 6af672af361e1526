//! Record Count (`GET /services/data/vXX.X/limits/recordCount?sObjects=Account,User`), API 40.0+:
//! how many records each object holds, deleted records excluded.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_record_count.htm>
//! (response body: `responses_record_count.htm`)

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::auth::Authed;
use super::ApiVersion;
use crate::error::{json_response, ApiError};
use crate::AppState;

/// The first version with this resource.
const SINCE: u32 = 40;

/// `GET /limits/recordCount`: the listed objects (names without case; unknown ones are ignored, as
/// documented), or every object when `sObjects` is absent. Salesforce's counts are a cached
/// snapshot; devorg's are exact.
pub async fn record_count(
    _auth: Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    if v.0 < SINCE {
        return Err(ApiError::not_found());
    }
    let schema = &state.schema;
    let objects: Vec<&str> = match params.get("sObjects") {
        None => schema.objects().iter().map(|o| o.name).collect(),
        Some(list) => {
            let mut named: Vec<&str> = vec![];
            for name in list.split(',').map(str::trim) {
                if let Some(obj) = schema.object(name) {
                    if !named.contains(&obj.name) {
                        named.push(obj.name);
                    }
                }
            }
            named
        }
    };
    let store = state.store.read();
    let counts: Vec<Value> = objects
        .into_iter()
        .map(|name| {
            let count = match name {
                "Account" => store.accounts().filter(|r| !r.deleted).count(),
                "User" => store.users.len(),
                _ => schema.account.record_types.len(),
            };
            json!({"count": count, "name": name})
        })
        .collect();
    Ok(json_response(StatusCode::OK, &json!({"sObjects": counts})))
}
