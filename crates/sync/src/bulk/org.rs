//! Bulk API 2.0 jobs in the signed-in target, through the same writer as the REST run (so the
//! conflict check and the user are the same).

use salesforce::error::Error;
use salesforce::rest::{BulkOperation, JobInfo, JobResults};
use salesforce::transport::Transport;

use super::BulkWriter;
use crate::plan::Op;
use crate::rest_writer::RestUpsert;

impl<T: Transport> BulkWriter for RestUpsert<'_, T> {
    fn key_field(&self) -> String {
        self.key.as_str().to_string()
    }

    async fn create(&self, op: Op) -> Result<String, Error> {
        let (operation, key) = match op {
            Op::Upsert => (BulkOperation::Upsert, Some(self.key.as_str())),
            Op::Delete => (BulkOperation::Delete, None),
        };
        Ok(self
            .client
            .create_ingest_job(self.sobject, operation, key)
            .await?
            .id)
    }

    async fn upload(&self, job: &str, csv: String) -> Result<(), Error> {
        self.client.upload_job_data(job, csv).await
    }

    async fn close(&self, job: &str) -> Result<JobInfo, Error> {
        self.client.close_job(job).await
    }

    async fn abort(&self, job: &str) -> Result<JobInfo, Error> {
        self.client.abort_job(job).await
    }

    async fn info(&self, job: &str) -> Result<JobInfo, Error> {
        self.client.ingest_job(job).await
    }

    async fn results(&self, job: &str, which: JobResults) -> Result<String, Error> {
        self.client.job_results(job, which).await
    }
}
