//! Running what was previewed: the batches of the plan written through a [`Writer`] (REST
//! upserts by the key today; another strategy, such as Bulk API 2.0, can take its place), a few
//! calls at once, parents' depth before children's. The state of a run is plain data, kept by
//! the app after every step, so a run survives a reload: a batch marked sent whose answer never
//! came is sent again, which the upsert by key makes safe.

use std::future::Future;

use futures::future::join_all;
use salesforce::error::Error;
use salesforce::rest::{Record, UpsertItem};
use salesforce::types::RecordId;
use serde::{Deserialize, Serialize};

use crate::plan::{batches, Batch};
use crate::preview::Preview;

/// The write step: one call writing up to 200 records, one item per record, in order.
pub trait Writer {
    fn write(&self, records: Vec<Record>) -> impl Future<Output = Result<Vec<UpsertItem>, Error>>;
}

/// What happened to one record of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordResult {
    Created(RecordId),
    Updated(RecordId),
    /// The org's words, or why the call carrying it failed.
    Failed(String),
    /// Deleted in the source after the preview: not written.
    SourceDeleted,
}

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
}

/// A run's plan and progress: what the app keeps in the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    pub batches: Vec<BatchState>,
    /// One per preview row (`None`: not written yet, or not to be written).
    pub results: Vec<Option<RecordResult>>,
    /// Calls made so far.
    pub calls: u64,
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
        RunState {
            batches: batches(preview)
                .into_iter()
                .map(|batch| BatchState {
                    batch,
                    status: Status::Waiting,
                })
                .collect(),
            results: vec![None; preview.rows.len()],
            calls: 0,
        }
    }

    /// Records written or failed, of those to write.
    pub fn progress(&self) -> (usize, usize) {
        let total = self.batches.iter().map(|b| b.batch.rows.len()).sum();
        let done = self
            .batches
            .iter()
            .flat_map(|b| &b.batch.rows)
            .filter(|&&r| self.results[r].is_some())
            .count();
        (done, total)
    }

    pub fn finished(&self) -> bool {
        self.batches.iter().all(|b| b.status == Status::Done)
    }

    /// A run of the failed records only, with their previewed bodies.
    pub fn failures_only(&self) -> RunState {
        let failed: Vec<usize> = (0..self.results.len())
            .filter(|&r| matches!(self.results[r], Some(RecordResult::Failed(_))))
            .collect();
        let mut next = self.clone();
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
                    },
                    status: Status::Waiting,
                })
            })
            .collect();
        for r in failed {
            next.results[r] = None;
        }
        next
    }

    /// Marks rows whose source record was deleted after the preview: not written.
    pub fn skip_deleted(&mut self, preview: &Preview, deleted: &[RecordId]) {
        for (n, row) in preview.rows.iter().enumerate() {
            if deleted.contains(&row.source_id) && self.results[n].is_none() {
                self.results[n] = Some(RecordResult::SourceDeleted);
            }
        }
    }
}

/// Why a call's failure holds the whole run, if it does.
fn holds(e: &Error) -> Option<String> {
    match e {
        Error::SessionEnded { .. } => Some(e.user_message()),
        _ if e.error_code() == Some("REQUEST_LIMIT_EXCEEDED") => Some(e.user_message()),
        _ => None,
    }
}

/// Worth trying again: no answer, or the org busy.
fn transient(e: &Error) -> bool {
    matches!(e, Error::Network { .. }) || matches!(e.status(), Some(502..=504))
}

/// Runs (or resumes) `state` until it finishes, is paused or cancelled, or the org holds it.
pub async fn run(
    state: &mut RunState,
    preview: &Preview,
    writer: &impl Writer,
    control: &impl Control,
) -> Stop {
    // Sent before a reload, never answered: send again.
    for b in &mut state.batches {
        if b.status == Status::Sent {
            b.status = Status::Waiting;
        }
    }
    loop {
        if let Some(stop) = control.wanted() {
            return stop;
        }
        // The next wave: waiting batches of the shallowest depth not done.
        let Some(depth) = state
            .batches
            .iter()
            .filter(|b| b.status != Status::Done)
            .map(|b| b.batch.depth)
            .min()
        else {
            return Stop::Finished;
        };
        let wave: Vec<usize> = (0..state.batches.len())
            .filter(|&n| {
                state.batches[n].batch.depth == depth && state.batches[n].status == Status::Waiting
            })
            .take(control.concurrency().max(1))
            .collect();
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
            let bodies: Vec<Record> = rows.iter().map(|&r| preview.rows[r].body.clone()).collect();
            async move {
                let mut tries = 0;
                loop {
                    tries += 1;
                    if bodies.is_empty() {
                        return (n, rows, Ok(Vec::new()), 0);
                    }
                    let answer = writer.write(bodies.clone()).await;
                    match answer {
                        Err(e) if transient(&e) && tries < TRIES => {
                            control.sleep(500 * 2u32.pow(tries - 1)).await;
                        }
                        other => return (n, rows, other, tries),
                    }
                }
            }
        });
        let mut held = None;
        for (n, rows, answer, tries) in join_all(calls).await {
            state.calls += u64::from(tries);
            match answer {
                Ok(items) => {
                    for (r, item) in rows.iter().zip(items) {
                        state.results[*r] = Some(match item {
                            UpsertItem::Created(id) => RecordResult::Created(id),
                            UpsertItem::Updated(id) => RecordResult::Updated(id),
                            UpsertItem::Failed(errors) => RecordResult::Failed(
                                errors
                                    .iter()
                                    .map(|e| e.message.clone())
                                    .collect::<Vec<_>>()
                                    .join(" "),
                            ),
                        });
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
        control.saw(state).await;
        if let Some(why) = held {
            return Stop::Held(why);
        }
    }
}

#[cfg(test)]
mod tests;
