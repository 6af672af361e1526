//! Downloading accounts as CSV: the list as it stands (its search, WHERE clause, sort and
//! columns) or its selected rows, read again from the org page by page and written as each page
//! comes (`orgbridge_sheet::export`), the pieces kept by the browser (`crate::download`), with a
//! progress bar, time left, Cancel, and Try again from the page that failed.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgbridge_model::accounts::{self as model, thousands, BATCH_SIZE, SOBJECT};
use orgbridge_sheet::export::{Column, Exporter, Header, Options};
use salesforce::rest::SObjectDescribe;
use salesforce::soql::{quote, ListQuery};

use super::context::{use_accounts, Accounts};
use crate::components::alert::ErrorAlert;
use crate::download::FileParts;
use crate::error::AppError;

/// Ids per query when exporting selected rows: 200 quoted ids keep the URL far under
/// Salesforce's 16,384 bytes, whatever the columns.
const IDS_PER_QUERY: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    List,
    Selected,
}

/// One read still to make.
enum Read {
    Soql(String),
    /// A `nextRecordsUrl`.
    More(String),
}

/// An export under way (kept while it waits for Try again after a failed page).
struct Job {
    reads: VecDeque<Read>,
    exporter: Exporter,
    file: FileParts,
    name: String,
    /// The first query's `totalSize` counts the list's records; selected rows are counted first.
    counted: bool,
}

/// What the screen shows of the export.
#[derive(Debug, Clone, Default, PartialEq)]
struct Progress {
    running: bool,
    done: usize,
    total: usize,
    calls: u64,
    /// When this stretch started, and `done` then (time left).
    since: (f64, usize),
    failed: Option<String>,
    finished: Option<String>,
}

/// The export screen.
#[component]
pub fn ExportScreen(describe: Arc<SObjectDescribe>) -> impl IntoView {
    let ctx = use_accounts();
    let st = ctx.list;
    let selected = move || st.selected.with(HashSet::len);
    let which = RwSignal::new(if selected() > 0 {
        Which::Selected
    } else {
        Which::List
    });
    let header = RwSignal::new(Header::ApiName);
    let excel = RwSignal::new(false);
    let protect = RwSignal::new(true);
    let decimal_comma = crate::locale::writes_decimal_comma();
    let progress = RwSignal::new(Progress::default());
    let job = StoredValue::new_local(None::<Job>);
    let cancel = StoredValue::new(false);

    let columns = move || export_columns(&describe, &st.columns.get());
    let column_names = {
        let columns = columns.clone();
        move || {
            columns()
                .iter()
                .map(|c| c.path.clone())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let listed = move || {
        let mut parts = Vec::new();
        let search = st.search.get();
        if !search.trim().is_empty() {
            parts.push(format!("search “{}”", search.trim()));
        }
        let where_raw = st.where_raw.get();
        if !where_raw.trim().is_empty() {
            parts.push(format!("WHERE {}", where_raw.trim()));
        }
        if let Some((field, dir)) = st.sort.get() {
            parts.push(format!(
                "sorted by {field}{}",
                if dir == salesforce::soql::Direction::Desc {
                    " descending"
                } else {
                    ""
                }
            ));
        }
        if parts.is_empty() {
            "every account".to_string()
        } else {
            parts.join(", ")
        }
    };

    let start = move |_| {
        if progress.with_untracked(|p| p.running) {
            return;
        }
        let options = Options {
            header: header.get_untracked(),
            excel: excel.get_untracked(),
            decimal_comma,
            protect: protect.get_untracked(),
        };
        let exporter = Exporter::new(columns(), options);
        let (reads, total) = match which.get_untracked() {
            Which::List => {
                let soql = st.soql.get_untracked();
                if soql.is_empty() {
                    progress.set(Progress {
                        failed: Some(
                            "The list has no query yet: load the list (Search), then download it."
                                .into(),
                        ),
                        ..Progress::default()
                    });
                    return;
                }
                (
                    VecDeque::from([Read::Soql(soql)]),
                    st.total.get_untracked() as usize,
                )
            }
            Which::Selected => match selected_reads(ctx, &exporter) {
                Ok(reads) => (reads, selected()),
                Err(e) => {
                    progress.set(Progress {
                        failed: Some(e),
                        ..Progress::default()
                    });
                    return;
                }
            },
        };
        let mut file = FileParts::new();
        file.push(&exporter.head());
        job.set_value(Some(Job {
            reads,
            exporter,
            file,
            name: file_name(ctx),
            counted: which.get_untracked() == Which::Selected,
        }));
        progress.set(Progress {
            total,
            ..Progress::default()
        });
        go(ctx, job, progress, cancel);
    };

    let running = move || progress.with(|p| p.running);
    // The list's own query failed or is still loading its count: nothing to download yet.
    let list_unready = move || {
        which.get() == Which::List
            && (st.error.with(Option::is_some) || st.soql.with(String::is_empty))
    };
    let time_left = move || {
        progress.with(|p| {
            let elapsed = (js_sys::Date::now() - p.since.0) / 1000.0;
            p.running
                .then(|| orgbridge_model::progress::time_left(p.since.1, p.done, p.total, elapsed))
                .flatten()
        })
    };
    let separator = if decimal_comma { ";" } else { "," };

    view! {
        <section class="ob-card ob-export" aria-labelledby="ob-export-title">
            <h3 id="ob-export-title">"Download accounts as CSV"</h3>
            <p class="ob-muted">
                "The file is made in this browser from the org's answers; it goes nowhere else. "
                "Columns: " <span class="ob-mono">{column_names}</span>
                " (the list's columns: change them with Columns on the Account list)."
            </p>
            <fieldset disabled=running>
                <legend>"Which accounts"</legend>
                <Radio id="ob-export-list" name="ob-export-which" checked=Signal::derive(move || which.get() == Which::List) on_pick=move || which.set(Which::List)
                    text=Signal::derive(move || format!("The list as it stands: {} accounts ({})", thousands(st.total.get()), listed()))/>
                <Radio id="ob-export-selected" name="ob-export-which" checked=Signal::derive(move || which.get() == Which::Selected) on_pick=move || which.set(Which::Selected)
                    enabled=Signal::derive(move || selected() > 0)
                    text=Signal::derive(move || match selected() {
                        0 => "The selected rows (none are selected in the account list)".to_string(),
                        n => format!("The {} selected rows", thousands(n as u64)),
                    })/>
            </fieldset>
            <fieldset disabled=running>
                <legend>"Header"</legend>
                <Radio id="ob-export-api" name="ob-export-header" checked=Signal::derive(move || header.get() == Header::ApiName) on_pick=move || header.set(Header::ApiName)
                    text="API names (BillingCity, Owner.Name): for importing again"/>
                <Radio id="ob-export-labels" name="ob-export-header" checked=Signal::derive(move || header.get() == Header::Label) on_pick=move || header.set(Header::Label)
                    text="Labels (Billing City, Owner Name): for reading"/>
            </fieldset>
            <fieldset disabled=running>
                <legend>"File"</legend>
                <div class="ob-check">
                    <input type="checkbox" id="ob-export-excel" prop:checked=move || excel.get() on:change=move |ev| excel.set(event_target_checked(&ev)) aria-describedby="ob-export-excel-help"/>
                    <label for="ob-export-excel">"For Excel"</label>
                </div>
                <p id="ob-export-excel-help" class="ob-muted ob-small">
                    {format!("Starts the file with a byte order mark (Excel then reads accents and other scripts right) and puts “{separator}” between cells")}
                    {if decimal_comma { " with decimal commas, as this browser's language writes numbers." } else { ", as this browser's language expects." }}
                    " Without it the file is plain UTF-8 with commas, as other programs and a re-import read it."
                </p>
                <div class="ob-check">
                    <input type="checkbox" id="ob-export-protect" prop:checked=move || protect.get() on:change=move |ev| protect.set(event_target_checked(&ev)) aria-describedby="ob-export-protect-help"/>
                    <label for="ob-export-protect">"Protect cells from running as formulas"</label>
                </div>
                <p id="ob-export-protect-help" class="ob-muted ob-small">
                    "Text starting with =, +, -, @, a tab or a carriage return gets a leading ' so a spreadsheet shows it instead of running it (an account named =HYPERLINK(…) could otherwise open a link). "
                    "Turn it off for a file you will import again unchanged: the ' would become part of those values."
                </p>
            </fieldset>
            <p class="ob-muted ob-small">
                {format!("Read through REST query pages of {} accounts (one call each). Bulk API 2.0 query jobs are not used: they hand out their results by a response header (Sforce-Locator) that Salesforce does not document browsers may read across origins.", thousands(BATCH_SIZE as u64))}
            </p>
            <Show when=list_unready>
                <p class="ob-status" role="status">"The account list's query did not run: fix its search or WHERE clause on the account list, then download it."</p>
            </Show>
            <div class="ob-actions">
                <button type="button" class="ob-button" disabled=move || running() || list_unready() on:click=start>
                    {move || match which.get() {
                        Which::List => format!("Download {} accounts", thousands(st.total.get())),
                        Which::Selected => format!("Download {} accounts", thousands(selected() as u64)),
                    }}
                </button>
            </div>
            {move || progress.with(|p| p.running || p.done > 0).then(|| view! {
                <div class="ob-acc-progress">
                    <label for="ob-export-progress">"Accounts written"</label>
                    <progress id="ob-export-progress" max=move || progress.with(|p| p.total.max(1)).to_string() value=move || progress.with(|p| p.done).to_string()></progress>
                    <span>{move || progress.with(|p| format!("{} of {} written, {} calls", thousands(p.done as u64), thousands(p.total as u64), thousands(p.calls)))}</span>
                    <span class="ob-muted">{time_left}</span>
                    <Show when=running>
                        <button type="button" class="ob-button ob-button-secondary" on:click=move |_| cancel.set_value(true)>"Cancel"</button>
                    </Show>
                </div>
            })}
            {move || progress.with(|p| p.finished.clone()).map(|m| view! { <p class="ob-status" role="status">{m}</p> })}
            {move || progress.with(|p| p.failed.clone()).map(|m| {
                let can_continue = job.with_value(Option::is_some);
                view! {
                    <ErrorAlert title="The download stopped" message=m>
                        {can_continue.then(|| view! {
                            <button type="button" class="ob-button" on:click=move |_| go(ctx, job, progress, cancel)>"Try again"</button>
                        })}
                    </ErrorAlert>
                }
            })}
        </section>
    }
}

/// One choice of a group.
#[component]
fn Radio(
    id: &'static str,
    name: &'static str,
    #[prop(into)] checked: Signal<bool>,
    #[prop(into)] text: Signal<String>,
    #[prop(into, default = Signal::from(true))] enabled: Signal<bool>,
    on_pick: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <div class="ob-check">
            <input type="radio" name=name id=id prop:checked=checked disabled=move || !enabled.get() on:change=move |_| on_pick()/>
            <label for=id>{text}</label>
        </div>
    }
}

/// Id first (what an update or delete by Id needs), then the list's columns.
fn export_columns(describe: &SObjectDescribe, columns: &[model::Column]) -> Vec<Column> {
    let id_label = describe
        .field("Id")
        .map_or("Account ID".to_string(), |f| f.label.clone());
    std::iter::once(Column {
        path: "Id".into(),
        label: id_label,
    })
    .chain(columns.iter().map(|c| Column {
        path: c.path.clone(),
        label: c.label.clone(),
    }))
    .collect()
}

/// The queries for the selected rows, in the list's order, a few hundred ids each.
fn selected_reads(ctx: Accounts, exporter: &Exporter) -> Result<VecDeque<Read>, String> {
    let st = ctx.list;
    let chosen = st.selected.get_untracked();
    let ids: Vec<String> = st.rows.with_untracked(|rows| {
        rows.iter()
            .filter(|r| chosen.contains(&r.id))
            .map(|r| quote(r.id.as_str()))
            .collect()
    });
    let fields: Vec<String> = exporter.columns().iter().map(|c| c.path.clone()).collect();
    ids.chunks(IDS_PER_QUERY)
        .map(|group| {
            let mut q = ListQuery::new(SOBJECT, fields.clone())
                .where_raw(&format!("Id IN ({})", group.join(", ")));
            if let Some((field, dir)) = st.sort.get_untracked() {
                q = q.order_by(&field, dir);
            }
            q.to_soql().map(Read::Soql).map_err(|e| e.user_message())
        })
        .collect()
}

/// `accounts-<org id>-<date>.csv`: which org and when, so two downloads are never confused.
fn file_name(ctx: Accounts) -> String {
    let day: String = js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
        .chars()
        .take(10)
        .collect();
    format!("accounts-{}-{day}.csv", ctx.org_id())
}

/// Reads the pages still to read, writing each into the file, until the end, a failure (kept
/// for Try again) or Cancel.
fn go(
    ctx: Accounts,
    job: StoredValue<Option<Job>, LocalStorage>,
    progress: RwSignal<Progress>,
    cancel: StoredValue<bool>,
) {
    let Some(mut current) = job.try_update_value(Option::take).flatten() else {
        return;
    };
    cancel.set_value(false);
    progress.update(|p| {
        p.running = true;
        p.failed = None;
        p.finished = None;
        p.since = (js_sys::Date::now(), p.done);
    });
    spawn_local(async move {
        while let Some(read) = current.reads.pop_front() {
            // Gone (signed out, another screen) or cancelled: nothing is downloaded.
            if !ctx.still_shown() || cancel.try_get_value().unwrap_or(true) {
                progress.try_update(|p| {
                    p.running = false;
                    p.finished = Some("Cancelled: nothing was downloaded.".into());
                });
                return;
            }
            let client = ctx.client();
            let page = match &read {
                Read::Soql(soql) => client.query(soql, Some(BATCH_SIZE)).await,
                Read::More(url) => client.query_more(url, Some(BATCH_SIZE)).await,
            };
            match page {
                Ok(page) => {
                    current.file.push(&current.exporter.page(&page.records));
                    if let Some(next) = page.next_records_url.filter(|_| !page.done) {
                        current.reads.push_front(Read::More(next));
                    }
                    let counted = std::mem::replace(&mut current.counted, true);
                    progress.try_update(|p| {
                        p.done += page.records.len();
                        p.calls += 1;
                        if !counted {
                            p.total = page.total_size as usize;
                        }
                    });
                }
                Err(e) => {
                    current.reads.push_front(read);
                    let message = AppError::from(e).message();
                    job.try_set_value(Some(current));
                    progress.try_update(|p| {
                        p.running = false;
                        p.failed = Some(format!(
                            "{message}\n\nThe {} accounts read so far are kept: Try again goes on from the page that failed.",
                            thousands(p.done as u64)
                        ));
                    });
                    return;
                }
            }
        }
        let (bytes, name) = (current.file.bytes(), current.name.clone());
        current.file.save(&name, "text/csv;charset=utf-8");
        progress.try_update(|p| {
            p.running = false;
            p.finished = Some(format!(
                "Downloaded {} accounts ({}) as {name}.",
                thousands(p.done as u64),
                orgbridge_model::progress::size_text(bytes)
            ));
        });
    });
}
