//! Accounts in and out as CSV files, as plain Rust: nothing here talks to an org or a browser, so
//! all of it is tested natively. The browser hands in bytes a chunk at a time and takes bytes
//! out a page at a time, so a file of a million rows is never whole in memory.
//!
//! - [`export`]: records to CSV (RFC 4180, header by API name or label, the "for Excel" dialect,
//!   formula-looking cells made inert).
//! - [`import`]: each line of a file against the org's records: the preview, and the results
//!   file.
//! - [`read`]: a file's bytes to rows (encoding, separator, every way a file can be bad).
//! - [`columns`]: the file's columns to the org's fields.
//! - [`values`]: each cell read as a person wrote it, typed by its field.

pub mod columns;
pub mod export;
pub mod import;
pub mod read;
pub mod values;

#[cfg(test)]
mod testing;
