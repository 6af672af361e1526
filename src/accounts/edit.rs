//! The edit form of one account: loads it, restores what was typed before (a draft of the changed
//! fields), and sends only what changed.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use orgbridge_model::accounts::{self as model, form_fields, FormMode, SOBJECT};
use salesforce::error::Error;
use salesforce::rest::{FieldDescribe, Record, SObjectDescribe};
use salesforce::types::RecordId;

use super::context::{use_accounts, Accounts, Screen};
use super::form_parts::{checked_record, required_note, show_error, FormProblems};
use super::loader::refresh_row;
use crate::components::busy::Busy;
use crate::components::fetched::{fetched, Words};
use crate::components::field_control::FieldGrid;
use crate::drafts;
use crate::error::AppError;

/// The account as the form first shows it: its name and each field's text.
#[derive(Clone)]
struct Loaded {
    name: String,
    texts: BTreeMap<String, String>,
}

/// The edit form of one account: loads it, then sends only what changed.
#[component]
pub fn EditForm(describe: Arc<SObjectDescribe>, id: RecordId) -> impl IntoView {
    let ctx = use_accounts();
    let fields = Arc::new(form_fields(&describe, FormMode::Edit));
    let values = RwSignal::new(BTreeMap::<String, String>::new());
    let original = StoredValue::new(BTreeMap::<String, String>::new());
    let errors = RwSignal::new(BTreeMap::new());
    let problems = RwSignal::new(Vec::new());
    let draft = format!("edit.{id}");

    let account = {
        let (fields, id) = (fields.clone(), id.clone());
        LocalResource::new(move || {
            let fields = fields.clone();
            let read = ctx.fetch_account(id.clone());
            async move {
                let record = read.await?;
                Ok::<_, AppError>(Loaded {
                    name: model::display_value(record.get("Name")),
                    texts: fields
                        .iter()
                        .map(|f| (f.name.clone(), model::input_text(f, record.get(&f.name))))
                        .collect(),
                })
            }
        })
    };

    // Only the changed fields are kept: restored over a fresh read of the record, they cannot
    // undo what someone else changed meanwhile.
    {
        let draft = draft.clone();
        Effect::new(move |_| {
            if !account.with(|a| matches!(a, Some(Ok(_)))) {
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

    let save = save_action(
        ctx,
        id.clone(),
        draft.clone(),
        fields.clone(),
        errors,
        problems,
    );
    let saving = save.pending();
    let submit = {
        let (fields, id) = (fields.clone(), id.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if saving.get_untracked() {
                return;
            }
            problems.set(Vec::new());
            let original = original.get_value();
            let Some(changes) =
                checked_record(&fields, values, Some(&original), true, errors, problems)
            else {
                return;
            };
            if changes.is_empty() {
                ctx.go(Screen::View(id.clone()));
                ctx.notice.set(Some("Nothing changed.".into()));
                return;
            }
            save.dispatch_local(changes);
        }
    };

    fetched(account, LOADING, move |loaded: Loaded| {
        // What was typed before (a session that ended, a reload) goes back in.
        let mut shown = loaded.texts.clone();
        let typed: BTreeMap<String, String> =
            drafts::load(&ctx.org_key(), &draft).unwrap_or_default();
        for (k, v) in typed {
            if shown.contains_key(&k) {
                shown.insert(k, v);
            }
        }
        original.set_value(loaded.texts);
        values.set(shown);
        let cancel = {
            let (draft, id) = (draft.clone(), id.clone());
            move |_| {
                drafts::clear(&ctx.org_key(), &draft);
                ctx.go(Screen::View(id.clone()));
            }
        };
        view! {
            <form class="ob-card ob-acc-form" aria-labelledby="ob-acc-edit-title" novalidate on:submit=submit.clone()>
                <h3 id="ob-acc-edit-title">"Edit "{loaded.name}</h3>
                {required_note()}
                <FieldGrid fields=(*fields).clone() values=values errors=errors required=true/>
                <FormProblems problems=problems title="The changes were not saved"/>
                <div class="ob-actions">
                    <button type="submit" class="ob-button" disabled=move || saving.get()>"Save changes"</button>
                    <button type="button" class="ob-button ob-button-secondary" on:click=cancel>"Cancel"</button>
                    <Show when=move || saving.get()><Busy label="Saving…"/></Show>
                </div>
            </form>
        }
    })
}

const LOADING: Words = Words {
    loading: "Loading the account…",
    failed: "Could not load the account",
};

/// Sends the changed fields; on success forgets the draft, re-reads the row and shows the
/// account, whichever screen is shown by then (the org has the change either way).
fn save_action(
    ctx: Accounts,
    id: RecordId,
    draft: String,
    fields: Arc<Vec<FieldDescribe>>,
    errors: RwSignal<BTreeMap<String, String>>,
    problems: RwSignal<Vec<String>>,
) -> Action<Record, Result<(), Error>> {
    Action::new_local(move |changes: &Record| {
        let (changes, id, draft, fields) =
            (changes.clone(), id.clone(), draft.clone(), fields.clone());
        async move {
            let result = ctx.client().update_record(SOBJECT, &id, &changes).await;
            if !ctx.still_shown() {
                return result;
            }
            match &result {
                Ok(()) => {
                    drafts::clear(&ctx.org_key(), &draft);
                    refresh_row(ctx, id.clone());
                    ctx.go(Screen::View(id));
                    ctx.notice.set(Some("Changes saved.".into()));
                }
                Err(e) => show_error(e, &fields, errors, problems),
            }
            result
        }
    })
}
