//! A preview's lines kept compactly: each line as compact JSON, in chunks of [`CHUNK`], a full
//! chunk LZ4-packed, and one chunk unpacked at a time for reading (a table window, a call's
//! lines, a job's upload and the results file all read in order). Each line's outcome sits
//! beside them for counts and filters. A million lines of a few fields are then a few hundred MB
//! less than as structs, and never one giant string.

use std::sync::Mutex;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::kept::CHUNK;
use super::{Outcome, Row};

/// Items kept as compact JSON in chunks of [`CHUNK`], each full chunk LZ4-packed, the last one
/// read kept unpacked.
#[derive(Debug)]
pub struct Packed<T> {
    len: usize,
    /// Full chunks, packed.
    packed: Vec<Box<[u8]>>,
    /// The chunk being filled: each item's JSON, newline-ended.
    open: String,
    /// The last chunk read, unpacked.
    cache: Mutex<Option<(usize, Vec<T>)>>,
}

impl<T> Default for Packed<T> {
    fn default() -> Self {
        Packed {
            len: 0,
            packed: Vec::new(),
            open: String::new(),
            cache: Mutex::new(None),
        }
    }
}

impl<T: Serialize + DeserializeOwned + Clone> Packed<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, item: &T) {
        self.open
            .push_str(&serde_json::to_string(item).unwrap_or_default());
        self.open.push('\n');
        self.len += 1;
        if self.len.is_multiple_of(CHUNK) {
            let text = std::mem::take(&mut self.open);
            self.packed
                .push(lz4_flex::compress_prepend_size(text.as_bytes()).into_boxed_slice());
        }
    }

    /// Item `n` (panics past the end, as indexing does).
    pub fn get(&self, n: usize) -> T {
        assert!(n < self.len, "item {n} of {}", self.len);
        let c = n / CHUNK;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.as_ref().is_none_or(|(at, _)| *at != c) {
            *cache = Some((c, self.chunk(c)));
        }
        cache
            .as_ref()
            .map(|(_, items)| items[n % CHUNK].clone())
            .expect("just cached")
    }

    /// The items of chunk `c`.
    pub fn chunk(&self, c: usize) -> Vec<T> {
        let text = match self.packed.get(c) {
            Some(bytes) => {
                let raw = lz4_flex::decompress_size_prepended(bytes).unwrap_or_default();
                String::from_utf8(raw).unwrap_or_default()
            }
            None if c == self.packed.len() => self.open.clone(),
            None => String::new(),
        };
        text.lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    pub fn chunks(&self) -> usize {
        self.len.div_ceil(CHUNK)
    }

    /// Every item, in order, a chunk unpacked at a time.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        (0..self.chunks()).flat_map(|c| self.chunk(c))
    }
}

/// Every line of a preview, and each line's outcome beside them (counts and filters).
#[derive(Debug, Default)]
pub struct Lines {
    outcomes: Vec<Outcome>,
    rows: Packed<Row>,
}

impl Lines {
    pub fn len(&self) -> usize {
        self.outcomes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty()
    }

    pub fn push(&mut self, row: &Row) {
        self.outcomes.push(row.outcome);
        self.rows.push(row);
    }

    pub fn outcome(&self, n: usize) -> Outcome {
        self.outcomes[n]
    }

    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// Line `n` (panics past the end, as indexing does).
    pub fn get(&self, n: usize) -> Row {
        self.rows.get(n)
    }

    /// The lines of chunk `c`.
    pub fn chunk(&self, c: usize) -> Vec<Row> {
        self.rows.chunk(c)
    }

    pub fn chunks(&self) -> usize {
        self.rows.chunks()
    }

    /// Every line, in order.
    pub fn iter(&self) -> impl Iterator<Item = Row> + '_ {
        self.rows.iter()
    }
}

impl FromIterator<Row> for Lines {
    fn from_iter<I: IntoIterator<Item = Row>>(rows: I) -> Self {
        let mut lines = Lines::default();
        for row in rows {
            lines.push(&row);
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(n: usize) -> Row {
        let outcome = if n.is_multiple_of(3) {
            Outcome::Blocked
        } else {
            Outcome::Insert
        };
        Row {
            name: format!("Name {n}"),
            key: Some(format!("K-{n}")),
            ..crate::testing::row(
                n as u64 + 2,
                outcome,
                json!({"Name": format!("Name {n}"), "Ext__c": format!("K-{n}")}),
            )
        }
    }

    #[test]
    fn lines_across_chunks_read_back_as_pushed_in_any_order() {
        let n = CHUNK * 2 + 7;
        let lines: Lines = (0..n).map(row).collect();
        assert_eq!(lines.len(), n);
        assert_eq!(lines.chunks(), 3);
        for k in [n - 1, 0, CHUNK, 5, CHUNK * 2 + 1, CHUNK - 1] {
            assert_eq!(lines.get(k), row(k), "line {k}");
            assert_eq!(lines.outcome(k), row(k).outcome);
        }
        assert_eq!(lines.iter().count(), n);
        assert!(lines.iter().enumerate().all(|(k, r)| r == row(k)));
        assert_eq!(lines.chunk(1).len(), CHUNK);
    }
}
