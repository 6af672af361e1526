//! Forms built from Account's describe: create, edit, and upsert by external ID. Each field gets the
//! control its type calls for, required fields are marked, lengths and numbers are checked before
//! anything is sent, and the org's errors appear beside the fields they name. What the person
//! typed stays in the form whatever happens.

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use salesforce::error::Error;
use salesforce::rest::{FieldDescribe, Record, SObjectDescribe, UpsertOutcome};
use salesforce::soql::{quote, ListQuery};
use salesforce::types::{ExternalIdField, RecordId};

use super::list::refresh_row;
use super::{use_accounts, Screen};
use crate::components::alert::ErrorAlert;
use crate::components::busy::Busy;
use crate::drafts;
use orgbridge_model::accounts::{
    self as model, build_record, field_messages, form_fields, input_kind, max_length, FormMode,
    InputKind, SOBJECT,
};

/// Form text per field API name.
pub type Values = RwSignal<BTreeMap<String, String>>;

/// The record a form would send, checked here first; on a problem, shows each message beside its
/// field, says so above the button, and returns `None` (nothing is sent, nothing typed is lost).
fn checked_record(
    fields: &[FieldDescribe],
    values: Values,
    original: Option<&BTreeMap<String, String>>,
    check_required: bool,
    errors: Values,
    problems: RwSignal<Vec<String>>,
) -> Option<Record> {
    match build_record(fields, &values.get_untracked(), original, check_required) {
        Ok(record) => {
            errors.set(BTreeMap::new());
            Some(record)
        }
        Err(e) => {
            errors.set(e);
            problems.set(vec![
                "Some fields need attention; see the messages beside them.".into(),
            ]);
            None
        }
    }
}

/// One field's label, control, limit hint and error.
#[component]
pub fn FieldControl(
    field: FieldDescribe,
    values: Values,
    errors: Values,
    /// Mark (and let the browser check) the field as required.
    required: bool,
    /// Put before the label (the bulk form's "New value: ").
    #[prop(optional)]
    label_prefix: &'static str,
) -> impl IntoView {
    let name = field.name.clone();
    let id = format!("ob-acc-f-{}", name);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let kind = input_kind(&field);
    let max = max_length(&field);
    let required = required && field.is_required();
    let value = {
        let name = name.clone();
        move || values.with(|v| v.get(&name).cloned().unwrap_or_default())
    };
    let set = {
        let name = name.clone();
        move |text: String| {
            values.update(|v| {
                v.insert(name.clone(), text);
            })
        }
    };
    // Both events: typing fires input; WebDriver's clear and some autofill fire only change.
    let on_text = {
        let set = set.clone();
        move |ev: leptos::ev::Event| set(event_target_value(&ev))
    };
    let error = {
        let name = name.clone();
        move || errors.with(|e| e.get(&name).cloned())
    };
    let invalid = {
        let error = error.clone();
        move || error().is_some().then_some("true")
    };
    let hint = match (&kind, max) {
        (InputKind::Select(_) | InputKind::Checkbox, _) => None,
        (_, Some(max)) => Some(format!("Up to {max} characters.")),
        (InputKind::Number { scale: 0 }, _) => Some("A whole number.".to_string()),
        (InputKind::Number { .. }, _) => Some("A number.".to_string()),
        // The browser shows its own date format (mm/dd/yyyy here); the org gets YYYY-MM-DD.
        (InputKind::Text("date"), _) => {
            Some("A date: type it or pick it from the calendar.".to_string())
        }
        _ => None,
    };
    let described_by = match &hint {
        Some(_) => format!("{hint_id} {error_id}"),
        None => error_id.clone(),
    };
    let label = format!("{label_prefix}{}", field.label);
    let textarea_rows = if field.length > 255 { "5" } else { "2" };
    let control = match kind {
        InputKind::Checkbox => {
            let value = value.clone();
            view! {
                <input
                    id=id.clone()
                    type="checkbox"
                    class="ob-acc-checkbox"
                    aria-describedby=described_by.clone()
                    aria-invalid=invalid.clone()
                    prop:checked=move || value() == "true"
                    on:change=move |ev| set(event_target_checked(&ev).to_string())
                />
            }
            .into_any()
        }
        InputKind::Select(options) => {
            let current = value.clone();
            view! {
                <select
                    id=id.clone()
                    class="ob-input"
                    required=required
                    aria-describedby=described_by.clone()
                    aria-invalid=invalid.clone()
                    prop:value=value.clone()
                    on:change=move |ev| set(event_target_value(&ev))
                >
                    <option value="">"--None--"</option>
                    {options
                        .into_iter()
                        .map(|(v, l)| {
                            let selected = current() == v;
                            view! { <option value=v selected=selected>{l}</option> }
                        })
                        .collect_view()}
                </select>
            }
            .into_any()
        }
        InputKind::TextArea => view! {
            <textarea
                id=id.clone()
                class="ob-input"
                rows=textarea_rows
                required=required
                maxlength=max.map(|m| m.to_string())
                aria-describedby=described_by.clone()
                aria-invalid=invalid.clone()
                prop:value=value.clone()
                on:input=on_text.clone()
                on:change=on_text
            ></textarea>
        }
        .into_any(),
        InputKind::Number { scale } => {
            // A text input with a numeric keyboard, not type="number": a number input hides what
            // was typed when it does not parse ("12." mid-typing, "1,5"), so the value the person
            // sees and the one we check could differ. We check and explain the number ourselves.
            let mode = if scale == 0 { "numeric" } else { "decimal" };
            view! {
                <input
                    id=id.clone()
                    type="text"
                    inputmode=mode
                    autocomplete="off"
                    class="ob-input"
                    required=required
                    aria-describedby=described_by.clone()
                    aria-invalid=invalid.clone()
                    prop:value=value.clone()
                    on:input=on_text.clone()
                    on:change=on_text
                />
            }
            .into_any()
        }
        InputKind::Text(kind) => view! {
            <input
                id=id.clone()
                type=kind
                class="ob-input"
                required=required
                maxlength=max.map(|m| m.to_string())
                aria-describedby=described_by.clone()
                aria-invalid=invalid.clone()
                prop:value=value.clone()
                on:input=on_text.clone()
                on:change=on_text
            />
        }
        .into_any(),
    };
    view! {
        <div class="ob-field ob-acc-field" class:ob-acc-field-invalid=move || error().is_some()>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="ob-acc-required" aria-hidden="true">" *"</span> })}
            </label>
            {control}
            {hint.map(|h| view! { <p id=hint_id class="ob-muted ob-small">{h}</p> })}
            <p id=error_id class="ob-field-error">{error.clone()}</p>
        </div>
    }
}

/// Every field of a form, in describe order.
#[component]
fn FieldGrid(
    fields: Vec<FieldDescribe>,
    values: Values,
    errors: Values,
    required: bool,
) -> impl IntoView {
    view! {
        <div class="ob-acc-form-grid">
            {fields
                .into_iter()
                .map(|f| view! { <FieldControl field=f values=values errors=errors required=required/> })
                .collect_view()}
        </div>
    }
}

/// Messages about the whole form (errors that name no field of it).
#[component]
fn FormProblems(problems: RwSignal<Vec<String>>, #[prop(into)] title: String) -> impl IntoView {
    move || {
        let list = problems.get();
        (!list.is_empty())
            .then(|| view! { <ErrorAlert title=title.clone() message=list.join("\n\n")/> })
    }
}

/// Puts an org error beside its fields, the rest above the form.
fn show_error(
    err: &Error,
    fields: &[FieldDescribe],
    errors: Values,
    problems: RwSignal<Vec<String>>,
) {
    let known: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    let (by_field, mut general) = field_messages(err, &known);
    if general.is_empty() {
        general.push("The org did not accept some fields; see the messages beside them.".into());
    }
    errors.set(by_field);
    problems.set(general);
}

/// A required-fields note shown above forms that mark them.
fn required_note() -> impl IntoView {
    view! {
        <p class="ob-muted ob-small">
            "Fields marked "<span aria-hidden="true">"*"</span>" are required."
        </p>
    }
}

/// A new account.
#[component]
pub fn CreateForm(describe: Arc<SObjectDescribe>) -> impl IntoView {
    let ctx = use_accounts();
    let fields = form_fields(&describe, FormMode::Create);
    let defaults: BTreeMap<String, String> = fields
        .iter()
        .filter_map(|f| {
            f.picklist_values
                .iter()
                .find(|p| p.active && p.default_value)
                .map(|p| (f.name.clone(), p.value.clone()))
        })
        .collect();
    let values = RwSignal::new(defaults.clone());
    drafts::bind(&ctx.drafts(), CREATE_DRAFT, values, defaults);
    let errors = RwSignal::new(BTreeMap::new());
    let problems = RwSignal::new(Vec::new());
    let saving = RwSignal::new(false);
    // The name sent when the org did not answer: it may have created the account.
    let unsure = RwSignal::new(None::<String>);
    let fields = Arc::new(fields);

    let submit = {
        let fields = fields.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            problems.set(Vec::new());
            let Some(record) = checked_record(&fields, values, None, true, errors, problems) else {
                return;
            };
            let name = model::display_value(record.get("Name"));
            unsure.set(None);
            saving.set(true);
            let fields = fields.clone();
            spawn_local(async move {
                let result = ctx.client().create_record(SOBJECT, &record).await;
                if !ctx.refresh_usage() {
                    return;
                }
                saving.set(false);
                match result {
                    Ok(id) => {
                        drafts::clear(&ctx.drafts(), CREATE_DRAFT);
                        refresh_row(ctx, id.to_string());
                        ctx.go(Screen::View(id.to_string()));
                        ctx.notice.set(Some("Account created.".into()));
                    }
                    // The request may have reached the org: a second click could create it twice.
                    Err(Error::Network { .. }) => unsure.set(Some(name)),
                    Err(e) => show_error(&e, &fields, errors, problems),
                }
            });
        }
    };

    view! {
        <form class="ob-card ob-acc-form" aria-labelledby="ob-acc-new-title" novalidate on:submit=submit>
            <h3 id="ob-acc-new-title">"New account"</h3>
            {required_note()}
            <FieldGrid fields=(*fields).clone() values=values errors=errors required=true/>
            // Beside the button that was pressed, where the person is looking.
            <FormProblems problems=problems title="The account was not created"/>
            {move || unsure.get().map(|name| view! { <MaybeCreated name=name unsure=unsure/> })}
            <div class="ob-actions">
                <button type="submit" class="ob-button" disabled=move || saving.get()>
                    {move || if unsure.with(Option::is_some) { "Create it anyway" } else { "Create account" }}
                </button>
                <button
                    type="button"
                    class="ob-button ob-button-secondary"
                    on:click=move |_| {
                        drafts::clear(&ctx.drafts(), CREATE_DRAFT);
                        ctx.go(Screen::List);
                    }
                >
                    "Cancel"
                </button>
                <Show when=move || saving.get()><Busy label="Saving…"/></Show>
            </div>
        </form>
    }
}

/// Draft name of the new-account form.
const CREATE_DRAFT: &str = "create";

/// After a create that got no answer: says the account may exist, and looks for it by name, so
/// the person does not create it twice by trying again.
#[component]
fn MaybeCreated(name: String, unsure: RwSignal<Option<String>>) -> impl IntoView {
    let ctx = use_accounts();
    let looking = RwSignal::new(false);
    let found = RwSignal::new(None::<Result<Vec<(String, String)>, String>>);
    let look = {
        let name = name.clone();
        move |_| {
            let soql = format!(
                "SELECT Id, Name FROM Account WHERE Name = {} ORDER BY CreatedDate DESC LIMIT 20",
                quote(&name)
            );
            looking.set(true);
            spawn_local(async move {
                let result = ctx.client().query(&soql, None).await;
                if !ctx.refresh_usage() {
                    return;
                }
                looking.set(false);
                let matches = result.map(|page| {
                    page.records
                        .iter()
                        .map(|r| {
                            (
                                model::display_value(r.get("Id")),
                                model::display_value(r.get("Name")),
                            )
                        })
                        .collect::<Vec<_>>()
                });
                if matches.as_ref().is_ok_and(Vec::is_empty) {
                    // Looked, and it is not there: creating it now cannot duplicate it.
                    unsure.set(None);
                    ctx.notice.set(Some(
                        "No account by that name exists, so it was not created; you can create it now.".into(),
                    ));
                }
                found.set(Some(matches.map_err(|e| e.user_message())));
            });
        }
    };
    let title = format!("The org did not answer: “{name}” may have been created");
    view! {
        <div class="ob-alert" role="alert">
            <p class="ob-alert-title">{title}</p>
            <p>"OrgBridge sent the new account but got no answer, so it cannot tell whether the org created it. Look for it before creating it again."</p>
            <div class="ob-actions">
                <button type="button" class="ob-button ob-button-secondary" disabled=move || looking.get() on:click=look>
                    {format!("Look for “{name}”")}
                </button>
                <Show when=move || looking.get()><Busy label="Looking…"/></Show>
            </div>
            {move || found.get().map(|f| match f {
                Err(message) => view! { <p>{message}</p> }.into_any(),
                Ok(matches) => view! {
                    <ul aria-label="Accounts with this name">
                        {matches.into_iter().map(|(id, name)| view! {
                            <li><AccountLink id=id.clone() text=format!("{name} ({id})")/></li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </div>
    }
}

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
            drafts::keep(&ctx.drafts(), &draft, &changed, &BTreeMap::new());
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
                        drafts::load(&ctx.drafts(), &draft).unwrap_or_default();
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
                if !ctx.refresh_usage() {
                    return;
                }
                saving.set(false);
                match result {
                    Ok(()) => {
                        drafts::clear(&ctx.drafts(), &draft);
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
                                        drafts::clear(&ctx.drafts(), &draft);
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

/// What an upsert did, for the result panel.
#[derive(Debug, Clone)]
enum UpsertResult {
    Created(String),
    Updated(Option<String>),
    /// Several records match: (id, name).
    Multiple(Vec<(String, String)>),
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
    let scope = ctx.drafts();
    drafts::bind(&scope, "upsert.key", key, first_key);
    drafts::bind(&scope, "upsert.value", key_value, String::new());
    drafts::bind(&scope, "upsert.fields", values, BTreeMap::new());
    let errors = RwSignal::new(BTreeMap::new());
    let problems = RwSignal::new(Vec::new());
    let saving = RwSignal::new(false);
    let result = RwSignal::new(None::<UpsertResult>);
    let no_keys = keys.is_empty();

    let fields_now = {
        let all_fields = all_fields.clone();
        move || -> Vec<FieldDescribe> {
            let k = key.get();
            all_fields.iter().filter(|f| f.name != k).cloned().collect()
        }
    };

    let submit = {
        let fields_now = fields_now.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
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
            saving.set(true);
            spawn_local(async move {
                let outcome = ctx
                    .client()
                    .upsert_by_external_id(SOBJECT, &field, &value, &record)
                    .await;
                if !ctx.refresh_usage() {
                    return;
                }
                if matches!(
                    outcome,
                    Ok(UpsertOutcome::Created { .. } | UpsertOutcome::Updated { .. })
                ) {
                    // The org has what was typed.
                    for part in ["upsert.value", "upsert.fields"] {
                        drafts::clear(&ctx.drafts(), part);
                    }
                }
                match outcome {
                    Ok(UpsertOutcome::Created { id }) => {
                        refresh_row(ctx, id.to_string());
                        result.set(Some(UpsertResult::Created(id.to_string())));
                    }
                    Ok(UpsertOutcome::Updated { id }) => {
                        if let Some(id) = &id {
                            refresh_row(ctx, id.to_string());
                        }
                        result.set(Some(UpsertResult::Updated(id.map(|i| i.to_string()))));
                    }
                    Ok(UpsertOutcome::Multiple(urls)) => {
                        let ids: Vec<String> = urls.iter().map(|u| model::id_from_url(u)).collect();
                        let named = names_of(ctx, &ids).await;
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
                saving.set(false);
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

/// Names of records by id, for listing several matches (ids alone mean little to a person).
async fn names_of(ctx: super::Accounts, ids: &[String]) -> Vec<(String, String)> {
    let list = ids.iter().map(|i| quote(i)).collect::<Vec<_>>().join(", ");
    let names: BTreeMap<String, String> = match ListQuery::new(SOBJECT, ["Id", "Name"])
        .where_raw(&format!("Id IN ({list})"))
        .to_soql()
    {
        Ok(soql) => match ctx.client().query(&soql, None).await {
            Ok(page) => page
                .records
                .iter()
                .map(|r| {
                    (
                        model::display_value(r.get("Id")),
                        model::display_value(r.get("Name")),
                    )
                })
                .collect(),
            Err(_) => BTreeMap::new(),
        },
        Err(_) => BTreeMap::new(),
    };
    if !ctx.refresh_usage() {
        return Vec::new();
    }
    ids.iter()
        .map(|id| (id.clone(), names.get(id).cloned().unwrap_or_default()))
        .collect()
}

/// A link that opens one account in this app.
#[component]
pub fn AccountLink(id: String, #[prop(into)] text: String) -> impl IntoView {
    let ctx = use_accounts();
    let target = id.clone();
    view! {
        <a
            href=format!("#account-{id}")
            on:click=move |ev| {
                ev.prevent_default();
                ctx.go(Screen::View(target.clone()));
            }
        >
            {text}
        </a>
    }
}

#[component]
fn UpsertResultView(result: UpsertResult, key_label: String) -> impl IntoView {
    match result {
        UpsertResult::Created(id) => view! {
            <div class="ob-status ob-acc-result" role="status">
                <p>"Created a new account (HTTP 201 Created). "<AccountLink id=id.clone() text=format!("Open account {id}")/></p>
            </div>
        }
        .into_any(),
        UpsertResult::Updated(id) => view! {
            <div class="ob-status ob-acc-result" role="status">
                <p>
                    "Updated the existing account (HTTP 200 OK). "
                    {id.map(|id| view! { <AccountLink id=id.clone() text=format!("Open account {id}")/> })}
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
                        let text = if name.is_empty() { id.clone() } else { format!("{name} ({id})") };
                        view! { <li><AccountLink id=id text=text/></li> }
                    }).collect_view()}
                </ul>
            </div>
        }
        .into_any(),
    }
}
