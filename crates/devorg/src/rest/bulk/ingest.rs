//! Ingest jobs (`/jobs/ingest`): create (JSON, or multipart with the data), upload the CSV (one
//! PUT per job), close (`UploadComplete`, which starts the background work) or abort, job info,
//! the three result files, delete, and the job list.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_0_ingest.htm>

use std::collections::HashMap;
use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use csv::StringRecord;
use serde_json::{Map, Value};

use super::jobs::{IngestJob, JobInfo, JobState};
use super::{
    bulk_error, content_type_from_body, csv_io, ingest_run, invalid_property, json_object,
    list_page, multipart, not_terminated, string_property, version_since, Delimiter, LineEnding,
    INGEST_SINCE, MAX_UPLOAD_BYTES,
};
use crate::error::{json_response, ApiError};
use crate::rest::auth::Authed;
use crate::rest::{ApiVersion, Body as JsonBody};
use crate::store::now_ms;
use crate::AppState;

/// Most characters of CSV a multipart create may carry (§9.1 of our Salesforce notes).
pub const MULTIPART_MAX_CHARS: usize = 100_000;

const OPERATIONS: [&str; 5] = ["insert", "update", "upsert", "delete", "hardDelete"];

fn invalid_job(message: String) -> ApiError {
    bulk_error(
        StatusCode::BAD_REQUEST,
        "INVALIDJOB",
        format!("InvalidJob : {message}"),
    )
}

fn invalid_state(message: impl Into<String>) -> ApiError {
    bulk_error(StatusCode::BAD_REQUEST, "INVALIDJOBSTATE", message)
}

/// A new ingest job from a create body, checked as Salesforce checks it.
fn new_job(
    state: &AppState,
    user_id: &str,
    v: ApiVersion,
    map: &Map<String, Value>,
) -> Result<IngestJob, ApiError> {
    let op = string_property(map, "operation")?.unwrap_or_default();
    let Some(operation) = OPERATIONS.into_iter().find(|o| *o == op) else {
        return Err(invalid_property("operation", &op));
    };
    let object = string_property(map, "object")?.unwrap_or_default();
    if object.is_empty() {
        return Err(invalid_property("object", &object));
    }
    let obj = state
        .schema
        .object(&object)
        .ok_or_else(|| invalid_job(format!("Unable to find object: {object}")))?;
    if obj.name != "Account" {
        return Err(invalid_job(format!(
            "Entity '{}' is not supported by devorg's Bulk API (only Account records are written)",
            obj.name
        )));
    }
    let external_id = match (operation, string_property(map, "externalIdFieldName")?) {
        ("upsert", None) => {
            return Err(invalid_job(format!(
                "External ID was blank for {}. An External ID must be specified for upsert.",
                obj.name
            )))
        }
        ("upsert", Some(name)) => match obj.field(&name).filter(|f| f.external_id) {
            Some(f) => Some(f.name.to_string()),
            None => {
                return Err(invalid_job(format!(
                    "Field name provided, {name} does not match an External ID for {}",
                    obj.name
                )))
            }
        },
        _ => None,
    };
    content_type_from_body(map)?;
    let delimiter = Delimiter::from_body(map)?;
    let line_ending = LineEnding::from_body(map)?;
    let now = now_ms();
    Ok(IngestJob {
        info: JobInfo {
            id: state.bulk.next_id(&state.org.org_id[3..6]),
            operation,
            object: obj.name.to_string(),
            created_by: user_id.to_string(),
            created: now,
            modstamp: now,
            state: JobState::Open,
            version: v,
            delimiter,
            line_ending,
            processed: 0,
            failed: 0,
            processing_ms: 0,
            error_message: None,
        },
        external_id,
        assignment_rule_id: string_property(map, "assignmentRuleId")?,
        data: None,
        worked: 0,
        columns: vec![],
        successes: vec![],
        failures: vec![],
    })
}

/// `POST /jobs/ingest`: a JSON body makes an Open job; a multipart body (`job` + `content`) makes
/// one already UploadComplete, whose work starts at once. 200 with the job info.
pub async fn create_job(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let v = version_since(&version, INGEST_SINCE)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .unwrap_or("");
    let (spec, content) = match multipart::boundary(content_type) {
        Some(boundary) => {
            let parts = multipart::parts(&body, &boundary).ok_or_else(|| {
                bulk_error(
                    StatusCode::BAD_REQUEST,
                    "API_ERROR",
                    "The multipart request body could not be read",
                )
            })?;
            let part = |name: &str| {
                parts
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, b)| b.clone())
            };
            let spec = part("job").ok_or_else(|| invalid_property("job", ""))?;
            let content = part("content").ok_or_else(|| invalid_property("content", ""))?;
            if String::from_utf8_lossy(&content).chars().count() > MULTIPART_MAX_CHARS {
                return Err(bulk_error(
                    StatusCode::BAD_REQUEST,
                    "API_ERROR",
                    format!("The content of a multipart request can be at most {MULTIPART_MAX_CHARS} characters; upload larger data with PUT"),
                ));
            }
            (spec, Some(content))
        }
        None => (body, None),
    };
    let map = json_object(&spec)?;
    let mut job = new_job(&state, &session.user_id, v, &map)?;
    let start = content.is_some();
    if let Some(content) = content {
        job.data = Some(content);
        job.info.state = JobState::UploadComplete;
    }
    let answer = job.to_json(false);
    let id = job.info.id.clone();
    state.bulk.add_ingest(job);
    if start {
        ingest_run::start(&state, id);
    }
    Ok(json_response(StatusCode::OK, &answer))
}

fn not_found() -> ApiError {
    ApiError::not_found()
}

/// `GET /jobs/ingest/{id}`
pub async fn job_info(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    version_since(&version, INGEST_SINCE)?;
    let info = state
        .bulk
        .with_ingest(&id, |job| job.to_json(true))
        .ok_or_else(not_found)?;
    Ok(json_response(StatusCode::OK, &info))
}

/// `PATCH /jobs/ingest/{id}` with `{"state": "UploadComplete" | "Aborted"}`.
pub async fn set_state(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    version_since(&version, INGEST_SINCE)?;
    let map = json_object(&body)?;
    let target = string_property(&map, "state")?.unwrap_or_default();
    let now = now_ms();
    let answer = state
        .bulk
        .with_ingest(&id, |job| -> Result<Value, ApiError> {
            let current = job.info.state;
            match target.as_str() {
                "UploadComplete" if current == JobState::Open => {
                    job.info.set_state(JobState::UploadComplete, now);
                }
                "UploadComplete" => {
                    return Err(invalid_state(format!(
                        "Closing a job requires the Open state; this job is {}",
                        current.name()
                    )))
                }
                "Aborted" if !current.is_terminal() => job.info.set_state(JobState::Aborted, now),
                "Aborted" => return Err(invalid_state(aborting_finished(current))),
                other => return Err(invalid_property("state", other)),
            }
            Ok(job.to_json(true))
        })
        .ok_or_else(not_found)??;
    if target == "UploadComplete" {
        ingest_run::start(&state, id);
    }
    Ok(json_response(StatusCode::OK, &answer))
}

/// The refusal to abort a finished job (observed for a completed query job).
pub fn aborting_finished(state: JobState) -> String {
    let what = match state {
        JobState::JobComplete => "Completed",
        other => other.name(),
    };
    format!("Aborting already {what} Job not allowed")
}

/// `PUT /jobs/ingest/{id}/batches`: the job's CSV, once, while it is Open. 201, no body.
pub async fn upload_data(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    req: Request,
) -> Result<Response, ApiError> {
    version_since(&version, INGEST_SINCE)?;
    // Read up to the documented limit only, so an oversized upload costs no more than that.
    let data = axum::body::to_bytes(req.into_body(), MAX_UPLOAD_BYTES)
        .await
        .map_err(|_| {
            bulk_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "CLIENTINPUTERROR",
                format!("A job's data can be at most {MAX_UPLOAD_BYTES} bytes (150 MB once base64-encoded)"),
            )
        })?;
    state
        .bulk
        .with_ingest(&id, |job| {
            if job.data.is_some() {
                return Err(bulk_error(
                    StatusCode::BAD_REQUEST,
                    "BULK_API_ERROR",
                    format!(
                        "Found multipe contents for job: <{}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.",
                        job.info.id
                    ),
                ));
            }
            if job.info.state != JobState::Open {
                return Err(invalid_state(format!(
                    "Data can only be uploaded to an Open job; this job is {}",
                    job.info.state.name()
                )));
            }
            job.data = Some(data);
            Ok(())
        })
        .ok_or_else(not_found)??;
    Ok(StatusCode::CREATED.into_response())
}

/// A CSV answer made of `chunks` (streamed, not copied into one buffer).
fn csv_response(chunks: Vec<Bytes>) -> Response {
    let stream = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, Infallible>));
    let mut resp = Body::from_stream(stream).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv;charset=UTF-8"),
    );
    resp
}

/// A result file's header row: the two `sf__` columns, then the upload's own.
fn results_header(first: &str, second: &str, columns: &[String]) -> Bytes {
    let mut out = csv_io::writer(Delimiter::Comma, LineEnding::Lf);
    csv_io::result_row(
        &mut out,
        [first, second]
            .into_iter()
            .chain(columns.iter().map(String::as_str)),
    );
    csv_io::into_bytes(out)
}

/// `GET /jobs/ingest/{id}/successfulResults`: `"sf__Id","sf__Created",<columns>`.
pub async fn successful_results(
    auth: Authed,
    state: State<AppState>,
    path: Path<(String, String)>,
) -> Result<Response, ApiError> {
    result_file(auth, state, path, "sf__Created", |job| &job.successes)
}

/// `GET /jobs/ingest/{id}/failedResults`: `"sf__Id","sf__Error",<columns>`.
pub async fn failed_results(
    auth: Authed,
    state: State<AppState>,
    path: Path<(String, String)>,
) -> Result<Response, ApiError> {
    result_file(auth, state, path, "sf__Error", |job| &job.failures)
}

/// A result file: its header (`sf__Id`, `second`, the upload's columns), then the rows each
/// batch wrote.
fn result_file(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
    second: &str,
    rows: impl FnOnce(&IngestJob) -> &Vec<Bytes>,
) -> Result<Response, ApiError> {
    version_since(&version, INGEST_SINCE)?;
    let chunks = state
        .bulk
        .with_ingest(&id, |job| {
            let mut chunks = vec![results_header("sf__Id", second, &job.columns)];
            chunks.extend(rows(job).iter().cloned());
            chunks
        })
        .ok_or_else(not_found)?;
    Ok(csv_response(chunks))
}

/// `GET /jobs/ingest/{id}/unprocessedrecords`: the uploaded records the job never worked (an
/// aborted or failed job's), with the upload's header row.
pub async fn unprocessed_records(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    version_since(&version, INGEST_SINCE)?;
    let (data, worked, delimiter, line_ending) = state
        .bulk
        .with_ingest(&id, |job| {
            (
                job.data.clone(),
                job.worked,
                job.info.delimiter,
                job.info.line_ending,
            )
        })
        .ok_or_else(not_found)?;
    let Some(data) = data else {
        return Ok(csv_response(vec![]));
    };
    let mut reader = csv_io::reader(data, delimiter, line_ending);
    let mut out = csv_io::writer(Delimiter::Comma, LineEnding::Lf);
    let mut record = StringRecord::new();
    let mut index: Option<usize> = None;
    // The header row, then every record from the first one not worked.
    while reader.read_record(&mut record).unwrap_or(false) {
        match index {
            None => csv_io::result_row(&mut out, record.iter().map(ingest_run::column_name)),
            Some(i) if i >= worked => csv_io::result_row(&mut out, record.iter()),
            Some(_) => {}
        }
        index = Some(index.map_or(0, |i| i + 1));
    }
    Ok(csv_response(vec![csv_io::into_bytes(out)]))
}

/// `DELETE /jobs/ingest/{id}`: 204, in UploadComplete, JobComplete, Aborted or Failed only.
pub async fn delete_job(
    _auth: Authed,
    State(state): State<AppState>,
    Path((version, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    version_since(&version, INGEST_SINCE)?;
    match state
        .bulk
        .remove_ingest(&id, |s| s == JobState::UploadComplete || s.is_terminal())
    {
        None => Err(not_found()),
        Some(false) => Err(not_terminated()),
        Some(true) => Ok(crate::rest::no_content()),
    }
}

/// `GET /jobs/ingest?jobType=&isPkChunkingEnabled=&concurrencyMode=&queryLocator=`: 1,000 jobs a page.
pub async fn list_jobs(
    _auth: Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let v = version_since(&version, INGEST_SINCE)?;
    let base = format!("{}/jobs/ingest", v.base());
    let page = list_page(&params, "V2Ingest", || state.bulk.ingest_list(), &base)?;
    Ok(json_response(StatusCode::OK, &page))
}
