//! Importing a CSV file into the org shown: pick or drop the file, choose the operation, check the
//! columns' fields and how values are read, preview every line (Insert, Update with each change,
//! Unchanged, Blocked with why, Delete), then write it and download the results. The file never
//! leaves the browser but as the calls to the org. Modules: `file` (reading it in pieces),
//! `columns` (the columns table), `preview` (making the preview), `run` (the writes), `shown`
//! (the preview and results on screen).

mod bulk;
mod columns;
mod file;
mod kept;
mod preview;
mod run;
mod shown;

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgbridge_sheet::columns::{apply_saved, saved_key, ColumnMap, Operation, Target};
use orgbridge_sheet::import::results::Written;
use orgbridge_sheet::import::Setup;
use orgbridge_sheet::read::{Encoding, LIMIT_BYTES};
use orgbridge_sheet::values::{describe_rules, Blank, DateOrder, DecimalMark, ValueRules};
use salesforce::rest::SObjectDescribe;

use self::preview::Made;
use super::context::{use_accounts, Accounts};
use crate::components::alert::ErrorAlert;
use crate::storage::{self, Key};

/// Why a run stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Paused,
    Cancelled,
}

/// The operation picked, before an upsert's key is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Op {
    Insert,
    Update,
    Upsert,
    Delete,
}

/// Everything the import screen holds (kept while other screens of the org are shown).
#[derive(Clone, Copy)]
pub struct Import {
    file: StoredValue<Option<web_sys::File>, LocalStorage>,
    name: RwSignal<Option<String>>,
    encoding: RwSignal<Encoding>,
    headers: RwSignal<Vec<String>>,
    problem: RwSignal<Option<String>>,
    op: RwSignal<Op>,
    key: RwSignal<String>,
    map: RwSignal<ColumnMap>,
    rules: RwSignal<ValueRules>,
    /// Bytes of the file read while previewing.
    reading: RwSignal<Option<u64>>,
    made: RwSignal<Option<Arc<Made>>, LocalStorage>,
    results: RwSignal<Vec<Option<Written>>>,
    running: RwSignal<bool>,
    calls: RwSignal<u64>,
    /// What the person asked of the run under way (read between waves of calls).
    cancel: StoredValue<Option<Stop>>,
    /// Why the last run stopped before the end.
    stopped: RwSignal<Option<Stop>>,
    /// The run as kept in this browser (IndexedDB), once it has started.
    kept: StoredValue<Option<std::rc::Rc<kept::Kept>>, LocalStorage>,
    /// Why the run could not be kept (it then cannot be resumed after a reload).
    unkept: RwSignal<Option<String>>,
    /// Whether the import kept in this browser was looked for (once per page).
    looked_for_kept: StoredValue<bool>,
    /// What a reload found kept, in words.
    restored: RwSignal<Option<String>>,
    /// The Bulk job under way, in words, and the records it has processed.
    job: RwSignal<Option<(String, usize)>>,
    /// When this stretch of the run started and the lines done then (time left).
    since: StoredValue<(f64, usize)>,
}

impl Default for Import {
    fn default() -> Self {
        Import::new()
    }
}

impl Import {
    pub fn new() -> Import {
        Import {
            file: StoredValue::new_local(None),
            name: RwSignal::new(None),
            encoding: RwSignal::new(Encoding::Utf8),
            headers: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
            op: RwSignal::new(Op::Upsert),
            key: RwSignal::new(String::new()),
            map: RwSignal::new(ColumnMap::default()),
            rules: RwSignal::new(ValueRules {
                dates: crate::locale::date_order(),
                decimal: if crate::locale::writes_decimal_comma() {
                    DecimalMark::Comma
                } else {
                    DecimalMark::Point
                },
                blank: Blank::LeaveUnchanged,
            }),
            reading: RwSignal::new(None),
            made: RwSignal::new_local(None),
            results: RwSignal::new(Vec::new()),
            running: RwSignal::new(false),
            calls: RwSignal::new(0),
            cancel: StoredValue::new(None),
            stopped: RwSignal::new(None),
            job: RwSignal::new(None),
            kept: StoredValue::new_local(None),
            unkept: RwSignal::new(None),
            restored: RwSignal::new(None),
            looked_for_kept: StoredValue::new(false),
            since: StoredValue::new((0.0, 0)),
        }
    }

    fn operation(&self) -> Operation {
        match self.op.get() {
            Op::Insert => Operation::Insert,
            Op::Update => Operation::Update,
            Op::Upsert => Operation::Upsert {
                key: self.key.get(),
            },
            Op::Delete => Operation::Delete,
        }
    }

    /// Shows what a run reported: lines settled, or the Bulk job under way (no words: none).
    fn saw(&self, seen: bulk::Seen, calls: u64) {
        match seen {
            bulk::Seen::Results(results) => {
                self.results.try_update(|r| {
                    for (n, w) in results {
                        r[n] = Some(w);
                    }
                });
            }
            bulk::Seen::Job(words, processed) => {
                self.job
                    .try_set((!words.is_empty()).then_some((words, processed)));
            }
        }
        self.calls.try_update(|c| *c += calls);
    }

    fn forget_preview(&self) {
        self.made.set(None);
        self.results.set(Vec::new());
    }
}

/// The import screen.
#[component]
pub fn ImportScreen(describe: Arc<SObjectDescribe>) -> impl IntoView {
    let ctx = use_accounts();
    // Provided by the org's Accounts page, so another tab and back keeps the file and preview.
    let im = use_context::<Import>().unwrap_or_else(|| {
        let im = Import::new();
        provide_context(im);
        im
    });
    // What the person chose survives a reload of this tab (the file itself cannot: a browser
    // gives a page a file only when the person picks it).
    let scope = ctx.org_key();
    crate::drafts::bind(&scope, "import-op", im.op, Op::Upsert);
    crate::drafts::bind(&scope, "import-key", im.key, String::new());
    crate::drafts::bind(&scope, "import-encoding", im.encoding, Encoding::Utf8);
    let rules = im.rules.get_untracked();
    crate::drafts::bind(&scope, "import-rules", im.rules, rules);
    if !im.looked_for_kept.get_value() {
        im.looked_for_kept.set_value(true);
        restore_kept(ctx, im);
    }
    let account = describe.clone();
    let keys: Vec<(String, String)> = describe
        .fields
        .iter()
        .filter(|f| f.external_id || (f.id_lookup && f.unique && f.name != "Id"))
        .map(|f| (f.name.clone(), format!("{} ({})", f.label, f.name)))
        .collect();
    if im.key.get_untracked().is_empty() {
        if let Some((k, _)) = keys.first() {
            im.key.set(k.clone());
        }
    }
    let picked = move |file: web_sys::File| {
        im.name.set(Some(file.name()));
        im.file.set_value(Some(file));
        im.forget_preview();
        read_header(ctx, im, account.clone());
    };
    let on_file = {
        let picked = picked.clone();
        move |ev: leptos::ev::Event| {
            let input = event_target::<web_sys::HtmlInputElement>(&ev);
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                picked(file);
            }
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            picked(file);
        }
    };
    let reread = {
        let account = describe.clone();
        move || read_header(ctx, im, account.clone())
    };
    let has_headers = move || im.headers.with(|h| !h.is_empty());
    let (for_choices, for_preview) = (describe.clone(), describe.clone());
    let not_utf8 = move || {
        im.problem
            .with(|p| p.as_ref().is_some_and(|p| p.contains("not UTF-8")))
            && im.encoding.get() == Encoding::Utf8
    };
    view! {
        <section class="ob-card ob-import" aria-labelledby="ob-import-title">
            <h3 id="ob-import-title">"Import accounts from a CSV file"</h3>
            <p class="ob-muted">
                {format!("The file is read in this browser, a piece at a time, and goes nowhere but as the calls to this org. Files up to {} MB.", LIMIT_BYTES / 1024 / 1024)}
            </p>
            <div
                class="ob-import-drop"
                on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
                on:drop=on_drop
            >
                <div class="ob-field">
                    <label for="ob-import-file">"CSV file"</label>
                    <input id="ob-import-file" type="file" accept=".csv,text/csv,text/plain" class="ob-input" on:change=on_file aria-describedby="ob-import-file-help"/>
                    <p id="ob-import-file-help" class="ob-muted ob-small">"Or drop the file here."</p>
                </div>
                <div class="ob-field">
                    <label for="ob-import-encoding">"Encoding"</label>
                    <select
                        id="ob-import-encoding"
                        class="ob-input"
                        prop:value=move || if im.encoding.get() == Encoding::Utf8 { "utf8" } else { "1252" }
                        on:change={
                            let reread = reread.clone();
                            move |ev| {
                                im.encoding.set(if event_target_value(&ev) == "1252" { Encoding::Windows1252 } else { Encoding::Utf8 });
                                reread();
                            }
                        }
                    >
                        <option value="utf8">"UTF-8"</option>
                        <option value="1252">"Windows-1252 / Latin-1 (Excel's “CSV” on Windows)"</option>
                    </select>
                </div>
            </div>
            {
                let reread = reread.clone();
                move || im.problem.get().map(|p| {
                let reread = reread.clone();
                view! {
                <ErrorAlert title="This file cannot be imported as it is" message=p>
                    <Show when=not_utf8>
                        <button type="button" class="ob-button" on:click={
                            let reread = reread.clone();
                            move |_| { im.encoding.set(Encoding::Windows1252); reread(); }
                        }>"Read it as Windows-1252"</button>
                    </Show>
                </ErrorAlert>
            }})}
            <Show when=has_headers>
                <Choices keys=keys.clone() describe=for_choices.clone()/>
            </Show>
            <shown::PreviewPanel describe=for_preview/>
        </section>
    }
}

/// Offers the import this browser kept for the org (a reload, a closed tab): its preview and
/// results as they were, the calls that were in flight settled first (a Bulk job followed to
/// its end; an insert's call "not known"; the others sent again on Resume).
fn restore_kept(ctx: Accounts, im: Import) {
    spawn_local(async move {
        let restored = kept::restore(&ctx.org_key()).await;
        if !ctx.still_shown() || im.made.with_untracked(Option::is_some) {
            return;
        }
        let r = match restored {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(why) => {
                im.problem.set(Some(format!(
                    "The import kept in this browser could not be used ({why}). Preview the file again: what was written shows as Unchanged."
                )));
                return;
            }
        };
        let mut results = r.results;
        let made = Arc::new(r.made);
        im.name.set(Some(r.name.clone()));
        im.file.set_value(r.file);
        im.encoding.set(made.encoding);
        im.op.set(match &made.setup.op {
            Operation::Insert => Op::Insert,
            Operation::Update => Op::Update,
            Operation::Upsert { key } => {
                im.key.set(key.clone());
                Op::Upsert
            }
            Operation::Delete => Op::Delete,
        });
        im.map.set(made.setup.map.clone());
        im.rules.set(made.setup.rules);
        im.headers.set(made.headers.clone());
        if let Some(orgbridge_sheet::import::kept::Flight::Calls { lines }) = &r.flight {
            let before = results.clone();
            orgbridge_sheet::import::kept::settle_calls(&made.setup.op, lines, &mut results);
            let changed: Vec<(usize, Written)> = lines
                .iter()
                .filter(|&&n| before[n] != results[n])
                .filter_map(|&n| results[n].clone().map(|w| (n, w)))
                .collect();
            r.kept.settled(&changed).await;
        }
        im.results.set(results);
        im.made.set(Some(made.clone()));
        im.kept.set_value(Some(r.kept.clone()));
        let writes = made.counts.insert + made.counts.update + made.counts.delete;
        let done = im
            .results
            .with_untracked(|r| r.iter().flatten().filter(|w| w.is_done()).count());
        im.restored.set(Some(format!(
            "The import of {} was kept in this browser when the page closed: {} of {} lines written. Resume goes on with the rest; nothing is written twice.",
            r.name,
            orgbridge_model::accounts::thousands(done as u64),
            orgbridge_model::accounts::thousands(writes as u64)
        )));
        // A Bulk job under way when the page closed is followed to its end, never made again.
        if let Some(orgbridge_sheet::import::kept::Flight::Job { id, lines }) = r.flight {
            im.running.set(true);
            let mut upload =
                orgbridge_sheet::import::bulk::make_upload(&made.setup.op, &made.rows, &lines);
            let mut each = move |seen: bulk::Seen, calls: u64| {
                im.saw(seen, calls);
                None
            };
            bulk::follow(
                ctx,
                &made,
                &id,
                &lines,
                &mut upload,
                Some(&r.kept),
                &mut each,
            )
            .await;
            im.running.try_set(false);
        }
    });
}

/// Reads the file's header (the first piece is enough) and proposes each column's field (or
/// the person's earlier choice for the same headers).
fn read_header(ctx: Accounts, im: Import, account: Arc<SObjectDescribe>) {
    let Some(file) = im.file.get_value() else {
        return;
    };
    im.problem.set(None);
    im.headers.set(Vec::new());
    im.forget_preview();
    let encoding = im.encoding.get_untracked();
    spawn_local(async move {
        let mut header = Vec::new();
        let result = file::read(&file, encoding, |h, _, _| {
            header = h.to_vec();
            false
        })
        .await;
        if !ctx.still_shown() {
            return;
        }
        match result {
            Ok(_) => {
                let saved: Option<Vec<(String, Option<Target>)>> =
                    storage::get_json(Key::ImportColumns(&columns_key(ctx, &header)));
                let map = match saved {
                    Some(saved) => apply_saved(&header, &saved, &account),
                    None => orgbridge_sheet::import::propose(&header, &account),
                };
                // An upsert key the file has is the one proposed.
                if let Some(k) = map.keys(&account).first() {
                    im.key.set(k.name.clone());
                }
                // A file with Ids and no key column updates by Id.
                let has_id = map.targets.contains(&Some(Target::Id));
                if im.op.get_untracked() == Op::Upsert && has_id && map.keys(&account).is_empty() {
                    im.op.set(Op::Update);
                }
                im.map.set(map);
                im.headers.set(header);
            }
            Err(e) => im.problem.set(Some(e.message())),
        }
    });
}

fn columns_key(ctx: Accounts, headers: &[String]) -> String {
    format!("{}.{}", ctx.org_id(), saved_key(headers))
}

/// The operation, the columns and the value rules, and Preview.
#[component]
fn Choices(keys: Vec<(String, String)>, describe: Arc<SObjectDescribe>) -> impl IntoView {
    let ctx = use_accounts();
    let im = expect_context::<Import>();
    let headers = im.headers.get_untracked();
    let problems = {
        let describe = describe.clone();
        move || {
            let op = im.operation();
            let mut out = im
                .headers
                .with(|h| im.map.with(|m| m.problems(h, &describe, &op)));
            if let Operation::Upsert { key } = &op {
                if key.is_empty() {
                    out.push("Choose the External ID field the upsert matches on.".into());
                }
            }
            out
        }
    };
    let unknown = move || {
        im.headers.with(|h| {
            im.map.with(|m| {
                m.unknown(h)
                    .iter()
                    .map(|(i, name)| {
                        format!(
                            "{name} (column {})",
                            orgbridge_sheet::read::column_letter(i + 1)
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    let radio = move |op: Op, id: &'static str, text: &'static str| {
        view! {
            <div class="ob-check">
                <input type="radio" name="ob-import-op" id=id prop:checked=move || im.op.get() == op on:change=move |_| { im.op.set(op); im.forget_preview(); }/>
                <label for=id>{text}</label>
            </div>
        }
    };
    let has_keys = !keys.is_empty();
    let preview = {
        let describe = describe.clone();
        move |_| start_preview(ctx, im, describe.clone())
    };
    let can_preview = {
        let problems = problems.clone();
        move || problems().is_empty() && im.reading.get().is_none() && !im.running.get()
    };
    let rules_text = move || describe_rules(&im.rules.get());
    view! {
        <fieldset>
            <legend>"Operation"</legend>
            {radio(Op::Insert, "ob-import-insert", "Insert: every line is a new account")}
            {radio(Op::Update, "ob-import-update", "Update by Id: each line changes the account its Id names")}
            {radio(Op::Upsert, "ob-import-upsert", "Upsert by an External ID field: update the match, insert the rest")}
            <Show when=move || im.op.get() == Op::Upsert>
                <div class="ob-field ob-import-key">
                    <label for="ob-import-key">"External ID field to match on"</label>
                    <select id="ob-import-key" class="ob-input" prop:value=move || im.key.get() on:change=move |ev| { im.key.set(event_target_value(&ev)); im.forget_preview(); }>
                        {(!has_keys).then(|| view! { <option value="">"— this org's Accounts have no External ID field —"</option> })}
                        {keys.iter().map(|(name, text)| view! { <option value=name.clone()>{text.clone()}</option> }).collect_view()}
                    </select>
                </div>
            </Show>
            {radio(Op::Delete, "ob-import-delete", "Delete by Id: each line's account goes to the Recycle Bin")}
        </fieldset>
        <fieldset>
            <legend>"Columns"</legend>
            <columns::ColumnsTable headers=headers map=im.map account=describe.clone()/>
            {move || {
                let unknown = unknown();
                (!unknown.is_empty()).then(|| view! {
                    <p class="ob-status" role="status">{format!("Not imported (no Account field chosen): {}. Choose a field for any that should be.", unknown.join(", "))}</p>
                })
            }}
        </fieldset>
        <fieldset>
            <legend>"How values are read"</legend>
            <div class="ob-import-rules">
                <div class="ob-field">
                    <label for="ob-import-dates">"Dates"</label>
                    <select id="ob-import-dates" class="ob-input"
                        prop:value=move || format!("{:?}", im.rules.get().dates)
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            im.rules.update(|r| r.dates = match v.as_str() { "MonthDayYear" => DateOrder::MonthDayYear, "YearMonthDay" => DateOrder::YearMonthDay, _ => DateOrder::DayMonthYear });
                            im.forget_preview();
                        }>
                        <option value="DayMonthYear">"day/month/year (31/12/2024)"</option>
                        <option value="MonthDayYear">"month/day/year (12/31/2024)"</option>
                        <option value="YearMonthDay">"year-month-day (2024-12-31)"</option>
                    </select>
                </div>
                <div class="ob-field">
                    <label for="ob-import-decimal">"Decimal mark"</label>
                    <select id="ob-import-decimal" class="ob-input"
                        prop:value=move || if im.rules.get().decimal == DecimalMark::Comma { "comma" } else { "point" }
                        on:change=move |ev| {
                            let comma = event_target_value(&ev) == "comma";
                            im.rules.update(|r| r.decimal = if comma { DecimalMark::Comma } else { DecimalMark::Point });
                            im.forget_preview();
                        }>
                        <option value="point">"point (1,234.5)"</option>
                        <option value="comma">"comma (1.234,5)"</option>
                    </select>
                </div>
                <div class="ob-field">
                    <label for="ob-import-blank">"Blank cells"</label>
                    <select id="ob-import-blank" class="ob-input"
                        prop:value=move || if im.rules.get().blank == Blank::Clear { "clear" } else { "leave" }
                        on:change=move |ev| {
                            let clear = event_target_value(&ev) == "clear";
                            im.rules.update(|r| r.blank = if clear { Blank::Clear } else { Blank::LeaveUnchanged });
                            im.forget_preview();
                        }>
                        <option value="leave">"leave the field as it is"</option>
                        <option value="clear">"clear the field"</option>
                    </select>
                </div>
            </div>
            <p class="ob-muted ob-small">{rules_text}</p>
        </fieldset>
        {move || {
            let p = problems();
            (!p.is_empty()).then(|| view! {
                <div class="ob-alert" role="alert">
                    <p class="ob-alert-title">"Fix these before the preview"</p>
                    <ul>{p.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                </div>
            })
        }}
        <div class="ob-actions">
            <button type="button" class="ob-button" disabled=move || !can_preview() on:click=preview>"Preview the import"</button>
            {move || im.reading.get().map(|bytes| view! {
                <span class="ob-muted" role="status">{format!("Reading the file and the org: {} read…", orgbridge_model::progress::size_text(bytes))}</span>
            })}
        </div>
    }
}

/// Makes the preview (the file read through, the org read for its Ids or keys).
fn start_preview(ctx: Accounts, im: Import, account: Arc<SObjectDescribe>) {
    let Some(file) = im.file.get_value() else {
        return;
    };
    let setup = Setup {
        op: im.operation(),
        map: im.map.get_untracked(),
        rules: im.rules.get_untracked(),
    };
    let headers = im.headers.get_untracked();
    storage::set_json(
        Key::ImportColumns(&columns_key(ctx, &headers)),
        &setup.map.saved(&headers),
    );
    im.forget_preview();
    im.problem.set(None);
    im.reading.set(Some(0));
    let encoding = im.encoding.get_untracked();
    spawn_local(async move {
        let made = preview::make(ctx, &file, encoding, setup, &account, |bytes| {
            im.reading.try_set(Some(bytes));
        })
        .await;
        if !ctx.still_shown() {
            return;
        }
        im.reading.set(None);
        match made {
            Ok(made) => {
                im.results.set(vec![None; made.rows.len()]);
                im.made.set(Some(Arc::new(made)));
            }
            Err(e) => im.problem.set(Some(e)),
        }
    });
}

/// Writes what the preview shows (or, after a run, the failed lines again).
fn start_run(ctx: Accounts, im: Import) {
    let Some(made) = im.made.get_untracked() else {
        return;
    };
    if im.running.get_untracked() {
        return;
    }
    let lines = im.results.with_untracked(|r| run::to_write(&made, r));
    if lines.is_empty() {
        return;
    }
    // A failed line goes again: its old result is cleared first.
    im.results.update(|r| {
        for &n in &lines {
            r[n] = None;
        }
    });
    im.cancel.set_value(None);
    im.stopped.set(None);
    im.job.set(None);
    im.running.set(true);
    let done_then = im.results.with_untracked(|r| r.iter().flatten().count());
    im.since.set_value((js_sys::Date::now(), done_then));
    let first = !im.results.with_untracked(|r| r.iter().any(Option::is_some));
    let file = im.file.get_value();
    let name = im.name.get_untracked().unwrap_or_default();
    spawn_local(async move {
        // Kept before any call (once per preview): a reload or a closed tab can resume it.
        let kept = match im.kept.get_value() {
            Some(k) if !first => Some(k),
            _ => {
                let results = im.results.get_untracked();
                match kept::keep_new(&ctx.org_key(), &made, file.as_ref(), &name, &results).await {
                    Ok(k) => Some(k),
                    Err(why) => {
                        im.unkept.try_set(Some(why));
                        None
                    }
                }
            }
        };
        im.kept.try_set_value(kept.clone());
        // What the run reports is shown; the answer is what the person asked for since.
        let record = move |seen: bulk::Seen, calls: u64| {
            im.saw(seen, calls);
            let wanted = im.cancel.try_get_value().flatten();
            im.stopped.try_set(wanted);
            if ctx.still_shown() {
                wanted
            } else {
                Some(Stop::Cancelled)
            }
        };
        if lines.len() >= orgbridge_sheet::import::bulk::THRESHOLD {
            bulk::write(ctx, &made, lines, kept, record).await;
        } else {
            run::write(ctx, &made, lines, kept, |results, calls| {
                record(bulk::Seen::Results(results), calls).is_none()
            })
            .await;
        }
        // The account list is not read again by itself: a million accounts are 500 calls.
        im.running.try_set(false);
        // Finished, with nothing left to write: no longer kept.
        let left = im.results.with_untracked(|r| run::to_write(&made, r).len());
        if left == 0 && ctx.still_shown() {
            kept::forget(&ctx.org_key()).await;
            im.kept.try_set_value(None);
        }
    });
}
