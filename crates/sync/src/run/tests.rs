use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};

use salesforce::error::ApiError;
use serde_json::{json, Value};

use super::*;
use crate::key::{KeyFrom, MatchKey};
use crate::mapping::propose;
use crate::preview::{preview, Inputs};
use crate::testing::account;

/// A target org as the writer sees it: records by key (each with its SystemModstamp and who
/// changed it last), and faults for the next calls.
#[derive(Default)]
pub(crate) struct FakeOrg {
    pub(crate) by_key: RefCell<BTreeMap<String, (RecordId, Record)>>,
    pub(crate) faults: RefCell<VecDeque<Error>>,
    pub(crate) calls: Cell<u32>,
    /// Bodies larger than this many characters in Name are refused, per record.
    pub(crate) max_name: usize,
    /// A clock for SystemModstamp.
    pub(crate) tick: Cell<u32>,
    /// Conflict checks made.
    pub(crate) checks: Cell<u32>,
}

pub(crate) const RUNNER: &str = "005000000000001AAA";
pub(crate) const SOMEONE: &str = "005000000000002AAA";

impl FakeOrg {
    pub(crate) fn stamp(&self) -> String {
        self.tick.set(self.tick.get() + 1);
        format!("2026-12-07T10:{:02}:00.000+0000", self.tick.get())
    }

    /// Someone else edits the record keyed `key`.
    pub(crate) fn edit(&self, key: &str, field: &str, value: Value) {
        let stamp = self.stamp();
        let mut org = self.by_key.borrow_mut();
        let rec = &mut org.get_mut(key).expect("a record").1;
        rec.insert(field.into(), value);
        rec.insert("SystemModstamp".into(), json!(stamp));
        rec.insert("LastModifiedById".into(), json!(SOMEONE));
    }

    /// A record already in the target, as a preview reads it.
    pub(crate) fn existing(&self, key: &str, name: &str) -> Record {
        let id = RecordId::parse(&format!("001T0000{:07}", self.by_key.borrow().len())).unwrap();
        let rec = json!({"Id": id.to_string(), "Source_Id__c": key, "Name": name,
            "SystemModstamp": self.stamp(), "LastModifiedById": SOMEONE});
        let rec = rec.as_object().unwrap().clone();
        self.by_key
            .borrow_mut()
            .insert(key.into(), (id, rec.clone()));
        rec
    }

    pub(crate) fn name_of(&self, key: &str) -> Value {
        self.by_key.borrow()[key].1["Name"].clone()
    }
}

impl Writer for FakeOrg {
    async fn write(&self, records: Vec<Record>) -> Result<Vec<UpsertItem>, Error> {
        self.calls.set(self.calls.get() + 1);
        if let Some(e) = self.faults.borrow_mut().pop_front() {
            return Err(e);
        }
        let stamp = self.stamp();
        let mut org = self.by_key.borrow_mut();
        Ok(records
            .into_iter()
            .map(|r| {
                let name = r["Name"].as_str().unwrap_or_default();
                if self.max_name > 0 && name.len() > self.max_name {
                    return UpsertItem::Failed(vec![ApiError {
                        error_code: "STRING_TOO_LONG".into(),
                        message: "Account Name: data value too large".into(),
                        fields: vec!["Name".into()],
                    }]);
                }
                let key = r["Source_Id__c"].as_str().unwrap().to_string();
                let next = RecordId::parse(&format!("001T0000{:07}", org.len())).unwrap();
                let mut r = r;
                r.insert("SystemModstamp".into(), json!(stamp));
                r.insert("LastModifiedById".into(), json!(RUNNER));
                match org.get_mut(&key) {
                    Some((id, rec)) => {
                        rec.extend(r);
                        UpsertItem::Updated(id.clone())
                    }
                    None => {
                        org.insert(key, (next.clone(), r));
                        UpsertItem::Created(next)
                    }
                }
            })
            .collect())
    }

    async fn delete(&self, ids: Vec<RecordId>) -> Result<Vec<Result<(), String>>, Error> {
        self.calls.set(self.calls.get() + 1);
        if let Some(e) = self.faults.borrow_mut().pop_front() {
            return Err(e);
        }
        let mut org = self.by_key.borrow_mut();
        Ok(ids
            .iter()
            .map(|id| {
                let key = org
                    .iter()
                    .find(|(_, (i, _))| i == id)
                    .map(|(k, _)| k.clone());
                match key {
                    Some(k) => {
                        org.remove(&k);
                        Ok(())
                    }
                    None => Err("entity is deleted".into()),
                }
            })
            .collect())
    }

    async fn stamps(&self, ids: Vec<RecordId>) -> Result<Vec<Option<Stamp>>, Error> {
        self.checks.set(self.checks.get() + 1);
        let org = self.by_key.borrow();
        Ok(ids
            .iter()
            .map(|id| {
                org.values().find(|(i, _)| i == id).map(|(_, r)| Stamp {
                    modstamp: r["SystemModstamp"].as_str().unwrap_or_default().into(),
                    by: r["LastModifiedById"].as_str().unwrap_or_default().into(),
                })
            })
            .collect())
    }

    fn user(&self) -> String {
        RUNNER.into()
    }
}

#[derive(Default)]
pub(crate) struct Person {
    /// Pause after this many waves.
    pub(crate) pause_after: Cell<Option<u32>>,
    pub(crate) waves: Cell<u32>,
    pub(crate) slept: RefCell<Vec<u32>>,
    pub(crate) kept: RefCell<Option<RunState>>,
}

impl Control for Person {
    fn wanted(&self) -> Option<Stop> {
        let w = self.waves.get();
        self.waves.set(w + 1);
        (self.pause_after.get() == Some(w)).then_some(Stop::Paused)
    }
    fn concurrency(&self) -> usize {
        3
    }
    async fn sleep(&self, ms: u32) {
        self.slept.borrow_mut().push(ms);
    }
    async fn saw(&self, state: &RunState) {
        *self.kept.borrow_mut() = Some(state.clone());
    }
}

pub(crate) fn id(n: usize) -> String {
    RecordId::parse(&format!("001000000{n:06}"))
        .unwrap()
        .to_string()
}

/// `n` new accounts, every tenth the child of the one before it.
pub(crate) fn plan(n: usize) -> Preview {
    plan_over(n, &[])
}

/// `n` source accounts, every tenth the child of the one before it, against `targets`.
pub(crate) fn plan_over(n: usize, targets: &[Record]) -> Preview {
    let source = account(vec![]);
    let mut target = account(vec![crate::testing::field("Source_Id__c", "string", |f| {
        f.length = 18;
        f.external_id = true;
    })]);
    target.name = "Account".into();
    let key = MatchKey {
        target: "Source_Id__c".into(),
        from: KeyFrom::SourceId,
    };
    let mapping = propose(&source, &target, &key);
    let records: Vec<Record> = (0..n)
        .map(|i| {
            let mut r = json!({"Id": id(i), "Name": format!("Account {i}")});
            if i % 10 == 9 {
                r["ParentId"] = json!(id(i - 1));
            }
            r.as_object().unwrap().clone()
        })
        .collect();
    preview(&Inputs {
        source: &source,
        target: &target,
        mapping: &mapping,
        key: &key,
        owners: None,
        records: &records,
        targets,
        deleted: None,
        record_types: None,
    })
}

pub(crate) fn block_on<F: Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

#[test]
fn a_run_writes_every_record_once_parents_first_in_200s() {
    let p = plan(1_000);
    let org = FakeOrg::default();
    let person = Person::default();
    let mut state = RunState::new(&p);
    // 900 parents (5 calls), then 100 children (1 call).
    assert_eq!(state.batches.len(), 6);
    assert_eq!(block_on(run(&mut state, &p, &org, &person)), Stop::Finished);
    assert_eq!(org.by_key.borrow().len(), 1_000);
    assert_eq!(org.calls.get(), 6);
    assert_eq!(state.progress(), (1_000, 1_000));
    assert!(state
        .results
        .iter()
        .all(|r| matches!(r, Some(RecordResult::Created(_)))));
    // The children's call carried their parents by key.
    let child = &org.by_key.borrow()[&id(9)].1;
    assert_eq!(child["Parent"], json!({"Source_Id__c": id(8)}));
}

#[test]
fn a_busy_org_and_a_dropped_answer_are_tried_again_without_duplicates() {
    let p = plan(300);
    let org = FakeOrg::default();
    org.faults.borrow_mut().extend([
        Error::Http {
            status: 503,
            path: "/c".into(),
            body: "busy".into(),
        },
        Error::Network {
            host: "h".into(),
            url: "u".into(),
            detail: "reset".into(),
        },
    ]);
    let person = Person::default();
    let mut state = RunState::new(&p);
    assert_eq!(block_on(run(&mut state, &p, &org, &person)), Stop::Finished);
    assert_eq!(org.by_key.borrow().len(), 300);
    assert_eq!(
        person.slept.borrow().len(),
        2,
        "backed off before each retry"
    );
    assert!(state
        .results
        .iter()
        .all(|r| matches!(r, Some(RecordResult::Created(_)))));
}

#[test]
fn a_used_up_allowance_or_an_ended_session_holds_the_run_and_it_resumes() {
    let p = plan(1_000);
    let org = FakeOrg::default();
    let limit = salesforce::error::map_response(
        "/c",
        salesforce::transport::HttpResponse {
            status: 403,
            headers: vec![],
            body: r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#.into(),
        },
    )
    .unwrap_err();
    let person = Person::default();
    let mut state = RunState::new(&p);
    // The first wave of three: the second call is refused.
    org.faults.borrow_mut().push_back(limit);
    let stop = block_on(run(&mut state, &p, &org, &person));
    assert!(
        matches!(&stop, Stop::Held(why) if why.contains("allowance")),
        "{stop:?}"
    );
    let (done, total) = state.progress();
    assert!(done < total);
    // Resumed later, from what the browser kept.
    let kept: RunState = person.kept.borrow().clone().unwrap();
    let mut resumed = kept;
    assert_eq!(
        block_on(run(&mut resumed, &p, &org, &person)),
        Stop::Finished
    );
    assert_eq!(org.by_key.borrow().len(), 1_000);
    assert_eq!(resumed.progress(), (1_000, 1_000));
}

#[test]
fn a_reload_mid_call_sends_that_call_again_and_nothing_twice() {
    let p = plan(600);
    let org = FakeOrg::default();
    let person = Person::default();
    person.pause_after.set(Some(1));
    let mut state = RunState::new(&p);
    assert_eq!(block_on(run(&mut state, &p, &org, &person)), Stop::Paused);
    // The page went away while a call was out: the kept state says it was sent.
    let mut kept = state.clone();
    kept.batches[2].status = Status::Sent;
    let json = serde_json::to_string(&kept).unwrap();
    let mut back: RunState = serde_json::from_str(&json).unwrap();
    person.pause_after.set(None);
    assert_eq!(block_on(run(&mut back, &p, &org, &person)), Stop::Finished);
    assert_eq!(org.by_key.borrow().len(), 600, "no duplicates");
}

#[test]
fn refused_records_are_reported_and_a_rerun_of_failures_only_sends_them() {
    let mut p = plan(10);
    let mut long = p.rows.get(3);
    long.body
        .insert("Name".into(), Value::String("x".repeat(300)));
    p.rows.set(3, &long);
    let org = FakeOrg {
        max_name: 255,
        ..FakeOrg::default()
    };
    let person = Person::default();
    let mut state = RunState::new(&p);
    block_on(run(&mut state, &p, &org, &person));
    assert!(matches!(&state.results[3], Some(RecordResult::Failed(m)) if m.contains("too large")));
    assert_eq!(org.by_key.borrow().len(), 9);
    // Fixed, and only the failure is sent again.
    let mut fixed = p.rows.get(3);
    fixed
        .body
        .insert("Name".into(), Value::String("Fixed".into()));
    p.rows.set(3, &fixed);
    let mut again = state.failures_only();
    let before = org.calls.get();
    assert_eq!(block_on(run(&mut again, &p, &org, &person)), Stop::Finished);
    assert_eq!(org.calls.get() - before, 1);
    assert!(matches!(again.results[3], Some(RecordResult::Created(_))));
    assert_eq!(org.by_key.borrow().len(), 10);
}

#[test]
fn a_source_record_deleted_after_the_preview_is_not_written() {
    let p = plan(5);
    let org = FakeOrg::default();
    let mut state = RunState::new(&p);
    let gone = p.rows.get(2).source_id.clone();
    state.skip_deleted(&p, &[gone].into_iter().collect());
    block_on(run(&mut state, &p, &org, &Person::default()));
    assert_eq!(state.results[2], Some(RecordResult::SourceDeleted));
    assert_eq!(org.by_key.borrow().len(), 4);
}

#[test]
fn a_record_changed_in_the_target_since_the_preview_is_not_written_and_said_so() {
    let org = FakeOrg::default();
    // Three accounts copied before; the source renamed all three.
    let targets: Vec<Record> = (0..3).map(|i| org.existing(&id(i), "Old")).collect();
    let p = plan_over(3, &targets);
    assert!(p
        .rows
        .iter()
        .all(|r| r.outcome == crate::preview::Outcome::Update));
    // After the preview, someone edits the second in the target.
    org.edit(&id(1), "Name", json!("Their edit"));
    let mut state = RunState::new(&p);
    let person = Person::default();
    assert_eq!(block_on(run(&mut state, &p, &org, &person)), Stop::Finished);
    assert!(matches!(state.results[0], Some(RecordResult::Updated(_))));
    assert_eq!(
        state.results[1],
        Some(RecordResult::ChangedInTarget(CHANGED_IN_TARGET.into()))
    );
    assert_eq!(
        org.name_of(&id(1)),
        json!("Their edit"),
        "their change stands"
    );
    assert_eq!(org.name_of(&id(2)), json!("Account 2"));
    assert_eq!(org.checks.get(), 1, "one read for the wave");
    // Re-running failures sends nothing: a change in the target is not a failure.
    let mut again = state.failures_only();
    assert!(again.batches.is_empty());
    assert_eq!(block_on(run(&mut again, &p, &org, &person)), Stop::Finished);
}

#[test]
fn the_check_holds_on_resume_and_knows_the_run_s_own_lost_write() {
    let org = FakeOrg::default();
    let targets: Vec<Record> = (0..450).map(|i| org.existing(&id(i), "Old")).collect();
    let p = plan_over(450, &targets);
    let person = Person::default();
    person.pause_after.set(Some(1));
    let mut state = RunState::new(&p);
    assert_eq!(block_on(run(&mut state, &p, &org, &person)), Stop::Paused);
    // The page went away with its first call out: the org wrote it, the answer was lost.
    let mut kept = state.clone();
    kept.batches[0].status = Status::Sent;
    for r in &kept.batches[0].batch.rows {
        kept.results[*r] = None;
    }
    // While it was paused, someone edited a record of the children's batch, not sent yet.
    assert_eq!(kept.batches[3].status, Status::Waiting);
    let later = kept.batches[3].batch.rows[0];
    org.edit(&id(later), "Name", json!("Edited meanwhile"));
    person.pause_after.set(None);
    let writes_before = org.calls.get();
    assert_eq!(block_on(run(&mut kept, &p, &org, &person)), Stop::Finished);
    // The lost call's records were the run's own write: done, not a conflict, not sent again.
    assert!(kept.batches[0]
        .batch
        .rows
        .iter()
        .all(|r| matches!(kept.results[*r], Some(RecordResult::Updated(_)))));
    assert!(matches!(
        kept.results[later],
        Some(RecordResult::ChangedInTarget(_))
    ));
    assert_eq!(org.name_of(&id(later)), json!("Edited meanwhile"));
    assert_eq!(
        org.calls.get() - writes_before,
        1,
        "only the children's batch is written"
    );
}

#[test]
fn deletions_run_last_and_only_on_the_records_previewed() {
    use crate::preview::Outcome;
    let org = FakeOrg::default();
    let targets: Vec<Record> = (0..3)
        .map(|i| org.existing(&id(i), &format!("Account {i}")))
        .collect();
    let mut p = plan_over(1, &targets);
    // The source deleted accounts 1 and 2 since the last sync; the preview showed two deletes.
    for (i, t) in targets.iter().enumerate().skip(1) {
        p.rows.push(&crate::preview::Row {
            source_id: RecordId::parse(&id(i)).unwrap(),
            name: format!("Account {i}"),
            key: Some(id(i)),
            target_id: RecordId::parse(t["Id"].as_str().unwrap()).ok(),
            target_stamp: t["SystemModstamp"].as_str().map(str::to_string),
            outcome: Outcome::Delete,
            changes: vec![],
            problems: vec![],
            notes: vec![],
            body: Record::new(),
            depth: 0,
        });
    }
    // Account 2 was edited in the target since: it is kept.
    org.edit(&id(2), "Name", json!("Still wanted"));
    let mut state = RunState::new(&p);
    assert_eq!(state.batches.last().map(|b| b.batch.op), Some(Op::Delete));
    assert_eq!(
        block_on(run(&mut state, &p, &org, &Person::default())),
        Stop::Finished
    );
    assert!(matches!(state.results[1], Some(RecordResult::Deleted(_))));
    assert!(matches!(
        state.results[2],
        Some(RecordResult::ChangedInTarget(_))
    ));
    let left: Vec<String> = org.by_key.borrow().keys().cloned().collect();
    assert_eq!(left, [id(0), id(2)]);
}
