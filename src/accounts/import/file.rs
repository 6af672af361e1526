//! Reading the person's file a few megabytes at a time (`Blob.slice`), so a 200 MB file is never
//! whole in memory: each piece goes to the CSV reader and is dropped.

use orgbridge_sheet::read::{Encoding, FileError, Line, Reader};
use wasm_bindgen_futures::JsFuture;

/// Bytes read per piece.
const PIECE: f64 = 4.0 * 1024.0 * 1024.0;

/// Why a file could not be read.
pub enum ReadFailure {
    File(FileError),
    /// The browser could not read it (moved, deleted, no permission).
    Browser(String),
}

impl ReadFailure {
    pub fn message(&self) -> String {
        match self {
            ReadFailure::File(e) => e.message(),
            ReadFailure::Browser(why) => format!(
                "The browser could not read the file ({why}). Choose it again: it may have been moved or changed."
            ),
        }
    }
}

/// Reads `file` through, handing each batch of lines to `each` with the bytes read so far;
/// `each` returns false to stop early (the header is all that is wanted). Returns the header and
/// the separator.
pub async fn read(
    file: &web_sys::File,
    encoding: Encoding,
    mut each: impl FnMut(&[String], Vec<Line>, u64) -> bool,
) -> Result<(Vec<String>, u8), ReadFailure> {
    let mut reader = Reader::new(encoding);
    let size = file.size();
    let mut at = 0.0;
    while at < size {
        let end = (at + PIECE).min(size);
        let bytes = piece(file, at, end).await.map_err(ReadFailure::Browser)?;
        at = end;
        let lines = reader.push(&bytes).map_err(ReadFailure::File)?;
        if let Some(header) = reader.header() {
            if !each(header, lines, at as u64) {
                return Ok((header.to_vec(), reader.separator()));
            }
        }
    }
    let lines = reader.finish().map_err(ReadFailure::File)?;
    let header = reader.header().map(<[String]>::to_vec).unwrap_or_default();
    each(&header, lines, size as u64);
    Ok((header, reader.separator()))
}

async fn piece(file: &web_sys::File, from: f64, to: f64) -> Result<Vec<u8>, String> {
    let blob = file
        .slice_with_f64_and_f64(from, to)
        .map_err(|e| format!("{e:?}"))?;
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
