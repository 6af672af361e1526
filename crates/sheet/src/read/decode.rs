//! A file's bytes to UTF-8, a piece at a time, by encoding_rs's streaming decoders: a character
//! split between two pieces is carried over by the decoder, and a UTF-8 BOM is dropped.

use encoding_rs::{CoderResult, DecoderResult, UTF_8, WINDOWS_1252};

use super::{Encoding, FileError};

pub(super) struct Decode {
    inner: encoding_rs::Decoder,
    /// UTF-8 refuses bad bytes rather than replacing them: a wrong guess of encoding must be
    /// said, not turned into � all over the Account names.
    strict: bool,
    /// Line breaks in the text decoded so far, to name the line of a bad byte.
    breaks: u64,
    after_cr: bool,
}

impl Decode {
    pub(super) fn new(encoding: Encoding) -> Decode {
        let (inner, strict) = match encoding {
            Encoding::Utf8 => (UTF_8.new_decoder_with_bom_removal(), true),
            // With BOM sniffing, as browsers do: a file that starts with a UTF-8 BOM is UTF-8,
            // whatever was chosen.
            Encoding::Windows1252 => (WINDOWS_1252.new_decoder(), false),
        };
        Decode {
            inner,
            strict,
            breaks: 0,
            after_cr: false,
        }
    }

    /// Decodes `src` onto the end of `out`; `last` when `src` ends the file.
    pub(super) fn decode(
        &mut self,
        mut src: &[u8],
        last: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), FileError> {
        loop {
            let start = out.len();
            let need = if self.strict {
                self.inner
                    .max_utf8_buffer_length_without_replacement(src.len())
            } else {
                self.inner.max_utf8_buffer_length(src.len())
            };
            out.resize(start + need.unwrap_or(src.len() * 3 + 16), 0);
            let (done, read, written, malformed) = if self.strict {
                let (res, read, written) =
                    self.inner
                        .decode_to_utf8_without_replacement(src, &mut out[start..], last);
                let done = res == DecoderResult::InputEmpty;
                let malformed = matches!(res, DecoderResult::Malformed(..));
                (done, read, written, malformed)
            } else {
                let (res, read, written, _) =
                    self.inner.decode_to_utf8(src, &mut out[start..], last);
                (res == CoderResult::InputEmpty, read, written, false)
            };
            out.truncate(start + written);
            self.count_lines(&out[start..]);
            if malformed {
                return Err(FileError::NotUtf8 {
                    line: self.breaks + 1,
                });
            }
            if done {
                return Ok(());
            }
            src = &src[read..];
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
