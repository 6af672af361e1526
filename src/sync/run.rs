//! Running what was previewed: the values shown are the values written, through REST upserts by
//! the key, a few calls at once (one when either org's budget runs low), or, from a number of
//! records the person can change, through Bulk API 2.0 jobs. A progress bar with counts and time
//! left, the Bulk job's state; Pause, Resume and Cancel; one result per record, linked in both
//! orgs; re-run failures only.

use std::sync::Arc;

use leptos::prelude::*;
use orgbridge_model::accounts::{shown_name, thousands, SOBJECT};
use orgbridge_model::route::Route;
use orgbridge_sync::bulk;
use orgbridge_sync::read::deleted_since;
use orgbridge_sync::rest_writer::RestUpsert;
use orgbridge_sync::run::{run, Control, Engine, RecordResult, RunState, Stop};
use salesforce::client::ApiUsage;
use salesforce::types::ExternalIdField;

use super::kept;
use super::state::{org_short, use_sync, Made, SyncCtx, FRESH_MS};
use crate::components::alert::ErrorAlert;
use crate::error::AppError;

/// Calls at once while both budgets are comfortable.
const CALLS_AT_ONCE: usize = 3;

/// The run under way, shared by the button that starts it and the panel that shows it.
#[derive(Clone, Copy)]
pub struct Runner {
    go: Action<Arc<Made>, Result<Stop, AppError>>,
    /// What the person asked for (Pause, Cancel), read before each wave.
    want: StoredValue<Option<Stop>>,
    /// When this stretch of the run started, and how many records were done then: time left.
    since: StoredValue<(f64, usize)>,
    made: StoredValue<Option<Arc<Made>>>,
    /// The preview's action, for a run resumed too late to preview the rest again (taken from
    /// the context once, as event handlers run outside it).
    previewer: Option<super::preview::Previewer>,
}

pub fn provide_runner(ctx: SyncCtx) -> Runner {
    let want = StoredValue::new(None);
    let since = StoredValue::new((0.0, 0));
    let go = Action::new_local(move |made: &Arc<Made>| {
        let made = made.clone();
        async move { drive(ctx, made, want).await }
    });
    let runner = Runner {
        go,
        want,
        since,
        made: StoredValue::new(None),
        previewer: use_context::<super::preview::Previewer>(),
    };
    provide_context(runner);
    runner
}

fn use_runner() -> Runner {
    expect_context::<Runner>()
}

impl Runner {
    fn start(&self, ctx: SyncCtx, made: Arc<Made>) {
        if self.go.pending().get_untracked() {
            return;
        }
        self.want.set_value(None);
        let done = ctx
            .run
            .with_untracked(|r| r.as_ref().map_or(0, |r| r.progress().0));
        self.since.set_value((js_sys::Date::now(), done));
        self.made.set_value(Some(made.clone()));
        self.go.dispatch_local(made);
    }
}

/// What the person can do to the run, seen by the driver.
struct Ui {
    ctx: SyncCtx,
    want: StoredValue<Option<Stop>>,
    /// Where the run is kept (see `kept`), and the preview whose run it is.
    pair: String,
    made: Arc<Made>,
}

impl Ui {
    /// Keeps what changed since the last wave, if a resume needs it.
    async fn keep(&self, state: &RunState) {
        let write = self
            .made
            .kept
            .lock()
            .ok()
            .and_then(|k| k.as_ref().and_then(|(_, keeper)| keeper.next(state)));
        let Some(write) = write else {
            return;
        };
        match kept::keep(&self.pair, &write).await {
            Ok(()) => {
                if let Ok(mut k) = self.made.kept.lock() {
                    if let Some((_, keeper)) = k.as_mut() {
                        keeper.kept(write);
                    }
                }
            }
            // A browser that refuses IndexedDB still runs (said on screen); it just cannot
            // resume after a reload.
            Err(why) if self.ctx.unkept.with_untracked(Option::is_none) => {
                self.ctx.unkept.try_set(Some(why));
            }
            Err(_) => {}
        }
    }
}

/// Fewer calls at once when either org has under a tenth of its day's calls left.
fn low(usage: Option<ApiUsage>) -> bool {
    usage.is_some_and(|u| u.max > 0 && u.remaining() * 10 < u.max)
}

impl Control for Ui {
    fn wanted(&self) -> Option<Stop> {
        self.want.try_get_value().flatten()
    }

    fn concurrency(&self) -> usize {
        let (s, t) = (
            self.ctx
                .source
                .with_value(|s| s.accounts.client().api_usage()),
            self.ctx
                .target
                .with_value(|t| t.accounts.client().api_usage()),
        );
        if low(s) || low(t) {
            1
        } else {
            CALLS_AT_ONCE
        }
    }

    async fn sleep(&self, ms: u32) {
        crate::transport::sleep(ms).await;
    }

    async fn saw(&self, state: &RunState) {
        self.ctx.run.try_set(Some(state.clone()));
        self.keep(state).await;
    }
}

/// A new run's id: when it started, and a random part (two runs of one pair never share one).
fn new_run_id() -> String {
    format!(
        "{:x}-{:08x}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * f64::from(u32::MAX)) as u32
    )
}

/// Keeps `plan` (with the preview's rows) under `pair`, and what of it is kept beside it in
/// `made`; a browser that refuses still runs with it, from a keeper of nothing.
async fn keep_plan(pair: &str, plan: &kept::Plan, made: &Made) -> Result<(), String> {
    let (keeper, unkept) = match kept::keep_plan(pair, plan, &made.preview).await {
        Ok(keeper) => (keeper, None),
        Err(why) => (kept::Keeper::new(plan), Some(why)),
    };
    if let Ok(mut slot) = made.kept.lock() {
        *slot = Some((plan.clone(), keeper));
    }
    unkept.map_or(Ok(()), Err)
}

/// Runs (or resumes) the run in `ctx.run`.
async fn drive(
    ctx: SyncCtx,
    made: Arc<Made>,
    want: StoredValue<Option<Stop>>,
) -> Result<Stop, AppError> {
    let Some(mut state) = ctx.run.get_untracked() else {
        return Ok(Stop::Cancelled);
    };
    let key = ExternalIdField::parse(&made.key.target)?;
    let (source, target) = (ctx.source.get_value(), ctx.target.get_value());
    let pair = kept::pair(&source.key, &target.key);
    let existing = made
        .kept
        .lock()
        .ok()
        .and_then(|k| k.as_ref().map(|(plan, _)| plan.clone()));
    let plan = match existing {
        Some(plan) => {
            // A finished run's records are dropped; a re-run of its failures keeps it again.
            if ctx.unkept.with_untracked(Option::is_none) && !kept::has_plan(&pair).await {
                if let Err(why) = keep_plan(&pair, &plan, &made).await {
                    ctx.unkept.try_set(Some(why));
                }
            }
            plan
        }
        None => {
            // A new run: its plan is kept before any call, replacing the pair's last run.
            let plan = kept::Plan::new(
                new_run_id(),
                &made.preview,
                made.key.clone(),
                state.engine,
                made.at_ms,
                made.leaves.clone(),
            );
            // Nothing is sent yet: the person decides whether to write without a resume.
            if let Err(why) = keep_plan(&pair, &plan, &made).await {
                ctx.unkept.try_set(Some(why.clone()));
                return Err(AppError::Browser(format!(
                    "This browser could not keep the run: {why}. Nothing was written. Resume to write anyway, without a resume after a reload or a closed tab; or free space for this site first."
                )));
            }
            plan
        }
    };
    // Records deleted in the source since the preview are not written (every page of them).
    if state.calls == 0 {
        let since = made.preview.watermark.clone().unwrap_or_default();
        let (gone, calls) = deleted_since(&source.accounts.client(), &since).await?;
        state.calls += calls;
        state.skip_deleted(&made.preview, &gone);
        ctx.run.try_set(Some(state.clone()));
    }
    let client = target.accounts.client();
    let writer = RestUpsert {
        client: &client,
        sobject: SOBJECT,
        key,
    };
    let ui = Ui {
        ctx,
        want,
        pair: pair.clone(),
        made: made.clone(),
    };
    let stop = match state.engine {
        Engine::Rest => run(&mut state, &made.preview, &writer, &ui).await,
        Engine::Bulk => bulk::run(&mut state, &made.preview, &writer, &ui).await,
    };
    ctx.run.try_set(Some(state.clone()));
    if matches!(stop, Stop::Finished | Stop::Cancelled) {
        kept::forget(&pair).await;
    }
    if stop == Stop::Finished {
        let clean = state
            .results
            .iter()
            .zip(made.preview.rows.outcomes())
            .all(|(r, outcome)| {
                !outcome.writes()
                    || matches!(
                        r,
                        Some(
                            RecordResult::Created(_)
                                | RecordResult::Updated(_)
                                | RecordResult::Deleted(_)
                        )
                    )
            });
        // Only a run over every account that wrote every record moves the watermark: what
        // failed, was blocked or changed in the target is read again next time.
        if clean && made.preview.counts().blocked == 0 {
            if let Some(last) = plan.leaves.clone() {
                let (s, t) = ctx.org_ids();
                let mut saved = ctx.saved.get_untracked();
                saved.last_sync = Some(last);
                saved.store(&s, &t);
                ctx.saved.try_set(saved);
            }
        }
    }
    Ok(stop)
}

/// "Write N accounts to Support", after the checks: the preview is fresh, and the budgets last.
#[component]
pub fn RunButton(made: Arc<Made>) -> impl IntoView {
    let ctx = use_sync();
    let runner = use_runner();
    let counts = made.preview.counts();
    let writes = counts.insert + counts.update;
    let deletes = counts.delete;
    let target = org_short(&ctx.target.get_value());
    let problem = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(None::<String>);
    let pending = runner.go.pending();
    let started = move || ctx.run.with(Option::is_some);
    let bulk_from = RwSignal::new(
        ctx.saved
            .get_untracked()
            .bulk_from
            .unwrap_or(bulk::DEFAULT_THRESHOLD),
    );
    let engine = Memo::new(move |_| bulk::choose(writes + deletes, bulk_from.get()));
    let run_calls = {
        let rest = made.calls.1;
        let bulk_target = bulk::calls(&made.preview);
        move |engine: Engine| match engine {
            Engine::Rest => rest,
            Engine::Bulk => orgbridge_sync::plan::Calls {
                target: bulk_target,
                ..rest
            },
        }
    };
    let begin = {
        let made = made.clone();
        move |checked: bool| {
            problem.set(None);
            if js_sys::Date::now() - made.at_ms > FRESH_MS {
                problem.set(Some("This preview is more than 15 minutes old: preview again, so what is written is what you saw.".into()));
                return;
            }
            if !checked {
                let calls = run_calls(engine.get_untracked().0);
                let short = |org: &crate::auth::SignedIn, need: u64| {
                    org.accounts
                        .client()
                        .api_usage()
                        .filter(|u| u.max > 0 && u.remaining().saturating_sub(need) * 10 < u.max)
                        .map(|_| org_short(org))
                };
                let (s, t) = (ctx.source.get_value(), ctx.target.get_value());
                if let Some(org) = short(&t, calls.target).or_else(|| short(&s, calls.source)) {
                    confirm.set(Some(format!("This run would leave {org} with less than 10% of its daily API calls. Run it anyway?")));
                    return;
                }
            }
            confirm.set(None);
            ctx.unkept.set(None);
            ctx.run.set(Some(RunState::with_engine(
                &made.preview,
                engine.get_untracked().0,
            )));
            runner.start(ctx, made.clone());
        }
    };
    if writes + deletes == 0 {
        return view! { <p class="ob-status" role="status">"Nothing to write: the target already has every record as the source does."</p> }.into_any();
    }
    let begin2 = begin.clone();
    let source = org_short(&ctx.source.get_value());
    let engine_words = {
        let target = target.clone();
        move || {
            let (chosen, why) = engine.get();
            let calls = run_calls(chosen);
            let (other, name) = match chosen {
                Engine::Rest => (run_calls(Engine::Bulk), "Bulk API 2.0"),
                Engine::Bulk => (run_calls(Engine::Rest), "REST"),
            };
            format!(
                "{why} The run will take about {} API calls in {target} and {} in {source} ({name} would take about {} in {target}).",
                thousands(calls.target),
                thousands(calls.source),
                thousands(other.target)
            )
        }
    };
    view! {
        <Show when=move || !started()>
            <EngineChoice bulk_from=bulk_from/>
            <p class="ob-muted ob-small" id="ob-sync-engine-why">{engine_words.clone()}</p>
            <div class="ob-actions">
                <button type="button" class="ob-button" disabled=move || pending.get() on:click={
                    let begin = begin.clone();
                    move |_| begin(false)
                }>
                    {if deletes == 0 {
                        format!("Write {} accounts to {target}", thousands(writes as u64))
                    } else if writes == 0 {
                        format!("Delete {} accounts in {target}", thousands(deletes as u64))
                    } else {
                        format!("Write {} accounts and delete {} in {target}", thousands(writes as u64), thousands(deletes as u64))
                    }}
                </button>
            </div>
        </Show>
        {move || problem.get().map(|p| view! { <ErrorAlert title="Preview again first" message=p/> })}
        {move || confirm.get().map(|c| {
            let begin = begin2.clone();
            view! {
                <div class="ob-acc-confirm" role="alertdialog" aria-labelledby="ob-sync-low-title">
                    <p id="ob-sync-low-title" class="ob-alert-title">{c}</p>
                    <div class="ob-actions">
                        <button type="button" class="ob-button ob-button-danger" on:click=move |_| begin(true)>"Run anyway"</button>
                        <button type="button" class="ob-button ob-button-secondary" on:click=move |_| confirm.set(None)>"Cancel"</button>
                    </div>
                </div>
            }
        })}
    }
    .into_any()
}

/// From how many records to write a run goes through Bulk API 2.0: kept for the pair of orgs.
/// What the person types stays in the box; only a whole number of 1 or more is taken.
#[component]
fn EngineChoice(bulk_from: RwSignal<usize>) -> impl IntoView {
    let ctx = use_sync();
    let text = RwSignal::new(bulk_from.get_untracked().to_string());
    let wrong = RwSignal::new(false);
    let take = move |typed: String| {
        text.set(typed.clone());
        match typed.trim().replace([',', '_', ' '], "").parse::<usize>() {
            Ok(n) if n >= 1 => {
                wrong.set(false);
                bulk_from.set(n);
                let (s, t) = ctx.org_ids();
                let mut saved = ctx.saved.get_untracked();
                saved.bulk_from = Some(n);
                saved.store(&s, &t);
                ctx.saved.set(saved);
            }
            _ => wrong.set(true),
        }
    };
    view! {
        <div class="ob-sync-engine">
            <label for="ob-sync-bulk-from">"Write through Bulk API 2.0 from"</label>
            <input
                id="ob-sync-bulk-from"
                class="ob-input ob-input-narrow"
                type="text"
                inputmode="numeric"
                aria-describedby="ob-sync-engine-why ob-sync-bulk-from-error"
                aria-invalid=move || wrong.get().to_string()
                prop:value=move || text.get()
                on:input=move |ev| take(event_target_value(&ev))
            />
            <span>"records to write"</span>
            <p id="ob-sync-bulk-from-error" class="ob-field-error" role="alert" hidden=move || !wrong.get()>
                {move || wrong.get().then(|| format!("“{}” is not a number of records: enter a whole number, 1 or more. The run goes by {} until then.", text.get(), thousands(bulk_from.get() as u64)))}
            </p>
        </div>
    }
}

/// The Bulk job a run is following, or followed last: its state and counts.
fn job_words(state: &RunState) -> Option<String> {
    let jobs: Vec<_> = state
        .batches
        .iter()
        .filter_map(|b| b.job.as_ref())
        .collect();
    let job = state
        .batches
        .iter()
        .find(|b| b.status == orgbridge_sync::run::Status::Sent)
        .and_then(|b| b.job.as_ref())
        .or(jobs.last().copied())?;
    let at = jobs.iter().position(|j| j.id == job.id).unwrap_or(0) + 1;
    let mut words = format!(
        "Bulk API 2.0 job {at} of {} ({}): {}, {} records processed, {} failed.",
        state.batches.len(),
        job.id,
        job.state,
        thousands(job.processed),
        thousands(job.failed)
    );
    if let Some(why) = &job.error {
        words.push_str(&format!(" The org says: {why}"));
    }
    Some(words)
}

/// A run of this pair that a reload or a closed tab interrupted: offered to resume. Records
/// already written are not sent again; the call that was out is sent again, which the upsert by
/// key makes safe.
#[component]
pub fn KeptRun() -> impl IntoView {
    let ctx = use_sync();
    let runner = use_runner();
    let pair = kept::pair(
        &ctx.source.with_value(|s| s.key.clone()),
        &ctx.target.with_value(|t| t.key.clone()),
    );
    let found = {
        let pair = pair.clone();
        LocalResource::new(move || {
            let pair = pair.clone();
            async move { Arc::new(kept::unfinished(&pair).await) }
        })
    };
    let gone = RwSignal::new(false);
    let target = org_short(&ctx.target.get_value());
    move || {
        if gone.get() || ctx.run.with(Option::is_some) {
            return None;
        }
        let found = found.get()?;
        let run = match &*found {
            kept::Restored::Nothing => return None,
            kept::Restored::Dropped(why) => {
                return Some(
                    view! { <p class="ob-status" role="status">{why.clone()}</p> }.into_any(),
                )
            }
            kept::Restored::Run(run) => run,
        };
        let (done, total) = run.state.progress();
        let pair = pair.clone();
        let stale = js_sys::Date::now() - run.plan.made_at_ms > FRESH_MS;
        let resume = {
            // The rows are copied once, when the person resumes, not at every render.
            let found = found.clone();
            move |_| {
                let kept::Restored::Run(run) = &*found else {
                    return;
                };
                let (plan, state) = (&run.plan, &run.state);
                let made = Arc::new(Made {
                    preview: run.preview.clone(),
                    key: plan.key.clone(),
                    mapping: ctx.mapping.get_untracked(),
                    leaves: plan.leaves.clone(),
                    owners: None,
                    target_users: Vec::new(),
                    calls: (Default::default(), Default::default()),
                    at_ms: plan.made_at_ms,
                    kept: std::sync::Mutex::new(Some((plan.clone(), run.keeper.clone()))),
                });
                ctx.key.set(Some(plan.key.clone()));
                ctx.made.set(Some(made.clone()));
                ctx.run.set(Some(state.clone()));
                resume_or_preview_again(ctx, runner, made);
            }
        };
        let words = if stale {
            format!("{} of {} accounts were written before the page closed, more than 15 minutes after their preview. The rest are previewed again first, so what is written is what you see: those already written are not sent again.", thousands(done as u64), thousands(total as u64))
        } else {
            format!("{} of {} accounts were written before the page closed. Resume to write the rest: those already written are not sent again.", thousands(done as u64), thousands(total as u64))
        };
        Some(view! {
            <div class="ob-alert" role="alert">
                <p class="ob-alert-title">{format!("A copy to {target} was not finished")}</p>
                <p>{words}</p>
                <div class="ob-actions">
                    <button type="button" class="ob-button" on:click=resume>{if stale { "Preview the rest again" } else { "Resume the copy" }}</button>
                    <button type="button" class="ob-button ob-button-secondary" on:click=move |_| {
                        gone.set(true);
                        let pair = pair.clone();
                        leptos::task::spawn_local(async move { kept::forget(&pair).await });
                    }>"Discard it"</button>
                </div>
            </div>
        }.into_any())
    }
}

/// Resumes a run, or, more than 15 minutes after its preview, previews the rows it has still to
/// write again (by their source ids): the person sees what changed meanwhile before anything
/// more is written.
fn resume_or_preview_again(ctx: SyncCtx, runner: Runner, made: Arc<Made>) {
    let previewer = runner.previewer;
    if js_sys::Date::now() - made.at_ms <= FRESH_MS {
        runner.start(ctx, made);
        return;
    }
    let rest: Vec<_> = ctx.run.with_untracked(|r| {
        r.as_ref()
            .map(|r| {
                let rows = &made.preview.rows;
                (0..rows.len())
                    .filter(|&n| {
                        rows.outcome(n).writes() && r.results.get(n).is_some_and(Option::is_none)
                    })
                    .map(|n| rows.get(n).source_id)
                    .collect()
            })
            .unwrap_or_default()
    });
    ctx.run.set(None);
    ctx.made.set(None);
    ctx.rest_of.set(Some(rest));
    if let Some(again) = previewer {
        again.0.dispatch_local(());
    }
}

/// The run: progress, controls, then one result per record.
#[component]
pub fn RunPanel() -> impl IntoView {
    let ctx = use_sync();
    let runner = use_runner();
    let pending = runner.go.pending();
    let stop = move || runner.go.value().get();
    let target = org_short(&ctx.target.get_value());
    let progress = move || ctx.run.with(|r| r.as_ref().map(RunState::progress));
    let time_left = move || {
        let (done, total) = progress()?;
        let (t0, done0) = runner.since.get_value();
        let elapsed = (js_sys::Date::now() - t0) / 1000.0;
        pending
            .get()
            .then(|| orgbridge_model::progress::time_left(done0, done, total, elapsed))
            .flatten()
    };
    let resume = move || {
        if let Some(made) = runner.made.get_value() {
            resume_or_preview_again(ctx, runner, made);
        }
    };
    view! {
        {move || progress().map(|(done, total)| view! {
            <section class="ob-card ob-sync-run" aria-labelledby="ob-sync-run-title">
                <h3 id="ob-sync-run-title">{format!("Writing to {target}")}</h3>
                <div class="ob-acc-progress">
                    <label for="ob-sync-progress">"Accounts written"</label>
                    <progress id="ob-sync-progress" max=total.max(1).to_string() value=done.to_string()></progress>
                    <span>{format!("{} of {} done", thousands(done as u64), thousands(total as u64))}</span>
                    <span class="ob-muted">{time_left}</span>
                </div>
                {move || ctx.run.with(|r| r.as_ref().and_then(job_words)).map(|w| view! { <p class="ob-muted ob-small ob-sync-job">{w}</p> })}
                {move || ctx.unkept.get().map(|why| view! {
                    <p class="ob-status ob-sync-unkept" role="status">{format!("Not kept in this browser ({why}): if this page is reloaded or closed, the run cannot be resumed. Preview again then: what was written shows as Unchanged.")}</p>
                })}
                <div class="ob-actions">
                    <Show when=move || pending.get()>
                        <button type="button" class="ob-button ob-button-secondary" on:click=move |_| runner.want.set_value(Some(Stop::Paused))>"Pause"</button>
                        <button type="button" class="ob-button ob-button-secondary" on:click=move |_| runner.want.set_value(Some(Stop::Cancelled))>"Cancel"</button>
                    </Show>
                    <Show when=move || !pending.get() && matches!(stop(), Some(Ok(Stop::Paused | Stop::Held(_))) | Some(Err(_)))>
                        <button type="button" class="ob-button" on:click=move |_| resume()>"Resume"</button>
                    </Show>
                </div>
                {move || stop().map(|s| match s {
                    Ok(Stop::Finished) => view! { <p class="ob-status" role="status">"Done."</p> }.into_any(),
                    Ok(Stop::Paused) => view! { <p class="ob-status" role="status">"Paused. Nothing more is sent until you resume."</p> }.into_any(),
                    Ok(Stop::Cancelled) => view! { <p class="ob-status" role="status">"Cancelled. Records not yet sent were not written."</p> }.into_any(),
                    Ok(Stop::Held(why)) => view! {
                        <ErrorAlert title="The run is paused" message=format!("{why} Resume when that is fixed; records already written are not sent again.")>
                            <SignInAgain/>
                        </ErrorAlert>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert title="The run stopped" message=e/> }.into_any(),
                })}
                <Results/>
            </section>
        })}
    }
}

/// "Sign in again to …" for each of the two orgs whose session ended: after signing in, the copy
/// screen offers to resume the run it keeps.
#[component]
fn SignInAgain() -> impl IntoView {
    let ctx = use_sync();
    let auth = crate::auth::use_auth();
    [ctx.source.get_value(), ctx.target.get_value()]
        .into_iter()
        .map(|org| {
            let ended = org.ended;
            let name = org_short(&org);
            let login = org.login.clone();
            move || {
                ended.get().is_some().then(|| {
                    let login = login.clone();
                    view! {
                        <button type="button" class="ob-button" on:click=move |_| auth.sign_in(login.clone())>
                            {format!("Sign in again to {name}")}
                        </button>
                    }
                })
            }
        })
        .collect_view()
}

/// Counts, then the records that failed (with the org's words), each linked in both orgs.
#[component]
fn Results() -> impl IntoView {
    let ctx = use_sync();
    let runner = use_runner();
    let pending = runner.go.pending();
    let (source_key, target_key) = (
        ctx.source.with_value(|s| s.key.clone()),
        ctx.target.with_value(|t| t.key.clone()),
    );
    move || {
        let made = runner.made.get_value()?;
        let state = ctx.run.get()?;
        let (mut created, mut updated, mut removed, mut gone, mut changed) = (0, 0, 0, 0, 0);
        let mut failed = Vec::new();
        for (n, r) in state.results.iter().enumerate() {
            match r {
                Some(RecordResult::Created(_)) => created += 1,
                Some(RecordResult::Updated(_)) => updated += 1,
                Some(RecordResult::Deleted(_)) => removed += 1,
                Some(RecordResult::SourceDeleted) => gone += 1,
                Some(RecordResult::ChangedInTarget(_)) => changed += 1,
                Some(RecordResult::Failed(m)) => failed.push((n, m.clone())),
                None => {}
            }
        }
        let mut summary = format!(
            "{} created, {} updated, {} failed",
            thousands(created),
            thousands(updated),
            thousands(failed.len() as u64),
        );
        let mut also = |n: u64, words: &str| {
            if n > 0 {
                summary.push_str(&format!(", {} {words}", thousands(n)));
            }
        };
        also(removed, "deleted");
        also(
            changed,
            "changed in the target since the preview (not written: preview again to see them)",
        );
        also(
            gone,
            "deleted in the source since the preview (not written)",
        );
        summary.push('.');
        let any_failed = !failed.is_empty();
        let rows = failed
            .into_iter()
            .take(500)
            .map(|(n, m)| {
                let row = made.preview.rows.get(n);
                let name = shown_name(&row.name);
                view! {
                    <tr>
                        <td><a href=Route::account_href(&source_key, &row.source_id)>{name}</a></td>
                        <td>{row.target_id.as_ref().map(|t| view! { <a class="ob-mono" href=Route::account_href(&target_key, t)>{t.to_string()}</a> })}</td>
                        <td>{m}</td>
                    </tr>
                }
            })
            .collect_view();
        let again = move |_| {
            if let Some(made) = runner.made.get_value() {
                ctx.run.update(|r| {
                    if let Some(r) = r {
                        let mut next = r.failures_only();
                        next.calls = r.calls;
                        *r = next;
                    }
                });
                resume_or_preview_again(ctx, runner, made);
            }
        };
        let download = {
            let made = made.clone();
            move |_| {
                if let Some(state) = ctx.run.get_untracked() {
                    let text = orgbridge_sync::report::results_csv(&made.preview, &state);
                    crate::download::save_csv_text("orgbridge-copy-results.csv", &text);
                }
            }
        };
        Some(view! {
            <p class="ob-status" role="status">{summary}</p>
            <div class="ob-actions">
                <button type="button" class="ob-button ob-button-secondary" on:click=download>"Download the results (CSV)"</button>
            </div>
            {any_failed.then(|| view! {
                <table class="ob-acc-result-table" aria-label="Records that failed">
                    <thead><tr><th scope="col">"Account"</th><th scope="col">"In the target"</th><th scope="col">"Problem"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <div class="ob-actions">
                    <button type="button" class="ob-button" disabled=move || pending.get() on:click=again>"Re-run failures only"</button>
                </div>
            })}
        })
    }
}
