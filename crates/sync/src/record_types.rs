//! Record types: each source record's `RecordType.DeveloperName` goes to the active target
//! record type of the same DeveloperName (labels may differ between orgs; developer names are
//! what stays the same). A source record type with no active counterpart blocks its records,
//! unless the person picks a target record type for it. Ids mean nothing across orgs, so they
//! are never copied as they are.

use std::collections::BTreeMap;

use salesforce::rest::{Record, RecordTypeInfo, SObjectDescribe};
use serde_json::Value;

/// The field that holds a record's record type, on objects that have record types.
pub const FIELD: &str = "RecordTypeId";

/// What the source and target record types are, and where each source one goes.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordTypes {
    /// Source DeveloperName (lower case) → the target record type, or `None`: none active.
    to: BTreeMap<String, Option<RecordTypeInfo>>,
    /// Target record type ids (first 15 characters) → label, for the preview.
    labels: BTreeMap<String, String>,
}

/// Whether an object describe has record types records can be given (`RecordTypeId` exists
/// only where an object has record types beside Master).
pub fn has_record_types(d: &SObjectDescribe) -> bool {
    d.field(FIELD).is_some()
}

/// Record types a record can be given in the target: active, available, not Master.
pub fn usable(target: &SObjectDescribe) -> Vec<&RecordTypeInfo> {
    target
        .record_type_infos
        .iter()
        .filter(|r| !r.master && r.active && r.available)
        .collect()
}

/// The source's record types (not Master), active or not: records may still hold inactive ones.
pub fn of_source(source: &SObjectDescribe) -> Vec<&RecordTypeInfo> {
    source
        .record_type_infos
        .iter()
        .filter(|r| !r.master)
        .collect()
}

/// Where each source record type goes: the same DeveloperName, else the person's `choices`
/// (source DeveloperName → target DeveloperName). `None` when the target has no record types
/// (the org gives every record its default).
pub fn resolve(
    source: &SObjectDescribe,
    target: &SObjectDescribe,
    choices: &BTreeMap<String, String>,
) -> Option<RecordTypes> {
    if !has_record_types(target) {
        return None;
    }
    let active = usable(target);
    let find = |dev: &str| {
        active
            .iter()
            .find(|t| t.developer_name.eq_ignore_ascii_case(dev))
            .map(|t| (*t).clone())
    };
    let to = of_source(source)
        .into_iter()
        .map(|s| {
            let key = s.developer_name.to_ascii_lowercase();
            let chosen = choices
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&s.developer_name))
                .and_then(|(_, t)| find(t));
            (key, chosen.or_else(|| find(&s.developer_name)))
        })
        .collect();
    let labels = target
        .record_type_infos
        .iter()
        .filter_map(|r| Some((r.record_type_id.get(..15)?.to_string(), r.name.clone())))
        .collect();
    Some(RecordTypes { to, labels })
}

/// A record's record type DeveloperName, read with it (`RecordType.DeveloperName`).
pub fn developer_name(source: &Record) -> Option<&str> {
    source.get("RecordType")?.get("DeveloperName")?.as_str()
}

/// What becomes of one source record's record type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Goes {
    /// Its source record type has none to go to: blocked, in words.
    Blocked(String),
    /// Written as this target record type id.
    To(String),
    /// Nothing to write (no record type read: the target's default applies).
    Default,
}

impl RecordTypes {
    pub fn of(&self, source: &Record) -> Goes {
        let Some(dev) = developer_name(source) else {
            return Goes::Default;
        };
        match self.to.get(&dev.to_ascii_lowercase()) {
            Some(Some(t)) => Goes::To(t.record_type_id.clone()),
            _ => Goes::Blocked(format!(
                "Its record type “{dev}” has no active record type of the same name in the target: choose one for {dev} under Record types, or its accounts are not copied."
            )),
        }
    }

    /// A target record type id's label ("Channel Partner"), else the id.
    pub fn label(&self, id: &Value) -> Value {
        id.as_str()
            .and_then(|i| self.labels.get(i.get(..15)?))
            .map_or(id.clone(), |l| Value::String(l.clone()))
    }

    /// Whether two record type ids are the same (15 or 18 characters).
    pub fn same(a: &Value, b: &Value) -> bool {
        match (a.as_str(), b.as_str()) {
            (Some(a), Some(b)) => a.get(..15).is_some() && a.get(..15) == b.get(..15),
            _ => a.is_null() && b.is_null(),
        }
    }

    /// Source record types with nowhere to go (their DeveloperNames).
    pub fn unmatched(&self) -> Vec<String> {
        self.to
            .iter()
            .filter(|(_, t)| t.is_none())
            .map(|(k, _)| k.clone())
            .collect()
    }
}
