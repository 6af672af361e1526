//! A preview's rows, kept compactly: each row is its JSON text, in chunks of [`CHUNK`] rows that
//! are compressed once full (a million rows of sixty fields are 1.5 GB as text, a few hundred
//! MB compressed). Each row's outcome, depth and upload size sit beside them for counts, filters
//! and the plan of calls, which read no row. A row is read back when it is shown or written: a
//! window of the table, a batch of calls, one job's records, a kept chunk. Those read rows in
//! order, so a few chunks unpacked at a time serve them: each chunk is unpacked once per pass.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

use salesforce::rest::Record;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{Outcome, Row};

/// Rows per chunk (the kept plan's records hold one chunk each).
pub const CHUNK: usize = 2_000;

/// Chunks kept unpacked at once, for reading and for changing rows.
const UNPACKED: usize = 4;

/// One chunk's rows: unpacked while it is filled or changed, compressed otherwise.
#[derive(Debug, Clone)]
enum Chunk {
    Open(Vec<Box<str>>),
    /// The rows' texts, each ended by a newline (compact JSON has none of its own), compressed.
    Packed(Box<[u8]>),
}

/// A packed chunk read back: its number and rows.
type Unpacked = (usize, Arc<[Box<str>]>);

/// What a chunk's rows are, beside their packed text, so that a chunk kept elsewhere (the
/// browser's IndexedDB) is restored without reading a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChunkSummary {
    pub outcomes: Vec<Outcome>,
    pub depths: Vec<u32>,
    pub upload: Vec<u32>,
    pub columns: BTreeSet<String>,
}

/// Every row of a preview.
#[derive(Debug, Default)]
pub struct Rows {
    chunks: Vec<Chunk>,
    /// The chunks open for changes, oldest first: at most [`UNPACKED`].
    open: VecDeque<usize>,
    outcomes: Vec<Outcome>,
    depths: Vec<u32>,
    /// At most the bytes of the row's line in a Bulk upload.
    upload: Vec<u32>,
    /// Each chunk's columns in a Bulk upload: every column any of its bodies sets (a job's
    /// header is known without reading its rows twice).
    columns: Vec<BTreeSet<String>>,
    /// Packed chunks last read, unpacked, newest last.
    read: Mutex<VecDeque<Unpacked>>,
}

/// An upper bound of a row's bytes in a Bulk upload: its values, quoted and escaped, and a
/// comma for each column.
fn upload_bytes(row: &Row) -> u32 {
    let bytes: usize = row
        .body
        .values()
        .map(|v| match v {
            Value::String(s) => 2 * s.len() + 3,
            Value::Object(o) => o.values().map(|v| v.to_string().len() * 2 + 3).sum(),
            v => v.to_string().len() + 1,
        })
        .sum::<usize>()
        + 1;
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

/// The columns `body` sets in a Bulk upload: its fields, and a parent named by its key as
/// `Parent.Source_Id__c`; never `attributes`.
pub fn body_columns(body: &Record) -> impl Iterator<Item = String> + '_ {
    body.iter()
        .filter(|(k, _)| k.as_str() != "attributes")
        .flat_map(|(k, v)| match v {
            Value::Object(inner) => inner
                .keys()
                .filter(|f| f.as_str() != "attributes")
                .map(|f| format!("{k}.{f}"))
                .collect::<Vec<_>>(),
            _ => vec![k.clone()],
        })
}

fn pack_row(row: &Row) -> Box<str> {
    serde_json::to_string(row)
        .expect("a row serializes")
        .into_boxed_str()
}

fn pack(rows: &[Box<str>]) -> Box<[u8]> {
    let mut text = String::with_capacity(rows.iter().map(|r| r.len() + 1).sum());
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    lz4_flex::compress_prepend_size(text.as_bytes()).into_boxed_slice()
}

fn unpack(bytes: &[u8]) -> Vec<Box<str>> {
    let text = lz4_flex::decompress_size_prepended(bytes).expect("a chunk this preview packed");
    let text = String::from_utf8(text).expect("a chunk of text");
    text.lines().map(Box::from).collect()
}

impl Rows {
    pub fn len(&self) -> usize {
        self.outcomes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty()
    }

    pub fn push(&mut self, row: &Row) {
        let n = self.len();
        if n.is_multiple_of(CHUNK) {
            self.chunks.push(Chunk::Open(Vec::with_capacity(CHUNK)));
            self.columns.push(BTreeSet::new());
            self.opened(n / CHUNK);
        }
        let c = self.chunks.len() - 1;
        if matches!(self.chunks[c], Chunk::Packed(_)) {
            self.opened(c);
        }
        self.open_chunk(c).push(pack_row(row));
        self.add_columns(c, row);
        self.outcomes.push(row.outcome);
        self.depths.push(row.depth);
        self.upload.push(upload_bytes(row));
    }

    /// Row `n`, read back.
    pub fn get(&self, n: usize) -> Row {
        self.get_as(n)
    }

    /// What `T` takes of row `n` (a few of its fields: the rest is skipped, not built).
    pub fn get_as<T: DeserializeOwned>(&self, n: usize) -> T {
        serde_json::from_str(&self.text(n)).expect("a row this preview packed")
    }

    /// Every column the bodies of `rows` set in a Bulk upload, and perhaps a few more their
    /// neighbours set (an empty cell leaves a field as it is).
    pub fn columns(&self, rows: &[usize]) -> BTreeSet<String> {
        let chunks: BTreeSet<usize> = rows.iter().map(|r| r / CHUNK).collect();
        chunks
            .into_iter()
            .flat_map(|c| self.columns[c].iter().cloned())
            .collect()
    }

    fn add_columns(&mut self, c: usize, row: &Row) {
        self.columns[c].extend(body_columns(&row.body));
    }

    /// Row `n` as kept: its JSON text.
    pub fn text(&self, n: usize) -> String {
        let (c, i) = (n / CHUNK, n % CHUNK);
        match &self.chunks[c] {
            Chunk::Open(rows) => rows[i].to_string(),
            Chunk::Packed(bytes) => {
                let mut read = self.read.lock().expect("rows' cache");
                let rows = match read.iter().position(|(k, _)| *k == c) {
                    Some(at) => {
                        let hit = read.remove(at).expect("a cached chunk");
                        read.push_back(hit.clone());
                        hit.1
                    }
                    None => {
                        let rows: Arc<[Box<str>]> = unpack(bytes).into();
                        if read.len() == UNPACKED {
                            read.pop_front();
                        }
                        read.push_back((c, rows.clone()));
                        rows
                    }
                };
                rows[i].to_string()
            }
        }
    }

    /// Replaces row `n`. Rows are best changed in order: each chunk is then unpacked and
    /// packed again once.
    pub fn set(&mut self, n: usize, row: &Row) {
        let (c, i) = (n / CHUNK, n % CHUNK);
        if matches!(self.chunks[c], Chunk::Packed(_)) {
            self.opened(c);
        }
        self.open_chunk(c)[i] = pack_row(row);
        self.add_columns(c, row);
        self.outcomes[n] = row.outcome;
        self.depths[n] = row.depth;
        self.upload[n] = upload_bytes(row);
    }

    /// Chunk `c`'s rows to change, unpacked if need be (after [`Self::opened`]).
    fn open_chunk(&mut self, c: usize) -> &mut Vec<Box<str>> {
        if let Chunk::Packed(bytes) = &self.chunks[c] {
            self.chunks[c] = Chunk::Open(unpack(bytes));
        }
        match &mut self.chunks[c] {
            Chunk::Open(rows) => rows,
            Chunk::Packed(_) => unreachable!("just unpacked"),
        }
    }

    /// Chunk `c` is to be changed: it counts among the open ones, and the oldest beyond
    /// [`UNPACKED`] is packed; a copy of it read before is stale.
    fn opened(&mut self, c: usize) {
        self.read
            .get_mut()
            .expect("rows' cache")
            .retain(|(k, _)| *k != c);
        self.open.retain(|&k| k != c);
        self.open.push_back(c);
        while self.open.len() > UNPACKED {
            let old = self.open.pop_front().expect("an open chunk");
            if let Chunk::Open(rows) = &self.chunks[old] {
                self.chunks[old] = Chunk::Packed(pack(rows));
            }
        }
    }

    /// How many chunks hold the rows.
    pub fn chunks(&self) -> usize {
        self.chunks.len()
    }

    /// Chunk `c` as kept elsewhere: what its rows are, and their text packed.
    pub fn export(&self, c: usize) -> (ChunkSummary, Vec<u8>) {
        let rows = c * CHUNK..((c + 1) * CHUNK).min(self.len());
        let summary = ChunkSummary {
            outcomes: self.outcomes[rows.clone()].to_vec(),
            depths: self.depths[rows.clone()].to_vec(),
            upload: self.upload[rows].to_vec(),
            columns: self.columns[c].clone(),
        };
        let packed = match &self.chunks[c] {
            Chunk::Open(rows) => pack(rows).into_vec(),
            Chunk::Packed(bytes) => bytes.to_vec(),
        };
        (summary, packed)
    }

    /// Appends a chunk [`Self::export`] made, after full ones; `false` (and nothing appended)
    /// when it is not one: its text does not unpack into as many rows as its summary counts.
    pub fn import(&mut self, summary: ChunkSummary, packed: Vec<u8>) -> bool {
        let n = summary.outcomes.len();
        let fits = self.len().is_multiple_of(CHUNK)
            && (1..=CHUNK).contains(&n)
            && summary.depths.len() == n
            && summary.upload.len() == n;
        let unpacked = lz4_flex::decompress_size_prepended(&packed)
            .ok()
            .and_then(|text| String::from_utf8(text).ok());
        if !fits || unpacked.is_none_or(|text| text.lines().count() != n) {
            return false;
        }
        self.chunks.push(Chunk::Packed(packed.into_boxed_slice()));
        self.outcomes.extend(summary.outcomes);
        self.depths.extend(summary.depths);
        self.upload.extend(summary.upload);
        self.columns.push(summary.columns);
        true
    }

    /// At most the bytes of row `n`'s line in a Bulk upload.
    pub fn upload_bytes(&self, n: usize) -> usize {
        self.upload[n] as usize
    }

    pub fn outcome(&self, n: usize) -> Outcome {
        self.outcomes[n]
    }

    pub fn depth(&self, n: usize) -> u32 {
        self.depths[n]
    }

    /// Every row's outcome, in order.
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// Every row, read back one at a time.
    pub fn iter(&self) -> impl Iterator<Item = Row> + '_ {
        (0..self.len()).map(|n| self.get(n))
    }
}

impl Clone for Rows {
    fn clone(&self) -> Self {
        Rows {
            chunks: self.chunks.clone(),
            open: self.open.clone(),
            outcomes: self.outcomes.clone(),
            depths: self.depths.clone(),
            upload: self.upload.clone(),
            columns: self.columns.clone(),
            read: Mutex::default(),
        }
    }
}

impl PartialEq for Rows {
    fn eq(&self, other: &Self) -> bool {
        self.outcomes == other.outcomes && (0..self.len()).all(|n| self.text(n) == other.text(n))
    }
}

impl FromIterator<Row> for Rows {
    fn from_iter<I: IntoIterator<Item = Row>>(iter: I) -> Self {
        let mut rows = Rows::default();
        for row in iter {
            rows.push(&row);
        }
        rows
    }
}

impl Serialize for Rows {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Rows {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<Row>::deserialize(d)?.into_iter().collect())
    }
}
