//! The signed-in view: who is signed in to which org, at which API version, and "Sign out".

use std::sync::Arc;

use leptos::prelude::*;

use crate::auth::{use_auth, SignedIn};
use crate::components::busy::Busy;

#[component]
pub fn SignedInView(signed_in: Arc<SignedIn>) -> impl IntoView {
    let auth = use_auth();
    let signing_out = RwSignal::new(false);
    let p = signed_in.profile.clone();
    view! {
        <section class="ob-card" aria-labelledby="ob-signed-in-title">
            <h1 id="ob-signed-in-title">"Signed in"</h1>
            <dl class="ob-facts">
                <dt>"Name"</dt>
                <dd>{p.name}</dd>
                <dt>"Username"</dt>
                <dd>{p.username}</dd>
                <dt>"Org"</dt>
                <dd>{p.org}</dd>
                <dt>"Instance"</dt>
                <dd>{p.instance_url}</dd>
                <dt>"API version"</dt>
                <dd>{p.api_version}</dd>
            </dl>
            <div class="ob-actions">
                <button
                    type="button"
                    class="ob-button ob-button-secondary"
                    disabled=move || signing_out.get()
                    on:click=move |_| {
                        signing_out.set(true);
                        auth.sign_out();
                    }
                >
                    "Sign out"
                </button>
                <Show when=move || signing_out.get()>
                    <Busy label="Signing out…"/>
                </Show>
            </div>
        </section>
    }
}
