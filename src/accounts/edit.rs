//! The edit form of one account: loads it, restores what was typed before (a draft of the changed
//! fields), and sends only what changed.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgbridge_model::accounts::{self as model, form_fields, FormMode, SOBJECT};
use salesforce::rest::SObjectDescribe;
use salesforce::types::RecordId;

use super::context::{use_accounts, Screen};
use super::form_parts::{checked_record, required_note, show_error, FormProblems};
use super::loader::refresh_row;
use crate::components::alert::ErrorAlert;
use crate::components::busy::Busy;
use crate::components::field_control::FieldGrid;
use crate::drafts;

/// The edit form of one account: loads it, then sends only what changed.
#[component]
pub fn EditForm(describe: Arc<SObjectDescribe>, id: String) -> impl IntoView {
    let ctx = use_accounts();
    let fields = Arc::new(form_fields(&describe, FormMode::Edit));
    let values = RwSignal::new(BTreeMap::<String, String>::new());
    let original = StoredValue::new(BTreeMap::<String, String>::new());
    let errors = RwSignal::new(BTreeMap::new());
    let problems = RwSignal::new(Vec::new());
    let loaded = RwSignal::new(None::<Result<String, String>>);
    let saving = RwSignal::new(false);
    // Only the changed fields are kept: restored over a fresh read of the record, they cannot
    // undo what someone else changed meanwhile.
    let draft = format!("edit.{id}");
    {
        let draft = draft.clone();
        Effect::new(move |_| {
            if !loaded.with(|l| matches!(l, Some(Ok(_)))) {
                return;
            }
            let original = original.get_value();
            let changed: BTreeMap<String, String> = values.with(|v| {
                v.iter()
                    .filter(|(k, v)| original.get(*k) != Some(*v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            });
            drafts::keep(&ctx.org_key(), &draft, &changed, &BTreeMap::new());
        });
    }

    {
        let fields = fields.clone();
        let id = id.clone();
        let draft = draft.clone();
        spawn_local(async move {
            let Some(result) = ctx.fetch_account(&id).await else {
                return;
            };
            match result {
                Ok(record) => {
                    let texts: BTreeMap<String, String> = fields
                        .iter()
                        .map(|f| (f.name.clone(), model::input_text(f, record.get(&f.name))))
                        .collect();
                    // What was typed before (a session that ended, a reload) goes back in.
                    let mut shown = texts.clone();
                    let typed: BTreeMap<String, String> =
                        drafts::load(&ctx.org_key(), &draft).unwrap_or_default();
                    for (k, v) in typed {
                        if shown.contains_key(&k) {
                            shown.insert(k, v);
                        }
                    }
                    original.set_value(texts);
                    values.set(shown);
                    let name = record
                        .get("Name")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string();
                    loaded.set(Some(Ok(name)));
                }
                Err(e) => loaded.set(Some(Err(e.user_message()))),
            }
        });
    }

    let submit = {
        let fields = fields.clone();
        let id = id.clone();
        let draft = draft.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            problems.set(Vec::new());
            let original = original.get_value();
            let Some(changes) =
                checked_record(&fields, values, Some(&original), true, errors, problems)
            else {
                return;
            };
            let Ok(rid) = RecordId::parse(&id) else {
                return;
            };
            if changes.is_empty() {
                ctx.go(Screen::View(id.clone()));
                ctx.notice.set(Some("Nothing changed.".into()));
                return;
            }
            saving.set(true);
            let fields = fields.clone();
            let draft = draft.clone();
            spawn_local(async move {
                let result = ctx.client().update_record(SOBJECT, &rid, &changes).await;
                if !ctx.still_shown() {
                    return;
                }
                saving.set(false);
                match result {
                    Ok(()) => {
                        drafts::clear(&ctx.org_key(), &draft);
                        refresh_row(ctx, rid.to_string());
                        ctx.go(Screen::View(rid.to_string()));
                        ctx.notice.set(Some("Changes saved.".into()));
                    }
                    Err(e) => show_error(&e, &fields, errors, problems),
                }
            });
        }
    };

    let back_id = id.clone();
    view! {
        {move || match loaded.get() {
            None => view! { <Busy label="Loading the account…"/> }.into_any(),
            Some(Err(message)) => view! { <ErrorAlert title="Could not load the account" message=message/> }.into_any(),
            Some(Ok(name)) => {
                let back_id = back_id.clone();
                view! {
                    <form class="ob-card ob-acc-form" aria-labelledby="ob-acc-edit-title" novalidate on:submit=submit.clone()>
                        <h3 id="ob-acc-edit-title">"Edit "{name}</h3>
                        {required_note()}
                        <FieldGrid fields=(*fields).clone() values=values errors=errors required=true/>
                        <FormProblems problems=problems title="The changes were not saved"/>
                        <div class="ob-actions">
                            <button type="submit" class="ob-button" disabled=move || saving.get()>"Save changes"</button>
                            <button
                                type="button"
                                class="ob-button ob-button-secondary"
                                on:click={
                                    let draft = draft.clone();
                                    move |_| {
                                        drafts::clear(&ctx.org_key(), &draft);
                                        ctx.go(Screen::View(back_id.clone()));
                                    }
                                }
                            >
                                "Cancel"
                            </button>
                            <Show when=move || saving.get()><Busy label="Saving…"/></Show>
                        </div>
                    </form>
                }
                .into_any()
            }
        }}
    }
}
