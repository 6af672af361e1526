//! Limits (`GET /services/data/vXX.X/limits`): the org's allocations and what remains of them.
//! The API request count comes from `state.usage`, kept by the limits layer; the Bulk API 2.0
//! entries from the jobs' own counters (`state.bulk`).
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm>

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use std::sync::atomic::Ordering;

use super::auth::Authed;
use super::ApiVersion;
use crate::error::{json_response, ApiError};
use crate::AppState;

/// `GET /limits`: `DailyApiRequests` and the Bulk API entries are live; the other entries are fixed
/// Developer Edition allocations.
pub async fn limits(
    _auth: Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
) -> Result<Response, ApiError> {
    ApiVersion::parse(&version)?;
    let max = state.usage.max();
    let remaining = max.saturating_sub(state.usage.used());
    let accounts = state.store.read().accounts().filter(|r| !r.deleted).count() as u64;
    // Salesforce counts about 2 KB of data storage per record.
    let data_used_mb = accounts * 2 / 1024;
    let fixed = |max: u64| json!({"Max": max, "Remaining": max});
    let used = |max: u64, used: u64| json!({"Max": max, "Remaining": max.saturating_sub(used)});
    let bulk = &state.bulk;
    let batches = bulk.batches.load(Ordering::Relaxed);
    let query_jobs = bulk.query_jobs.load(Ordering::Relaxed);
    let query_mb = bulk
        .query_bytes
        .load(Ordering::Relaxed)
        .div_ceil(1024 * 1024);
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "ConcurrentAsyncGetReportInstances": fixed(200),
            "ConcurrentSyncReportRuns": fixed(20),
            "DailyApiRequests": {"Max": max, "Remaining": remaining},
            "DailyAsyncApexExecutions": fixed(250000),
            // Ingest batches of 10,000 records (shared with Bulk API 1.0), query jobs, and
            // 1 TB of query results a day.
            "DailyBulkApiBatches": used(15000, batches),
            "DailyBulkV2QueryFileStorageMB": used(976562, query_mb),
            "DailyBulkV2QueryJobs": used(10000, query_jobs),
            "DailyGenericStreamingApiEvents": fixed(10000),
            "DailyStreamingApiEvents": fixed(10000),
            "DataStorageMB": {"Max": 1024, "Remaining": 1024i64 - data_used_mb as i64},
            "FileStorageMB": fixed(20),
            "HourlyTimeBasedWorkflow": fixed(50),
            "SingleEmail": fixed(15),
        }),
    ))
}
