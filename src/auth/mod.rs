//! Who is signed in: the auth state machine ([`AuthState`]) provided as context, and the actions
//! that move it (sign in, finish the callback, sign out). Components match on the state and call
//! these actions; they never read storage or talk OAuth themselves. The OAuth logic itself lives
//! in the `salesforce` crate; this module only drives it from the browser.

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

use crate::transport::FetchTransport;

/// Where the user is in signing in.
#[derive(Debug, Clone)]
pub enum AuthState {
    /// Not signed in; `reason` says why when the app ended a session.
    SignedOut {
        reason: Option<SignedOutReason>,
    },
    /// Leaving for the org's login page.
    Redirecting,
    /// Framed: the org's login page is open in a pop-up window.
    WaitingForPopup,
    /// Back from the org with a code; exchanging it for tokens.
    Exchanging,
    SignedIn(Arc<SignedIn>),
    /// Sign-in failed; the message says what to do.
    Failed(String),
}

/// Why the user is signed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedOutReason {
    /// The user pressed "Sign out".
    UserSignedOut,
    /// The user pressed "Sign out", but the org did not confirm the revoke: the token still
    /// lives there until it expires. The message says why.
    RevokeFailed(String),
}

/// A signed-in org: its client (shared by every page) and what the UI shows about it.
pub struct SignedIn {
    pub client: Client<FetchTransport>,
    pub profile: Profile,
    /// How this session was signed in to, to sign in again the same way.
    pub login: SignInRequest,
    /// Why the org ended the session (refresh token revoked or expired), once it has. The screens
    /// stay as they were, with what the person typed, until they sign in again.
    pub ended: RwSignal<Option<String>>,
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

/// The auth context: the state, and the actions that change it.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    pub state: RwSignal<AuthState>,
}

/// The auth context provided by [`provide_auth`].
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

/// Creates the auth context and decides where the page starts: finishing a callback in the
/// address bar, resuming this tab's session, or signed out.
pub fn provide_auth() -> Auth {
    let auth = Auth {
        state: RwSignal::new(AuthState::SignedOut { reason: None }),
    };
    provide_context(auth);
    flow::sweep_stale_logins();
    let callback = oauth::parse_callback(&flow::location_search());
    if callback != Callback::None {
        // The code and state leave the address bar (and history) before anything else happens.
        flow::scrub_address_bar();
        auth.finish(callback);
    } else if let Some(session) = flow::load_session() {
        auth.enter(session, true);
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
        spawn_local(self.finish_with(FetchTransport, callback));
    }

    /// [`Auth::finish`] through a given transport, awaited (tests use a scripted transport).
    pub async fn finish_with(self, transport: impl Transport, callback: Callback) {
        self.state.set(AuthState::Exchanging);
        match flow::complete(&transport, callback, flow::now_ms()).await {
            Ok(session) => self.enter(session, false),
            Err(message) => self.state.set(AuthState::Failed(message)),
        }
    }

    /// Shows `session` as signed in. With `verify`, a restored session is checked against the
    /// org in the background: an expired token is refreshed, a revoked one ends with a reason.
    pub fn enter(self, session: Session, verify: bool) {
        let client = Client::new(FetchTransport, session.clone());
        let ended = RwSignal::new(None);
        Self::watch(&client, ended);
        self.state.set(AuthState::SignedIn(Arc::new(SignedIn {
            client: client.clone(),
            profile: Profile::of(&session),
            login: SignInRequest {
                login_url: session.login_url.to_string(),
                consumer_key: session.consumer_key.clone(),
            },
            ended,
        })));
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
    /// ended (refresh token revoked or expired) is forgotten and `ended` says why. The signed-in
    /// screens stay, so nothing typed is lost; the person signs in again from there.
    pub fn watch<T: Transport>(client: &Client<T>, ended: RwSignal<Option<String>>) {
        client.subscribe(move |event| match event {
            ClientEvent::SessionRefreshed(session) => flow::save_session(session),
            ClientEvent::SessionEnded { reason } => {
                flow::clear_session();
                ended.try_set(Some(reason.clone()));
            }
            ClientEvent::ApiUsage(_) => {}
        });
    }

    /// Signs out: revokes the token at the org, forgets the session, and says so.
    pub fn sign_out(self) {
        spawn_local(self.sign_out_with(FetchTransport));
    }

    /// [`Auth::sign_out`] through a given transport, awaited.
    pub async fn sign_out_with(self, transport: impl Transport) {
        let AuthState::SignedIn(signed_in) = self.state.get_untracked() else {
            return;
        };
        // Waits for a refresh in flight, so the tokens revoked are the newest and no late
        // refresh stores a session after this.
        let session = signed_in.client.close().await;
        // Forgotten locally whatever the org answers: the user asked to be signed out.
        flow::clear_session();
        crate::drafts::clear_scope(&crate::drafts::scope_of(&session));
        let reason = match oauth::revoke(&transport, &session).await {
            Ok(()) => SignedOutReason::UserSignedOut,
            Err(e) => SignedOutReason::RevokeFailed(e.user_message()),
        };
        self.state.set(AuthState::SignedOut {
            reason: Some(reason),
        });
    }

    /// Leaves a failed sign-in (or a pending pop-up) for the sign-in form.
    pub fn start_again(self) {
        popup::close();
        self.state.set(AuthState::SignedOut { reason: None });
    }
}
