//! The SOQL subset devorg understands: parsing ([`parse`]), checking against the schema ([`resolve`]) and
//! evaluation over rows ([`run`], [`matches`]), with Salesforce's error codes and messages.

mod aggregate;
mod ast;
mod dates;
mod eval;
mod lexer;
mod parser;
mod resolve;

pub use aggregate::{aggregate, columns as aggregate_columns, is_aggregate};
pub use ast::*;
pub use eval::{matches, run};
pub use parser::{parse, MAX_NESTING, MAX_OFFSET, MAX_STATEMENT_CHARS};
pub use resolve::resolve;

/// Implemented by the store: resolves a field path case-insensitively on an object to its canonical
/// spelling and type, e.g. `("account", ["owner","name"]) -> (["Owner","Name"], Text)`. `None` = no such field.
pub trait Catalog {
    /// The canonical spelling of an object name, or `None` if the org has no such object.
    fn has_object(&self, object: &str) -> Option<String>;
    /// The canonical path, type and whether the field may be filtered and sorted on.
    fn resolve(&self, object: &str, path: &[String]) -> Option<(Vec<String>, FieldType, bool)>;
    /// The object a relationship path leads to (`("Account", ["Owner"]) -> "User"`), used only to word
    /// "No such column 'X' on entity 'User'" when a parent field is unknown. The default says "unknown
    /// relationship".
    fn relationship_object(&self, object: &str, relationship: &[String]) -> Option<String> {
        let _ = (object, relationship);
        None
    }
}

/// A row to evaluate: the JSON value of a (canonical) field path; relationships resolved by the implementor.
pub trait Row {
    fn value(&self, path: &[String]) -> serde_json::Value;
    /// Calls `f` with the value at `path`. Filters and sort keys go through here; the default clones via
    /// [`Row::value`], and a store holding `serde_json::Value`s can override it to lend its own value and
    /// save an allocation per row and field.
    fn with_value<T>(&self, path: &[String], f: impl FnOnce(&serde_json::Value) -> T) -> T {
        f(&self.value(path))
    }
}

/// A query Salesforce would reject; the message is the full text Salesforce returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SoqlError {
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    InvalidField(String),
    #[error("{0}")]
    InvalidType(String),
    /// e.g. an OFFSET above 2,000.
    #[error("{0}")]
    NumberOutsideValidRange(String),
    /// e.g. a malformed id compared with an Id field.
    #[error("{0}")]
    InvalidQueryFilterOperator(String),
}

impl SoqlError {
    /// The `errorCode` of Salesforce's error body.
    pub fn error_code(&self) -> &'static str {
        match self {
            SoqlError::Malformed(_) => "MALFORMED_QUERY",
            SoqlError::InvalidField(_) => "INVALID_FIELD",
            SoqlError::InvalidType(_) => "INVALID_TYPE",
            SoqlError::NumberOutsideValidRange(_) => "NUMBER_OUTSIDE_VALID_RANGE",
            SoqlError::InvalidQueryFilterOperator(_) => "INVALID_QUERY_FILTER_OPERATOR",
        }
    }

    /// The `message` of Salesforce's error body.
    pub fn message(&self) -> String {
        match self {
            SoqlError::Malformed(m)
            | SoqlError::InvalidField(m)
            | SoqlError::InvalidType(m)
            | SoqlError::NumberOutsideValidRange(m)
            | SoqlError::InvalidQueryFilterOperator(m) => m.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    struct AnyField;

    impl Catalog for AnyField {
        fn has_object(&self, object: &str) -> Option<String> {
            Some(object.to_string())
        }

        fn resolve(
            &self,
            _object: &str,
            path: &[String],
        ) -> Option<(Vec<String>, FieldType, bool)> {
            Some((path.to_vec(), FieldType::Text, true))
        }
    }

    struct JsonRow(Value);

    impl Row for JsonRow {
        fn value(&self, path: &[String]) -> Value {
            self.0.get(&path[0]).cloned().unwrap_or(Value::Null)
        }
    }

    /// Bad input must give an error, never a panic: every prefix of real queries, and each with one
    /// character replaced by something awkward.
    #[test]
    fn truncated_and_garbled_queries_never_panic() {
        let queries = [
            r"SELECT Id, Owner.Name FROM Account WHERE (Name LIKE 'a\%b\_%' OR Name IN ('x', 'y')) AND NOT Name = null ORDER BY Name DESC NULLS LAST, Id LIMIT 10 OFFSET 5",
            "SELECT COUNT() FROM Account WHERE CreatedDate = LAST_N_DAYS:30 AND Since < 2024-01-31 AND At > 2024-01-31T10:00:00+05:30",
            "select name from account where name != 'Zürich \\u00e9' and x <> -1.5 and y >= 2 and z <= 3 and w > 4 and v < 5",
        ];
        let garble = [
            "'", "\\", "(", ")", ",", ".", ":", "é", "%", " ", "0", "-", "T", "<", "=",
        ];
        let today = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let mut attempts = 0;
        for q in queries {
            let boundaries: Vec<usize> =
                q.char_indices().map(|(i, _)| i).chain([q.len()]).collect();
            let mut variants: Vec<String> =
                boundaries.iter().map(|&i| q[..i].to_string()).collect();
            for w in boundaries.windows(2) {
                for g in garble {
                    variants.push(format!("{}{g}{}", &q[..w[0]], &q[w[1]..]));
                }
            }
            for text in variants {
                attempts += 1;
                if let Ok(parsed) = parse(&text).and_then(|p| resolve(p, &AnyField)) {
                    let rows = vec![
                        JsonRow(json!({"Name": "a%b_c", "Id": "001000000000001AAA"})),
                        JsonRow(json!({})),
                    ];
                    let _ = run(&parsed, rows, today);
                }
            }
        }
        assert!(attempts > 3000);
    }

    #[test]
    fn errors_expose_salesforce_codes() {
        let e = parse("SELECT").unwrap_err();
        assert_eq!(
            (e.error_code(), e.message()),
            ("MALFORMED_QUERY", "unexpected token: '<EOF>'".to_string())
        );
        assert_eq!(e.to_string(), e.message());
    }
}
