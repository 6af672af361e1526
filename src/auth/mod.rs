//! Who is signed in, provided as context ([`Auth`]): every signed-in org (one [`SignedIn`] each,
//! with its own client, session ending and screens' state), the one the screens work on, and
//! the sign-in under way ([`AuthState`]) with the actions that move it (sign in, finish the
//! callback, sign out of one org). Components read this and call these actions; they never read
//! storage or talk OAuth themselves. The OAuth logic itself lives in the `salesforce` crate.

pub mod flow;
pub mod popup;
pub mod setup;

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use salesforce::client::{Client, ClientEvent};
use salesforce::oauth::{self, Callback};
use salesforce::session::Session;
use salesforce::transport::Transport;

use crate::accounts::context::Accounts;
use crate::drafts;
use crate::error::AppError;
use crate::org_look::{self, OrgLook};
use crate::transport::FetchTransport;

/// Where the person is in signing in to an org (one more, when others are signed in already).
#[derive(Debug, Clone)]
pub enum AuthState {
    /// No sign-in under way; `reason` says why the app ended a session, to show once.
    Idle { reason: Option<SignedOutReason> },
    /// Leaving for the org's login page.
    Redirecting,
    /// Framed: the org's login page is open in a pop-up window.
    WaitingForPopup,
    /// Back from the org with a code; exchanging it for tokens.
    Exchanging,
    /// Sign-in failed; its message says what to do.
    Failed(AppError),
}

/// Why the user is signed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedOutReason {
    /// The user pressed "Sign out" for this org (its name as shown).
    UserSignedOut(String),
    /// The user pressed "Sign out", but the org did not confirm the revoke: the token still
    /// lives there until it expires. The message says why.
    RevokeFailed(String),
}

/// A signed-in org: its client (shared by every page), what the UI shows about it, and its
/// Accounts screens' state (kept while another org is shown, so switching back is instant).
pub struct SignedIn {
    /// `<org id>/<user id>`: one entry per user of an org.
    pub key: String,
    pub client: Client<FetchTransport>,
    pub profile: Profile,
    /// How this session was signed in to, to sign in again the same way.
    pub login: SignInRequest,
    /// Why the org ended the session (refresh token revoked or expired), once it has. The screens
    /// stay as they were, with what the person typed, until they sign in again.
    pub ended: RwSignal<Option<String>>,
    pub accounts: Accounts,
    /// The org's label and colour (remembered per org id), and whether it is a sandbox.
    pub look: RwSignal<OrgLook>,
    pub sandbox: bool,
    /// Owns this org's signals; dropped with the entry (signed out), they go too.
    owner: Owner,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

/// What the signed-in view shows, taken from the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub username: String,
    pub org: String,
    pub instance_url: String,
    /// The instance's `host[:port]`, as the org bar names it.
    pub host: String,
    pub api_version: String,
}

impl Profile {
    pub fn of(session: &Session) -> Profile {
        let name = if session.user.name.is_empty() {
            session.user.username.clone()
        } else {
            session.user.name.clone()
        };
        Profile {
            name,
            username: session.user.username.clone(),
            org: session.org_id().to_owned(),
            instance_url: session.instance_url.to_string(),
            host: session.instance_url.host(),
            api_version: session.api_version.to_string(),
        }
    }
}

/// What the sign-in form asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRequest {
    /// Login host: devorg, a My Domain URL, login.salesforce.com or test.salesforce.com.
    pub login_url: String,
    pub consumer_key: String,
}

/// The auth context: the signed-in orgs, the active one, the sign-in under way, and the actions
/// that change them.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    pub state: RwSignal<AuthState>,
    /// Every signed-in org, in the order they were signed in to.
    pub orgs: RwSignal<Vec<Arc<SignedIn>>>,
    /// The key of the org the screens work on.
    pub active: RwSignal<Option<String>>,
    /// The person asked to add another org: the sign-in form is shown.
    pub adding: RwSignal<bool>,
    /// The app's own reactive owner: each org's state lives under a child of it, made for that
    /// org, so it outlives the screens and the sign-in that created it.
    home: StoredValue<Owner>,
}

/// The auth context provided by [`provide_auth`].
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// Creates the auth context and decides where the page starts: resuming this tab's orgs, and
/// finishing a callback in the address bar (one more org).
pub fn provide_auth() -> Auth {
    let auth = Auth {
        state: RwSignal::new(AuthState::Idle { reason: None }),
        orgs: RwSignal::new(Vec::new()),
        active: RwSignal::new(None),
        adding: RwSignal::new(false),
        home: StoredValue::new(Owner::current().unwrap_or_default()),
    };
    provide_context(auth);
    flow::sweep_stale_logins();
    let (sessions, active) = flow::load_sessions();
    for session in sessions {
        auth.enter(session, true);
    }
    if let Some(key) = active.filter(|key| auth.find(key).is_some()) {
        auth.active.set(Some(key));
    }
    // Once, for whatever the restore left out (a session that was gone).
    auth.remember();
    let callback = oauth::parse_callback(&flow::location_search());
    if callback != Callback::None {
        // The code and state leave the address bar (and history) before anything else happens.
        flow::scrub_address_bar();
        auth.finish(callback);
    }
    if popup::is_framed() {
        popup::listen(move |query| auth.finish(oauth::parse_callback(&query)));
    }
    auth
}

impl Auth {
    /// Starts a sign-in: remembers the pending login in this tab, then goes to the org's login
    /// page (in a pop-up window when the app is framed: the org's page refuses to be framed).
    pub fn sign_in(self, request: SignInRequest) {
        self.state.set(AuthState::Redirecting);
        spawn_local(async move {
            match flow::begin(&FetchTransport, &request).await {
                Err(message) => self.state.set(AuthState::Failed(message)),
                Ok(url) if popup::is_framed() => match popup::open(&url) {
                    Ok(()) => self.state.set(AuthState::WaitingForPopup),
                    Err(message) => self.state.set(AuthState::Failed(message)),
                },
                Ok(url) => {
                    if let Err(message) = flow::navigate(&url) {
                        self.state.set(AuthState::Failed(message));
                    }
                }
            }
        });
    }

    /// Handles the org's answer (from the address bar or from the pop-up window).
    pub fn finish(self, callback: Callback) {
        // Now, not when the task starts: the first screen after the org's redirect is the
        // progress, never a flash of the org shown before it (and that org's reads).
        self.state.set(AuthState::Exchanging);
        spawn_local(self.finish_with(FetchTransport, callback));
    }

    /// [`Auth::finish`] through a given transport, awaited (tests use a scripted transport).
    pub async fn finish_with(self, transport: impl Transport, callback: Callback) {
        self.state.set(AuthState::Exchanging);
        match flow::complete(&transport, callback, flow::now_ms()).await {
            Ok(session) => {
                flow::save_session(&session);
                self.enter(session, false);
                self.remember();
                self.state.set(AuthState::Idle { reason: None });
            }
            Err(message) => self.state.set(AuthState::Failed(message)),
        }
    }

    /// The signed-in org with this key.
    pub fn find(&self, key: &str) -> Option<Arc<SignedIn>> {
        self.orgs
            .with_untracked(|orgs| orgs.iter().find(|o| o.key == key).cloned())
    }

    /// The org the screens work on (tracked).
    pub fn active_org(&self) -> Option<Arc<SignedIn>> {
        let key = self.active.get()?;
        self.orgs
            .with(|orgs| orgs.iter().find(|o| o.key == key).cloned())
    }

    /// Shows another signed-in org's screens (instant: each keeps its own state).
    pub fn switch_to(self, key: String) {
        self.active.set(Some(key));
        self.remember();
    }

    /// Keeps the list of orgs and the active one for a reload of this tab.
    fn remember(self) {
        flow::save_org_list(&flow::OrgList {
            keys: self
                .orgs
                .with_untracked(|orgs| orgs.iter().map(|o| o.key.clone()).collect()),
            active: self.active.get_untracked(),
        });
    }

    /// Adds `session`'s org (or, for an org and user already signed in, replaces that entry: a
    /// second sign-in is the same org, not another) and shows it. With `verify`, a restored
    /// session is checked against the org in the background: an expired token is refreshed, a
    /// revoked one ends with a reason. Storage is the caller's: a restored session is there already.
    pub fn enter(self, session: Session, verify: bool) {
        let key = session.org_key();
        let client = Client::new(FetchTransport, session.clone());
        let (owner, accounts, look) = match self.find(&key) {
            // Signing in again to an org whose session ended: its screens carry on.
            Some(old) => {
                old.accounts.follow(&client);
                (old.owner.clone(), old.accounts, old.look)
            }
            None => {
                let nth = self.orgs.with_untracked(Vec::len);
                let owner = self.home.with_value(|home| home.with(Owner::new));
                let (accounts, look) = owner.with(|| {
                    (
                        Accounts::new(client.clone(), key.clone()),
                        RwSignal::new(org_look::load(session.org_id(), nth)),
                    )
                });
                (owner, accounts, look)
            }
        };
        let ended = owner.with(|| RwSignal::new(None));
        Self::watch(&client, key.clone(), ended);
        let org = Arc::new(SignedIn {
            key: key.clone(),
            client: client.clone(),
            profile: Profile::of(&session),
            login: SignInRequest {
                login_url: session.login_url.to_string(),
                consumer_key: session.consumer_key.clone(),
            },
            ended,
            accounts,
            look,
            sandbox: session.is_sandbox(),
            owner,
        });
        self.orgs
            .update(|orgs| match orgs.iter_mut().find(|o| o.key == key) {
                Some(slot) => *slot = org,
                None => orgs.push(org),
            });
        self.active.set(Some(key));
        self.adding.set(false);
        if verify {
            spawn_local(async move {
                // Only the session's fate matters here (handled by the observer above); a
                // network failure leaves the stored session for the next call to try.
                let _ = client
                    .send_raw(
                        salesforce::transport::Method::Get,
                        "/services/oauth2/userinfo",
                        None,
                        &[],
                    )
                    .await;
            });
        }
    }

    /// Follows a client's session: a refreshed token is kept for the tab; a session the org
    /// ended (refresh token revoked or expired) is forgotten and `ended` says why. That org's
    /// screens stay, so nothing typed is lost, and the other orgs are not touched.
    pub fn watch<T: Transport>(client: &Client<T>, key: String, ended: RwSignal<Option<String>>) {
        client.subscribe(move |event| match event {
            ClientEvent::SessionRefreshed(session) => flow::save_session(session),
            ClientEvent::SessionEnded { reason } => {
                flow::clear_session(&key);
                ended.try_set(Some(reason.clone()));
            }
            ClientEvent::ApiUsage(_) => {}
        });
    }

    /// Signs out of one org: revokes its token at the org, forgets its session, and says so. The
    /// other orgs stay signed in.
    pub fn sign_out(self, key: String) {
        spawn_local(self.sign_out_with(key, FetchTransport));
    }

    /// [`Auth::sign_out`] through a given transport, awaited.
    pub async fn sign_out_with(self, key: String, transport: impl Transport) {
        let Some(org) = self.find(&key) else {
            return;
        };
        // Waits for a refresh in flight, so the tokens revoked are the newest and no late
        // refresh stores a session after this.
        let session = org.client.close().await;
        // Forgotten locally whatever the org answers: the user asked to be signed out.
        flow::clear_session(&key);
        drafts::clear_scope(&key);
        let name = format!("{} ({})", org.profile.username, org.profile.org);
        let reason = match oauth::revoke(&transport, &session).await {
            Ok(()) => SignedOutReason::UserSignedOut(name),
            Err(e) => SignedOutReason::RevokeFailed(e.user_message()),
        };
        self.orgs.update(|orgs| orgs.retain(|o| o.key != key));
        if self.active.get_untracked().as_deref() == Some(key.as_str()) {
            let next = self
                .orgs
                .with_untracked(|orgs| orgs.first().map(|o| o.key.clone()));
            self.active.set(next);
        }
        self.remember();
        self.state.set(AuthState::Idle {
            reason: Some(reason),
        });
    }

    /// Leaves a failed sign-in (or a pending pop-up) for the sign-in form.
    pub fn start_again(self) {
        popup::close();
        self.state.set(AuthState::Idle { reason: None });
    }

    /// Shows the sign-in form to add another org (or, `false`, goes back to the orgs).
    pub fn add_another(self, adding: bool) {
        self.state.set(AuthState::Idle { reason: None });
        self.adding.set(adding);
    }
}
