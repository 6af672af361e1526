//! What in a mapping stops an operation, said before any row is sent: a field given twice, a
//! field the operation cannot write, a missing Id or key column, a required field left out.

use salesforce::rest::{FieldDescribe, SObjectDescribe};
use serde::{Deserialize, Serialize};

use super::{is_key, target_for, ColumnMap, Target};
use crate::read::column_letter;

/// What the import does with each row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operation {
    Insert,
    /// By the Id column.
    Update,
    /// By an External ID field of Account, `key`.
    Upsert {
        key: String,
    },
    /// By the Id column.
    Delete,
}

impl ColumnMap {
    /// Each problem in words, naming columns as a spreadsheet does. None: the mapping can run.
    pub fn problems(
        &self,
        headers: &[String],
        account: &SObjectDescribe,
        op: &Operation,
    ) -> Vec<String> {
        let mut out = self.repeats(headers, account);
        let column = |i: usize| column_name(i, headers);
        let has = |name: &str| {
            self.targets
                .iter()
                .flatten()
                .any(|t| t.writes().is_some_and(|w| w.eq_ignore_ascii_case(name)))
        };
        let (create, change) = match op {
            Operation::Insert => (true, false),
            Operation::Update => (false, true),
            Operation::Upsert { .. } => (true, true),
            Operation::Delete => (false, false),
        };
        for (i, target) in self.targets.iter().enumerate() {
            let Some(name) = target.as_ref().and_then(Target::writes) else {
                continue;
            };
            if name == "Id" {
                continue;
            }
            let Some(field) = account.field(name) else {
                out.push(if *target == Some(Target::RecordType) {
                    format!(
                        "{} gives a record type, but Accounts have no record types in this org: leave the column out.",
                        column(i)
                    )
                } else {
                    format!(
                        "{}: the field {name} is not on Account in this org: choose another field or leave the column out.",
                        column(i)
                    )
                });
                continue;
            };
            let is_key = matches!(op, Operation::Upsert { key } if key.eq_ignore_ascii_case(name));
            if create && !field.createable && !is_key {
                out.push(format!(
                    "{}: {} cannot be set when creating an Account: leave the column out.",
                    column(i),
                    field_name(field)
                ));
            }
            if change && !field.updateable && !is_key {
                out.push(format!(
                    "{}: {} cannot be changed on an existing Account: leave the column out.",
                    column(i),
                    field_name(field)
                ));
            }
        }
        match op {
            Operation::Update | Operation::Delete if !self.targets.contains(&Some(Target::Id)) => {
                let verb = if *op == Operation::Update {
                    "Updating"
                } else {
                    "Deleting"
                };
                out.push(format!(
                    "There is no Id column: {verb} Accounts needs each row's record Id, in a column named Id."
                ));
            }
            Operation::Upsert { key } => match account.field(key).filter(|f| is_key(f)) {
                None => out.push(format!(
                    "{key} is not an External ID field of Account: upsert matches rows on one."
                )),
                Some(f) if !has(&f.name) => out.push(format!(
                    "There is no column for {}, the External ID that upsert matches rows on.",
                    field_name(f)
                )),
                Some(_) => {}
            },
            _ => {}
        }
        if create {
            for f in account.fields.iter().filter(|f| f.is_required()) {
                if !has(&f.name) {
                    out.push(format!(
                        "{} is required to create an Account, and no column gives it.",
                        field_name(f)
                    ));
                }
            }
        }
        out
    }

    /// Fields given by two columns, and columns left out because an earlier one took their field.
    fn repeats(&self, headers: &[String], account: &SObjectDescribe) -> Vec<String> {
        let mut out = Vec::new();
        let written = |i: usize| {
            self.targets
                .get(i)
                .and_then(Option::as_ref)
                .and_then(Target::writes)
        };
        let first_for = |name: &str, before: usize| {
            (0..before).find(|j| written(*j).is_some_and(|w| w.eq_ignore_ascii_case(name)))
        };
        for (i, header) in headers.iter().enumerate() {
            let label = |name: &str| {
                account
                    .field(name)
                    .map_or_else(|| name.to_string(), field_name)
            };
            if let Some(name) = written(i) {
                if let Some(j) = first_for(name, i) {
                    out.push(format!(
                        "{} and {} both give {}: choose one of them.",
                        column_name(j, headers),
                        column_name(i, headers),
                        label(name)
                    ));
                }
            } else if self.targets.get(i).is_none_or(Option::is_none) {
                let guess = target_for(header, account);
                if let Some(name) = guess.as_ref().and_then(Target::writes) {
                    if let Some(j) = first_for(name, headers.len()) {
                        out.push(format!(
                            "{} also names {}, which {} gives: it is left out. Choose another field for it, or leave it out.",
                            column_name(i, headers),
                            label(name),
                            column_name(j, headers)
                        ));
                    }
                }
            }
        }
        out
    }
}

/// `Column C (“Account Name”)`.
fn column_name(i: usize, headers: &[String]) -> String {
    let header = headers.get(i).map(String::as_str).unwrap_or("");
    format!("Column {} (“{header}”)", column_letter(i + 1))
}

/// `Account Name (Name)`.
fn field_name(f: &FieldDescribe) -> String {
    if f.label.is_empty() || f.label == f.name {
        f.name.clone()
    } else {
        format!("{} ({})", f.label, f.name)
    }
}
