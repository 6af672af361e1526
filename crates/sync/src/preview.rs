//! The preview: what a run would do to every record, before anything is written. Each source
//! record is an **Insert**, an **Update** (each field that changes, target value → new value),
//! **Unchanged** (skipped) or **Blocked** (why, in words). The body each row carries is exactly
//! what the run sends.

use std::collections::HashMap;
use std::sync::Arc;

use salesforce::rest::{Record, SObjectDescribe};
use salesforce::types::RecordId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::fields::{check_value, convert, same, typed_constant};
use crate::key::MatchKey;
use crate::mapping::{From, Mapping};
use crate::owners::Owners;
use crate::record_types::{Goes, RecordTypes, FIELD as RECORD_TYPE};

/// What a run would do to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    Insert,
    Update,
    Unchanged,
    Blocked,
    /// Deleted in the source since the last sync, and deleted in the target by the run (only
    /// when the person asked for deletions).
    Delete,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Insert,
        Outcome::Update,
        Outcome::Unchanged,
        Outcome::Blocked,
        Outcome::Delete,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Insert => "Insert",
            Outcome::Update => "Update",
            Outcome::Unchanged => "Unchanged",
            Outcome::Blocked => "Blocked",
            Outcome::Delete => "Delete",
        }
    }

    /// Whether the run writes it (an upsert, or a delete).
    pub fn writes(self) -> bool {
        matches!(self, Outcome::Insert | Outcome::Update | Outcome::Delete)
    }

    /// Whether the run changes a record the target has now, which someone may have changed since
    /// the preview.
    pub fn touches_existing(self) -> bool {
        matches!(self, Outcome::Update | Outcome::Delete)
    }
}

/// One field a run changes: the target's value now, and the value written. Kept compactly, as a
/// preview holds one per field of every record: the field's name is shared by every row, its
/// label is the target's (see [`label`]), and the value written is the body's unless it is shown
/// otherwise (an owner's name for its id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub field: Arc<str>,
    pub before: Value,
    /// As shown, when not the body's value for `field`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

/// A changed field's name, as a person reads it.
pub fn label(target: &SObjectDescribe, field: &str) -> String {
    match field {
        // The body carries the parent by its key, under the relationship.
        "ParentId" => "Parent Account".into(),
        _ => target
            .field(field)
            .map_or(field.to_string(), |f| f.label.clone()),
    }
}

/// One source record in the preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub source_id: RecordId,
    pub name: String,
    /// Its key value (`None`: it has none, so it is blocked).
    pub key: Option<String>,
    /// Its record in the target, when there is one.
    pub target_id: Option<RecordId>,
    /// That record's `SystemModstamp` when the preview read it: a record changed since is not
    /// written (see [`crate::run`]).
    #[serde(default)]
    pub target_stamp: Option<String>,
    pub outcome: Outcome,
    /// For an update, what changes; for an insert, every value written.
    pub changes: Vec<Change>,
    /// Why it is blocked.
    pub problems: Vec<String>,
    /// What is worth knowing though it is written (its parent is not copied).
    pub notes: Vec<String>,
    /// What the run sends: for an insert the mapped values, the key, the owner and the parent
    /// by its key; for an update the key and only what changes.
    pub body: Record,
    /// 0 for a record whose parent is not in the run; a child is written after its parent.
    pub depth: u32,
}

/// A parent that is neither in the target nor in the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingParent {
    /// Its key value (its source Id when the key is the source Id).
    pub key: String,
    /// Its record in the source (the children's `ParentId`), to copy it too.
    pub source_id: Option<RecordId>,
    pub name: String,
    pub children: Vec<RecordId>,
}

/// The whole preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub rows: Rows,
    pub missing_parents: Vec<MissingParent>,
    /// The newest `SystemModstamp` among the source records read: the next sync reads only
    /// records changed after it.
    pub watermark: Option<String>,
}

/// How many rows of each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub insert: usize,
    pub update: usize,
    pub unchanged: usize,
    pub blocked: usize,
    pub delete: usize,
}

impl Counts {
    /// How many of `outcomes` are each outcome.
    pub fn tally<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> Counts {
        let mut c = Counts::default();
        for outcome in outcomes {
            match outcome {
                Outcome::Insert => c.insert += 1,
                Outcome::Update => c.update += 1,
                Outcome::Unchanged => c.unchanged += 1,
                Outcome::Blocked => c.blocked += 1,
                Outcome::Delete => c.delete += 1,
            }
        }
        c
    }

    pub fn of(&self, outcome: Outcome) -> usize {
        match outcome {
            Outcome::Insert => self.insert,
            Outcome::Update => self.update,
            Outcome::Unchanged => self.unchanged,
            Outcome::Blocked => self.blocked,
            Outcome::Delete => self.delete,
        }
    }
}

impl Row {
    /// The value `change` shows written.
    pub fn after<'a>(&'a self, change: &'a Change) -> &'a Value {
        change
            .after
            .as_ref()
            .or_else(|| self.body.get(&*change.field))
            .unwrap_or(&Value::Null)
    }
}

impl Preview {
    pub fn counts(&self) -> Counts {
        Counts::tally(self.rows.outcomes())
    }
}

/// What a preview is made from.
pub struct Inputs<'a> {
    pub source: &'a SObjectDescribe,
    pub target: &'a SObjectDescribe,
    pub mapping: &'a Mapping,
    pub key: &'a MatchKey,
    /// Where owners go; `None` leaves owners to the target (the signed-in user on insert).
    pub owners: Option<&'a Owners>,
    /// The source records, read with [`crate::plan::source_fields`].
    pub records: &'a [Record],
    /// The target records whose key is a run record's or a parent's, read with
    /// [`crate::plan::target_fields`].
    pub targets: &'a [Record],
    /// Source records deleted since the last sync (Id, Name and the key's field), when the
    /// person asked for deletions to be carried over; `None` otherwise.
    pub deleted: Option<&'a [Record]>,
    /// Where each source record type goes, when the target has record types.
    pub record_types: Option<&'a RecordTypes>,
}

/// Key values compare as the org's External ID fields do: without regard to case unless the
/// field is case sensitive (18-character ids stay distinct either way, as their last three
/// characters encode the case).
struct Fold {
    case_sensitive: bool,
}

impl Fold {
    fn of(i: &Inputs) -> Fold {
        Fold {
            case_sensitive: i
                .target
                .field(&i.key.target)
                .is_some_and(|f| f.case_sensitive),
        }
    }

    fn key(&self, key: &str) -> String {
        if self.case_sensitive {
            key.to_string()
        } else {
            key.to_lowercase()
        }
    }
}

/// Works out what a run would do, record by record.
pub fn preview(i: &Inputs) -> Preview {
    let mut builder = Builder::new(i);
    builder.add(i.records);
    builder.finish(i.deleted)
}

/// Each row's parents in the run above it, each worked out once (a chain of n is n steps). A
/// loop in the hierarchy, which Salesforce does not allow, counts as no parent where it closes.
fn depths(parent_row: &[Option<usize>]) -> Vec<u32> {
    const UNKNOWN: u32 = u32::MAX;
    let mut depth = vec![UNKNOWN; parent_row.len()];
    let mut on_path = vec![false; parent_row.len()];
    for n in 0..parent_row.len() {
        // Up to the first row whose depth is known (or a root, or a loop), then back down.
        let mut path = Vec::new();
        let mut at = n;
        while depth[at] == UNKNOWN {
            on_path[at] = true;
            path.push(at);
            match parent_row[at] {
                Some(p) if !on_path[p] => at = p,
                _ => break,
            }
        }
        // Stopped at a known ancestor (one above the path), or at the path's own top (a root,
        // or where a loop closes).
        let mut below = if depth[at] == UNKNOWN {
            0
        } else {
            depth[at] + 1
        };
        while let Some(r) = path.pop() {
            if depth[r] == UNKNOWN {
                depth[r] = below;
            }
            on_path[r] = false;
            below = depth[r] + 1;
        }
    }
    depth
}

/// Delete rows: each source record deleted since the last sync whose key finds exactly one
/// target record, unless a live source record in this run has the same key (it is written).
fn deletions(
    i: &Inputs,
    deleted: &[Record],
    by_key: &HashMap<String, Vec<&Record>>,
    in_run: &dyn Fn(&str) -> bool,
    fold: &Fold,
) -> Vec<Row> {
    let mut seen = std::collections::HashSet::new();
    deleted
        .iter()
        .filter_map(|src| {
            let source_id = RecordId::parse(id_of(src)).ok()?;
            let key = i.key.value_of(src)?;
            let folded = fold.key(&key);
            if in_run(&folded) || !seen.insert(folded.clone()) {
                return None;
            }
            let matches = by_key.get(&folded)?;
            let name = src
                .get("Name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let (outcome, problems) = if matches.len() == 1 {
                (Outcome::Delete, vec![])
            } else {
                (
                    Outcome::Blocked,
                    vec![format!(
                        "Deleted in the source, but {} target records share its key “{key}”: none is deleted.",
                        matches.len()
                    )],
                )
            };
            let t = matches[0];
            Some(Row {
                source_id,
                name,
                key: Some(key),
                target_id: (matches.len() == 1)
                    .then(|| RecordId::parse(id_of(t)).ok())
                    .flatten(),
                target_stamp: stamp_of(t),
                outcome,
                changes: vec![],
                problems,
                notes: vec!["Deleted in the source since the last sync.".into()],
                body: Record::new(),
                depth: 0,
            })
        })
        .collect()
}

fn stamp_of(r: &Record) -> Option<String> {
    r.get("SystemModstamp")
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn id_of(r: &Record) -> &str {
    r.get("Id").and_then(Value::as_str).unwrap_or_default()
}

/// What every row is worked out with.
struct Shared<'a> {
    /// The target records by folded key.
    by_key: &'a HashMap<String, Vec<&'a Record>>,
    fold: &'a Fold,
    key_label: &'a str,
    /// The target's field names, shared.
    names: &'a HashMap<&'a str, Arc<str>>,
}

/// One record's row, before parents are looked at.
fn row(i: &Inputs, src: &Record, at: &Shared) -> Option<Row> {
    let Shared {
        by_key,
        fold,
        key_label,
        names,
    } = at;
    let source_id = RecordId::parse(id_of(src)).ok()?;
    let name = src
        .get("Name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let key = i.key.value_of(src);
    let mut problems = Vec::new();
    let mut body = Record::new();
    let Some(key_value) = key.clone() else {
        return Some(Row {
            source_id,
            name,
            key: None,
            target_id: None,
            target_stamp: None,
            outcome: Outcome::Blocked,
            changes: vec![],
            problems: vec![format!("It has no value to match on for {key_label}.")],
            notes: vec![],
            body,
            depth: 0,
        });
    };
    let matches = by_key
        .get(&fold.key(&key_value))
        .map_or(&[][..], Vec::as_slice);
    if matches.len() > 1 {
        problems.push(format!(
            "{} target records share the {key_label} “{key_value}”: fix them in the target so one remains.",
            matches.len()
        ));
    }
    let existing = matches.first().filter(|_| matches.len() == 1);
    let target_id = existing.and_then(|t| RecordId::parse(id_of(t)).ok());

    body.insert(i.key.target.clone(), Value::String(key_value.clone()));
    for pair in &i.mapping.pairs {
        let Some(t) = i.target.field(&pair.target) else {
            continue;
        };
        let value = match &pair.from {
            From::Constant(v) => typed_constant(t, v).unwrap_or_else(|_| v.clone()),
            From::Field(f) => convert(src.get(f.as_str()).unwrap_or(&Value::Null), t),
        };
        if let Err(refusal) = check_value(t, &value) {
            problems.push(format!("{}.", refusal.message(&t.label)));
        }
        if value.is_null() && t.is_required() && (existing.is_none() || t.updateable) {
            problems.push(format!(
                "{} is required in the target and has no value.",
                t.label
            ));
        }
        // A field the target only lets you set on create is left as it is on update.
        if existing.is_some() && !t.updateable || existing.is_none() && !t.createable {
            continue;
        }
        body.insert(t.name.clone(), value);
    }
    if existing.is_none() {
        for t in i.target.fields.iter().filter(|f| f.is_required()) {
            let carried = matches!(t.name.as_str(), "Id" | "OwnerId" | "ParentId")
                || t.name.eq_ignore_ascii_case(&i.key.target);
            if !carried && !body.contains_key(&t.name) {
                problems.push(format!(
                    "{} is required in the target and nothing is mapped to it.",
                    t.label
                ));
            }
        }
    }
    if let Some(types) = i.record_types {
        match types.of(src) {
            Goes::Blocked(why) => problems.push(why),
            Goes::To(id) => {
                body.insert(RECORD_TYPE.into(), Value::String(id));
            }
            Goes::Default => {}
        }
    }
    if let (Some(owners), Some(owner)) = (i.owners, src.get("OwnerId").and_then(Value::as_str)) {
        if let Some(user) = owners.target_for(owner) {
            body.insert("OwnerId".into(), Value::String(user.id.to_string()));
        }
    }

    // In the mapping's order (the target's field order), the owner last, not alphabetically.
    let order = i.mapping.pairs.iter().map(|p| p.target.as_str()).chain([
        i.key.target.as_str(),
        RECORD_TYPE,
        "OwnerId",
    ]);
    let mut changes = Vec::new();
    for (field, after) in order.filter_map(|f| body.get_key_value(f)) {
        if field.eq_ignore_ascii_case(&i.key.target) && existing.is_some() {
            continue;
        }
        let before = existing
            .and_then(|t| t.get(field.as_str()))
            .cloned()
            .unwrap_or(Value::Null);
        let unchanged = if field == RECORD_TYPE {
            RecordTypes::same(&before, after)
        } else {
            same(&before, after)
        };
        if existing.is_some() && unchanged {
            continue;
        }
        if existing.is_none() && after.is_null() {
            continue;
        }
        // Shown as written, but an owner (by name) and a record type (by label).
        let shown = match (field.as_str(), i.owners, after.as_str()) {
            ("OwnerId", Some(o), Some(id)) => o.name_of(id).map(|n| Value::String(n.to_string())),
            (RECORD_TYPE, _, _) => i.record_types.map(|t| t.label(after)),
            _ => None,
        }
        .filter(|v| v != after);
        let before = match (field.as_str(), i.owners, before.as_str()) {
            ("OwnerId", Some(o), Some(id)) => o
                .name_of(id)
                .map_or(before.clone(), |n| Value::String(n.to_string())),
            (RECORD_TYPE, _, _) => i.record_types.map_or(before.clone(), |t| t.label(&before)),
            _ => before,
        };
        // A new record's values are its body's: only what is shown otherwise is kept.
        if existing.is_none() && shown.is_none() {
            continue;
        }
        changes.push(Change {
            field: names
                .get(field.as_str())
                .cloned()
                .unwrap_or_else(|| Arc::from(field.as_str())),
            before,
            after: shown,
        });
    }
    let outcome = if !problems.is_empty() {
        Outcome::Blocked
    } else if existing.is_none() {
        Outcome::Insert
    } else if changes.is_empty() {
        Outcome::Unchanged
    } else {
        Outcome::Update
    };
    // An update writes the key and what the preview shows changing, nothing else: a field shown
    // as unchanged is not sent, so an edit made in the target to it since is not undone.
    if existing.is_some() {
        body.retain(|f, _| {
            f.eq_ignore_ascii_case(&i.key.target) || changes.iter().any(|c| *c.field == **f)
        });
    }
    Some(Row {
        source_id,
        name,
        key,
        target_id,
        target_stamp: existing.and_then(|t| stamp_of(t)),
        outcome,
        changes,
        problems,
        notes: vec![],
        body,
        depth: 0,
    })
}

mod build;
mod rows;
mod shown;

pub use build::Builder;
pub use rows::{body_columns, ChunkSummary, Rows, CHUNK};
pub use shown::{shown_changes, Shown};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod depth_tests {
    use super::depths;

    #[test]
    fn depths_count_the_parents_above_once_each_and_a_loop_stops() {
        // 0 ← 1 ← 2, 3 alone, 4 ← 5 (5's parent after it), 6 ↔ 7 (a loop).
        let parents = [
            None,
            Some(0),
            Some(1),
            None,
            Some(5),
            None,
            Some(7),
            Some(6),
        ];
        let d = depths(&parents);
        assert_eq!(&d[..6], [0, 1, 2, 0, 1, 0]);
        assert!(d[6] <= 1 && d[7] <= 1, "{d:?}");
        // A chain of 100,000: linear.
        let chain: Vec<Option<usize>> = (0..100_000usize).map(|n| n.checked_sub(1)).collect();
        assert_eq!(depths(&chain)[99_999], 99_999);
    }
}
