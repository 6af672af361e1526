//! Query (`GET /query?q=`), QueryAll (`GET /queryAll?q=`, deleted records included) and their
//! `nextRecordsUrl` pages (`GET /query/<locator>-<offset>`), honouring `Sforce-Query-Options: batchSize`.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm>

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::auth::Authed;
use super::{project, ApiVersion, Target};
use crate::error::{json_response, ApiError};
use crate::schema;
use crate::soql::{self, SelectItem};
use crate::store::{resolve_path, AccountRow, Cursor, SchemaCatalog, Store, UserRow};
use crate::AppState;

/// Default, smallest and largest page sizes (Salesforce: 2,000 by default, 200..=2,000 on request).
pub const DEFAULT_BATCH: usize = 2000;
pub const MIN_BATCH: usize = 200;

/// `batchSize` from `Sforce-Query-Options`, clamped to what Salesforce allows.
fn batch_size(headers: &HeaderMap) -> usize {
    headers
        .get("sforce-query-options")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split([',', ';'])
                .filter_map(|part| part.trim().strip_prefix("batchSize="))
                .find_map(|n| n.trim().parse::<usize>().ok())
        })
        .map_or(DEFAULT_BATCH, |n| n.clamp(MIN_BATCH, DEFAULT_BATCH))
}

/// `GET /query?q=`
pub async fn query(
    _auth: Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    run(&state, &version, params.get("q"), &headers, false)
}

/// `GET /queryAll?q=`: like query, with deleted records (`IsDeleted = true`).
pub async fn query_all(
    _auth: Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    run(&state, &version, params.get("q"), &headers, true)
}

fn soql_error(e: soql::SoqlError) -> ApiError {
    ApiError::bad_request(e.error_code(), e.message())
}

fn run(state: &AppState, version: &str, q: Option<&String>, headers: &HeaderMap, all: bool) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(version)?;
    let Some(q) = q.filter(|q| !q.trim().is_empty()) else {
        return Err(ApiError::bad_request(
            "MALFORMED_QUERY",
            "A query string has to be specified",
        ));
    };
    let parsed = soql::resolve(soql::parse(q).map_err(soql_error)?, &SchemaCatalog).map_err(soql_error)?;
    let obj = schema::object(&parsed.object).ok_or_else(|| {
        ApiError::bad_request(
            "INVALID_TYPE",
            format!("\n{q}\n^\nERROR at Row:1:Column:1\nsObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", parsed.object),
        )
    })?;
    let count_only = parsed.select.iter().any(|s| matches!(s, SelectItem::Count));
    // Canonical SELECT paths (defensive: resolve already checked them), without duplicates.
    let mut paths: Vec<Vec<String>> = vec![];
    for item in &parsed.select {
        if let SelectItem::Field(fp) = item {
            let (canonical, _) = resolve_path(obj, &fp.0).ok_or_else(|| {
                ApiError::bad_request("INVALID_FIELD", format!("No such column '{}' on entity '{}'.", fp.dotted(), obj.name))
            })?;
            if !paths.contains(&canonical) {
                paths.push(canonical);
            }
        }
    }
    let today = chrono::Utc::now().date_naive();
    let store = state.store.read();
    let ids: Vec<Option<String>> = match obj.name {
        "Account" => {
            let rows: Vec<AccountRow> = store
                .accounts()
                .filter(|r| all || !r.deleted)
                .map(|rec| AccountRow { rec, store: &store })
                .collect();
            soql::run(&parsed, rows, today).into_iter().map(|r| Some(r.rec.id.clone())).collect()
        }
        _ => soql::run(&parsed, vec![UserRow { store: &store }], today)
            .into_iter()
            .map(|_| None)
            .collect(),
    };
    let total = ids.len();
    if count_only {
        return Ok(json_response(StatusCode::OK, &json!({"totalSize": total, "done": true, "records": []})));
    }
    let batch = batch_size(headers);
    if obj.name == "User" || total <= batch {
        let records: Vec<Value> = ids
            .iter()
            .map(|id| record(&store, id.as_deref(), &paths, v))
            .collect();
        return Ok(json_response(StatusCode::OK, &json!({"totalSize": total, "done": true, "records": records})));
    }
    let ids: Vec<String> = ids.into_iter().flatten().collect();
    let cursor = Cursor {
        ids: Arc::new(ids),
        object: obj.name.to_string(),
        paths: Arc::new(paths),
        batch,
    };
    let locator = store.cursors.lock().open(&store.org_tag, cursor);
    let cursor = store.cursors.lock().get(&locator).expect("just opened");
    Ok(page(&store, &cursor, &locator, 0, v, all))
}

/// One printed record (Account by id, or the user).
fn record(store: &Store, id: Option<&str>, paths: &[Vec<String>], v: ApiVersion) -> Value {
    match id.and_then(|id| store.account(id)) {
        Some(rec) => project(store, Target::Account(rec), paths, v),
        None => project(store, Target::User, paths, v),
    }
}

/// The page of `cursor` starting at `offset`, with `nextRecordsUrl` while more remain.
fn page(store: &Store, cursor: &Cursor, locator: &str, offset: usize, v: ApiVersion, all: bool) -> Response {
    let end = (offset + cursor.batch).min(cursor.ids.len());
    let records: Vec<Value> = cursor.ids[offset.min(end)..end]
        .iter()
        .map(|id| record(store, Some(id), &cursor.paths, v))
        .collect();
    let done = end >= cursor.ids.len();
    let mut body = json!({"totalSize": cursor.ids.len(), "done": done});
    if !done {
        let resource = if all { "queryAll" } else { "query" };
        body["nextRecordsUrl"] = Value::String(format!("{}/{resource}/{locator}-{end}", v.base()));
    }
    body["records"] = Value::Array(records);
    json_response(StatusCode::OK, &body)
}

/// `GET /query/<locator>-<offset>`: the next page of an earlier query.
pub async fn query_more(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, locator)): Path<(String, String)>,
    uri: axum::http::Uri,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    let invalid = || ApiError::bad_request("INVALID_QUERY_LOCATOR", "invalid query locator");
    let (id, offset) = locator.rsplit_once('-').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    let store = state.store.read();
    let cursor = store.cursors.lock().get(id).ok_or_else(invalid)?;
    if offset > cursor.ids.len() {
        return Err(invalid());
    }
    let all = uri.path().contains("/queryAll/");
    Ok(page(&store, &cursor, id, offset, v, all))
}
