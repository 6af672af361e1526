//! Reading both orgs for a preview, against devorg in-process: every page, and a read the
//! browser has no room for stopped at the page that says so, with nothing more asked of either
//! org.

#[path = "../../salesforce/tests/common/mod.rs"]
mod common;

use orgbridge_sync::key::{KeyFrom, MatchKey};
use orgbridge_sync::mapping::Mapping;
use orgbridge_sync::plan::Scope;
use orgbridge_sync::read::{read, Ask, ReadFailure};

/// Every account, matched on the source Id, with no field mapped; `room` as given.
fn ask<'a>(
    mapping: &'a Mapping,
    key: &'a MatchKey,
    room: &'a dyn Fn(usize, u64) -> Option<String>,
) -> Ask<'a> {
    Ask {
        scope: &Scope::All,
        also: &[],
        mapping,
        key,
        owners: false,
        deletions_since: None,
        record_types: false,
        room,
    }
}

fn key() -> MatchKey {
    MatchKey {
        target: "External_Id__c".into(),
        from: KeyFrom::SourceId,
    }
}

#[tokio::test]
async fn every_page_is_read_while_there_is_room_and_none_after_it_runs_out() {
    let source = common::spawn_with(|c| c.accounts = 3_000).await;
    let target = common::spawn_org().await;
    let (sc, tc) = (
        common::client_for(&source).await,
        common::client_for(&target).await,
    );
    let (mapping, key) = (Mapping::default(), key());
    let ask = |room: &'static dyn Fn(usize, u64) -> Option<String>| ask(&mapping, &key, room);

    let (got, rest) = read(&sc, &tc, &ask(&|_, _| None), |_| {})
        .await
        .expect("read");
    assert_eq!(got.records.len(), 3_000);
    assert_eq!(got.calls.source, 2, "two pages of 2,000");
    assert!(!rest.streams(), "under 10,000: all read at once");

    let (before_s, before_t) = (source.state.usage.used(), target.state.usage.used());
    let stopped = read(
        &sc,
        &tc,
        &ask(&|n, total| (n >= 2_000).then(|| format!("no room at {n} of {total}"))),
        |_| {},
    )
    .await;
    assert_eq!(
        stopped.map(|(r, _)| r.records.len()),
        Err(ReadFailure::TooBig("no room at 2000 of 3000".into()))
    );
    assert_eq!(
        (
            source.state.usage.used() - before_s,
            target.state.usage.used() - before_t
        ),
        (1, 0),
        "the first page only, and nothing of the target"
    );
}

/// From 10,000 source records the target is read first and the source a page at a time: no
/// more than a page of source records is held, and the calls are the same.
#[tokio::test]
async fn a_large_source_is_read_after_the_target_a_page_at_a_time() {
    let source = common::spawn_with(|c| c.accounts = 12_000).await;
    let target = common::spawn_with(|c| c.accounts = 0).await;
    let (sc, tc) = (
        common::client_for(&source).await,
        common::client_for(&target).await,
    );
    let (mapping, key) = (Mapping::default(), key());
    let ask = ask(&mapping, &key, &|_, _| None);
    let (got, mut rest) = read(&sc, &tc, &ask, |_| {}).await.expect("read");
    assert!(rest.streams());
    assert_eq!(got.records.len(), 2_000, "the first page");
    assert_eq!(
        (got.calls.source, got.calls.target),
        (1, 1),
        "the first page, and the target's keyed count (none: nothing more to read there)"
    );
    let mut pages = vec![got.records.len()];
    let mut ids: std::collections::HashSet<String> = got
        .records
        .iter()
        .filter_map(|r| r["Id"].as_str().map(str::to_string))
        .collect();
    while let Some(page) = rest.next(&sc, &|_, _| None, |_| {}).await.expect("a page") {
        pages.push(page.len());
        ids.extend(
            page.iter()
                .filter_map(|r| r["Id"].as_str().map(str::to_string)),
        );
    }
    assert!(pages.iter().all(|&n| n <= 2_000), "{pages:?}");
    assert_eq!(ids.len(), 12_000, "every record once");
    assert_eq!(rest.calls, 5);
    // No room for the third page: it stops there, in its words.
    let (_, mut rest) = read(&sc, &tc, &ask, |_| {}).await.expect("read");
    rest.next(&sc, &|_, _| None, |_| {}).await.expect("page 2");
    let third = rest
        .next(&sc, &|n, total| Some(format!("{n} of {total}")), |_| {})
        .await;
    assert_eq!(
        third.map(|_| ()),
        Err(ReadFailure::TooBig("6000 of 12000".into()))
    );
}
