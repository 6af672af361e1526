//! The home page: whatever the auth state calls for — the sign-in form, progress, an error with a
//! way out, or the signed-in view.

use leptos::prelude::*;

use crate::auth::{use_auth, AuthState, SignedOutReason};
use crate::components::alert::{ErrorAlert, StatusNote};
use crate::components::busy::Busy;
use crate::pages::{sign_in::SignInForm, signed_in::SignedInView};

#[component]
pub fn Home() -> impl IntoView {
    let auth = use_auth();
    move || {
        match auth.state.get() {
        AuthState::SignedOut { reason } => {
            let note = match reason {
                None => None,
                Some(SignedOutReason::UserSignedOut) => {
                    Some(view! { <StatusNote message="You signed out."/> }.into_any())
                }
                Some(SignedOutReason::RevokeFailed(message)) => Some(
                    view! {
                        <ErrorAlert
                            title="Signed out here, but the org did not confirm it"
                            message=format!("This tab forgot the session, but revoking its token at the org failed: {message} Until it expires, the token still works at the org; an admin can revoke it in Setup → Connected Apps OAuth Usage.")
                        />
                    }
                    .into_any(),
                ),
            };
            view! {
                {note}
                <SignInForm/>
            }
            .into_any()
        }
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
        AuthState::SignedIn(signed_in) => view! {
            <SignedInView signed_in=signed_in.clone()/>
            <crate::accounts::AccountsPage signed_in=signed_in/>
        }
        .into_any(),
        AuthState::Failed(message) => view! {
            <ErrorAlert title="Sign-in failed" message=message>
                <button type="button" class="ob-button" on:click=move |_| auth.start_again()>
                    "Start again"
                </button>
                <a href="#/setup">"Open the setup guide"</a>
            </ErrorAlert>
        }
        .into_any(),
    }
    }
}
