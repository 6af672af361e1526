//! sObject Collections (`/composite/sobjects`): create (POST), update (PATCH), upsert
//! (PATCH `/composite/sobjects/{type}/{field}`), delete (DELETE `?ids=`) and retrieve (GET/POST
//! `/composite/sobjects/{type}`), up to 200 records, per-item results with `statusCode` errors and
//! `allOrNone` rollback. An upsert key given twice fails both items (DUPLICATE_VALUE). Items listed
//! by `faults.take_collection_failures()` fail on purpose.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm>

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::auth::Authed;
use super::sobject::requested_paths;
use super::{parse_json, project, sobject_type, ApiVersion, Target};
use crate::error::{json_response, ApiError};
use crate::ids;
use crate::schema::Schema;
use crate::store::{external_key, now_ms, DmlError, Store, Undo, Upserted};
use crate::tokens::Session;
use crate::AppState;

/// Most records one call may carry.
pub const MAX_RECORDS: usize = 200;

fn too_many() -> ApiError {
    ApiError::bad_request(
        "EXCEEDED_ID_LIMIT",
        "record limit reached. cannot submit more than 200 records into this call",
    )
}

/// `{allOrNone, records}` from a collections body.
fn records_body(body: &Bytes) -> Result<(bool, Vec<Value>), ApiError> {
    let value = parse_json(body)?;
    let Value::Object(mut map) = value else {
        return Err(ApiError::json_parser(
            "Cannot deserialize instance of SObjectCollectionRequest from START_ARRAY value [ or request may be missing a required field at [line:1, column:1]",
        ));
    };
    let all_or_none = match map.get("allOrNone") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(ApiError::json_parser(format!(
                "Cannot deserialize instance of boolean from VALUE value {other} or request may be missing a required field"
            )))
        }
    };
    let records = match map.remove("records") {
        Some(Value::Array(records)) => records,
        None | Some(Value::Null) => {
            return Err(ApiError::bad_request("INVALID_FIELD", "The records field is required."))
        }
        Some(_) => {
            return Err(ApiError::json_parser(
                "Cannot deserialize instance of list from VALUE value or request may be missing a required field",
            ))
        }
    };
    if records.len() > MAX_RECORDS {
        return Err(too_many());
    }
    Ok((all_or_none, records))
}

/// An item's error result (`id` only when the caller named the record).
fn failure(id: Option<&str>, err: &DmlError) -> Value {
    let mut item = json!({"success": false, "errors": [err.to_item()]});
    if let Some(id) = id {
        item["id"] = Value::String(id.to_string());
    }
    item
}

fn injected() -> DmlError {
    DmlError::new(
        "UNKNOWN_EXCEPTION",
        "An unexpected error occurred (injected by devorg's fault controls).",
    )
}

fn rolled_back() -> DmlError {
    DmlError::new(
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "Record rolled back because not all records were valid and the request was using AllOrNone header",
    )
}

/// The record's type from `attributes.type`; Account is the only writable type.
fn record_fields(schema: &Schema, record: &Value) -> Result<Map<String, Value>, DmlError> {
    let Value::Object(map) = record else {
        return Err(DmlError::new(
            "JSON_PARSER_ERROR",
            "Each record must be a JSON object.",
        ));
    };
    let type_name = map
        .get("attributes")
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str);
    match type_name.map(|t| schema.object(t)) {
        None => Err(DmlError::new(
            "INVALID_TYPE",
            "Must send a concrete entity type.",
        )),
        Some(None) => Err(DmlError::new(
            "INVALID_TYPE",
            format!(
                "sObject type '{}' is not supported.",
                type_name.unwrap_or_default()
            ),
        )),
        Some(Some(obj)) if obj.name != "Account" => Err(DmlError::new(
            "INVALID_TYPE_FOR_OPERATION",
            format!("entity type {} does not support this operation", obj.name),
        )),
        Some(Some(_)) => Ok(map.clone()),
    }
}

/// An item's failure: the id to report (when the caller named the record) and why.
type ItemError = (Option<String>, DmlError);

/// `fields` with its relationship keys looked up in `store` (before any item of the call is written).
fn resolved(store: &Store, fields: &Map<String, Value>) -> Result<Map<String, Value>, DmlError> {
    store.resolve_references(fields).map(|f| f.into_owned())
}

/// What one item did, after its own checks.
type ItemResult = Result<(Value, Option<Undo>), ItemError>;

/// Runs the items under one write lock: first `prepare` checks each one against the org as it
/// was before the call (so a relationship key cannot name a record created earlier in the same
/// call, as in one DML statement or Bulk job), then `write` applies them in order (getting the
/// store, the session user's position and the prepared item); then allOrNone and injected
/// failures apply.
fn run_items<P>(
    state: &AppState,
    session: &Session,
    count: usize,
    all_or_none: bool,
    prepare: impl Fn(&Store, usize) -> Result<P, ItemError>,
    mut write: impl FnMut(&mut Store, usize, P) -> ItemResult,
) -> Response {
    let failing = state.faults.take_collection_failures();
    let mut store = state.store.write();
    let by = store.user_index(&session.user_id);
    let prepared: Vec<Result<P, ItemError>> = (0..count).map(|i| prepare(&store, i)).collect();
    let mut log = vec![];
    let mut results: Vec<Result<Value, ItemError>> = Vec::with_capacity(count);
    for (i, item) in prepared.into_iter().enumerate() {
        if failing.contains(&i) {
            results.push(Err((None, injected())));
            continue;
        }
        match item.and_then(|p| write(&mut store, by, p)) {
            Ok((value, undo)) => {
                log.extend(undo);
                results.push(Ok(value));
            }
            Err(e) => results.push(Err(e)),
        }
    }
    let any_failed = results.iter().any(Result::is_err);
    if all_or_none && any_failed {
        store.rollback(log);
    }
    let items: Vec<Value> = results
        .into_iter()
        .map(|r| match r {
            Err((id, e)) => failure(id.as_deref(), &e),
            Ok(ok) if all_or_none && any_failed => failure(ok["id"].as_str(), &rolled_back()),
            Ok(ok) => ok,
        })
        .collect();
    json_response(StatusCode::OK, &items)
}

/// `POST /composite/sobjects`: create.
pub async fn collections_create(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    super::Body(body): super::Body,
) -> Result<Response, ApiError> {
    ApiVersion::parse(&version)?;
    let (all_or_none, records) = records_body(&body)?;
    let now = now_ms();
    Ok(run_items(
        &state,
        &session,
        records.len(),
        all_or_none,
        |store, i| {
            let fields = record_fields(&state.schema, &records[i]).map_err(|e| (None, e))?;
            if fields.keys().any(|k| k.eq_ignore_ascii_case("id")) {
                return Err((
                    None,
                    DmlError::new(
                        "INVALID_FIELD",
                        "Can't specify an Id field in a create call",
                    ),
                ));
            }
            resolved(store, &fields).map_err(|e| (None, e))
        },
        |store, by, fields| {
            let (id, undo) = store.insert_by(by, &fields, now).map_err(|e| (None, e))?;
            Ok((json!({"id": id, "success": true, "errors": []}), Some(undo)))
        },
    ))
}

/// `PATCH /composite/sobjects`: update; each record carries its `id`.
pub async fn collections_update(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    super::Body(body): super::Body,
) -> Result<Response, ApiError> {
    ApiVersion::parse(&version)?;
    let (all_or_none, records) = records_body(&body)?;
    let now = now_ms();
    Ok(run_items(
        &state,
        &session,
        records.len(),
        all_or_none,
        |store, i| {
            let fields = record_fields(&state.schema, &records[i]).map_err(|e| (None, e))?;
            let given = fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("id"))
                .and_then(|(_, v)| v.as_str())
                .map(str::to_string);
            let Some(given) = given else {
                return Err((
                    None,
                    DmlError::new("MISSING_ARGUMENT", "Id not specified in an update call"),
                ));
            };
            let id = match ids::normalize(&given) {
                Some(id) if id.starts_with("001") => id,
                _ => {
                    let mut e = DmlError::new(
                        "MALFORMED_ID",
                        format!("Account ID: id value of incorrect type: {given}"),
                    );
                    e.fields = vec!["Id".into()];
                    return Err((Some(given), e));
                }
            };
            let fields = resolved(store, &fields).map_err(|e| (Some(id.clone()), e))?;
            Ok((id, fields))
        },
        |store, by, (id, fields)| {
            let undo = store.update(by, &id, &fields, now).map_err(|e| {
                let e = if e.code == "NOT_FOUND" {
                    DmlError::new("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
                } else {
                    e
                };
                (Some(id.clone()), e)
            })?;
            Ok((json!({"id": id, "success": true, "errors": []}), Some(undo)))
        },
    ))
}

/// `PATCH /composite/sobjects/{type}/{field}`: upsert by an external id field.
pub async fn collections_upsert(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path((version, sobject, field)): Path<(String, String, String)>,
    super::Body(body): super::Body,
) -> Result<Response, ApiError> {
    ApiVersion::parse(&version)?;
    let obj = sobject_type(&state.schema, &sobject)?;
    let ext = obj
        .field(&field)
        .filter(|f| f.external_id && obj.name == "Account")
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("Provided external ID field does not exist or is not accessible: {field}"),
            )
        })?;
    let (all_or_none, records) = records_body(&body)?;
    // Documented for upsert: a key given twice in one call fails both records.
    let keys: Vec<Option<String>> = records
        .iter()
        .map(|r| {
            let map = r.as_object()?;
            let (_, v) = map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&ext.name))?;
            external_key(ext, v)
        })
        .collect();
    let twice = |i: usize| {
        keys[i]
            .as_ref()
            .is_some_and(|k| keys.iter().filter(|o| o.as_ref() == Some(k)).count() > 1)
    };
    let now = now_ms();
    Ok(run_items(
        &state,
        &session,
        records.len(),
        all_or_none,
        |store, i| {
            let fields = record_fields(&state.schema, &records[i]).map_err(|e| (None, e))?;
            if fields.keys().any(|k| k.eq_ignore_ascii_case("id")) {
                return Err((
                    None,
                    DmlError::new(
                        "INVALID_FIELD",
                        "Can't specify an Id field in an upsert call with an external ID field",
                    ),
                ));
            }
            if twice(i) {
                let given = fields
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&ext.name))
                    .map(|(_, v)| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .unwrap_or_default();
                return Err((
                    None,
                    DmlError::new(
                        "DUPLICATE_VALUE",
                        format!("Duplicate external id specified: {given}"),
                    ),
                ));
            }
            let value = match fields
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&ext.name))
                .map(|(_, v)| v)
            {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => {
                    return Err((
                        None,
                        DmlError::new("MISSING_ARGUMENT", format!("{} not specified", ext.name)),
                    ))
                }
            };
            Ok((value, resolved(store, &fields).map_err(|e| (None, e))?))
        },
        |store, by, (value, fields)| {
            let (outcome, undo) = store
                .upsert(by, ext, &value, &fields, now)
                .map_err(|e| (None, e))?;
            match outcome {
                Upserted::Created(id) => Ok((
                    json!({"id": id, "success": true, "errors": [], "created": true}),
                    undo,
                )),
                Upserted::Updated(id) => Ok((
                    json!({"id": id, "success": true, "errors": [], "created": false}),
                    undo,
                )),
                Upserted::Multiple(ids) => Err((
                    None,
                    DmlError::new(
                        "DUPLICATE_EXTERNAL_ID",
                        format!(
                            "{}: more than one record found for external id field: [{}]",
                            ext.label,
                            ids.join(", ")
                        ),
                    ),
                )),
            }
        },
    ))
}

/// `DELETE /composite/sobjects?ids=…&allOrNone=…`
pub async fn collections_delete(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    ApiVersion::parse(&version)?;
    let given: Vec<String> = params
        .get("ids")
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if given.is_empty() {
        return Err(ApiError::bad_request(
            "MISSING_ARGUMENT",
            "ids parameter is required",
        ));
    }
    if given.len() > MAX_RECORDS {
        return Err(too_many());
    }
    let all_or_none = params
        .get("allOrNone")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let now = now_ms();
    Ok(run_items(
        &state,
        &session,
        given.len(),
        all_or_none,
        |_, i| {
            let raw = &given[i];
            ids::normalize(raw)
                .filter(|id| id.starts_with("001"))
                .ok_or_else(|| {
                    (
                        Some(raw.clone()),
                        DmlError::new("MALFORMED_ID", format!("malformed id {raw}")),
                    )
                })
        },
        |store, by, id: String| {
            let undo = store.delete(by, &id, now).map_err(|e| {
                let e = if e.code == "NOT_FOUND" {
                    DmlError::new("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
                } else {
                    e
                };
                (Some(id.clone()), e)
            })?;
            Ok((json!({"id": id, "success": true, "errors": []}), Some(undo)))
        },
    ))
}

/// `GET /composite/sobjects/{type}?ids=…&fields=…`: records in request order, `null` for ids
/// that match nothing.
pub async fn collections_retrieve(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, sobject)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let ids: Vec<String> = params
        .get("ids")
        .map(|s| {
            s.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    retrieve(
        &state,
        &version,
        &sobject,
        ids,
        params.get("fields").cloned(),
    )
}

/// `POST /composite/sobjects/{type}` with `{"ids": [...], "fields": [...]}` (for long id lists).
pub async fn collections_retrieve_post(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, sobject)): Path<(String, String)>,
    super::Body(body): super::Body,
) -> Result<Response, ApiError> {
    let body = parse_json(&body)?;
    let strings = |key: &str| -> Vec<String> {
        body.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let fields = strings("fields");
    let fields = (!fields.is_empty()).then(|| fields.join(","));
    retrieve(&state, &version, &sobject, strings("ids"), fields)
}

fn retrieve(
    state: &AppState,
    version: &str,
    sobject: &str,
    ids: Vec<String>,
    fields: Option<String>,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(version)?;
    let obj = sobject_type(&state.schema, sobject)?;
    if ids.is_empty() {
        return Err(ApiError::bad_request(
            "MISSING_ARGUMENT",
            "ids parameter is required",
        ));
    }
    if ids.len() > 2000 {
        return Err(ApiError::bad_request(
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 2000 records into this call",
        ));
    }
    let paths = requested_paths(&state.schema, obj, fields.as_ref())?;
    let store = state.store.read();
    let mut out = Vec::with_capacity(ids.len());
    for raw in &ids {
        let Some(id) = ids::normalize(raw) else {
            return Err(ApiError::malformed_id(obj.label, raw));
        };
        let value = match obj.name {
            "User" => match store.user(&id) {
                Some(user) => project(&store, Target::User(user), &paths, v),
                None => Value::Null,
            },
            "Account" => match store.live_account(&id) {
                Ok(rec) => project(&store, Target::Account(rec), &paths, v),
                Err(_) => Value::Null,
            },
            "RecordType" => match state.schema.account.record_type(&id) {
                Some(t) => project(&store, Target::RecordType(t), &paths, v),
                None => Value::Null,
            },
            _ => Value::Null,
        };
        out.push(value);
    }
    Ok(json_response(StatusCode::OK, &out))
}
