//! An import's results: what became of each line, and the results file (the person's own file,
//! each line as they wrote it, with `Id`, `Status`, `Action` and `Error` added). Importing that
//! file again skips the lines whose `Status` is `Done`.

use orgbridge_model::cells::inert;
use salesforce::types::RecordId;
use serde::{Deserialize, Serialize};

use super::ask::{results_start, DONE, RESULT_COLUMNS};
use super::{Outcome, Row};

/// What the org did with one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Written {
    Created(RecordId),
    Updated(RecordId),
    Deleted(RecordId),
    /// The org refused it, in its words.
    Failed(String),
    /// Its call's answer was lost: it may or may not have been written.
    Unknown(String),
}

impl Written {
    pub fn is_done(&self) -> bool {
        matches!(
            self,
            Written::Created(_) | Written::Updated(_) | Written::Deleted(_)
        )
    }
}

/// One line's result cells: its record's Id, then `Status`, `Action`, `Error`.
pub fn cells(row: &Row, written: Option<&Written>) -> [String; 4] {
    let id = |id: &RecordId| id.to_string();
    let target = row.target.as_ref().map(id).unwrap_or_default();
    let [status, action, error]: [String; 3] = match (row.outcome, written) {
        (_, Some(Written::Created(i))) => {
            return [id(i), DONE.into(), "Created".into(), String::new()]
        }
        (_, Some(Written::Updated(i))) => {
            return [id(i), DONE.into(), "Updated".into(), String::new()]
        }
        (_, Some(Written::Deleted(i))) => {
            return [id(i), DONE.into(), "Deleted".into(), String::new()]
        }
        (_, Some(Written::Failed(m))) => {
            ["Failed".into(), action_of(row.outcome).into(), m.clone()]
        }
        (_, Some(Written::Unknown(m))) => {
            ["Unknown".into(), action_of(row.outcome).into(), m.clone()]
        }
        (Outcome::Unchanged, None) => [DONE.into(), "Unchanged".into(), row.notes.join(" ")],
        (Outcome::Blocked, None) => ["Blocked".into(), String::new(), row.problems.join(" ")],
        (_, None) => [
            "Not sent".into(),
            action_of(row.outcome).into(),
            String::new(),
        ],
    };
    [target, status, action, error]
}

fn action_of(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Insert => "Insert",
        Outcome::Update => "Update",
        Outcome::Delete => "Delete",
        Outcome::Unchanged => "Unchanged",
        Outcome::Blocked => "",
    }
}

/// Writes the results file a piece at a time, as the file is read again.
#[derive(Debug, Clone)]
pub struct ResultsFile {
    separator: u8,
    /// The input's columns kept (a results file's own last three are replaced).
    keep: usize,
    /// Where the input's Id column is (filled in for created records), if it has one.
    id_at: Option<usize>,
}

impl ResultsFile {
    pub fn new(headers: &[String], separator: u8) -> ResultsFile {
        let keep = results_start(headers).unwrap_or(headers.len());
        ResultsFile {
            separator,
            keep,
            id_at: headers[..keep]
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case("Id")),
        }
    }

    /// The header line: the input's, with `Id` added when it has none, then the results'.
    pub fn head(&self, headers: &[String]) -> Vec<u8> {
        let mut cells: Vec<String> = headers[..self.keep].to_vec();
        if self.id_at.is_none() {
            cells.push("Id".into());
        }
        cells.extend(RESULT_COLUMNS.map(String::from));
        self.lines(std::iter::once(cells))
    }

    /// Lines of the input, each with its result cells ([`cells`]).
    pub fn page<'a>(&self, lines: impl Iterator<Item = (&'a [String], [String; 4])>) -> Vec<u8> {
        self.lines(lines.map(|(input, [id, status, action, error])| {
            let mut out: Vec<String> = input.iter().take(self.keep).cloned().collect();
            out.resize(self.keep, String::new());
            match self.id_at {
                Some(at) if !id.is_empty() => out[at] = id,
                Some(_) => {}
                None => out.push(id),
            }
            // The org's words may start like a formula; the person's own cells are theirs.
            out.extend([status, action, inert(&error)]);
            out
        }))
    }

    fn lines(&self, rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
        let mut out = csv::WriterBuilder::new()
            .delimiter(self.separator)
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        for row in rows {
            let _ = out.write_record(&row);
        }
        out.into_inner().unwrap_or_default()
    }
}
