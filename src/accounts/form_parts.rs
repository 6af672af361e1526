//! What the create, edit and upsert forms share: checking a record before it is sent, the
//! org's errors beside their fields (the rest above the button), and the required-fields note.

use std::collections::BTreeMap;

use leptos::prelude::*;
use orgbridge_model::accounts::{build_record, field_messages};
use salesforce::error::Error;
use salesforce::rest::{FieldDescribe, Record};

use crate::components::alert::ErrorAlert;
use crate::components::field_control::Values;

/// The record a form would send, checked here first; on a problem, shows each message beside its
/// field, says so above the button, and returns `None` (nothing is sent, nothing typed is lost).
pub fn checked_record(
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

/// Messages about the whole form (errors that name no field of it).
#[component]
pub fn FormProblems(problems: RwSignal<Vec<String>>, #[prop(into)] title: String) -> impl IntoView {
    move || {
        let list = problems.get();
        (!list.is_empty())
            .then(|| view! { <ErrorAlert title=title.clone() message=list.join("\n\n")/> })
    }
}

/// Puts an org error beside its fields, the rest above the form.
pub fn show_error(
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
pub fn required_note() -> impl IntoView {
    view! {
        <p class="ob-muted ob-small">
            "Fields marked "<span aria-hidden="true">"*"</span>" are required."
        </p>
    }
}
