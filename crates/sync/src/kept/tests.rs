use std::collections::BTreeMap;

use salesforce::rest::Record;
use salesforce::types::RecordId;

use super::*;
use crate::key::KeyFrom;
use crate::run::{RecordResult, RunState, Status};
use crate::testing::insert_row;

/// A browser's store of one pair, as the app keeps it: name → text, or bytes for a chunk.
type Store = BTreeMap<String, Vec<u8>>;

fn preview(n: usize) -> Preview {
    Preview {
        rows: (0..n)
            .map(|i| insert_row(i, format!("Account {i}"), Record::new()))
            .collect(),
        missing_parents: vec![],
        watermark: Some("2026-12-01T10:00:00.000+0000".into()),
    }
}

fn plan(run_id: &str, p: &Preview) -> Plan {
    let key = MatchKey {
        target: "Source_Id__c".into(),
        from: KeyFrom::SourceId,
    };
    Plan::new(run_id.into(), p, key, Engine::Rest, 0.0, None)
}

/// What the app's `keep_plan` does: the pair's records replaced by the head and chunks.
fn keep_plan(store: &mut Store, plan: &Plan, p: &Preview) -> Keeper {
    store.clear();
    for n in 0..plan.chunks() {
        store.insert(names::chunk(n), plan.chunk_bytes(p, n));
    }
    store.insert(names::PLAN.into(), plan.text().into_bytes());
    Keeper::new(plan)
}

/// What the app does after each wave: the keeper's write, kept.
fn keep(store: &mut Store, keeper: &mut Keeper, state: &RunState) -> Option<usize> {
    let write = keeper.next(state)?;
    let bytes = write.bytes();
    for (name, text) in &write.records {
        store.insert(name.clone(), text.clone().into_bytes());
    }
    keeper.kept(write);
    Some(bytes)
}

/// What the app's `unfinished` does: each record read in turn.
fn restore(store: &Store) -> Restored {
    let get = |name: &str| {
        store
            .get(name)
            .map(|b| std::str::from_utf8(b).expect("a text record"))
    };
    let run = || -> Result<Restored, Restored> {
        let mut r = Restoring::start(get(names::PLAN), !store.is_empty())?;
        for n in 0..r.plan().chunks() {
            r.chunk(n, store.get(&names::chunk(n)).map(Vec::as_slice))?;
        }
        let settled = r.progress(get(names::BATCHES), get(names::PROGRESS))?;
        for seq in 0..settled {
            r.settled(seq, get(&names::settled(seq)))?;
        }
        Ok(r.finish())
    };
    run().unwrap_or_else(|r| r)
}

fn created(n: usize) -> Option<RecordResult> {
    Some(RecordResult::Created(
        RecordId::parse(&format!("001T{n:011}")).unwrap(),
    ))
}

/// Sends the next `k` waiting batches and settles them, as a REST wave does.
fn wave(state: &mut RunState, k: usize) -> Vec<usize> {
    let sent: Vec<usize> = (0..state.batches.len())
        .filter(|&b| state.batches[b].status == Status::Waiting)
        .take(k)
        .collect();
    for &b in &sent {
        for r in state.batches[b].batch.rows.clone() {
            state.results[r] = created(r);
        }
        state.batches[b].status = Status::Done;
    }
    sent
}

fn resumed(restored: Restored) -> Box<Resumable> {
    match restored {
        Restored::Run(r) => r,
        other => panic!("not a run: {other:?}"),
    }
}

#[test]
fn a_run_comes_back_as_it_was_kept_in_chunks() {
    let p = preview(4_500);
    let a = plan("run-a", &p);
    let mut store = Store::new();
    let mut keeper = keep_plan(&mut store, &a, &p);
    assert_eq!(a.chunks(), 3, "2,000 rows per chunk");
    assert!(
        store.values().all(|t| t.len() < 2_000 * 400),
        "no record holds the whole plan"
    );
    // Nothing sent yet: the run comes back as it starts.
    let fresh = resumed(restore(&store));
    assert!(fresh.preview == p);
    assert!(fresh.state == RunState::new(&p));

    let mut state = RunState::new(&p);
    state.calls = 1;
    wave(&mut state, 3);
    state.batches[3].status = Status::Sent;
    keep(&mut store, &mut keeper, &state).unwrap();
    wave(&mut state, 2);
    state.calls = 3;
    keep(&mut store, &mut keeper, &state).unwrap();
    let back = resumed(restore(&store));
    assert!(back.state == state);
    assert!(back.preview == p);
    assert_eq!(back.plan, a);
    assert!(back.keeper == keeper, "a resume keeps on from where it was");
    assert!(matches!(restore(&Store::new()), Restored::Nothing));

    // Finished: nothing to resume.
    state.batches[3].status = Status::Waiting;
    while !wave(&mut state, 8).is_empty() {}
    keep(&mut store, &mut keeper, &state).unwrap();
    assert!(matches!(restore(&store), Restored::Nothing));
}

#[test]
fn a_wave_writes_its_own_results_and_a_few_hundred_bytes_whatever_the_run_s_size() {
    let mut sizes = Vec::new();
    for n in [10_000, 100_000] {
        let p = preview(n);
        let a = plan("run-a", &p);
        let mut store = Store::new();
        let mut keeper = keep_plan(&mut store, &a, &p);
        let mut state = RunState::new(&p);
        wave(&mut state, 8);
        keep(&mut store, &mut keeper, &state).unwrap();
        wave(&mut state, 8);
        let before = store.clone();
        let bytes = keep(&mut store, &mut keeper, &state).unwrap();
        let written: Vec<&String> = store
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(v))
            .map(|(k, _)| k)
            .collect();
        assert_eq!(written, ["progress", "settled/1"], "only what changed");
        assert!(
            store["progress"].len() < 300,
            "progress: {}",
            String::from_utf8_lossy(&store["progress"])
        );
        sizes.push(bytes);
    }
    // 1,600 records' results (8 calls of 200), the same at either size (but a digit of a
    // batch count).
    assert!(sizes[0].abs_diff(sizes[1]) < 4, "{sizes:?}");
    assert!(sizes[0] < 1_600 * 60, "{} bytes", sizes[0]);
}

#[test]
fn a_bulk_job_s_counts_alone_are_not_kept_again() {
    let p = preview(10);
    let a = plan("run-a", &p);
    let mut store = Store::new();
    let mut keeper = keep_plan(&mut store, &a, &p);
    let mut state = RunState::with_engine(&p, Engine::Bulk);
    state.batches[0].status = Status::Sent;
    state.batches[0].job = Some(crate::run::BulkJob {
        id: "750T0000000001".into(),
        state: "InProgress".into(),
        processed: 0,
        failed: 0,
        error: None,
    });
    keep(&mut store, &mut keeper, &state).unwrap();
    state.batches[0].job.as_mut().unwrap().processed = 5;
    state.calls += 1;
    assert_eq!(
        keeper.next(&state),
        None,
        "a poll's counts are shown, not kept"
    );
    state.batches[0].job.as_mut().unwrap().state = "JobComplete".into();
    keep(&mut store, &mut keeper, &state).expect("a new state is kept");
    let back = resumed(restore(&store));
    assert_eq!(back.state.batches[0].job, state.batches[0].job);
    assert_eq!(back.state.engine, Engine::Bulk);
}

#[test]
fn a_re_run_of_failures_is_kept_with_its_own_batches() {
    let p = preview(450);
    let a = plan("run-a", &p);
    let mut store = Store::new();
    let mut keeper = keep_plan(&mut store, &a, &p);
    let mut state = RunState::new(&p);
    wave(&mut state, 3);
    for r in [5, 250, 449] {
        state.results[r] = Some(RecordResult::Failed("refused".into()));
    }
    keep(&mut store, &mut keeper, &state).unwrap();
    assert!(matches!(restore(&store), Restored::Nothing), "finished");

    // The re-run: its first wave settles 250 with another result before anything is kept.
    let mut again = state.failures_only();
    assert_eq!(again.attempt, 1);
    again.results[250] = Some(RecordResult::ChangedInTarget("changed".into()));
    again.batches[0].status = Status::Sent;
    keep(&mut store, &mut keeper, &again).unwrap();
    let back = resumed(restore(&store));
    assert_eq!(back.state, again);
    assert_eq!(back.state.results[5], None, "to be written again");
}

#[test]
fn another_run_s_progress_is_never_applied() {
    // Run A was not finished; run B's start kept its plan, then stopped before its first wave.
    let p = preview(3);
    let a = plan("run-a", &p);
    let mut store = Store::new();
    let mut keeper = keep_plan(&mut store, &a, &p);
    let mut state = RunState::new(&p);
    state.results[1] = created(1);
    state.batches[0].status = Status::Sent;
    keep(&mut store, &mut keeper, &state).unwrap();
    let b = plan("run-b", &p);
    store.insert(names::PLAN.into(), b.text().into_bytes());
    for n in 0..b.chunks() {
        store.insert(names::chunk(n), b.chunk_bytes(&p, n));
    }
    let back = resumed(restore(&store));
    assert_eq!(back.plan.run_id, "run-b");
    assert_eq!(back.state, RunState::new(&p), "A's rows are not B's");
}

#[test]
fn a_record_this_version_cannot_read_is_dropped_with_a_message() {
    let p = preview(2_500);
    let a = plan("run-a", &p);
    let mut base = Store::new();
    let mut keeper = keep_plan(&mut base, &a, &p);
    let mut state = RunState::new(&p);
    wave(&mut state, 2);
    keep(&mut base, &mut keeper, &state).unwrap();
    assert!(matches!(restore(&base), Restored::Run(_)));

    let dropped = |store: &Store| match restore(store) {
        Restored::Dropped(why) => assert!(why.contains("could not be read"), "{why}"),
        other => panic!(
            "not dropped: {}",
            format!("{other:?}").chars().take(200).collect::<String>()
        ),
    };
    // Version 2 kept the whole plan, preview and all, in one record.
    let mut old = Store::new();
    old.insert(
        "plan".into(),
        serde_json::json!({"version": 2, "run_id": "run-a", "preview": p, "key": a.key, "made_at_ms": 0.0}).to_string().into_bytes(),
    );
    dropped(&old);
    let mut newer = base.clone();
    let head = String::from_utf8(newer["plan"].clone())
        .unwrap()
        .replace("\"version\":4", "\"version\":99");
    newer.insert("plan".into(), head.into_bytes());
    dropped(&newer);
    let mut missing_chunk = base.clone();
    missing_chunk.remove("plan/1");
    dropped(&missing_chunk);
    let mut missing_results = base.clone();
    missing_results.remove("settled/0");
    dropped(&missing_results);
    let mut no_plan = base.clone();
    no_plan.remove("plan");
    dropped(&no_plan);
    let mut garbled = base.clone();
    garbled.insert("progress".into(), b"{not json".to_vec());
    dropped(&garbled);
    // A chunk cut short, or of the version before (its rows as JSON text).
    let mut cut = base.clone();
    let chunk = cut["plan/1"].clone();
    cut.insert("plan/1".into(), chunk[..chunk.len() - 10].to_vec());
    dropped(&cut);
    let mut v3 = base.clone();
    v3.insert(
        "plan/1".into(),
        serde_json::json!({"version": 3, "run_id": "run-a", "n": 1, "rows": []})
            .to_string()
            .into_bytes(),
    );
    dropped(&v3);
    // Progress whose rows do not fit the plan.
    let mut wide = base.clone();
    let small = preview(3);
    let s = plan("run-a", &small);
    wide.retain(|k, _| !k.starts_with("plan"));
    wide.insert("plan".into(), s.text().into_bytes());
    wide.insert("plan/0".into(), s.chunk_bytes(&small, 0));
    dropped(&wide);
}

#[test]
fn statuses_are_kept_run_length_encoded() {
    use Status::*;
    let s = [Done, Done, Done, Sent, Waiting, Waiting, Done];
    let text = encode_statuses(s.iter().copied());
    assert_eq!(text, "D3S1W2D1");
    assert_eq!(decode_statuses(&text).unwrap(), s);
    assert_eq!(decode_statuses("").unwrap(), []);
    assert_eq!(decode_statuses("X3"), None);
    assert_eq!(decode_statuses("D"), None);
    let many = encode_statuses(std::iter::repeat_n(Done, 5_000).chain([Sent; 8]));
    assert_eq!(many, "D5000S8");
}
