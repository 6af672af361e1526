//! Splits SOQL text into tokens with their byte offsets, decoding string escapes as Salesforce's
//! "Quoted String Escape Sequences" define them.

use super::ast::{LIKE_ESCAPED_PERCENT, LIKE_ESCAPED_UNDERSCORE};
use super::SoqlError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A name or keyword, exactly as written.
    Ident(String),
    /// A quoted string with escapes decoded.
    Str(String),
    /// A number as written (e.g. `-1.5`).
    Number(String),
    /// `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ss(.sss)(Z|±hh:mm)` as written.
    DateTime(String),
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    LParen,
    RParen,
    Comma,
    Dot,
    Colon,
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    /// Byte offset of the token's first character.
    pub start: usize,
    /// Byte offset just past the token.
    pub end: usize,
}

/// Tokenises a whole query; the last token is always `Eof`.
pub(crate) fn lex(text: &str) -> Result<Vec<Token>, SoqlError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let single = |tok: Tok| Token {
            tok,
            start,
            end: start + 1,
        };
        match c {
            b'(' => tokens.push(single(Tok::LParen)),
            b')' => tokens.push(single(Tok::RParen)),
            b',' => tokens.push(single(Tok::Comma)),
            b'.' => tokens.push(single(Tok::Dot)),
            b':' => tokens.push(single(Tok::Colon)),
            b'=' => tokens.push(single(Tok::Eq)),
            b'!' if bytes.get(i + 1) == Some(&b'=') => {
                tokens.push(Token {
                    tok: Tok::Ne,
                    start,
                    end: start + 2,
                });
                i += 2;
                continue;
            }
            b'<' => {
                let (tok, len) = match bytes.get(i + 1) {
                    Some(b'=') => (Tok::Le, 2),
                    Some(b'>') => (Tok::Ne, 2),
                    _ => (Tok::Lt, 1),
                };
                tokens.push(Token {
                    tok,
                    start,
                    end: start + len,
                });
                i += len;
                continue;
            }
            b'>' => {
                let (tok, len) = if bytes.get(i + 1) == Some(&b'=') {
                    (Tok::Ge, 2)
                } else {
                    (Tok::Gt, 1)
                };
                tokens.push(Token {
                    tok,
                    start,
                    end: start + len,
                });
                i += len;
                continue;
            }
            b'\'' => {
                let (value, end) = lex_string(text, start)?;
                tokens.push(Token {
                    tok: Tok::Str(value),
                    start,
                    end,
                });
                i = end;
                continue;
            }
            b'0'..=b'9' | b'-' | b'+' => {
                if let Some(end) = date_time_end(bytes, i) {
                    tokens.push(Token {
                        tok: Tok::DateTime(text[start..end].to_string()),
                        start,
                        end,
                    });
                    i = end;
                    continue;
                }
                if let Some(end) = number_end(bytes, i) {
                    tokens.push(Token {
                        tok: Tok::Number(text[start..end].to_string()),
                        start,
                        end,
                    });
                    i = end;
                    continue;
                }
                return Err(unexpected_char(text, start));
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut end = i + 1;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                tokens.push(Token {
                    tok: Tok::Ident(text[start..end].to_string()),
                    start,
                    end,
                });
                i = end;
                continue;
            }
            _ => return Err(unexpected_char(text, start)),
        }
        i += 1;
    }
    tokens.push(Token {
        tok: Tok::Eof,
        start: text.len(),
        end: text.len(),
    });
    Ok(tokens)
}

fn unexpected_char(text: &str, start: usize) -> SoqlError {
    let ch = text[start..].chars().next().unwrap_or(' ');
    SoqlError::Malformed(super::parser::located(
        text,
        start,
        &format!("unexpected token: '{ch}'"),
    ))
}

/// Decodes `'...'` starting at `start` (the opening quote); returns the value and the offset past the
/// closing quote. `\%` and `\_` become markers so LIKE can tell them from wildcards.
fn lex_string(text: &str, start: usize) -> Result<(String, usize), SoqlError> {
    let mut value = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((off, c)) = chars.next() {
        match c {
            '\'' => return Ok((value, start + 1 + off + 1)),
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                let decoded = match e {
                    'n' | 'N' => '\n',
                    'r' | 'R' => '\r',
                    't' | 'T' => '\t',
                    'b' | 'B' => '\u{8}',
                    'f' | 'F' => '\u{c}',
                    '"' => '"',
                    '\'' => '\'',
                    '\\' => '\\',
                    '%' => LIKE_ESCAPED_PERCENT,
                    '_' => LIKE_ESCAPED_UNDERSCORE,
                    'u' => {
                        let hex: String = chars.by_ref().take(4).map(|(_, h)| h).collect();
                        match u32::from_str_radix(&hex, 16)
                            .ok()
                            .filter(|_| hex.len() == 4)
                            .and_then(char::from_u32)
                        {
                            Some(ch) => ch,
                            None => return Err(illegal_escape(text, start, &format!("\\u{hex}"))),
                        }
                    }
                    other => return Err(illegal_escape(text, start, &format!("\\{other}"))),
                };
                value.push(decoded);
            }
            c => value.push(c),
        }
    }
    // No closing quote: Salesforce reports the dangling quote as an unexpected token.
    Err(SoqlError::Malformed(super::parser::located(
        text,
        start,
        "unexpected token: '''",
    )))
}

fn illegal_escape(text: &str, start: usize, seq: &str) -> SoqlError {
    let literal_end = text[start + 1..]
        .find('\'')
        .map_or(text.len(), |i| start + 1 + i + 1);
    let literal = &text[start..literal_end.min(text.len())];
    SoqlError::Malformed(super::parser::located(
        text,
        start,
        &format!("Invalid string literal {literal}. Illegal character sequence '{seq}' in string literal."),
    ))
}

fn digits(bytes: &[u8], i: usize, n: usize) -> bool {
    bytes.len() >= i + n && bytes[i..i + n].iter().all(u8::is_ascii_digit)
}

/// The end of a date (`2024-01-31`) or datetime literal at `i`, if one starts there.
fn date_time_end(bytes: &[u8], i: usize) -> Option<usize> {
    if !(digits(bytes, i, 4) && bytes.get(i + 4) == Some(&b'-') && digits(bytes, i + 5, 2)) {
        return None;
    }
    if !(bytes.get(i + 7) == Some(&b'-') && digits(bytes, i + 8, 2)) {
        return None;
    }
    let date_end = i + 10;
    if !matches!(bytes.get(date_end), Some(b'T') | Some(b't')) {
        return Some(date_end);
    }
    let t = date_end + 1;
    let time_ok = digits(bytes, t, 2)
        && bytes.get(t + 2) == Some(&b':')
        && digits(bytes, t + 3, 2)
        && bytes.get(t + 5) == Some(&b':')
        && digits(bytes, t + 6, 2);
    if !time_ok {
        // Let the parser report the odd text after the date.
        return Some(date_end);
    }
    let mut end = t + 8;
    if bytes.get(end) == Some(&b'.') && digits(bytes, end + 1, 1) {
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    match bytes.get(end) {
        Some(b'Z') | Some(b'z') => Some(end + 1),
        Some(b'+') | Some(b'-')
            if digits(bytes, end + 1, 2)
                && bytes.get(end + 3) == Some(&b':')
                && digits(bytes, end + 4, 2) =>
        {
            Some(end + 6)
        }
        _ => Some(end),
    }
}

/// The end of a number (`12`, `-3.5`, `+4`) at `i`, if one starts there.
fn number_end(bytes: &[u8], i: usize) -> Option<usize> {
    let mut end = i;
    if matches!(bytes.get(end), Some(b'-') | Some(b'+')) {
        end += 1;
    }
    let int_start = end;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    let mut had_digits = end > int_start;
    if bytes.get(end) == Some(&b'.') && digits(bytes, end + 1, 1) {
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        had_digits = true;
    }
    had_digits.then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        lex(text).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_operators_names_and_positions() {
        let tokens = lex("SELECT Owner.Name FROM Account WHERE a<>1 AND b<=2").unwrap();
        assert_eq!(
            tokens[0],
            Token {
                tok: Tok::Ident("SELECT".into()),
                start: 0,
                end: 6
            }
        );
        assert_eq!(tokens[1].start, 7);
        assert_eq!(tokens[2].tok, Tok::Dot);
        let ops: Vec<_> = tokens
            .iter()
            .filter(|t| matches!(t.tok, Tok::Ne | Tok::Le))
            .collect();
        assert_eq!(ops.len(), 2);
        assert_eq!(tokens.last().unwrap().tok, Tok::Eof);
        assert_eq!(kinds("a!=b")[1], Tok::Ne);
        assert_eq!(kinds("a>=b")[1], Tok::Ge);
        assert_eq!(kinds("a>b")[1], Tok::Gt);
        assert_eq!(kinds("a<b")[1], Tok::Lt);
    }

    #[test]
    fn lexes_numbers_dates_and_datetimes() {
        assert_eq!(kinds("-1.5")[0], Tok::Number("-1.5".into()));
        assert_eq!(kinds("42")[0], Tok::Number("42".into()));
        assert_eq!(kinds("2024-01-31")[0], Tok::DateTime("2024-01-31".into()));
        assert_eq!(
            kinds("2024-01-31T08:00:00Z")[0],
            Tok::DateTime("2024-01-31T08:00:00Z".into())
        );
        assert_eq!(
            kinds("2024-01-31T08:00:00.123+05:30 x")[0],
            Tok::DateTime("2024-01-31T08:00:00.123+05:30".into())
        );
        assert_eq!(
            kinds("2024-01-31T08:00:00-08:00")[0],
            Tok::DateTime("2024-01-31T08:00:00-08:00".into())
        );
    }

    #[test]
    fn decodes_every_documented_escape() {
        let t = kinds(r#"'a\'b\\c\nd\Te\"f\rg\bh\fi\u00e9'"#);
        assert_eq!(
            t[0],
            Tok::Str("a'b\\c\nd\te\"f\rg\u{8}h\u{c}i\u{e9}".into())
        );
        let t = kinds(r"'50\% off\_x'");
        assert_eq!(
            t[0],
            Tok::Str(format!(
                "50{LIKE_ESCAPED_PERCENT} off{LIKE_ESCAPED_UNDERSCORE}x"
            ))
        );
        // Non-ASCII text passes through and positions stay byte offsets.
        let tokens = lex("'Zürich' x").unwrap();
        assert_eq!(tokens[0].tok, Tok::Str("Zürich".into()));
        assert_eq!(tokens[1].start, 10);
    }

    #[test]
    fn rejects_unknown_escapes_and_unterminated_strings() {
        let err = lex(r"SELECT Id FROM Account WHERE Name = 'a\qb'").unwrap_err();
        assert_eq!(err.error_code(), "MALFORMED_QUERY");
        assert!(
            err.message()
                .contains(r"Illegal character sequence '\q' in string literal."),
            "{}",
            err.message()
        );
        assert!(
            err.message().contains("ERROR at Row:1:Column:37"),
            "{}",
            err.message()
        );
        let err = lex("SELECT Id FROM Account WHERE Name = 'abc").unwrap_err();
        assert!(
            err.message().ends_with("unexpected token: '''"),
            "{}",
            err.message()
        );
        let err = lex("SELECT Id FROM Account WHERE Name = #").unwrap_err();
        assert!(
            err.message().ends_with("unexpected token: '#'"),
            "{}",
            err.message()
        );
    }
}
