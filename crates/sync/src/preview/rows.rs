//! A preview's rows, kept compactly: each row as its JSON text (what the browser keeps of it
//! too), with its outcome and depth beside it for counts, filters and the plan of calls, which
//! read no row. A row is read back when it is shown or written: a window of the table, a batch
//! of calls, one job's records at a time.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{Outcome, Row};

/// Every row of a preview.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    packed: Vec<Box<str>>,
    outcomes: Vec<Outcome>,
    depths: Vec<u32>,
    /// At most the bytes of the row's line in a Bulk upload.
    upload: Vec<u32>,
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

fn pack(row: &Row) -> Box<str> {
    serde_json::to_string(row)
        .expect("a row serializes")
        .into_boxed_str()
}

impl Rows {
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }

    pub fn push(&mut self, row: &Row) {
        self.packed.push(pack(row));
        self.outcomes.push(row.outcome);
        self.depths.push(row.depth);
        self.upload.push(upload_bytes(row));
    }

    /// Row `n`, read back.
    pub fn get(&self, n: usize) -> Row {
        serde_json::from_str(&self.packed[n]).expect("a row this preview packed")
    }

    /// Replaces row `n`.
    pub fn set(&mut self, n: usize, row: &Row) {
        self.packed[n] = pack(row);
        self.outcomes[n] = row.outcome;
        self.depths[n] = row.depth;
        self.upload[n] = upload_bytes(row);
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

    /// Row `n` as kept: its JSON text.
    pub fn text(&self, n: usize) -> &str {
        &self.packed[n]
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
