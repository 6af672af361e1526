//! Running a copy through Bulk API 2.0: the records of each depth go up as one ingest job (more
//! when one would pass Salesforce's upload size), parents' job finished before children's,
//! deletions last. A job is created, its id kept at once (so a reload finds it and never starts
//! another), its CSV uploaded, closed, polled with a growing pause, and its result files read
//! back onto the rows. Before each job, the target records it would update or delete are
//! checked for changes since the preview, as the REST run does.
//!
//! After a reload a job still `Open` may or may not hold its upload: it is aborted (an `Open`
//! job has processed nothing) and made again, so nothing is written twice.

pub mod csv;
mod org;

use std::collections::HashMap;
use std::future::Future;

use orgbridge_model::accounts::thousands;
use salesforce::error::Error;
use salesforce::rest::bulk::MAX_UPLOAD_BYTES;
use salesforce::rest::{JobInfo, JobResults, JobState};

use self::csv::ResultRow;
use crate::plan::{Batch, Op};
use crate::preview::Preview;
use crate::run::{
    check_conflicts, holds, transient, with_retries, BulkJob, Control, RecordResult, RunState,
    Status, Stop, Writer, TRIES,
};
use salesforce::types::RecordId;
use serde::Deserialize;

/// Records to write from which a run goes through Bulk API 2.0 unless the person chooses
/// otherwise: Salesforce advises Bulk for more than about 2,000 records.
pub const DEFAULT_THRESHOLD: usize = 2_000;

/// Upload bytes one job is planned to hold at most, under [`MAX_UPLOAD_BYTES`] with room for
/// the estimate's error.
const JOB_BYTES: usize = MAX_UPLOAD_BYTES / 5 * 4;

/// Longest pause between two polls of a job.
const MAX_POLL_MS: u32 = 10_000;
/// First pause after closing a job.
const FIRST_POLL_MS: u32 = 500;

/// The calls Bulk API 2.0 makes of the target.
pub trait BulkWriter: Writer {
    /// The upsert's key field (each upload's first column).
    fn key_field(&self) -> String;
    /// Creates a job (upsert by the key, or delete): its id.
    fn create(&self, op: Op) -> impl Future<Output = Result<String, Error>>;
    fn upload(&self, job: &str, csv: String) -> impl Future<Output = Result<(), Error>>;
    fn close(&self, job: &str) -> impl Future<Output = Result<JobInfo, Error>>;
    fn abort(&self, job: &str) -> impl Future<Output = Result<JobInfo, Error>>;
    fn info(&self, job: &str) -> impl Future<Output = Result<JobInfo, Error>>;
    fn results(&self, job: &str, which: JobResults) -> impl Future<Output = Result<String, Error>>;
}

/// Which engine a run of `writes` records takes, and why, in words for the preview.
pub fn choose(writes: usize, threshold: usize) -> (crate::run::Engine, String) {
    use crate::run::Engine;
    let (writes_n, threshold_n) = (thousands(writes as u64), thousands(threshold as u64));
    if writes >= threshold.max(1) {
        (
            Engine::Bulk,
            format!(
                "Bulk API 2.0: {writes_n} records to write is at least {threshold_n}, where Salesforce advises Bulk."
            ),
        )
    } else {
        (
            Engine::Rest,
            format!("REST (sObject Collections, 200 per call): {writes_n} records to write is under {threshold_n}."),
        )
    }
}

/// Calls a Bulk run takes of the target: per job its creation, upload, close, about three
/// polls and two result files; plus the conflict check of updates and deletes.
pub fn calls(preview: &Preview) -> u64 {
    let jobs = jobs(preview).len() as u64;
    // An update or a delete has its target record.
    let checked = preview
        .rows
        .outcomes()
        .iter()
        .filter(|o| o.touches_existing())
        .count() as u64;
    jobs * 8 + checked.div_ceil(2_000)
}

/// The jobs for what the preview writes: one per depth and operation, in the order they run,
/// split where an upload would pass [`JOB_BYTES`].
pub fn jobs(preview: &Preview) -> Vec<Batch> {
    let mut out: Vec<Batch> = Vec::new();
    let mut bytes = 0;
    for batch in crate::plan::batches(preview) {
        for r in batch.rows {
            let size = estimate(preview, r, batch.op);
            match out.last_mut() {
                Some(b)
                    if b.depth == batch.depth && b.op == batch.op && bytes + size <= JOB_BYTES =>
                {
                    b.rows.push(r);
                    bytes += size;
                }
                _ => {
                    out.push(Batch {
                        depth: batch.depth,
                        rows: vec![r],
                        op: batch.op,
                    });
                    bytes = size;
                }
            }
        }
    }
    out
}

/// An upper bound of one row's bytes in an upload, without reading the row (see
/// [`crate::preview::Rows::upload_bytes`]).
fn estimate(preview: &Preview, row: usize, op: Op) -> usize {
    if op == Op::Delete {
        return 20;
    }
    preview.rows.upload_bytes(row)
}

/// Each begun job's rows by the key value its upload sent (lowercased, as the org matches),
/// by batch: its results are matched on them without reading the rows again. A job found
/// again after a reload has none; its rows are read.
type Sent = HashMap<usize, HashMap<String, usize>>;

/// What an upload takes of a row.
#[derive(Deserialize)]
struct Body {
    body: salesforce::rest::Record,
}

/// What a result is matched on, of a row.
#[derive(Deserialize)]
struct Matched {
    key: Option<String>,
    target_id: Option<RecordId>,
}

/// Runs (or resumes) a Bulk run until it finishes, is paused or cancelled, or the org holds it.
/// While one job runs in the org, the next of the same depth and operation is made and
/// uploaded (never more than two at once): the org works on one while the browser builds the
/// other. Parents' jobs still finish before any child's starts.
pub async fn run(
    state: &mut RunState,
    preview: &Preview,
    writer: &impl BulkWriter,
    control: &impl Control,
) -> Stop {
    let mut sent = Sent::new();
    let stop = drive(state, preview, &mut sent, writer, control).await;
    if stop != Stop::Cancelled {
        return stop;
    }
    // A job begun alongside is aborted too, and what it did read back.
    while let Some(m) = state
        .batches
        .iter()
        .position(|b| b.status != Status::Done && b.job.is_some())
    {
        match settle(state, m, preview, &mut sent, writer, control).await {
            Ok(()) | Err(Stop::Cancelled) => {}
            Err(stop) => return stop,
        }
    }
    Stop::Cancelled
}

async fn drive(
    state: &mut RunState,
    preview: &Preview,
    sent: &mut Sent,
    writer: &impl BulkWriter,
    control: &impl Control,
) -> Stop {
    loop {
        let Some(n) = state.batches.iter().position(|b| b.status != Status::Done) else {
            return Stop::Finished;
        };
        if state.batches[n].job.is_none() {
            if let Err(stop) = start(state, n, preview, sent, writer, control).await {
                return stop;
            }
            continue;
        }
        if let Some(m) = alongside(state, n) {
            if let Err(stop) = start(state, m, preview, sent, writer, control).await {
                return stop;
            }
        }
        if let Err(stop) = settle(state, n, preview, sent, writer, control).await {
            return stop;
        }
    }
}

/// The batch that may run beside batch `n`'s job: the next, of the same depth and operation,
/// not begun.
fn alongside(state: &RunState, n: usize) -> Option<usize> {
    let (this, next) = (&state.batches[n], state.batches.get(n + 1)?);
    (next.status != Status::Done
        && next.job.is_none()
        && next.batch.depth == this.batch.depth
        && next.batch.op == this.batch.op)
        .then_some(n + 1)
}

/// Rows of batch `n` not yet settled.
fn open_rows(state: &RunState, n: usize) -> Vec<usize> {
    state.batches[n]
        .batch
        .rows
        .iter()
        .copied()
        .filter(|&r| state.results[r].is_none())
        .collect()
}

/// Begins batch `n`, unless the person stopped the run: its records changed in the target
/// since the preview are held back, then its job is made, uploaded and closed. The job id is
/// kept before the upload. An upload cut off is tried again in a new job (the old one, open,
/// processed nothing and is aborted).
async fn start(
    state: &mut RunState,
    n: usize,
    preview: &Preview,
    sent: &mut Sent,
    writer: &impl BulkWriter,
    control: &impl Control,
) -> Result<(), Stop> {
    if let Some(stop) = control.wanted() {
        return Err(stop);
    }
    if let Err(held) =
        check_conflicts(state, preview, &[n], &Default::default(), writer, control).await
    {
        control.saw(state).await;
        return Err(Stop::Held(held.unwrap_or_default()));
    }
    let rows = open_rows(state, n);
    let op = state.batches[n].batch.op;
    if rows.is_empty() {
        state.batches[n].status = Status::Done;
        control.saw(state).await;
        return Ok(());
    }
    let mut attempt = 0;
    let id = loop {
        attempt += 1;
        let (made, tries) = with_retries(control, || writer.create(op)).await;
        state.calls += u64::from(tries);
        let id = match made {
            Ok(id) => id,
            Err(e) => return fail_or_hold(state, &rows, e, control).await,
        };
        state.batches[n].job = Some(BulkJob {
            id: id.clone(),
            state: "Open".into(),
            processed: 0,
            failed: 0,
            error: None,
        });
        state.batches[n].status = Status::Sent;
        control.saw(state).await;
        // Built per attempt rather than kept twice: it may be tens of megabytes.
        let upload = match op {
            // Each row read back as its line is written (its body only).
            Op::Upsert => {
                let key = writer.key_field();
                let mut keys = HashMap::with_capacity(rows.len());
                let bodies = rows.iter().map(|&r| {
                    let body = preview.rows.get_as::<Body>(r).body;
                    if let Some(k) = body.get(&key).and_then(|v| v.as_str()) {
                        keys.insert(k.to_lowercase(), r);
                    }
                    body
                });
                let upload = csv::upload(preview.rows.columns(&rows), bodies, &key);
                sent.insert(n, keys);
                upload
            }
            Op::Delete => {
                let ids: Vec<RecordId> = rows
                    .iter()
                    .filter_map(|&r| preview.rows.get(r).target_id)
                    .collect();
                csv::delete_upload(ids.iter().map(RecordId::as_str))
            }
        };
        // Sent once per job: a second upload to a job is refused.
        state.calls += 1;
        let Err(e) = writer.upload(&id, upload).await else {
            break id;
        };
        abort_quietly(state, &id, writer).await;
        forget_job(state, n);
        if let Some(why) = holds(&e) {
            control.saw(state).await;
            return Err(Stop::Held(why));
        }
        if !transient(&e) {
            return fail_or_hold(state, &rows, e, control).await;
        }
        if attempt >= TRIES {
            control.saw(state).await;
            return Err(Stop::Held(format!(
                "The upload of {} records to the target was cut off {attempt} times ({}). Nothing of it was written; Resume to try again.",
                rows.len(),
                e.user_message()
            )));
        }
        control.sleep(500 * 2u32.pow(attempt - 1)).await;
    };
    state.calls += 1;
    match writer.close(&id).await {
        Ok(info) => note(state, n, &info),
        // Settled next: a job still open is made again.
        Err(e) if transient(&e) => {}
        Err(e) => {
            if let Some(why) = holds(&e) {
                control.saw(state).await;
                return Err(Stop::Held(why));
            }
            abort_quietly(state, &id, writer).await;
            forget_job(state, n);
            return fail_or_hold(state, &rows, e, control).await;
        }
    }
    control.saw(state).await;
    Ok(())
}

/// A call failed for good: the run holds if the org says so, else the rows fail with the words.
async fn fail_or_hold(
    state: &mut RunState,
    rows: &[usize],
    e: Error,
    control: &impl Control,
) -> Result<(), Stop> {
    if let Some(why) = holds(&e) {
        control.saw(state).await;
        return Err(Stop::Held(why));
    }
    for &r in rows {
        state.results[r] = Some(RecordResult::Failed(e.user_message()));
    }
    control.saw(state).await;
    Ok(())
}

async fn abort_quietly(state: &mut RunState, id: &str, writer: &impl BulkWriter) {
    state.calls += 1;
    let _ = writer.abort(id).await;
}

fn forget_job(state: &mut RunState, n: usize) {
    state.batches[n].job = None;
    state.batches[n].status = Status::Waiting;
}

fn note(state: &mut RunState, n: usize, info: &JobInfo) {
    if let Some(job) = state.batches[n].job.as_mut() {
        job.state = format!("{:?}", info.state);
        job.processed = info.number_records_processed;
        job.failed = info.number_records_failed;
        job.error = info.error_message.clone().filter(|m| !m.is_empty());
    }
}

/// The pause before the next poll, from the pace the job went since the last poll: while more
/// than a second is left, part of the way there (a pace read early is rough: an org parses the
/// upload before it counts records); then a little after the end, so one poll finds it done
/// rather than one seconds later. With no pace to go by, twice the last pause. Between
/// [`FIRST_POLL_MS`] / 2 and [`MAX_POLL_MS`].
fn next_pause(last: u32, before: u64, now: u64, total: u64) -> u32 {
    let floor = FIRST_POLL_MS / 2;
    if now <= before || now >= total {
        return (last * 2).clamp(floor, MAX_POLL_MS);
    }
    let per_ms = (now - before) as f64 / f64::from(last.max(1));
    let left_ms = (total - now) as f64 / per_ms;
    let share = if left_ms > 1_000.0 { 0.6 } else { 1.1 };
    ((left_ms * share) as u32).clamp(floor, MAX_POLL_MS)
}

/// Follows batch `n`'s job to its end and reads its results onto the rows.
async fn settle(
    state: &mut RunState,
    n: usize,
    preview: &Preview,
    sent: &mut Sent,
    writer: &impl BulkWriter,
    control: &impl Control,
) -> Result<(), Stop> {
    let id = state.batches[n].job.as_ref().expect("a job").id.clone();
    let mut pause = FIRST_POLL_MS;
    // Records processed at the last poll, of the job's: the pace sets the next pause.
    let mut seen = 0;
    let total = state.batches[n].batch.rows.len() as u64;
    let mut aborted = false;
    let info = loop {
        let (info, tries) = with_retries(control, || writer.info(&id)).await;
        state.calls += u64::from(tries);
        let info = match info {
            Ok(info) => info,
            Err(e) if e.status() == Some(404) => {
                let rows = open_rows(state, n);
                for r in rows {
                    state.results[r] = Some(RecordResult::Failed(format!(
                        "The org no longer has Bulk job {id} (jobs are deleted 7 days after they end), so what it did to this record is unknown. Preview again to see it."
                    )));
                }
                state.batches[n].status = Status::Done;
                control.saw(state).await;
                return Ok(());
            }
            Err(e) => {
                control.saw(state).await;
                return Err(Stop::Held(holds(&e).unwrap_or_else(|| e.user_message())));
            }
        };
        note(state, n, &info);
        match info.state {
            // Its upload may or may not have landed, and nothing of it was processed: abort it
            // and make it again.
            JobState::Open => {
                abort_quietly(state, &id, writer).await;
                forget_job(state, n);
                control.saw(state).await;
                return Ok(());
            }
            s if s.is_final() => break info,
            _ => {}
        }
        control.saw(state).await;
        match control.wanted() {
            Some(Stop::Cancelled) if !aborted => {
                aborted = true;
                state.calls += 1;
                if let Ok(info) = writer.abort(&id).await {
                    note(state, n, &info);
                }
                continue;
            }
            Some(Stop::Cancelled) => {}
            // The job goes on in the org: the resume follows it from here.
            Some(stop) => return Err(stop),
            None => {}
        }
        control.sleep(pause).await;
        pause = next_pause(pause, seen, info.number_records_processed, total);
        seen = info.number_records_processed;
    };
    read_back(state, n, preview, sent.remove(&n), &info, writer, control).await?;
    if aborted {
        return Err(Stop::Cancelled);
    }
    Ok(())
}

/// Reads a finished job's result files onto its rows.
async fn read_back(
    state: &mut RunState,
    n: usize,
    preview: &Preview,
    sent: Option<HashMap<String, usize>>,
    info: &JobInfo,
    writer: &impl BulkWriter,
    control: &impl Control,
) -> Result<(), Stop> {
    let id = &info.id;
    let op = state.batches[n].batch.op;
    let column = match op {
        Op::Upsert => writer.key_field(),
        Op::Delete => "Id".to_string(),
    };
    // The job's rows by the value they were matched on.
    let by_value = sent.unwrap_or_else(|| {
        let rows = open_rows(state, n);
        let mut by_value: HashMap<String, usize> = HashMap::with_capacity(rows.len());
        for &r in &rows {
            let row: Matched = preview.rows.get_as(r);
            let value = match op {
                Op::Upsert => row.key.as_deref().map(str::to_lowercase),
                Op::Delete => row.target_id.as_ref().map(|i| i.as_str().to_lowercase()),
            };
            if let Some(v) = value {
                by_value.insert(v, r);
            }
        }
        by_value
    });
    let mut files = vec![JobResults::Successful, JobResults::Failed];
    if info.state != JobState::JobComplete {
        files.push(JobResults::Unprocessed);
    }
    for which in files {
        let (text, tries) = with_retries(control, || writer.results(id, which)).await;
        state.calls += u64::from(tries);
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                control.saw(state).await;
                return Err(Stop::Held(holds(&e).unwrap_or_else(|| {
                    format!(
                        "Could not read the results of Bulk job {id}: {}",
                        e.user_message()
                    )
                })));
            }
        };
        let read = match csv::read_results(&text, &column) {
            Ok(read) => read,
            Err(why) => {
                control.saw(state).await;
                return Err(Stop::Held(format!(
                    "Could not read the results of Bulk job {id}: {why}"
                )));
            }
        };
        for (value, result) in read {
            let Some(&r) = by_value.get(&value.to_lowercase()) else {
                continue;
            };
            state.results[r] = Some(match result {
                ResultRow::Done { id, created } => {
                    let done = RecordId::parse(&id)
                        .ok()
                        .or_else(|| preview.rows.get(r).target_id);
                    match (done, op, created) {
                        (Some(i), Op::Delete, _) => RecordResult::Deleted(i),
                        (Some(i), _, true) => RecordResult::Created(i),
                        (Some(i), _, false) => RecordResult::Updated(i),
                        (None, ..) => RecordResult::Failed(format!(
                            "Bulk job {id} says it wrote this record but gave no valid id."
                        )),
                    }
                }
                ResultRow::Failed(words) => RecordResult::Failed(words),
                ResultRow::Unprocessed => RecordResult::Failed(not_processed(info)),
            });
        }
    }
    for r in open_rows(state, n) {
        state.results[r] = Some(RecordResult::Failed(match info.state {
            JobState::JobComplete => {
                format!("Bulk job {id} finished without a result for this record.")
            }
            _ => not_processed(info),
        }));
    }
    state.batches[n].status = Status::Done;
    control.saw(state).await;
    Ok(())
}

fn not_processed(info: &JobInfo) -> String {
    match (info.state, info.error_message.as_deref()) {
        (JobState::Aborted, _) => {
            "Not written: the Bulk job was cancelled before it got to this record.".into()
        }
        (_, Some(why)) if !why.is_empty() => {
            format!("Not written: the org failed the Bulk job ({why}).")
        }
        _ => "Not written: the org failed the Bulk job before it got to this record.".into(),
    }
}

#[cfg(test)]
mod tests;
