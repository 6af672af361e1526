//! sObject Rows (`GET`/`PATCH`/`DELETE /sobjects/{type}/{id}`) and sObject Create
//! (`POST /sobjects/{type}/`), with the `?_HttpMethod=PATCH` override for clients that cannot PATCH.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm>

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::auth::Authed;
use super::{
    all_paths, no_content, parse_record_body, project, sobject_type, writable_type, ApiVersion,
    Target,
};
use crate::error::{json_response, ApiError};
use crate::ids;
use crate::schema::{SObject, Schema};
use crate::store::{now_ms, Store};
use crate::tokens::Session;
use crate::AppState;

/// The record id from the URL, checked the way Salesforce does: a segment that is not an id at all
/// is read as an external id field name (hence its odd 404 message); an id of another object is 404.
pub fn url_record_id(obj: &SObject, segment: &str) -> Result<String, ApiError> {
    let Some(id) = ids::normalize(segment) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {segment}"),
        ));
    };
    if !id.starts_with(obj.key_prefix) {
        return Err(ApiError::not_found());
    }
    Ok(id)
}

/// The `fields` parameter as canonical paths, or INVALID_FIELD naming the first unknown one.
pub fn requested_paths(
    schema: &Schema,
    obj: &SObject,
    fields: Option<&String>,
) -> Result<Vec<Vec<String>>, ApiError> {
    let Some(list) = fields.filter(|f| !f.trim().is_empty()) else {
        return Ok(all_paths(obj));
    };
    list.split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| {
            let path: Vec<String> = f.split('.').map(str::to_string).collect();
            schema.resolve_path(obj, &path).map(|(p, _)| p).ok_or_else(|| {
                ApiError::bad_request(
                    "INVALID_FIELD",
                    format!(
                        "No such column '{f}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                        obj.name
                    ),
                )
            })
        })
        .collect()
}

/// `GET /sobjects/{type}/{id}?fields=…`
pub async fn sobject_get(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, sobject, id)): Path<(String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    let obj = sobject_type(&state.schema, &sobject)?;
    let id = url_record_id(obj, &id)?;
    let paths = requested_paths(&state.schema, obj, params.get("fields"))?;
    let store = state.store.read();
    let target = match obj.name {
        "User" => Target::User(store.user(&id).ok_or_else(ApiError::not_found)?),
        "RecordType" => Target::RecordType(
            state
                .schema
                .account
                .record_type(&id)
                .ok_or_else(ApiError::not_found)?,
        ),
        _ => Target::Account(store.live_account(&id).map_err(|e| e.to_api())?),
    };
    Ok(json_response(
        StatusCode::OK,
        &project(&store, target, &paths, v),
    ))
}

/// `POST /sobjects/{type}/`: 201 `{id, success, errors}`.
pub async fn sobject_create(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path((version, sobject)): Path<(String, String)>,
    super::Body(body): super::Body,
) -> Result<Response, ApiError> {
    ApiVersion::parse(&version)?;
    writable_type(&state.schema, &sobject, &Method::POST)?;
    create(&state, &session, &body)
}

fn create(state: &AppState, session: &Session, body: &Bytes) -> Result<Response, ApiError> {
    let fields = parse_record_body(body)?;
    let mut store = state.store.write();
    let by = store.user_index(&session.user_id);
    let (id, _) = store
        .insert_by(by, &fields, now_ms())
        .map_err(|e| e.to_api())?;
    Ok(json_response(
        StatusCode::CREATED,
        &json!({"id": id, "success": true, "errors": []}),
    ))
}

/// `PATCH /sobjects/{type}/{id}`: 204.
pub async fn sobject_update(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path((version, sobject, id)): Path<(String, String, String)>,
    super::Body(body): super::Body,
) -> Result<Response, ApiError> {
    ApiVersion::parse(&version)?;
    let obj = writable_type(&state.schema, &sobject, &Method::PATCH)?;
    let id = url_record_id(obj, &id)?;
    update(&state, &session, &id, &body)
}

fn update(
    state: &AppState,
    session: &Session,
    id: &str,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let fields = parse_record_body(body)?;
    let mut store = state.store.write();
    let by = store.user_index(&session.user_id);
    // A missing record is reported before a bad body, as Salesforce does.
    store.live_account(id).map_err(|e| e.to_api())?;
    store
        .update(by, id, &fields, now_ms())
        .map_err(|e| e.to_api())?;
    Ok(no_content())
}

/// `DELETE /sobjects/{type}/{id}`: 204; the record stays visible to `queryAll` with `IsDeleted`.
pub async fn sobject_delete(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path((version, sobject, id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    ApiVersion::parse(&version)?;
    let obj = writable_type(&state.schema, &sobject, &Method::DELETE)?;
    let id = url_record_id(obj, &id)?;
    delete(&mut state.store.write(), &session, &id)
}

pub(crate) fn delete(store: &mut Store, session: &Session, id: &str) -> Result<Response, ApiError> {
    let by = store.user_index(&session.user_id);
    store.delete(by, id, now_ms()).map_err(|e| e.to_api())?;
    Ok(no_content())
}

/// `POST /sobjects/{type}/{id}?_HttpMethod=PATCH` (method override), and `POST /sobjects/{type}/Id`
/// (create, the `Id` "external id" with no value).
pub async fn sobject_post_override(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path((version, sobject, id)): Path<(String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
    super::Body(body): super::Body,
) -> Result<Response, ApiError> {
    ApiVersion::parse(&version)?;
    let obj = writable_type(&state.schema, &sobject, &Method::POST)?;
    match params.get("_HttpMethod").map(String::as_str) {
        Some(m) if m.eq_ignore_ascii_case("PATCH") => {
            let id = url_record_id(obj, &id)?;
            update(&state, &session, &id, &body)
        }
        None if id == "Id" => create(&state, &session, &body),
        _ => Err(super::method_not_allowed("GET,PATCH,DELETE,HEAD")),
    }
}
