//! A run as the browser keeps it across a reload or a closed tab: its plan (written once, before
//! any call) and its progress (after every wave), two records tied by one run id and a format
//! version. Restoring checks both: progress of another run is never applied to this run's rows,
//! and a record this version cannot read is dropped with a message rather than half-applied.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::key::MatchKey;
use crate::preview::Preview;
use crate::run::RunState;

/// The format this version writes and reads. Older or newer records are dropped on restore.
pub const VERSION: u32 = 2;

/// What a run was made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub version: u32,
    pub run_id: String,
    pub preview: Preview,
    pub key: MatchKey,
    /// `Date.now()` of the preview.
    pub made_at_ms: f64,
    /// The watermark the run leaves when it finishes (a run over every account only).
    #[serde(default)]
    pub leaves: Option<crate::watermark::LastSync>,
}

/// How far a run got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub version: u32,
    pub run_id: String,
    pub state: RunState,
}

impl Plan {
    pub fn new(
        run_id: String,
        preview: Preview,
        key: MatchKey,
        made_at_ms: f64,
        leaves: Option<crate::watermark::LastSync>,
    ) -> Plan {
        Plan {
            version: VERSION,
            run_id,
            preview,
            key,
            made_at_ms,
            leaves,
        }
    }

    /// Its progress record.
    pub fn progress(&self, state: &RunState) -> Progress {
        Progress {
            version: VERSION,
            run_id: self.run_id.clone(),
            state: state.clone(),
        }
    }
}

/// What a restore found.
#[derive(Debug, Clone, PartialEq)]
pub enum Restored {
    /// Nothing kept, or a finished run.
    Nothing,
    /// An unfinished run: its plan and where it got to.
    Run(Box<Plan>, RunState),
    /// Something kept that cannot be used, with why in words; the caller forgets it.
    Dropped(String),
}

const UNREADABLE: &str = "A copy kept in this browser by another version of OrgBridge could not be read, so it was dropped. Nothing more was sent for it; preview again to see what the target holds.";

/// Restores a kept run from its two records (as kept, JSON).
pub fn restore(plan: Option<&str>, progress: Option<&str>) -> Restored {
    let Some(plan) = plan else {
        return if progress.is_some() {
            Restored::Dropped(UNREADABLE.into())
        } else {
            Restored::Nothing
        };
    };
    let Some(plan) = read::<Plan>(plan) else {
        return Restored::Dropped(UNREADABLE.into());
    };
    let fresh = || RunState::new(&plan.preview);
    // No progress of its own: the run had not sent its first call (progress is kept, and waited
    // for, before each wave is sent).
    let state = match progress.map(read::<Progress>) {
        None => fresh(),
        Some(None) => return Restored::Dropped(UNREADABLE.into()),
        Some(Some(p)) if p.run_id != plan.run_id => fresh(),
        Some(Some(p)) => p.state,
    };
    if !fits(&state, &plan.preview) {
        return Restored::Dropped(UNREADABLE.into());
    }
    if state.finished() {
        return Restored::Nothing;
    }
    Restored::Run(Box::new(plan), state)
}

/// A record of this version, or `None`.
fn read<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    let value: Value = serde_json::from_str(text).ok()?;
    if value.get("version").and_then(Value::as_u64) != Some(u64::from(VERSION)) {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// Whether the progress is of this preview's shape: one result per row, rows that exist.
fn fits(state: &RunState, preview: &Preview) -> bool {
    let rows = preview.rows.len();
    state.results.len() == rows
        && state
            .batches
            .iter()
            .all(|b| b.batch.rows.iter().all(|&r| r < rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::KeyFrom;
    use crate::preview::{Outcome, Row};
    use crate::run::{RecordResult, Status};
    use salesforce::rest::Record;
    use salesforce::types::RecordId;

    fn preview(names: &[&str]) -> Preview {
        Preview {
            rows: names
                .iter()
                .enumerate()
                .map(|(n, name)| Row {
                    source_id: RecordId::parse(&format!("001000000000{n:03}")).unwrap(),
                    name: name.to_string(),
                    key: Some(format!("K{n}")),
                    target_id: None,
                    target_stamp: None,
                    outcome: Outcome::Insert,
                    changes: vec![],
                    problems: vec![],
                    notes: vec![],
                    body: Record::new(),
                    depth: 0,
                })
                .collect(),
            missing_parents: vec![],
            watermark: None,
        }
    }

    fn plan(run_id: &str, names: &[&str]) -> Plan {
        let key = MatchKey {
            target: "Source_Id__c".into(),
            from: KeyFrom::SourceId,
        };
        Plan::new(run_id.into(), preview(names), key, 0.0, None)
    }

    fn text<T: Serialize>(t: &T) -> String {
        serde_json::to_string(t).unwrap()
    }

    #[test]
    fn a_run_comes_back_with_its_own_progress() {
        let a = plan("run-a", &["A1", "A2"]);
        let mut state = RunState::new(&a.preview);
        state.results[0] = Some(RecordResult::Created(
            RecordId::parse("001T00000000001").unwrap(),
        ));
        state.batches[0].status = Status::Sent;
        let restored = restore(Some(&text(&a)), Some(&text(&a.progress(&state))));
        assert_eq!(restored, Restored::Run(Box::new(a.clone()), state.clone()));
        assert_eq!(restore(None, None), Restored::Nothing);
    }

    #[test]
    fn another_run_s_progress_is_never_applied() {
        // Run A was not finished; run B's start kept its plan, then failed before its progress.
        let a = plan("run-a", &["A1", "A2", "A3"]);
        let mut a_state = RunState::new(&a.preview);
        a_state.results[1] = Some(RecordResult::Created(
            RecordId::parse("001T00000000001").unwrap(),
        ));
        let b = plan("run-b", &["B1", "B2", "B3"]);
        match restore(Some(&text(&b)), Some(&text(&a.progress(&a_state)))) {
            Restored::Run(plan, state) => {
                assert_eq!(plan.run_id, "run-b");
                assert!(
                    state.results.iter().all(Option::is_none),
                    "A's rows are not B's"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_record_this_version_cannot_read_is_dropped_with_a_message() {
        let a = plan("run-a", &["A1"]);
        let state = RunState::new(&a.preview);
        // Version 1 kept `{preview, key, made_at_ms}` with no version or run id.
        let old = serde_json::json!({"preview": a.preview, "key": a.key, "made_at_ms": 0.0});
        let Restored::Dropped(why) = restore(Some(&old.to_string()), Some(&text(&state))) else {
            panic!("an old record is not applied");
        };
        assert!(why.contains("could not be read"), "{why}");
        let mut newer: Value = serde_json::to_value(&a).unwrap();
        newer["version"] = 99.into();
        assert!(matches!(
            restore(Some(&newer.to_string()), None),
            Restored::Dropped(_)
        ));
        // Progress whose rows do not fit the plan.
        let small = plan("run-a", &["A1"]);
        let big = plan("run-a", &["A1", "A2", "A3"]);
        let mut wide = RunState::new(&big.preview);
        wide.results[2] = Some(RecordResult::Failed("x".into()));
        assert!(matches!(
            restore(Some(&text(&small)), Some(&text(&big.progress(&wide)))),
            Restored::Dropped(_)
        ));
        assert!(matches!(
            restore(None, Some(&text(&a.progress(&state)))),
            Restored::Dropped(_)
        ));
        assert!(matches!(
            restore(Some("{not json"), None),
            Restored::Dropped(_)
        ));
    }
}
