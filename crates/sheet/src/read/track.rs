//! Where things are in the file, followed byte by byte beside csv-core: which line we are on,
//! where the current record and the current quoted cell began, and whether a quote is still
//! open. csv-core splits the cells but tells none of this, and every message to a person needs
//! a line number.
//!
//! The states mirror csv-core's own (RFC 4180 with its leniency: a quote opens a quoted cell
//! only at the start of a cell, `""` inside one is a quote, and text after a closing quote
//! carries on the cell), so both agree on where a record ends.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between records: line breaks here are empty lines, skipped.
    RecordStart,
    /// Just after a separator.
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted cell: it closes the cell, or a second quote follows.
    QuoteInQuoted,
}

/// The separators a header line may use, in the order that wins a tie.
pub(super) const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];

#[derive(Debug, Clone)]
pub(super) struct Tracker {
    /// `None` while the separator is still being detected: then any candidate separates.
    sep: Option<u8>,
    state: State,
    /// The 1-based line of the next byte.
    line: u64,
    /// The last byte was a CR: an LF now ends the same line.
    after_cr: bool,
    record_line: u64,
    end_line: u64,
    quote_line: u64,
    /// How often each of [`CANDIDATES`] occurred outside quotes.
    counts: [u64; 3],
}

impl Tracker {
    pub(super) fn new(sep: Option<u8>) -> Tracker {
        Tracker {
            sep,
            state: State::RecordStart,
            line: 1,
            after_cr: false,
            record_line: 1,
            end_line: 1,
            quote_line: 1,
            counts: [0; 3],
        }
    }

    /// A tracker for the next record that starts where `self` stands.
    pub(super) fn continuing(&self, sep: Option<u8>) -> Tracker {
        Tracker {
            line: self.line,
            after_cr: self.after_cr,
            ..Tracker::new(sep)
        }
    }

    pub(super) fn set_separator(&mut self, sep: u8) {
        self.sep = Some(sep);
    }

    /// Follows all of `bytes`.
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.step(b);
        }
    }

    /// Follows `bytes` up to the end of the current record; returns how many bytes that took
    /// (the line break included), or `None` if the record goes on past them.
    pub(super) fn feed_to_record_end(&mut self, bytes: &[u8]) -> Option<usize> {
        for (i, &b) in bytes.iter().enumerate() {
            if self.step(b) {
                return Some(i + 1);
            }
        }
        None
    }

    /// Whether the last record ended, nothing of the next one seen yet.
    pub(super) fn between_records(&self) -> bool {
        self.state == State::RecordStart
    }

    /// Where a quoted cell was opened and not yet closed.
    pub(super) fn open_quote(&self) -> Option<u64> {
        (self.state == State::Quoted).then_some(self.quote_line)
    }

    /// The line the current (or last) record started on.
    pub(super) fn record_line(&self) -> u64 {
        self.record_line
    }

    /// The line the last record ended on (the file's last line while one is still open).
    pub(super) fn record_end_line(&self) -> u64 {
        if self.between_records() {
            self.end_line
        } else {
            self.line
        }
    }

    /// The separator used most outside quotes so far; ties and none give `,`.
    pub(super) fn likely_separator(&self) -> u8 {
        let max = self.counts.iter().copied().max().unwrap_or(0);
        let winners = self.counts.iter().filter(|c| **c == max).count();
        if max == 0 || winners > 1 {
            b','
        } else {
            let at = self.counts.iter().position(|c| *c == max).unwrap_or(0);
            CANDIDATES[at]
        }
    }

    /// Returns whether `b` ended a record.
    fn step(&mut self, b: u8) -> bool {
        let brk = b == b'\n' || b == b'\r';
        let mut ended = false;
        self.state = match self.state {
            State::RecordStart if brk => State::RecordStart,
            State::RecordStart => {
                self.record_line = self.line;
                self.cell_byte(State::FieldStart, b)
            }
            State::Quoted if b == b'"' => State::QuoteInQuoted,
            State::Quoted => State::Quoted,
            State::QuoteInQuoted if b == b'"' => State::Quoted,
            _ if brk => {
                ended = true;
                self.end_line = self.line;
                State::RecordStart
            }
            state => self.cell_byte(state, b),
        };
        match b {
            b'\r' => {
                self.line += 1;
                self.after_cr = true;
            }
            b'\n' => {
                if !self.after_cr {
                    self.line += 1;
                }
                self.after_cr = false;
            }
            _ => self.after_cr = false,
        }
        ended
    }

    /// A byte that is not a line break, outside a quoted cell.
    fn cell_byte(&mut self, state: State, b: u8) -> State {
        let candidate = CANDIDATES.iter().position(|c| *c == b);
        let separates = match self.sep {
            Some(sep) => b == sep,
            None => candidate.is_some(),
        };
        if let Some(at) = candidate {
            self.counts[at] += 1;
        }
        if separates {
            State::FieldStart
        } else if state == State::FieldStart && b == b'"' {
            self.quote_line = self.line;
            State::Quoted
        } else {
            State::Unquoted
        }
    }
}
