//! What keeping a run in the browser writes, at a run's real size: the plan's chunks, each wave
//! of REST calls, each Bulk job's poll and its results, and the time the keeper takes per wave.
//! Run by `benches/kept.sh` (`KEPT_BENCH_N` rows, 1,000,000 unless set). Figures, not pass/fail.

use std::time::Instant;

use orgbridge_sync::kept::{Keeper, Plan, Restored, Restoring, CHUNK};
use orgbridge_sync::key::{KeyFrom, MatchKey};
use orgbridge_sync::preview::{Change, Outcome, Preview, Row};
use orgbridge_sync::run::{BulkJob, Engine, RecordResult, RunState, Status};
use salesforce::rest::Record;
use salesforce::types::RecordId;
use serde_json::Value;

/// A row as a preview of a new account with `fields` mapped fields has it.
fn row(n: usize, fields: usize) -> Row {
    let mut body = Record::new();
    let mut changes = Vec::new();
    for f in 0..fields {
        let (name, value) = (format!("Field_{f}__c"), format!("Value {n} {f}"));
        body.insert(name.clone(), Value::String(value));
        changes.push(Change {
            field: name.into(),
            before: Value::Null,
            after: None,
        });
    }
    Row {
        source_id: RecordId::parse(&format!("001{n:012}")).expect("an id"),
        name: format!("Account {n}"),
        key: Some(format!("001{n:012}AAA")),
        target_id: None,
        target_stamp: None,
        outcome: Outcome::Insert,
        changes,
        problems: vec![],
        notes: vec![],
        body,
        depth: 0,
    }
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1e3)
}

fn main() {
    let n: usize = std::env::var("KEPT_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    // The rows themselves are kept once, in chunks: one chunk of 60-field rows measured.
    let full = Preview {
        rows: (0..CHUNK).map(|i| row(i, 60)).collect(),
        missing_parents: vec![],
        watermark: None,
    };
    let key = MatchKey {
        target: "Source_Id__c".into(),
        from: KeyFrom::SourceId,
    };
    let one = Plan::new("run".into(), &full, key.clone(), Engine::Rest, 0.0, None);
    let chunk = one.chunk_bytes(&full, 0).len();
    println!(
        "{} rows: the plan is {} chunk records of {} (2,000 rows of 60 fields), about {:.0} MB in all, written once as bytes (a head, then the rows compressed); the largest record is one chunk",
        n,
        n.div_ceil(CHUNK),
        kb(chunk),
        (chunk * n.div_ceil(CHUNK)) as f64 / 1e6
    );

    // Progress, at n rows of any width (results do not depend on the fields).
    let preview = Preview {
        rows: (0..n).map(|i| row(i, 0)).collect(),
        missing_parents: vec![],
        watermark: None,
    };
    for engine in [Engine::Rest, Engine::Bulk] {
        let plan = Plan::new("run".into(), &preview, key.clone(), engine, 0.0, None);
        let mut keeper = Keeper::new(&plan);
        let mut state = RunState::with_engine(&preview, engine);
        let (mut waves, mut bytes, mut largest, mut keeping) = (0usize, 0usize, 0usize, 0f64);
        let (mut polls, mut poll_bytes) = (0usize, 0usize);
        let mut keep = |state: &RunState, keeper: &mut Keeper| {
            let t = Instant::now();
            let write = keeper.next(state);
            let size = write.as_ref().map_or(0, |w| w.bytes());
            if let Some(w) = write {
                keeper.kept(w);
            }
            keeping += t.elapsed().as_secs_f64();
            size
        };
        let batches = state.batches.len();
        let mut b = 0;
        while b < batches {
            let wave: Vec<usize> = (b..(b + 8).min(batches)).collect();
            b += wave.len();
            for &w in &wave {
                state.batches[w].status = Status::Sent;
                if engine == Engine::Bulk {
                    state.batches[w].job = Some(BulkJob {
                        id: format!("750{w:012}"),
                        state: "InProgress".into(),
                        processed: 0,
                        failed: 0,
                        error: None,
                    });
                }
            }
            keep(&state, &mut keeper);
            if engine == Engine::Bulk {
                // Ten polls while the org works: counts only.
                for p in 1..=10u64 {
                    for &w in &wave {
                        state.batches[w].job.as_mut().expect("a job").processed = p * 1_000;
                    }
                    state.calls += 1;
                    let size = keep(&state, &mut keeper);
                    polls += 1;
                    poll_bytes += size;
                }
            }
            for &w in &wave {
                for r in state.batches[w].batch.rows.clone() {
                    state.results[r] = Some(RecordResult::Created(
                        RecordId::parse(&format!("001T{r:011}")).expect("an id"),
                    ));
                }
                state.batches[w].status = Status::Done;
            }
            let size = keep(&state, &mut keeper);
            waves += 1;
            bytes += size;
            largest = largest.max(size);
        }
        println!(
            "{engine:?}: {batches} batches in {waves} waves; kept per wave: {} on average, {} at most; {polls} job polls wrote {} in all; the keeper's time: {:.1} ms per wave, {:.2} s in all",
            kb(bytes / waves.max(1)),
            kb(largest),
            kb(poll_bytes),
            keeping * 1e3 / waves.max(1) as f64,
            keeping
        );
    }

    // Restoring a run halfway, record by record.
    let plan = Plan::new("run".into(), &preview, key, Engine::Rest, 0.0, None);
    let t = Instant::now();
    let mut r = Restoring::start(Some(&plan.text()), false).expect("a head");
    for c in 0..plan.chunks() {
        r.chunk(c, Some(&plan.chunk_bytes(&preview, c)))
            .expect("a chunk");
    }
    let settled = r.progress(None, None).expect("fresh");
    assert_eq!(settled, 0);
    let back = matches!(r.finish(), Restored::Run(_));
    println!(
        "restore of {n} rows (no fields) from {} chunks: {:.2} s (ok: {back})",
        plan.chunks(),
        t.elapsed().as_secs_f64()
    );
}
