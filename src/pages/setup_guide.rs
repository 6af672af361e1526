//! The setup guide: what an org admin must configure for *this* page's URL, and a "Check" button
//! that probes the chosen org from the browser and reports what is missing.

use leptos::prelude::*;

use salesforce::setup_check::Severity;

use crate::auth::setup;
use crate::components::{alert::ErrorAlert, busy::Busy};
use crate::settings::{page_origin, redirect_uri, Prefs};

#[component]
pub fn SetupGuide() -> impl IntoView {
    let callback = redirect_uri();
    let origin = page_origin();
    let prefs = Prefs::load();
    let initial_url = prefs.login_url(prefs.kind);
    let initial_key = prefs.consumer_key(prefs.kind);
    let org_url = RwSignal::new(initial_url);
    let consumer_key = RwSignal::new(initial_key);

    let check = Action::new_local(move |(url, key): &(String, String)| {
        setup::check(url.clone(), key.clone())
    });
    let pending = check.pending();
    let result = check.value();

    view! {
        <section class="ob-card" aria-labelledby="ob-setup-title">
            <h1 id="ob-setup-title">"Setup guide"</h1>
            <p class="ob-muted">
                "What an admin configures in the org so that this page can sign in. The values are for the page you are on now."
            </p>
            <h2>"1. External Client App"</h2>
            <ol class="ob-steps">
                <li>"Setup → External Client App Manager → New External Client App. Enable OAuth."</li>
                <li>"Callback URL: " <code>{callback.clone()}</code></li>
                <li>"OAuth scopes: " <code>"api"</code> " and " <code>"refresh_token"</code> " (Perform requests at any time)."</li>
                <li>"Flow enablement: Authorization Code and Credentials flow; "
                    <strong>"Require Proof Key for Code Exchange (PKCE)"</strong> " on."</li>
                <li>"Security: turn " <strong>"off"</strong>
                    " “Require secret for Web Server Flow” and “Require secret for Refresh Token Flow” — a browser app cannot keep a secret."</li>
                <li>"Copy the app's Consumer Key into the sign-in form."</li>
            </ol>
            <h2>"2. CORS"</h2>
            <ol class="ob-steps">
                <li>"Setup → CORS → Allowed Origins List → New: " <code>{origin.clone()}</code></li>
                <li>"On the same page, check " <strong>"Enable CORS for OAuth endpoints"</strong>
                    " (without it the browser cannot exchange the sign-in code for a token)."</li>
                <li>"Sign in through your org's My Domain URL: login.salesforce.com and test.salesforce.com do not send CORS headers for the token exchange."</li>
            </ol>
        </section>
        <section class="ob-card" aria-labelledby="ob-check-title">
            <h2 id="ob-check-title">"Check an org"</h2>
            <form on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                check.dispatch((crate::settings::normalize_url(&org_url.get_untracked()), consumer_key.get_untracked()));
            }>
                <div class="ob-field">
                    <label for="ob-check-url">"Org URL"</label>
                    <input type="url" id="ob-check-url" bind:value=org_url aria-describedby="ob-check-url-hint"/>
                    <span class="ob-hint" id="ob-check-url-hint">
                        "Prefilled with the org chosen on the sign-in screen."
                    </span>
                </div>
                <div class="ob-field">
                    <label for="ob-check-key">"Consumer key"</label>
                    <input type="text" id="ob-check-key" bind:value=consumer_key spellcheck="false"/>
                </div>
                <div class="ob-actions">
                    <button type="submit" class="ob-button" disabled=move || pending.get()>
                        "Check"
                    </button>
                    <Show when=move || pending.get()>
                        <Busy label="Checking the org…"/>
                    </Show>
                </div>
            </form>
            {move || result.get().map(|outcome| match outcome {
                Ok(findings) => view! {
                    <ul class="ob-findings" aria-label="Findings">
                        {findings.into_iter().map(|f| {
                            let (class, mark, word) = match f.severity {
                                Severity::Ok => ("ob-finding ob-finding-ok", "✓", "OK"),
                                Severity::Problem => ("ob-finding ob-finding-problem", "✗", "Problem"),
                                Severity::Warning => ("ob-finding ob-finding-unknown", "!", "Warning"),
                            };
                            view! {
                                <li class=class>
                                    <span class="ob-finding-mark" aria-hidden="true">{mark}</span>
                                    <span>
                                        <span class="ob-visually-hidden">{format!("{word}: ")}</span>
                                        <strong>{f.topic}</strong>
                                        " — "
                                        {f.message}
                                    </span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(message) => view! { <ErrorAlert title="Could not check the org" message=message/> }.into_any(),
            })}
        </section>
    }
}
