//! A new account: the form built from describe, and what to do when the org's answer never came
//! (the account may exist: look for it rather than create it twice).

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;
use orgbridge_model::accounts::{self as model, form_fields, FormMode, SOBJECT};
use salesforce::error::Error;
use salesforce::rest::{Record, SObjectDescribe};
use salesforce::soql::quote;
use salesforce::types::RecordId;

use super::context::{use_accounts, Screen};
use super::form_parts::{checked_record, required_note, show_error, FormProblems};
use super::loader::refresh_row;
use crate::components::account_link::AccountLink;
use crate::components::busy::Busy;
use crate::components::field_control::FieldGrid;
use crate::drafts;
use crate::error::AppError;

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
    drafts::bind(&ctx.org_key(), CREATE_DRAFT, values, defaults);
    let errors = RwSignal::new(BTreeMap::new());
    let problems = RwSignal::new(Vec::new());
    // The name sent when the org did not answer: it may have created the account.
    let unsure = RwSignal::new(None::<String>);
    let fields = Arc::new(fields);

    let create = {
        let fields = fields.clone();
        Action::new_local(move |record: &Record| {
            let (record, fields) = (record.clone(), fields.clone());
            async move {
                let result = ctx.client().create_record(SOBJECT, &record).await;
                if !ctx.still_shown() {
                    return;
                }
                match result {
                    Ok(id) => {
                        drafts::clear(&ctx.org_key(), CREATE_DRAFT);
                        refresh_row(ctx, id.clone());
                        ctx.go(Screen::View(id));
                        ctx.notice.set(Some("Account created.".into()));
                    }
                    // The request may have reached the org: a second click could create it twice.
                    Err(Error::Network { .. }) => {
                        unsure.set(Some(model::display_value(record.get("Name"))))
                    }
                    Err(e) => show_error(&e, &fields, errors, problems),
                }
            }
        })
    };
    let saving = create.pending();

    let submit = {
        let fields = fields.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if saving.get_untracked() {
                return;
            }
            problems.set(Vec::new());
            let Some(record) = checked_record(&fields, values, None, true, errors, problems) else {
                return;
            };
            unsure.set(None);
            create.dispatch_local(record);
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
                        drafts::clear(&ctx.org_key(), CREATE_DRAFT);
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
    let look = Action::new_local(move |name: &String| {
        let soql = format!(
            "SELECT Id, Name FROM Account WHERE Name = {} ORDER BY CreatedDate DESC LIMIT 20",
            quote(name)
        );
        async move {
            let page = ctx.client().query(&soql, None).await?;
            let matches: Vec<(RecordId, String)> = page
                .records
                .iter()
                .filter_map(|r| {
                    let id = RecordId::parse(r.get("Id")?.as_str()?).ok()?;
                    Some((id, model::display_value(r.get("Name"))))
                })
                .collect();
            if matches.is_empty() && ctx.still_shown() {
                // Looked, and it is not there: creating it now cannot duplicate it.
                unsure.set(None);
                ctx.notice.set(Some(
                    "No account by that name exists, so it was not created; you can create it now."
                        .into(),
                ));
            }
            Ok::<_, AppError>(matches)
        }
    });
    let looking = look.pending();
    let title = format!("The org did not answer: “{name}” may have been created");
    view! {
        <div class="ob-alert" role="alert">
            <p class="ob-alert-title">{title}</p>
            <p>"OrgBridge sent the new account but got no answer, so it cannot tell whether the org created it. Look for it before creating it again."</p>
            <div class="ob-actions">
                <button
                    type="button"
                    class="ob-button ob-button-secondary"
                    disabled=move || looking.get()
                    on:click={
                        let name = name.clone();
                        move |_| {
                            look.dispatch_local(name.clone());
                        }
                    }
                >
                    {format!("Look for “{name}”")}
                </button>
                <Show when=move || looking.get()><Busy label="Looking…"/></Show>
            </div>
            {move || look.value().get().map(|f| match f {
                Err(e) => view! { <p>{e.message()}</p> }.into_any(),
                Ok(matches) => view! {
                    <ul aria-label="Accounts with this name">
                        {matches.into_iter().map(|(id, name)| view! {
                            <li><AccountLink text=format!("{name} ({id})") id=id/></li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </div>
    }
}
