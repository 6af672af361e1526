//! The browser's IndexedDB, where long work is kept across a reload or a closed tab: one object
//! store of records named `<owner>/<name>`, each a text or a chunk of bytes (never one giant
//! value), written in transactions. The copy (`sync::kept`) and the import
//! (`accounts::import::kept`) keep their runs here, each under its own owner.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Uint8Array;
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

/// Keeps `records` (name under the owner, text) in one transaction: all of them or none.
pub async fn put_all(pair: &str, records: &[(String, String)]) -> Result<(), String> {
    let values: Vec<(&String, JsValue)> = records
        .iter()
        .map(|(name, text)| (name, JsValue::from_str(text)))
        .collect();
    put_values(pair, &values).await
}

pub async fn put_values(pair: &str, records: &[(&String, JsValue)]) -> Result<(), String> {
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
pub async fn get_value(name: &str) -> Option<JsValue> {
    let db = open().await.ok()?;
    let tx = db.transaction(&[RUNS], TransactionMode::ReadOnly).ok()?;
    let store = tx.store(RUNS).ok()?;
    store.get(JsValue::from_str(name)).await.ok()?
}

/// The text kept under `name` (read and checked by `orgbridge_sync::kept::restore`).
pub async fn get(name: &str) -> Option<String> {
    get_value(name).await?.as_string()
}

/// The bytes kept under `name` (a chunk of rows).
pub async fn get_bytes(name: &str) -> Option<Vec<u8>> {
    let value = get_value(name).await?;
    value
        .is_instance_of::<Uint8Array>()
        .then(|| Uint8Array::from(value).to_vec())
}

/// Every name kept (to find the runs an org is part of).
pub async fn names() -> Vec<String> {
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

/// Drops every record kept under `pair` (an owner) (its names all start `<pair>/`).
pub async fn delete_all(pair: &str) {
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
