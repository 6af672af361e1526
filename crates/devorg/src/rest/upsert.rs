//! sObject Rows by External ID: upsert (`PATCH /sobjects/{type}/{field}/{value}`), retrieve (`GET`)
//! and delete (`DELETE`). Upsert answers 201 created, 200 `created:false` (API 46.0+; 204 before),
//! 300 with the matching record URLs, or 404 for a field that is not an external id.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_upsert.htm>

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::auth::Authed;
use super::sobject::{requested_paths, url_record_id};
use super::{
    no_content, parse_record_body, project, sobject_type, writable_type, ApiVersion, Target,
};
use crate::error::{json_response, ApiError};
use crate::schema::{Field, SObject};
use crate::store::{now_ms, Store, Upserted};
use crate::tokens::Session;
use crate::AppState;

/// API version that added `created` to upsert results and 200 (not 204) for updates.
const UPSERT_CREATED_FLAG: u32 = 46;

/// How the URL names the record(s).
enum Key<'a> {
    Id(String),
    External(&'a Field, String),
}

/// The external id field from the URL: `Id` or a field with `externalId`, else 404.
fn key<'a>(obj: &'a SObject, field: &str, value: &str) -> Result<Key<'a>, ApiError> {
    if field.eq_ignore_ascii_case("Id") {
        return Ok(Key::Id(url_record_id(obj, value)?));
    }
    match obj.field(field) {
        Some(f) if f.external_id => Ok(Key::External(f, value.to_string())),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {field}"),
        )),
    }
}

/// Live records the key names.
fn matches(store: &Store, key: &Key) -> Vec<String> {
    match key {
        Key::Id(id) => store
            .live_account(id)
            .map(|r| vec![r.id.clone()])
            .unwrap_or_default(),
        Key::External(f, value) => store.find_by_external(f, value),
    }
}

/// 300 Multiple Choices: the URLs of every matching record.
fn multiple(v: ApiVersion, ids: &[String]) -> Response {
    let urls: Vec<String> = ids
        .iter()
        .map(|id| format!("{}/sobjects/Account/{id}", v.base()))
        .collect();
    json_response(StatusCode::MULTIPLE_CHOICES, &urls)
}

/// `PATCH /sobjects/{type}/{field}/{value}`
pub async fn sobject_upsert_by_external_id(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path((version, sobject, field, value)): Path<(String, String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
    super::Body(body): super::Body,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    let obj = writable_type(&state.schema, &sobject, &Method::PATCH)?;
    upsert(&state, &session, v, obj, &field, &value, &params, &body)
}

/// `POST /sobjects/{type}/{field}/{value}?_HttpMethod=PATCH`
pub async fn sobject_upsert_post(
    auth: Authed,
    state: State<AppState>,
    path: Path<(String, String, String, String)>,
    params: Query<HashMap<String, String>>,
    super::Body(body): super::Body,
) -> Result<Response, ApiError> {
    match params.get("_HttpMethod") {
        Some(m) if m.eq_ignore_ascii_case("PATCH") => {
            sobject_upsert_by_external_id(auth, state, path, params, super::Body(body)).await
        }
        _ => Err(super::method_not_allowed("GET,PATCH,DELETE,HEAD")),
    }
}

#[allow(clippy::too_many_arguments)]
fn upsert(
    state: &AppState,
    session: &Session,
    v: ApiVersion,
    obj: &SObject,
    field: &str,
    value: &str,
    params: &HashMap<String, String>,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let key = key(obj, field, value)?;
    let fields = parse_record_body(body)?;
    let update_only = params
        .get("updateOnly")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let mut store = state.store.write();
    let by = store.user_index(&session.user_id);
    let now = now_ms();
    let outcome = match &key {
        Key::Id(id) => {
            store.live_account(id).map_err(|e| e.to_api())?;
            store.update(by, id, &fields, now).map_err(|e| e.to_api())?;
            Upserted::Updated(id.clone())
        }
        Key::External(f, value) => {
            if update_only && matches(&store, &key).is_empty() {
                return Err(ApiError::not_found());
            }
            store
                .upsert(by, f, value, &fields, now)
                .map_err(|e| e.to_api())?
                .0
        }
    };
    let with_flag = v.0 >= UPSERT_CREATED_FLAG;
    Ok(match outcome {
        Upserted::Created(id) => {
            let mut body = json!({"id": id, "success": true, "errors": []});
            if with_flag {
                body["created"] = Value::Bool(true);
            }
            json_response(StatusCode::CREATED, &body)
        }
        Upserted::Updated(id) if with_flag => json_response(
            StatusCode::OK,
            &json!({"id": id, "success": true, "errors": [], "created": false}),
        ),
        Upserted::Updated(_) => no_content(),
        Upserted::Multiple(ids) => multiple(v, &ids),
    })
}

/// `GET /sobjects/{type}/{field}/{value}?fields=…`
pub async fn sobject_get_by_external_id(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, sobject, field, value)): Path<(String, String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    let obj = sobject_type(&state.schema, &sobject)?;
    if obj.name != "Account" {
        return Err(ApiError::not_found());
    }
    let key = key(obj, &field, &value)?;
    let paths = requested_paths(&state.schema, obj, params.get("fields"))?;
    let store = state.store.read();
    match matches(&store, &key).as_slice() {
        [] => Err(ApiError::not_found()),
        [one] => {
            let rec = store.live_account(one).map_err(|e| e.to_api())?;
            Ok(json_response(
                StatusCode::OK,
                &project(&store, Target::Account(rec), &paths, v),
            ))
        }
        many => Ok(multiple(v, many)),
    }
}

/// `DELETE /sobjects/{type}/{field}/{value}`
pub async fn sobject_delete_by_external_id(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path((version, sobject, field, value)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    let obj = writable_type(&state.schema, &sobject, &Method::DELETE)?;
    let key = key(obj, &field, &value)?;
    let mut store = state.store.write();
    match matches(&store, &key).as_slice() {
        [] => Err(ApiError::not_found()),
        [one] => {
            let one = one.clone();
            super::sobject::delete(&mut store, &session, &one)
        }
        many => Ok(multiple(v, many)),
    }
}
