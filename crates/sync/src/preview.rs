//! The preview: what a run would do to every record, before anything is written. Each source
//! record is an **Insert**, an **Update** (each field that changes, target value → new value),
//! **Unchanged** (skipped) or **Blocked** (why, in words). The body each row carries is exactly
//! what the run sends.

use std::collections::HashMap;
use std::sync::Arc;

use salesforce::rest::{Record, SObjectDescribe};
use salesforce::types::RecordId;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

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
    pub rows: Vec<Row>,
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
        let mut c = Counts::default();
        for r in &self.rows {
            match r.outcome {
                Outcome::Insert => c.insert += 1,
                Outcome::Update => c.update += 1,
                Outcome::Unchanged => c.unchanged += 1,
                Outcome::Blocked => c.blocked += 1,
                Outcome::Delete => c.delete += 1,
            }
        }
        c
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
    let fold = Fold::of(i);
    let key_label = i
        .target
        .field(&i.key.target)
        .map_or(i.key.target.clone(), |f| f.label.clone());
    let mut by_key: HashMap<String, Vec<&Record>> = HashMap::new();
    for t in i.targets {
        if let Some(k) = t.get(i.key.target.as_str()).and_then(Value::as_str) {
            by_key.entry(fold.key(k)).or_default().push(t);
        }
    }
    // Source records sharing a key value would overwrite each other's target record.
    let mut sharing: HashMap<String, Vec<&str>> = HashMap::new();
    for r in i.records {
        if let Some(k) = i.key.value_of(r) {
            let name = r.get("Name").and_then(Value::as_str).unwrap_or_default();
            sharing.entry(fold.key(&k)).or_default().push(name);
        }
    }
    let run_keys: HashMap<String, usize> = i
        .records
        .iter()
        .enumerate()
        .filter_map(|(n, r)| i.key.value_of(r).map(|k| (fold.key(&k), n)))
        .collect();

    // Field names, one copy shared by every row's changes.
    let names: HashMap<&str, Arc<str>> = i
        .target
        .fields
        .iter()
        .map(|f| (f.name.as_str(), Arc::from(f.name.as_str())))
        .collect();
    // Rows, each with the index of its source record.
    let at = Shared {
        by_key: &by_key,
        sharing: &sharing,
        fold: &fold,
        key_label: &key_label,
        names: &names,
    };
    let (mut rows, src_of): (Vec<Row>, Vec<usize>) = i
        .records
        .iter()
        .enumerate()
        .filter_map(|(n, r)| row(i, r, &at).map(|row| (row, n)))
        .unzip();
    let parent_of: Vec<Option<String>> = src_of
        .iter()
        .map(|&n| i.key.parent_value_of(&i.records[n]))
        .collect();

    // Parents: in the run (written first), in the target (named by key), missing from both, or
    // none in the source (then none in the target either).
    let parent_field: Arc<str> = Arc::from("ParentId");
    let mut missing: Vec<MissingParent> = Vec::new();
    let mut missing_at: HashMap<String, usize> = HashMap::new();
    for (at, row) in rows.iter_mut().enumerate() {
        if row.outcome == Outcome::Blocked {
            continue;
        }
        let existing = row
            .key
            .as_deref()
            .and_then(|k| by_key.get(&fold.key(k)))
            .filter(|_| row.target_id.is_some())
            .map(|t| t[0]);
        let current = existing
            .and_then(|t| t.get("Parent"))
            .filter(|p| p.is_object());
        let current_name = || {
            current
                .and_then(|p| p.get("Name"))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let has_parent_now = existing
            .and_then(|t| t.get("ParentId"))
            .is_some_and(|p| !p.is_null());
        let Some(parent) = &parent_of[at] else {
            // No parent in the source: one in the target is cleared.
            if has_parent_now {
                row.body.insert("ParentId".into(), Value::Null);
                row.changes.push(Change {
                    field: parent_field.clone(),
                    before: current_name(),
                    after: Some(Value::Null),
                });
                if row.outcome == Outcome::Unchanged {
                    row.outcome = Outcome::Update;
                }
            }
            continue;
        };
        let folded = fold.key(parent);
        let in_run = run_keys.get(&folded).map(|&n| &i.records[n]);
        let in_target = by_key.get(&folded).map(|t| t[0]);
        if in_run.is_none() && in_target.is_none() {
            let src = &i.records[src_of[at]];
            let m = *missing_at.entry(folded).or_insert_with(|| {
                let name = src
                    .get("Parent")
                    .and_then(|p| p.get("Name"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                missing.push(MissingParent {
                    key: parent.clone(),
                    source_id: src
                        .get("ParentId")
                        .and_then(Value::as_str)
                        .and_then(|id| RecordId::parse(id).ok()),
                    name: name.to_string(),
                    children: Vec::new(),
                });
                missing.len() - 1
            });
            missing[m].children.push(row.source_id.clone());
            let named = if missing[m].name.is_empty() {
                parent
            } else {
                &missing[m].name
            };
            let what = match (existing.is_some(), current_name()) {
                (false, _) => "it is written without a parent".to_string(),
                (true, Value::String(now)) => format!(
                    "the target keeps its current parent ({now}) until that parent is copied"
                ),
                (true, _) if has_parent_now => {
                    "the target keeps its current parent until that parent is copied".to_string()
                }
                (true, _) => "it stays without a parent in the target".to_string(),
            };
            row.notes.push(format!(
                "Its parent account ({named}) is in neither org's copy: it is not in the target and not in this run, so {what}."
            ));
            continue;
        }
        let current_key = current
            .and_then(|p| p.get(i.key.target.as_str()))
            .and_then(Value::as_str)
            .map(|k| fold.key(k));
        if existing.is_none() || current_key.as_deref() != Some(folded.as_str()) {
            row.body
                .insert("Parent".into(), json!({ i.key.target.as_str(): parent }));
            let name_of = |r: &Record| r.get("Name").cloned();
            row.changes.push(Change {
                field: parent_field.clone(),
                before: current_name(),
                after: Some(
                    in_run
                        .and_then(name_of)
                        .or_else(|| in_target.and_then(name_of))
                        .unwrap_or_else(|| Value::String(parent.clone())),
                ),
            });
            if row.outcome == Outcome::Unchanged {
                row.outcome = Outcome::Update;
            }
        }
    }

    // Where each row's parent is among the rows (a parent in the run).
    let row_of_key: HashMap<String, usize> = rows
        .iter()
        .enumerate()
        .filter_map(|(n, r)| r.key.as_deref().map(|k| (fold.key(k), n)))
        .collect();
    let parent_row: Vec<Option<usize>> = parent_of
        .iter()
        .map(|p| {
            p.as_deref()
                .and_then(|p| row_of_key.get(&fold.key(p)).copied())
        })
        .collect();
    // A child whose parent in the run is blocked would be refused: block it too, and say why.
    // Children are found through an index of them, so a chain of n is n steps, not n².
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    for (n, p) in parent_row.iter().enumerate() {
        if let Some(p) = p {
            children.entry(*p).or_default().push(n);
        }
    }
    let mut blocked: Vec<usize> = (0..rows.len())
        .filter(|&n| rows[n].outcome == Outcome::Blocked)
        .collect();
    while let Some(p) = blocked.pop() {
        for &c in children.get(&p).map_or(&[][..], Vec::as_slice) {
            if rows[c].outcome != Outcome::Blocked {
                rows[c].outcome = Outcome::Blocked;
                rows[c]
                    .problems
                    .push("Its parent account is blocked, so the target would refuse it.".into());
                blocked.push(c);
            }
        }
    }
    // Children are written after their parents: depth counts the parents in the run above. A
    // loop in the hierarchy, which Salesforce does not allow, stops where it closes.
    for n in 0..rows.len() {
        let (mut at, mut depth) = (n, 0u32);
        while let Some(p) = parent_row[at] {
            if depth as usize >= rows.len() {
                break;
            }
            depth += 1;
            at = p;
        }
        rows[n].depth = depth;
    }

    if let Some(deleted) = i.deleted {
        rows.extend(deletions(i, deleted, &by_key, &run_keys, &fold));
    }

    let watermark = i
        .records
        .iter()
        .filter_map(|r| r.get("SystemModstamp").and_then(Value::as_str))
        .max()
        .map(str::to_string);
    Preview {
        rows,
        missing_parents: missing,
        watermark,
    }
}

/// Delete rows: each source record deleted since the last sync whose key finds exactly one
/// target record, unless a live source record in this run has the same key (it is written).
fn deletions(
    i: &Inputs,
    deleted: &[Record],
    by_key: &HashMap<String, Vec<&Record>>,
    run_keys: &HashMap<String, usize>,
    fold: &Fold,
) -> Vec<Row> {
    let mut seen = std::collections::HashSet::new();
    deleted
        .iter()
        .filter_map(|src| {
            let source_id = RecordId::parse(id_of(src)).ok()?;
            let key = i.key.value_of(src)?;
            let folded = fold.key(&key);
            if run_keys.contains_key(&folded) || !seen.insert(folded.clone()) {
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
    /// The source records' names by folded key.
    sharing: &'a HashMap<String, Vec<&'a str>>,
    fold: &'a Fold,
    key_label: &'a str,
    /// The target's field names, shared.
    names: &'a HashMap<&'a str, Arc<str>>,
}

/// One record's row, before parents are looked at.
fn row(i: &Inputs, src: &Record, at: &Shared) -> Option<Row> {
    let Shared {
        by_key,
        sharing,
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
    if let Some(names) = sharing.get(&fold.key(&key_value)).filter(|n| n.len() > 1) {
        let shown: Vec<String> = names
            .iter()
            .take(3)
            .map(|n| format!("“{}”", if n.is_empty() { "(no name)" } else { n }))
            .collect();
        let more = if names.len() > 3 {
            format!(" and {} more", names.len() - 3)
        } else {
            String::new()
        };
        problems.push(format!(
            "{} source accounts share the key “{key_value}” ({}{more}): each would overwrite the other's target record. Give each its own {key_label} value in the source.",
            names.len(),
            shown.join(", ")
        ));
    }
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

#[cfg(test)]
mod tests;
