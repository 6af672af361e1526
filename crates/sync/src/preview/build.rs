//! Making a preview page by page: each source record's row is worked out as its page comes and
//! kept compactly, so the pages need not all be held; what depends on every record (source
//! records sharing a key, parents in the run, blocked parents, the order of writes) is settled
//! once all are in, reading back only the rows it changes.

use std::collections::HashMap;
use std::sync::Arc;

use salesforce::rest::Record;
use salesforce::types::RecordId;
use serde_json::{json, Value};

use super::{
    deletions, depths, row, Change, Fold, Inputs, MissingParent, Outcome, Preview, Row, Rows,
    Shared,
};

/// A row's parent in the source, as the source record names it.
pub(super) struct ParentOf {
    /// Its key value.
    key: String,
    /// `Parent.Name`.
    name: String,
    /// `ParentId`.
    source_id: Option<RecordId>,
}

/// A preview being made.
pub struct Builder<'i, 'a> {
    i: &'i Inputs<'a>,
    fold: Fold,
    key_label: String,
    names: HashMap<&'a str, Arc<str>>,
    by_key: HashMap<String, Vec<&'a Record>>,
    rows: Rows,
    /// Each folded key's last row (a parent in the run is found by it).
    keys: HashMap<String, u32>,
    /// Keys given by more than one source record, and their rows.
    shared: HashMap<String, Vec<u32>>,
    /// Rows whose parent is looked at once every row is in: their parent in the source, or
    /// `None` where the source has none but the target record has one (it is cleared).
    pending: Vec<(u32, Option<ParentOf>)>,
    watermark: Option<String>,
}

impl<'i, 'a> Builder<'i, 'a> {
    /// A preview of `i`'s targets (its records are added page by page).
    pub fn new(i: &'i Inputs<'a>) -> Self {
        let fold = Fold::of(i);
        let key_label = i
            .target
            .field(&i.key.target)
            .map_or(i.key.target.clone(), |f| f.label.clone());
        let mut by_key: HashMap<String, Vec<&'a Record>> = HashMap::new();
        for t in i.targets {
            if let Some(k) = t.get(i.key.target.as_str()).and_then(Value::as_str) {
                by_key.entry(fold.key(k)).or_default().push(t);
            }
        }
        // Field names, one copy shared by every row's changes.
        let names = i
            .target
            .fields
            .iter()
            .map(|f| (f.name.as_str(), Arc::from(f.name.as_str())))
            .collect();
        Builder {
            i,
            fold,
            key_label,
            names,
            by_key,
            rows: Rows::default(),
            keys: HashMap::new(),
            shared: HashMap::new(),
            pending: Vec::new(),
            watermark: None,
        }
    }

    /// One page of source records.
    pub fn add(&mut self, records: &[Record]) {
        let i = self.i;
        let at = Shared {
            by_key: &self.by_key,
            fold: &self.fold,
            key_label: &self.key_label,
            names: &self.names,
        };
        for src in records {
            if let Some(stamp) = src.get("SystemModstamp").and_then(Value::as_str) {
                if self.watermark.as_deref().is_none_or(|w| stamp > w) {
                    self.watermark = Some(stamp.to_string());
                }
            }
            let Some(row) = row(i, src, &at) else {
                continue;
            };
            let n = self.rows.len() as u32;
            if let Some(k) = row.key.as_deref() {
                let folded = self.fold.key(k);
                match self.keys.get_mut(&folded) {
                    Some(last) => {
                        let first = std::mem::replace(last, n);
                        self.shared
                            .entry(folded)
                            .or_insert_with(|| vec![first])
                            .push(n);
                    }
                    None => {
                        self.keys.insert(folded, n);
                    }
                }
            }
            let parent = i.key.parent_value_of(src).map(|key| ParentOf {
                key,
                name: src
                    .get("Parent")
                    .and_then(|p| p.get("Name"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                source_id: src
                    .get("ParentId")
                    .and_then(Value::as_str)
                    .and_then(|id| RecordId::parse(id).ok()),
            });
            let has_parent_now = row
                .key
                .as_deref()
                .and_then(|k| self.by_key.get(&self.fold.key(k)))
                .filter(|_| row.target_id.is_some())
                .and_then(|t| t[0].get("ParentId"))
                .is_some_and(|p| !p.is_null());
            if parent.is_some() || has_parent_now {
                self.pending.push((n, parent));
            }
            self.rows.push(&row);
        }
    }

    /// The preview, once every page is in; `deleted`: the source's deletions since the last
    /// sync, when they are carried over.
    ///
    /// What is settled here is worked out first from what is in memory (keys, outcomes,
    /// parents), then written in one pass over the rows it changes, in order: the rows are kept
    /// in compressed chunks, and each is unpacked and packed again once.
    pub fn finish(mut self, deleted: Option<&[Record]>) -> Preview {
        let len = self.rows.len();
        let pending = std::mem::take(&mut self.pending);
        // Where each row's parent is among the rows (a parent in the run).
        let mut parent_row: Vec<Option<usize>> = vec![None; len];
        for (n, of) in &pending {
            if let Some(of) = of {
                parent_row[*n as usize] =
                    self.keys.get(&self.fold.key(&of.key)).map(|&k| k as usize);
            }
        }
        // Source records sharing a key value would overwrite each other's target record: each
        // is blocked, named with the others.
        let shared: Vec<Vec<u32>> = std::mem::take(&mut self.shared).into_values().collect();
        let mut group_of: HashMap<u32, usize> = HashMap::new();
        for (g, rows) in shared.iter().enumerate() {
            group_of.extend(rows.iter().map(|&r| (r, g)));
        }
        // The names shown: three of each shared key's rows, and each parent in the run.
        let mut named: Vec<u32> = shared
            .iter()
            .flat_map(|rows| rows.iter().take(3).copied())
            .chain(parent_row.iter().flatten().map(|&p| p as u32))
            .collect();
        named.sort_unstable();
        named.dedup();
        let names: HashMap<u32, String> = named
            .into_iter()
            .map(|r| (r, self.rows.get(r as usize).name))
            .collect();

        // Blocked, and a child whose parent in the run is blocked (it would be refused).
        // Children are found through an index of them, so a chain of n is n steps, not n².
        let mut blocked: Vec<bool> = (0..len)
            .map(|n| self.rows.outcome(n) == Outcome::Blocked || group_of.contains_key(&(n as u32)))
            .collect();
        let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
        for (n, p) in parent_row.iter().enumerate() {
            if let Some(p) = p {
                children.entry(*p).or_default().push(n);
            }
        }
        let mut cascaded = vec![false; len];
        let mut stack: Vec<usize> = (0..len).filter(|&n| blocked[n]).collect();
        while let Some(p) = stack.pop() {
            for &c in children.get(&p).map_or(&[][..], Vec::as_slice) {
                if !blocked[c] {
                    blocked[c] = true;
                    cascaded[c] = true;
                    stack.push(c);
                }
            }
        }
        // Children are written after their parents: depth counts the parents in the run above.
        let depths = depths(&parent_row);

        // The one pass over the rows that change.
        // Pending rows were added in order: walked beside the rows, not looked up.
        let mut pending = pending.into_iter().peekable();
        let mut missing: Vec<MissingParent> = Vec::new();
        let mut missing_at: HashMap<String, usize> = HashMap::new();
        let parent_field: Arc<str> = Arc::from("ParentId");
        for n in 0..len {
            let key = n as u32;
            let group = group_of.get(&key).map(|&g| &shared[g]);
            let of = pending.next_if(|(p, _)| *p == key).map(|(_, of)| of);
            if group.is_none() && of.is_none() && !cascaded[n] && depths[n] == 0 {
                continue;
            }
            let mut row = self.rows.get(n);
            if let Some(rows) = group {
                self.block_shared(&mut row, rows, &names);
            }
            if let Some(of) = of.filter(|_| row.outcome != Outcome::Blocked) {
                self.parent(
                    &mut row,
                    of.as_ref(),
                    &parent_field,
                    &names,
                    &mut missing,
                    &mut missing_at,
                );
            }
            if cascaded[n] {
                row.outcome = Outcome::Blocked;
                row.problems
                    .push("Its parent account is blocked, so the target would refuse it.".into());
            }
            row.depth = depths[n];
            self.rows.set(n, &row);
        }

        if let Some(deleted) = deleted {
            let in_run = |folded: &str| self.keys.contains_key(folded);
            for row in deletions(self.i, deleted, &self.by_key, &in_run, &self.fold) {
                self.rows.push(&row);
            }
        }
        Preview {
            rows: self.rows,
            missing_parents: missing,
            watermark: self.watermark,
        }
    }

    /// Blocks `row`, one of `rows` sharing its key value, and names three of them (`names`).
    fn block_shared(&self, row: &mut Row, rows: &[u32], names: &HashMap<u32, String>) {
        let names: Vec<String> = rows
            .iter()
            .take(3)
            .map(|r| names.get(r).map_or("", String::as_str))
            .map(|n| format!("“{}”", if n.is_empty() { "(no name)" } else { n }))
            .collect();
        let more = if rows.len() > 3 {
            format!(" and {} more", rows.len() - 3)
        } else {
            String::new()
        };
        let key_value = row.key.clone().unwrap_or_default();
        row.problems.insert(
            0,
            format!(
                "{} source accounts share the key “{key_value}” ({}{more}): each would overwrite the other's target record. Give each its own {} value in the source.",
                rows.len(),
                names.join(", "),
                self.key_label
            ),
        );
        row.outcome = Outcome::Blocked;
    }

    /// Works out `row`'s parent (`of`, its parent in the source).
    fn parent(
        &self,
        row: &mut Row,
        of: Option<&ParentOf>,
        parent_field: &Arc<str>,
        names: &HashMap<u32, String>,
        missing: &mut Vec<MissingParent>,
        missing_at: &mut HashMap<String, usize>,
    ) {
        let (by_key, fold) = (&self.by_key, &self.fold);
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
        let Some(of) = of else {
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
            return;
        };
        let parent = &of.key;
        let folded = fold.key(parent);
        // The parent in the run, by its name (read from its row beforehand).
        let in_run = self
            .keys
            .get(&folded)
            .map(|k| Value::String(names.get(k).cloned().unwrap_or_default()));
        let in_target = by_key.get(&folded).map(|t| t[0]);
        if in_run.is_none() && in_target.is_none() {
            let m = *missing_at.entry(folded).or_insert_with(|| {
                missing.push(MissingParent {
                    key: parent.clone(),
                    source_id: of.source_id.clone(),
                    name: of.name.clone(),
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
            return;
        }
        let current_key = current
            .and_then(|p| p.get(self.i.key.target.as_str()))
            .and_then(Value::as_str)
            .map(|k| fold.key(k));
        if existing.is_none() || current_key.as_deref() != Some(folded.as_str()) {
            row.body.insert(
                "Parent".into(),
                json!({ self.i.key.target.as_str(): parent }),
            );
            let name_of = |r: &Record| r.get("Name").cloned();
            row.changes.push(Change {
                field: parent_field.clone(),
                before: current_name(),
                after: Some(
                    in_run
                        .or_else(|| in_target.and_then(name_of))
                        .unwrap_or_else(|| Value::String(parent.clone())),
                ),
            });
            if row.outcome == Outcome::Unchanged {
                row.outcome = Outcome::Update;
            }
        }
    }
}
