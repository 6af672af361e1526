//! The signed-in view: who is signed in to which org, at which API version, and "Sign out".

use std::sync::Arc;

use leptos::prelude::*;

use crate::auth::{use_auth, SignedIn};
use crate::components::alert::ErrorAlert;
use crate::components::busy::Busy;

#[component]
pub fn SignedInView(signed_in: Arc<SignedIn>) -> impl IntoView {
    let auth = use_auth();
    let signing_out = RwSignal::new(false);
    let p = signed_in.profile.clone();
    let ended = signed_in.ended;
    let login = signed_in.login.clone();
    // The session usually ends under a button pressed far down a form: bring the way back into
    // view and give it the focus, so neither eyes nor keyboard have to look for it.
    let again = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let (Some(_), Some(button)) = (ended.get(), again.get()) {
            let _ = button.focus();
            // The whole alert, title first, not just its button.
            if let Ok(Some(alert)) = button.closest(".ob-alert") {
                alert.scroll_into_view();
            }
        }
    });
    // The org ended the session: everything below stays as it was (drafts are kept), and signing
    // in again comes back to it.
    let ended_alert = move || {
        ended.get().map(|reason| {
            let login = login.clone();
            view! {
                <ErrorAlert
                    title="Your session with this org ended"
                    message=format!("{reason} What you typed is kept; after signing in you come back to it.")
                >
                    <button type="button" class="ob-button" node_ref=again on:click=move |_| auth.sign_in(login.clone())>
                        "Sign in again"
                    </button>
                </ErrorAlert>
            }
        })
    };
    view! {
        // A compact bar, so the org's data below gets the screen.
        <section class="ob-card ob-session" aria-labelledby="ob-signed-in-title">
            <h1 id="ob-signed-in-title" class="ob-session-title">"Signed in"</h1>
            <dl class="ob-session-facts">
                <div><dt>"Name"</dt><dd>{p.name}</dd></div>
                <div><dt>"Username"</dt><dd>{p.username}</dd></div>
                <div><dt>"Org"</dt><dd>{p.org}</dd></div>
                <div><dt>"Instance"</dt><dd>{p.instance_url}</dd></div>
                <div><dt>"API version"</dt><dd>{p.api_version}</dd></div>
            </dl>
            <div class="ob-session-actions">
                <button
                    type="button"
                    class="ob-button ob-button-secondary"
                    disabled=move || signing_out.get()
                    on:click={
                        let key = signed_in.key.clone();
                        move |_| {
                            signing_out.set(true);
                            auth.sign_out(key.clone());
                        }
                    }
                >
                    "Sign out"
                </button>
                <Show when=move || signing_out.get()>
                    <Busy label="Signing out…"/>
                </Show>
            </div>
        </section>
        {ended_alert}
    }
}
