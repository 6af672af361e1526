//! The Bulk run against a fake org whose jobs go through Salesforce's states, writing through
//! the REST run's fake (so both engines meet the same org).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use futures::FutureExt;
use salesforce::rest::{Record, UpsertItem};
use serde_json::{json, Value};

use super::*;
use crate::run::tests::{block_on, id, plan, plan_over, FakeOrg, Person};
use crate::run::{Engine, Stamp, CHANGED_IN_TARGET};

struct Job {
    id: String,
    op: Op,
    upload: Option<String>,
    state: JobState,
    polls: u32,
    ok: String,
    failed: String,
    unprocessed: String,
}

/// A target with Bulk jobs: a closed job is processed on its second poll.
#[derive(Default)]
struct BulkOrg {
    org: FakeOrg,
    jobs: RefCell<Vec<Job>>,
    /// Faults for the next uploads.
    upload_faults: RefCell<VecDeque<Error>>,
    /// Faults for the next closes.
    close_faults: RefCell<VecDeque<Error>>,
    /// The org fails every job with these words, having processed its first `n` rows.
    fail_jobs: RefCell<Option<(usize, String)>>,
    aborts: Cell<u32>,
    /// Polls a job takes beyond two.
    slow: u32,
    /// What happened to which job, in order: "made 0", "done 0", "aborted 1".
    events: RefCell<Vec<String>>,
}

fn network() -> Error {
    Error::Network {
        host: "target".into(),
        url: "https://target/services/data".into(),
        detail: "connection reset".into(),
    }
}

fn ended() -> Error {
    Error::SessionEnded {
        reason: "Your session expired; sign in again.".into(),
    }
}

impl BulkOrg {
    fn job<R>(&self, id: &str, f: impl FnOnce(&mut Job) -> R) -> Result<R, Error> {
        let mut jobs = self.jobs.borrow_mut();
        match jobs.iter_mut().find(|j| j.id == id) {
            Some(j) => Ok(f(j)),
            None => Err(Error::Api {
                status: 404,
                path: format!("/jobs/ingest/{id}"),
                errors: vec![salesforce::error::ApiError {
                    error_code: "NOT_FOUND".into(),
                    message: "The requested resource does not exist".into(),
                    fields: vec![],
                }],
            }),
        }
    }

    fn info_of(j: &Job) -> JobInfo {
        JobInfo {
            id: j.id.clone(),
            state: j.state,
            object: "Account".into(),
            number_records_processed: 0,
            number_records_failed: 0,
            error_message: (j.state == JobState::Failed).then(|| "The org ran out of space".into()),
        }
    }

    fn event(&self, what: &str, job: &str) {
        let n = job.trim_start_matches("7505g00000").trim_start_matches('0');
        self.events
            .borrow_mut()
            .push(format!("{what} {}", if n.is_empty() { "0" } else { n }));
    }

    /// Writes a job's upload through the REST fake and builds its result files.
    fn process(&self, job: &mut Job) {
        self.event("done", &job.id);
        let text = job.upload.clone().unwrap_or_default();
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let lines: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        let (take, why) = self
            .fail_jobs
            .borrow()
            .clone()
            .unwrap_or((lines.len(), String::new()));
        let (done, rest) = lines.split_at(take.min(lines.len()));
        let quoted = |cells: &[String]| {
            cells
                .iter()
                .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(",")
        };
        let head = quoted(&header);
        job.ok = format!("\"sf__Id\",\"sf__Created\",{head}\n");
        job.failed = format!("\"sf__Id\",\"sf__Error\",{head}\n");
        job.unprocessed = format!("{head}\n");
        match job.op {
            Op::Upsert => {
                let records: Vec<Record> = done.iter().map(|line| record(&header, line)).collect();
                let items = self.org.write(records).now_or_never().unwrap().unwrap();
                for (line, item) in done.iter().zip(items) {
                    match item {
                        UpsertItem::Created(i) => {
                            job.ok += &format!("\"{i}\",\"true\",{}\n", quoted(line))
                        }
                        UpsertItem::Updated(i) => {
                            job.ok += &format!("\"{i}\",\"false\",{}\n", quoted(line))
                        }
                        UpsertItem::Failed(e) => {
                            job.failed += &format!(
                                "\"\",\"{}:{}:{} --\",{}\n",
                                e[0].error_code,
                                e[0].message,
                                e[0].fields.join(","),
                                quoted(line)
                            )
                        }
                    }
                }
            }
            Op::Delete => {
                let ids: Vec<RecordId> = done
                    .iter()
                    .map(|l| RecordId::parse(&l[0]).unwrap())
                    .collect();
                let answers = self.org.delete(ids).now_or_never().unwrap().unwrap();
                for (line, a) in done.iter().zip(answers) {
                    match a {
                        Ok(()) => {
                            job.ok += &format!("\"{}\",\"false\",{}\n", line[0], quoted(line))
                        }
                        Err(m) => {
                            job.failed += &format!(
                                "\"{}\",\"ENTITY_IS_DELETED:{m}:--\",{}\n",
                                line[0],
                                quoted(line)
                            )
                        }
                    }
                }
            }
        }
        for line in rest {
            job.unprocessed += &format!("{}\n", quoted(line));
        }
        job.state = if why.is_empty() {
            JobState::JobComplete
        } else {
            JobState::Failed
        };
    }

    fn created(&self) -> usize {
        self.jobs.borrow().len()
    }
}

/// A CSV line as the REST body it stands for.
fn record(header: &[String], line: &[String]) -> Record {
    let mut r = Record::new();
    for (h, v) in header.iter().zip(line) {
        if v.is_empty() {
            continue;
        }
        let v = if v == csv::NULL {
            Value::Null
        } else {
            json!(v)
        };
        match h.split_once('.') {
            Some((rel, field)) => {
                r.insert(rel.into(), json!({ field: v }));
            }
            None => {
                r.insert(h.clone(), v);
            }
        }
    }
    r
}

impl Writer for BulkOrg {
    async fn write(&self, records: Vec<Record>) -> Result<Vec<UpsertItem>, Error> {
        self.org.write(records).await
    }
    async fn delete(&self, ids: Vec<RecordId>) -> Result<Vec<Result<(), String>>, Error> {
        self.org.delete(ids).await
    }
    async fn stamps(&self, ids: Vec<RecordId>) -> Result<Vec<Option<Stamp>>, Error> {
        self.org.stamps(ids).await
    }
    fn user(&self) -> String {
        self.org.user()
    }
}

impl BulkWriter for BulkOrg {
    fn key_field(&self) -> String {
        "Source_Id__c".into()
    }
    async fn create(&self, op: Op) -> Result<String, Error> {
        let mut jobs = self.jobs.borrow_mut();
        let id = format!("7505g00000{:08}", jobs.len());
        jobs.push(Job {
            id: id.clone(),
            op,
            upload: None,
            state: JobState::Open,
            polls: 0,
            ok: String::new(),
            failed: String::new(),
            unprocessed: String::new(),
        });
        drop(jobs);
        self.event("made", &id);
        Ok(id)
    }
    async fn upload(&self, job: &str, csv: String) -> Result<(), Error> {
        let fault = self.upload_faults.borrow_mut().pop_front();
        self.job(job, |j| {
            assert!(j.upload.is_none(), "a second upload to {job}");
            // A cut-off upload may still have landed.
            j.upload = Some(csv);
        })?;
        fault.map_or(Ok(()), Err)
    }
    async fn close(&self, job: &str) -> Result<JobInfo, Error> {
        if let Some(e) = self.close_faults.borrow_mut().pop_front() {
            return Err(e);
        }
        self.job(job, |j| {
            assert_eq!(j.state, JobState::Open);
            j.state = JobState::UploadComplete;
            Self::info_of(j)
        })
    }
    async fn abort(&self, job: &str) -> Result<JobInfo, Error> {
        self.aborts.set(self.aborts.get() + 1);
        self.event("aborted", job);
        self.job(job, |j| {
            if !j.state.is_final() {
                // Nothing processed: every uploaded line is unprocessed.
                let upload = j.upload.clone().unwrap_or_default();
                j.unprocessed = upload;
                j.ok = "\"sf__Id\",\"sf__Created\"\n".into();
                j.failed = "\"sf__Id\",\"sf__Error\"\n".into();
                j.state = JobState::Aborted;
            }
            Self::info_of(j)
        })
    }
    async fn info(&self, job: &str) -> Result<JobInfo, Error> {
        let mut jobs = self.jobs.borrow_mut();
        let j = jobs.iter_mut().find(|j| j.id == job).expect("a job");
        if matches!(j.state, JobState::UploadComplete | JobState::InProgress) {
            j.polls += 1;
            j.state = JobState::InProgress;
            if j.polls >= 2 + self.slow {
                self.process(j);
            }
        }
        Ok(Self::info_of(j))
    }
    async fn results(&self, job: &str, which: JobResults) -> Result<String, Error> {
        self.job(job, |j| match which {
            JobResults::Successful => j.ok.clone(),
            JobResults::Failed => j.failed.clone(),
            JobResults::Unprocessed => j.unprocessed.clone(),
        })
    }
}

fn bulk_run(p: &Preview) -> RunState {
    RunState::with_engine(p, Engine::Bulk)
}

#[test]
fn each_depth_is_one_job_parents_finished_before_children_in_a_handful_of_calls() {
    let p = plan(1_000);
    let org = BulkOrg {
        slow: 1,
        ..Default::default()
    };
    let person = Person::default();
    let mut state = bulk_run(&p);
    assert_eq!(state.batches.len(), 2, "900 parents, then 100 children");
    assert_eq!(block_on(run(&mut state, &p, &org, &person)), Stop::Finished);
    assert_eq!(org.org.by_key.borrow().len(), 1_000);
    assert_eq!(org.created(), 2);
    assert!(state
        .results
        .iter()
        .all(|r| matches!(r, Some(RecordResult::Created(_)))));
    assert_eq!(state.progress(), (1_000, 1_000));
    // Per job: create, upload, close, three polls, two result files.
    assert_eq!(state.calls, 16);
    let child = &org.org.by_key.borrow()[&id(9)].1;
    assert_eq!(child["Parent"], json!({"Source_Id__c": id(8)}));
    // The job's state and counts are kept for the screen.
    let job = state.batches[1].job.as_ref().unwrap();
    assert_eq!(job.state, "JobComplete");
    // It waited longer between polls as a job went on.
    assert_eq!(*person.slept.borrow(), [500, 1_000, 500, 1_000]);
}

#[test]
fn rows_the_org_refuses_are_failed_with_its_words_and_run_again_alone() {
    let p = plan(20);
    let org = BulkOrg {
        org: FakeOrg {
            max_name: 9, // "Account 10" and on are refused
            ..Default::default()
        },
        ..Default::default()
    };
    let person = Person::default();
    let mut state = bulk_run(&p);
    assert_eq!(block_on(run(&mut state, &p, &org, &person)), Stop::Finished);
    assert!(matches!(state.results[3], Some(RecordResult::Created(_))));
    assert_eq!(
        state.results[12],
        Some(RecordResult::Failed(
            "Account Name: data value too large".into()
        ))
    );
    let mut again = state.failures_only();
    assert_eq!(again.engine, Engine::Bulk);
    assert!(again.batches.iter().all(|b| b.job.is_none()));
    let jobs_before = org.created();
    block_on(run(&mut again, &p, &org, &person));
    assert!(
        org.created() > jobs_before,
        "the failures went up in a new job"
    );
    // Only the failed rows were in it.
    let sent: String = org.jobs.borrow()[jobs_before..]
        .iter()
        .filter_map(|j| j.upload.clone())
        .collect();
    let has = |name: &str| sent.lines().any(|l| l.split(',').nth(1) == Some(name));
    assert!(!has("Account 3") && has("Account 12"), "{sent}");
}

#[test]
fn a_pause_or_reload_while_a_job_runs_follows_that_job_and_never_starts_another() {
    let p = plan(30);
    let org = BulkOrg::default();
    // The person pauses at the first poll of the first job (wanted: before the job, then at
    // each poll).
    let person = Person::default();
    person.pause_after.set(Some(1));
    let mut state = bulk_run(&p);
    assert_eq!(block_on(run(&mut state, &p, &org, &person)), Stop::Paused);
    let mut kept = person.kept.borrow().clone().unwrap();
    assert_eq!(kept.batches[0].status, Status::Sent);
    assert!(kept.batches[0].job.is_some());
    // The bar follows what the org has processed, before the results are read.
    assert_eq!(kept.progress(), (0, 30));
    kept.batches[0].job.as_mut().unwrap().processed = 20;
    assert_eq!(kept.progress(), (20, 30));
    kept.batches[0].job.as_mut().unwrap().processed = 0;
    // Reloaded: the kept state resumes.
    let mut resumed = kept;
    let person = Person::default();
    assert_eq!(
        block_on(run(&mut resumed, &p, &org, &person)),
        Stop::Finished
    );
    assert_eq!(
        org.created(),
        2,
        "the first job was followed, not made again"
    );
    assert_eq!(org.org.by_key.borrow().len(), 30);
    assert_eq!(
        org.org.calls.get(),
        2,
        "each record written once, by its job"
    );
}

#[test]
fn a_job_left_open_by_a_reload_is_aborted_and_made_again_without_duplicates() {
    let p = plan(5);
    let org = BulkOrg::default();
    org.close_faults.borrow_mut().push_back(ended());
    let person = Person::default();
    let mut state = bulk_run(&p);
    assert!(matches!(
        block_on(run(&mut state, &p, &org, &person)),
        Stop::Held(_)
    ));
    // Uploaded, never closed: the resume cannot know whether the upload landed.
    let mut resumed = person.kept.borrow().clone().unwrap();
    assert_eq!(
        block_on(run(&mut resumed, &p, &org, &person)),
        Stop::Finished
    );
    assert_eq!(org.aborts.get(), 1);
    assert_eq!(org.created(), 2);
    assert_eq!(org.jobs.borrow()[0].state, JobState::Aborted);
    assert_eq!(org.org.by_key.borrow().len(), 5);
    assert!(resumed
        .results
        .iter()
        .all(|r| matches!(r, Some(RecordResult::Created(_)))));
}

#[test]
fn an_upload_cut_off_goes_again_in_a_new_job_and_holds_after_four() {
    let p = plan(5);
    let org = BulkOrg::default();
    org.upload_faults.borrow_mut().push_back(network());
    let person = Person::default();
    let mut state = bulk_run(&p);
    assert_eq!(block_on(run(&mut state, &p, &org, &person)), Stop::Finished);
    assert_eq!(org.created(), 2);
    assert_eq!(
        org.aborts.get(),
        1,
        "the cut-off job is aborted, never processed"
    );
    assert_eq!(org.org.by_key.borrow().len(), 5);
    assert_eq!(org.org.calls.get(), 1);

    let org = BulkOrg::default();
    org.upload_faults
        .borrow_mut()
        .extend((0..4).map(|_| network()));
    let mut state = bulk_run(&p);
    let Stop::Held(why) = block_on(run(&mut state, &p, &org, &person)) else {
        panic!("held")
    };
    assert!(
        why.contains("cut off 4 times") && why.contains("Resume"),
        "{why}"
    );
    assert!(org.org.by_key.borrow().is_empty());
    assert!(state.batches[0].job.is_none() && state.results.iter().all(Option::is_none));
}

#[test]
fn a_job_the_org_fails_says_why_and_its_unprocessed_rows_are_failures_to_run_again() {
    let p = plan(8);
    let org = BulkOrg::default();
    *org.fail_jobs.borrow_mut() = Some((3, "The org ran out of space".into()));
    let person = Person::default();
    let mut state = bulk_run(&p);
    assert_eq!(block_on(run(&mut state, &p, &org, &person)), Stop::Finished);
    let job = state.batches[0].job.as_ref().unwrap();
    assert_eq!(job.state, "Failed");
    assert_eq!(job.error.as_deref(), Some("The org ran out of space"));
    let written = state
        .results
        .iter()
        .filter(|r| matches!(r, Some(RecordResult::Created(_))))
        .count();
    assert_eq!(written, 3, "what it processed stays");
    assert_eq!(
        state.results[5],
        Some(RecordResult::Failed(
            "Not written: the org failed the Bulk job (The org ran out of space).".into()
        ))
    );
    *org.fail_jobs.borrow_mut() = None;
    let mut again = state.failures_only();
    assert_eq!(block_on(run(&mut again, &p, &org, &person)), Stop::Finished);
    assert_eq!(org.org.by_key.borrow().len(), 8);
}

/// Cancels at its `n`th look.
struct Canceller(Cell<u32>, u32);

impl Control for Canceller {
    fn wanted(&self) -> Option<Stop> {
        self.0.set(self.0.get() + 1);
        (self.0.get() > self.1).then_some(Stop::Cancelled)
    }
    fn concurrency(&self) -> usize {
        1
    }
    async fn sleep(&self, _ms: u32) {}
    async fn saw(&self, _state: &RunState) {}
}

#[test]
fn cancel_aborts_the_running_job_and_says_what_it_never_wrote() {
    let p = plan(5);
    let org = BulkOrg::default();
    let mut state = bulk_run(&p);
    // Looks before the job, then at its first poll: cancels there.
    assert_eq!(
        block_on(run(&mut state, &p, &org, &Canceller(Cell::new(0), 1))),
        Stop::Cancelled
    );
    assert_eq!(org.aborts.get(), 1);
    assert!(org.org.by_key.borrow().is_empty());
    assert_eq!(
        state.results[0],
        Some(RecordResult::Failed(
            "Not written: the Bulk job was cancelled before it got to this record.".into()
        ))
    );
}

#[test]
fn a_record_changed_in_the_target_since_the_preview_is_left_out_of_the_job() {
    let org = BulkOrg::default();
    let targets: Vec<Record> = (0..3).map(|i| org.org.existing(&id(i), "Old")).collect();
    let p = plan_over(3, &targets);
    org.org.edit(&id(1), "Name", json!("Their edit"));
    let mut state = bulk_run(&p);
    assert_eq!(
        block_on(run(&mut state, &p, &org, &Person::default())),
        Stop::Finished
    );
    assert_eq!(
        state.results[1],
        Some(RecordResult::ChangedInTarget(CHANGED_IN_TARGET.into()))
    );
    assert_eq!(org.org.name_of(&id(1)), json!("Their edit"));
    assert!(matches!(state.results[2], Some(RecordResult::Updated(_))));
    let upload = org.jobs.borrow()[0].upload.clone().unwrap();
    assert!(!upload.contains(&id(1)), "{upload}");
}

#[test]
fn deletions_go_last_in_their_own_job() {
    let org = BulkOrg::default();
    let t = org.org.existing("gone", "Gone");
    let mut p = plan(3);
    p.rows.push(&crate::preview::Row {
        source_id: RecordId::parse(&id(99)).unwrap(),
        name: "Gone".into(),
        key: Some("gone".into()),
        target_id: Some(RecordId::parse(t["Id"].as_str().unwrap()).unwrap()),
        target_stamp: t["SystemModstamp"].as_str().map(str::to_string),
        outcome: crate::preview::Outcome::Delete,
        changes: vec![],
        problems: vec![],
        notes: vec![],
        body: Record::new(),
        depth: 0,
    });
    let mut state = bulk_run(&p);
    assert_eq!(state.batches.last().unwrap().batch.op, Op::Delete);
    assert_eq!(
        block_on(run(&mut state, &p, &org, &Person::default())),
        Stop::Finished
    );
    assert!(matches!(state.results[3], Some(RecordResult::Deleted(_))));
    assert!(!org.org.by_key.borrow().contains_key("gone"));
    assert_eq!(org.org.by_key.borrow().len(), 3);
}

#[test]
fn jobs_split_before_an_upload_would_pass_salesforce_s_size() {
    let p = four_jobs();
    // Each row's estimate is a quarter of a job: 10 rows of depth 0 (9) and 1 (1).
    let jobs = jobs(&p);
    assert_eq!(
        jobs.iter().map(|j| j.rows.len()).collect::<Vec<_>>(),
        vec![3, 3, 3, 1]
    );
    // The estimate is never below the upload itself.
    let upload = csv::upload(
        p.rows.columns(&jobs[0].rows),
        jobs[0].rows.iter().map(|&r| p.rows.get(r).body),
        "Source_Id__c",
    );
    assert!(upload.len() <= JOB_BYTES);
}

/// Rows of `plan(10)` each a quarter of a job: depth 0 in three jobs, the child in a fourth.
fn four_jobs() -> Preview {
    let mut p = plan(10);
    let big = "x".repeat(JOB_BYTES / 8);
    for n in 0..p.rows.len() {
        let mut row = p.rows.get(n);
        row.body.insert("Description".into(), json!(big));
        p.rows.set(n, &row);
    }
    p
}

#[test]
fn jobs_of_one_depth_run_two_at_once_and_children_wait_for_their_parents() {
    let p = four_jobs();
    let org = BulkOrg::default();
    let mut state = bulk_run(&p);
    assert_eq!(
        block_on(run(&mut state, &p, &org, &Person::default())),
        Stop::Finished
    );
    assert_eq!(
        *org.events.borrow(),
        ["made 0", "made 1", "done 0", "made 2", "done 1", "done 2", "made 3", "done 3"],
        "the next job is made while one runs; the child's only once its parents' are done"
    );
    assert_eq!(org.org.by_key.borrow().len(), 10, "each record once");
}

#[test]
fn cancel_aborts_both_jobs_running_and_pause_leaves_them_to_the_resume() {
    // Looks before job 0, before job 1 (alongside it), then at job 0's first poll: cancels.
    let p = four_jobs();
    let org = BulkOrg::default();
    let mut state = bulk_run(&p);
    assert_eq!(
        block_on(run(&mut state, &p, &org, &Canceller(Cell::new(0), 2))),
        Stop::Cancelled
    );
    assert_eq!(
        *org.events.borrow(),
        ["made 0", "made 1", "aborted 0", "aborted 1"]
    );
    assert!(org.org.by_key.borrow().is_empty());
    for b in &state.batches {
        let begun = b.job.is_some();
        for &r in &b.batch.rows {
            let failed = matches!(state.results[r], Some(RecordResult::Failed(_)));
            assert_eq!(
                failed, begun,
                "row {r}: said unwritten where its job was begun"
            );
        }
    }

    // Paused as job 1 begins beside job 0: both go on in the org and the resume follows them.
    let org = BulkOrg::default();
    let mut state = bulk_run(&p);
    let person = Person::default();
    person.pause_after.set(Some(1));
    assert_eq!(block_on(run(&mut state, &p, &org, &person)), Stop::Paused);
    assert_eq!(*org.events.borrow(), ["made 0"]);
    person.pause_after.set(None);
    assert_eq!(block_on(run(&mut state, &p, &org, &person)), Stop::Finished);
    assert_eq!(org.created(), 4, "job 0 followed, never made again");
    assert_eq!(org.org.by_key.borrow().len(), 10);
    // Job 0's results, found again without its upload's keys, are matched on the rows' keys.
    assert!(state
        .results
        .iter()
        .all(|r| matches!(r, Some(RecordResult::Created(_)))));
}

#[test]
fn the_engine_follows_the_threshold_and_says_why() {
    let (engine, why) = choose(2_000, DEFAULT_THRESHOLD);
    assert_eq!(engine, Engine::Bulk);
    assert!(
        why.contains("Bulk API 2.0") && why.contains("2,000 records to write is at least 2,000"),
        "{why}"
    );
    let (engine, why) = choose(1_999, DEFAULT_THRESHOLD);
    assert_eq!(engine, Engine::Rest);
    assert!(
        why.contains("1,999 records to write is under 2,000"),
        "{why}"
    );
    assert_eq!(choose(5, 5).0, Engine::Bulk);
    assert_eq!(choose(0, 0).0, Engine::Rest, "nothing to write is no job");
}

#[test]
fn polls_follow_the_job_s_pace_and_back_off_without_one() {
    // Half done in the last second: the rest in about another, polled a little after.
    assert_eq!(next_pause(1_000, 0, 50_000, 100_000), 1_100);
    // A fifth done: about 4 s left, polled part of the way there.
    assert_eq!(next_pause(1_000, 0, 20_000, 100_000), 2_400);
    // Slow: never more than 10 s.
    assert_eq!(next_pause(1_000, 0, 10, 100_000), MAX_POLL_MS);
    // Nearly done: not less than a quarter second.
    assert_eq!(next_pause(1_000, 0, 99_999, 100_000), 250);
    // No progress to go by: twice the last.
    assert_eq!(next_pause(500, 0, 0, 100_000), 1_000);
    assert_eq!(next_pause(8_000, 5, 5, 100_000), MAX_POLL_MS);
}
