//! Drafts: what a person typed into a form, kept in this tab's sessionStorage per org and user
//! while they type, so a failed call, an ended session (and the sign-in round trip after it) or a
//! reload loses nothing. A form restores its draft when it opens and drops it once the org has
//! what was typed (or the person cancels). A draft's scope is its org's key (`Session::org_key`):
//! another user or org never sees it.

use serde::{de::DeserializeOwned, Serialize};

use crate::storage::{self, Key};

fn key(scope: &str, form: &str) -> String {
    format!("{scope}/{form}")
}

/// The draft of `form`, if one was kept.
pub fn load<T: DeserializeOwned>(scope: &str, form: &str) -> Option<T> {
    storage::get_json(Key::Draft(&key(scope, form)))
}

/// Keeps `value` as the draft of `form`, or drops the draft when `value` is what the form
/// started with (nothing typed).
pub fn keep<T: Serialize + PartialEq>(scope: &str, form: &str, value: &T, untouched: &T) {
    if value == untouched {
        clear(scope, form);
    } else {
        storage::set_json(Key::Draft(&key(scope, form)), value);
    }
}

/// Drops the draft of `form`.
pub fn clear(scope: &str, form: &str) {
    storage::remove(Key::Draft(&key(scope, form)));
}

/// Drops every draft of one user of one org (they signed out on purpose).
pub fn clear_scope(scope: &str) {
    let prefix = format!("{scope}/");
    for k in storage::draft_keys() {
        if k.starts_with(&prefix) {
            storage::remove(Key::Draft(&k));
        }
    }
}

/// Restores `form`'s draft into `state` (when there is one) and keeps the draft in step with
/// every change from then on. `untouched` is the value that means "nothing typed".
pub fn bind<T>(scope: &str, form: &str, state: leptos::prelude::RwSignal<T>, untouched: T)
where
    T: Serialize + DeserializeOwned + PartialEq + Send + Sync + 'static,
{
    use leptos::prelude::*;
    if let Some(draft) = load::<T>(scope, form) {
        state.set(draft);
    }
    let (scope, form) = (scope.to_owned(), form.to_owned());
    Effect::new(move |_| state.with(|value| keep(&scope, &form, value, &untouched)));
}
