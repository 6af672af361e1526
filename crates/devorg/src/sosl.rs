//! The SOSL subset devorg understands, parsed into a [`Search`]:
//! `FIND {term} [IN ALL|NAME|EMAIL|PHONE FIELDS] [RETURNING Object [(field, … [LIMIT n])], …] [LIMIT n]`.
//! The term follows SOSL's rules: it sits in braces, the reserved characters
//! `? & | ! { } [ ] ( ) ^ ~ * : \ " ' + -` are escaped with a backslash to be taken literally, and
//! an unescaped `*` (any characters) or `?` (one character) is a wildcard. Words must all match
//! (SOSL's default AND); `OR`/`AND NOT` and phrases are not understood (see the README).
//! <https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_find.htm>

/// Which fields a search looks in (`IN … FIELDS`; ALL by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Name,
    Email,
    Phone,
}

/// One object of `RETURNING`, with its field list (empty: `Id` only) and its own LIMIT.
#[derive(Debug, Clone, PartialEq)]
pub struct Returning {
    pub object: String,
    pub fields: Vec<Vec<String>>,
    pub limit: Option<usize>,
}

/// One word of the search term, lowercased, with its wildcards.
#[derive(Debug, Clone, PartialEq)]
pub struct Word(pub String);

#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub words: Vec<Word>,
    pub scope: Scope,
    /// Empty: every searchable object, `Id` only.
    pub returning: Vec<Returning>,
    pub limit: Option<usize>,
}

/// A search Salesforce would refuse: `errorCode` and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct SoslError {
    pub code: &'static str,
    pub message: String,
}

fn malformed(message: impl Into<String>) -> SoslError {
    SoslError {
        code: "MALFORMED_SEARCH",
        message: message.into(),
    }
}

/// SOSL's reserved characters, literal only when escaped.
const RESERVED: &str = "?&|!{}[]()^~*:\\\"'+-";

/// Parses a `FIND {…} …` statement.
pub fn parse(text: &str) -> Result<Search, SoslError> {
    let rest = text.trim_start();
    let Some(rest) = strip_keyword(rest, "FIND") else {
        return Err(malformed(format!(
            "unexpected token: {}",
            rest.split_whitespace().next().unwrap_or("<EOF>")
        )));
    };
    let rest = rest.trim_start();
    // Restforce's captured error for a term without braces.
    let Some(rest) = rest.strip_prefix('{') else {
        return Err(malformed(
            "No search term found. The search term must be enclosed in braces.",
        ));
    };
    let (raw, rest) = term(rest)?;
    let words = words(&raw)?;
    let mut p = Tokens::new(rest);
    let mut scope = Scope::All;
    if p.keyword("IN") {
        scope = match p.word().map(|w| w.to_ascii_uppercase()).as_deref() {
            Some("ALL") => Scope::All,
            Some("NAME") => Scope::Name,
            Some("EMAIL") => Scope::Email,
            Some("PHONE") => Scope::Phone,
            Some("SIDEBAR") => return Err(unsupported("IN SIDEBAR FIELDS")),
            other => {
                return Err(malformed(format!(
                    "unexpected token: {}",
                    other.unwrap_or("<EOF>")
                )))
            }
        };
        p.expect_keyword("FIELDS")?;
    }
    let mut returning = vec![];
    if p.keyword("RETURNING") {
        loop {
            returning.push(p.returning()?);
            if !p.symbol(',') {
                break;
            }
        }
    }
    let mut limit = None;
    if p.keyword("LIMIT") {
        limit = Some(p.number()?);
    }
    if let Some(w) = p.peek() {
        let upper = w.to_ascii_uppercase();
        if ["WITH", "UPDATE", "ORDER", "OFFSET", "TO"].contains(&upper.as_str()) {
            return Err(unsupported(&format!("{upper} clauses")));
        }
        return Err(malformed(format!("unexpected token: {w}")));
    }
    Ok(Search {
        words,
        scope,
        returning,
        limit,
    })
}

fn unsupported(what: &str) -> SoslError {
    malformed(format!(
        "devorg does not support {what} in SOSL (it supports FIND {{term}} [IN ALL|NAME|EMAIL|PHONE FIELDS] [RETURNING Object[(fields [LIMIT n])], …] [LIMIT n])"
    ))
}

fn strip_keyword<'a>(text: &'a str, keyword: &str) -> Option<&'a str> {
    let head = text.get(..keyword.len())?;
    let after = &text[keyword.len()..];
    (head.eq_ignore_ascii_case(keyword)
        && !after.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
    .then_some(after)
}

/// The term up to its closing brace, escapes kept (as `\x`) so wildcards can be told from literals.
fn term(text: &str) -> Result<(String, &str), SoslError> {
    let mut raw = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, escaped)) if RESERVED.contains(escaped) => {
                    raw.push('\\');
                    raw.push(escaped);
                }
                Some((_, other)) => {
                    return Err(malformed(format!(
                        "Invalid escape sequence in the search term: \\{other}"
                    )))
                }
                None => break,
            },
            '}' => return Ok((raw, &text[i + 1..])),
            '{' => {
                return Err(malformed(
                    "The search term cannot contain an unescaped '{'.",
                ))
            }
            c => raw.push(c),
        }
    }
    Err(malformed(
        "No search term found. The search term must be enclosed in braces.",
    ))
}

/// The term's words, lowercased; escaped characters are literal, `*` and `?` stay wildcards.
/// Fewer than two characters in all is refused as Salesforce does.
pub fn words(raw: &str) -> Result<Vec<Word>, SoslError> {
    let mut words = vec![];
    let mut current = String::new();
    let mut letters = 0;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(escaped) = chars.next() {
                    // A literal wildcard character: kept out of the pattern (it never matches a
                    // token character anyway).
                    if escaped != '*' && escaped != '?' {
                        current.extend(escaped.to_lowercase());
                        letters += 1;
                    }
                }
            }
            c if c.is_whitespace() => {
                if !current.is_empty() {
                    words.push(Word(std::mem::take(&mut current)));
                }
            }
            '*' | '?' => current.push(c),
            c => {
                current.extend(c.to_lowercase());
                if c.is_alphanumeric() {
                    letters += 1;
                }
            }
        }
    }
    if !current.is_empty() {
        words.push(Word(current));
    }
    // "AND" between words is SOSL's default; treat it as no word.
    words.retain(|w| w.0 != "and");
    if letters < 2 {
        return Err(SoslError {
            code: "INVALID_SEARCH",
            message: format!(
                "search term must be longer than one character: {}",
                raw.trim()
            ),
        });
    }
    Ok(words)
}

impl Word {
    /// Whether this word matches some word of `value` (split on anything not a letter or digit).
    pub fn matches(&self, value: &str) -> bool {
        let pattern: Vec<Vec<char>> = tokens(&self.0)
            .into_iter()
            .map(|t| t.chars().collect())
            .collect();
        if pattern.is_empty() {
            return false;
        }
        let lower = value.to_lowercase();
        let have: Vec<Vec<char>> = tokens(&lower)
            .into_iter()
            .map(|t| t.chars().collect())
            .collect();
        // Every piece of the word (`o'reilly` → `o`, `reilly`) must match a token, in order.
        have.windows(pattern.len())
            .any(|run| run.iter().zip(&pattern).all(|(t, p)| glob(p, t)))
    }
}

/// Splits on characters that are neither letters, digits nor wildcards.
fn tokens(s: &str) -> Vec<&str> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '*' || c == '?'))
        .filter(|t| !t.is_empty())
        .collect()
}

/// `*` matches any run of characters, `?` one character.
fn glob(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some(('?', rest)) => !text.is_empty() && glob(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

/// Words and symbols after the term.
struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    fn new(rest: &'a str) -> Self {
        Tokens { rest }
    }

    fn peek(&self) -> Option<&'a str> {
        let t = self.rest.trim_start();
        if t.is_empty() {
            return None;
        }
        let end = t
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(t.len())
            .max(t.chars().next().map_or(1, char::len_utf8));
        Some(&t[..end])
    }

    fn bump(&mut self) -> Option<&'a str> {
        let word = self.peek()?;
        let t = self.rest.trim_start();
        self.rest = &t[word.len()..];
        Some(word)
    }

    fn keyword(&mut self, keyword: &str) -> bool {
        let hit = self.peek().is_some_and(|w| w.eq_ignore_ascii_case(keyword));
        if hit {
            self.bump();
        }
        hit
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), SoslError> {
        if self.keyword(keyword) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn symbol(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c.encode_utf8(&mut [0; 4]));
        if hit {
            self.bump();
        }
        hit
    }

    fn unexpected(&self) -> SoslError {
        malformed(format!(
            "unexpected token: {}",
            self.peek().unwrap_or("<EOF>")
        ))
    }

    /// A name (letters, digits, `_`, `.` for relationship paths).
    fn word(&mut self) -> Option<&'a str> {
        match self.peek() {
            Some(w) if w.starts_with(|c: char| c.is_alphabetic()) => self.bump(),
            _ => None,
        }
    }

    fn number(&mut self) -> Result<usize, SoslError> {
        match self.peek().and_then(|w| w.parse::<usize>().ok()) {
            Some(n) => {
                self.bump();
                Ok(n)
            }
            None => Err(self.unexpected()),
        }
    }

    /// `Object [(field, … [LIMIT n])]`
    fn returning(&mut self) -> Result<Returning, SoslError> {
        let object = self.word().ok_or_else(|| self.unexpected())?.to_string();
        let mut out = Returning {
            object,
            fields: vec![],
            limit: None,
        };
        if !self.symbol('(') {
            return Ok(out);
        }
        loop {
            if self.keyword("LIMIT") {
                out.limit = Some(self.number()?);
                break;
            }
            if let Some(w) = self.peek() {
                let upper = w.to_ascii_uppercase();
                if ["WHERE", "ORDER", "OFFSET", "USING", "WITH"].contains(&upper.as_str()) {
                    return Err(unsupported(&format!("{upper} inside RETURNING")));
                }
            }
            let field = self.word().ok_or_else(|| self.unexpected())?;
            out.fields
                .push(field.split('.').map(str::to_string).collect());
            if !self.symbol(',') {
                if self.keyword("LIMIT") {
                    out.limit = Some(self.number()?);
                }
                break;
            }
        }
        if !self.symbol(')') {
            return Err(self.unexpected());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_common_forms() {
        let s = parse("FIND {Acme Corp} IN NAME FIELDS RETURNING Account(Id, Owner.Name LIMIT 5), User LIMIT 20").unwrap();
        assert_eq!(s.words, vec![Word("acme".into()), Word("corp".into())]);
        assert_eq!(s.scope, Scope::Name);
        assert_eq!(
            s.returning[0].fields,
            vec![vec!["Id".to_string()], vec!["Owner".into(), "Name".into()]]
        );
        assert_eq!(s.returning[0].limit, Some(5));
        assert_eq!(
            s.returning[1],
            Returning {
                object: "User".into(),
                fields: vec![],
                limit: None
            }
        );
        assert_eq!(s.limit, Some(20));
    }

    #[test]
    fn escapes_wildcards_and_errors() {
        let s = parse(r"find {O\'Reilly} returning account").unwrap();
        assert!(s.words[0].matches("O'Reilly Media"));
        assert!(!s.words[0].matches("Reilly O"));
        let s = parse("FIND {100% Organ*}").unwrap();
        assert!(s.words.iter().all(|w| w.matches("100% Organic Farms")));
        assert!(Word("ac?e".into()).matches("ACME"));
        assert!(!Word("acm".into()).matches("Acme"));
        assert_eq!(parse("FIND Acme").unwrap_err().code, "MALFORMED_SEARCH");
        assert_eq!(
            parse("SELECT Id FROM Account").unwrap_err().code,
            "MALFORMED_SEARCH"
        );
        assert_eq!(parse("FIND {a}").unwrap_err().code, "INVALID_SEARCH");
        assert_eq!(
            parse("FIND {a*}").unwrap_err().message,
            "search term must be longer than one character: a*"
        );
        assert_eq!(parse(r"FIND {a\q}").unwrap_err().code, "MALFORMED_SEARCH");
        assert_eq!(
            parse("FIND {acme} RETURNING Account(Id WHERE Name = 'x')")
                .unwrap_err()
                .code,
            "MALFORMED_SEARCH"
        );
        assert_eq!(
            parse("FIND {acme} RETURNING Account(Id").unwrap_err().code,
            "MALFORMED_SEARCH"
        );
        assert_eq!(
            parse("FIND {acme} nonsense").unwrap_err().code,
            "MALFORMED_SEARCH"
        );
    }
}
