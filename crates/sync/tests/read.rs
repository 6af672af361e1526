//! Reading both orgs for a preview, against devorg in-process: every page, and a read the
//! browser has no room for stopped at the page that says so, with nothing more asked of either
//! org.

#[path = "../../salesforce/tests/common/mod.rs"]
mod common;

use orgbridge_sync::key::{KeyFrom, MatchKey};
use orgbridge_sync::mapping::Mapping;
use orgbridge_sync::plan::Scope;
use orgbridge_sync::read::{read, Ask, ReadFailure};

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
    let ask = |room: &'static dyn Fn(usize, u64) -> Option<String>| Ask {
        scope: &Scope::All,
        also: &[],
        mapping: &mapping,
        key: &key,
        owners: false,
        deletions_since: None,
        record_types: false,
        room,
    };

    let got = read(&sc, &tc, &ask(&|_, _| None), |_| {})
        .await
        .expect("read");
    assert_eq!(got.records.len(), 3_000);
    assert_eq!(got.calls.source, 2, "two pages of 2,000");

    let (before_s, before_t) = (source.state.usage.used(), target.state.usage.used());
    let stopped = read(
        &sc,
        &tc,
        &ask(&|n, total| (n >= 2_000).then(|| format!("no room at {n} of {total}"))),
        |_| {},
    )
    .await;
    assert_eq!(
        stopped.map(|r| r.records.len()),
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
