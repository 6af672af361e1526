//! A run as the browser keeps it across a reload or a closed tab, in small records tied by one
//! run id and a format version, so that neither keeping nor restoring a run of a million records
//! makes one giant string, and a wave of calls writes only what it changed:
//!
//! - `plan`: the head (run id, key, engine, when it was previewed, how many rows);
//! - `plan/<n>`: rows `n × 2,000 …`, each chunk written once as the run starts, as bytes: a
//!   JSON head (run id, its number, what its rows are) and the rows' text as the preview packs
//!   it, so neither keeping nor restoring reads a row;
//! - `batches`: the run's calls (which rows each carries), once per attempt (a re-run of the
//!   failures is another attempt, with other batches);
//! - `settled/<seq>`: the results settled since the record before, in order;
//! - `progress`: where each batch is (run-length encoded), the Bulk jobs, the calls made and how
//!   many `settled` records count. A few hundred bytes.
//!
//! [`Keeper`] works out what a wave writes (`batches` when new, one `settled`, `progress`, kept
//! in one transaction so they never disagree); [`Restoring`] reads them back one record at a
//! time and checks each: progress of another run is never applied to this run's rows, and a
//! record this version cannot read drops the run with a message rather than half-apply it.

mod keeper;
mod restore;

pub use keeper::{Keeper, Write};
pub use restore::{Restored, Restoring, Resumable};

use serde::{Deserialize, Serialize};

use crate::key::MatchKey;
use crate::plan::Batch;
use crate::preview::{ChunkSummary, MissingParent, Preview};
use crate::run::{BulkJob, Engine, RecordResult, Status};
use crate::watermark::LastSync;

/// The format this version writes and reads. Other versions' records are dropped on restore.
pub const VERSION: u32 = 4;

/// Rows per `plan/<n>` record: a chunk of the preview's rows, read from it in one go.
pub const CHUNK: usize = crate::preview::CHUNK;

/// The records' names under a pair's prefix.
pub mod names {
    pub const PLAN: &str = "plan";
    pub const BATCHES: &str = "batches";
    pub const PROGRESS: &str = "progress";

    pub fn chunk(n: usize) -> String {
        format!("plan/{n}")
    }

    pub fn settled(seq: u32) -> String {
        format!("settled/{seq}")
    }
}

/// What a run was made of, but its rows (kept in chunks beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub version: u32,
    pub run_id: String,
    pub key: MatchKey,
    pub engine: Engine,
    /// `Date.now()` of the preview.
    pub made_at_ms: f64,
    /// The watermark the run leaves when it finishes (a run over every account only).
    #[serde(default)]
    pub leaves: Option<LastSync>,
    /// Rows in the preview.
    pub rows: usize,
    pub missing_parents: Vec<MissingParent>,
    pub watermark: Option<String>,
}

impl Plan {
    pub fn new(
        run_id: String,
        preview: &Preview,
        key: MatchKey,
        engine: Engine,
        made_at_ms: f64,
        leaves: Option<LastSync>,
    ) -> Plan {
        Plan {
            version: VERSION,
            run_id,
            key,
            engine,
            made_at_ms,
            leaves,
            rows: preview.rows.len(),
            missing_parents: preview.missing_parents.clone(),
            watermark: preview.watermark.clone(),
        }
    }

    /// How many `plan/<n>` records hold its rows.
    pub fn chunks(&self) -> usize {
        self.rows.div_ceil(CHUNK)
    }

    /// The head record.
    pub fn text(&self) -> String {
        serde_json::to_string(self).expect("a plan serializes")
    }

    /// Chunk `n`'s record: the length of its head (4 bytes, little-endian), the head (JSON:
    /// version, run id, `n`, what the rows are), then rows `n × CHUNK …` of `preview` packed.
    pub fn chunk_bytes(&self, preview: &Preview, n: usize) -> Vec<u8> {
        let (summary, packed) = preview.rows.export(n);
        let head = serde_json::to_vec(&ChunkHead {
            version: VERSION,
            run_id: self.run_id.clone(),
            n,
            summary,
            check: check(&packed),
        })
        .expect("a chunk's head serializes");
        let mut out = Vec::with_capacity(4 + head.len() + packed.len());
        out.extend_from_slice(&(head.len() as u32).to_le_bytes());
        out.extend_from_slice(&head);
        out.extend_from_slice(&packed);
        out
    }
}

/// A chunk record's head.
#[derive(Serialize, Deserialize)]
struct ChunkHead {
    version: u32,
    run_id: String,
    n: usize,
    summary: ChunkSummary,
    /// [`check`] of the packed rows: a record cut short or changed is dropped, not read.
    check: u32,
}

/// FNV-1a of `bytes`.
fn check(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// A chunk record's head and packed rows, or `None` for bytes [`Plan::chunk_bytes`] did not
/// write in this version.
fn split_chunk(bytes: &[u8]) -> Option<(ChunkHead, &[u8])> {
    let len = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let head: ChunkHead = read(std::str::from_utf8(bytes.get(4..4 + len)?).ok()?)?;
    let packed = &bytes[4 + len..];
    (check(packed) == head.check).then_some((head, packed))
}

/// The `batches` record: one attempt's calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Batches {
    version: u32,
    run_id: String,
    attempt: u32,
    engine: Engine,
    batches: Vec<Batch>,
}

/// The `progress` record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Progress {
    version: u32,
    run_id: String,
    attempt: u32,
    calls: u64,
    /// Each batch's status, run-length encoded (`D120S8W4872`).
    statuses: String,
    /// The Bulk jobs, by batch.
    jobs: Vec<(u32, BulkJob)>,
    /// How many `settled/<seq>` records belong to the run (`0 … settled − 1`).
    settled: u32,
}

/// A `settled/<seq>` record: rows whose result changed, with the result now (`None`: cleared
/// for a re-run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Settled {
    version: u32,
    run_id: String,
    seq: u32,
    results: Vec<(u32, Option<RecordResult>)>,
}

/// `[W, W, S, D]` as `W2S1D1`.
fn encode_statuses(statuses: impl Iterator<Item = Status>) -> String {
    let mut out = String::new();
    let mut run: Option<(Status, usize)> = None;
    let letter = |s: Status| match s {
        Status::Waiting => 'W',
        Status::Sent => 'S',
        Status::Done => 'D',
    };
    for s in statuses {
        match &mut run {
            Some((at, n)) if *at == s => *n += 1,
            _ => {
                if let Some((at, n)) = run {
                    out.push(letter(at));
                    out.push_str(&n.to_string());
                }
                run = Some((s, 1));
            }
        }
    }
    if let Some((at, n)) = run {
        out.push(letter(at));
        out.push_str(&n.to_string());
    }
    out
}

/// The statuses of [`encode_statuses`], or `None` for text it did not write.
fn decode_statuses(text: &str) -> Option<Vec<Status>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(letter) = rest.chars().next() {
        let status = match letter {
            'W' => Status::Waiting,
            'S' => Status::Sent,
            'D' => Status::Done,
            _ => return None,
        };
        rest = &rest[1..];
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: usize = rest[..digits].parse().ok()?;
        out.extend(std::iter::repeat_n(status, n));
        rest = &rest[digits..];
    }
    Some(out)
}

/// A record of this version, or `None` (another version's, or not one at all).
fn read<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    #[derive(Deserialize)]
    struct Version {
        version: u32,
    }
    // Checked first, without building the record: a chunk holds 2,000 rows.
    let v: Version = serde_json::from_str(text).ok()?;
    if v.version != VERSION {
        return None;
    }
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests;
