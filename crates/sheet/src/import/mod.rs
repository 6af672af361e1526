//! An import's preview, as plain Rust: each line of the file made into what it asks of the org
//! ([`ask`]), the same key twice in the file blocked ([`Duplicates`]), the org's records read
//! for the keys the file names ([`reads`]), and each line settled against its record as the
//! copy's preview does ([`settle`]): Insert, Update (each field that changes), Unchanged,
//! Blocked (why) or Delete. The body each row carries is exactly what the run sends.

mod ask;
pub mod bulk;
pub mod kept;
pub mod lines;
pub mod reads;
pub mod results;
mod settle;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use salesforce::rest::{Record, SObjectDescribe};
use salesforce::types::RecordId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use orgbridge_sync::preview::Outcome;

pub use crate::columns::Operation;
use crate::columns::{ColumnMap, Target};
use crate::values::ValueRules;
pub use ask::ask;
pub use settle::settle;

/// The first guess for each column ([`crate::columns::propose`]), with an OrgBridge results
/// file's own columns (`Status`, `Action`, `Error`) read as results, never as fields.
pub fn propose(headers: &[String], account: &SObjectDescribe) -> ColumnMap {
    let mut map = crate::columns::propose(headers, account);
    if let Some(from) = ask::results_start(headers) {
        for (i, target) in map.targets.iter_mut().enumerate().skip(from) {
            *target = Some(Target::ReadOnly(headers[i].clone()));
        }
    }
    map
}

/// What the person chose: the operation, the columns' fields and how cells are read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    pub op: Operation,
    pub map: ColumnMap,
    pub rules: ValueRules,
}

impl Setup {
    /// Whether key values match whatever their case (Salesforce's External IDs do, unless
    /// marked case-sensitive; Ids are compared in their 18-character form).
    pub(crate) fn keys_ignore_case(&self, account: &SObjectDescribe) -> bool {
        match &self.op {
            Operation::Upsert { key } => account.field(key).is_none_or(|f| !f.case_sensitive),
            _ => false,
        }
    }
}

/// One line of the file, made ready: the record it names and the values it sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Asked {
    /// The line of the file the row starts on.
    pub line: u64,
    /// The value that finds its record (an 18-character Id, or the key as written).
    pub finder: Option<String>,
    /// The Name it gives, for the preview (else the org's).
    pub name: Option<String>,
    /// Field → value to set (`Value::Null` clears), the parent as `{"Parent": {"Key__c": v}}`.
    pub values: Record,
    /// Why it cannot be written.
    pub problems: Vec<String>,
    /// Done in an earlier run (a results file imported again): skipped.
    pub done_before: bool,
}

/// One line in the preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub line: u64,
    pub name: String,
    pub outcome: Outcome,
    /// Its record in the org.
    pub target: Option<RecordId>,
    /// The key value an upsert sends (matching results back to lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The record's `SystemModstamp` when the preview read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<String>,
    /// For an update, what changes (field, org's value → file's value); an insert's is its body.
    pub changes: Vec<Change>,
    pub problems: Vec<String>,
    /// What is worth knowing though it is not blocked (done in an earlier run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// What the run sends.
    pub body: Record,
}

/// One field a line changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// Finds the same key on two lines. Both are blocked: which of them the person meant is theirs
/// to say (Salesforce itself refuses both when they share one call).
#[derive(Debug, Default)]
pub struct Duplicates {
    /// Key (folded as the org compares it) → index and line of its first row.
    seen: HashMap<String, (usize, u64)>,
}

impl Duplicates {
    /// Notes row `index`'s key; when taken, returns the first row's index and says why on both.
    pub fn check(
        &mut self,
        setup: &Setup,
        account: &SObjectDescribe,
        index: usize,
        asked: &mut Asked,
    ) -> Option<(usize, String)> {
        let key = asked.finder.as_ref()?;
        let folded = reads::fold(setup, account, key);
        match self.seen.get(&folded) {
            None => {
                self.seen.insert(folded, (index, asked.line));
                None
            }
            Some(&(first, first_line)) => {
                let what = match setup.op {
                    Operation::Upsert { .. } => "key",
                    _ => "Id",
                };
                asked.problems.push(format!(
                    "The same {what} “{key}” is also on line {first_line}: keep one of the two lines."
                ));
                Some((
                    first,
                    format!(
                        "The same {what} “{key}” is also on line {}: keep one of the two lines.",
                        asked.line
                    ),
                ))
            }
        }
    }
}
