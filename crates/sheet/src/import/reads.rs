//! What the preview reads of the org: the records the file's Ids or keys name, with every field
//! the file sets, in queries whose URL stays under Salesforce's 16,384 bytes however long the
//! keys are.

use orgbridge_sync::plan::encoded_len;
use salesforce::rest::{Record, SObjectDescribe};
use salesforce::soql::quote;
use serde_json::Value;

use super::Setup;
use crate::columns::{Operation, Target};

/// Encoded bytes a query's text may take (the URL's other parts fit in what is left of 16,384).
const QUERY_BYTES: usize = 12_000;

/// The fields read of each record: `Id`, `Name`, `SystemModstamp`, the key, and every field the
/// file sets (a parent by its key through the relationship: `Parent.Source_Id__c`).
pub fn fields(setup: &Setup, account: &SObjectDescribe) -> Vec<String> {
    let mut out: Vec<String> = ["Id", "Name", "SystemModstamp"].map(String::from).to_vec();
    if let Operation::Upsert { key } = &setup.op {
        out.push(key.clone());
    }
    if setup.op != Operation::Delete {
        for target in setup.map.targets.iter().flatten() {
            match target {
                Target::Field(f) if account.field(f).is_some() => out.push(f.clone()),
                Target::ParentByKey {
                    field,
                    relationship,
                    key,
                } => {
                    out.push(field.clone());
                    out.push(format!("{relationship}.{key}"));
                }
                Target::RecordType if account.field("RecordTypeId").is_some() => {
                    out.push("RecordTypeId".into())
                }
                _ => {}
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert(f.to_lowercase()));
    out
}

/// The field whose values find records: `Id`, or the upsert's key. `None` for an insert.
pub fn finder_field(setup: &Setup) -> Option<&str> {
    match &setup.op {
        Operation::Insert => None,
        Operation::Update | Operation::Delete => Some("Id"),
        Operation::Upsert { key } => Some(key),
    }
}

/// The queries reading the records `finders` name, each as long as the URL allows.
pub fn queries(setup: &Setup, account: &SObjectDescribe, finders: &[String]) -> Vec<String> {
    let Some(by) = finder_field(setup) else {
        return Vec::new();
    };
    let head = format!(
        "SELECT {} FROM Account WHERE {by} IN (",
        fields(setup, account).join(", ")
    );
    let room = QUERY_BYTES.saturating_sub(encoded_len(&head) + 1);
    let mut out = Vec::new();
    let mut list = String::new();
    for finder in finders {
        let quoted = quote(finder);
        if !list.is_empty() && encoded_len(&list) + encoded_len(&quoted) + 3 > room {
            out.push(format!("{head}{list})"));
            list.clear();
        }
        if !list.is_empty() {
            list.push_str(", ");
        }
        list.push_str(&quoted);
    }
    if !list.is_empty() {
        out.push(format!("{head}{list})"));
    }
    out
}

/// `SELECT COUNT()` of the records that have a finder value: the one call that says whether
/// reading them all beats asking for the file's values in lists.
pub fn count_soql(setup: &Setup) -> Option<String> {
    finder_field(setup).map(|by| format!("SELECT COUNT() FROM Account WHERE {by} != null"))
}

/// Every record that has a finder value, with the fields [`fields`] reads (read in pages of
/// 2,000 and kept only where a line names it).
pub fn all_soql(setup: &Setup, account: &SObjectDescribe) -> Option<String> {
    finder_field(setup).map(|by| {
        format!(
            "SELECT {} FROM Account WHERE {by} != null",
            fields(setup, account).join(", ")
        )
    })
}

/// Whether reading every record with a finder (`keyed` of them, 2,000 a page) takes fewer
/// calls than the `lists` queries of the file's values: a file naming most of the org's
/// records, or more values than it has.
pub fn read_all(keyed: u64, lists: usize) -> bool {
    keyed.div_ceil(2_000) < lists as u64
}

/// A record's finder value as the file's lines are matched to it (folded as
/// [`super::Duplicates`] folds them: keys without case unless case-sensitive).
pub fn finder_of(setup: &Setup, account: &SObjectDescribe, record: &Record) -> Option<String> {
    let value = record.get(finder_field(setup)?)?;
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Some(fold(setup, account, &text))
}

/// A finder as lines and records are matched on.
pub fn fold(setup: &Setup, account: &SObjectDescribe, finder: &str) -> String {
    if setup.keys_ignore_case(account) {
        finder.to_lowercase()
    } else {
        finder.to_string()
    }
}
