//! The home page: the signed-in orgs (a bar to switch between them and add another) with the
//! active one's screens, and whatever the sign-in under way calls for — the sign-in form,
//! progress, or an error with a way out.

use leptos::prelude::*;

use crate::app::{CurrentRoute, Route};
use crate::auth::{use_auth, Auth, AuthState, SignedOutReason};
use crate::components::alert::{ErrorAlert, StatusNote};
use crate::components::busy::Busy;
use crate::pages::org_bar::OrgBar;
use crate::pages::sign_in::SignInForm;
use crate::parts;

#[component]
pub fn Home() -> impl IntoView {
    let auth = use_auth();
    let has_orgs = move || auth.orgs.with(|o| !o.is_empty());
    // The sign-in part shows when no org is signed in, when adding one, or while one is under way.
    let signing_in = move || {
        !has_orgs()
            || auth.adding.get()
            || !auth.state.with(|s| matches!(s, AuthState::Idle { .. }))
    };
    // The active org's screens, rebuilt only when another org (or a new sign-in to it) is shown.
    let active = Memo::new(move |_| auth.active_org().map(ActiveOrg));
    // Back, Forward or a link to another org's screen: show that org, on that screen (only an
    // org that is signed in; a route for any other is ignored).
    let route = expect_context::<CurrentRoute>().0;
    Effect::new(move |_| {
        let Route::Org { key, screen } = route.get() else {
            return;
        };
        let Some(org) = auth.find(&key) else {
            return;
        };
        if auth.active.get_untracked().as_deref() != Some(key.as_str()) {
            auth.add_another(false);
            auth.switch_to(key);
        }
        if org.accounts.screen.get_untracked() != screen {
            org.accounts.go(screen);
        }
    });
    view! {
        {move || reason_note(auth)}
        <Show when=has_orgs>
            <OrgBar/>
        </Show>
        {move || signing_in().then(|| sign_in_part(auth))}
        <Show when=move || !signing_in()>
            {move || active.get().map(|ActiveOrg(org)| parts::org_screens(org))}
        </Show>
    }
}

/// An org entry compared by identity, so a memo of it changes only when another entry is shown.
#[derive(Clone)]
struct ActiveOrg(std::sync::Arc<crate::auth::SignedIn>);

impl PartialEq for ActiveOrg {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Why the last session ended, said once.
fn reason_note(auth: Auth) -> Option<AnyView> {
    let AuthState::Idle {
        reason: Some(reason),
    } = auth.state.get()
    else {
        return None;
    };
    Some(match reason {
        SignedOutReason::UserSignedOut(org) => {
            view! { <StatusNote message=format!("You signed out of {org}.")/> }.into_any()
        }
        SignedOutReason::RevokeFailed(message) => view! {
            <ErrorAlert
                title="Signed out here, but the org did not confirm it"
                message=format!("This tab forgot the session, but revoking its token at the org failed: {message} Until it expires, the token still works at the org; an admin can revoke it in Setup → Connected Apps OAuth Usage.")
            />
        }
        .into_any(),
    })
}

/// The sign-in under way: the form, progress, or what went wrong.
fn sign_in_part(auth: Auth) -> AnyView {
    let state = auth.state.get();
    // The form has its own level-one heading; progress and errors have this one (another, so
    // the form's always means the form is there).
    let heading =
        (!matches!(state, AuthState::Idle { .. })).then(|| view! { <h1>"Signing in"</h1> });
    view! { {heading} {sign_in_step(auth, state)} }.into_any()
}

fn sign_in_step(auth: Auth, state: AuthState) -> AnyView {
    let adding = move || auth.orgs.with(|o| !o.is_empty());
    match state {
        AuthState::Idle { .. } => view! {
            <SignInForm/>
            <Show when=adding>
                <div class="ob-actions">
                    <button type="button" class="ob-button ob-button-secondary" on:click=move |_| auth.add_another(false)>
                        "Back to the signed-in orgs"
                    </button>
                </div>
            </Show>
        }
        .into_any(),
        AuthState::Redirecting => view! {
            <div class="ob-card">
                <Busy label="Opening the org's login page…"/>
            </div>
        }
        .into_any(),
        AuthState::WaitingForPopup => view! {
            <div class="ob-card">
                <Busy label="Finish signing in in the pop-up window…"/>
                <p class="ob-muted ob-small">
                    "The org's login page opened in a separate window because it cannot be shown inside this frame."
                </p>
                <div class="ob-actions">
                    <button type="button" class="ob-button ob-button-secondary" on:click=move |_| auth.start_again()>
                        "Cancel"
                    </button>
                </div>
            </div>
        }
        .into_any(),
        AuthState::Exchanging => view! {
            <div class="ob-card">
                <Busy label="Finishing sign-in…"/>
            </div>
        }
        .into_any(),
        AuthState::Failed(error) => view! {
            <ErrorAlert title="Sign-in failed" message=error>
                <button type="button" class="ob-button" on:click=move |_| auth.start_again()>
                    "Start again"
                </button>
                <a href="#/setup">"Open the setup guide"</a>
            </ErrorAlert>
        }
        .into_any(),
    }
}
