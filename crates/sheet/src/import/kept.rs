//! An import as the browser keeps it (IndexedDB), so a reload or a closed tab does not lose it:
//! a head (the file's name and columns, the person's choices, how many lines), the preview's
//! rows and their results in chunks of [`CHUNK`] lines, and the calls in flight. Each record
//! carries the format version and the import's id, checked when it is read back: a record of
//! another import or version is never mixed in.
//!
//! The flight is kept before its calls go out. After a reload, the lines of a call that was in
//! flight are settled by what is safe: an insert's may have been created, so they are "not
//! known" (never sent again by themselves); an update's, upsert's or delete's are sent again
//! (the same write twice is the same). A Bulk job in flight is followed by its id.

use serde::{Deserialize, Serialize};

use super::results::Written;
use super::{Operation, Setup};
use crate::read::Encoding;

/// Bumped when what is kept changes shape.
pub const VERSION: u32 = 1;
/// Lines per kept chunk.
pub const CHUNK: usize = 2_000;

/// The names records are kept under (after their owner).
pub mod names {
    pub const HEAD: &str = "import";
    pub const FLIGHT: &str = "import/flight";
    pub const FILE: &str = "import/file";

    pub fn rows(n: usize) -> String {
        format!("import/rows/{n}")
    }

    pub fn results(n: usize) -> String {
        format!("import/results/{n}")
    }
}

/// What a kept import was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    pub version: u32,
    pub id: String,
    /// The file's name, as the person chose it.
    pub file: String,
    pub setup: Setup,
    pub headers: Vec<String>,
    pub separator: u8,
    pub encoding: Encoding,
    pub lines: usize,
    /// Calls the preview took.
    pub calls: u64,
}

impl Head {
    pub fn chunks(&self) -> usize {
        self.lines.div_ceil(CHUNK)
    }
}

/// Calls under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flight {
    /// sObject Collections calls carrying these lines.
    Calls { lines: Vec<usize> },
    /// A Bulk API 2.0 job (made, perhaps uploaded and closed) carrying these lines.
    Job { id: String, lines: Vec<usize> },
}

#[derive(Deserialize)]
struct Chunk<T> {
    version: u32,
    id: String,
    n: usize,
    items: Vec<T>,
}

/// [`Chunk`] as written, borrowing its items.
#[derive(Serialize)]
struct ChunkOut<'a, T> {
    version: u32,
    id: &'a str,
    n: usize,
    items: &'a [T],
}

/// Chunk `n` of an import's rows or results, as kept: `items` are that chunk's (see
/// [`chunk_of`]).
pub fn chunk_text<T: Serialize>(id: &str, items: &[T], n: usize) -> String {
    serde_json::to_string(&ChunkOut {
        version: VERSION,
        id,
        n,
        items,
    })
    .unwrap_or_default()
}

/// Chunk `n`'s part of `all`.
pub fn chunk_of<T>(all: &[T], n: usize) -> &[T] {
    &all[(n * CHUNK).min(all.len())..((n + 1) * CHUNK).min(all.len())]
}

/// The chunks holding `lines`.
pub fn chunks_of(lines: impl Iterator<Item = usize>) -> std::collections::BTreeSet<usize> {
    lines.map(|n| n / CHUNK).collect()
}

/// Why a kept import cannot be used (it is then forgotten, and the screen says so).
pub fn check_head(text: &str) -> Result<Head, String> {
    let head: Head = serde_json::from_str(text)
        .map_err(|_| "the import kept in this browser could not be read".to_string())?;
    if head.version != VERSION {
        return Err(
            "the import kept in this browser was kept by another version of OrgBridge".into(),
        );
    }
    Ok(head)
}

/// Chunk `n` of `head`'s import from its kept text: `Err` when missing, of another import or
/// version, or not the lines it should hold.
pub fn read_chunk<T: serde::de::DeserializeOwned>(
    head: &Head,
    n: usize,
    text: Option<&str>,
) -> Result<Vec<T>, String> {
    let broken = || {
        format!(
            "part {} of the import kept in this browser is missing or damaged",
            n + 1
        )
    };
    let chunk: Chunk<T> = serde_json::from_str(text.ok_or_else(broken)?).map_err(|_| broken())?;
    let want = CHUNK.min(head.lines - n * CHUNK);
    if chunk.version != VERSION || chunk.id != head.id || chunk.n != n || chunk.items.len() != want
    {
        return Err(broken());
    }
    Ok(chunk.items)
}

/// After a reload, the lines of calls that were in flight: an insert's lines without a result
/// are not known (they may have been created); the others stay to write.
pub fn settle_calls(op: &Operation, lines: &[usize], results: &mut [Option<Written>]) {
    if *op != Operation::Insert {
        return;
    }
    for &n in lines {
        if let Some(slot @ None) = results.get_mut(n) {
            *slot = Some(Written::Unknown(
                "Its call was under way when the page was closed or reloaded: it may have been created. Look for it before importing this line again."
                    .into(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::ColumnMap;
    use crate::import::{Outcome, Row};
    use crate::values::{Blank, DateOrder, DecimalMark, ValueRules};

    fn head(lines: usize) -> Head {
        Head {
            version: VERSION,
            id: "run-1".into(),
            file: "a.csv".into(),
            setup: Setup {
                op: Operation::Insert,
                map: ColumnMap::default(),
                rules: ValueRules {
                    dates: DateOrder::DayMonthYear,
                    decimal: DecimalMark::Point,
                    blank: Blank::LeaveUnchanged,
                },
            },
            headers: vec!["Name".into()],
            separator: b',',
            encoding: Encoding::Utf8,
            lines,
            calls: 1,
        }
    }

    fn row(line: u64) -> Row {
        Row {
            name: format!("N{line}"),
            ..crate::testing::row(line, Outcome::Insert, serde_json::json!({}))
        }
    }

    #[test]
    fn rows_and_results_come_back_chunk_by_chunk_and_another_import_s_are_refused() {
        let h = head(CHUNK + 5);
        let rows: Vec<Row> = (0..h.lines as u64).map(|n| row(n + 2)).collect();
        assert_eq!(h.chunks(), 2);
        let text = serde_json::to_string(&h).unwrap();
        assert_eq!(check_head(&text).unwrap(), h);
        let back: Vec<Row> = (0..2)
            .flat_map(|n| {
                let part = chunk_of(&rows, n);
                read_chunk::<Row>(&h, n, Some(&chunk_text(&h.id, part, n))).unwrap()
            })
            .collect();
        assert_eq!(back, rows);
        let other = chunk_text("run-2", chunk_of(&rows, 1), 1);
        assert!(
            read_chunk::<Row>(&h, 1, Some(&other)).is_err(),
            "another import's"
        );
        assert!(read_chunk::<Row>(&h, 1, None).is_err(), "missing");
        let mut results = vec![None; h.lines];
        results[CHUNK + 1] = Some(Written::Failed("x".into()));
        let back: Vec<Option<Written>> =
            read_chunk(&h, 1, Some(&chunk_text(&h.id, chunk_of(&results, 1), 1))).unwrap();
        assert_eq!(back[1], Some(Written::Failed("x".into())));
        assert_eq!(chunks_of([1, 2, CHUNK + 3].into_iter()).len(), 2);
        let mut old = h.clone();
        old.version = 0;
        assert!(check_head(&serde_json::to_string(&old).unwrap()).is_err());
    }

    #[test]
    fn calls_in_flight_at_a_reload_are_not_known_for_an_insert_and_sent_again_otherwise() {
        let mut results = vec![None, Some(Written::Failed("f".into())), None];
        settle_calls(&Operation::Update, &[0, 1, 2], &mut results);
        assert_eq!(results[0], None, "an update goes again");
        settle_calls(&Operation::Insert, &[0, 1], &mut results);
        assert!(
            matches!(results[0], Some(Written::Unknown(_))),
            "an insert may have landed"
        );
        assert_eq!(
            results[1],
            Some(Written::Failed("f".into())),
            "a result stays"
        );
        assert_eq!(results[2], None, "not in flight");
    }
}
