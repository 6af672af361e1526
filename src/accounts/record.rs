//! One account: every field of the describe with its label and value, read-only fields marked,
//! and the way to edit or delete it (deleting asks first).

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use salesforce::rest::{Record, SObjectDescribe};
use salesforce::types::RecordId;

use super::context::{use_accounts, Screen};
use crate::components::alert::ErrorAlert;
use crate::components::busy::Busy;
use crate::components::fetched::{fetched, Words};
use crate::error::AppError;
use orgbridge_model::accounts::{display_value, SOBJECT};

#[component]
pub fn RecordView(describe: Arc<SObjectDescribe>, id: RecordId) -> impl IntoView {
    let ctx = use_accounts();
    let record = {
        let id = id.clone();
        LocalResource::new(move || ctx.fetch_account(id.clone()))
    };
    fetched(record, LOADING, move |rec| {
        view! { <RecordDetails describe=describe.clone() id=id.clone() record=Arc::new(rec)/> }
    })
}

const LOADING: Words = Words {
    loading: "Loading the account…",
    failed: "Could not load the account",
};

#[component]
fn RecordDetails(
    describe: Arc<SObjectDescribe>,
    id: RecordId,
    record: Arc<Record>,
) -> impl IntoView {
    let ctx = use_accounts();
    let name = display_value(record.get("Name"));
    let title = if name.trim().is_empty() {
        id.to_string()
    } else {
        name.clone()
    };
    let confirming = RwSignal::new(false);
    let edit_id = id.clone();
    let rows = describe
        .fields
        .iter()
        .map(|f| {
            let value = display_value(record.get(&f.name));
            let read_only = f.is_read_only();
            view! {
                <div class="ob-acc-fact" class:ob-acc-readonly=read_only>
                    <dt>
                        {f.label.clone()}
                        {read_only.then(|| view! { <span class="ob-acc-badge">"Read-only"</span> })}
                    </dt>
                    <dd>{if value.is_empty() { view! { <span class="ob-muted">"—"</span> }.into_any() } else { view! { <span>{value}</span> }.into_any() }}</dd>
                </div>
            }
        })
        .collect_view();
    view! {
        <article class="ob-card ob-acc-record" aria-labelledby="ob-acc-record-title">
            <div class="ob-acc-record-head">
                <h3 id="ob-acc-record-title">{title.clone()}</h3>
                <div class="ob-actions">
                    <button type="button" class="ob-button" on:click=move |_| ctx.go(Screen::Edit(edit_id.clone()))>"Edit"</button>
                    <button type="button" class="ob-button ob-button-danger" on:click=move |_| confirming.set(true)>"Delete…"</button>
                    <button type="button" class="ob-button ob-button-secondary" on:click=move |_| ctx.go(Screen::List)>"Back to the list"</button>
                </div>
            </div>
            <Show when=move || confirming.get()>
                <DeleteDialog id=id.clone() name=title.clone() on_cancel=move || confirming.set(false)/>
            </Show>
            <dl class="ob-acc-facts">{rows}</dl>
        </article>
    }
}

/// Asks before deleting; the cancel button has the focus, so Enter does not delete by accident.
#[component]
fn DeleteDialog(
    id: RecordId,
    name: String,
    on_cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = use_accounts();
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(b) = cancel_ref.get() {
            let _ = b.focus();
        }
    });
    let delete = Action::new_local({
        let name = name.clone();
        move |id: &RecordId| {
            let (id, name) = (id.clone(), name.clone());
            async move {
                let result = ctx.client().delete_record(SOBJECT, &id).await;
                // Done whichever screen is shown by now: the list must not keep a deleted row.
                if result.is_ok() && ctx.still_shown() {
                    ctx.list.remove_rows(&HashSet::from([id]));
                    ctx.go(Screen::List);
                    ctx.notice.set(Some(format!("Deleted {name}.")));
                }
                result.map_err(AppError::from)
            }
        }
    });
    let deleting = delete.pending();
    view! {
        <div
            class="ob-acc-confirm"
            role="alertdialog"
            aria-modal="false"
            aria-labelledby="ob-acc-del-title"
            aria-describedby="ob-acc-del-text"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_cancel();
                }
            }
        >
            <p id="ob-acc-del-title" class="ob-alert-title">{format!("Delete {name}?")}</p>
            <p id="ob-acc-del-text">"The account goes to the org's Recycle Bin."</p>
            {move || delete.value().get().and_then(Result::err).map(|e| view! { <ErrorAlert title="The account was not deleted" message=e/> })}
            <div class="ob-actions">
                <button
                    type="button"
                    class="ob-button ob-button-danger"
                    disabled=move || deleting.get()
                    on:click=move |_| {
                        delete.dispatch_local(id.clone());
                    }
                >
                    "Delete account"
                </button>
                <button type="button" class="ob-button ob-button-secondary" node_ref=cancel_ref on:click=move |_| on_cancel()>
                    "Cancel"
                </button>
                <Show when=move || deleting.get()><Busy label="Deleting…"/></Show>
            </div>
        </div>
    }
}
