//! The org's Bulk API 2.0 jobs: their info, uploaded data and results, kept in memory until
//! deleted (Salesforce keeps them 7 days), and the bulk allowances they use. Results are kept as
//! CSV bytes written once, in 10,000-record chunks (ingest) or one buffer with row offsets
//! (query), so a million-record job costs its CSV and no more, and a page is a slice of it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use axum::body::Bytes;
use parking_lot::Mutex;
use serde_json::{json, Map, Value};

use super::{Delimiter, LineEnding};
use crate::ids;
use crate::rest::ApiVersion;
use crate::store::format_datetime;

/// A job's state, as job info prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Open,
    UploadComplete,
    InProgress,
    JobComplete,
    Failed,
    Aborted,
}

impl JobState {
    pub fn name(self) -> &'static str {
        match self {
            JobState::Open => "Open",
            JobState::UploadComplete => "UploadComplete",
            JobState::InProgress => "InProgress",
            JobState::JobComplete => "JobComplete",
            JobState::Failed => "Failed",
            JobState::Aborted => "Aborted",
        }
    }

    /// JobComplete, Failed or Aborted: nothing more will happen to the job.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobState::JobComplete | JobState::Failed | JobState::Aborted
        )
    }
}

/// What every job has.
#[derive(Debug, Clone)]
pub struct JobInfo {
    pub id: String,
    /// `insert` … `hardDelete`, or `query` / `queryAll`.
    pub operation: &'static str,
    /// The object's canonical name.
    pub object: String,
    pub created_by: String,
    pub created: i64,
    pub modstamp: i64,
    pub state: JobState,
    pub version: ApiVersion,
    pub delimiter: Delimiter,
    pub line_ending: LineEnding,
    pub processed: u64,
    pub failed: u64,
    /// Milliseconds spent working the job.
    pub processing_ms: u64,
    pub error_message: Option<String>,
}

impl JobInfo {
    /// Moves the job to `state`, stamping `systemModstamp`.
    pub fn set_state(&mut self, state: JobState, now: i64) {
        self.state = state;
        self.modstamp = now.max(self.modstamp);
    }

    /// The fields both kinds of job print.
    fn common(&self) -> Map<String, Value> {
        let v = json!({
            "id": self.id,
            "operation": self.operation,
            "object": self.object,
            "createdById": self.created_by,
            "createdDate": format_datetime(self.created),
            "systemModstamp": format_datetime(self.modstamp),
            "state": self.state.name(),
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            // A JSON number (`60.0`), as Salesforce prints it.
            "apiVersion": self.version.0 as f64,
            "lineEnding": self.line_ending.name(),
            "columnDelimiter": self.delimiter.name(),
        });
        match v {
            Value::Object(map) => map,
            _ => unreachable!("json! object"),
        }
    }
}

/// An ingest job.
#[derive(Debug)]
pub struct IngestJob {
    pub info: JobInfo,
    pub external_id: Option<String>,
    pub assignment_rule_id: Option<String>,
    /// The uploaded CSV (one upload per job), kept for `unprocessedrecords`.
    pub data: Option<Bytes>,
    /// How many data records have been worked (the rest are unprocessed).
    pub worked: usize,
    /// The upload's header row, once processing has read it.
    pub columns: Vec<String>,
    /// Result rows (CSV, every value quoted), one chunk per batch.
    pub successes: Vec<Bytes>,
    pub failures: Vec<Bytes>,
}

impl IngestJob {
    /// Job info: counters appear once the job is no longer Open.
    pub fn to_json(&self, with_counters: bool) -> Value {
        let info = &self.info;
        let mut map = info.common();
        map.insert("jobType".into(), json!("V2Ingest"));
        map.insert(
            "contentUrl".into(),
            json!(format!(
                "services/data/v{}.0/jobs/ingest/{}/batches",
                info.version.0, info.id
            )),
        );
        if let Some(ext) = &self.external_id {
            map.insert("externalIdFieldName".into(), json!(ext));
        }
        if let Some(rule) = &self.assignment_rule_id {
            map.insert("assignmentRuleId".into(), json!(rule));
        }
        if with_counters && info.state != JobState::Open {
            map.insert("numberRecordsProcessed".into(), json!(info.processed));
            map.insert("numberRecordsFailed".into(), json!(info.failed));
            map.insert("retries".into(), json!(0));
            map.insert("totalProcessingTime".into(), json!(info.processing_ms));
            map.insert("apiActiveProcessingTime".into(), json!(info.processing_ms));
            map.insert("apexProcessingTime".into(), json!(0));
        }
        if let Some(message) = &info.error_message {
            map.insert("errorMessage".into(), json!(message));
        }
        Value::Object(map)
    }
}

/// A query job's results: the CSV header row, then every row in one buffer; `ends[i]` is where
/// row `i` ends, so a page of rows is one slice, never a copy.
#[derive(Debug, Default, Clone)]
pub struct QueryResults {
    pub header: Bytes,
    pub rows: Bytes,
    pub ends: Vec<usize>,
}

impl QueryResults {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The bytes of rows `from..to`.
    pub fn slice(&self, from: usize, to: usize) -> Bytes {
        let start = if from == 0 { 0 } else { self.ends[from - 1] };
        let end = if to == 0 { 0 } else { self.ends[to - 1] };
        self.rows.slice(start..end)
    }
}

/// A query job.
#[derive(Debug)]
pub struct QueryJob {
    pub info: JobInfo,
    pub query: String,
    pub results: Option<QueryResults>,
}

impl QueryJob {
    /// Job info; the create answer lacks the counters that GET adds.
    pub fn to_json(&self, with_counters: bool) -> Value {
        let mut map = self.info.common();
        if with_counters {
            map.insert("jobType".into(), json!("V2Query"));
            map.insert("numberRecordsProcessed".into(), json!(self.info.processed));
            map.insert("retries".into(), json!(0));
            map.insert("totalProcessingTime".into(), json!(self.info.processing_ms));
            // Account can be PK-chunked on Salesforce; User and RecordType are not on its list.
            map.insert(
                "isPkChunkingSupported".into(),
                json!(self.info.object == "Account"),
            );
        }
        if let Some(message) = &self.info.error_message {
            map.insert("errorMessage".into(), json!(message));
        }
        Value::Object(map)
    }
}

/// Every job of the org, in creation order, and the bulk allowances used.
#[derive(Debug, Default)]
pub struct BulkJobs {
    table: Mutex<Table>,
    /// 10,000-record ingest batches worked (`DailyBulkApiBatches`).
    pub batches: AtomicU64,
    /// Query jobs created (`DailyBulkV2QueryJobs`).
    pub query_jobs: AtomicU64,
    /// Bytes of query results written (`DailyBulkV2QueryFileStorageMB`).
    pub query_bytes: AtomicU64,
    /// Test knobs: while held, ingest jobs wait `InProgress` before their first row (a reload
    /// or a pause while a job runs); the next job worked fails with these words.
    held: AtomicBool,
    release: tokio::sync::Notify,
    fail_next: Mutex<Option<String>>,
}

#[derive(Debug, Default)]
struct Table {
    next: u64,
    ingest: Vec<IngestJob>,
    query: Vec<QueryJob>,
}

impl BulkJobs {
    /// Holds ingest jobs `InProgress` (true) or lets them go on (false). For tests.
    pub fn hold(&self, on: bool) {
        self.held.store(on, Ordering::SeqCst);
        if !on {
            self.release.notify_waiters();
        }
    }

    /// Waits while jobs are held.
    pub(super) async fn wait_while_held(&self) {
        loop {
            // Made before the check: a release between the two still wakes it.
            let released = self.release.notified();
            if !self.held.load(Ordering::SeqCst) {
                return;
            }
            released.await;
        }
    }

    /// Fails the next ingest job the org works, before any row, with `message` as its
    /// `errorMessage` (as when a daily limit is hit). For tests.
    pub fn fail_next_job(&self, message: &str) {
        *self.fail_next.lock() = Some(message.to_string());
    }

    pub(super) fn take_failure(&self) -> Option<String> {
        self.fail_next.lock().take()
    }

    /// A new job id (`750…`), unique in the org.
    pub fn next_id(&self, org_tag: &str) -> String {
        let mut table = self.table.lock();
        table.next += 1;
        ids::make_id("750", org_tag, table.next)
    }

    pub fn add_ingest(&self, job: IngestJob) {
        self.table.lock().ingest.push(job);
    }

    pub fn add_query(&self, job: QueryJob) {
        self.table.lock().query.push(job);
        self.query_jobs.fetch_add(1, Ordering::Relaxed);
    }

    /// Runs `f` on the ingest job `id` (15 or 18 characters); `None` when there is none.
    pub fn with_ingest<T>(&self, id: &str, f: impl FnOnce(&mut IngestJob) -> T) -> Option<T> {
        let id = ids::normalize(id)?;
        let mut table = self.table.lock();
        table.ingest.iter_mut().find(|j| j.info.id == id).map(f)
    }

    /// Runs `f` on the query job `id`; `None` when there is none.
    pub fn with_query<T>(&self, id: &str, f: impl FnOnce(&mut QueryJob) -> T) -> Option<T> {
        let id = ids::normalize(id)?;
        let mut table = self.table.lock();
        table.query.iter_mut().find(|j| j.info.id == id).map(f)
    }

    /// Removes the ingest job if `allowed` says so: `None` no such job, `Some(false)` refused.
    pub fn remove_ingest(&self, id: &str, allowed: impl Fn(JobState) -> bool) -> Option<bool> {
        let id = ids::normalize(id)?;
        let mut table = self.table.lock();
        let at = table.ingest.iter().position(|j| j.info.id == id)?;
        if !allowed(table.ingest[at].info.state) {
            return Some(false);
        }
        table.ingest.remove(at);
        Some(true)
    }

    /// Removes the query job if `allowed` says so: `None` no such job, `Some(false)` refused.
    pub fn remove_query(&self, id: &str, allowed: impl Fn(JobState) -> bool) -> Option<bool> {
        let id = ids::normalize(id)?;
        let mut table = self.table.lock();
        let at = table.query.iter().position(|j| j.info.id == id)?;
        if !allowed(table.query[at].info.state) {
            return Some(false);
        }
        table.query.remove(at);
        Some(true)
    }

    /// Job info (without counters) of every ingest job, oldest first.
    pub fn ingest_list(&self) -> Vec<Value> {
        let table = self.table.lock();
        table.ingest.iter().map(|j| j.to_json(false)).collect()
    }

    /// Job info (with `jobType`) of every query job, oldest first.
    pub fn query_list(&self) -> Vec<Value> {
        let table = self.table.lock();
        table
            .query
            .iter()
            .map(|j| {
                let mut v = j.to_json(false);
                v["jobType"] = json!("V2Query");
                v
            })
            .collect()
    }

    /// Forgets the allowances used (the admin API's reset).
    pub fn reset_usage(&self) {
        self.batches.store(0, Ordering::Relaxed);
        self.query_jobs.store(0, Ordering::Relaxed);
        self.query_bytes.store(0, Ordering::Relaxed);
    }
}
