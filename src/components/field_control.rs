//! One field of a form built from describe: its label, the control its type calls for (text,
//! number, date, picklist, checkbox, long text), the limit hint and the error beside it; and the
//! grid of every field of a form.

use std::collections::BTreeMap;

use leptos::prelude::*;
use orgbridge_model::accounts::{input_kind, max_length, InputKind};
use salesforce::rest::FieldDescribe;

/// Form text per field API name.
pub type Values = RwSignal<BTreeMap<String, String>>;

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
pub fn FieldGrid(
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
