//! A run kept in the browser's IndexedDB, so a reload or a closed tab does not lose it, in the
//! small records `orgbridge_sync::kept` defines (the plan's head and its rows in chunks of bytes, written
//! once when the run starts, before any call; the batches; the results of each wave and a small
//! progress record, written after every wave in one transaction), under the pair of orgs and
//! users, tied by the run's id and a format version (checked on restore). Account data stays on
//! this computer and is dropped when the run finishes or is discarded, or when the person signs
//! out of either org and does not choose to keep it. sessionStorage holds too little for 10,000
//! records, and one record per run would be one giant string at a million.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Uint8Array;
use orgbridge_sync::kept::{names, Restoring};
pub use orgbridge_sync::kept::{Keeper, Plan, Restored, Resumable, Write};
use orgbridge_sync::preview::Preview;
use rexie::{KeyRange, ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::{JsCast, JsValue};

const DB: &str = "orgbridge";
const RUNS: &str = "runs";

thread_local! {
    // Opened once per page: a run keeps its progress after every wave of calls.
    static OPENED: RefCell<Option<Rc<Rexie>>> = const { RefCell::new(None) };
}

async fn open() -> Result<Rc<Rexie>, String> {
    if let Some(db) = OPENED.with(|o| o.borrow().clone()) {
        return Ok(db);
    }
    let db = Rc::new(
        Rexie::builder(DB)
            .version(1)
            .add_object_store(ObjectStore::new(RUNS))
            .build()
            .await
            .map_err(words)?,
    );
    OPENED.with(|o| *o.borrow_mut() = Some(db.clone()));
    Ok(db)
}

/// Why IndexedDB refused, in words a person can act on (rexie's own text is "idb error").
fn words(e: rexie::Error) -> String {
    let detail = match e {
        rexie::Error::IdbError(inner) => inner.to_string(),
        other => other.to_string(),
    };
    if detail.contains("Quota") {
        format!("this site's storage in the browser is full: {detail}")
    } else {
        format!(
            "the browser refused to store it (private browsing, or site data turned off): {detail}"
        )
    }
}

/// Keeps `records` (name under the pair, text) in one transaction: all of them or none.
async fn put_all(pair: &str, records: &[(String, String)]) -> Result<(), String> {
    let values: Vec<(&String, JsValue)> = records
        .iter()
        .map(|(name, text)| (name, JsValue::from_str(text)))
        .collect();
    put_values(pair, &values).await
}

async fn put_values(pair: &str, records: &[(&String, JsValue)]) -> Result<(), String> {
    let db = open().await?;
    let tx = db
        .transaction(&[RUNS], TransactionMode::ReadWrite)
        .map_err(words)?;
    let store = tx.store(RUNS).map_err(words)?;
    for (name, value) in records {
        store
            .put(value, Some(&JsValue::from_str(&format!("{pair}/{name}"))))
            .await
            .map_err(words)?;
    }
    tx.done().await.map_err(words)?;
    Ok(())
}

/// What is kept under `name`, as IndexedDB holds it.
async fn get_value(name: &str) -> Option<JsValue> {
    let db = open().await.ok()?;
    let tx = db.transaction(&[RUNS], TransactionMode::ReadOnly).ok()?;
    let store = tx.store(RUNS).ok()?;
    store.get(JsValue::from_str(name)).await.ok()?
}

/// The text kept under `name` (read and checked by `orgbridge_sync::kept::restore`).
async fn get(name: &str) -> Option<String> {
    get_value(name).await?.as_string()
}

/// The bytes kept under `name` (a chunk of rows).
async fn get_bytes(name: &str) -> Option<Vec<u8>> {
    let value = get_value(name).await?;
    value
        .is_instance_of::<Uint8Array>()
        .then(|| Uint8Array::from(value).to_vec())
}

/// Every name kept (to find the runs an org is part of).
async fn names() -> Vec<String> {
    let Ok(db) = open().await else {
        return Vec::new();
    };
    let Ok(tx) = db.transaction(&[RUNS], TransactionMode::ReadOnly) else {
        return Vec::new();
    };
    let Ok(store) = tx.store(RUNS) else {
        return Vec::new();
    };
    store
        .get_all_keys(None, None)
        .await
        .map(|keys| keys.into_iter().filter_map(|k| k.as_string()).collect())
        .unwrap_or_default()
}

/// Drops every record kept under `pair` (its names all start `<pair>/`).
async fn delete_all(pair: &str) {
    let Ok(db) = open().await else {
        return;
    };
    let (from, to) = (
        JsValue::from_str(&format!("{pair}/")),
        JsValue::from_str(&format!("{pair}/\u{10FFFF}")),
    );
    let Ok(range) = KeyRange::bound(&from, &to, None, None) else {
        return;
    };
    if let Ok(tx) = db.transaction(&[RUNS], TransactionMode::ReadWrite) {
        if let Ok(store) = tx.store(RUNS) {
            let _ = store.delete(range.into()).await;
        }
        let _ = tx.done().await;
    }
}

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
