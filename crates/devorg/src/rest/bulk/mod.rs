//! Bulk API 2.0 under `/services/data/vXX.X/jobs/`: ingest jobs (v41.0+: create, upload one CSV,
//! close or abort, results, delete, list) and query jobs (v47.0+: create, results paged by
//! `Sforce-Locator`, `resultPages` from v58.0, abort, delete, list). Jobs are worked in the
//! background (a tokio task per job, 10,000 records at a time) through the same store writes and
//! SOQL engine as the REST API. Shared here: the routes, job options, and the error shape.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_0.htm>

pub mod csv_io;
mod ingest;
mod ingest_run;
mod jobs;
mod multipart;
mod query;

pub use jobs::{BulkJobs, JobState};

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use base64::Engine;
use serde_json::{Map, Value};

use super::{not_allowed, ApiVersion};
use crate::error::ApiError;
use crate::AppState;

/// First versions with ingest jobs, query jobs and `resultPages`.
pub const INGEST_SINCE: u32 = 41;
pub const QUERY_SINCE: u32 = 47;
pub const RESULT_PAGES_SINCE: u32 = 58;

/// Largest CSV upload: Salesforce base64-encodes uploads and takes at most 150 MB of that, so at
/// most 100 MB of raw data per job.
pub const MAX_UPLOAD_BYTES: usize = 100 * 1024 * 1024;

/// Records worked at once: Salesforce splits ingest data into batches of 10,000 records.
pub const BATCH_RECORDS: usize = 10_000;

/// Jobs per page of a job list.
pub const LIST_PAGE: usize = 1_000;

/// The Bulk API routes; `rest::router` merges them (its 10 MB body limit applies, except to
/// the CSV upload, which may be 100 MB).
pub fn router() -> Router<AppState> {
    let jobs = "/services/data/{version}/jobs";
    let ingest = format!("{jobs}/ingest/{{id}}");
    let query = format!("{jobs}/query/{{id}}");
    Router::new()
        .route(
            &format!("{jobs}/ingest"),
            post(ingest::create_job)
                .get(ingest::list_jobs)
                .fallback(|| not_allowed("GET,POST")),
        )
        .route(
            &ingest,
            get(ingest::job_info)
                .patch(ingest::set_state)
                .delete(ingest::delete_job)
                .fallback(|| not_allowed("GET,PATCH,DELETE")),
        )
        .route(
            &format!("{ingest}/batches"),
            put(ingest::upload_data)
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
                .fallback(|| not_allowed("PUT")),
        )
        .route(
            &format!("{ingest}/successfulResults"),
            get(ingest::successful_results).fallback(|| not_allowed("GET")),
        )
        .route(
            &format!("{ingest}/failedResults"),
            get(ingest::failed_results).fallback(|| not_allowed("GET")),
        )
        .route(
            &format!("{ingest}/unprocessedrecords"),
            get(ingest::unprocessed_records).fallback(|| not_allowed("GET")),
        )
        .route(
            &format!("{jobs}/query"),
            post(query::create_job)
                .get(query::list_jobs)
                .fallback(|| not_allowed("GET,POST")),
        )
        .route(
            &query,
            get(query::job_info)
                .patch(query::set_state)
                .delete(query::delete_job)
                .fallback(|| not_allowed("GET,PATCH,DELETE")),
        )
        .route(
            &format!("{query}/results"),
            get(query::results).fallback(|| not_allowed("GET")),
        )
        // The docs spell it `resultPages`, and its own `nextRecordsUrl` `resultpages`.
        .route(
            &format!("{query}/resultPages"),
            get(query::result_pages).fallback(|| not_allowed("GET")),
        )
        .route(
            &format!("{query}/resultpages"),
            get(query::result_pages).fallback(|| not_allowed("GET")),
        )
}

/// The version in the path, which must be at least `since` (older ones have no such resource).
fn version_since(segment: &str, since: u32) -> Result<ApiVersion, ApiError> {
    let v = ApiVersion::parse(segment)?;
    if v.0 < since {
        return Err(ApiError::not_found());
    }
    Ok(v)
}

/// A Bulk API error: `[{"errorCode","message"}]`, no `fields` (as Bulk API 2.0 answers).
fn bulk_error(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(status, code, message)
}

/// The documented answer for a bad or missing job property.
fn invalid_property(property: &str, value: &str) -> ApiError {
    bulk_error(
        StatusCode::BAD_REQUEST,
        "API_ERROR",
        format!("Invalid value: '{value}' supplied for property: '{property}'"),
    )
}

/// Deleting a job that is still open or being worked (documented for query jobs).
fn not_terminated() -> ApiError {
    bulk_error(
        StatusCode::BAD_REQUEST,
        "API_ERROR",
        "Error encountered when deleting the job because the job is not terminated",
    )
}

/// A create or PATCH body: a JSON object.
fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match super::parse_json(&axum::body::Bytes::copy_from_slice(body))? {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::json_parser(
            "Cannot deserialize instance of JobInfo from START_ARRAY value or request may be missing a required field",
        )),
    }
}

/// A string property of a create body (`None` when absent or null; other JSON types are refused).
fn string_property(map: &Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(invalid_property(key, &other.to_string())),
    }
}

/// A column delimiter of the create body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    Backquote,
    Caret,
    Comma,
    Pipe,
    Semicolon,
    Tab,
}

impl Delimiter {
    const ALL: [Delimiter; 6] = [
        Delimiter::Backquote,
        Delimiter::Caret,
        Delimiter::Comma,
        Delimiter::Pipe,
        Delimiter::Semicolon,
        Delimiter::Tab,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Delimiter::Backquote => "BACKQUOTE",
            Delimiter::Caret => "CARET",
            Delimiter::Comma => "COMMA",
            Delimiter::Pipe => "PIPE",
            Delimiter::Semicolon => "SEMICOLON",
            Delimiter::Tab => "TAB",
        }
    }

    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Backquote => b'`',
            Delimiter::Caret => b'^',
            Delimiter::Comma => b',',
            Delimiter::Pipe => b'|',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }

    /// `columnDelimiter` from a create body; COMMA when absent.
    fn from_body(map: &Map<String, Value>) -> Result<Delimiter, ApiError> {
        match string_property(map, "columnDelimiter")? {
            None => Ok(Delimiter::Comma),
            Some(s) => Delimiter::ALL
                .into_iter()
                .find(|d| d.name() == s)
                .ok_or_else(|| invalid_property("columnDelimiter", &s)),
        }
    }
}

/// `lineEnding` of the create body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    Lf,
    Crlf,
}

impl LineEnding {
    pub fn name(self) -> &'static str {
        match self {
            LineEnding::Lf => "LF",
            LineEnding::Crlf => "CRLF",
        }
    }

    /// LF when absent.
    fn from_body(map: &Map<String, Value>) -> Result<LineEnding, ApiError> {
        match string_property(map, "lineEnding")?.as_deref() {
            None | Some("LF") => Ok(LineEnding::Lf),
            Some("CRLF") => Ok(LineEnding::Crlf),
            Some(other) => Err(invalid_property("lineEnding", other)),
        }
    }
}

/// `contentType`: only CSV.
fn content_type_from_body(map: &Map<String, Value>) -> Result<(), ApiError> {
    match string_property(map, "contentType")?.as_deref() {
        None | Some("CSV") => Ok(()),
        Some(other) => Err(invalid_property("contentType", other)),
    }
}

/// An opaque position for paging (job lists, query results): the offset, base64 without
/// padding, as Salesforce's own locators look (`MTAwMDA` is 10000).
pub fn locator(offset: usize) -> String {
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(offset.to_string())
}

/// The offset a locator stands for; `None` for one this org did not hand out.
pub fn locator_offset(locator: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(locator.trim_end_matches('='))
        .ok()?;
    std::str::from_utf8(&bytes).ok()?.parse().ok()
}

/// One page of a job list, `{done, records, nextRecordsUrl}` (1,000 jobs a page), for the
/// filters `jobType`, `isPkChunkingEnabled`, `concurrencyMode` and `queryLocator`. Every devorg
/// job is of `job_type` (`V2Ingest` or `V2Query`), in Parallel mode, without PK chunking.
fn list_page(
    params: &std::collections::HashMap<String, String>,
    job_type: &str,
    jobs: impl FnOnce() -> Vec<Value>,
    base_url: &str,
) -> Result<Value, ApiError> {
    let offset = match params.get("queryLocator") {
        None => 0,
        Some(l) => locator_offset(l).ok_or_else(|| {
            bulk_error(
                StatusCode::BAD_REQUEST,
                "API_ERROR",
                format!("Invalid queryLocator: {l}"),
            )
        })?,
    };
    let matches = params.get("jobType").is_none_or(|t| t == job_type)
        && params
            .get("isPkChunkingEnabled")
            .is_none_or(|p| p != "true")
        && params
            .get("concurrencyMode")
            .is_none_or(|m| m == "Parallel");
    let records = if matches { jobs() } else { vec![] };
    let total = records.len();
    let end = (offset + LIST_PAGE).min(total);
    let page: Vec<Value> = records
        .into_iter()
        .skip(offset.min(total))
        .take(end.saturating_sub(offset))
        .collect();
    let done = end >= total;
    let next = (!done).then(|| format!("{base_url}?queryLocator={}", locator(end)));
    Ok(serde_json::json!({"done": done, "records": page, "nextRecordsUrl": next}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locators_look_like_salesforces_and_round_trip() {
        assert_eq!(locator(10000), "MTAwMDA");
        assert_eq!(locator_offset("MTAwMDA"), Some(10000));
        assert_eq!(locator_offset("not a locator!"), None);
    }
}
