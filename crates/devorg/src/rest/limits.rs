//! Limits (`GET /services/data/vXX.X/limits`): the org's allocations and what remains of them.
//! The API request count comes from `state.usage`, kept by the limits layer.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm>

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::auth::Authed;
use super::ApiVersion;
use crate::error::{json_response, ApiError};
use crate::AppState;

/// `GET /limits`: `DailyApiRequests` is live; the other entries are fixed Developer Edition allocations.
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
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "ConcurrentAsyncGetReportInstances": fixed(200),
            "ConcurrentSyncReportRuns": fixed(20),
            "DailyApiRequests": {"Max": max, "Remaining": remaining},
            "DailyAsyncApexExecutions": fixed(250000),
            "DailyBulkApiBatches": fixed(15000),
            "DailyBulkV2QueryFileStorageMB": fixed(976562),
            "DailyBulkV2QueryJobs": fixed(10000),
            "DailyGenericStreamingApiEvents": fixed(10000),
            "DailyStreamingApiEvents": fixed(10000),
            "DataStorageMB": {"Max": 1024, "Remaining": 1024i64 - data_used_mb as i64},
            "FileStorageMB": fixed(20),
            "HourlyTimeBasedWorkflow": fixed(50),
            "SingleEmail": fixed(15),
        }),
    ))
}
