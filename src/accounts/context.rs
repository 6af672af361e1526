//! What every Accounts screen shares, as a context: the org's client, Account's describe, the
//! list's state, the screen shown, the API budget and the notice above the screen.

use std::sync::Arc;

use leptos::prelude::*;
use orgbridge_model::accounts::SOBJECT;
use salesforce::client::{ApiUsage, Client, ClientEvent};
use salesforce::error::Error;
use salesforce::rest::{Record, SObjectDescribe};
use salesforce::types::RecordId;

use super::list_state::ListState;
use crate::transport::FetchTransport;

/// Which Accounts screen is shown (kept as a draft, so a sign-in round trip comes back to it, and
/// in the URL fragment, so Back, Forward and a reload do).
pub use orgbridge_model::route::Screen;

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
    /// The screens' state of a newly signed-in org, kept as long as the org is: switching to
    /// another org and back shows the same list, search, columns and scroll position.
    pub fn new(client: Client<FetchTransport>, drafts: String) -> Accounts {
        // Made under the org's own owner (see `Auth::enter`), so it outlives the screens.
        let ctx = Accounts {
            describe: RwSignal::new(None),
            screen: RwSignal::new(Screen::List),
            list: ListState::new(),
            usage: RwSignal::new(client.api_usage()),
            notice: RwSignal::new(None),
            drafts: StoredValue::new(drafts),
            client: StoredValue::new(client.clone()),
        };
        ctx.follow(&client);
        ctx
    }

    /// Works through `client` from now on (a new sign-in to the same org after its session
    /// ended), and shows its API usage as it reports it: after each answer (Sforce-Limit-Info, or
    /// its own count on top of the last /limits), whichever screen made the call.
    pub fn follow(&self, client: &Client<FetchTransport>) {
        self.client.set_value(client.clone());
        let usage = self.usage;
        client.subscribe(move |event| {
            if let ClientEvent::ApiUsage(now) = event {
                usage.try_set(Some(*now));
            }
        });
    }

    pub fn client(&self) -> Client<FetchTransport> {
        self.client.get_value()
    }

    /// The org's id (what its column choice is remembered under).
    pub fn org_id(&self) -> String {
        self.client().session().org_id().to_owned()
    }

    /// The org's key (`<org id>/<user id>`), as routes name it: the same as its draft scope.
    pub fn org_key(&self) -> String {
        self.drafts()
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

    /// False when the screens are gone (signed out while a call was in flight): a caller whose
    /// call just finished must then stop, as its signals no longer exist.
    pub fn still_shown(&self) -> bool {
        self.client.try_with_value(|_| ()).is_some()
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
        self.still_shown().then_some(result)
    }
}

/// The Accounts context provided by [`AccountsPage`].
pub fn use_accounts() -> Accounts {
    expect_context::<Accounts>()
}
