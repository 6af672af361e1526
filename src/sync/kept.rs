//! A run kept in the browser's IndexedDB, so a reload or a closed tab does not lose it: the plan
//! (the preview, written once when the run starts, before any call) and its progress (after
//! every wave of calls), under the pair of orgs and users, tied by the run's id and a format
//! version (`orgbridge_sync::kept`, which also checks them on restore). Account data stays on
//! this computer and is dropped when the run finishes or is discarded, or when the person signs
//! out of either org and does not choose to keep it. sessionStorage holds too little for 10,000
//! records.

use std::cell::RefCell;
use std::rc::Rc;

pub use orgbridge_sync::kept::{Plan, Restored};
use orgbridge_sync::run::RunState;
use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::Serialize;
use wasm_bindgen::JsValue;

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

async fn put<T: Serialize>(name: &str, value: &T) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let db = open().await?;
    let tx = db
        .transaction(&[RUNS], TransactionMode::ReadWrite)
        .map_err(words)?;
    let store = tx.store(RUNS).map_err(words)?;
    store
        .put(&JsValue::from_str(&text), Some(&JsValue::from_str(name)))
        .await
        .map_err(words)?;
    tx.done().await.map_err(words)?;
    Ok(())
}

/// The text kept under `name` (read and checked by `orgbridge_sync::kept::restore`).
async fn get(name: &str) -> Option<String> {
    let db = open().await.ok()?;
    let tx = db.transaction(&[RUNS], TransactionMode::ReadOnly).ok()?;
    let store = tx.store(RUNS).ok()?;
    let value = store.get(JsValue::from_str(name)).await.ok()??;
    value.as_string()
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

async fn delete(name: &str) {
    let Ok(db) = open().await else {
        return;
    };
    if let Ok(tx) = db.transaction(&[RUNS], TransactionMode::ReadWrite) {
        if let Ok(store) = tx.store(RUNS) {
            let _ = store.delete(JsValue::from_str(name)).await;
        }
        let _ = tx.done().await;
    }
}

/// Where a pair's run is kept: `<source org>/<user>><target org>/<user>`.
pub fn pair(source_key: &str, target_key: &str) -> String {
    format!("{source_key}>{target_key}")
}

/// Keeps a new run's plan (once, as it starts, before any call): the pair's last run, finished
/// or not, is replaced, its progress with it.
pub async fn keep_plan(pair: &str, plan: &Plan) -> Result<(), String> {
    delete(&format!("{pair}/progress")).await;
    put(&format!("{pair}/plan"), plan).await
}

/// Keeps a run's progress, with its run's id.
pub async fn keep_progress(pair: &str, plan: &Plan, state: &RunState) -> Result<(), String> {
    put(&format!("{pair}/progress"), &plan.progress(state)).await
}

/// The unfinished run of a pair, if one is kept; what cannot be used is forgotten, and said.
pub async fn unfinished(pair: &str) -> Restored {
    let plan = get(&format!("{pair}/plan")).await;
    let progress = get(&format!("{pair}/progress")).await;
    let restored = orgbridge_sync::kept::restore(plan.as_deref(), progress.as_deref());
    if !matches!(restored, Restored::Run(..)) && (plan.is_some() || progress.is_some()) {
        forget(pair).await;
    }
    restored
}

/// The pairs with an unfinished run that `org_key` (an org and user) is part of.
pub async fn pairs_with(org_key: &str) -> Vec<String> {
    let mut pairs: Vec<String> = names()
        .await
        .into_iter()
        .filter_map(|n| n.strip_suffix("/plan").map(str::to_string))
        .filter(|pair| {
            pair.split_once('>')
                .is_some_and(|(s, t)| s == org_key || t == org_key)
        })
        .collect();
    pairs.sort();
    pairs.dedup();
    let mut unfinished_pairs = Vec::new();
    for pair in pairs {
        if matches!(unfinished(&pair).await, Restored::Run(..)) {
            unfinished_pairs.push(pair);
        }
    }
    unfinished_pairs
}

/// Drops a pair's kept run.
pub async fn forget(pair: &str) {
    delete(&format!("{pair}/plan")).await;
    delete(&format!("{pair}/progress")).await;
}
