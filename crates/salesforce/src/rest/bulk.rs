//! Bulk API 2.0 ingest jobs (`/services/data/vXX.X/jobs/ingest`): Salesforce's engine for large
//! writes. A job is created, gets one CSV upload, is closed (`UploadComplete`), is processed by the
//! org in the background, and then answers which rows succeeded, failed or were never processed.
//! A handful of calls write what sObject Collections would take thousands of calls for.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_0.htm>

use serde::Deserialize;
use serde_json::json;

use crate::client::Client;
use crate::error::Error;
use crate::transport::{Method, Transport};
use crate::types::check_api_name;

/// Most bytes one job's upload may hold: Salesforce takes 150 MB once base64-encoded, and advises
/// at most 100 MB of CSV.
pub const MAX_UPLOAD_BYTES: usize = 100_000_000;

/// What a job does to each row of its CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkOperation {
    Insert,
    Update,
    /// By `externalIdFieldName`, which must be a column of the CSV.
    Upsert,
    Delete,
}

impl BulkOperation {
    fn as_str(self) -> &'static str {
        match self {
            BulkOperation::Insert => "insert",
            BulkOperation::Update => "update",
            BulkOperation::Upsert => "upsert",
            BulkOperation::Delete => "delete",
        }
    }
}

/// Where a job is. `Open` takes the upload; nothing is processed before `UploadComplete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum JobState {
    Open,
    UploadComplete,
    InProgress,
    JobComplete,
    /// Stopped by the org (a batch failed every retry, or a limit): what it processed stays.
    Failed,
    Aborted,
    /// A state this client does not know (a newer API version's).
    #[serde(other)]
    Other,
}

impl JobState {
    /// No more processing will happen: the results are final.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::JobComplete | JobState::Failed | JobState::Aborted
        )
    }
}

/// A job as `GET /jobs/ingest/{id}` describes it (the fields a run uses).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobInfo {
    pub id: String,
    pub state: JobState,
    #[serde(default)]
    pub object: String,
    /// Absent while the job is `Open`.
    #[serde(default)]
    pub number_records_processed: u64,
    #[serde(default)]
    pub number_records_failed: u64,
    /// Why the org failed the job.
    #[serde(default)]
    pub error_message: Option<String>,
}

/// The three result files of a finished job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobResults {
    /// `sf__Id`, `sf__Created`, then the uploaded columns.
    Successful,
    /// `sf__Id`, `sf__Error`, then the uploaded columns.
    Failed,
    /// The uploaded columns of rows never processed (an aborted or failed job).
    Unprocessed,
}

impl JobResults {
    fn path(self) -> &'static str {
        match self {
            JobResults::Successful => "successfulResults",
            JobResults::Failed => "failedResults",
            JobResults::Unprocessed => "unprocessedrecords",
        }
    }
}

/// Job ids are record ids (`750…`): letters and digits only, so one is safe in a path.
fn check_job_id(id: &str) -> Result<(), Error> {
    if (15..=18).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(Error::InvalidInput {
            what: "Bulk job id",
            message: format!("“{id}” is not a Bulk API job id"),
        })
    }
}

impl<T: Transport> Client<T> {
    /// Creates an ingest job for `object` (comma-separated CSV, LF line endings). `external_id`
    /// is the upsert's key field.
    pub async fn create_ingest_job(
        &self,
        object: &str,
        operation: BulkOperation,
        external_id: Option<&str>,
    ) -> Result<JobInfo, Error> {
        check_api_name("object name", object, false)?;
        let mut body = json!({
            "object": object,
            "operation": operation.as_str(),
            "contentType": "CSV",
            "columnDelimiter": "COMMA",
            "lineEnding": "LF",
        });
        if let Some(field) = external_id {
            check_api_name("external ID field", field, false)?;
            body["externalIdFieldName"] = json!(field);
        }
        let path = self.data_path("/jobs/ingest");
        self.send_json(Method::Post, &path, Some(&body)).await
    }

    /// Uploads a job's one CSV (at most [`MAX_UPLOAD_BYTES`]). A second upload to the same job is
    /// refused by the org.
    pub async fn upload_job_data(&self, job: &str, csv: String) -> Result<(), Error> {
        check_job_id(job)?;
        if csv.len() > MAX_UPLOAD_BYTES {
            return Err(Error::InvalidInput {
                what: "Bulk upload",
                message: format!(
                    "one job takes at most {MAX_UPLOAD_BYTES} bytes of CSV, not {}",
                    csv.len()
                ),
            });
        }
        let path = self.data_path(&format!("/jobs/ingest/{job}/batches"));
        let resp = self
            .send_raw(
                Method::Put,
                &path,
                Some(csv),
                &[("Content-Type", "text/csv")],
            )
            .await?;
        crate::error::map_response(&path, resp).map(|_| ())
    }

    /// Closes the upload: the org starts processing.
    pub async fn close_job(&self, job: &str) -> Result<JobInfo, Error> {
        self.set_job_state(job, "UploadComplete").await
    }

    /// Stops a job: rows not yet processed never are.
    pub async fn abort_job(&self, job: &str) -> Result<JobInfo, Error> {
        self.set_job_state(job, "Aborted").await
    }

    async fn set_job_state(&self, job: &str, state: &str) -> Result<JobInfo, Error> {
        check_job_id(job)?;
        let path = self.data_path(&format!("/jobs/ingest/{job}"));
        self.send_json(Method::Patch, &path, Some(&json!({ "state": state })))
            .await
    }

    /// A job's state and counts.
    pub async fn ingest_job(&self, job: &str) -> Result<JobInfo, Error> {
        check_job_id(job)?;
        let path = self.data_path(&format!("/jobs/ingest/{job}"));
        self.send_json(Method::Get, &path, None).await
    }

    /// One of a job's result files, as CSV text (rows in no particular order).
    pub async fn job_results(&self, job: &str, which: JobResults) -> Result<String, Error> {
        check_job_id(job)?;
        let path = self.data_path(&format!("/jobs/ingest/{job}/{}/", which.path()));
        let resp = self
            .send_raw(Method::Get, &path, None, &[("Accept", "text/csv")])
            .await?;
        Ok(crate::error::map_response(&path, resp)?.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_id_must_be_letters_and_digits() {
        assert!(check_job_id("7505g00000DhRA2AAN").is_ok());
        for bad in [
            "",
            "750",
            "7505g00000DhRA2AAN/../x",
            "7505g00000DhRA2%2F",
            "7505g00000Dh RA2",
        ] {
            assert!(check_job_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn job_info_reads_counts_absent_while_open_and_unknown_states() {
        let open: JobInfo = serde_json::from_str(
            r#"{"id":"7505g00000DhRA2AAN","state":"Open","object":"Account","apiVersion":66.0}"#,
        )
        .unwrap();
        assert_eq!(open.state, JobState::Open);
        assert_eq!(open.number_records_processed, 0);
        let odd: JobInfo = serde_json::from_str(
            r#"{"id":"7505g00000DhRA2AAN","state":"Paused","numberRecordsFailed":3}"#,
        )
        .unwrap();
        assert_eq!(odd.state, JobState::Other);
        assert_eq!(odd.number_records_failed, 3);
        assert!(!odd.state.is_final());
        assert!(JobState::Failed.is_final());
    }
}
