//! Describe Global (`GET /sobjects/`), sObject Basic Information (`GET /sobjects/{type}/`) and
//! sObject Describe (`GET /sobjects/{type}/describe`).
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_describeGlobal.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_basic_info.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm>

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::auth::Authed;
use super::{project, sobject_type, ApiVersion, Target};
use crate::error::{json_response, ApiError};
use crate::AppState;

/// `GET /sobjects/`: every object of the org.
pub async fn describe_global(
    _auth: Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    let sobjects: Vec<Value> = state
        .schema
        .objects()
        .iter()
        .map(|o| o.summary(&v.number()))
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects}),
    ))
}

/// `GET /sobjects/{type}/`: the object's summary and its most recently created records.
pub async fn sobject_basic_info(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, sobject)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    let obj = sobject_type(&state.schema, &sobject)?;
    let store = state.store.read();
    let paths = vec![vec!["Id".to_string()], vec!["Name".to_string()]];
    let recent: Vec<Value> = match obj.name {
        "Account" => store
            .accounts()
            .rev()
            .filter(|r| !r.deleted)
            .take(10)
            .map(|r| project(&store, Target::Account(r), &paths, v))
            .collect(),
        "RecordType" => state
            .schema
            .account
            .record_types
            .iter()
            .map(|t| project(&store, Target::RecordType(t), &paths, v))
            .collect(),
        _ => store
            .users
            .iter()
            .map(|u| project(&store, Target::User(u), &paths, v))
            .collect(),
    };
    Ok(json_response(
        StatusCode::OK,
        &json!({"objectDescribe": obj.summary(&v.number()), "recentItems": recent}),
    ))
}

/// `GET /sobjects/{type}/describe`: fields with types, lengths, flags and picklist values.
pub async fn sobject_describe(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, sobject)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    let obj = sobject_type(&state.schema, &sobject)?;
    Ok(json_response(StatusCode::OK, &obj.describe(&v.number())))
}
