//! Running what was previewed: the batches of the plan written through a [`Writer`] (REST
//! upserts by the key today; another strategy, such as Bulk API 2.0, can take its place), a few
//! calls at once, parents' depth before children's, deletions last. The state of a run is plain
//! data, kept by the app after every step, so a run survives a reload: a batch marked sent whose
//! answer never came is sent again, which the upsert by key makes safe.
//!
//! Before each wave the target records it would update or delete are read again (their
//! `SystemModstamp`, in one call): one changed since the preview is not written, and is
//! reported so the person previews again and sees the change.

use std::collections::HashSet;
use std::future::Future;

use futures::future::join_all;
use salesforce::error::Error;
use salesforce::rest::{Record, UpsertItem};
use salesforce::types::RecordId;
use serde::{Deserialize, Serialize};

use crate::plan::{batches, Batch, Op};
use crate::preview::{Outcome, Preview};

/// A target record's last change, as the conflict check reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub modstamp: String,
    /// `LastModifiedById`.
    pub by: String,
}

/// The calls a run makes to the target.
pub trait Writer {
    /// One call upserting up to 200 records by the key: one item per record, in order.
    fn write(&self, records: Vec<Record>) -> impl Future<Output = Result<Vec<UpsertItem>, Error>>;
    /// One call deleting up to 200 records: per record, done or the org's words.
    fn delete(
        &self,
        ids: Vec<RecordId>,
    ) -> impl Future<Output = Result<Vec<Result<(), String>>, Error>>;
    /// One call reading up to 2,000 records' last change (`None`: no longer there), in order.
    fn stamps(&self, ids: Vec<RecordId>)
        -> impl Future<Output = Result<Vec<Option<Stamp>>, Error>>;
    /// The user the run writes as (an 18-character id).
    fn user(&self) -> String;
}

/// What happened to one record of a run.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RecordResult {
    Created(RecordId),
    Updated(RecordId),
    /// Deleted in the target (its source record was deleted since the last sync).
    Deleted(RecordId),
    /// The org's words, or why the call carrying it failed.
    Failed(String),
    /// Deleted in the source after the preview: not written.
    SourceDeleted,
    /// Changed (or deleted) in the target after the preview, by someone else: not written, so
    /// their change stands. Preview again to see it. The words say which.
    ChangedInTarget(String),
}

/// What the conflict check says of a record changed in the target since the preview.
pub const CHANGED_IN_TARGET: &str = "Changed in the target since the preview: not written, so that change stands. Preview again to see it.";
/// ... and of one deleted there.
pub const DELETED_IN_TARGET: &str =
    "Deleted in the target since the preview: not written. Preview again to see it.";

/// Where one batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Waiting,
    /// Sent, no answer kept yet: after a reload, sent again.
    Sent,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchState {
    pub batch: Batch,
    pub status: Status,
    /// Its Bulk API job, once created: kept so that a reload finds it again rather than
    /// starting another.
    #[serde(default)]
    pub job: Option<BulkJob>,
}

/// A batch's Bulk API 2.0 job as last seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkJob {
    pub id: String,
    /// The org's word for where it is (`InProgress`, `JobComplete`…).
    pub state: String,
    pub processed: u64,
    pub failed: u64,
    /// Why the org failed it.
    #[serde(default)]
    pub error: Option<String>,
}

/// How a run writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Engine {
    /// sObject Collections, 200 records per call.
    #[default]
    Rest,
    /// Bulk API 2.0 ingest jobs, one per depth (more when one would be too large).
    Bulk,
}

/// A run's plan and progress: what the app keeps in the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    pub batches: Vec<BatchState>,
    /// One per preview row (`None`: not written yet, or not to be written).
    pub results: Vec<Option<RecordResult>>,
    /// Calls made so far.
    pub calls: u64,
    #[serde(default)]
    pub engine: Engine,
    /// Which pass over the plan this is: 0 for the run, one more for each re-run of its
    /// failures (whose batches are other ones).
    #[serde(default)]
    pub attempt: u32,
}

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// Every batch is done.
    Finished,
    /// Paused by the person.
    Paused,
    Cancelled,
    /// The org stopped it (the daily allowance used up, the session ended): resumable later,
    /// with the reason in words.
    Held(String),
}

/// What the person can do to a run while it goes.
pub trait Control {
    /// Checked before each wave of calls.
    fn wanted(&self) -> Option<Stop>;
    /// Calls at once now (fewer when a budget runs low).
    fn concurrency(&self) -> usize;
    /// Waits `ms` milliseconds (before a retry).
    fn sleep(&self, ms: u32) -> impl Future<Output = ()>;
    /// After every change of the state: keep it (waited for, so what is kept is never behind
    /// what the org has by more than one wave), show it.
    fn saw(&self, state: &RunState) -> impl Future<Output = ()>;
}

/// Tries per call before its records are failed (a 503 or a dropped connection is tried again).
pub const TRIES: u32 = 4;

impl RunState {
    /// A run of what `preview` writes.
    pub fn new(preview: &Preview) -> RunState {
        RunState::with_engine(preview, Engine::Rest)
    }

    /// A run of what `preview` writes, through `engine`.
    pub fn with_engine(preview: &Preview, engine: Engine) -> RunState {
        let batches = match engine {
            Engine::Rest => batches(preview),
            Engine::Bulk => crate::bulk::jobs(preview),
        };
        RunState {
            batches: batches
                .into_iter()
                .map(|batch| BatchState {
                    batch,
                    status: Status::Waiting,
                    job: None,
                })
                .collect(),
            results: vec![None; preview.rows.len()],
            calls: 0,
            engine,
            attempt: 0,
        }
    }

    /// Records written or failed, of those to write. A Bulk job's rows count as the org
    /// processes them, before its results are read.
    pub fn progress(&self) -> (usize, usize) {
        let total = self.batches.iter().map(|b| b.batch.rows.len()).sum();
        let done = self
            .batches
            .iter()
            .map(|b| {
                let settled = b
                    .batch
                    .rows
                    .iter()
                    .filter(|&&r| self.results[r].is_some())
                    .count();
                match (&b.job, b.status) {
                    (Some(job), Status::Sent) => {
                        (settled + job.processed as usize).min(b.batch.rows.len())
                    }
                    _ => settled,
                }
            })
            .sum();
        (done, total)
    }

    pub fn finished(&self) -> bool {
        self.batches.iter().all(|b| b.status == Status::Done)
    }

    /// A run of the failed records only, with their previewed bodies (each checked for changes in
    /// the target again before it is sent).
    pub fn failures_only(&self) -> RunState {
        let failed: HashSet<usize> = (0..self.results.len())
            .filter(|&r| matches!(self.results[r], Some(RecordResult::Failed(_))))
            .collect();
        let mut next = self.clone();
        next.attempt += 1;
        next.batches = self
            .batches
            .iter()
            .filter_map(|b| {
                let rows: Vec<usize> = b
                    .batch
                    .rows
                    .iter()
                    .copied()
                    .filter(|r| failed.contains(r))
                    .collect();
                (!rows.is_empty()).then_some(BatchState {
                    batch: Batch {
                        depth: b.batch.depth,
                        rows,
                        op: b.batch.op,
                    },
                    status: Status::Waiting,
                    job: None,
                })
            })
            .collect();
        for r in failed {
            next.results[r] = None;
        }
        next
    }

    /// Marks rows whose source record was deleted after the preview: not written (a Delete row
    /// is, as its source record is meant to be gone).
    pub fn skip_deleted(&mut self, preview: &Preview, deleted: &HashSet<RecordId>) {
        // Each row is read back only when there is something to look for.
        if deleted.is_empty() {
            return;
        }
        for (n, row) in preview.rows.iter().enumerate() {
            if row.outcome != Outcome::Delete
                && deleted.contains(&row.source_id)
                && self.results[n].is_none()
            {
                self.results[n] = Some(RecordResult::SourceDeleted);
            }
        }
    }
}

/// Why a call's failure holds the whole run, if it does.
pub(crate) fn holds(e: &Error) -> Option<String> {
    match e {
        Error::SessionEnded { .. } => Some(e.user_message()),
        _ if e.error_code() == Some("REQUEST_LIMIT_EXCEEDED") => Some(e.user_message()),
        _ => None,
    }
}

/// Worth trying again: no answer, or the org busy.
pub(crate) fn transient(e: &Error) -> bool {
    matches!(e, Error::Network { .. }) || matches!(e.status(), Some(502..=504))
}

/// Sends `call` until it answers or fails for good: a 503 or a dropped connection is tried again
/// after a pause, up to [`TRIES`] times. Returns the answer and the calls made.
pub(crate) async fn with_retries<T, F: Future<Output = Result<T, Error>>>(
    control: &impl Control,
    mut call: impl FnMut() -> F,
) -> (Result<T, Error>, u32) {
    let mut tries = 0;
    loop {
        tries += 1;
        match call().await {
            Err(e) if transient(&e) && tries < TRIES => {
                control.sleep(500 * 2u32.pow(tries - 1)).await;
            }
            other => return (other, tries),
        }
    }
}

/// Before a wave: reads the target records its rows would update or delete, and settles those
/// changed since the preview. A row of a batch whose answer was lost (`resent`) that the run's
/// own user changed was written by that call: it is settled as done. `Err` holds the run.
pub(crate) async fn check_conflicts(
    state: &mut RunState,
    preview: &Preview,
    wave: &[usize],
    resent: &HashSet<usize>,
    writer: &impl Writer,
    control: &impl Control,
) -> Result<(), Option<String>> {
    // The rows to check, each read once: (row, sent before, its target record and stamp).
    let rows: Vec<(usize, bool, RecordId, String)> = wave
        .iter()
        .flat_map(|&b| {
            let was_sent = resent.contains(&b);
            state.batches[b]
                .batch
                .rows
                .iter()
                .map(move |&r| (r, was_sent))
        })
        .filter(|&(r, _)| state.results[r].is_none())
        .filter(|&(r, _)| preview.rows.outcome(r).touches_existing())
        .filter_map(|(r, was_sent)| {
            let row = preview.rows.get(r);
            Some((r, was_sent, row.target_id?, row.target_stamp?))
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let mut at = 0;
    for chunk in rows.chunks(STAMPS_PER_CALL) {
        let ids: Vec<RecordId> = chunk.iter().map(|(_, _, id, _)| id.clone()).collect();
        let (answer, tries) = with_retries(control, || writer.stamps(ids.clone())).await;
        state.calls += u64::from(tries);
        let stamps = match answer {
            Ok(s) => s,
            Err(e) => {
                if let Some(why) = holds(&e) {
                    return Err(Some(why));
                }
                for &(r, ..) in chunk {
                    state.results[r] = Some(RecordResult::Failed(format!(
                        "Could not check whether it changed in the target since the preview, so it was not written: {}",
                        e.user_message()
                    )));
                }
                at += chunk.len();
                continue;
            }
        };
        for ((r, was_sent, id, stamp), now) in chunk.iter().zip(stamps) {
            let (r, was_sent, id) = (*r, *was_sent, id.clone());
            let settled = match now {
                None if preview.rows.outcome(r) == Outcome::Delete => {
                    Some(RecordResult::Deleted(id))
                }
                None => Some(RecordResult::ChangedInTarget(DELETED_IN_TARGET.into())),
                Some(s) if &s.modstamp == stamp => None,
                Some(s) if was_sent && same_user(&s.by, &writer.user()) => {
                    Some(RecordResult::Updated(id))
                }
                Some(_) => Some(RecordResult::ChangedInTarget(CHANGED_IN_TARGET.into())),
            };
            if settled.is_some() {
                state.results[r] = settled;
            }
        }
        at += chunk.len();
    }
    debug_assert_eq!(at, rows.len());
    Ok(())
}

/// Records per conflict check call (sObject Collections' retrieve takes 2,000).
const STAMPS_PER_CALL: usize = 2_000;

/// Ids compare on their first 15 characters (an org may give either length).
fn same_user(a: &str, b: &str) -> bool {
    a.get(..15).is_some_and(|x| Some(x) == b.get(..15))
}

/// Runs (or resumes) `state` until it finishes, is paused or cancelled, or the org holds it.
pub async fn run(
    state: &mut RunState,
    preview: &Preview,
    writer: &impl Writer,
    control: &impl Control,
) -> Stop {
    // Sent before a reload, never answered: send again (after the conflict check, which knows
    // the run's own write from someone else's).
    let mut resent = HashSet::new();
    for (n, b) in state.batches.iter_mut().enumerate() {
        if b.status == Status::Sent {
            b.status = Status::Waiting;
            resent.insert(n);
        }
    }
    loop {
        // The next wave: waiting batches of the shallowest depth not done. A run with nothing
        // left has finished, even if Pause came as its last wave went out.
        let Some(depth) = state
            .batches
            .iter()
            .filter(|b| b.status != Status::Done)
            .map(|b| b.batch.depth)
            .min()
        else {
            return Stop::Finished;
        };
        if let Some(stop) = control.wanted() {
            return stop;
        }
        let wave: Vec<usize> = (0..state.batches.len())
            .filter(|&n| {
                state.batches[n].batch.depth == depth && state.batches[n].status == Status::Waiting
            })
            .take(control.concurrency().max(1))
            .collect();
        if let Err(held) = check_conflicts(state, preview, &wave, &resent, writer, control).await {
            control.saw(state).await;
            return Stop::Held(held.unwrap_or_default());
        }
        for &n in &wave {
            state.batches[n].status = Status::Sent;
        }
        control.saw(state).await;
        let calls = wave.iter().map(|&n| {
            let rows: Vec<usize> = state.batches[n]
                .batch
                .rows
                .iter()
                .copied()
                .filter(|&r| state.results[r].is_none())
                .collect();
            let op = state.batches[n].batch.op;
            async move {
                if rows.is_empty() {
                    return (n, rows, Ok(Vec::new()), 0);
                }
                let (answer, tries) = match op {
                    Op::Upsert => {
                        let bodies: Vec<Record> =
                            rows.iter().map(|&r| preview.rows.get(r).body).collect();
                        let (a, t) = with_retries(control, || writer.write(bodies.clone())).await;
                        (a.map(|items| items.into_iter().map(upserted).collect()), t)
                    }
                    Op::Delete => {
                        let ids: Vec<RecordId> = rows
                            .iter()
                            .filter_map(|&r| preview.rows.get(r).target_id)
                            .collect();
                        let (a, t) = with_retries(control, || writer.delete(ids.clone())).await;
                        let answer = a.map(|items| {
                            items
                                .into_iter()
                                .zip(ids)
                                .map(|(item, id)| match item {
                                    Ok(()) => RecordResult::Deleted(id),
                                    Err(m) => RecordResult::Failed(m),
                                })
                                .collect()
                        });
                        (answer, t)
                    }
                };
                (n, rows, answer, tries)
            }
        });
        let mut held = None;
        for (n, rows, answer, tries) in join_all(calls).await {
            state.calls += u64::from(tries);
            match answer {
                Ok(results) => {
                    for (r, result) in rows.iter().zip(results) {
                        state.results[*r] = Some(result);
                    }
                    state.batches[n].status = Status::Done;
                }
                Err(e) => match holds(&e) {
                    // Nothing of it was written: it waits for the resume.
                    Some(why) => {
                        state.batches[n].status = Status::Waiting;
                        held = Some(why);
                    }
                    None => {
                        for r in rows {
                            state.results[r] = Some(RecordResult::Failed(e.user_message()));
                        }
                        state.batches[n].status = Status::Done;
                    }
                },
            }
        }
        for n in &wave {
            resent.remove(n);
        }
        control.saw(state).await;
        if let Some(why) = held {
            return Stop::Held(why);
        }
    }
}

/// One upsert item as a record's result.
fn upserted(item: UpsertItem) -> RecordResult {
    match item {
        UpsertItem::Created(id) => RecordResult::Created(id),
        UpsertItem::Updated(id) => RecordResult::Updated(id),
        UpsertItem::Failed(errors) => RecordResult::Failed(
            errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(" "),
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests;
