//! A run kept in the browser's IndexedDB, so a reload or a closed tab does not lose it, in the
//! small records `orgbridge_sync::kept` defines (the plan's head and its rows in chunks of bytes, written
//! once when the run starts, before any call; the batches; the results of each wave and a small
//! progress record, written after every wave in one transaction), under the pair of orgs and
//! users, tied by the run's id and a format version (checked on restore). Account data stays on
//! this computer and is dropped when the run finishes or is discarded, or when the person signs
//! out of either org and does not choose to keep it. sessionStorage holds too little for 10,000
//! records, and one record per run would be one giant string at a million.

use js_sys::Uint8Array;
use orgbridge_sync::kept::{names, Restoring};
pub use orgbridge_sync::kept::{Keeper, Plan, Restored, Resumable, Write};
use orgbridge_sync::preview::Preview;

use crate::indexed::{delete_all, get, get_bytes, names, put_all, put_values};

/// Where a pair's run is kept: `<source org>/<user>><target org>/<user>`.
pub fn pair(source_key: &str, target_key: &str) -> String {
    format!("{source_key}>{target_key}")
}

/// Keeps a new run's plan (once, as it starts, before any call): the pair's last run, finished
/// or not, is replaced. Each chunk of rows is its own transaction, so no step holds more than
/// 2,000 rows' text; the head goes last, so a head always has its rows.
pub async fn keep_plan(pair: &str, plan: &Plan, preview: &Preview) -> Result<Keeper, String> {
    delete_all(pair).await;
    for n in 0..plan.chunks() {
        let bytes = Uint8Array::from(plan.chunk_bytes(preview, n).as_slice());
        put_values(pair, &[(&names::chunk(n), bytes.into())]).await?;
    }
    put_all(pair, &[(names::PLAN.to_string(), plan.text())]).await?;
    Ok(Keeper::new(plan))
}

/// Keeps what a wave changed (see `Keeper::next`).
pub async fn keep(pair: &str, write: &Write) -> Result<(), String> {
    put_all(pair, &write.records).await
}

/// Whether the pair's plan is kept (a finished run's is dropped).
pub async fn has_plan(pair: &str) -> bool {
    get(&format!("{pair}/{}", names::PLAN)).await.is_some()
}

/// The unfinished run of a pair, if one is kept; what cannot be used is forgotten, and said.
pub async fn unfinished(pair: &str) -> Restored {
    let restored = match restoring(pair).await {
        Ok(r) => r,
        Err(r) => r,
    };
    if !matches!(restored, Restored::Run(..)) {
        forget(pair).await;
    }
    restored
}

async fn restoring(pair: &str) -> Result<Restored, Restored> {
    let at = |name: String| format!("{pair}/{name}");
    let head = get(&at(names::PLAN.into())).await;
    let more = head.is_none() && !names_of(pair).await.is_empty();
    let mut r = Restoring::start(head.as_deref(), more)?;
    for n in 0..r.plan().chunks() {
        r.chunk(n, get_bytes(&at(names::chunk(n))).await.as_deref())?;
    }
    let batches = get(&at(names::BATCHES.into())).await;
    let progress = get(&at(names::PROGRESS.into())).await;
    let settled = r.progress(batches.as_deref(), progress.as_deref())?;
    for seq in 0..settled {
        r.settled(seq, get(&at(names::settled(seq))).await.as_deref())?;
    }
    Ok(r.finish())
}

/// The names kept under `pair`.
async fn names_of(pair: &str) -> Vec<String> {
    names()
        .await
        .into_iter()
        .filter(|n| n.starts_with(&format!("{pair}/")))
        .collect()
}

/// The pairs with a run kept that `org_key` (an org and user) is part of. A finished run's
/// records are dropped as it finishes, so a plan kept is a run not finished.
pub async fn pairs_with(org_key: &str) -> Vec<String> {
    let mut pairs: Vec<String> = names()
        .await
        .into_iter()
        .filter_map(|n| {
            n.strip_suffix(&format!("/{}", names::PLAN))
                .map(str::to_string)
        })
        .filter(|pair| {
            pair.split_once('>')
                .is_some_and(|(s, t)| s == org_key || t == org_key)
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    pairs
}

/// Drops a pair's kept run.
pub async fn forget(pair: &str) {
    delete_all(pair).await;
}
