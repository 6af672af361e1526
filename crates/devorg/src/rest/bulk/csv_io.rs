//! CSV as Bulk API 2.0 reads and writes it (rust-csv does the parsing and quoting): uploads in
//! the job's delimiter and line ending, read a record at a time; result files with every value
//! quoted; the `sf__Error` text; and the quoting rules Salesforce is stricter about than RFC 4180.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_prepare_csv.htm>

use std::io::Cursor;

use axum::body::Bytes;
use csv::{QuoteStyle, Reader, ReaderBuilder, Terminator, Writer, WriterBuilder};

use super::{Delimiter, LineEnding};
use crate::store::DmlError;

/// A reader over an upload, yielding records (the header row first) with their byte positions.
/// Rows of the wrong length are read too (`flexible`), so each can fail on its own.
pub fn reader(data: Bytes, delimiter: Delimiter, line_ending: LineEnding) -> Reader<Cursor<Bytes>> {
    let terminator = match line_ending {
        // An LF job's values may hold a carriage return; only LF ends a record.
        LineEnding::Lf => Terminator::Any(b'\n'),
        LineEnding::Crlf => Terminator::CRLF,
    };
    ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter.byte())
        .terminator(terminator)
        .from_reader(Cursor::new(data))
}

/// A writer of result rows: every value quoted, as Salesforce's result files are.
pub fn writer(delimiter: Delimiter, line_ending: LineEnding) -> Writer<Vec<u8>> {
    let terminator = match line_ending {
        LineEnding::Lf => Terminator::Any(b'\n'),
        LineEnding::Crlf => Terminator::CRLF,
    };
    WriterBuilder::new()
        .quote_style(QuoteStyle::Always)
        .delimiter(delimiter.byte())
        .terminator(terminator)
        .from_writer(Vec::new())
}

/// The finished bytes of a writer (writing to a `Vec` cannot fail).
pub fn into_bytes(writer: Writer<Vec<u8>>) -> Bytes {
    Bytes::from(writer.into_inner().unwrap_or_default())
}

/// One CSV row, every value quoted, comma-separated, LF-terminated (ingest result files).
pub fn result_row<'a>(out: &mut Writer<Vec<u8>>, values: impl IntoIterator<Item = &'a str>) {
    // Writing to a Vec cannot fail.
    let _ = out.write_record(values);
}

/// `sf__Error`: `CODE:message:fields --` (`INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--`,
/// `REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --`).
pub fn sf_error(e: &DmlError) -> String {
    let fields = e.fields.join(",");
    let gap = if fields.is_empty() { "" } else { " " };
    format!("{}:{}:{fields}{gap}--", e.code, e.message)
}

/// True when the line ending of the upload's first line is not the job's: Salesforce fails the
/// job ("LineEnding is invalid on user data").
pub fn wrong_line_ending(data: &[u8], line_ending: LineEnding) -> bool {
    let Some(at) = data.iter().position(|&b| b == b'\n') else {
        return false;
    };
    let crlf = at > 0 && data[at - 1] == b'\r';
    crlf != (line_ending == LineEnding::Crlf)
}

/// True when a raw record has a quote Salesforce refuses: anything (a space too) between a closing
/// quote and the delimiter, a quote inside an unquoted value (`"John", "Smith"` has both), or a
/// quote never closed. rust-csv reads such rows leniently, so they are checked on the raw bytes.
pub fn misplaced_quote(raw: &[u8], delimiter: u8) -> bool {
    let mut raw = raw;
    // The terminators around the record (rust-csv may leave one to the next record) are not values.
    while let [rest @ .., b'\n' | b'\r'] = raw {
        raw = rest;
    }
    while let [b'\n' | b'\r', rest @ ..] = raw {
        raw = rest;
    }
    let n = raw.len();
    let mut i = 0;
    loop {
        if i < n && raw[i] == b'"' {
            i += 1;
            loop {
                if i >= n {
                    return true;
                }
                if raw[i] == b'"' {
                    if raw.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            if i == n {
                return false;
            }
            if raw[i] != delimiter {
                return true;
            }
            i += 1;
        } else {
            while i < n && raw[i] != delimiter {
                if raw[i] == b'"' {
                    return true;
                }
                i += 1;
            }
            if i == n {
                return false;
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_checked_as_salesforce_reads_them() {
        assert!(!misplaced_quote(b"\"John\",\"Smith\"\n", b','));
        assert!(!misplaced_quote(b"\"a \"\"b\"\"\",c\r\n", b','));
        assert!(!misplaced_quote(b"plain,value,,\n", b','));
        assert!(!misplaced_quote(b"\"multi\nline\",x", b','));
        assert!(misplaced_quote(b"\"John\", \"Smith\"\n", b','));
        assert!(misplaced_quote(b"\"John\" ,\"Smith\"\n", b','));
        assert!(misplaced_quote(b"Jo\"hn,x\n", b','));
        assert!(misplaced_quote(b"\"never closed,x\n", b','));
        assert!(!misplaced_quote(b"\"a|b\"|c\n", b'|'));
    }

    #[test]
    fn errors_read_as_salesforce_writes_them() {
        let e = DmlError::new("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
        assert_eq!(
            sf_error(&e),
            "INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--"
        );
        let e = DmlError::new(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [Name]",
        )
        .on("Name");
        assert_eq!(
            sf_error(&e),
            "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --"
        );
    }

    #[test]
    fn line_endings_are_told_apart() {
        assert!(!wrong_line_ending(b"Name\nA\n", LineEnding::Lf));
        assert!(wrong_line_ending(b"Name\r\nA\r\n", LineEnding::Lf));
        assert!(!wrong_line_ending(b"Name\r\nA\r\n", LineEnding::Crlf));
        assert!(wrong_line_ending(b"Name\nA\n", LineEnding::Crlf));
        assert!(!wrong_line_ending(b"Name", LineEnding::Crlf));
    }
}
