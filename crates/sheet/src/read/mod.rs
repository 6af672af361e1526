//! A file's bytes to rows, pushed a piece at a time as the browser reads the file: the encoding
//! decoded, the separator detected from the header line, RFC 4180 quoting, and every way a file
//! can be bad named with its line. Memory holds the row being read, never the file.
//!
//! ```
//! use orgbridge_sheet::read::{Encoding, Reader};
//! let mut reader = Reader::new(Encoding::Utf8);
//! let mut rows = reader.push(b"Name;Phone\nAcme;\"555\n").unwrap();
//! rows.extend(reader.push(b"0100\"\n").unwrap());
//! rows.extend(reader.finish().unwrap());
//! assert_eq!(reader.separator(), b';');
//! assert_eq!(rows[0].cells, ["Acme", "555\n0100"]);
//! ```

mod decode;
mod error;
mod records;
mod track;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use error::{column_letter, FileError};

use decode::Decode;
use records::Records;
use track::Tracker;

/// How the file's bytes are text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoding {
    Utf8,
    /// Also what Latin-1 (ISO-8859-1) files are read as, as the WHATWG Encoding Standard does:
    /// Windows-1252 is Latin-1 with printable characters where Latin-1 has control codes.
    Windows1252,
}

/// Past this a file is refused (the screen states it).
pub const LIMIT_BYTES: u64 = 512 * 1024 * 1024;

/// A first line longer than this is not a header: without the limit a file with no line
/// breaks would be held whole while we wait for the header to end.
const HEADER_LIMIT: u64 = 1024 * 1024;

/// The browser's pieces can be large (4 MB); they are decoded and read this much at a time so
/// the decoded text held stays small.
const STEP: usize = 64 * 1024;

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The 1-based line of the file where the row starts (a quoted cell may run over several).
    pub number: u64,
    /// As written (not trimmed), as many as the header has columns.
    pub cells: Vec<String>,
}

/// Reads a file pushed to it piece by piece. Reading stops at the first [`FileError`]; pushing
/// after one gives it again.
pub struct Reader {
    decode: Decode,
    /// Decoded text not yet read into records.
    text: Vec<u8>,
    track: Tracker,
    /// Follows the first line until it ends, counting separators; `None` once it has.
    header_scan: Option<Tracker>,
    /// How far into `text` the header scan has looked.
    scanned: usize,
    /// Set once the separator is known.
    records: Option<Records>,
    separator: u8,
    /// The separator was named by an Excel `sep=` line, not detected.
    excel_sep: bool,
    bytes: u64,
    /// Anything but blanks seen.
    content: bool,
    failed: Option<FileError>,
    finished: bool,
    /// [`LIMIT_BYTES`], but for tests.
    limit: u64,
}

impl Reader {
    pub fn new(encoding: Encoding) -> Reader {
        Reader {
            decode: Decode::new(encoding),
            text: Vec::new(),
            track: Tracker::new(None),
            header_scan: Some(Tracker::new(None)),
            scanned: 0,
            records: None,
            separator: b',',
            excel_sep: false,
            bytes: 0,
            content: false,
            failed: None,
            finished: false,
            limit: LIMIT_BYTES,
        }
    }

    /// Feeds the next bytes of the file; returns the data rows they complete (never the header).
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<Line>, FileError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let mut out = Vec::new();
        if self.finished {
            return Ok(out);
        }
        let result = self.push_inner(bytes, &mut out);
        self.settle(result).map(|()| out)
    }

    /// The end of the file: the last row, and what only the end can tell (an open quote, an
    /// empty file, a header with no rows).
    pub fn finish(&mut self) -> Result<Vec<Line>, FileError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let mut out = Vec::new();
        if self.finished {
            return Ok(out);
        }
        self.finished = true;
        let result = self.finish_inner(&mut out);
        self.settle(result).map(|()| out)
    }

    /// The header's names, trimmed, once read.
    pub fn header(&self) -> Option<&[String]> {
        self.records.as_ref()?.header.as_deref()
    }

    /// The separator, detected from the header line (`,` until then).
    pub fn separator(&self) -> u8 {
        self.separator
    }

    /// Data rows read so far.
    pub fn rows(&self) -> u64 {
        self.records.as_ref().map_or(0, |r| r.rows)
    }

    /// Bytes pushed so far, for a progress bar.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    fn settle(&mut self, result: Result<(), FileError>) -> Result<(), FileError> {
        if let Err(e) = &result {
            self.failed = Some(e.clone());
        }
        result
    }

    fn push_inner(&mut self, bytes: &[u8], out: &mut Vec<Line>) -> Result<(), FileError> {
        self.bytes += bytes.len() as u64;
        if self.bytes > self.limit {
            return Err(FileError::TooLarge { limit: self.limit });
        }
        for piece in bytes.chunks(STEP) {
            self.decode(piece, false)?;
            self.read(out)?;
        }
        Ok(())
    }

    fn finish_inner(&mut self, out: &mut Vec<Line>) -> Result<(), FileError> {
        self.decode(&[], true)?;
        self.read(out)?;
        if !self.content {
            return Err(FileError::Empty);
        }
        if self.records.is_none() {
            // The header line is all there is.
            self.start_records();
            self.read(out)?;
        }
        if let Some(records) = &mut self.records {
            records.read(&[], &mut self.track, out)?;
            if records.header.is_none() {
                return Err(FileError::Empty);
            }
            if records.rows == 0 {
                return Err(FileError::HeaderOnly);
            }
        }
        Ok(())
    }

    fn decode(&mut self, piece: &[u8], last: bool) -> Result<(), FileError> {
        let start = self.text.len();
        self.decode.decode(piece, last, &mut self.text)?;
        if !self.content {
            self.content = self.text[start..].iter().any(|b| !b.is_ascii_whitespace());
        }
        Ok(())
    }

    /// Reads what text there is: first the header line (to find the separator), then records.
    fn read(&mut self, out: &mut Vec<Line>) -> Result<(), FileError> {
        while self.records.is_none() {
            let Some(scan) = &mut self.header_scan else {
                break;
            };
            let Some(len) = scan.feed_to_record_end(&self.text[self.scanned..]) else {
                self.scanned = self.text.len();
                if self.scanned as u64 > HEADER_LIMIT {
                    return Err(match scan.open_quote() {
                        Some(line) => FileError::UnclosedQuote { line },
                        None => FileError::HeaderTooLong {
                            limit: HEADER_LIMIT,
                        },
                    });
                }
                return Ok(());
            };
            let end = self.scanned + len;
            let first = trim_breaks(&self.text[..end]);
            if let Some(sep) = excel_sep_line(first) {
                // Excel's `sep=;` line names the separator; it is not the header.
                self.separator = sep;
                self.excel_sep = true;
                self.skip_line(end, Some(sep));
            } else if first.iter().all(|b| b.is_ascii_whitespace()) {
                self.skip_line(end, None);
            } else {
                self.start_records();
            }
        }
        if let Some(records) = &mut self.records {
            if !self.text.is_empty() {
                records.read(&self.text, &mut self.track, out)?;
                self.text.clear();
            }
        }
        Ok(())
    }

    /// Lines before the header that are not it: followed for their line numbers, then dropped.
    fn skip_line(&mut self, end: usize, sep: Option<u8>) {
        self.track.feed(&self.text[..end]);
        self.text.drain(..end);
        self.scanned = 0;
        let scan = Tracker::continuing(&self.track, sep);
        self.header_scan = Some(scan);
    }

    /// The header line has been scanned: its separator is now known.
    fn start_records(&mut self) {
        if let Some(scan) = self.header_scan.take() {
            if !self.excel_sep {
                self.separator = scan.likely_separator();
            }
        }
        self.track.set_separator(self.separator);
        self.records = Some(Records::new(self.separator));
    }
}

/// `line` without line breaks around it (empty lines before it, skipped, are still there).
fn trim_breaks(line: &[u8]) -> &[u8] {
    let brk = |b: &u8| matches!(b, b'\r' | b'\n');
    let start = line.iter().position(|b| !brk(b)).unwrap_or(line.len());
    let end = line.iter().rposition(|b| !brk(b)).map_or(start, |i| i + 1);
    &line[start..end]
}

/// The separator an Excel `sep=X` line names.
fn excel_sep_line(line: &[u8]) -> Option<u8> {
    match line {
        [s, e, p, b'=', sep] if [*s, *e, *p].eq_ignore_ascii_case(b"sep") && sep.is_ascii() => {
            Some(*sep)
        }
        _ => None,
    }
}
