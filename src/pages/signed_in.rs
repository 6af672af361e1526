//! The signed-in view of one org: who is signed in to which org, at which API version, its label
//! and colour, and "Sign out" of it.

use std::sync::Arc;

use leptos::prelude::*;

use crate::auth::{use_auth, SignedIn};
use crate::components::alert::ErrorAlert;
use crate::components::busy::Busy;
use crate::org_look::{self, OrgColour};

#[component]
pub fn SignedInView(signed_in: Arc<SignedIn>) -> impl IntoView {
    let auth = use_auth();
    let signing_out = RwSignal::new(false);
    // Unfinished copy runs this org is part of, found as the person signs out: asked about.
    let kept_runs = RwSignal::new(None::<Vec<String>>);
    let p = signed_in.profile.clone();
    let ended = signed_in.ended;
    let login = signed_in.login.clone();
    let (look, sandbox) = (signed_in.look, signed_in.sandbox);
    let org_id = StoredValue::new(p.org.clone());
    // Kept for this org id in this browser as soon as it changes.
    let set_look = move |label: String, colour: Option<OrgColour>| {
        look.update(|l| {
            l.label = label.chars().take(org_look::MAX_LABEL).collect();
            if let Some(c) = colour {
                l.colour = c;
            }
        });
        org_id.with_value(|id| org_look::save(id, &look.get_untracked()));
    };
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
        // A compact bar, so the org's data below gets the screen; its edge in the org's colour.
        <section
            class=move || format!("ob-card ob-session ob-org-mark {}", look.get().colour.class())
            aria-labelledby="ob-signed-in-title"
        >
            <h1 id="ob-signed-in-title" class="ob-session-title">"Signed in"</h1>
            {sandbox.then(|| view! { <span class="ob-badge ob-badge-sandbox">"Sandbox"</span> })}
            <dl class="ob-session-facts">
                <div><dt>"Name"</dt><dd>{p.name}</dd></div>
                <div><dt>"Username"</dt><dd>{p.username}</dd></div>
                <div><dt>"Org"</dt><dd>{p.org}</dd></div>
                <div><dt>"Instance"</dt><dd>{p.instance_url}</dd></div>
                <div><dt>"API version"</dt><dd>{p.api_version}</dd></div>
            </dl>
            <div class="ob-session-look">
                <label for="ob-org-label">"Label"</label>
                <input
                    id="ob-org-label"
                    type="text"
                    class="ob-input ob-org-label-input"
                    maxlength=org_look::MAX_LABEL.to_string()
                    placeholder="e.g. Sales"
                    prop:value=move || look.get().label
                    on:input=move |ev| set_look(event_target_value(&ev), None)
                />
                <label for="ob-org-colour">"Colour"</label>
                <select
                    id="ob-org-colour"
                    class="ob-input"
                    prop:value=move || look.get().colour.name()
                    on:change=move |ev| set_look(look.get_untracked().label, OrgColour::parse(&event_target_value(&ev)))
                >
                    {OrgColour::ALL.iter().map(|c| view! { <option value=c.name()>{c.name()}</option> }).collect_view()}
                </select>
            </div>
            <div class="ob-session-actions">
                <button
                    type="button"
                    class="ob-button ob-button-secondary"
                    disabled=move || signing_out.get() || kept_runs.with(Option::is_some)
                    on:click={
                        let key = signed_in.key.clone();
                        move |_| {
                            let key = key.clone();
                            // A copy run this org is part of keeps account data in this browser:
                            // ask before signing out rather than leave it behind silently.
                            leptos::task::spawn_local(async move {
                                let pairs = crate::sync::kept::pairs_with(&key).await;
                                if pairs.is_empty() {
                                    signing_out.set(true);
                                    auth.sign_out(key);
                                } else {
                                    kept_runs.set(Some(pairs));
                                }
                            });
                        }
                    }
                >
                    "Sign out"
                </button>
                {move || kept_runs.get().map(|pairs| {
                    let n = pairs.len();
                    let (discard_key, keep_key) = (signed_in.key.clone(), signed_in.key.clone());
                    view! {
                        <div class="ob-acc-confirm" role="alertdialog" aria-labelledby="ob-sign-out-kept-title" aria-describedby="ob-sign-out-kept-text">
                            <p id="ob-sign-out-kept-title" class="ob-alert-title">
                                {if n == 1 { "A copy with this org is not finished".to_string() } else { format!("{n} copies with this org are not finished") }}
                            </p>
                            <p id="ob-sign-out-kept-text">"Its accounts are kept in this browser so it can resume. Discard it as you sign out (best on a shared computer), or keep it to resume after signing in again."</p>
                            <div class="ob-actions">
                                <button type="button" class="ob-button ob-button-danger" autofocus=true on:click=move |_| {
                                    let (pairs, key) = (pairs.clone(), discard_key.clone());
                                    kept_runs.set(None);
                                    signing_out.set(true);
                                    leptos::task::spawn_local(async move {
                                        for pair in pairs {
                                            crate::sync::kept::forget(&pair).await;
                                        }
                                        auth.sign_out(key);
                                    });
                                }>"Discard it and sign out"</button>
                                <button type="button" class="ob-button ob-button-secondary" on:click=move |_| {
                                    kept_runs.set(None);
                                    signing_out.set(true);
                                    auth.sign_out(keep_key.clone());
                                }>"Keep it and sign out"</button>
                                <button type="button" class="ob-button ob-button-secondary" on:click=move |_| kept_runs.set(None)>"Cancel"</button>
                            </div>
                        </div>
                    }
                })}
                <Show when=move || signing_out.get()>
                    <Busy label="Signing out…"/>
                </Show>
            </div>
        </section>
        {ended_alert}
    }
}
