//! One line of the file to what it asks of the org: each mapped cell read by its field's type,
//! checked as the org would check it (length, picklist), the parent by its key, the record
//! type by its API name.

use orgbridge_sync::fields::check_value;
use salesforce::rest::SObjectDescribe;
use salesforce::types::RecordId;
use serde_json::{json, Value};

use super::{Asked, Setup};
use crate::columns::{Operation, Target};
use crate::read::{column_letter, Line};
use crate::values::{read_value, Blank, Cell};

/// The columns an OrgBridge results file adds; a line whose `Status` says it was done is
/// skipped when the file is imported again.
pub const RESULT_COLUMNS: [&str; 3] = ["Status", "Action", "Error"];
/// The `Status` of a line the org took.
pub const DONE: &str = "Done";

/// What `line` asks, under `headers` and the person's `setup`.
pub fn ask(setup: &Setup, headers: &[String], account: &SObjectDescribe, line: &Line) -> Asked {
    let mut asked = Asked {
        line: line.number,
        finder: None,
        name: None,
        values: Default::default(),
        problems: Vec::new(),
        done_before: false,
    };
    let results_from = results_start(headers);
    let needs_values = setup.op != Operation::Delete;
    for (i, target) in setup.map.targets.iter().enumerate() {
        let text = line.cells.get(i).map(String::as_str).unwrap_or_default();
        let header = headers.get(i).map(String::as_str).unwrap_or_default();
        let column = || format!("{} (column {})", header, column_letter(i + 1));
        if results_from.is_some_and(|from| i >= from) {
            if header.eq_ignore_ascii_case("Status") && text.trim() == DONE {
                asked.done_before = true;
            }
            continue;
        }
        match target {
            None | Some(Target::ReadOnly(_)) => {}
            Some(Target::Id) => {
                if matches!(setup.op, Operation::Update | Operation::Delete) {
                    match RecordId::parse(text) {
                        Ok(id) => asked.finder = Some(id.as_str().to_string()),
                        Err(_) if text.trim().is_empty() => {
                            asked.problems.push(format!("{}: no Id.", column()))
                        }
                        Err(e) => {
                            asked
                                .problems
                                .push(format!("{}: {}", column(), e.user_message()))
                        }
                    }
                }
            }
            Some(Target::Field(name)) if needs_values => {
                let Some(field) = account.field(name) else {
                    continue;
                };
                match read_value(field, text, &setup.rules) {
                    Ok(Cell::Leave) => {}
                    Ok(Cell::Set(value)) => {
                        if let Err(refusal) = check_value(field, &value) {
                            asked.problems.push(format!(
                                "{}: {}",
                                column(),
                                refusal.message(&field.label)
                            ));
                            continue;
                        }
                        if field.name_field {
                            asked.name = value.as_str().map(str::to_string);
                        }
                        asked.values.insert(field.name.clone(), value);
                    }
                    Err(why) => asked.problems.push(format!("{}: {why}", column())),
                }
                if matches!(&setup.op, Operation::Upsert { key } if key == &field.name) {
                    let key = text.trim();
                    if key.is_empty() {
                        asked.problems.push(format!(
                            "{}: no key value, so no record to match.",
                            column()
                        ));
                    } else {
                        asked.finder = Some(key.to_string());
                    }
                }
            }
            Some(Target::ParentByKey {
                field,
                relationship,
                key,
            }) if needs_values => {
                let value = text.trim();
                if !value.is_empty() {
                    asked
                        .values
                        .insert(relationship.clone(), json!({ key.as_str(): value }));
                } else if setup.rules.blank == Blank::Clear {
                    asked.values.insert(field.clone(), Value::Null);
                }
            }
            Some(Target::RecordType) if needs_values => {
                let name = text.trim();
                if name.is_empty() {
                    continue;
                }
                let found = account.record_type_infos.iter().find(|r| {
                    !r.master
                        && r.active
                        && r.available
                        && r.developer_name.eq_ignore_ascii_case(name)
                });
                match found {
                    Some(r) => {
                        asked.values.insert("RecordTypeId".into(), Value::String(r.record_type_id.clone()));
                    }
                    None => asked.problems.push(format!(
                        "{}: no active Account record type “{name}” you may use in this org (its API name, as Setup shows it).",
                        column()
                    )),
                }
            }
            Some(_) => {}
        }
    }
    if matches!(setup.op, Operation::Update | Operation::Delete)
        && asked.finder.is_none()
        && asked.problems.is_empty()
    {
        asked
            .problems
            .push("No Id: this line names no record.".into());
    }
    asked
}

/// Where an OrgBridge results file's own columns start (its last three are `Status`, `Action`,
/// `Error`), if this is one.
pub fn results_start(headers: &[String]) -> Option<usize> {
    let n = headers.len();
    (n >= RESULT_COLUMNS.len()
        && headers[n - RESULT_COLUMNS.len()..]
            .iter()
            .zip(RESULT_COLUMNS)
            .all(|(h, r)| h.eq_ignore_ascii_case(r)))
    .then(|| n - RESULT_COLUMNS.len())
}
