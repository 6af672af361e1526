//! Query jobs (`/jobs/query`): create (checked at once, then run in the background by the REST
//! API's SOQL engine), job info, results as CSV pages (`Sforce-Locator`, `Sforce-NumberOfRecords`),
//! `resultPages` (v58.0+, the locators in the body), abort, delete and the job list.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm>

use std::borrow::Cow;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::ingest::aborting_finished;
use super::jobs::{JobInfo, JobState, QueryJob, QueryResults};
use super::{
    bulk_error, content_type_from_body, csv_io, invalid_property, json_object, list_page, locator,
    locator_offset, not_terminated, string_property, version_since, Delimiter, LineEnding,
    BATCH_RECORDS, QUERY_SINCE, RESULT_PAGES_SINCE,
};
use crate::error::{json_response, ApiError};
use crate::rest::auth::Authed;
use crate::rest::{ApiVersion, Body as JsonBody};
use crate::soql::{self, SelectItem};
use crate::store::{now_ms, AccountRow, RecordTypeRow, SchemaCatalog, UserRow};
use crate::AppState;

/// Records in a results page when the request gives no `maxRecords` (Salesforce picks a size
/// from the records' size; see the README).
pub const DEFAULT_PAGE: usize = 100_000;

/// URLs per `resultPages` answer.
pub const RESULT_PAGES_PER_CALL: usize = 5;

fn unsupported(message: impl Into<String>) -> ApiError {
    bulk_error(StatusCode::BAD_REQUEST, "API_ERROR", message)
}

/// The first clause of `q` that Bulk API 2.0 refuses and the parser would not name: GROUP BY,
/// TYPEOF, a parent-to-child subquery, an aggregate function. Words inside quotes do not count.
fn refused_clause(q: &str) -> Option<ApiError> {
    let mut words: Vec<String> = vec![];
    let mut word = String::new();
    let mut chars = q.chars();
    let flush = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() {
            words.push(std::mem::take(word).to_ascii_uppercase());
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                flush(&mut word, &mut words);
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '\'' => break,
                        _ => {}
                    }
                }
                words.push("'".into());
            }
            c if c.is_alphanumeric() || c == '_' => word.push(c),
            '(' => {
                flush(&mut word, &mut words);
                words.push("(".into());
            }
            _ => flush(&mut word, &mut words),
        }
    }
    flush(&mut word, &mut words);
    const AGGREGATES: [&str; 6] = ["COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"];
    for w in words.windows(2) {
        match (w[0].as_str(), w[1].as_str()) {
            ("(", "SELECT") => {
                return Some(unsupported(
                    "Aggregate Relationships not supported in Bulk V2 Query with CSV content type.",
                ))
            }
            ("GROUP", "BY") => {
                return Some(unsupported(
                    "GROUP BY is not supported by Bulk API 2.0 queries",
                ))
            }
            (f, "(") if AGGREGATES.contains(&f) => {
                return Some(unsupported(format!(
                    "Aggregate functions such as {f}() are not supported by Bulk API 2.0 queries"
                )))
            }
            _ => {}
        }
    }
    words
        .iter()
        .any(|w| w == "TYPEOF")
        .then(|| unsupported("TYPEOF is not supported by Bulk API 2.0 queries"))
}

fn soql_error(e: soql::SoqlError) -> ApiError {
    ApiError::bad_request(e.error_code(), e.message())
}

/// A query checked as the REST API checks it, plus Bulk API 2.0's refusals; its object and
/// SELECT paths (canonical, in SELECT order).
fn checked(state: &AppState, q: &str) -> Result<(soql::Query, String, Vec<Vec<String>>), ApiError> {
    if let Some(e) = refused_clause(q) {
        return Err(e);
    }
    let schema = &state.schema;
    let parsed = soql::resolve(soql::parse(q).map_err(soql_error)?, &SchemaCatalog(schema))
        .map_err(soql_error)?;
    let obj = schema.object(&parsed.object).ok_or_else(|| {
        ApiError::bad_request(
            "INVALID_TYPE",
            format!("sObject type '{}' is not supported.", parsed.object),
        )
    })?;
    if parsed.offset.is_some() {
        return Err(unsupported(
            "OFFSET is not supported by Bulk API 2.0 queries",
        ));
    }
    let mut paths: Vec<Vec<String>> = vec![];
    for item in &parsed.select {
        match item {
            SelectItem::Count | SelectItem::Aggregate(_) => {
                return Err(unsupported(
                    "Aggregate functions such as COUNT() are not supported by Bulk API 2.0 queries",
                ))
            }
            SelectItem::Field(fp) => {
                let (canonical, field) = schema.resolve_path(obj, &fp.0).ok_or_else(|| {
                    ApiError::bad_request(
                        "INVALID_FIELD",
                        format!("No such column '{}' on entity '{}'.", fp.dotted(), obj.name),
                    )
                })?;
                if field.ftype == crate::schema::FieldType::Address {
                    return Err(unsupported(
                        "Selecting compound data not supported in Bulk Query",
                    ));
                }
                if !paths.contains(&canonical) {
                    paths.push(canonical);
                }
            }
        }
    }
    Ok((parsed, obj.name.to_string(), paths))
}

/// `POST /jobs/query`: 200 with the job info, `UploadComplete`; the query runs in the background.
pub async fn create_job(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let v = version_since(&version, QUERY_SINCE)?;
    let map = json_object(&body)?;
    let op = string_property(&map, "operation")?.unwrap_or_default();
    let operation = match op.as_str() {
        "query" => "query",
        "queryAll" => "queryAll",
        _ => return Err(invalid_property("operation", &op)),
    };
    let q = string_property(&map, "query")?.unwrap_or_default();
    if q.trim().is_empty() {
        return Err(invalid_property("query", &q));
    }
    content_type_from_body(&map)?;
    let delimiter = Delimiter::from_body(&map)?;
    let line_ending = LineEnding::from_body(&map)?;
    let (_, object, _) = checked(&state, &q)?;
    let now = now_ms();
    let job = QueryJob {
        info: JobInfo {
            id: state.bulk.next_id(&state.org.org_id[3..6]),
            operation,
            object,
            created_by: session.user_id.clone(),
            created: now,
            modstamp: now,
            state: JobState::UploadComplete,
            version: v,
            delimiter,
            line_ending,
            processed: 0,
            failed: 0,
            processing_ms: 0,
            error_message: None,
        },
        query: q,
        results: None,
    };
    let answer = job.to_json(false);
    let id = job.info.id.clone();
    state.bulk.add_query(job);
    let worker = state.clone();
    tokio::spawn(async move { run(worker, id).await });
    Ok(json_response(StatusCode::OK, &answer))
}

/// A value as a results CSV shows it: null and empty alike are an empty value.
fn text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::Null => Cow::Borrowed(""),
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

/// Appends one row to the results buffer and records where it ends.
fn push_row<'a>(
    out: &mut csv::Writer<Vec<u8>>,
    ends: &mut Vec<usize>,
    values: impl IntoIterator<Item = Cow<'a, str>>,
) {
    let values: Vec<Cow<'a, str>> = values.into_iter().collect();
    // Writing to a Vec cannot fail.
    let _ = out.write_record(values.iter().map(|v| v.as_bytes()));
    let _ = out.flush();
    ends.push(out.get_ref().len());
}

/// True while the job is still wanted (not aborted or deleted).
fn in_progress(state: &AppState, id: &str) -> bool {
    state
        .bulk
        .with_query(id, |job| job.info.state == JobState::InProgress)
        .unwrap_or(false)
}

/// Runs the query in the background: the matching ids are found under one read lock, then their
/// rows are written 10,000 at a time (yielding in between) into one CSV buffer.
async fn run(state: AppState, id: String) {
    tokio::task::yield_now().await;
    let started = Instant::now();
    let now = now_ms();
    let Some(Some((q, all, delimiter, line_ending))) = state.bulk.with_query(&id, |job| {
        (job.info.state == JobState::UploadComplete).then(|| {
            job.info.set_state(JobState::InProgress, now);
            (
                job.query.clone(),
                job.info.operation == "queryAll",
                job.info.delimiter,
                job.info.line_ending,
            )
        })
    }) else {
        return;
    };
    tokio::task::yield_now().await;
    let fail = |message: String| {
        let now = now_ms();
        state.bulk.with_query(&id, |job| {
            job.info.set_state(JobState::Failed, now);
            job.info.error_message = Some(message);
        });
    };
    let (parsed, object, paths) = match checked(&state, &q) {
        Ok(checked) => checked,
        Err(e) => return fail(e.errors[0].message.clone()),
    };
    let mut header = csv_io::writer(delimiter, line_ending);
    csv_io::result_row(
        &mut header,
        paths
            .iter()
            .map(|p| p.join("."))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    let header = csv_io::into_bytes(header);
    let mut out = csv_io::writer(delimiter, line_ending);
    let mut ends = vec![];
    let today = chrono::Utc::now().date_naive();
    match object.as_str() {
        "Account" => {
            // Inline 18-byte ids: one allocation for a million rows, not one per row.
            let ids: Vec<[u8; 18]> = {
                let store = state.store.read();
                let rows: Vec<AccountRow> = store
                    .accounts()
                    .filter(|r| all || !r.deleted)
                    .map(|rec| AccountRow { rec, store: &store })
                    .collect();
                soql::run(&parsed, rows, today)
                    .iter()
                    .filter_map(|row| row.rec.id.as_bytes().try_into().ok())
                    .collect()
            };
            for batch in ids.chunks(BATCH_RECORDS) {
                if !in_progress(&state, &id) {
                    return;
                }
                {
                    let store = state.store.read();
                    let records = batch
                        .iter()
                        .filter_map(|id| store.account(std::str::from_utf8(id).ok()?));
                    for rec in records {
                        let values: Vec<Value> =
                            paths.iter().map(|p| store.path_value(rec, p)).collect();
                        push_row(&mut out, &mut ends, values.iter().map(text));
                    }
                }
                tokio::task::yield_now().await;
            }
        }
        "User" => {
            let store = state.store.read();
            let rows = store.users.iter().map(|user| UserRow { user }).collect();
            for row in soql::run(&parsed, rows, today) {
                let values: Vec<Value> = paths
                    .iter()
                    .map(|p| match p.as_slice() {
                        [f] => row.user.field_value(f),
                        _ => Value::Null,
                    })
                    .collect();
                push_row(&mut out, &mut ends, values.iter().map(text));
            }
        }
        _ => {
            let store = state.store.read();
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
            for row in soql::run(&parsed, rows, today) {
                let values: Vec<Value> = paths
                    .iter()
                    .map(|p| store.record_type_value(row.record_type, p))
                    .collect();
                push_row(&mut out, &mut ends, values.iter().map(text));
            }
        }
    }
    let rows = csv_io::into_bytes(out);
    state
        .bulk
        .query_bytes
        .fetch_add((header.len() + rows.len()) as u64, Ordering::Relaxed);
    let now = now_ms();
    state.bulk.with_query(&id, |job| {
        if job.info.state != JobState::InProgress {
            return;
        }
        job.info.processed = ends.len() as u64;
        job.info.processing_ms = started.elapsed().as_millis() as u64;
        job.results = Some(QueryResults { header, rows, ends });
        job.info.set_state(JobState::JobComplete, now);
    });
}

fn not_found() -> ApiError {
    ApiError::not_found()
}

/// `GET /jobs/query/{id}`
pub async fn job_info(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    version_since(&version, QUERY_SINCE)?;
    let info = state
        .bulk
        .with_query(&id, |job| job.to_json(true))
        .ok_or_else(not_found)?;
    Ok(json_response(StatusCode::OK, &info))
}

/// `PATCH /jobs/query/{id}` with `{"state": "Aborted"}`: in UploadComplete or InProgress only.
pub async fn set_state(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    version_since(&version, QUERY_SINCE)?;
    let map = json_object(&body)?;
    let target = string_property(&map, "state")?.unwrap_or_default();
    if target != "Aborted" {
        return Err(invalid_property("state", &target));
    }
    let now = now_ms();
    let answer = state
        .bulk
        .with_query(&id, |job| {
            if job.info.state.is_terminal() {
                return Err(bulk_error(
                    StatusCode::BAD_REQUEST,
                    "INVALIDJOBSTATE",
                    aborting_finished(job.info.state),
                ));
            }
            job.info.set_state(JobState::Aborted, now);
            Ok(job.to_json(true))
        })
        .ok_or_else(not_found)??;
    Ok(json_response(StatusCode::OK, &answer))
}

/// `DELETE /jobs/query/{id}`: 204, in JobComplete, Aborted or Failed only.
pub async fn delete_job(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    version_since(&version, QUERY_SINCE)?;
    match state.bulk.remove_query(&id, JobState::is_terminal) {
        None => Err(not_found()),
        Some(false) => Err(not_terminated()),
        Some(true) => Ok(crate::rest::no_content()),
    }
}

/// A finished job's results, or why there are none yet. Results are read with the version the
/// job was made with (documented: another version gets 409).
fn finished_results(
    state: &AppState,
    id: &str,
    v: ApiVersion,
) -> Result<(QueryResults, ApiVersion), ApiError> {
    state
        .bulk
        .with_query(id, |job| {
            if job.info.version != v {
                return Err(bulk_error(
                    StatusCode::CONFLICT,
                    "API_ERROR",
                    format!(
                        "The job was created with API version {}; read its results with the same version",
                        job.info.version.number()
                    ),
                ));
            }
            match (&job.results, job.info.state) {
                (Some(results), JobState::JobComplete) => Ok((results.clone(), job.info.version)),
                (_, s) => Err(bulk_error(
                    StatusCode::BAD_REQUEST,
                    "INVALIDJOBSTATE",
                    format!("Results are available once the job is JobComplete; this job is {}", s.name()),
                )),
            }
        })
        .ok_or_else(not_found)?
}

/// `maxRecords` and the start offset (`locator`) of a results request.
fn paging(params: &HashMap<String, String>, total: usize) -> Result<(usize, usize), ApiError> {
    let max = match params.get("maxRecords") {
        None => DEFAULT_PAGE,
        Some(m) => m.parse::<usize>().ok().filter(|m| *m > 0).ok_or_else(|| {
            bulk_error(
                StatusCode::BAD_REQUEST,
                "API_ERROR",
                format!("Invalid value: '{m}' supplied for parameter: 'maxRecords'"),
            )
        })?,
    };
    let offset = match params.get("locator").map(String::as_str) {
        None | Some("") => 0,
        Some(l) => locator_offset(l).filter(|o| *o <= total).ok_or_else(|| {
            bulk_error(
                StatusCode::BAD_REQUEST,
                "INVALID_QUERY_LOCATOR",
                "invalid query locator",
            )
        })?,
    };
    Ok((max, offset))
}

/// `GET /jobs/query/{id}/results?locator=&maxRecords=`: a CSV page (header row, then up to
/// `maxRecords` rows), `Sforce-NumberOfRecords`, and `Sforce-Locator` for the next page (`null`
/// on the last).
pub async fn results(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let v = version_since(&version, QUERY_SINCE)?;
    let (results, _) = finished_results(&state, &id, v)?;
    let (max, from) = paging(&params, results.len())?;
    let to = from.saturating_add(max).min(results.len());
    let next = if to < results.len() {
        locator(to)
    } else {
        "null".to_string()
    };
    let chunks: Vec<Bytes> = vec![results.header.clone(), results.slice(from, to)];
    let stream = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, Infallible>));
    let mut resp = Body::from_stream(stream).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv"));
    headers.insert(
        "sforce-locator",
        HeaderValue::from_str(&next).expect("base64 is a header value"),
    );
    headers.insert("sforce-numberofrecords", HeaderValue::from(to - from));
    Ok(resp)
}

/// `GET /jobs/query/{id}/resultPages?maxRecords=&locator=` (v58.0+): up to 5 results URLs, their
/// locators in the body, and `nextRecordsUrl` for the following ones.
pub async fn result_pages(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let v = version_since(&version, RESULT_PAGES_SINCE)?;
    let (results, _) = finished_results(&state, &id, v)?;
    let total = results.len();
    let (max, mut from) = paging(&params, total)?;
    let base = format!("{}/jobs/query/{id}", v.base());
    let mut pages = vec![];
    let given_max = params.contains_key("maxRecords");
    let max_param = if given_max {
        format!("maxRecords={max}")
    } else {
        String::new()
    };
    loop {
        let mut query: Vec<String> = vec![];
        if from > 0 {
            query.push(format!("locator={}", locator(from)));
        }
        if given_max {
            query.push(max_param.clone());
        }
        let url = if query.is_empty() {
            format!("{base}/results")
        } else {
            format!("{base}/results?{}", query.join("&"))
        };
        pages.push(json!({ "resultUrl": url }));
        from = from.saturating_add(max).min(total);
        if from >= total || pages.len() == RESULT_PAGES_PER_CALL {
            break;
        }
    }
    let done = from >= total;
    let next = (!done).then(|| {
        let mut url = format!("{base}/resultpages?locator={}", locator(from));
        if given_max {
            url.push('&');
            url.push_str(&max_param);
        }
        url
    });
    Ok(json_response(
        StatusCode::OK,
        &json!({"resultPages": pages, "nextRecordsUrl": next, "done": done}),
    ))
}

/// `GET /jobs/query?jobType=&isPkChunkingEnabled=&concurrencyMode=&queryLocator=`: 1,000 jobs a page.
pub async fn list_jobs(
    _auth: Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let v = version_since(&version, QUERY_SINCE)?;
    let base = format!("{}/jobs/query", v.base());
    let page = list_page(&params, "V2Query", || state.bulk.query_list(), &base)?;
    Ok(json_response(StatusCode::OK, &page))
}
