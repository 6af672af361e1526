//! The file's columns to the Account's fields: a first guess from the header (API names, then
//! labels, then the related names an export writes), a person's fixed mapping kept per set of
//! headers, and what in a mapping stops an operation ([`problems`](ColumnMap::problems)).

mod problems;

#[cfg(test)]
mod tests;

use salesforce::rest::{FieldDescribe, SObjectDescribe};
use serde::{Deserialize, Serialize};

pub use problems::Operation;

/// What a column of the file is written to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Target {
    /// An Account field, by API name as the describe spells it.
    Field(String),
    /// The record Id (update and delete by Id; ignored on insert).
    Id,
    /// A lookup set by the referenced record's External ID (`Parent.Source_Id__c`).
    ParentByKey {
        /// The lookup field, `ParentId`.
        field: String,
        /// Its relationship, `Parent`.
        relationship: String,
        /// An External ID field of the referenced object, `Source_Id__c`.
        key: String,
    },
    /// `RecordType.DeveloperName`, which the app turns into a `RecordTypeId`.
    RecordType,
    /// Known but never written: system and formula fields, and related names (`Owner.Name`) that
    /// an export writes, so a file exported here reads back without unknown columns.
    ReadOnly(String),
}

impl Target {
    /// The Account field this writes, `None` for what is never written.
    pub fn writes(&self) -> Option<&str> {
        match self {
            Target::Field(f) | Target::ParentByKey { field: f, .. } => Some(f),
            Target::Id => Some("Id"),
            Target::RecordType => Some("RecordTypeId"),
            Target::ReadOnly(_) => None,
        }
    }
}

/// One target per column of the file, `None` for a column that goes nowhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMap {
    pub targets: Vec<Option<Target>>,
}

/// The first guess for each header. A second column for a field already taken is left out for
/// the person to decide ([`ColumnMap::problems`] says so).
pub fn propose(headers: &[String], account: &SObjectDescribe) -> ColumnMap {
    ColumnMap {
        targets: headers.iter().map(|h| target_for(h, account)).collect(),
    }
    .without_repeats()
}

/// The person's saved choices (by header, compared without case) that still hold for this
/// describe; the first guess for the other headers.
pub fn apply_saved(
    headers: &[String],
    saved: &[(String, Option<Target>)],
    account: &SObjectDescribe,
) -> ColumnMap {
    let targets = headers
        .iter()
        .map(|h| {
            let choice = saved.iter().find(|(s, _)| same_name(s, h));
            match choice {
                Some((_, None)) => None,
                Some((_, Some(t))) if still_valid(t, account) => Some(t.clone()),
                _ => target_for(h, account),
            }
        })
        .collect();
    ColumnMap { targets }.without_repeats()
}

/// A short key for a set of headers, the same whatever their order and case, to save a
/// person's mapping under (FNV-1a: stable from build to build, unlike std's hasher).
pub fn saved_key(headers: &[String]) -> String {
    let mut names: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    names.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in names.join("\n").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

impl ColumnMap {
    /// The choices to save with [`saved_key`], by header.
    pub fn saved(&self, headers: &[String]) -> Vec<(String, Option<Target>)> {
        headers
            .iter()
            .cloned()
            .zip(self.targets.iter().cloned())
            .collect()
    }

    /// Columns that go nowhere (0-based index and header), to be listed on screen.
    pub fn unknown(&self, headers: &[String]) -> Vec<(usize, String)> {
        headers
            .iter()
            .enumerate()
            .filter(|(i, _)| self.targets.get(*i).is_none_or(Option::is_none))
            .map(|(i, h)| (i, h.clone()))
            .collect()
    }

    /// External ID fields that a column gives, the keys an upsert can match on.
    pub fn keys<'a>(&self, account: &'a SObjectDescribe) -> Vec<&'a FieldDescribe> {
        self.targets
            .iter()
            .flatten()
            .filter_map(|t| match t {
                Target::Field(f) => account.field(f).filter(|f| is_key(f)),
                _ => None,
            })
            .collect()
    }

    /// Later columns for a field an earlier column already gives are left out.
    fn without_repeats(mut self) -> ColumnMap {
        let mut taken: Vec<String> = Vec::new();
        for target in &mut self.targets {
            if let Some(field) = target.as_ref().and_then(Target::writes) {
                let field = field.to_ascii_lowercase();
                if taken.contains(&field) {
                    *target = None;
                } else {
                    taken.push(field);
                }
            }
        }
        self
    }
}

/// The first guess for one header.
pub(crate) fn target_for(header: &str, account: &SObjectDescribe) -> Option<Target> {
    let h = header.trim();
    if h.eq_ignore_ascii_case("RecordType.DeveloperName") {
        return Some(Target::RecordType);
    }
    if let Some(f) = account.field(h) {
        return Some(field_target(f));
    }
    if let Some((rel, name)) = h.split_once('.') {
        return related(rel.trim(), name.trim(), account);
    }
    if let Some(f) = account.fields.iter().find(|f| same_name(&f.label, h)) {
        return Some(field_target(f));
    }
    // The export labels `Parent.Name` "Parent Account Name": the lookup's label without " ID".
    account.fields.iter().find_map(|f| {
        let rel = lookup_relationship(f)?;
        let base = f.label.strip_suffix(" ID").unwrap_or(&f.label);
        same_name(&format!("{base} Name"), h).then(|| Target::ReadOnly(format!("{rel}.Name")))
    })
}

/// `Rel.Name` for the lookup whose relationship is `rel`.
fn related(rel: &str, name: &str, account: &SObjectDescribe) -> Option<Target> {
    let lookup = account
        .fields
        .iter()
        .find(|f| lookup_relationship(f).is_some_and(|r| r.eq_ignore_ascii_case(rel)))?;
    let relationship = lookup_relationship(lookup)?.to_string();
    if name.eq_ignore_ascii_case("Id") {
        return Some(field_target(lookup));
    }
    // Only a lookup to Account itself can be checked against this describe.
    let to_self = lookup
        .reference_to
        .iter()
        .any(|r| r.eq_ignore_ascii_case(&account.name));
    match account.field(name) {
        Some(key) if to_self && is_key(key) && writable(lookup) => Some(Target::ParentByKey {
            field: lookup.name.clone(),
            relationship,
            key: key.name.clone(),
        }),
        _ => Some(Target::ReadOnly(format!("{relationship}.{name}"))),
    }
}

fn field_target(f: &FieldDescribe) -> Target {
    if f.field_type == "id" {
        Target::Id
    } else if writable(f) {
        Target::Field(f.name.clone())
    } else {
        Target::ReadOnly(f.name.clone())
    }
}

/// Whether a saved target still makes sense with this describe.
fn still_valid(target: &Target, account: &SObjectDescribe) -> bool {
    match target {
        Target::Field(f) => account.field(f).is_some_and(writable),
        Target::Id => account.field("Id").is_some(),
        Target::ParentByKey {
            field,
            relationship,
            key,
        } => related(relationship, key, account).is_some_and(
            |t| matches!(t, Target::ParentByKey { field: f, .. } if f.eq_ignore_ascii_case(field)),
        ),
        Target::RecordType | Target::ReadOnly(_) => true,
    }
}

/// A lookup's relationship name (`Parent` for `ParentId`).
fn lookup_relationship(f: &FieldDescribe) -> Option<&str> {
    (f.field_type == "reference")
        .then_some(f.relationship_name.as_deref())
        .flatten()
}

/// A field a row can set (on create, on update, or both).
fn writable(f: &FieldDescribe) -> bool {
    (f.createable || f.updateable) && crate::values::importable(f)
}

/// A field that names one record, so a lookup can be set by it: External ID, or a unique
/// id-lookup field (not Name: two Accounts may share a name).
pub(crate) fn is_key(f: &FieldDescribe) -> bool {
    f.name != "Id" && (f.external_id || f.id_lookup && f.unique)
}

/// Header names and labels compare trimmed and without case.
fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
}
