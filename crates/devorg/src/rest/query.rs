//! Query (`GET /query?q=`), QueryAll (`GET /queryAll?q=`, deleted records included) and their
//! `nextRecordsUrl` pages (`GET /query/<locator>-<offset>`), honouring `Sforce-Query-Options: batchSize`;
//! aggregate queries answer `AggregateResult` rows.
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
use crate::soql::{self, SelectItem};
use crate::store::{AccountRow, Cursor, Record, RecordTypeRow, SchemaCatalog, Store, UserRow};
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
    let columns = params.get("columns").is_some_and(|c| c == "true");
    run(&state, &version, params.get("q"), &headers, false, columns)
}

/// `GET /queryAll?q=`: like query, with deleted records (`IsDeleted = true`).
pub async fn query_all(
    _auth: Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let columns = params.get("columns").is_some_and(|c| c == "true");
    run(&state, &version, params.get("q"), &headers, true, columns)
}

fn soql_error(e: soql::SoqlError) -> ApiError {
    ApiError::bad_request(e.error_code(), e.message())
}

fn run(
    state: &AppState,
    version: &str,
    q: Option<&String>,
    headers: &HeaderMap,
    all: bool,
    columns: bool,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(version)?;
    let Some(q) = q.filter(|q| !q.trim().is_empty()) else {
        return Err(ApiError::bad_request(
            "MALFORMED_QUERY",
            "A query string has to be specified",
        ));
    };
    let schema = &state.schema;
    let parsed = soql::resolve(soql::parse(q).map_err(soql_error)?, &SchemaCatalog(schema))
        .map_err(soql_error)?;
    let obj = schema.object(&parsed.object).ok_or_else(|| {
        ApiError::bad_request(
            "INVALID_TYPE",
            format!("\n{q}\n^\nERROR at Row:1:Column:1\nsObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", parsed.object),
        )
    })?;
    if columns {
        return Ok(json_response(
            StatusCode::OK,
            &super::query_columns::column_metadata(schema, obj, &parsed),
        ));
    }
    if soql::is_aggregate(&parsed) {
        return Ok(aggregate_result(state, &parsed, all));
    }
    let count_only = parsed.select.iter().any(|s| matches!(s, SelectItem::Count));
    // Canonical SELECT paths (defensive: resolve already checked them), without duplicates.
    let mut paths: Vec<Vec<String>> = vec![];
    for item in &parsed.select {
        if let SelectItem::Field(fp) = item {
            let (canonical, _) = schema.resolve_path(obj, &fp.0).ok_or_else(|| {
                ApiError::bad_request(
                    "INVALID_FIELD",
                    format!("No such column '{}' on entity '{}'.", fp.dotted(), obj.name),
                )
            })?;
            if !paths.contains(&canonical) {
                paths.push(canonical);
            }
        }
    }
    let today = chrono::Utc::now().date_naive();
    let store = state.store.read();
    let batch = batch_size(headers);
    // The org's users and record types are few: one page, no locator.
    let small: Option<Vec<Target>> = match obj.name {
        "User" => {
            let rows = store.users.iter().map(|user| UserRow { user }).collect();
            let rows = soql::run(&parsed, rows, today);
            Some(rows.iter().map(|row| Target::User(row.user)).collect())
        }
        "RecordType" => {
            let rows = schema
                .account
                .record_types
                .iter()
                .map(|record_type| RecordTypeRow {
                    record_type,
                    store: &store,
                })
                .collect();
            let rows = soql::run(&parsed, rows, today);
            Some(
                rows.iter()
                    .map(|row| Target::RecordType(row.record_type))
                    .collect(),
            )
        }
        _ => None,
    };
    if let Some(targets) = small {
        let records: Vec<Value> = if count_only {
            vec![]
        } else {
            targets
                .iter()
                .map(|t| project(&store, *t, &paths, v))
                .collect()
        };
        return Ok(json_response(
            StatusCode::OK,
            &json!({"totalSize": targets.len(), "done": true, "records": records}),
        ));
    }
    // The ids of the result in order, and its first page's records.
    let (ids, first): (Vec<[u8; 18]>, Vec<&Record>) = match name_order(&parsed, all) {
        // The list's usual query reads the Name index: no sort, and only one page of records read.
        Some((descending, nulls_last)) => {
            let ids = store.ids_by_name(descending, nulls_last);
            let offset = parsed.offset.unwrap_or(0).min(ids.len());
            let end = parsed
                .limit
                .map_or(ids.len(), |l| offset.saturating_add(l))
                .min(ids.len());
            let ids = &ids[offset..end];
            let first = ids[..ids.len().min(batch)]
                .iter()
                .filter_map(|id| store.account(id))
                .collect();
            (ids.iter().map(|id| id_bytes(id)).collect(), first)
        }
        None => {
            let rows: Vec<AccountRow> = store
                .accounts()
                .filter(|r| all || !r.deleted)
                .map(|rec| AccountRow { rec, store: &store })
                .collect();
            let rows = soql::run(&parsed, rows, today);
            let first = rows.iter().take(batch).map(|row| row.rec).collect();
            (
                rows.iter().map(|row| id_bytes(&row.rec.id)).collect(),
                first,
            )
        }
    };
    let total = ids.len();
    if count_only {
        return Ok(json_response(
            StatusCode::OK,
            &json!({"totalSize": total, "done": true, "records": []}),
        ));
    }
    // The first page is printed straight from the rows; only later pages go through the locator.
    let records: Vec<Value> = first
        .into_iter()
        .map(|rec| project(&store, Target::Account(rec), &paths, v))
        .collect();
    let mut body = json!({"totalSize": total, "done": total <= batch});
    if total > batch {
        let cursor = Cursor {
            ids,
            object: obj.name.to_string(),
            paths: Arc::new(paths),
            batch,
        };
        let locator = store.cursors.lock().open(&store.org_tag, cursor);
        body["nextRecordsUrl"] = Value::String(next_url(v, all, &locator, batch));
    }
    body["records"] = Value::Array(records);
    Ok(json_response(StatusCode::OK, &body))
}

/// An aggregate query's answer: its `AggregateResult` rows (attributes without a url, as
/// Salesforce prints them), all on one page.
fn aggregate_result(state: &AppState, parsed: &soql::Query, all: bool) -> Response {
    let today = chrono::Utc::now().date_naive();
    let store = state.store.read();
    let rows = match parsed.object.as_str() {
        "User" => {
            let rows = store.users.iter().map(|user| UserRow { user }).collect();
            soql::aggregate(parsed, rows, today)
        }
        "RecordType" => {
            let rows = state
                .schema
                .account
                .record_types
                .iter()
                .map(|record_type| RecordTypeRow {
                    record_type,
                    store: &store,
                })
                .collect();
            soql::aggregate(parsed, rows, today)
        }
        _ => {
            let rows = store
                .accounts()
                .filter(|r| all || !r.deleted)
                .map(|rec| AccountRow { rec, store: &store })
                .collect();
            soql::aggregate(parsed, rows, today)
        }
    };
    let records: Vec<Value> = rows
        .into_iter()
        .map(|columns| {
            let mut record = serde_json::Map::new();
            record.insert("attributes".into(), json!({"type": "AggregateResult"}));
            record.extend(columns);
            Value::Object(record)
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"totalSize": records.len(), "done": true, "records": records}),
    )
}

/// `Some((descending, nulls_last))` when the query is a plain `ORDER BY Name …` over live accounts
/// with no WHERE clause: an order the store's Name index gives without sorting.
fn name_order(query: &soql::Query, all: bool) -> Option<(bool, bool)> {
    match query.order_by.as_slice() {
        [o] if !all
            && query.filter.is_none()
            && matches!(o.field.0.as_slice(), [f] if f.eq_ignore_ascii_case("Name")) =>
        {
            Some((o.descending, o.nulls_last))
        }
        _ => None,
    }
}

/// An 18-character id as inline bytes (ids are ASCII by construction).
fn id_bytes(id: &str) -> [u8; 18] {
    let mut out = [b'0'; 18];
    out.copy_from_slice(&id.as_bytes()[..18]);
    out
}

fn next_url(v: ApiVersion, all: bool, locator: &str, offset: usize) -> String {
    let resource = if all { "queryAll" } else { "query" };
    format!("{}/{resource}/{locator}-{offset}", v.base())
}

/// The page of `cursor` starting at `offset`, with `nextRecordsUrl` while more remain.
fn page(
    store: &Store,
    cursor: &Cursor,
    locator: &str,
    offset: usize,
    v: ApiVersion,
    all: bool,
) -> Response {
    let end = (offset + cursor.batch).min(cursor.ids.len());
    let records: Vec<Value> = cursor.ids[offset.min(end)..end]
        .iter()
        .filter_map(|id| store.account(std::str::from_utf8(id).ok()?))
        .map(|rec| project(store, Target::Account(rec), &cursor.paths, v))
        .collect();
    let done = end >= cursor.ids.len();
    let mut body = json!({"totalSize": cursor.ids.len(), "done": done});
    if !done {
        body["nextRecordsUrl"] = Value::String(next_url(v, all, locator, end));
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
