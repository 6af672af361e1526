//! What every Accounts screen shares, as a context: the org's client, Account's describe, the
//! list's state, the screen shown, the API budget and the notice above the screen.

use std::sync::Arc;

use leptos::prelude::*;
use orgbridge_model::accounts::SOBJECT;
use salesforce::client::{ApiUsage, Client, ClientEvent};
use salesforce::rest::{Record, SObjectDescribe};
use salesforce::types::RecordId;

use super::list_state::ListState;
use crate::error::AppError;
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
    /// The org's key (see [`Accounts::org_key`]).
    key: StoredValue<String>,
}

impl Accounts {
    /// The screens' state of a newly signed-in org, kept as long as the org is: switching to
    /// another org and back shows the same list, search, columns and scroll position.
    pub fn new(client: Client<FetchTransport>, key: String) -> Accounts {
        // Made under the org's own owner (see `Auth::enter`), so it outlives the screens.
        let ctx = Accounts {
            describe: RwSignal::new(None),
            screen: RwSignal::new(Screen::List),
            list: ListState::new(),
            usage: RwSignal::new(client.api_usage()),
            notice: RwSignal::new(None),
            key: StoredValue::new(key),
            client: StoredValue::new(client.clone()),
        };
        ctx.show_usage_of(&client);
        ctx
    }

    /// Works through `client` from now on: a new sign-in to the same org after its session ended.
    pub fn follow(&self, client: &Client<FetchTransport>) {
        self.client.set_value(client.clone());
        self.show_usage_of(client);
    }

    /// Shows the org's API usage as `client` reports it: after each answer (Sforce-Limit-Info, or
    /// its own count on top of the last /limits), whichever screen made the call.
    fn show_usage_of(&self, client: &Client<FetchTransport>) {
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

    /// The org's key (`<org id>/<user id>`, `Session::org_key`): what routes name it by and what
    /// its drafts are kept under.
    pub fn org_key(&self) -> String {
        self.key.get_value()
    }

    /// The org's id (what its column choice is remembered under): the key's first part.
    pub fn org_id(&self) -> String {
        self.key
            .with_value(|key| key.split('/').next().unwrap_or_default().to_owned())
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
    /// Reads one account, every field (what the record and edit screens load).
    pub async fn fetch_account(self, id: RecordId) -> Result<Record, AppError> {
        Ok(self.client().get_record(SOBJECT, &id, None).await?)
    }
}

/// The Accounts context provided by [`AccountsPage`].
pub fn use_accounts() -> Accounts {
    expect_context::<Accounts>()
}
