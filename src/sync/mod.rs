//! Copying accounts from one signed-in org (the source) into another (the target), with a
//! preview of every change before anything is written. The logic is `orgbridge_sync`'s; these
//! components hold the choices and show its answers.
//!
//! Bottom up: `state` (the context and what is remembered per pair of orgs) ← `setup` (which
//! accounts, the key, the mapping, owners) ← `preview` (reading both orgs, every record's change)
//! ← `run` (writing it, with progress, pause and results); `mod.rs` picks the two orgs.

pub mod kept;
pub mod preview;
pub mod run;
pub mod setup;
pub mod state;

use std::sync::Arc;

use leptos::prelude::*;
use orgbridge_model::accounts::{thousands, SOBJECT};
use orgbridge_sync::key::{KeyFacts, MatchKey};
use orgbridge_sync::mapping::propose;
use orgbridge_sync::pair::{refusal, OrgUser};
use orgbridge_sync::read::{key_facts, Side};

use crate::auth::{use_auth, SignedIn};
use crate::components::fetched::{fetched, Words};
use crate::error::AppError;
use state::{org_name, Made, Saved, SyncCtx, Which};

#[component]
pub fn SyncPage() -> impl IntoView {
    let auth = use_auth();
    let count = move || auth.orgs.with(Vec::len);
    let source = RwSignal::new(None::<String>);
    let target = RwSignal::new(None::<String>);
    // The first two orgs, until the person picks; an org signed out of is dropped.
    Effect::new(move |_| {
        let keys: Vec<String> = auth
            .orgs
            .with(|o| o.iter().map(|s| s.key.clone()).collect());
        let keep = |pick: RwSignal<Option<String>>, fallback: Option<&String>| {
            if pick.with_untracked(|p| p.as_ref().is_none_or(|k| !keys.contains(k))) {
                pick.set(fallback.cloned());
            }
        };
        keep(source, keys.first());
        keep(target, keys.get(1));
    });
    let pair = Memo::new(move |_| {
        let (s, t) = (source.get()?, target.get()?);
        Some((s, t))
    });
    view! {
        <section class="ob-sync" aria-labelledby="ob-sync-title">
            <h1 id="ob-sync-title">"Copy accounts between orgs"</h1>
            <p class="ob-muted">
                "Accounts in one org are created or updated in another, matched by an External ID field, so a record is written once however often you run it. You see every change before anything is written."
            </p>
            {move || (count() < 2).then(|| view! {
                <div class="ob-card ob-empty" role="status">
                    <p>{if count() == 0 { "Sign in to two orgs first: the one to copy from and the one to copy to." } else { "Sign in to a second org: the one to copy to (or from)." }}</p>
                    <p><a href="#/">"Go to the orgs"</a></p>
                </div>
            })}
            <Show when=move || { count() >= 2 }>
                <div class="ob-card ob-sync-orgs">
                    <OrgPick label="Copy from (source)" id="ob-sync-source" pick=source/>
                    <span class="ob-sync-arrow" aria-hidden="true">"→"</span>
                    <OrgPick label="Copy to (target)" id="ob-sync-target" pick=target/>
                </div>
                {move || match pair.get() {
                    Some((s, t)) => match (auth.find(&s), auth.find(&t)) {
                        (Some(s), Some(t)) => match refusal(org_user(&s), org_user(&t)) {
                            // One org into itself: no preview, no run, only why and what to do.
                            Some(why) => view! { <p class="ob-alert" role="alert">{why}</p> }.into_any(),
                            None => view! { <Pair source=s target=t/> }.into_any(),
                        },
                        _ => ().into_any(),
                    },
                    None => ().into_any(),
                }}
            </Show>
        </section>
    }
}

/// An org entry as `orgbridge_sync::pair` checks it: its org id and user.
fn org_user(org: &SignedIn) -> OrgUser<'_> {
    OrgUser {
        org_id: &org.profile.org,
        username: &org.profile.username,
    }
}

/// A select of the signed-in orgs, each named by label, user and org id, with its colour beside.
#[component]
fn OrgPick(label: &'static str, id: &'static str, pick: RwSignal<Option<String>>) -> impl IntoView {
    let auth = use_auth();
    let colour = move || {
        pick.get()
            .and_then(|k| auth.find(&k))
            .map(|o| o.look.get().colour.class())
            .unwrap_or_default()
    };
    view! {
        <div class="ob-field ob-sync-pick">
            <label for=id>{label}</label>
            <div class=move || format!("ob-sync-pick-box ob-org-mark {}", colour())>
                <select
                    id=id
                    class="ob-input"
                    prop:value=move || pick.get().unwrap_or_default()
                    on:change=move |ev| pick.set(Some(event_target_value(&ev)))
                >
                    {move || auth.orgs.get().into_iter().map(|o| {
                        let selected = pick.with_untracked(|p| p.as_deref() == Some(o.key.as_str()));
                        view! { <option value=o.key.clone() selected=selected>{org_name(&o)}</option> }
                    }).collect_view()}
                </select>
            </div>
        </div>
    }
}

/// Both orgs' Account describes, then the copy screens for the pair.
#[component]
fn Pair(source: Arc<SignedIn>, target: Arc<SignedIn>) -> impl IntoView {
    let described = {
        let (s, t) = (source.accounts, target.accounts);
        LocalResource::new(move || async move {
            let read = |side: Side| async move {
                let org = if side == Side::Source { s } else { t };
                org.client()
                    .describe(SOBJECT)
                    .await
                    .map(Arc::new)
                    .map_err(|error| AppError::InOrg {
                        side: side.name(),
                        error,
                    })
            };
            let (a, b) = futures::join!(read(Side::Source), read(Side::Target));
            let (a, b) = (a?, b?);
            // How full each candidate key field is, in both orgs: a key is proposed from it. A
            // count the org refuses leaves that field unknown rather than the screen unusable.
            let (in_source, in_target) = KeyFacts::to_count(&a, &b);
            let facts = key_facts(&s.client(), &t.client(), &in_source, &in_target)
                .await
                .unwrap_or_default();
            Ok::<_, AppError>((a, b, Arc::new(facts)))
        })
    };
    fetched(described, WORDS, move |(sd, td, facts)| {
        let saved = Saved::load(&source.profile.org, &target.profile.org);
        let key = saved
            .key
            .clone()
            .or_else(|| MatchKey::suggest(&sd, &td, &facts));
        let mapping = saved
            .mapping
            .clone()
            .or_else(|| key.as_ref().map(|k| propose(&sd, &td, k)))
            .unwrap_or_default();
        let ctx = SyncCtx {
            source: StoredValue::new(source.clone()),
            target: StoredValue::new(target.clone()),
            described: StoredValue::new((sd, td)),
            which: RwSignal::new(Which::All),
            key: RwSignal::new(key),
            mapping: RwSignal::new(mapping),
            owners: RwSignal::new(true),
            default_owner: RwSignal::new(None),
            also: RwSignal::new(Vec::new()),
            made: RwSignal::new(None::<Arc<Made>>),
            run: RwSignal::new(None),
            saved: RwSignal::new(saved),
            facts: StoredValue::new((*facts).clone()),
            deletions: RwSignal::new(false),
            rest_of: RwSignal::new(None),
            unkept: RwSignal::new(None),
        };
        provide_context(ctx);
        preview::provide_previewer(ctx);
        run::provide_runner(ctx);
        view! {
            <Budgets/>
            <run::KeptRun/>
            <setup::Setup/>
            <preview::PreviewPanel/>
            <run::RunPanel/>
        }
    })
}

/// Both orgs' API calls today, as their last answers reported them: a run that would leave less
/// than a tenth of either asks first, and goes slower when one runs low.
#[component]
fn Budgets() -> impl IntoView {
    let ctx = state::use_sync();
    let line = |org: Arc<SignedIn>, role: &'static str| {
        let usage = org.accounts.usage;
        let look = org.look;
        let name = state::org_short(&org);
        let text = move || match usage.get() {
            Some(u) => format!(
                "{role} {name}: {} of {} API calls used today ({} left)",
                thousands(u.used),
                thousands(u.max),
                thousands(u.remaining())
            ),
            None => format!("{role} {name}: API calls today not known yet"),
        };
        let low = move || {
            usage
                .get()
                .is_some_and(|u| u.max > 0 && u.remaining() * 10 < u.max)
        };
        view! {
            <li class=move || format!("ob-org-mark {}{}", look.get().colour.class(), if low() { " ob-acc-budget-low" } else { "" })>
                {text}
            </li>
        }
    };
    view! {
        <ul class="ob-sync-budgets" aria-label="API budgets">
            {line(ctx.source.get_value(), "From")}
            {line(ctx.target.get_value(), "To")}
        </ul>
    }
}

const WORDS: Words = Words {
    loading: "Reading the Account fields of both orgs and which key fields hold values…",
    failed: "Could not read the Account fields",
};
