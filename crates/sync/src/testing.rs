//! Describes to test with, shaped as the REST API sends them.

use salesforce::rest::{FieldDescribe, PicklistValue, SObjectDescribe};

/// A createable, updateable, nillable field of `field_type`, then `edit`.
pub fn field(name: &str, field_type: &str, edit: impl FnOnce(&mut FieldDescribe)) -> FieldDescribe {
    let mut f: FieldDescribe = serde_json::from_value(serde_json::json!({
        "name": name,
        "label": name.trim_end_matches("__c").replace('_', " "),
        "type": field_type,
        "nillable": true,
        "createable": true,
        "updateable": true,
        "custom": name.ends_with("__c"),
    }))
    .expect("a field describe");
    edit(&mut f);
    f
}

pub fn picklist(values: &[&str]) -> Vec<PicklistValue> {
    values
        .iter()
        .map(|v| PicklistValue {
            value: v.to_string(),
            label: Some(v.to_string()),
            active: true,
            default_value: false,
        })
        .collect()
}

/// Account with `fields` plus Id, Name (required), OwnerId, ParentId, SystemModstamp.
pub fn account(fields: Vec<FieldDescribe>) -> SObjectDescribe {
    let mut all = vec![
        field("Id", "id", |f| {
            f.createable = false;
            f.updateable = false;
            f.nillable = false;
            f.label = "Account ID".into();
        }),
        field("Name", "string", |f| {
            f.length = 255;
            f.nillable = false;
            f.name_field = true;
            f.label = "Account Name".into();
        }),
        field("OwnerId", "reference", |f| {
            f.reference_to = vec!["User".into()];
            f.relationship_name = Some("Owner".into());
            f.nillable = false;
            f.defaulted_on_create = true;
            f.label = "Owner ID".into();
        }),
        field("ParentId", "reference", |f| {
            f.reference_to = vec!["Account".into()];
            f.relationship_name = Some("Parent".into());
            f.label = "Parent Account ID".into();
        }),
        field("SystemModstamp", "datetime", |f| {
            f.createable = false;
            f.updateable = false;
            f.label = "System Modstamp".into();
        }),
    ];
    all.extend(fields);
    serde_json::from_value(serde_json::json!({
        "name": "Account", "label": "Account", "createable": true, "updateable": true,
        "queryable": true, "fields": all,
    }))
    .expect("a describe")
}

/// Row `n` of a preview: a new record named `name`, keyed `K<n>`, with `body`.
pub fn insert_row(n: usize, name: String, body: salesforce::rest::Record) -> crate::preview::Row {
    crate::preview::Row {
        source_id: salesforce::types::RecordId::parse(&format!("001{n:012}")).expect("an Id"),
        name,
        key: Some(format!("K{n}")),
        target_id: None,
        target_stamp: None,
        outcome: crate::preview::Outcome::Insert,
        changes: vec![],
        problems: vec![],
        notes: vec![],
        body,
        depth: 0,
    }
}
