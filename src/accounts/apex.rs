//! The Apex REST console: call a custom endpoint of the org under `/services/apexrest/` with a
//! method and a JSON body, and see the answer as it came (status, headers, body). The seeds'
//! `createAccountRecord` and `arrify/v1/accounts` classes are offered as examples.

use leptos::prelude::*;
use salesforce::error::Error;
use salesforce::rest::apex::apex_path;
use salesforce::transport::{HttpResponse, Method};

use super::context::use_accounts;
use crate::components::alert::ErrorAlert;
use crate::components::busy::Busy;
use crate::drafts;
use orgbridge_model::accounts::pretty_body;

/// Methods the console offers, as shown.
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

fn method(name: &str) -> Method {
    match name {
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        _ => Method::Get,
    }
}

/// (button text, method, path, body)
const EXAMPLES: [(&str, &str, &str, &str); 2] = [
    (
        "Example: createAccountRecord",
        "POST",
        "createAccountRecord",
        "[\n  {\n    \"Name\": \"Console Example One\",\n    \"Description\": \"Created from the Apex REST console\",\n    \"Type\": \"Prospect\",\n    \"Industry\": \"Technology\"\n  }\n]",
    ),
    (
        "Example: arrify/v1/accounts",
        "POST",
        "arrify/v1/accounts",
        "{\n  \"Name\": \"Console Example Two\"\n}",
    ),
];

#[component]
pub fn ApexConsole() -> impl IntoView {
    let ctx = use_accounts();
    let verb = RwSignal::new("POST".to_string());
    let path = RwSignal::new(EXAMPLES[1].2.to_string());
    let body = RwSignal::new(EXAMPLES[1].3.to_string());
    let scope = ctx.org_key();
    drafts::bind(&scope, "console.method", verb, "POST".to_string());
    drafts::bind(&scope, "console.path", path, EXAMPLES[1].2.to_string());
    drafts::bind(&scope, "console.body", body, EXAMPLES[1].3.to_string());
    // A call that got no answer may still have run at the org: say so, and make sending it again
    // a deliberate choice.
    let unsure = RwSignal::new(false);
    let path_error = RwSignal::new(None::<String>);
    let body_error = RwSignal::new(None::<String>);
    let call = Action::new_local(move |(m, p, body): &(Method, String, Option<String>)| {
        let (m, p, body) = (*m, p.clone(), body.clone());
        async move {
            let result = ctx.client().apex_rest(m, &p, body).await;
            let may_have_run = m != Method::Get && matches!(result, Err(Error::Network { .. }));
            unsure.try_set(may_have_run);
            result.map_err(|e| {
                if may_have_run {
                    format!("{} The org may still have run the call (a POST may have created records): check the org before sending it again.", e.user_message())
                } else {
                    e.user_message()
                }
            })
        }
    });
    let sending = call.pending();

    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        path_error.set(None);
        body_error.set(None);
        let m = method(&verb.get_untracked());
        let p = path.get_untracked();
        if let Err(e) = apex_path(&p) {
            path_error.set(Some(e.user_message()));
            return;
        }
        let text = body.get_untracked();
        let sends_body = !matches!(m, Method::Get) && !text.trim().is_empty();
        if sends_body {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
                body_error.set(Some(format!("The body is not valid JSON: {e}.")));
                return;
            }
        }
        call.clear();
        call.dispatch_local((m, p, sends_body.then_some(text)));
    };

    view! {
        <form class="ob-card ob-acc-console" aria-labelledby="ob-acc-console-title" novalidate on:submit=send>
            <h3 id="ob-acc-console-title">"Apex REST console"</h3>
            <p class="ob-muted ob-small">"Calls a custom Apex REST endpoint of the signed-in org with your session."</p>
            <div class="ob-actions">
                {EXAMPLES
                    .iter()
                    .map(|&(label, m, p, b)| view! {
                        <button
                            type="button"
                            class="ob-button ob-button-secondary"
                            on:click=move |_| {
                                verb.set(m.to_string());
                                path.set(p.to_string());
                                body.set(b.to_string());
                                path_error.set(None);
                                body_error.set(None);
                            }
                        >
                            {label}
                        </button>
                    })
                    .collect_view()}
            </div>
            <div class="ob-acc-console-line">
                <div class="ob-field">
                    <label for="ob-acc-apex-method">"Method"</label>
                    <select
                        id="ob-acc-apex-method"
                        class="ob-input"
                        prop:value=move || verb.get()
                        on:change=move |ev| verb.set(event_target_value(&ev))
                    >
                        {METHODS.iter().map(|m| view! { <option value=*m selected=*m == "POST">{*m}</option> }).collect_view()}
                    </select>
                </div>
                <div class="ob-field ob-acc-grow" class:ob-acc-field-invalid=move || path_error.with(Option::is_some)>
                    <label for="ob-acc-apex-path">"Path"</label>
                    <div class="ob-acc-prefixed">
                        <span class="ob-mono ob-muted" id="ob-acc-apex-prefix">"/services/apexrest/"</span>
                        <input
                            id="ob-acc-apex-path"
                            type="text"
                            class="ob-input ob-mono"
                            aria-describedby="ob-acc-apex-prefix ob-acc-apex-path-error"
                            aria-invalid=move || path_error.with(Option::is_some).then_some("true")
                            prop:value=move || path.get()
                            on:input=move |ev| path.set(event_target_value(&ev))
                            on:change=move |ev| path.set(event_target_value(&ev))
                        />
                    </div>
                    <p id="ob-acc-apex-path-error" class="ob-field-error">{move || path_error.get()}</p>
                </div>
            </div>
            <div class="ob-field" class:ob-acc-field-invalid=move || body_error.with(Option::is_some)>
                <label for="ob-acc-apex-body">"JSON body"</label>
                <textarea
                    id="ob-acc-apex-body"
                    class="ob-input ob-mono"
                    rows="8"
                    spellcheck="false"
                    aria-describedby="ob-acc-apex-body-error"
                    aria-invalid=move || body_error.with(Option::is_some).then_some("true")
                    prop:value=move || body.get()
                    on:input=move |ev| body.set(event_target_value(&ev))
                    on:change=move |ev| body.set(event_target_value(&ev))
                ></textarea>
                <p id="ob-acc-apex-body-error" class="ob-field-error">{move || body_error.get()}</p>
            </div>
            <div class="ob-actions">
                <button type="submit" class="ob-button" disabled=move || sending.get()>
                    {move || if unsure.get() { "Send again anyway" } else { "Send request" }}
                </button>
                <Show when=move || sending.get()><Busy label="Waiting for the org…"/></Show>
            </div>
            {move || call.value().get().map(|a| match a {
                Err(message) => view! { <ErrorAlert title="No answer from the org" message=message/> }.into_any(),
                Ok(resp) => view! { <ApexAnswer resp=resp/> }.into_any(),
            })}
        </form>
    }
}

#[component]
fn ApexAnswer(resp: HttpResponse) -> impl IntoView {
    let ok = (200..300).contains(&resp.status);
    let status = format!("Status {}", resp.status);
    view! {
        <section class="ob-acc-answer" aria-label="Response">
            <p class="ob-acc-http-status" class:ob-acc-http-error=!ok role="status">{status}</p>
            <h4>"Headers"</h4>
            <dl class="ob-acc-headers">
                {resp
                    .headers
                    .iter()
                    .map(|(k, v)| view! { <dt class="ob-mono">{k.clone()}</dt><dd class="ob-mono">{v.clone()}</dd> })
                    .collect_view()}
            </dl>
            <h4>"Body"</h4>
            <pre class="ob-acc-body ob-mono" aria-label="Response body">{pretty_body(&resp.body)}</pre>
        </section>
    }
}
