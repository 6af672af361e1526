//! The CSV a Bulk API 2.0 job uploads, built from the previewed bodies, and the result files it
//! answers, read back onto the preview's rows. Salesforce's CSV rules: a header of API names
//! (a parent by its key as `Parent.Source_Id__c`), an empty cell leaves a field as it is and
//! `#N/A` clears it, LF line endings. Result rows come back in no particular order, so they are
//! matched on the key (or the Id, for a delete).

use std::collections::{BTreeSet, HashMap};

use salesforce::rest::Record;
use serde_json::Value;

/// What clears a field in a Bulk upload (an empty cell leaves it as it is).
pub const NULL: &str = "#N/A";

/// One body's cells: column → text. `attributes` is no column; a parent named by its key
/// (`{"Parent": {"Source_Id__c": "…"}}`) is the column `Parent.Source_Id__c`.
fn cells(body: &Record) -> impl Iterator<Item = (String, String)> + '_ {
    body.iter()
        .filter(|(k, _)| k.as_str() != "attributes")
        .flat_map(|(k, v)| match v {
            Value::Object(inner) => inner
                .iter()
                .filter(|(f, _)| f.as_str() != "attributes")
                .map(|(f, v)| (format!("{k}.{f}"), cell(v)))
                .collect::<Vec<_>>(),
            v => vec![(k.clone(), cell(v))],
        })
}

/// A JSON value as a CSV cell. An empty text clears the field, as it does through REST.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => NULL.into(),
        Value::String(s) if s.is_empty() => NULL.into(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        // Not produced by a preview; sent as JSON text rather than dropped.
        other => other.to_string(),
    }
}

/// The upload for `bodies`: a column for each of `columns` (every field any of them sets; see
/// [`crate::preview::Rows::columns`]), `first` leading (the key, which a person reading the file
/// looks for), one line per body.
pub fn upload(
    mut columns: BTreeSet<String>,
    bodies: impl Iterator<Item = Record>,
    first: &str,
) -> String {
    let mut header: Vec<String> = Vec::with_capacity(columns.len());
    if columns.remove(first) {
        header.push(first.to_string());
    }
    header.extend(columns);
    let at: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(n, c)| (c.as_str(), n))
        .collect();
    let mut out = writer();
    out.write_record(&header).expect("writing to memory");
    let mut line = vec![String::new(); header.len()];
    for body in bodies {
        line.iter_mut().for_each(String::clear);
        for (column, value) in cells(&body) {
            match at.get(column.as_str()) {
                Some(&n) => line[n] = value,
                None => debug_assert!(false, "{column} is not among the columns"),
            }
        }
        out.write_record(&line).expect("writing to memory");
    }
    finish(out)
}

/// The upload of a delete job: the records' Ids.
pub fn delete_upload<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let mut out = writer();
    out.write_record(["Id"]).expect("writing to memory");
    for id in ids {
        out.write_record([id]).expect("writing to memory");
    }
    finish(out)
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn finish(out: csv::Writer<Vec<u8>>) -> String {
    let bytes = out.into_inner().expect("writing to memory");
    // Every cell came from a String.
    String::from_utf8(bytes).expect("UTF-8 in, UTF-8 out")
}

/// One row of a result file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultRow {
    /// `sf__Id`, and `sf__Created` (false: updated, or deleted).
    Done { id: String, created: bool },
    /// `sf__Error`, as words.
    Failed(String),
    /// Never processed (the job was aborted or failed first).
    Unprocessed,
}

/// Reads a result file: each row's value of `column` (the key, or `Id`) with what happened to
/// it. A file this cannot read is an `Err` with the reason.
pub fn read_results(text: &str, column: &str) -> Result<Vec<(String, ResultRow)>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("its header could not be read: {e}"))?
        .clone();
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Ok(Vec::new());
    }
    let find = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    // A file with no rows may carry only the `sf__` columns.
    let key = find(column);
    let (id, created, error) = (find("sf__Id"), find("sf__Created"), find("sf__Error"));
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("a row could not be read: {e}"))?;
        let key = key.ok_or_else(|| format!("it has no column {column}"))?;
        let text = |n: Option<usize>| n.and_then(|n| record.get(n)).unwrap_or_default();
        let row = match (error, created) {
            (Some(_), _) => ResultRow::Failed(error_words(text(error))),
            (None, Some(_)) => ResultRow::Done {
                id: text(id).to_string(),
                created: text(created).eq_ignore_ascii_case("true"),
            },
            (None, None) => ResultRow::Unprocessed,
        };
        out.push((text(Some(key)).to_string(), row));
    }
    Ok(out)
}

/// `sf__Error` is `CODE:message:fields --`; a person needs the message.
pub fn error_words(raw: &str) -> String {
    let raw = raw.trim().trim_end_matches("--").trim_end();
    let rest = match raw.split_once(':') {
        Some((code, rest))
            if !code.is_empty()
                && code
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') =>
        {
            rest
        }
        _ => raw,
    };
    let message = match rest.rsplit_once(':') {
        // The last part is the fields (API names, comma-separated, or nothing).
        Some((message, fields))
            if fields.split(',').all(|f| {
                f.trim()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            }) =>
        {
            message
        }
        _ => rest,
    };
    let message = message.trim();
    if message.is_empty() {
        raw.to_string()
    } else {
        message.to_string()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::preview::body_columns;

    fn rec(v: Value) -> Record {
        v.as_object().unwrap().clone()
    }

    fn columns(bodies: &[Record]) -> BTreeSet<String> {
        bodies.iter().flat_map(body_columns).collect()
    }

    #[test]
    fn an_upload_has_the_key_first_parents_by_key_and_clears_with_na() {
        let bodies = [
            rec(
                json!({"Source_Id__c": "001A", "Name": "Acme, \"West\"\nWing", "NumberOfEmployees": 12,
                "Parent": {"Source_Id__c": "001P"}, "Active__c": true}),
            ),
            rec(json!({"Source_Id__c": "001B", "Phone": null, "Website": "", "ParentId": null})),
        ];
        let csv = upload(columns(&bodies), bodies.into_iter(), "Source_Id__c");
        assert_eq!(
            csv,
            "Source_Id__c,Active__c,Name,NumberOfEmployees,Parent.Source_Id__c,ParentId,Phone,Website\n\
             001A,true,\"Acme, \"\"West\"\"\nWing\",12,001P,,,\n\
             001B,,,,,#N/A,#N/A,#N/A\n"
        );
    }

    #[test]
    fn a_value_that_looks_like_a_formula_is_sent_as_it_is() {
        // The org stores text; only files a person opens in a spreadsheet are made inert.
        let bodies = [rec(json!({"K__c": "1", "Name": "=HYPERLINK(\"x\")"}))];
        assert_eq!(
            upload(columns(&bodies), bodies.into_iter(), "K__c"),
            "K__c,Name\n1,\"=HYPERLINK(\"\"x\"\")\"\n"
        );
    }

    #[test]
    fn results_are_read_by_the_key_whatever_their_order() {
        let ok = "\"sf__Id\",\"sf__Created\",\"Source_Id__c\",\"Name\"\n\
                  \"001T2\",\"false\",\"001B\",\"B\"\n\"001T1\",\"true\",\"001A\",\"A\"\n";
        assert_eq!(
            read_results(ok, "Source_Id__c").unwrap(),
            vec![
                (
                    "001B".into(),
                    ResultRow::Done {
                        id: "001T2".into(),
                        created: false
                    }
                ),
                (
                    "001A".into(),
                    ResultRow::Done {
                        id: "001T1".into(),
                        created: true
                    }
                ),
            ]
        );
        let failed = "\"sf__Id\",\"sf__Error\",\"Source_Id__c\",\"Name\"\n\
                      \"\",\"REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --\",\"001C\",\"\"\n";
        assert_eq!(
            read_results(failed, "Source_Id__c").unwrap(),
            vec![(
                "001C".into(),
                ResultRow::Failed("Required fields are missing: [Name]".into())
            )]
        );
        let unprocessed = "Source_Id__c,Name\n001D,D\n";
        assert_eq!(
            read_results(unprocessed, "Source_Id__c").unwrap(),
            vec![("001D".into(), ResultRow::Unprocessed)]
        );
        assert_eq!(read_results("", "Source_Id__c").unwrap(), vec![]);
        assert!(read_results("sf__Id,sf__Created\n1,true\n", "Source_Id__c")
            .unwrap_err()
            .contains("no column Source_Id__c"));
    }

    #[test]
    fn error_words_keep_the_message_only() {
        assert_eq!(
            error_words("INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--"),
            "invalid cross reference id"
        );
        assert_eq!(
            error_words("DUPLICATE_VALUE:duplicate value found: Source_Id__c duplicates value on record with id: 001x:Source_Id__c --"),
            "duplicate value found: Source_Id__c duplicates value on record with id: 001x"
        );
        assert_eq!(error_words("something odd"), "something odd");
    }

    #[test]
    fn a_delete_upload_is_the_ids() {
        assert_eq!(
            delete_upload(["001A", "001B"].into_iter()),
            "Id\n001A\n001B\n"
        );
    }
}
