//! Several accounts at once: set one field on every selected account, or delete them, through the
//! client's sObject Collections calls (200 records per call, a few calls in flight), with a
//! progress bar while it runs and one result per record afterwards.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use leptos::prelude::*;
use salesforce::rest::{CollectionResult, FieldDescribe, Record, SObjectDescribe};
use salesforce::types::RecordId;
use serde_json::Value;

use super::context::use_accounts;
use crate::components::alert::ErrorAlert;
use crate::components::field_control::FieldControl;
use crate::drafts;
use orgbridge_model::accounts::{
    self as model, display_value, thousands, FormMode, BULK_CONCURRENCY, SOBJECT,
};

/// What the bulk bar is doing.
#[derive(Debug, Clone, PartialEq)]
enum Panel {
    None,
    Update,
    ConfirmDelete,
}

/// A bulk run: the selected rows (id, name) in list order, and what to do to them.
#[derive(Debug, Clone)]
enum Job {
    Update {
        rows: Vec<(RecordId, String)>,
        field: String,
        value: Value,
        /// The one-field record sent for each row.
        change: Record,
    },
    Delete {
        rows: Vec<(RecordId, String)>,
    },
}

impl Job {
    fn rows(&self) -> &[(RecordId, String)] {
        match self {
            Job::Update { rows, .. } | Job::Delete { rows } => rows,
        }
    }

    /// What the progress bar says ("Updating accounts").
    fn verb(&self) -> &'static str {
        match self {
            Job::Update { .. } => "Updating",
            Job::Delete { .. } => "Deleting",
        }
    }
}

/// The outcome of a finished bulk run, for the results table.
#[derive(Debug, Clone)]
struct Outcome {
    verb: &'static str,
    /// (id, name, result).
    results: Vec<(RecordId, String, CollectionResult)>,
}

/// The bar shown while rows are selected.
#[component]
pub fn BulkBar(describe: Arc<SObjectDescribe>) -> impl IntoView {
    let ctx = use_accounts();
    let st = ctx.list;
    let panel = RwSignal::new(Panel::None);
    let progress = RwSignal::new(None::<(usize, usize, &'static str)>);
    let outcome = RwSignal::new(None::<Outcome>);
    let failure = RwSignal::new(None::<String>);
    let count = move || st.selected.with(HashSet::len);

    let fields: Vec<FieldDescribe> = model::form_fields(&describe, FormMode::Edit);
    let field_name = RwSignal::new(
        fields
            .iter()
            .find(|f| f.name == "Industry")
            .or(fields.first())
            .map(|f| f.name.clone())
            .unwrap_or_default(),
    );
    let values = RwSignal::new(BTreeMap::<String, String>::new());
    let scope = ctx.org_key();
    let default_field = field_name.get_untracked();
    drafts::bind(&scope, "bulk.field", field_name, default_field);
    drafts::bind(&scope, "bulk.values", values, BTreeMap::new());
    let errors = RwSignal::new(BTreeMap::<String, String>::new());
    let fields = Arc::new(fields);

    let selected_rows = move || -> Vec<(RecordId, String)> {
        // In list order, so results read like the table.
        let selected = st.selected.get_untracked();
        st.rows.with_untracked(|rows| {
            rows.iter()
                .filter(|r| selected.contains(&r.id))
                .map(|r| (r.id.clone(), r.name.clone()))
                .collect()
        })
    };

    // One run at a time: the buttons are off while it is pending, so nothing is sent twice.
    let run = Action::new_local(move |job: &Job| {
        let job = job.clone();
        async move {
            let names: BTreeMap<RecordId, String> = job.rows().iter().cloned().collect();
            let ids: Vec<RecordId> = job.rows().iter().map(|(id, _)| id.clone()).collect();
            let verb = job.verb();
            progress.set(Some((0, ids.len(), verb)));
            let step = move |done, total| progress.set(Some((done, total, verb)));
            let client = ctx.client();
            let result = match &job {
                Job::Update { rows, change, .. } => {
                    let updates: Vec<(RecordId, Record)> = rows
                        .iter()
                        .map(|(id, _)| (id.clone(), change.clone()))
                        .collect();
                    client
                        .update_many(SOBJECT, &updates, false, BULK_CONCURRENCY, step)
                        .await
                }
                Job::Delete { .. } => {
                    client
                        .delete_many(&ids, false, BULK_CONCURRENCY, step)
                        .await
                }
            };
            if !ctx.still_shown() {
                return;
            }
            progress.set(None);
            match result {
                Ok(results) => {
                    let changed = succeeded(&results);
                    match &job {
                        Job::Update { field, value, .. } => {
                            drafts::clear(&ctx.org_key(), "bulk.values");
                            patch_rows(ctx.list, field, value, &changed);
                            panel.set(Panel::None);
                        }
                        Job::Delete { .. } => ctx.list.remove_rows(&changed),
                    }
                    outcome.set(Some(Outcome {
                        verb: if matches!(job, Job::Update { .. }) {
                            "updated"
                        } else {
                            "deleted"
                        },
                        results: with_names(results, &names),
                    }));
                }
                Err(e) => failure.set(Some(e.user_message())),
            }
        }
    });
    let start = move |job: Job| {
        if run.pending().get_untracked() {
            return;
        }
        outcome.set(None);
        failure.set(None);
        run.dispatch_local(job);
    };

    let run_update = {
        let fields = fields.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let name = field_name.get_untracked();
            let Some(field) = fields.iter().find(|f| f.name == name).cloned() else {
                return;
            };
            let text = values.with_untracked(|v| v.get(&name).cloned().unwrap_or_default());
            let value = match model::parse_input(&field, &text) {
                Ok(v) => v,
                Err(message) => {
                    errors.set(BTreeMap::from([(name, message)]));
                    return;
                }
            };
            if value.is_null() && field.is_required() {
                errors.set(BTreeMap::from([(
                    name,
                    format!("{} cannot be empty.", field.label),
                )]));
                return;
            }
            errors.set(BTreeMap::new());
            let mut change = Record::new();
            change.insert(field.name.clone(), value.clone());
            start(Job::Update {
                rows: selected_rows(),
                field: field.name,
                value,
                change,
            });
        }
    };

    let run_delete = move |_| {
        panel.set(Panel::None);
        start(Job::Delete {
            rows: selected_rows(),
        });
    };

    let pending = run.pending();
    let busy = move || pending.get() || progress.with(Option::is_some);
    let field_options: Vec<(String, String)> = fields
        .iter()
        .map(|f| (f.name.clone(), f.label.clone()))
        .collect();
    let field_control = {
        let fields = fields.clone();
        move || {
            let name = field_name.get();
            fields
                .iter()
                .find(|f| f.name == name)
                .cloned()
                .map(|f| view! { <FieldControl field=f values=values errors=errors required=false label_prefix="New value: "/> })
        }
    };

    view! {
        <section class="ob-acc-bulk" aria-label="Selected accounts">
            <Show when=move || { count() > 0 || busy() }>
            <div class="ob-acc-bulk-bar">
                <p class="ob-acc-bulk-count">{move || format!("{} selected", thousands(count() as u64))}</p>
                <button
                    type="button"
                    class="ob-button ob-button-secondary"
                    aria-expanded=move || (panel.get() == Panel::Update).to_string()
                    disabled=busy
                    on:click=move |_| panel.update(|p| *p = if *p == Panel::Update { Panel::None } else { Panel::Update })
                >
                    "Update a field…"
                </button>
                <button
                    type="button"
                    class="ob-button ob-button-danger"
                    disabled=busy
                    on:click=move |_| panel.set(Panel::ConfirmDelete)
                >
                    "Delete selected…"
                </button>
                <button
                    type="button"
                    class="ob-button ob-button-secondary"
                    disabled=busy
                    on:click=move |_| {
                        st.selected.update(HashSet::clear);
                    }
                >
                    "Clear selection"
                </button>
            </div>
            </Show>
            <Show when=move || { panel.get() == Panel::Update && count() > 0 }>
                <form class="ob-acc-bulk-form" on:submit=run_update.clone()>
                    <div class="ob-field">
                        <label for="ob-acc-bulk-field">"Field to update"</label>
                        <select
                            id="ob-acc-bulk-field"
                            class="ob-input"
                            prop:value=move || field_name.get()
                            on:change=move |ev| {
                                errors.set(BTreeMap::new());
                                field_name.set(event_target_value(&ev));
                            }
                        >
                            {field_options
                                .clone()
                                .into_iter()
                                .map(|(name, label)| {
                                    let selected = name == field_name.get_untracked();
                                    view! { <option value=name selected=selected>{label}</option> }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    {field_control.clone()}
                    <div class="ob-actions">
                        <button type="submit" class="ob-button" disabled=busy>
                            {move || format!("Update {} accounts", thousands(count() as u64))}
                        </button>
                    </div>
                </form>
            </Show>
            <Show when=move || { panel.get() == Panel::ConfirmDelete && count() > 0 }>
                <div class="ob-acc-confirm" role="alertdialog" aria-labelledby="ob-acc-bulk-del-title" aria-describedby="ob-acc-bulk-del-text">
                    <p id="ob-acc-bulk-del-title" class="ob-alert-title">
                        {move || format!("Delete {} accounts?", thousands(count() as u64))}
                    </p>
                    <p id="ob-acc-bulk-del-text">"They go to the org's Recycle Bin."</p>
                    <div class="ob-actions">
                        <button type="button" class="ob-button ob-button-danger" on:click=run_delete>
                            {move || format!("Delete {} accounts", thousands(count() as u64))}
                        </button>
                        <button type="button" class="ob-button ob-button-secondary" on:click=move |_| panel.set(Panel::None)>
                            "Cancel"
                        </button>
                    </div>
                </div>
            </Show>
            {move || progress.get().map(|(done, total, what)| view! {
                <div class="ob-acc-progress">
                    <label for="ob-acc-bulk-progress">{format!("{what} accounts")}</label>
                    <progress id="ob-acc-bulk-progress" max=total.max(1).to_string() value=done.to_string()></progress>
                    <span>{format!("{} of {} done", thousands(done as u64), thousands(total as u64))}</span>
                </div>
            })}
            {move || failure.get().map(|m| view! { <ErrorAlert title="The change stopped" message=m/> })}
            {move || outcome.get().map(|o| view! { <BulkResults outcome=o/> })}
        </section>
    }
}

/// The ids the org changed.
fn succeeded(results: &[CollectionResult]) -> HashSet<RecordId> {
    results
        .iter()
        .filter(|r| r.is_done())
        .map(|r| r.id.clone())
        .collect()
}

/// Results paired with the names the table showed.
fn with_names(
    results: Vec<CollectionResult>,
    names: &BTreeMap<RecordId, String>,
) -> Vec<(RecordId, String, CollectionResult)> {
    results
        .into_iter()
        .map(|r| {
            let name = names.get(&r.id).cloned().unwrap_or_default();
            (r.id.clone(), name, r)
        })
        .collect()
}

/// Shows a bulk update in the loaded rows that display the changed field.
fn patch_rows(
    st: super::list_state::ListState,
    field: &str,
    value: &Value,
    ids: &HashSet<RecordId>,
) {
    let Some(col) = st
        .columns
        .with_untracked(|cols| cols.iter().position(|c| c.path.eq_ignore_ascii_case(field)))
    else {
        return;
    };
    let text = display_value(Some(value));
    st.rows.update(|rows| {
        for row in rows.iter_mut().filter(|r| ids.contains(&r.id)) {
            row.cells[col] = text.clone();
            row.revision += 1;
        }
    });
}

/// A summary, then one line per record: failures and records never sent first and all shown,
/// successes folded away.
#[component]
fn BulkResults(outcome: Outcome) -> impl IntoView {
    /// Successful records listed at most (the count says the rest).
    const SHOWN_SUCCESSES: usize = 500;
    let (ok, rest): (Vec<_>, Vec<_>) = outcome
        .results
        .into_iter()
        .partition(|(_, _, r)| r.is_done());
    let (skipped, failed): (Vec<_>, Vec<_>) =
        rest.into_iter().partition(|(_, _, r)| r.is_not_attempted());
    let mut summary = format!(
        "{} {}, {} failed",
        thousands(ok.len() as u64),
        outcome.verb,
        thousands(failed.len() as u64)
    );
    if !skipped.is_empty() {
        summary.push_str(&format!(
            ", {} not attempted",
            thousands(skipped.len() as u64)
        ));
    }
    summary.push('.');
    let ok_count = ok.len();
    let skipped_note = skipped.first().map(|(_, _, r)| {
        format!(
            "{} {} accounts were not sent to the org, so nothing happened to them. Sign in again, then select them and run the change again.",
            r.message(),
            thousands(skipped.len() as u64)
        )
    });
    let table = |label: &'static str, rows: Vec<(RecordId, String, CollectionResult)>| {
        (!rows.is_empty()).then(|| view! {
            <table class="ob-acc-result-table" aria-label=label>
                <thead><tr><th scope="col">"Account"</th><th scope="col">"Id"</th><th scope="col">"Problem"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(id, name, r)| view! {
                        <tr><td>{name}</td><td class="ob-mono">{id.to_string()}</td><td>{r.message()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })
    };
    view! {
        <div class="ob-acc-results">
            <p class="ob-status" role="status">{summary}</p>
            {skipped_note.map(|m| view! { <ErrorAlert title="The session ended during the change" message=m/> })}
            {table("Records that failed", failed)}
            {table("Records not attempted", skipped)}
            {(ok_count > 0).then(|| view! {
                <details>
                    <summary>{format!("Records {} ({})", outcome.verb, thousands(ok_count as u64))}</summary>
                    <ul class="ob-acc-result-list" aria-label=format!("Records {}", outcome.verb)>
                        {ok.into_iter().take(SHOWN_SUCCESSES).map(|(id, name, _)| view! {
                            <li>{name}" "<span class="ob-mono ob-muted">{id.to_string()}</span></li>
                        }).collect_view()}
                    </ul>
                    {(ok_count > SHOWN_SUCCESSES).then(|| view! {
                        <p class="ob-muted">{format!("…and {} more.", thousands((ok_count - SHOWN_SUCCESSES) as u64))}</p>
                    })}
                </details>
            })}
        </div>
    }
}
