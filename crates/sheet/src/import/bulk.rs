//! An import through Bulk API 2.0: the lines to write as one ingest job's CSV (several jobs when
//! one upload would pass Salesforce's size), and the job's result files read back onto the
//! lines. Result rows come in no particular order and carry the cells the upload sent, so each
//! is matched to its line by those cells (the same cells twice are the same record, matched in
//! order): an insert has no key to match on.

use std::collections::{BTreeSet, HashMap, VecDeque};

use orgbridge_sync::bulk::csv::{delete_upload, error_words, upload};
use orgbridge_sync::preview::body_columns;
use salesforce::rest::bulk::{BulkOperation, MAX_UPLOAD_BYTES};
use salesforce::rest::JobResults;
use salesforce::types::RecordId;

use super::lines::Lines;
use super::results::Written;
use super::Operation;

/// Lines to write from which an import goes through Bulk API 2.0: Salesforce advises Bulk for
/// more than about 2,000 records.
pub const THRESHOLD: usize = 2_000;

/// Upload bytes one job is planned to hold at most (under the 100 MB Salesforce takes, with
/// room for the estimate's error).
const JOB_BYTES: usize = MAX_UPLOAD_BYTES / 5 * 4;

/// The job's operation, and the upsert's key field.
pub fn operation(op: &Operation) -> (BulkOperation, Option<&str>) {
    match op {
        Operation::Insert => (BulkOperation::Insert, None),
        Operation::Update => (BulkOperation::Update, None),
        Operation::Upsert { key } => (BulkOperation::Upsert, Some(key)),
        Operation::Delete => (BulkOperation::Delete, None),
    }
}

/// `lines` (indexes into `rows`) in groups, each one job's upload.
pub fn jobs(rows: &Lines, lines: &[usize]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut bytes = 0;
    for &n in lines {
        // A cell per field and its separators: an estimate from the body's JSON.
        let size = serde_json::to_string(&rows.get(n).body).map_or(0, |s| s.len());
        match out.last_mut() {
            Some(job) if bytes + size <= JOB_BYTES => job.push(n),
            _ => {
                out.push(vec![n]);
                bytes = 0;
            }
        }
        bytes += size;
    }
    out
}

/// One job's upload, and the lines its result rows are matched back to.
#[derive(Debug, Default)]
pub struct Upload {
    pub csv: String,
    /// A line's cells (as the result files echo them) → its rows, in upload order.
    lines: HashMap<String, VecDeque<usize>>,
}

/// The upload for `lines` of `rows` under `op`.
pub fn make_upload(op: &Operation, rows: &Lines, lines: &[usize]) -> Upload {
    let csv = match op {
        Operation::Delete => {
            let ids: Vec<String> = lines
                .iter()
                .filter_map(|&n| rows.get(n).target.map(|t| t.to_string()))
                .collect();
            delete_upload(ids.iter().map(String::as_str))
        }
        _ => {
            let columns: BTreeSet<String> = lines
                .iter()
                .flat_map(|&n| body_columns(&rows.get(n).body).collect::<Vec<_>>())
                .collect();
            let first = match op {
                Operation::Upsert { key } => key.as_str(),
                _ => "Id",
            };
            upload(columns, lines.iter().map(|&n| rows.get(n).body), first)
        }
    };
    // Read back as the org reads it: each line's cells are what its result row echoes.
    let mut matched: HashMap<String, VecDeque<usize>> = HashMap::new();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for (record, &n) in reader.records().zip(lines) {
        if let Ok(record) = record {
            matched
                .entry(cells_key(record.iter()))
                .or_default()
                .push_back(n);
        }
    }
    Upload {
        csv,
        lines: matched,
    }
}

fn cells_key<'a>(cells: impl Iterator<Item = &'a str>) -> String {
    cells.collect::<Vec<_>>().join("\u{1f}")
}

impl Upload {
    /// Reads one result file onto the lines: each row's line and what became of it (nothing for
    /// an unprocessed line, which is still to write). `Err` says why a file cannot be read.
    pub fn read(
        &mut self,
        op: &Operation,
        which: JobResults,
        text: &str,
    ) -> Result<Vec<(usize, Option<Written>)>, String> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| format!("a result file's header could not be read: {e}"))?
            .clone();
        let at = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
        let (id, created, error) = (at("sf__Id"), at("sf__Created"), at("sf__Error"));
        let data: Vec<usize> = (0..header.len())
            .filter(|&i| !header[i].starts_with("sf__"))
            .collect();
        let mut out = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| format!("a result row could not be read: {e}"))?;
            let key = cells_key(data.iter().map(|&i| record.get(i).unwrap_or_default()));
            let Some(n) = self.lines.get_mut(&key).and_then(VecDeque::pop_front) else {
                continue;
            };
            let text = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or_default();
            let written = match which {
                JobResults::Unprocessed => None,
                JobResults::Failed => Some(Written::Failed(error_words(text(error)))),
                JobResults::Successful => {
                    let id = RecordId::parse(text(id)).ok();
                    Some(match (id, op) {
                        (None, _) => Written::Failed(
                            "The org reported success without the record's Id.".into(),
                        ),
                        (Some(id), Operation::Delete) => Written::Deleted(id),
                        (Some(id), _) if text(created).eq_ignore_ascii_case("true") => {
                            Written::Created(id)
                        }
                        (Some(id), _) => Written::Updated(id),
                    })
                }
            };
            out.push((n, written));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Outcome, Row};
    use serde_json::json;

    fn row(body: serde_json::Value) -> Row {
        crate::testing::row(2, Outcome::Insert, body)
    }

    #[test]
    fn insert_results_find_their_lines_by_the_cells_they_echo_in_any_order() {
        let rows: Lines = [
            row(json!({"Name": "A", "BillingCity": "Köln"})),
            row(json!({"Name": "B, \"quoted\""})),
            row(json!({"Name": "A", "BillingCity": "Köln"})),
            row(json!({"Name": "C", "Parent": {"Ext__c": "P-1"}})),
        ]
        .into_iter()
        .collect();
        let op = Operation::Insert;
        let mut up = make_upload(&op, &rows, &[0, 1, 2, 3]);
        assert_eq!(
            up.csv,
            "BillingCity,Name,Parent.Ext__c\nKöln,A,\n,\"B, \"\"quoted\"\"\",\nKöln,A,\n,C,P-1\n"
        );
        let ok = "\"sf__Id\",\"sf__Created\",BillingCity,Name,Parent.Ext__c\n\
                  001000000000004AAA,true,,C,P-1\n\
                  001000000000001AAA,true,Köln,A,\n\
                  001000000000003AAA,true,Köln,A,\n";
        let got = up.read(&op, JobResults::Successful, ok).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].0, 3);
        // The same cells twice: matched in upload order, each once.
        assert_eq!((got[1].0, got[2].0), (0, 2));
        let failed = "\"sf__Id\",\"sf__Error\",BillingCity,Name,Parent.Ext__c\n\
                      ,STRING_TOO_LONG:Name: data value too large:Name --,,\"B, \"\"quoted\"\"\",\n";
        let got = up.read(&op, JobResults::Failed, failed).unwrap();
        assert_eq!(
            got,
            [(
                1,
                Some(Written::Failed("Name: data value too large".into()))
            )]
        );
        // A row it does not know is left alone.
        assert!(up.read(&op, JobResults::Successful, ok).unwrap().is_empty());
    }

    #[test]
    fn an_upsert_tells_created_from_updated_and_a_delete_sends_ids() {
        let mut one = row(json!({"Ext__c": "K1", "Name": "N"}));
        let rows: Lines = [one.clone()].into_iter().collect();
        let op = Operation::Upsert {
            key: "Ext__c".into(),
        };
        let mut up = make_upload(&op, &rows, &[0]);
        assert!(up.csv.starts_with("Ext__c,Name\n"));
        let ok = "sf__Id,sf__Created,Ext__c,Name\n001000000000001AAA,false,K1,N\n";
        assert!(matches!(
            &up.read(&op, JobResults::Successful, ok).unwrap()[0].1,
            Some(Written::Updated(_))
        ));
        one.target = Some(RecordId::parse("001000000000001AAA").unwrap());
        let rows: Lines = [one].into_iter().collect();
        let mut up = make_upload(&Operation::Delete, &rows, &[0]);
        assert_eq!(up.csv, "Id\n001000000000001AAA\n");
        let ok = "sf__Id,sf__Created,Id\n001000000000001AAA,false,001000000000001AAA\n";
        assert!(matches!(
            &up.read(&Operation::Delete, JobResults::Successful, ok)
                .unwrap()[0]
                .1,
            Some(Written::Deleted(_))
        ));
        let unprocessed = "Id\n001000000000001AAA\n";
        let mut up = make_upload(&Operation::Delete, &rows, &[0]);
        assert_eq!(
            up.read(&Operation::Delete, JobResults::Unprocessed, unprocessed)
                .unwrap(),
            [(0, None)]
        );
    }
}
