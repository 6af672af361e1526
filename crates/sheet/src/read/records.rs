//! Decoded text to records by csv-core, once the separator is known: the first record is the
//! header (checked and trimmed), each later one a [`Line`] padded to the header's width. Only
//! the record being read is held.

use std::collections::HashMap;

use csv_core::ReadRecordResult;

use super::track::Tracker;
use super::{FileError, Line};

pub(super) struct Records {
    csv: csv_core::Reader,
    /// The current record's cells, end to end, and where each ends (csv-core's buffers).
    text: Vec<u8>,
    ends: Vec<usize>,
    text_len: usize,
    ends_len: usize,
    pub(super) header: Option<Vec<String>>,
    pub(super) rows: u64,
}

impl Records {
    pub(super) fn new(separator: u8) -> Records {
        Records {
            csv: csv_core::ReaderBuilder::new().delimiter(separator).build(),
            text: vec![0; 1024],
            ends: vec![0; 64],
            text_len: 0,
            ends_len: 0,
            header: None,
            rows: 0,
        }
    }

    /// Reads all of `input` (an empty one ends the file), following it with `track`, and adds
    /// the rows it completes to `out`.
    pub(super) fn read(
        &mut self,
        mut input: &[u8],
        track: &mut Tracker,
        out: &mut Vec<Line>,
    ) -> Result<(), FileError> {
        let end_of_file = input.is_empty();
        if end_of_file {
            if let Some(line) = track.open_quote() {
                return Err(FileError::UnclosedQuote { line });
            }
        }
        loop {
            let (res, nin, nout, nend) = self.csv.read_record(
                input,
                &mut self.text[self.text_len..],
                &mut self.ends[self.ends_len..],
            );
            track.feed(&input[..nin]);
            input = &input[nin..];
            self.text_len += nout;
            self.ends_len += nend;
            match res {
                ReadRecordResult::InputEmpty if end_of_file => {}
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return Ok(()),
                ReadRecordResult::OutputFull => {
                    let len = self.text.len() * 2;
                    self.text.resize(len, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let len = self.ends.len() * 2;
                    self.ends.resize(len, 0);
                }
                ReadRecordResult::Record => {
                    let cells = self.cells();
                    self.text_len = 0;
                    self.ends_len = 0;
                    if let Some(line) = self.record(cells, track)? {
                        out.push(line);
                    }
                }
            }
        }
    }

    fn cells(&self) -> Vec<String> {
        let mut start = 0;
        self.ends[..self.ends_len]
            .iter()
            .map(|&end| {
                // The text was decoded to UTF-8 and csv-core only takes out ASCII quotes, so
                // nothing is ever replaced here.
                let cell = String::from_utf8_lossy(&self.text[start..end]).into_owned();
                start = end;
                cell
            })
            .collect()
    }

    /// The header, or a row to hand on (`None` for a row with nothing in it).
    fn record(
        &mut self,
        mut cells: Vec<String>,
        track: &Tracker,
    ) -> Result<Option<Line>, FileError> {
        let Some(header) = &self.header else {
            self.header = Some(checked_header(cells)?);
            return Ok(None);
        };
        // A trailing separator (`a,b,` under two columns) loses nothing: its cells are dropped.
        while cells.len() > header.len() && cells.last().is_some_and(|c| c.trim().is_empty()) {
            cells.pop();
        }
        let line = track.record_line();
        if cells.len() > header.len() {
            return Err(FileError::TooManyCells {
                line,
                through: track.record_end_line(),
                cells: cells.len(),
                header: header.len(),
            });
        }
        // A row of blank cells (Excel leaves `,,,` where rows were cleared) writes nothing.
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(None);
        }
        cells.resize(header.len(), String::new());
        self.rows += 1;
        Ok(Some(Line {
            number: line,
            cells,
        }))
    }
}

/// Header cells trimmed, each named and no name twice (compared without case).
fn checked_header(cells: Vec<String>) -> Result<Vec<String>, FileError> {
    let names: Vec<String> = cells.into_iter().map(|c| c.trim().to_string()).collect();
    let mut seen = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(FileError::BlankHeader { column: i + 1 });
        }
        if let Some(first) = seen.insert(name.to_lowercase(), i) {
            return Err(FileError::DuplicateHeader {
                name: name.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
    }
    Ok(names)
}
