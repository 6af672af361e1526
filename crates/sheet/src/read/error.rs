//! Every way a file can fail to read as rows, each said so a person knows what to fix in it.

/// Why a file cannot be read. Reading stops at the first one: what follows it in the file cannot
/// be trusted (a wrong encoding or an open quote shifts everything after it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub enum FileError {
    /// Bytes that are not UTF-8 text, first found on `line`.
    NotUtf8 { line: u64 },
    /// UTF-16 (what Excel's "Unicode Text" writes), told by its byte order mark.
    Utf16,
    /// A quoted cell opened on `line` is never closed.
    UnclosedQuote { line: u64 },
    /// The row starting on `line` (and ending on `through`) has more cells than the header.
    TooManyCells {
        line: u64,
        through: u64,
        cells: usize,
        header: usize,
    },
    /// Nothing but blanks.
    Empty,
    /// A header and no rows.
    HeaderOnly,
    /// Two header cells name the same column (1-based column numbers).
    DuplicateHeader {
        name: String,
        first: usize,
        second: usize,
    },
    /// A header cell with no name (1-based column number).
    BlankHeader { column: usize },
    /// The file is larger than `limit` bytes.
    TooLarge { limit: u64 },
    /// The first line goes on past `limit` bytes: not a CSV file, most likely.
    HeaderTooLong { limit: u64 },
}

impl FileError {
    /// In words, for the person who chose the file.
    pub fn message(&self) -> String {
        match self {
            FileError::NotUtf8 { line } => format!(
                "The file is not UTF-8 text: line {line} holds characters that are not. A file Excel saves as “CSV” is usually Windows-1252: choose Windows-1252 / Latin-1 and read it again."
            ),
            FileError::Utf16 => "The file is UTF-16 text (what Excel saves as “Unicode Text”), which is not read here. In Excel, save it as “CSV UTF-8 (Comma delimited)” and choose that file.".into(),
            FileError::UnclosedQuote { line } => format!(
                "A quoted cell starting on line {line} is never closed: the file ends inside it. Add the closing \" on that line, or write any \" inside a cell as \"\"."
            ),
            FileError::TooManyCells {
                line,
                through,
                cells,
                header,
            } => {
                let hint = if through > line {
                    format!(
                        " The row runs on to line {through}: a quote on line {line} may be unbalanced, so that line breaks and separators after it were read as part of one cell."
                    )
                } else {
                    " A cell that holds the separator needs quotes around it.".to_string()
                };
                format!(
                    "The row on line {line} has {cells} cells but the header has {header} columns.{hint}"
                )
            }
            FileError::Empty => "The file is empty: there is no header line and no rows.".into(),
            FileError::HeaderOnly => {
                "The file has a header line and no rows: there is nothing to import.".into()
            }
            FileError::DuplicateHeader {
                name,
                first,
                second,
            } => format!(
                "Columns {} and {} are both named “{name}” in the header line: rename or delete one of them.",
                column_letter(*first),
                column_letter(*second)
            ),
            FileError::BlankHeader { column } => format!(
                "Column {} has no name in the header line: give it one, or delete the column.",
                column_letter(*column)
            ),
            FileError::TooLarge { limit } => format!(
                "The file is larger than {} MB, which is as much as can be imported at once: split it into smaller files.",
                limit / (1024 * 1024)
            ),
            FileError::HeaderTooLong { limit } => format!(
                "The first line runs on past {} KB without ending: the file does not look like a CSV file with a header line.",
                limit / 1024
            ),
        }
    }
}

/// A column as a spreadsheet names it: 1 is A, 26 is Z, 27 is AA.
pub fn column_letter(number: usize) -> String {
    let mut n = number;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}
