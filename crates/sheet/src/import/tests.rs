use std::collections::HashMap;

use salesforce::rest::{Record, SObjectDescribe};
use serde_json::{json, Value};

use super::reads::{finder_of, fold, queries};
use super::results::{cells, ResultsFile, Written};
use super::*;
use crate::columns::propose;
use crate::read::Line;
use crate::values::{Blank, DateOrder, DecimalMark};

use crate::testing::field;

fn account() -> SObjectDescribe {
    let fields = vec![
        field("Id", "id", "Account ID", |f| {
            f.createable = false;
            f.updateable = false;
            f.nillable = false;
        }),
        field("Name", "string", "Account Name", |f| {
            f.nillable = false;
            f.name_field = true;
            f.length = 255;
        }),
        field("AnnualRevenue", "currency", "Annual Revenue", |f| {
            f.precision = 18;
            f.scale = 2;
        }),
        field("Since__c", "date", "Customer Since", |_| {}),
        field("Checked__c", "datetime", "Checked At", |_| {}),
        field("Rating", "picklist", "Account Rating", |f| {
            f.restricted_picklist = true;
            f.picklist_values = serde_json::from_value(json!([
                {"value": "Hot", "label": "Hot", "active": true},
                {"value": "Cold", "label": "Cold", "active": true}
            ]))
            .unwrap();
        }),
        field("ParentId", "reference", "Parent Account ID", |f| {
            f.reference_to = vec!["Account".into()];
            f.relationship_name = Some("Parent".into());
        }),
        field("RecordTypeId", "reference", "Record Type ID", |f| {
            f.reference_to = vec!["RecordType".into()];
        }),
        field("Ext__c", "string", "Ext", |f| {
            f.external_id = true;
            f.unique = true;
            f.id_lookup = true;
            f.length = 40;
        }),
        field("SystemModstamp", "datetime", "System Modstamp", |f| {
            f.createable = false;
            f.updateable = false;
        }),
    ];
    serde_json::from_value(json!({
        "name": "Account",
        "fields": fields,
        "recordTypeInfos": [
            {"active": true, "available": true, "developerName": "Customer", "master": false,
             "name": "Customer", "recordTypeId": "012000000000001AAA"},
            {"active": false, "available": true, "developerName": "Old", "master": false,
             "name": "Old", "recordTypeId": "012000000000002AAA"}
        ]
    }))
    .unwrap()
}

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn setup(op: Operation, headers: &[String]) -> Setup {
    Setup {
        op,
        map: propose(headers, &account()),
        rules: ValueRules {
            dates: DateOrder::DayMonthYear,
            decimal: DecimalMark::Comma,
            blank: Blank::LeaveUnchanged,
        },
    }
}

fn line(number: u64, cells: &[&str]) -> Line {
    Line {
        number,
        cells: cells.iter().map(|c| c.to_string()).collect(),
    }
}

fn record(v: Value) -> Record {
    v.as_object().unwrap().clone()
}

/// Every line asked, duplicates blocked, then settled against `org` (records by finder).
fn preview(setup: &Setup, headers: &[String], lines: &[Line], org: &[Record]) -> Vec<Row> {
    let account = account();
    let mut asked: Vec<Asked> = lines
        .iter()
        .map(|l| ask(setup, headers, &account, l))
        .collect();
    let mut dups = Duplicates::default();
    for i in 0..asked.len() {
        if let Some((first, why)) = dups.check(setup, &account, i, &mut asked[i]) {
            asked[first].problems.push(why);
        }
    }
    let by: HashMap<String, &Record> = org
        .iter()
        .filter_map(|r| Some((finder_of(setup, &account, r)?, r)))
        .collect();
    asked
        .into_iter()
        .map(|a| {
            let found = a
                .finder
                .as_ref()
                .and_then(|f| by.get(&fold(setup, &account, f)).copied());
            settle(setup, &account, a, found)
        })
        .collect()
}

#[test]
fn an_upsert_file_inserts_updates_blocks_and_sets_a_parent_by_key() {
    let h = headers(&[
        "Ext__c",
        "Name",
        "AnnualRevenue",
        "Since__c",
        "Rating",
        "Parent.Ext__c",
        "RecordType.DeveloperName",
    ]);
    let s = setup(
        Operation::Upsert {
            key: "Ext__c".into(),
        },
        &h,
    );
    let org = [record(json!({
        "Id": "001000000000001AAA", "Name": "Known", "Ext__c": "K-1", "AnnualRevenue": 1000.5,
        "Since__c": "2024-12-31", "Rating": "Hot", "Parent": null, "SystemModstamp": "2026-01-01T00:00:00.000+0000"
    }))];
    let lines = [
        // Known, in another case: only the revenue and the parent change.
        line(
            2,
            &["k-1", "Known", "2.000,75", "31/12/2024", "Hot", "P-9", ""],
        ),
        line(
            3,
            &["N-1", "New One", "", "01/02/2025", "Cold", "", "Customer"],
        ),
        line(
            4,
            &[
                "N-2",
                "Bad Values",
                "12abc",
                "31/02/2025",
                "Warm",
                "",
                "Old",
            ],
        ),
        line(5, &["", "No Key", "", "", "", "", ""]),
        line(6, &["D-1", "Twice A", "", "", "", "", ""]),
        line(7, &["d-1", "Twice B", "", "", "", "", ""]),
        line(8, &["N-3", "", "", "", "", "", ""]),
        line(9, &["K-1x", "=HYPERLINK(\"http://x\")", "", "", "", "", ""]),
    ];
    let rows = preview(&s, &h, &lines, &org);
    let outcomes: Vec<Outcome> = rows.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Update,
            Outcome::Insert,
            Outcome::Blocked,
            Outcome::Blocked,
            Outcome::Blocked,
            Outcome::Blocked,
            Outcome::Blocked,
            Outcome::Insert,
        ]
    );
    // The update carries the key and only what changes.
    assert_eq!(
        Value::Object(rows[0].body.clone()),
        json!({"Ext__c": "K-1", "AnnualRevenue": 2000.75, "Parent": {"Ext__c": "P-9"}})
    );
    assert_eq!(
        rows[0].target.as_ref().unwrap().as_str(),
        "001000000000001AAA"
    );
    assert_eq!(
        rows[0].stamp.as_deref(),
        Some("2026-01-01T00:00:00.000+0000")
    );
    let changed: Vec<&str> = rows[0].changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(changed, ["AnnualRevenue", "Parent"]);
    // The insert: the key, the values, the record type by its API name.
    assert_eq!(
        Value::Object(rows[1].body.clone()),
        json!({"Ext__c": "N-1", "Name": "New One", "Since__c": "2025-02-01", "Rating": "Cold",
               "RecordTypeId": "012000000000001AAA"})
    );
    let bad = rows[2].problems.join(" | ");
    for needle in [
        "AnnualRevenue (column C)",
        "Since__c (column D)",
        "Warm",
        "“Old”",
    ] {
        assert!(bad.contains(needle), "{needle} in {bad}");
    }
    assert!(
        rows[3].problems[0].contains("no key value"),
        "{:?}",
        rows[3].problems
    );
    assert!(
        rows[4].problems[0].contains("also on line 7"),
        "{:?}",
        rows[4].problems
    );
    assert!(
        rows[5].problems[0].contains("also on line 6"),
        "{:?}",
        rows[5].problems
    );
    assert!(
        rows[6].problems[0].contains("Account Name"),
        "required: {:?}",
        rows[6].problems
    );
    assert_eq!(
        rows[7].body["Name"], "=HYPERLINK(\"http://x\")",
        "text is data"
    );
}

#[test]
fn an_update_by_id_finds_nothing_to_change_when_the_file_matches_the_org() {
    let h = headers(&["Id", "Name", "Checked__c", "Owner.Name"]);
    let s = setup(Operation::Update, &h);
    let org = [record(json!({
        "Id": "001000000000001AAA", "Name": "Same", "Checked__c": "2024-01-02T03:04:05.000+0000"
    }))];
    let rows = preview(
        &s,
        &h,
        &[
            // The 15-character Id and another way to write the same instant.
            line(
                2,
                &[
                    "001000000000001",
                    "Same",
                    "2024-01-02T04:04:05+01:00",
                    "Ada",
                ],
            ),
            line(3, &["001000000000009AAA", "Gone", "", ""]),
            line(4, &["not-an-id", "x", "", ""]),
        ],
        &org,
    );
    assert_eq!(rows[0].outcome, Outcome::Unchanged, "{:?}", rows[0].changes);
    assert_eq!(rows[1].outcome, Outcome::Blocked);
    assert!(
        rows[1].problems[0].contains("No account with Id"),
        "{:?}",
        rows[1].problems
    );
    assert_eq!(rows[2].outcome, Outcome::Blocked);
}

#[test]
fn a_delete_file_deletes_what_exists_and_reads_only_ids() {
    let h = headers(&["Id", "Name"]);
    let s = setup(Operation::Delete, &h);
    let org = [record(
        json!({"Id": "001000000000001AAA", "Name": "Doomed"}),
    )];
    let rows = preview(
        &s,
        &h,
        &[
            line(2, &["001000000000001AAA", "ignored"]),
            line(3, &["001000000000002AAA", ""]),
        ],
        &org,
    );
    assert_eq!(rows[0].outcome, Outcome::Delete);
    assert_eq!(rows[0].name, "Doomed");
    assert!(rows[0].body.is_empty());
    assert_eq!(rows[1].outcome, Outcome::Blocked);
    let q = queries(&s, &account(), &["001000000000001AAA".into()]);
    assert_eq!(
        q,
        ["SELECT Id, Name, SystemModstamp FROM Account WHERE Id IN ('001000000000001AAA')"]
    );
}

#[test]
fn blank_cells_clear_fields_when_asked() {
    let h = headers(&["Id", "Name", "Rating", "Parent.Ext__c"]);
    let mut s = setup(Operation::Update, &h);
    s.rules.blank = Blank::Clear;
    let org = [record(
        json!({"Id": "001000000000001AAA", "Name": "A", "Rating": "Hot",
        "ParentId": "001000000000002AAA", "Parent": {"Ext__c": "P"}}),
    )];
    let rows = preview(
        &s,
        &h,
        &[line(2, &["001000000000001AAA", "A", "", ""])],
        &org,
    );
    assert_eq!(
        Value::Object(rows[0].body.clone()),
        json!({"Id": "001000000000001AAA", "Rating": null, "ParentId": null})
    );
}

#[test]
fn the_queries_keep_under_the_url_limit_whatever_the_keys() {
    let h = headers(&["Ext__c", "Name"]);
    let s = setup(
        Operation::Upsert {
            key: "Ext__c".into(),
        },
        &h,
    );
    let keys: Vec<String> = (0..3_000).map(|n| format!("Key ü {n:05} '")).collect();
    let q = queries(&s, &account(), &keys);
    assert!(q.len() > 1);
    for one in &q {
        assert!(
            orgbridge_sync::plan::encoded_len(one) <= 12_000,
            "{}",
            one.len()
        );
        assert!(one.starts_with(
            "SELECT Id, Name, SystemModstamp, Ext__c FROM Account WHERE Ext__c IN ('Key ü 0"
        ));
    }
    let listed: usize = q.iter().map(|one| one.matches("'Key").count()).sum();
    assert_eq!(listed, 3_000, "every key once");
    assert!(q[0].contains(r"'Key ü 00000 \''"), "escaped");
}

#[test]
fn the_results_file_is_the_input_with_id_status_action_and_error_and_done_lines_skip_next_time() {
    let h = headers(&["Ext__c", "Name"]);
    let s = setup(
        Operation::Upsert {
            key: "Ext__c".into(),
        },
        &h,
    );
    let rows = preview(
        &s,
        &h,
        &[
            line(2, &["N-1", "One"]),
            line(3, &["N-2", "Two"]),
            line(4, &["", "Three"]),
        ],
        &[],
    );
    let id = salesforce::types::RecordId::parse("001000000000005AAA").unwrap();
    let written = [
        Some(Written::Created(id)),
        Some(Written::Failed("=bad".into())),
        None,
    ];
    let file = ResultsFile::new(&h, b',');
    let mut text = file.head(&h);
    let inputs = [["N-1", "One"], ["N-2", "Two"], ["", "Three"]].map(|l| l.map(String::from));
    text.extend(
        file.page(
            inputs
                .iter()
                .zip(rows.iter().zip(&written))
                .map(|(input, (row, w))| (&input[..], cells(row, w.as_ref()))),
        ),
    );
    let text = String::from_utf8(text).unwrap();
    assert_eq!(
        text,
        "Ext__c,Name,Id,Status,Action,Error\r\n\
         N-1,One,001000000000005AAA,Done,Created,\r\n\
         N-2,Two,,Failed,Insert,'=bad\r\n\
         ,Three,,Blocked,,\"Ext__c (column A): no key value, so no record to match.\"\r\n"
    );
    // Imported again: the done line is skipped, the others go again.
    let again: Vec<Line> = text
        .lines()
        .skip(1)
        .enumerate()
        .map(|(n, l)| {
            let cells: Vec<String> = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(l.as_bytes())
                .records()
                .next()
                .unwrap()
                .unwrap()
                .iter()
                .map(String::from)
                .collect();
            Line {
                number: n as u64 + 2,
                cells,
            }
        })
        .collect();
    let h2 = headers(&["Ext__c", "Name", "Id", "Status", "Action", "Error"]);
    let s2 = Setup {
        map: super::propose(&h2, &account()),
        ..s
    };
    let rows = preview(&s2, &h2, &again, &[]);
    assert_eq!(rows[0].outcome, Outcome::Unchanged);
    assert!(rows[0].notes[0].contains("earlier run"));
    assert_eq!(rows[1].outcome, Outcome::Insert);
    assert_eq!(rows[2].outcome, Outcome::Blocked);
}
