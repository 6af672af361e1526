//! The small key-value seam pending logins are kept behind: the app implements it over
//! `sessionStorage`, tests use [`MemoryStore`].

use std::collections::BTreeMap;
use std::sync::Mutex;

/// A string key-value store such as the browser's `sessionStorage`. Methods take `&self` because
/// web storage is shared, interior-mutable state.
pub trait KeyValueStore {
    /// The value under `key`, if any.
    fn get(&self, key: &str) -> Option<String>;
    /// Stores `value` under `key`, replacing any previous value. Storage failures (a full quota)
    /// are the implementation's to report; a lost pending login only means signing in again.
    fn set(&self, key: &str, value: &str);
    /// Removes `key` (no error if absent).
    fn remove(&self, key: &str);
    /// Every key currently stored (used to sweep stale entries).
    fn keys(&self) -> Vec<String>;
}

/// An in-memory [`KeyValueStore`] for native tests.
#[derive(Debug, Default)]
pub struct MemoryStore(Mutex<BTreeMap<String, String>>);

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        // A panic while holding this lock can only come from a test that already failed.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl KeyValueStore for MemoryStore {
    fn get(&self, key: &str) -> Option<String> {
        self.map().get(key).cloned()
    }
    fn set(&self, key: &str, value: &str) {
        self.map().insert(key.to_string(), value.to_string());
    }
    fn remove(&self, key: &str) {
        self.map().remove(key);
    }
    fn keys(&self) -> Vec<String> {
        self.map().keys().cloned().collect()
    }
}

impl<S: KeyValueStore + ?Sized> KeyValueStore for &S {
    fn get(&self, key: &str) -> Option<String> {
        (**self).get(key)
    }
    fn set(&self, key: &str, value: &str) {
        (**self).set(key, value)
    }
    fn remove(&self, key: &str) {
        (**self).remove(key)
    }
    fn keys(&self) -> Vec<String> {
        (**self).keys()
    }
}
