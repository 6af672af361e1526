//! A kept run read back, one record at a time (the caller reads them from the browser's store;
//! a chunk of rows is parsed and dropped before the next is read).

use super::{decode_statuses, read, split_chunk, Batches, Keeper, Plan, Progress, Settled, CHUNK};
use crate::preview::{Preview, Rows};
use crate::run::{BatchState, RunState};

/// What a restore found.
#[derive(Debug, Clone, PartialEq)]
pub enum Restored {
    /// Nothing kept, or a finished run.
    Nothing,
    /// An unfinished run.
    Run(Box<Resumable>),
    /// Something kept that cannot be used, with why in words; the caller forgets it.
    Dropped(String),
}

/// An unfinished run: its plan, its rows, where it got to, and what of it is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Resumable {
    pub plan: Plan,
    pub preview: Preview,
    pub state: RunState,
    pub keeper: Keeper,
}

pub(super) const UNREADABLE: &str = "A copy kept in this browser by another version of OrgBridge could not be read, so it was dropped. Nothing more was sent for it; preview again to see what the target holds.";

fn dropped<T>() -> Result<T, Restored> {
    Err(Restored::Dropped(UNREADABLE.into()))
}

/// A restore under way: the head read, then each chunk, then the progress and the results it
/// counts.
pub struct Restoring {
    plan: Plan,
    rows: Rows,
    state: Option<RunState>,
    settled: u32,
}

impl Restoring {
    /// From the head; `kept_more` says whether any other record of the pair is kept (a
    /// progress without its plan is another version's, or half of one).
    pub fn start(head: Option<&str>, kept_more: bool) -> Result<Restoring, Restored> {
        let Some(head) = head else {
            return if kept_more {
                dropped()
            } else {
                Err(Restored::Nothing)
            };
        };
        let plan: Plan = read(head).ok_or(Restored::Dropped(UNREADABLE.into()))?;
        Ok(Restoring {
            rows: Rows::default(),
            plan,
            state: None,
            settled: 0,
        })
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Chunk `n`'s record; chunks come in order, `0 … plan().chunks() − 1`.
    pub fn chunk(&mut self, n: usize, bytes: Option<&[u8]>) -> Result<(), Restored> {
        let Some((head, packed)) = bytes.and_then(split_chunk) else {
            return dropped();
        };
        let expected = CHUNK.min(self.plan.rows - n * CHUNK);
        if head.run_id != self.plan.run_id
            || head.n != n
            || self.rows.len() != n * CHUNK
            || head.summary.outcomes.len() != expected
            || !self.rows.import(head.summary, packed.to_vec())
        {
            return dropped();
        }
        Ok(())
    }

    /// The `batches` and `progress` records; returns how many `settled/<seq>` records to read.
    /// None kept: the run had not sent its first call (they are kept before each wave).
    pub fn progress(
        &mut self,
        batches: Option<&str>,
        progress: Option<&str>,
    ) -> Result<u32, Restored> {
        if self.rows.len() != self.plan.rows {
            return dropped();
        }
        let (Some(batches), Some(progress)) = (batches, progress) else {
            self.state = Some(self.fresh());
            return Ok(0);
        };
        let (Some(b), Some(p)) = (read::<Batches>(batches), read::<Progress>(progress)) else {
            return dropped();
        };
        if b.run_id != self.plan.run_id || p.run_id != self.plan.run_id {
            // Another run's, kept before this run's first wave replaced it.
            self.state = Some(self.fresh());
            return Ok(0);
        }
        let statuses = decode_statuses(&p.statuses).unwrap_or_default();
        let rows = self.plan.rows;
        if b.attempt != p.attempt
            || statuses.len() != b.batches.len()
            || b.batches.iter().any(|x| x.rows.iter().any(|&r| r >= rows))
            || p.jobs.iter().any(|(n, _)| *n as usize >= b.batches.len())
        {
            return dropped();
        }
        let mut state = RunState {
            batches: b
                .batches
                .into_iter()
                .zip(statuses)
                .map(|(batch, status)| BatchState {
                    batch,
                    status,
                    job: None,
                })
                .collect(),
            results: vec![None; rows],
            calls: p.calls,
            engine: b.engine,
            attempt: b.attempt,
        };
        for (n, job) in p.jobs {
            state.batches[n as usize].job = Some(job);
        }
        self.state = Some(state);
        self.settled = p.settled;
        Ok(p.settled)
    }

    /// `settled/<seq>`, for `seq` in `0 … ` what [`Restoring::progress`] returned, in order.
    pub fn settled(&mut self, seq: u32, text: Option<&str>) -> Result<(), Restored> {
        let Some(s) = text.and_then(read::<Settled>) else {
            return dropped();
        };
        let Some(state) = self.state.as_mut() else {
            return dropped();
        };
        if s.run_id != self.plan.run_id
            || s.seq != seq
            || s.results
                .iter()
                .any(|(r, _)| *r as usize >= state.results.len())
        {
            return dropped();
        }
        for (r, result) in s.results {
            state.results[r as usize] = result;
        }
        Ok(())
    }

    /// The run, unless it had finished.
    pub fn finish(self) -> Restored {
        let Some(state) = self.state else {
            return Restored::Dropped(UNREADABLE.into());
        };
        if state.finished() {
            return Restored::Nothing;
        }
        let keeper = Keeper::resumed(&self.plan, &state, self.settled);
        let preview = Preview {
            rows: self.rows,
            missing_parents: self.plan.missing_parents.clone(),
            watermark: self.plan.watermark.clone(),
        };
        Restored::Run(Box::new(Resumable {
            plan: self.plan,
            preview,
            state,
            keeper,
        }))
    }

    /// The run as it starts: its batches are made from the rows (moved in and out, not copied).
    fn fresh(&mut self) -> RunState {
        let preview = Preview {
            rows: std::mem::take(&mut self.rows),
            missing_parents: Vec::new(),
            watermark: None,
        };
        let fresh = RunState::with_engine(&preview, self.plan.engine);
        self.rows = preview.rows;
        fresh
    }
}
