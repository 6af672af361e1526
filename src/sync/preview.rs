//! The preview: both orgs read, then every record's Insert / Update / Unchanged / Blocked with
//! what changes (target value → new value) or why not, counts, a filter, the calls used and to
//! come. Only the rows in view are in the page, so 10,000 stay smooth.

use futures::future::join;
use std::sync::Arc;

use leptos::prelude::*;
use orgbridge_model::accounts::{display_value, shown_name, thousands, window_at};
use orgbridge_model::route::Route;
use orgbridge_sync::owners::{match_owners, How};
use orgbridge_sync::plan;
use orgbridge_sync::preview::{shown_changes, Builder, Inputs, Outcome, Row};
use orgbridge_sync::read::{self, Ask};
use orgbridge_sync::record_types::{has_record_types, resolve};
use orgbridge_sync::run::RecordResult;
use orgbridge_sync::watermark::LastSync;
use salesforce::rest::SObjectDescribe;

use super::run::RunButton;
use super::setup::{blocker, scope};
use super::state::{org_short, use_sync, Made, SyncCtx};
use crate::components::alert::ErrorAlert;
use crate::error::AppError;

/// Makes the preview: the button's action, shared so a run resumed too late can preview the rest.
#[derive(Clone, Copy)]
pub struct Previewer(pub Action<(), Result<(), AppError>>, RwSignal<String>);

pub fn provide_previewer(ctx: SyncCtx) {
    let progress = RwSignal::new(String::new());
    let make = Action::new_local(move |_: &()| make_preview(ctx, progress));
    provide_context(Previewer(make, progress));
}

#[component]
pub fn PreviewPanel() -> impl IntoView {
    let ctx = use_sync();
    let Previewer(make, progress) = expect_context::<Previewer>();
    let pending = make.pending();
    let running = move || ctx.run.with(|r| r.as_ref().is_some_and(|r| !r.finished()));
    // What stops a preview, worked out once per change of the choices (the mapping's concerns
    // are not cheap), for the button and the words beside it.
    let blocked = Memo::new(move |_| blocker(ctx));
    view! {
        <div class="ob-actions ob-sync-go">
            <button
                type="button"
                class="ob-button"
                disabled=move || pending.get() || running() || blocked.with(Option::is_some)
                on:click=move |_| {
                    if !pending.get_untracked() {
                        make.dispatch_local(());
                    }
                }
            >
                {move || if ctx.made.with(Option::is_some) { "Preview again" } else { "Preview changes" }}
            </button>
            {move || blocked.get().map(|b| view! { <p class="ob-muted">{b}</p> })}
            <Show when=move || pending.get()>
                <div class="ob-busy" role="status" aria-live="polite">
                    <span class="ob-spinner" aria-hidden="true"></span>
                    <span>{move || progress.get()}</span>
                </div>
            </Show>
        </div>
        {move || ctx.rest_of.get().map(|rest| view! {
            <div class="ob-status" role="status">
                <p>{format!("Previewing again the {} accounts an interrupted run had still to write, as both orgs hold them now.", thousands(rest.len() as u64))}</p>
                <button type="button" class="ob-button ob-button-secondary" on:click=move |_| ctx.changed()>"Back to the accounts chosen"</button>
            </div>
        })}
        {move || make.value().get().and_then(Result::err).map(|e| view! { <ErrorAlert title="Could not make the preview" message=e/> })}
        {move || ctx.made.get().map(|m| view! { <PreviewView made=m again=make/> })}
    }
}

/// Past this much wasm memory a read stops rather than let the tab crash at 4 GiB, silently.
const ROOM_LEFT: u64 = 3_600_000_000;

/// The wasm memory the app has, in bytes.
fn wasm_bytes() -> u64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0, |b| b.byte_length() as u64)
        })
        .unwrap_or(0)
}

/// Reads both orgs and works out the preview; nothing is written.
async fn make_preview(ctx: SyncCtx, progress: RwSignal<String>) -> Result<(), AppError> {
    let scope = scope(ctx).map_err(AppError::Setup)?;
    let key = ctx
        .key
        .get_untracked()
        .ok_or_else(|| AppError::Setup("Choose the target field records are matched on.".into()))?;
    let mapping = ctx.mapping.get_untracked();
    let owners = ctx.owners.get_untracked();
    let (source, target) = (ctx.source.get_value(), ctx.target.get_value());
    let (sc, tc) = (source.accounts.client(), target.accounts.client());
    // The last preview's numbers would be stale while both orgs are read again.
    ctx.made.set(None);
    progress.set("Reading the source accounts…".into());
    let also = ctx.also.get_untracked();
    let last_sync = ctx.saved.with_untracked(|s| s.last_sync.clone());
    let deletions_since = ctx
        .deletions
        .get_untracked()
        .then(|| last_sync.as_ref().map(|l| l.stamp.clone()))
        .flatten();
    let (sd, td) = ctx.described.get_value();
    let types = resolve(&sd, &td, &mapping.record_types);
    // The memory the app has taken from the browser: it only grows, and wasm32 stops at 4 GiB.
    let at_start = wasm_bytes();
    let room = move |n: usize, total: u64| {
        let now = wasm_bytes();
        (now > ROOM_LEFT && now > at_start).then(|| read::out_of_room(n, total))
    };
    let ask = Ask {
        record_types: types.is_some() && has_record_types(&sd),
        scope: &scope,
        also: &also,
        mapping: &mapping,
        key: &key,
        owners,
        deletions_since: deletions_since.as_deref(),
        room: &room,
    };
    let (got, mut rest) = read::read(&sc, &tc, &ask, |p| {
        progress.try_set(p);
    })
    .await?;
    let me = tc.session().user.user_id.clone();
    let chosen = ctx.default_owner.get_untracked();
    let owners = owners.then(|| {
        let active = || got.target_users.iter().filter(|u| u.active && u.standard);
        let default = active()
            .find(|u| Some(&u.id) == chosen.as_ref())
            .or_else(|| active().find(|u| u.id.as_str().get(..15) == me.get(..15)))
            .or_else(|| active().next())
            .cloned();
        default.map(|d| match_owners(&got.source_users, &got.target_users, &d))
    });
    let owners = owners.flatten();
    let inputs = Inputs {
        source: &sd,
        target: &td,
        mapping: &mapping,
        key: &key,
        owners: owners.as_ref(),
        records: &got.records,
        targets: &got.targets,
        deleted: got.deleted.as_deref(),
        record_types: types.as_ref(),
    };
    // The records read so far, then (a large source) the rest a page at a time, each made into
    // rows and dropped. A page is made into rows while the next is read: the org and the
    // browser work at once.
    let mut builder = Builder::new(&inputs);
    let say = move |p| {
        progress.try_set(p);
    };
    let (mut next, ()) = join(rest.next(&sc, &room, say), async {
        builder.add(&got.records)
    })
    .await;
    while let Some(page) = next? {
        (next, ()) = join(rest.next(&sc, &room, say), async { builder.add(&page) }).await;
    }
    progress.try_set("Working out every change…".into());
    let made = builder.finish(got.deleted.as_deref());
    let mut calls = got.calls;
    calls.source += rest.calls;
    let batches = plan::batches(&made);
    // Whether the run wrote everything is known when it finishes; the run keeps this only then.
    let leaves = LastSync::after_run(
        &scope,
        !also.is_empty() || ctx.rest_of.with_untracked(Option::is_some),
        true,
        made.watermark.as_deref(),
        &key,
        &mapping,
    );
    let run_calls = plan::Calls {
        // One call to learn which source records were deleted since.
        source: 1,
        target: batches.len() as u64,
    };
    ctx.run.try_set(None);
    ctx.made.try_set(Some(Arc::new(Made {
        preview: made,
        key,
        mapping,
        leaves,
        owners,
        target_users: got.target_users.clone(),
        calls: (calls, run_calls),
        at_ms: js_sys::Date::now(),
        kept: Default::default(),
    })));
    Ok(())
}

#[component]
fn PreviewView(
    made: Arc<Made>,
    /// Makes the preview again (after a choice made on it: parents, the default owner).
    again: Action<(), Result<(), AppError>>,
) -> impl IntoView {
    let ctx = use_sync();
    let (source, target) = (
        org_short(&ctx.source.get_value()),
        org_short(&ctx.target.get_value()),
    );
    let counts = made.preview.counts();
    let filter = RwSignal::new(None::<Outcome>);
    let summary = format!(
        "Nothing is written yet. {} to insert, {} to update, {} unchanged, {} blocked{}.",
        thousands(counts.insert as u64),
        thousands(counts.update as u64),
        thousands(counts.unchanged as u64),
        thousands(counts.blocked as u64),
        if ctx.deletions.get_untracked() {
            format!(", {} to delete", thousands(counts.delete as u64))
        } else {
            String::new()
        }
    );
    let (read, _) = made.calls;
    let calls = format!(
        "Reading took {} API calls in {source} and {} in {target}.",
        read.source, read.target
    );
    let filter_button = move |which: Option<Outcome>, text: String| {
        view! {
            <button
                type="button"
                class="ob-button ob-button-secondary ob-sync-filter"
                aria-pressed=move || (filter.get() == which).to_string()
                on:click=move |_| filter.set(which)
            >
                {text}
            </button>
        }
    };
    let total = made.preview.rows.len();
    let filters = std::iter::once(filter_button(
        None,
        format!("All ({})", thousands(total as u64)),
    ))
    .chain(
        Outcome::ALL
            .iter()
            .filter(|&&o| o != Outcome::Delete || counts.delete > 0)
            .map(|&o| {
                filter_button(
                    Some(o),
                    format!("{} ({})", o.label(), thousands(counts.of(o) as u64)),
                )
            }),
    )
    .collect_view();
    let missing = made.preview.missing_parents.clone();
    view! {
        <section class="ob-card ob-sync-preview" aria-labelledby="ob-sync-preview-title">
            <h3 id="ob-sync-preview-title">{format!("Preview: {source} → {target}")}</h3>
            <p class="ob-status" role="status">{summary}</p>
            <p class="ob-muted ob-small">{calls}</p>
            {made.owners.as_ref().map(|o| view! { <OwnersTable owners=o.clone() users=made.target_users.clone() again=again/> })}
            {(!missing.is_empty()).then(|| view! {
                <details class="ob-sync-missing">
                    <summary>{format!("{} parent accounts are neither in the target nor in this run", missing.len())}</summary>
                    <p class="ob-muted ob-small">"Their children are written without a parent, unless you copy the parents too."</p>
                    <div class="ob-actions">
                        <button type="button" class="ob-button ob-button-secondary" on:click={
                            let ids: Vec<_> = missing.iter().filter_map(|m| m.source_id.clone()).collect();
                            move |_| {
                                ctx.also.update(|a| {
                                    for id in &ids {
                                        if !a.contains(id) {
                                            a.push(id.clone());
                                        }
                                    }
                                });
                                again.dispatch_local(());
                            }
                        }>"Copy these parents too"</button>
                    </div>
                    <ul>{missing.into_iter().map(|m| view! {
                        <li>{if m.name.is_empty() { m.key.clone() } else { format!("{} ({})", m.name, m.key) }}{format!(": {} children", m.children.len())}</li>
                    }).collect_view()}</ul>
                </details>
            })}
            <div class="ob-actions" role="group" aria-label="Show">{filters}</div>
            <PreviewTable made=made.clone() filter=filter/>
            <RunButton made=made/>
        </section>
    }
}

#[component]
fn OwnersTable(
    owners: orgbridge_sync::owners::Owners,
    users: Vec<orgbridge_sync::owners::User>,
    again: Action<(), Result<(), AppError>>,
) -> impl IntoView {
    let ctx = use_sync();
    let current = owners
        .matches
        .iter()
        .find(|m| m.how == How::Default)
        .map(|m| m.target.id.to_string())
        .or_else(|| ctx.default_owner.get_untracked().map(|d| d.to_string()))
        .unwrap_or_default();
    let rows = owners
        .matches
        .iter()
        .map(|m| {
            let how = match m.how {
                How::Username => "Same username",
                How::Email => "Same email",
                How::Default => "No match: the default",
            };
            view! {
                <tr><td>{m.source.label()}</td><td>{m.target.label()}</td><td>{how}</td></tr>
            }
        })
        .collect_view();
    let options = users
        .into_iter()
        .filter(|u| u.active)
        .map(|u| {
            let selected = u.id.to_string() == current;
            view! { <option value=u.id.to_string() selected=selected>{u.label()}</option> }
        })
        .collect_view();
    view! {
        <details class="ob-sync-owners">
            <summary>{format!("Owners: {} source users", owners.matches.len())}</summary>
            <div class="ob-field">
                <label for="ob-sync-default-owner">"Owners with no match go to"</label>
                <select
                    id="ob-sync-default-owner"
                    class="ob-input"
                    on:change=move |ev| {
                        let id = salesforce::types::RecordId::parse(&event_target_value(&ev)).ok();
                        ctx.default_owner.set(id);
                        again.dispatch_local(());
                    }
                >
                    {options}
                </select>
            </div>
            <table class="ob-acc-result-table" aria-label="Owners">
                <thead><tr><th scope="col">"Source owner"</th><th scope="col">"Target owner"</th><th scope="col">"How"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}

/// The "In the target" cell: what the run did (linked to the record there), else the record the
/// preview found.
fn target_cell(
    target_key: &str,
    found: Option<&salesforce::types::RecordId>,
    result: Option<RecordResult>,
) -> AnyView {
    let link = |id: &salesforce::types::RecordId, text: String| {
        let href = Route::account_href(target_key, id);
        view! { <a class="ob-mono" href=href>{text}</a> }.into_any()
    };
    match (result, found) {
        (Some(RecordResult::Created(id)), _) => link(&id, format!("Created {id}")),
        (Some(RecordResult::Updated(id)), _) => link(&id, format!("Updated {id}")),
        (Some(RecordResult::Deleted(id)), _) => {
            view! { <span class="ob-mono">{format!("Deleted {id}")}</span> }.into_any()
        }
        (Some(RecordResult::ChangedInTarget(m)), _) => {
            view! { <span class="ob-sync-warn">{m}</span> }.into_any()
        }
        (Some(RecordResult::Failed(m)), _) => {
            view! { <span class="ob-sync-stop">{format!("Failed: {m}")}</span> }.into_any()
        }
        (Some(RecordResult::SourceDeleted), _) => {
            view! { <span>"Not written: deleted in the source"</span> }.into_any()
        }
        (None, Some(id)) => link(id, id.to_string()),
        (None, None) => ().into_any(),
    }
}

/// What a row's last column says, with the target's field labels.
fn what_changes(row: &Row, target: &SObjectDescribe) -> String {
    let mut parts: Vec<String> = match row.outcome {
        Outcome::Blocked => row.problems.clone(),
        Outcome::Delete => vec!["Deleted in the target".into()],
        Outcome::Unchanged => vec!["No change".into()],
        Outcome::Insert => shown_changes(row, target)
            .into_iter()
            .map(|c| format!("{}: {}", c.label, display_value(Some(&c.after))))
            .collect(),
        Outcome::Update => shown_changes(row, target)
            .into_iter()
            .map(|c| {
                let before = display_value(Some(&c.before));
                format!(
                    "{}: {} → {}",
                    c.label,
                    if before.is_empty() {
                        "—".into()
                    } else {
                        before
                    },
                    display_value(Some(&c.after))
                )
            })
            .collect(),
    };
    parts.extend(row.notes.iter().cloned());
    parts.join("; ")
}

/// The preview rows drawn: the space above and below them (spacers), and their indexes.
#[derive(Debug, Clone, PartialEq)]
struct InView {
    above_px: f64,
    rows: Vec<usize>,
    below_px: f64,
}

#[component]
fn PreviewTable(made: Arc<Made>, filter: RwSignal<Option<Outcome>>) -> impl IntoView {
    let ctx = use_sync();
    let shown = {
        let made = made.clone();
        Memo::new(move |_| {
            let f = filter.get();
            made.preview
                .rows
                .outcomes()
                .iter()
                .enumerate()
                .filter(|(_, o)| f.is_none_or(|f| **o == f))
                .map(|(n, _)| n)
                .collect::<Vec<usize>>()
        })
    };
    let scroll_top = RwSignal::new(0.0);
    let viewport = RwSignal::new(600.0);
    Effect::new(move |_| {
        filter.track();
        scroll_top.set(0.0);
    });
    // What is drawn, as one memo of the scroll position and the filter, the rows' one source.
    // With a window memo beside `shown`, switching between two filters of one count kept the old
    // rows: the window (0..1 both times) was checked first, recomputed `shown` for itself and came
    // out unchanged, and `shown` then no longer counted as changed for the rows.
    let in_view = Memo::new(move |_| {
        shown.with(|s| {
            let w = window_at(scroll_top.get(), viewport.get(), s.len());
            InView {
                above_px: w.above_px,
                rows: s[w.rows].to_vec(),
                below_px: w.below_px,
            }
        })
    });
    let source_key = ctx.source.with_value(|s| s.key.clone());
    let target_key = ctx.target.with_value(|t| t.key.clone());
    let target = ctx.described.get_value().1;
    // After a run, each row says what it did in the target, linked there.
    let result_of = move |n: usize| {
        ctx.run
            .with(|r| r.as_ref().and_then(|r| r.results.get(n).cloned().flatten()))
    };
    let rows = move || {
        in_view.with(|v| {
            v.rows
                .iter()
                .map(|&n| {
                    let r = &made.preview.rows.get(n);
                    let name = shown_name(&r.name);
                    view! {
                        <tr class=format!("ob-sync-row ob-sync-{}", r.outcome.label().to_lowercase())>
                            <td><span class="ob-sync-outcome">{r.outcome.label()}</span></td>
                            <td><a href=Route::account_href(&source_key, &r.source_id)>{name}</a></td>
                            <td>{target_cell(&target_key, r.target_id.as_ref(), result_of(n))}</td>
                            <td class="ob-sync-what">{what_changes(r, &target)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let top = move || format!("{}px", in_view.with(|v| v.above_px));
    let bottom = move || format!("{}px", in_view.with(|v| v.below_px));
    view! {
        <div
            class="ob-acc-scroller ob-sync-scroller"
            tabindex="0"
            role="region"
            aria-label="Preview of every record"
            on:scroll=move |ev| {
                let el = event_target::<web_sys::Element>(&ev);
                viewport.set(f64::from(el.client_height()));
                scroll_top.set(f64::from(el.scroll_top()));
            }
        >
            <table class="ob-acc-table ob-sync-table">
                <thead>
                    <tr>
                        <th scope="col">"Outcome"</th>
                        <th scope="col">"Account"</th>
                        <th scope="col">"In the target"</th>
                        <th scope="col">"What changes (target value → new value), or why not"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr class="ob-acc-spacer" aria-hidden="true"><td colspan="4" style:height=top></td></tr>
                    {rows}
                    <tr class="ob-acc-spacer" aria-hidden="true"><td colspan="4" style:height=bottom></td></tr>
                </tbody>
            </table>
            {move || shown.with(Vec::is_empty).then(|| view! { <p class="ob-empty">"No records with this outcome."</p> })}
        </div>
    }
}
