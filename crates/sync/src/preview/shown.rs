//! What a row shows changing, in words' order: a new record's values come from its body (kept
//! once), in the target's field order, with an owner or a record type by name; an update's
//! changes as kept.

use salesforce::rest::SObjectDescribe;
use serde_json::Value;

use super::{label, Outcome, Row};

/// One field as the preview shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub field: String,
    pub label: String,
    /// The target's value now (`Null` for a new record).
    pub before: Value,
    pub after: Value,
}

/// What `row` shows changing.
pub fn shown_changes(row: &Row, target: &SObjectDescribe) -> Vec<Shown> {
    let shown = |field: &str, before: Value, after: Value| Shown {
        field: field.to_string(),
        label: label(target, field),
        before,
        after,
    };
    if row.outcome != Outcome::Insert {
        return row
            .changes
            .iter()
            .map(|c| shown(&c.field, c.before.clone(), row.after(c).clone()))
            .collect();
    }
    let position = |field: &str| {
        target
            .fields
            .iter()
            .position(|f| f.name == field)
            .unwrap_or(usize::MAX)
    };
    let mut out: Vec<(usize, Shown)> = row
        .body
        .iter()
        .filter(|(field, value)| !value.is_null() && target.field(field).is_some())
        .map(|(field, value)| {
            let after = row
                .changes
                .iter()
                .find(|c| &*c.field == field.as_str())
                .and_then(|c| c.after.clone())
                .unwrap_or_else(|| value.clone());
            (position(field), shown(field, Value::Null, after))
        })
        .collect();
    out.sort_by_key(|(at, _)| *at);
    let mut out: Vec<Shown> = out.into_iter().map(|(_, s)| s).collect();
    // The parent, by name: written through its relationship, not a field of the body.
    out.extend(
        row.changes
            .iter()
            .filter(|c| !row.body.contains_key(&*c.field))
            .map(|c| shown(&c.field, c.before.clone(), row.after(c).clone())),
    );
    out
}
