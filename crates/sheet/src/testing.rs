//! What the tests of this crate build their cases from.

use salesforce::rest::FieldDescribe;
use serde_json::{json, Value};

use crate::import::{Outcome, Row};

/// A createable, updateable, nillable field, then `edit`.
pub fn field(
    name: &str,
    field_type: &str,
    label: &str,
    edit: impl FnOnce(&mut FieldDescribe),
) -> FieldDescribe {
    let mut f: FieldDescribe = serde_json::from_value(json!({
        "name": name, "label": label, "type": field_type,
        "nillable": true, "createable": true, "updateable": true,
    }))
    .expect("a field describe");
    edit(&mut f);
    f
}

/// A preview line sending `body`, nothing else said of it.
pub fn row(line: u64, outcome: Outcome, body: Value) -> Row {
    Row {
        line,
        name: String::new(),
        outcome,
        target: None,
        key: None,
        stamp: None,
        changes: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
        body: body.as_object().cloned().unwrap_or_default(),
    }
}
