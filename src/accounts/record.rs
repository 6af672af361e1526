//! One account: every field of the describe with its label and value, read-only fields marked,
//! and the way to edit or delete it (deleting asks first).

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use salesforce::rest::{Record, SObjectDescribe};
use salesforce::types::RecordId;

use super::context::{use_accounts, Screen};
use crate::components::alert::ErrorAlert;
use crate::components::busy::Busy;
use orgbridge_model::accounts::{display_value, SOBJECT};

#[component]
pub fn RecordView(describe: Arc<SObjectDescribe>, id: String) -> impl IntoView {
    let ctx = use_accounts();
    let record = RwSignal::new(None::<Result<Arc<Record>, String>>);
    {
        let id = id.clone();
        spawn_local(async move {
            if let Some(result) = ctx.fetch_account(&id).await {
                record.set(Some(result.map(Arc::new).map_err(|e| e.user_message())));
            }
        });
    }
    move || {
        match record.get() {
        None => view! { <Busy label="Loading the account…"/> }.into_any(),
        Some(Err(message)) => view! {
            <ErrorAlert title="Could not load the account" message=message>
                <button type="button" class="ob-button" on:click=move |_| ctx.go(Screen::List)>"Back to the list"</button>
            </ErrorAlert>
        }
        .into_any(),
        Some(Ok(rec)) => view! { <RecordDetails describe=describe.clone() id=id.clone() record=rec/> }.into_any(),
    }
    }
}

#[component]
fn RecordDetails(describe: Arc<SObjectDescribe>, id: String, record: Arc<Record>) -> impl IntoView {
    let ctx = use_accounts();
    let name = display_value(record.get("Name"));
    let title = if name.trim().is_empty() {
        id.clone()
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
    id: String,
    name: String,
    on_cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = use_accounts();
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    let deleting = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(b) = cancel_ref.get() {
            let _ = b.focus();
        }
    });
    let confirm = {
        let name = name.clone();
        move |_| {
            let Ok(rid) = RecordId::parse(&id) else {
                return;
            };
            let name = name.clone();
            deleting.set(true);
            problem.set(None);
            spawn_local(async move {
                let result = ctx.client().delete_record(SOBJECT, &rid).await;
                if !ctx.still_shown() {
                    return;
                }
                deleting.set(false);
                match result {
                    Ok(()) => {
                        ctx.list.remove_rows(&HashSet::from([rid.to_string()]));
                        ctx.go(Screen::List);
                        ctx.notice.set(Some(format!("Deleted {name}.")));
                    }
                    Err(e) => problem.set(Some(e.user_message())),
                }
            });
        }
    };
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
            {move || problem.get().map(|m| view! { <ErrorAlert title="The account was not deleted" message=m/> })}
            <div class="ob-actions">
                <button type="button" class="ob-button ob-button-danger" disabled=move || deleting.get() on:click=confirm>
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
