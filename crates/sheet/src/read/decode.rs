//! A file's bytes to UTF-8, a piece at a time: a character split between two pieces is carried
//! over, and a UTF-8 byte order mark is dropped.
//!
//! UTF-8 is checked by the standard library's validator. Windows-1252 is one byte per character:
//! the WHATWG Encoding Standard's table for 0x80–0x9F, every other byte its own code point. Not
//! encoding_rs: its decoders come as one enum of every encoding, and its CJK tables cost the
//! browser 123 KB gzip of wasm (measured) for two simple cases. The tests check every byte
//! against encoding_rs.

use super::{Encoding, FileError};

/// WHATWG `index-windows-1252` for 0x80..=0x9F (the rest are Latin-1).
const C1: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

const BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

pub(super) struct Decode {
    encoding: Encoding,
    /// Bytes of the file's start kept until a byte order mark can be told.
    head: Option<Vec<u8>>,
    /// The start of a UTF-8 character the last piece cut.
    carry: Vec<u8>,
    /// Line breaks in the text decoded so far, to name the line of a bad byte.
    breaks: u64,
    after_cr: bool,
}

impl Decode {
    pub(super) fn new(encoding: Encoding) -> Decode {
        Decode {
            encoding,
            head: Some(Vec::new()),
            carry: Vec::new(),
            breaks: 0,
            after_cr: false,
        }
    }

    /// Decodes `src` onto the end of `out`; `last` when `src` ends the file.
    pub(super) fn decode(
        &mut self,
        src: &[u8],
        last: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), FileError> {
        // The byte order mark first: it says UTF-8 whatever was chosen, as browsers read it.
        let owned;
        let mut src = src;
        if let Some(mut head) = self.head.take() {
            head.extend_from_slice(src);
            let may_be_mark = [BOM, &[0xFF, 0xFE], &[0xFE, 0xFF]]
                .iter()
                .any(|mark| head.len() < mark.len() && mark.starts_with(&head));
            if may_be_mark && !last {
                self.head = Some(head);
                return Ok(());
            }
            if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
                return Err(FileError::Utf16);
            }
            if head.starts_with(BOM) {
                self.encoding = Encoding::Utf8;
                head.drain(..BOM.len());
            }
            owned = head;
            src = &owned;
        }
        let start = out.len();
        let result = match self.encoding {
            Encoding::Utf8 => self.utf8(src, last, out),
            Encoding::Windows1252 => {
                for &b in src {
                    let c = match b {
                        0x80..=0x9F => C1[usize::from(b - 0x80)],
                        _ => char::from(b),
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                Ok(())
            }
        };
        let end = out.len();
        self.count_lines(&out[start..end]);
        result.map_err(|()| FileError::NotUtf8 {
            line: self.breaks + 1,
        })
    }

    /// Valid UTF-8 of `src` (after what the last piece cut) onto `out`; `Err` at a bad byte,
    /// after the text before it.
    fn utf8(&mut self, src: &[u8], last: bool, out: &mut Vec<u8>) -> Result<(), ()> {
        let mut src = src;
        // Finish the character the last piece cut, a byte at a time (at most three).
        while !self.carry.is_empty() {
            let Some((&b, rest)) = src.split_first() else {
                return if last { Err(()) } else { Ok(()) };
            };
            self.carry.push(b);
            src = rest;
            match std::str::from_utf8(&self.carry) {
                Ok(c) => {
                    out.extend_from_slice(c.as_bytes());
                    self.carry.clear();
                }
                Err(e) if e.error_len().is_some() => return Err(()),
                Err(_) => {}
            }
        }
        match std::str::from_utf8(src) {
            Ok(text) => {
                out.extend_from_slice(text.as_bytes());
                Ok(())
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.extend_from_slice(&src[..good]);
                match e.error_len() {
                    // Cut off by the piece's end: carried to the next.
                    None if !last => {
                        self.carry.extend_from_slice(&src[good..]);
                        Ok(())
                    }
                    _ => Err(()),
                }
            }
        }
    }

    fn count_lines(&mut self, text: &[u8]) {
        for &b in text {
            match b {
                b'\r' => self.breaks += 1,
                b'\n' if !self.after_cr => self.breaks += 1,
                _ => {}
            }
            self.after_cr = b == b'\r';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_pieces(
        encoding: Encoding,
        bytes: &[u8],
        piece: usize,
    ) -> Result<String, FileError> {
        let mut d = Decode::new(encoding);
        let mut out = Vec::new();
        let pieces: Vec<&[u8]> = bytes.chunks(piece.max(1)).collect();
        for (i, p) in pieces.iter().enumerate() {
            d.decode(p, i + 1 == pieces.len(), &mut out)?;
        }
        if pieces.is_empty() {
            d.decode(&[], true, &mut out)?;
        }
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn every_windows_1252_byte_reads_as_encoding_rs_reads_it() {
        let all: Vec<u8> = (0..=255).collect();
        let (want, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&all);
        assert_eq!(
            decode_in_pieces(Encoding::Windows1252, &all, 7).unwrap(),
            want
        );
    }

    #[test]
    fn utf8_cut_anywhere_reads_whole_and_a_bad_byte_names_its_line() {
        let text = "Zürich 東京 🚀\r\nline two ü\n";
        for piece in 1..=8 {
            assert_eq!(
                decode_in_pieces(Encoding::Utf8, text.as_bytes(), piece).unwrap(),
                text
            );
        }
        let mut bad = b"a\nb\n".to_vec();
        bad.extend([b'c', 0xFC, b'\n']);
        for piece in 1..=4 {
            assert!(matches!(
                decode_in_pieces(Encoding::Utf8, &bad, piece),
                Err(FileError::NotUtf8 { line: 3 })
            ));
        }
        // A character cut by the end of the file is bad too.
        assert!(decode_in_pieces(Encoding::Utf8, &[b'a', 0xE6, 0x9D], 2).is_err());
        // Every byte sequence encoding_rs refuses, this refuses.
        for sample in [
            &[0xC0, 0x80][..],
            &[0xED, 0xA0, 0x80],
            &[0xF5, 0x80, 0x80, 0x80],
        ] {
            let (_, _, had_errors) = encoding_rs::UTF_8.decode(sample);
            assert!(had_errors);
            assert!(
                decode_in_pieces(Encoding::Utf8, sample, 1).is_err(),
                "{sample:?}"
            );
        }
    }

    #[test]
    fn a_byte_order_mark_means_utf8_whatever_was_chosen() {
        let mut bytes = BOM.to_vec();
        bytes.extend("Zürich".as_bytes());
        for piece in 1..=4 {
            assert_eq!(
                decode_in_pieces(Encoding::Windows1252, &bytes, piece).unwrap(),
                "Zürich"
            );
            assert_eq!(
                decode_in_pieces(Encoding::Utf8, &bytes, piece).unwrap(),
                "Zürich"
            );
        }
        // UTF-16 is said to be UTF-16, not read as accented letters and NULs.
        let utf16 = [0xFF, 0xFE, b'N', 0, b'a', 0];
        assert!(matches!(
            decode_in_pieces(Encoding::Windows1252, &utf16, 1),
            Err(FileError::Utf16)
        ));
        // A file shorter than a mark is still read.
        assert_eq!(decode_in_pieces(Encoding::Utf8, b"a", 1).unwrap(), "a");
        assert!(decode_in_pieces(Encoding::Utf8, &[0xEF, 0xBB], 1).is_err());
    }
}
