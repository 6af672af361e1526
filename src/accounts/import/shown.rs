//! The import's preview and results on screen: counts, a filter, a table that draws only the
//! lines in view, the Import button, progress with time left and Cancel, then the results, the
//! results file and Re-run failures only.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgbridge_model::accounts::{shown_name, thousands, window_at};
use orgbridge_sheet::import::results::{cells, ResultsFile, Written};
use orgbridge_sheet::import::{Outcome, Row};
use salesforce::rest::SObjectDescribe;
use std::sync::Arc;

use super::{file, run, start_run, Import, Stop};
use crate::accounts::context::use_accounts;
use crate::download::FileParts;

/// The preview, once made, and what the run did.
#[component]
pub fn PreviewPanel(describe: Arc<SObjectDescribe>) -> impl IntoView {
    let im = expect_context::<Import>();
    move || {
        im.made.get().map(|made| {
            let describe = describe.clone();
            view! { <Shown made=made describe=describe/> }
        })
    }
}

#[derive(Clone, PartialEq)]
struct InView {
    above_px: f64,
    rows: Vec<usize>,
    below_px: f64,
}

#[component]
fn Shown(made: Arc<super::preview::Made>, describe: Arc<SObjectDescribe>) -> impl IntoView {
    let ctx = use_accounts();
    let im = expect_context::<Import>();
    let counts = made.counts;
    let writes = counts.insert + counts.update + counts.delete;
    let filter = RwSignal::new(None::<Outcome>);
    let shown = {
        let made = made.clone();
        Memo::new(move |_| {
            let f = filter.get();
            made.rows
                .outcomes()
                .iter()
                .enumerate()
                .filter(|(_, o)| f.is_none_or(|f| **o == f))
                .map(|(n, _)| n)
                .collect::<Vec<usize>>()
        })
    };
    let scroll_top = RwSignal::new(0.0);
    let viewport = RwSignal::new(480.0);
    Effect::new(move |_| {
        filter.track();
        scroll_top.set(0.0);
    });
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
    let filter_button = move |which: Option<Outcome>, text: String| {
        view! {
            <button type="button" class="ob-button ob-button-secondary ob-sync-filter"
                aria-pressed=move || (filter.get() == which).to_string()
                on:click=move |_| filter.set(which)>{text}</button>
        }
    };
    let filters = std::iter::once(filter_button(
        None,
        format!("All ({})", thousands(made.rows.len() as u64)),
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
    let rows = {
        let made = made.clone();
        move || {
            in_view.with(|v| {
                v.rows
                    .iter()
                    .map(|&n| {
                        let r = &made.rows.get(n);
                        let result = im.results.with(|res| res.get(n).cloned().flatten());
                        view! {
                            <tr class=format!("ob-sync-row ob-sync-{}", r.outcome.label().to_lowercase())>
                                <td>{r.line}</td>
                                <td><span class="ob-sync-outcome">{r.outcome.label()}</span></td>
                                <td>{shown_name(&r.name)}</td>
                                {
                                    let text = what(r, &describe);
                                    let full = text.clone();
                                    view! { <td class="ob-sync-what" title=full>{text}</td> }
                                }
                                <td>{result.map(|w| result_text(&w))}</td>
                            </tr>
                        }
                    })
                    .collect_view()
            })
        }
    };
    let top = move || format!("{}px", in_view.with(|v| v.above_px));
    let bottom = move || format!("{}px", in_view.with(|v| v.below_px));
    let summary = format!(
        "{}: {} to insert, {} to update, {} unchanged, {} blocked{}. Nothing is written yet. Read with {}.",
        lines_text(made.rows.len()),
        thousands(counts.insert as u64),
        thousands(counts.update as u64),
        thousands(counts.unchanged as u64),
        thousands(counts.blocked as u64),
        if counts.delete > 0 { format!(", {} to delete", thousands(counts.delete as u64)) } else { String::new() },
        calls_text(made.calls),
    );
    let settled = move || im.results.with(|r| r.iter().flatten().count());
    // A Bulk job's records count as it processes them, before its results are read.
    let done = move || {
        let job = im
            .job
            .with(|j| j.as_ref().map_or(0, |(_, processed)| *processed));
        (settled() + job).min(writes.max(settled()))
    };
    let engine = if writes >= orgbridge_sheet::import::bulk::THRESHOLD {
        format!(
            "The import goes through Bulk API 2.0 ({} lines to write, from {} it is Salesforce's advice): one job, about 10 to 20 calls.",
            thousands(writes as u64),
            thousands(orgbridge_sheet::import::bulk::THRESHOLD as u64)
        )
    } else {
        format!(
            "The import goes through sObject Collections (under {} lines to write): {} of at most 200 lines.",
            thousands(orgbridge_sheet::import::bulk::THRESHOLD as u64),
            calls_text(writes.div_ceil(200) as u64)
        )
    };
    let to_go = {
        let made = made.clone();
        Memo::new(move |_| im.results.with(|r| run::to_write(&made, r).len()))
    };
    let more_to_go = move || to_go.get() > 0;
    // Lines the run has not reached (paused or cancelled) rather than lines that failed.
    let never_sent = {
        let made = made.clone();
        Memo::new(move |_| {
            im.results.with(|r| {
                made.rows
                    .outcomes()
                    .iter()
                    .zip(r)
                    .any(|(o, w)| o.writes() && w.is_none())
            })
        })
    };
    let started = move || im.results.with(|r| r.iter().any(Option::is_some));
    let time_left = move || {
        let (t0, done0) = im.since.get_value();
        let elapsed = (js_sys::Date::now() - t0) / 1000.0;
        im.running
            .get()
            .then(|| orgbridge_model::progress::time_left(done0, done(), done0 + writes, elapsed))
            .flatten()
    };
    let tally = Memo::new(move |_| {
        im.results.with(|r| {
            let mut t = [0usize; 5];
            for w in r.iter().flatten() {
                let i = match w {
                    Written::Created(_) => 0,
                    Written::Updated(_) => 1,
                    Written::Deleted(_) => 2,
                    Written::Failed(_) => 3,
                    Written::Unknown(_) => 4,
                };
                t[i] += 1;
            }
            t
        })
    });
    let kept = StoredValue::new(made.clone());
    let failures = move || {
        kept.with_value(|made| {
            im.results.with(|r| {
                run::failures(&made.rows, r, 200)
                    .into_iter()
                    .map(|(row, why)| view! { <tr><td>{row.line}</td><td>{shown_name(&row.name)}</td><td>{why}</td></tr> })
                    .collect_view()
            })
        })
    };
    let download = move |_| download_results(im, kept.get_value());
    view! {
        <section class="ob-import-preview" aria-labelledby="ob-import-preview-title">
            <h4 id="ob-import-preview-title">"Preview"</h4>
            {move || im.restored.get().map(|m| view! { <p class="ob-status" role="status">{m}</p> })}
            {move || im.unkept.get().map(|why| view! { <p class="ob-status" role="status">{format!("Not kept in this browser ({why}): if this page is reloaded or closed, the import cannot be resumed. Preview again then: what was written shows as Unchanged.")}</p> })}
            <p class="ob-status" role="status">{summary}</p>
            <p class="ob-muted ob-small">{engine}</p>
            <div class="ob-actions ob-sync-filters" role="group" aria-label="Show lines">{filters}</div>
            <div class="ob-acc-scroller ob-sync-scroller" tabindex="0" role="region" aria-label="Preview of every line"
                on:scroll=move |ev| {
                    let el = event_target::<web_sys::Element>(&ev);
                    viewport.set(f64::from(el.client_height()));
                    scroll_top.set(f64::from(el.scroll_top()));
                }>
                <table class="ob-acc-table ob-sync-table">
                    <thead>
                        <tr>
                            <th scope="col">"Line"</th>
                            <th scope="col">"Outcome"</th>
                            <th scope="col">"Account"</th>
                            <th scope="col">"What changes (org value → file value), or why not"</th>
                            <th scope="col">"Result"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <tr class="ob-acc-spacer" aria-hidden="true"><td colspan="5" style:height=top></td></tr>
                        {rows}
                        <tr class="ob-acc-spacer" aria-hidden="true"><td colspan="5" style:height=bottom></td></tr>
                    </tbody>
                </table>
                {move || shown.with(Vec::is_empty).then(|| view! { <p class="ob-empty">"No lines with this outcome."</p> })}
            </div>
            <div class="ob-actions">
                <Show when=move || !started() && !im.running.get()>
                    <button type="button" class="ob-button" disabled=writes == 0 on:click=move |_| start_run(ctx, im)>
                        {format!("Import {}", lines_text(writes))}
                    </button>
                </Show>
                <Show when=move || im.running.get()>
                    <button type="button" class="ob-button ob-button-secondary" on:click=move |_| im.cancel.set_value(Some(Stop::Paused))>"Pause"</button>
                    <button type="button" class="ob-button ob-button-secondary" on:click=move |_| im.cancel.set_value(Some(Stop::Cancelled))>"Cancel"</button>
                </Show>
            </div>
            <Show when=move || started() || im.running.get()>
                <div class="ob-acc-progress">
                    <label for="ob-import-progress">"Lines written"</label>
                    <progress id="ob-import-progress" max=writes.max(1).to_string() value=move || done().to_string()></progress>
                    <span>{move || format!("{} of {} done, {} calls", thousands(done() as u64), thousands(writes as u64), thousands(im.calls.get()))}</span>
                    <span class="ob-muted">{time_left}</span>
                </div>
                {move || im.job.get().map(|(words, _)| view! { <p class="ob-muted ob-small ob-sync-job">{words}</p> })}
                <Show when=move || !im.running.get()>
                    <p class="ob-status" role="status">{move || {
                        let [c, u, d, f, x] = tally.get();
                        let mut text = format!("{} created, {} updated, {} deleted, {} failed", thousands(c as u64), thousands(u as u64), thousands(d as u64), thousands(f as u64));
                        if x > 0 { text.push_str(&format!(", {} not known (the answer was lost)", thousands(x as u64))); }
                        let left = to_go.get();
                        if left > 0 { text.push_str(&format!("; {} not written", thousands(left as u64))); }
                        text.push_str(". The account list shows what it had loaded: Reload it there to see the changes.");
                        match im.stopped.get() {
                            Some(Stop::Paused) => format!("Paused: {text}"),
                            Some(Stop::Cancelled) => format!("Cancelled: {text}"),
                            None => text,
                        }
                    }}</p>
                    <div class="ob-actions">
                        <button type="button" class="ob-button ob-button-secondary" on:click=download>"Download the results (CSV)"</button>
                        <Show when=more_to_go>
                            <button type="button" class="ob-button" on:click=move |_| start_run(ctx, im)>
                                {move || if never_sent.get() { "Resume" } else { "Re-run failures only" }}
                            </button>
                        </Show>
                    </div>
                    <Show when=move || tally.with(|t| t[3] + t[4] > 0)>
                        <table class="ob-acc-table ob-import-failures">
                            <caption>"Lines not written"</caption>
                            <thead><tr><th scope="col">"Line"</th><th scope="col">"Account"</th><th scope="col">"Why"</th></tr></thead>
                            <tbody>{failures}</tbody>
                        </table>
                    </Show>
                </Show>
            </Show>
        </section>
    }
}

/// "1 line", "2,000 lines".
pub(super) fn lines_text(n: usize) -> String {
    match n {
        1 => "1 line".into(),
        n => format!("{} lines", thousands(n as u64)),
    }
}

fn calls_text(n: u64) -> String {
    match n {
        1 => "1 call".into(),
        n => format!("{} calls", thousands(n)),
    }
}

/// What a line changes, or why it is blocked.
fn what(row: &Row, describe: &SObjectDescribe) -> String {
    if !row.problems.is_empty() {
        return row.problems.join(" ");
    }
    if !row.notes.is_empty() {
        return row.notes.join(" ");
    }
    let label = |f: &str, v: &serde_json::Value| match v.as_object().and_then(|o| o.keys().next()) {
        // A parent named by its key, under the relationship.
        Some(key) => format!("{f} (by {key})"),
        None => describe.field(f).map_or(f.to_string(), |d| d.label.clone()),
    };
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "(empty)".to_string(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
            _ => n.to_string(),
        },
        serde_json::Value::Object(o) => o.values().next().map_or("(empty)".to_string(), |v| {
            v.as_str().map_or("(empty)".to_string(), str::to_string)
        }),
        other => other.to_string(),
    };
    if row.outcome == Outcome::Insert {
        return row
            .body
            .iter()
            .map(|(f, v)| format!("{}: {}", label(f, v), text(v)))
            .collect::<Vec<_>>()
            .join("; ");
    }
    row.changes
        .iter()
        .map(|c| {
            format!(
                "{}: {} → {}",
                label(&c.field, &c.after),
                text(&c.before),
                text(&c.after)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn result_text(w: &Written) -> String {
    match w {
        Written::Created(id) => format!("Created {id}"),
        Written::Updated(id) => format!("Updated {id}"),
        Written::Deleted(id) => format!("Deleted {id}"),
        Written::Failed(m) => format!("Failed: {m}"),
        Written::Unknown(m) => format!("Not known: {m}"),
    }
}

/// The results file: the person's file read again, each line with its result added.
fn download_results(im: Import, made: Arc<super::preview::Made>) {
    let Some(source) = im.file.get_value() else {
        return;
    };
    let results = im.results.get_untracked();
    let name = im
        .name
        .get_untracked()
        .unwrap_or_else(|| "import.csv".into());
    spawn_local(async move {
        let writer = ResultsFile::new(&made.headers, made.separator);
        let mut out = FileParts::new();
        out.push(&writer.head(&made.headers));
        let mut n = 0usize;
        let read = file::read(&source, made.encoding, |_, lines, _| {
            let page = writer.page(lines.iter().map(|line| {
                let at = n;
                n += 1;
                let result = results.get(at).cloned().flatten();
                let cells = if at < made.rows.len() {
                    cells(&made.rows.get(at), result.as_ref())
                } else {
                    Default::default()
                };
                (&line.cells[..], cells)
            }));
            out.push(&page);
            true
        })
        .await;
        if read.is_ok() {
            let base = name.strip_suffix(".csv").unwrap_or(&name);
            out.save(&format!("{base}-results.csv"), "text/csv;charset=utf-8");
        }
    });
}
