//! Where a copy's memory goes, per record, natively (the wasm app holds the same Rust values):
//! the source records read, the target records read, the preview's rows and the run's state,
//! for accounts of 60 text fields, as the resident memory each step adds (Linux). Half the sources are new (insert), half exist in the target
//! with 6 of 60 fields changed (update). Run by `benches/kept.sh` (`MEMORY_BENCH_N` records,
//! 100,000 unless set). Figures, not pass/fail.

use orgbridge_sync::key::{KeyFrom, MatchKey};
use orgbridge_sync::mapping::propose;
use orgbridge_sync::preview::{preview, Inputs};
use orgbridge_sync::run::{Engine, RunState};
use salesforce::rest::{Record, SObjectDescribe};
use serde_json::json;

const FIELDS: usize = 60;

fn describe(key: bool) -> SObjectDescribe {
    let text = |name: String, label: String| {
        json!({"name": name, "label": label, "type": "string", "length": 80, "nillable": true,
               "createable": true, "updateable": true, "custom": true})
    };
    let mut fields = vec![
        json!({"name": "Id", "label": "Account ID", "type": "id", "nillable": false}),
        json!({"name": "Name", "label": "Account Name", "type": "string", "length": 255,
               "nillable": false, "createable": true, "updateable": true, "nameField": true}),
        json!({"name": "SystemModstamp", "label": "System Modstamp", "type": "datetime"}),
    ];
    fields.extend((0..FIELDS).map(|f| text(format!("Field_{f}__c"), format!("Field {f}"))));
    if key {
        fields.push(
            json!({"name": "Source_Id__c", "label": "Source Id", "type": "string",
            "length": 18, "nillable": true, "createable": true, "updateable": true,
            "custom": true, "externalId": true, "unique": true}),
        );
    }
    serde_json::from_value(
        json!({"name": "Account", "label": "Account", "createable": true,
        "updateable": true, "queryable": true, "fields": fields}),
    )
    .expect("a describe")
}

fn id(n: usize) -> String {
    format!("001{n:012}AAA")
}

fn source(n: usize) -> Record {
    let mut r = Record::new();
    r.insert("Id".into(), json!(id(n)));
    r.insert("Name".into(), json!(format!("Account {n}")));
    r.insert(
        "SystemModstamp".into(),
        json!("2026-12-01T10:00:00.000+0000"),
    );
    for f in 0..FIELDS {
        r.insert(format!("Field_{f}__c"), json!(format!("Value {n} {f}")));
    }
    r
}

fn target(n: usize) -> Record {
    let mut r = source(n);
    r.insert("Id".into(), json!(format!("001T{n:011}AAA")));
    r.insert("Source_Id__c".into(), json!(id(n)));
    for f in 0..6 {
        r.insert(format!("Field_{f}__c"), json!(format!("Old {n} {f}")));
    }
    r
}

/// The process's resident memory (Linux), in bytes: what each step adds is what it holds.
fn live() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn per(bytes: usize, n: usize) -> String {
    format!(
        "{:.0} bytes per record ({:.0} MB at {n}, {:.1} GB at 1,000,000)",
        bytes as f64 / n as f64,
        bytes as f64 / 1e6,
        bytes as f64 / n as f64 * 1e6 / 1e9
    )
}

fn main() {
    let n: usize = std::env::var("MEMORY_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let (src_describe, tgt_describe) = (describe(false), describe(true));
    let key = MatchKey {
        target: "Source_Id__c".into(),
        from: KeyFrom::SourceId,
    };
    let mapping = propose(&src_describe, &tgt_describe, &key);

    let at = live();
    let records: Vec<Record> = (0..n).map(source).collect();
    let sources = live() - at;
    let at = live();
    let targets: Vec<Record> = (0..n / 2).map(target).collect();
    let target_bytes = live() - at;
    let at = live();
    let p = preview(&Inputs {
        source: &src_describe,
        target: &tgt_describe,
        mapping: &mapping,
        key: &key,
        owners: None,
        records: &records,
        targets: &targets,
        deleted: None,
        record_types: None,
    });
    let rows = live() - at;
    let counts = p.counts();
    let at = live();
    let state = RunState::with_engine(&p, Engine::Bulk);
    let run = live() - at;
    println!(
        "{n} source accounts of {FIELDS} text fields ({} to insert, {} to update, 6 fields changed each):",
        counts.insert, counts.update
    );
    println!("  source records read: {}", per(sources, n));
    println!(
        "  target records read: {} (of {} targets)",
        per(target_bytes, n / 2),
        n / 2
    );
    println!("  preview rows: {}", per(rows, n));
    println!("  run state: {}", per(run, n));
    drop((records, targets, state));
    let json = |r: usize| p.rows.text(r).len();
    println!(
        "  as kept (JSON): an insert row {} bytes, an update row {} bytes",
        json(n - 1),
        json(0)
    );
}
