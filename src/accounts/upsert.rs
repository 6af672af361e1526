//! Upsert by external ID: the org updates the match (200) or creates one (201); several matches
//! (300) are listed by name.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use orgbridge_model::accounts::{form_fields, FormMode, SOBJECT};
use salesforce::rest::{FieldDescribe, Record, SObjectDescribe, UpsertOutcome};
use salesforce::types::{ExternalIdField, RecordId};

use super::context::use_accounts;
use super::form_parts::{checked_record, show_error, FormProblems};
use super::loader::refresh_row;
use crate::components::account_link::AccountLink;
use crate::components::alert::ErrorAlert;
use crate::components::busy::Busy;
use crate::components::field_control::FieldGrid;
use crate::drafts;

/// What an upsert did, for the result panel.
#[derive(Debug, Clone)]
enum UpsertResult {
    Created(RecordId),
    Updated(Option<RecordId>),
    /// Several records match: (id, name).
    Multiple(Vec<(RecordId, String)>),
}

/// One upsert as the form checked it.
#[derive(Clone)]
struct Ask {
    field: ExternalIdField,
    value: String,
    record: Record,
    /// The form's fields, to put the org's errors beside.
    fields: Vec<FieldDescribe>,
}

/// Create or update by an external ID: the org decides which, and the result says so.
#[component]
pub fn UpsertForm(describe: Arc<SObjectDescribe>) -> impl IntoView {
    let ctx = use_accounts();
    let keys: Vec<(String, String)> = describe
        .external_id_fields()
        .map(|f| (f.name.clone(), f.label.clone()))
        .collect();
    let first_key = keys.first().map(|k| k.0.clone()).unwrap_or_default();
    let key = RwSignal::new(first_key.clone());
    let key_value = RwSignal::new(String::new());
    let all_fields = Arc::new(form_fields(&describe, FormMode::Upsert));
    let values = RwSignal::new(BTreeMap::new());
    let scope = ctx.org_key();
    drafts::bind(&scope, "upsert.key", key, first_key);
    drafts::bind(&scope, "upsert.value", key_value, String::new());
    drafts::bind(&scope, "upsert.fields", values, BTreeMap::new());
    let errors = RwSignal::new(BTreeMap::new());
    let problems = RwSignal::new(Vec::new());
    let result = RwSignal::new(None::<UpsertResult>);
    let no_keys = keys.is_empty();

    let fields_now = {
        let all_fields = all_fields.clone();
        move || -> Vec<FieldDescribe> {
            let k = key.get();
            all_fields.iter().filter(|f| f.name != k).cloned().collect()
        }
    };

    let upsert = Action::new_local(move |ask: &Ask| {
        let Ask {
            field,
            value,
            record,
            fields,
        } = ask.clone();
        async move {
            let outcome = ctx
                .client()
                .upsert_by_external_id(SOBJECT, &field, &value, &record)
                .await;
            if !ctx.still_shown() {
                return;
            }
            if matches!(
                outcome,
                Ok(UpsertOutcome::Created { .. } | UpsertOutcome::Updated { .. })
            ) {
                // The org has what was typed.
                for part in ["upsert.value", "upsert.fields"] {
                    drafts::clear(&ctx.org_key(), part);
                }
            }
            match outcome {
                Ok(UpsertOutcome::Created { id }) => {
                    refresh_row(ctx, id.clone());
                    result.set(Some(UpsertResult::Created(id)));
                }
                Ok(UpsertOutcome::Updated { id }) => {
                    if let Some(id) = &id {
                        refresh_row(ctx, id.clone());
                    }
                    result.set(Some(UpsertResult::Updated(id)));
                }
                Ok(UpsertOutcome::Multiple(ids)) => {
                    // Names make the matches recognisable; without them, the ids still list.
                    let named = ctx
                        .client()
                        .names_of(SOBJECT, &ids)
                        .await
                        .unwrap_or_else(|_| {
                            ids.iter().map(|id| (id.clone(), String::new())).collect()
                        });
                    if !ctx.still_shown() {
                        return;
                    }
                    result.set(Some(UpsertResult::Multiple(named)));
                }
                Err(e) => {
                    let mut known = fields.clone();
                    if let Some(d) = ctx.describe.get_untracked() {
                        known.extend(d.field(field.as_str()).cloned());
                    }
                    show_error(&e, &known, errors, problems);
                    // An error about the key itself belongs beside the key's value box.
                    if let Some(m) = errors
                        .try_with_untracked(|e| e.get(field.as_str()).cloned())
                        .flatten()
                    {
                        errors.update(|e| {
                            e.insert("__key".into(), m);
                        });
                    }
                }
            }
        }
    });
    let saving = upsert.pending();

    let submit = {
        let fields_now = fields_now.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if saving.get_untracked() {
                return;
            }
            problems.set(Vec::new());
            result.set(None);
            let value = key_value.get_untracked();
            let field = match ExternalIdField::parse(&key.get_untracked()) {
                Ok(f) => f,
                Err(e) => {
                    problems.set(vec![e.user_message()]);
                    return;
                }
            };
            if value.trim().is_empty() {
                errors.set(BTreeMap::from([(
                    "__key".to_string(),
                    "Enter the external ID value to match.".to_string(),
                )]));
                return;
            }
            let fields = fields_now();
            // The org decides between create and update, so it also decides what is required.
            let Some(record) = checked_record(&fields, values, None, false, errors, problems)
            else {
                return;
            };
            upsert.dispatch_local(Ask {
                field,
                value,
                record,
                fields,
            });
        }
    };

    let key_error = move || errors.with(|e| e.get("__key").cloned());
    let key_label = {
        let keys = keys.clone();
        move || {
            let k = key.get();
            keys.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, l)| l.clone())
                .unwrap_or(k)
        }
    };
    view! {
        <form class="ob-card ob-acc-form" aria-labelledby="ob-acc-upsert-title" novalidate on:submit=submit>
            <h3 id="ob-acc-upsert-title">"Upsert by external ID"</h3>
            <p class="ob-muted ob-small">
                "The org updates the account whose external ID has this value, or creates one when none has it."
            </p>
            {no_keys.then(|| view! { <ErrorAlert title="No external ID field" message="Account has no field marked External ID in this org; an admin can mark one in Setup → Object Manager."/> })}
            <div class="ob-acc-form-grid">
                <div class="ob-field">
                    <label for="ob-acc-upsert-key">"External ID field"</label>
                    <select
                        id="ob-acc-upsert-key"
                        class="ob-input"
                        prop:value=move || key.get()
                        on:change=move |ev| key.set(event_target_value(&ev))
                    >
                        {keys
                            .iter()
                            .map(|(n, l)| {
                                let selected = *n == key.get_untracked();
                                view! { <option value=n.clone() selected=selected>{format!("{l} ({n})")}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="ob-field ob-acc-field" class:ob-acc-field-invalid=move || key_error().is_some()>
                    <label for="ob-acc-upsert-value">"External ID value"<span class="ob-acc-required" aria-hidden="true">" *"</span></label>
                    <input
                        id="ob-acc-upsert-value"
                        type="text"
                        class="ob-input"
                        required=true
                        aria-describedby="ob-acc-upsert-value-error"
                        aria-invalid=move || key_error().is_some().then_some("true")
                        prop:value=move || key_value.get()
                        on:input=move |ev| key_value.set(event_target_value(&ev))
                        on:change=move |ev| key_value.set(event_target_value(&ev))
                    />
                    <p id="ob-acc-upsert-value-error" class="ob-field-error">{key_error}</p>
                </div>
            </div>
            <h4>"Fields to set"</h4>
            {move || view! { <FieldGrid fields=fields_now() values=values errors=errors required=false/> }}
            // Beside the button that was pressed, where the person is looking.
            <FormProblems problems=problems title="The org did not save the account"/>
            {move || result.get().map(|r| view! { <UpsertResultView result=r key_label=key_label()/> })}
            <div class="ob-actions">
                <button type="submit" class="ob-button" disabled=move || saving.get() || no_keys>"Upsert account"</button>
                <Show when=move || saving.get()><Busy label="Saving…"/></Show>
            </div>
        </form>
    }
}

#[component]
fn UpsertResultView(result: UpsertResult, key_label: String) -> impl IntoView {
    match result {
        UpsertResult::Created(id) => view! {
            <div class="ob-status ob-acc-result" role="status">
                <p>"Created a new account (HTTP 201 Created). "<AccountLink text=format!("Open account {id}") id=id/></p>
            </div>
        }
        .into_any(),
        UpsertResult::Updated(id) => view! {
            <div class="ob-status ob-acc-result" role="status">
                <p>
                    "Updated the existing account (HTTP 200 OK). "
                    {id.map(|id| view! { <AccountLink text=format!("Open account {id}") id=id/> })}
                </p>
            </div>
        }
        .into_any(),
        UpsertResult::Multiple(matches) => view! {
            <div class="ob-alert" role="alert">
                <p class="ob-alert-title">{format!("{} accounts have this {key_label} (HTTP 300 Multiple Choices)", matches.len())}</p>
                <p>"Nothing was saved. Give the value to one account only, or edit the one you mean:"</p>
                <ul aria-label="Matching accounts">
                    {matches.into_iter().map(|(id, name)| {
                        let text = if name.is_empty() { id.to_string() } else { format!("{name} ({id})") };
                        view! { <li><AccountLink id=id text=text/></li> }
                    }).collect_view()}
                </ul>
            </div>
        }
        .into_any(),
    }
}
