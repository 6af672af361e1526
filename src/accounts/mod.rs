//! The Accounts screens of a signed-in org: the list (every account, paged in from the org, only the
//! visible rows in the page), one account's fields, the create/edit form and upsert by external ID
//! built from the org's describe, bulk update/delete through sObject Collections, the Apex REST
//! console, and the org's API budget, always in view. All Salesforce work is the `salesforce`
//! client's; these components hold state and render it.
//!
//! The shell renders [`AccountsPage`] for a signed-in org.

pub mod apex;
pub mod bulk;
pub mod form;
pub mod list;
pub mod record;

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use salesforce::client::{ApiUsage, Client};
use salesforce::error::Error;
use salesforce::rest::{Record, SObjectDescribe};
use salesforce::types::RecordId;

use crate::auth::SignedIn;
use crate::components::alert::ErrorAlert;
use crate::components::busy::Busy;
use crate::drafts;
use crate::transport::FetchTransport;

use self::list::ListState;
use orgbridge_model::accounts::{thousands, SOBJECT};

/// Which Accounts screen is shown (kept as a draft, so a sign-in round trip comes back to it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Screen {
    List,
    /// One account, by id.
    View(String),
    New,
    /// The edit form of one account, by id.
    Edit(String),
    Upsert,
    Console,
}

/// What every Accounts component shares: the org's client, Account's describe, the list (kept
/// while other screens are open, so coming back does not reload 100,000 rows), and the screen.
#[derive(Clone, Copy)]
pub struct Accounts {
    pub client: StoredValue<Client<FetchTransport>>,
    pub describe: RwSignal<Option<Arc<SObjectDescribe>>>,
    pub screen: RwSignal<Screen>,
    pub list: ListState,
    pub usage: RwSignal<Option<ApiUsage>>,
    /// A confirmation shown above the screen ("Deleted Acme.").
    pub notice: RwSignal<Option<String>>,
    /// Whose drafts the forms keep (see `drafts.rs`).
    pub drafts: StoredValue<String>,
}

impl Accounts {
    pub fn client(&self) -> Client<FetchTransport> {
        self.client.get_value()
    }

    /// The draft scope of this org's user, for `drafts::*`.
    pub fn drafts(&self) -> String {
        self.drafts.get_value()
    }

    /// Shows a screen (and forgets the last confirmation, which was about the previous one).
    pub fn go(&self, screen: Screen) {
        self.notice.set(None);
        self.screen.set(screen);
    }

    /// Reads the API usage the client last saw, so the badge follows every call. Returns false
    /// when the page is gone (signed out while a call was in flight): the caller must then stop,
    /// as its signals no longer exist.
    pub fn refresh_usage(&self) -> bool {
        let Some(now) = self.client.try_with_value(|c| c.api_usage()) else {
            return false;
        };
        if now.is_some() && self.usage.try_get_untracked().is_some_and(|old| old != now) {
            self.usage.set(now);
        }
        true
    }
}

impl Accounts {
    /// Reads one account by its id as typed in the app (15 or 18 characters). `None` when the
    /// page is gone by the time the org answers (signed out meanwhile).
    pub async fn fetch_account(&self, id: &str) -> Option<Result<Record, Error>> {
        let result = match RecordId::parse(id) {
            Ok(rid) => self.client().get_record(SOBJECT, &rid, None).await,
            Err(e) => Err(e),
        };
        self.refresh_usage().then_some(result)
    }
}

/// The Accounts context provided by [`AccountsPage`].
pub fn use_accounts() -> Accounts {
    expect_context::<Accounts>()
}

/// Everything about the signed-in org's accounts. Render it for a signed-in org only.
#[component]
pub fn AccountsPage(signed_in: Arc<SignedIn>) -> impl IntoView {
    let client = signed_in.client.clone();
    let scope = drafts::scope_of(&client.session());
    let ctx = Accounts {
        client: StoredValue::new(client),
        describe: RwSignal::new(None),
        screen: RwSignal::new(Screen::List),
        list: ListState::new(),
        usage: RwSignal::new(None),
        notice: RwSignal::new(None),
        drafts: StoredValue::new(scope.clone()),
    };
    provide_context(ctx);
    drafts::bind(&scope, "screen", ctx.screen, Screen::List);
    let describe_error = RwSignal::new(None::<String>);

    let load_describe = move || {
        describe_error.set(None);
        spawn_local(async move {
            let result = ctx.client().describe(SOBJECT).await;
            if !ctx.refresh_usage() {
                return;
            }
            match result {
                Ok(d) => {
                    ctx.describe.set(Some(Arc::new(d)));
                    list::load(ctx);
                }
                Err(e) => describe_error.set(Some(e.user_message())),
            }
        });
    };
    load_describe();

    // The client reports usage from each answer's Sforce-Limit-Info; reading it often is cheap
    // (no request), and catches calls made by any screen.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            ctx.refresh_usage();
        },
        Duration::from_millis(500),
    ) {
        on_cleanup(move || handle.clear());
    }
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
                ctx.refresh_usage();
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
            <div class="ob-acc-head">
                <div class="ob-acc-top">
                    <h2 id="ob-accounts-title">"Accounts"</h2>
                    <ApiBudget/>
                </div>
                <nav aria-label="Accounts screens">
                    <ul class="ob-acc-tabs">
                        {tab(Screen::List, "Account list")}
                        {tab(Screen::New, "New account")}
                        {tab(Screen::Upsert, "Upsert by external ID")}
                        {tab(Screen::Console, "Apex REST console")}
                    </ul>
                </nav>
            </div>
            {move || ctx.notice.get().map(|n| view! { <p class="ob-status" role="status">{n}</p> })}
            {move || match (describe_error.get(), ctx.describe.get()) {
                (Some(message), _) => view! {
                    <ErrorAlert title="Could not read the Account fields" message=message>
                        <button type="button" class="ob-button" on:click=move |_| load_describe()>
                            "Try again"
                        </button>
                    </ErrorAlert>
                }
                .into_any(),
                (None, None) => view! { <Busy label="Reading the Account fields…"/> }.into_any(),
                (None, Some(describe)) => view! { <ScreenView describe=describe/> }.into_any(),
            }}
        </section>
    }
}

/// The current screen.
#[component]
fn ScreenView(describe: Arc<SObjectDescribe>) -> impl IntoView {
    let ctx = use_accounts();
    move || {
        let d = describe.clone();
        match ctx.screen.get() {
            Screen::List => view! { <list::AccountList describe=d/> }.into_any(),
            Screen::View(id) => view! { <record::RecordView describe=d id=id/> }.into_any(),
            Screen::New => view! { <form::CreateForm describe=d/> }.into_any(),
            Screen::Edit(id) => view! { <form::EditForm describe=d id=id/> }.into_any(),
            Screen::Upsert => view! { <form::UpsertForm describe=d/> }.into_any(),
            Screen::Console => view! { <apex::ApexConsole/> }.into_any(),
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
