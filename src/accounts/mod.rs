//! The Accounts screens of a signed-in org: the list (every account, paged in from the org, only the
//! visible rows in the page), one account's fields, the create/edit form and upsert by external ID
//! built from the org's describe, bulk update/delete through sObject Collections, the Apex REST
//! console, and the org's API budget, always in view. All Salesforce work is the `salesforce`
//! client's; these components hold state and render it.
//!
//! The shell renders [`AccountsPage`] for a signed-in org. Modules, from the bottom up:
//! `list_state` (the list's signals) ← `context` (what every screen shares) ← `loader` (the
//! list's queries) ← the screens (`list` + `bulk`, `record`, `create`, `edit`, `upsert`, `apex`,
//! with `form_parts` shared by the forms); nothing lower imports anything higher.

pub mod apex;
pub mod bulk;
pub mod context;
pub mod create;
pub mod edit;
pub mod export;
pub mod form_parts;
pub mod import;
pub mod list;
pub mod list_state;
pub mod loader;
pub mod record;
pub mod upsert;

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgbridge_model::accounts::{thousands, SOBJECT};
use salesforce::rest::SObjectDescribe;

use self::context::{use_accounts, Accounts, Screen};
use crate::app::{show_route, CurrentRoute, Route};
use crate::components::fetched::{fetched, Words};
use crate::drafts;
use crate::error::AppError;
use crate::org_look::OrgLook;
use crate::parts;

/// Everything about one signed-in org's accounts, from its screens' state (kept while another
/// org is shown).
#[component]
pub fn AccountsPage(
    ctx: Accounts,
    /// The org's label and colour, and who is signed in: shown by the title, so it is always
    /// plain which org these accounts are in.
    look: RwSignal<OrgLook>,
    #[prop(into)] who: String,
) -> impl IntoView {
    provide_context(ctx);
    provide_context(import::Import::new());
    drafts::bind(&ctx.org_key(), "screen", ctx.screen, Screen::List);
    // The address bar names this org's screen (a reload, a link): it wins over the draft.
    let current = expect_context::<CurrentRoute>();
    if let Route::Org { key, screen } = current.0.get_untracked() {
        if key == ctx.org_key() {
            ctx.screen.set(screen);
        }
    }
    // And it follows the screen, so Back and Forward step through screens (the screen shown when
    // the page opens takes the place of the entry it opened on).
    Effect::new(move |shown_before: Option<()>| {
        let screen = ctx.screen.get();
        let route = Route::Org {
            key: ctx.org_key(),
            screen,
        };
        show_route(current, &route, shown_before.is_none());
    });
    // Read once per org and kept: shown again after another org, the list is as it was left.
    let describe = LocalResource::new(move || async move {
        if let Some(known) = ctx.describe.get_untracked() {
            return Ok(known);
        }
        let read = Arc::new(ctx.client().describe(SOBJECT).await?);
        if ctx.still_shown() {
            ctx.describe.set(Some(read.clone()));
            loader::load(ctx);
        }
        Ok::<_, AppError>(read)
    });

    // A browser that cannot read Sforce-Limit-Info (a proxy dropping the exposed header) still
    // sees the budget: ask `/limits` once if the first answers said nothing.
    Effect::new(move |asked: Option<bool>| {
        let asked = asked.unwrap_or(false);
        if asked || ctx.describe.get().is_none() || ctx.list.loading.get() {
            return asked;
        }
        if ctx.usage.get_untracked().is_none() {
            spawn_local(async move {
                let _ = ctx.client().limits().await;
            });
        }
        true
    });

    let tab = move |screen: Screen, label: &'static str| {
        let target = screen.clone();
        let current = move || {
            let now = ctx.screen.get();
            now == target
                || (target == Screen::List && matches!(now, Screen::View(_) | Screen::Edit(_)))
        };
        view! {
            <li>
                <button
                    type="button"
                    class="ob-acc-tab"
                    aria-current=move || current().then_some("page")
                    on:click=move |_| ctx.go(screen.clone())
                >
                    {label}
                </button>
            </li>
        }
    };

    view! {
        <section class="ob-accounts" aria-labelledby="ob-accounts-title">
            // Title, API budget and tabs stay in view together while a long list or form scrolls.
            <div class=move || format!("ob-acc-head ob-org-mark {}", look.get().colour.class())>
                <div class="ob-acc-top">
                    <h2 id="ob-accounts-title">"Accounts"</h2>
                    <p class="ob-acc-org">
                        {move || look.with(|l| if l.label.is_empty() { format!("in {who}") } else { format!("in {} ({who})", l.label) })}
                    </p>
                    <ApiBudget/>
                </div>
                <nav aria-label="Accounts screens">
                    <ul class="ob-acc-tabs">
                        {tab(Screen::List, "Account list")}
                        {tab(Screen::New, "New account")}
                        {tab(Screen::Upsert, "Upsert by external ID")}
                        {tab(Screen::Import, "Import CSV")}
                        {tab(Screen::Export, "Download CSV")}
                        {tab(Screen::Console, "Apex REST console")}
                    </ul>
                </nav>
            </div>
            {move || ctx.notice.get().map(|n| view! { <p class="ob-status" role="status">{n}</p> })}
            {fetched(describe, DESCRIBE, |d| view! { <ScreenView describe=d/> })}
        </section>
    }
}

const DESCRIBE: Words = Words {
    loading: "Reading the Account fields…",
    failed: "Could not read the Account fields",
};

/// The current screen.
#[component]
fn ScreenView(describe: Arc<SObjectDescribe>) -> impl IntoView {
    let ctx = use_accounts();
    move || {
        let d = describe.clone();
        match ctx.screen.get() {
            Screen::List => view! { <list::AccountList describe=d/> }.into_any(),
            Screen::View(id) => view! { <record::RecordView describe=d id=id/> }.into_any(),
            Screen::New => view! { <create::CreateForm describe=d/> }.into_any(),
            Screen::Edit(id) => view! { <edit::EditForm describe=d id=id/> }.into_any(),
            Screen::Upsert => view! { <upsert::UpsertForm describe=d/> }.into_any(),
            Screen::Console => view! { <apex::ApexConsole/> }.into_any(),
            Screen::Export => view! { <export::ExportScreen describe=d/> }.into_any(),
            Screen::Import => parts::import_csv(d).into_any(),
        }
    }
}

/// The org's API usage today, from the last answer that reported it.
#[component]
fn ApiBudget() -> impl IntoView {
    let ctx = use_accounts();
    let text = move || match ctx.usage.get() {
        Some(u) => format!(
            "API calls today: {} of {} ({} left)",
            thousands(u.used),
            thousands(u.max),
            thousands(u.remaining())
        ),
        None => "API calls today: not known yet".to_string(),
    };
    let low = move || {
        ctx.usage
            .get()
            .is_some_and(|u| u.max > 0 && u.remaining() * 10 < u.max)
    };
    view! {
        <p class="ob-acc-budget" class:ob-acc-budget-low=low id="ob-acc-budget">
            <meter
                min="0"
                max=move || ctx.usage.get().map(|u| u.max).unwrap_or(1).to_string()
                value=move || ctx.usage.get().map(|u| u.used).unwrap_or(0).to_string()
                aria-labelledby="ob-acc-budget-text"
            ></meter>
            <span id="ob-acc-budget-text">{text}</span>
        </p>
    }
}
