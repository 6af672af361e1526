//! What each wave of a run writes to the browser: only what changed since the last write.

use std::hash::{DefaultHasher, Hash, Hasher};

use super::{encode_statuses, names, Batches, Plan, Progress, Settled, VERSION};
use crate::run::{RecordResult, RunState, Status};

/// The statuses (run-length encoded) and the Bulk jobs (batch, id, state): what a resume needs
/// beside the results.
type Mark = (String, Vec<(u32, String, String)>);

/// What a run has kept so far, to work out the next write. Rows are looked at again only where
/// a result can have changed (the batches sent or finished since), so a wave costs its own rows,
/// not the run's.
#[derive(Debug, Clone, PartialEq)]
pub struct Keeper {
    run_id: String,
    /// Per row, a fingerprint of the result kept (0: none).
    kept: Vec<u64>,
    /// Per batch: done, and its rows' results kept.
    settled_batches: Vec<bool>,
    /// The attempt whose batches are kept (`None`: none yet).
    attempt: Option<u32>,
    /// `settled/<seq>` records kept.
    seq: u32,
    /// The statuses and jobs last kept.
    mark: Option<Mark>,
}

/// Records to keep together (one transaction), and what the keeper knows once they are kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Write {
    /// `(name, text)`, under the pair's prefix.
    pub records: Vec<(String, String)>,
    rows: Vec<(usize, u64)>,
    batches: Vec<usize>,
    batch_count: usize,
    attempt: u32,
    seq: u32,
    mark: Mark,
}

impl Write {
    /// The bytes it writes.
    pub fn bytes(&self) -> usize {
        self.records.iter().map(|(n, t)| n.len() + t.len()).sum()
    }
}

fn fingerprint(result: &Option<RecordResult>) -> u64 {
    match result {
        None => 0,
        Some(r) => {
            let mut h = DefaultHasher::new();
            r.hash(&mut h);
            h.finish() | 1
        }
    }
}

fn mark_of(state: &RunState) -> Mark {
    (
        encode_statuses(state.batches.iter().map(|b| b.status)),
        state
            .batches
            .iter()
            .enumerate()
            .filter_map(|(n, b)| {
                b.job
                    .as_ref()
                    .map(|j| (n as u32, j.id.clone(), j.state.clone()))
            })
            .collect(),
    )
}

impl Keeper {
    /// A run whose plan (head and rows) is kept, and nothing else yet.
    pub fn new(plan: &Plan) -> Keeper {
        Keeper {
            run_id: plan.run_id.clone(),
            kept: vec![0; plan.rows],
            settled_batches: Vec::new(),
            attempt: None,
            seq: 0,
            mark: None,
        }
    }

    /// A run restored as `state`, with `seq` settled records kept.
    pub fn resumed(plan: &Plan, state: &RunState, seq: u32) -> Keeper {
        Keeper {
            run_id: plan.run_id.clone(),
            kept: state.results.iter().map(fingerprint).collect(),
            settled_batches: state
                .batches
                .iter()
                .map(|b| b.status == Status::Done)
                .collect(),
            attempt: Some(state.attempt),
            seq,
            mark: Some(mark_of(state)),
        }
    }

    /// What to keep of `state` now, or `None` when a resume would need nothing more (a Bulk
    /// job's counts alone changed: shown, not kept).
    pub fn next(&self, state: &RunState) -> Option<Write> {
        let new_attempt = self.attempt != Some(state.attempt);
        let mut rows = Vec::new();
        let mut look = |r: usize| {
            let f = fingerprint(&state.results[r]);
            if self.kept.get(r).copied().unwrap_or(0) != f {
                rows.push((r, f));
            }
        };
        let mut batches = Vec::new();
        if new_attempt {
            (0..state.results.len()).for_each(&mut look);
        }
        for (n, b) in state.batches.iter().enumerate() {
            let settled = !new_attempt && self.settled_batches.get(n).copied().unwrap_or(false);
            if b.status == Status::Waiting || settled {
                continue;
            }
            if !new_attempt {
                b.batch.rows.iter().copied().for_each(&mut look);
            }
            if b.status == Status::Done {
                batches.push(n);
            }
        }
        rows.sort_unstable_by_key(|&(r, _)| r);
        rows.dedup_by_key(|&mut (r, _)| r);
        let mark = mark_of(state);
        if !new_attempt && rows.is_empty() && self.mark.as_ref() == Some(&mark) {
            return None;
        }

        let mut records = Vec::new();
        if new_attempt {
            let text = serde_json::to_string(&Batches {
                version: VERSION,
                run_id: self.run_id.clone(),
                attempt: state.attempt,
                engine: state.engine,
                batches: state.batches.iter().map(|b| b.batch.clone()).collect(),
            })
            .expect("batches serialize");
            records.push((names::BATCHES.to_string(), text));
        }
        let mut seq = self.seq;
        if !rows.is_empty() {
            let text = serde_json::to_string(&Settled {
                version: VERSION,
                run_id: self.run_id.clone(),
                seq,
                results: rows
                    .iter()
                    .map(|&(r, _)| (r as u32, state.results[r].clone()))
                    .collect(),
            })
            .expect("results serialize");
            records.push((names::settled(seq), text));
            seq += 1;
        }
        let progress = Progress {
            version: VERSION,
            run_id: self.run_id.clone(),
            attempt: state.attempt,
            calls: state.calls,
            statuses: mark.0.clone(),
            jobs: state
                .batches
                .iter()
                .enumerate()
                .filter_map(|(n, b)| b.job.clone().map(|j| (n as u32, j)))
                .collect(),
            settled: seq,
        };
        records.push((
            names::PROGRESS.to_string(),
            serde_json::to_string(&progress).expect("progress serializes"),
        ));
        Some(Write {
            records,
            rows,
            batches,
            batch_count: state.batches.len(),
            attempt: state.attempt,
            seq,
            mark,
        })
    }

    /// `write` was kept.
    pub fn kept(&mut self, write: Write) {
        if self.attempt != Some(write.attempt) {
            self.settled_batches = vec![false; write.batch_count];
        }
        self.settled_batches.resize(write.batch_count, false);
        for (r, f) in write.rows {
            if let Some(k) = self.kept.get_mut(r) {
                *k = f;
            }
        }
        for b in write.batches {
            self.settled_batches[b] = true;
        }
        self.attempt = Some(write.attempt);
        self.seq = write.seq;
        self.mark = Some(write.mark);
    }
}
