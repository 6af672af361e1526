//! A run kept in the browser's IndexedDB, so a reload or a closed tab does not lose it: the plan
//! (the preview, written once when the run starts) and its progress (after every wave of calls),
//! under the pair of orgs and users. Account data stays on this computer and is dropped when the
//! run finishes or is discarded. sessionStorage holds too little for 10,000 records.

use std::cell::RefCell;
use std::rc::Rc;

use orgbridge_sync::key::MatchKey;
use orgbridge_sync::preview::Preview;
use orgbridge_sync::run::RunState;
use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::JsValue;

const DB: &str = "orgbridge";
const RUNS: &str = "runs";

/// What a run was made of, beside its progress.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    pub preview: Preview,
    pub key: MatchKey,
    /// `Date.now()` of the preview.
    pub made_at_ms: f64,
}

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
            .map_err(|e| e.to_string())?,
    );
    OPENED.with(|o| *o.borrow_mut() = Some(db.clone()));
    Ok(db)
}

async fn put<T: Serialize>(name: &str, value: &T) -> Result<(), String> {
    let text = serde_json::to_string(value).map_err(|e| e.to_string())?;
    let db = open().await?;
    let tx = db
        .transaction(&[RUNS], TransactionMode::ReadWrite)
        .map_err(|e| e.to_string())?;
    let store = tx.store(RUNS).map_err(|e| e.to_string())?;
    store
        .put(&JsValue::from_str(&text), Some(&JsValue::from_str(name)))
        .await
        .map_err(|e| e.to_string())?;
    tx.done().await.map_err(|e| e.to_string())?;
    Ok(())
}

async fn get<T: DeserializeOwned>(name: &str) -> Option<T> {
    let db = open().await.ok()?;
    let tx = db.transaction(&[RUNS], TransactionMode::ReadOnly).ok()?;
    let store = tx.store(RUNS).ok()?;
    let value = store.get(JsValue::from_str(name)).await.ok()??;
    // A kept run from an older version that no longer reads counts as none.
    serde_json::from_str(&value.as_string()?).ok()
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

/// Keeps a run's plan (once, as it starts).
pub async fn keep_plan(pair: &str, plan: &Plan) -> Result<(), String> {
    put(&format!("{pair}/plan"), plan).await
}

/// Keeps a run's progress.
pub async fn keep_progress(pair: &str, state: &RunState) -> Result<(), String> {
    put(&format!("{pair}/progress"), state).await
}

/// The unfinished run of a pair, if one is kept.
pub async fn unfinished(pair: &str) -> Option<(Plan, RunState)> {
    let plan: Plan = get(&format!("{pair}/plan")).await?;
    let state: RunState = get(&format!("{pair}/progress")).await?;
    (!state.finished()).then_some((plan, state))
}

/// Drops a pair's kept run.
pub async fn forget(pair: &str) {
    delete(&format!("{pair}/plan")).await;
    delete(&format!("{pair}/progress")).await;
}
