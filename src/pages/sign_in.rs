//! The sign-in screen: pick the org, give the consumer key, and go to the org's login page.

use leptos::prelude::*;

use crate::auth::{use_auth, SignInRequest};
use crate::components::alert::ErrorAlert;
use crate::settings::{devorg_choice, normalize_url, DevorgChoice, OrgKind, Prefs};

/// Why a field cannot be used yet, shown beside it.
fn check_my_domain(url: &str) -> Option<String> {
    if url.trim().is_empty() {
        return Some(
            "Enter your org's My Domain URL, for example https://mycompany.my.salesforce.com."
                .into(),
        );
    }
    salesforce::types::InstanceUrl::parse(&normalize_url(url))
        .err()
        .map(|e| e.user_message())
}

fn check_consumer_key(key: &str) -> Option<String> {
    key.trim().is_empty().then(|| {
        "Enter the Consumer Key of the org's External Client App (see the Setup guide).".into()
    })
}

/// Where "Sign in" sends the person, in words: the host, so a link with a swapped org is visible
/// before anyone types a password.
fn sign_in_target(kind: OrgKind, my_domain: &str, devorg_url: &str) -> String {
    let url = match kind {
        OrgKind::Devorg => devorg_url.to_owned(),
        OrgKind::MyDomain => normalize_url(my_domain),
        OrgKind::Production => crate::settings::PRODUCTION_URL.to_owned(),
        OrgKind::Sandbox => crate::settings::SANDBOX_URL.to_owned(),
    };
    match salesforce::types::InstanceUrl::parse(&url) {
        Ok(url) => format!("Sign in opens {}", url.host()),
        Err(_) => "Sign in opens your org's My Domain host once you enter it.".into(),
    }
}

/// Each devorg address that was not used, and what is used instead.
fn refused_devorg_message(choice: &DevorgChoice) -> Option<String> {
    let lines: Vec<String> = choice
        .refused
        .iter()
        .map(|r| {
            format!(
                "“{}” ({}) was not used: {}.",
                r.given,
                r.source.describe(),
                r.reason
            )
        })
        .collect();
    (!lines.is_empty()).then(|| {
        format!(
            "{}\n\nLocal devorg uses {} instead.",
            lines.join("\n\n"),
            choice.url
        )
    })
}

#[component]
pub fn SignInForm() -> impl IntoView {
    let auth = use_auth();
    let prefs = StoredValue::new(Prefs::load());
    let initial = prefs.with_value(|p| p.kind);
    let kind = RwSignal::new(initial);
    let my_domain = RwSignal::new(prefs.with_value(|p| p.my_domain_url.clone()));
    let consumer_key = RwSignal::new(prefs.with_value(|p| p.consumer_key(initial)));
    let tried = RwSignal::new(false);
    let devorg = devorg_choice();
    let refused = refused_devorg_message(&devorg);
    let devorgs = devorg.all();
    // Which devorg, when there are several (a source and a target org under scripts/dev).
    let devorg_url = RwSignal::new(devorg.url.clone());
    let target = move || sign_in_target(kind.get(), &my_domain.get(), &devorg_url.get());

    // Switching org prefills the consumer key last used with it.
    let choose = move |k: OrgKind| {
        kind.set(k);
        tried.set(false);
        consumer_key.set(prefs.with_value(|p| {
            let mut p = p.clone();
            p.my_domain_url = my_domain.get_untracked();
            p.consumer_key(k)
        }));
    };

    let my_domain_error = move || {
        (tried.get() && kind.get() == OrgKind::MyDomain)
            .then(|| check_my_domain(&my_domain.get()))
            .flatten()
    };
    let key_error = move || {
        tried
            .get()
            .then(|| check_consumer_key(&consumer_key.get()))
            .flatten()
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if my_domain_error().is_some() || key_error().is_some() {
            return;
        }
        let k = kind.get_untracked();
        let mut p = prefs.get_value();
        p.my_domain_url = normalize_url(&my_domain.get_untracked());
        let login_url = match k {
            OrgKind::Devorg => devorg_url.get_untracked(),
            _ => p.login_url(k),
        };
        let key = consumer_key.get_untracked().trim().to_owned();
        p.remember(k, &login_url, &key);
        p.save();
        prefs.set_value(p);
        auth.sign_in(SignInRequest {
            login_url,
            consumer_key: key,
        });
    };

    let note = move |k: OrgKind| -> Option<String> {
        match k {
            OrgKind::Devorg => Some(devorg_url.get()),
            OrgKind::MyDomain => Some("Your org's own login address, e.g. https://mycompany.my.salesforce.com.".into()),
            OrgKind::Production | OrgKind::Sandbox => Some(format!(
                "{} — finishing sign-in from a browser needs your org's My Domain host (this host sends no CORS headers): prefer “My Domain URL”.",
                if k == OrgKind::Production { "login.salesforce.com" } else { "test.salesforce.com" }
            )),
        }
    };

    view! {
        <form class="ob-card" on:submit=submit novalidate=true>
            <h1>"Sign in to a Salesforce org"</h1>
            {refused
                .map(|message| {
                    view! { <ErrorAlert title="A devorg address was refused" message=message/> }
                })}
            <fieldset>
                <legend>"Org"</legend>
                <div class="ob-choices">
                    {OrgKind::ALL
                        .into_iter()
                        .map(|k| {
                            let id = format!("ob-org-{}", k.id());
                            let note_id = format!("{id}-note");
                            // Named by its label alone; the note (an address, a caveat) is its
                            // description, so the choice reads "Local devorg" to a screen reader.
                            let label_id = format!("{id}-label");
                            view! {
                                <label class="ob-choice" for=id.clone()>
                                    <input
                                        type="radio"
                                        name="ob-org"
                                        id=id.clone()
                                        value=k.id()
                                        prop:checked=move || kind.get() == k
                                        on:change=move |_| choose(k)
                                        aria-labelledby=label_id.clone()
                                        aria-describedby=note_id.clone()
                                    />
                                    <span class="ob-choice-label" id=label_id>
                                        {k.label()}
                                    </span>
                                    <span class="ob-choice-note" id=note_id>
                                        {note(k)}
                                    </span>
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
            {(devorgs.len() > 1).then(|| {
                let devorgs = devorgs.clone();
                view! {
                    <Show when=move || kind.get() == OrgKind::Devorg>
                        <div class="ob-field">
                            <label for="ob-devorg-pick">"Which devorg"</label>
                            <select
                                id="ob-devorg-pick"
                                class="ob-input"
                                prop:value=move || devorg_url.get()
                                on:change=move |ev| devorg_url.set(event_target_value(&ev))
                            >
                                {devorgs.iter().map(|u| view! { <option value=u.clone()>{u.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                    </Show>
                }
            })}
            <Show when=move || kind.get() == OrgKind::MyDomain>
                <div class="ob-field">
                    <label for="ob-my-domain">"My Domain URL"</label>
                    <input
                        type="url"
                        id="ob-my-domain"
                        autocomplete="url"
                        placeholder="https://mycompany.my.salesforce.com"
                        bind:value=my_domain
                        aria-invalid=move || my_domain_error().is_some().to_string()
                        aria-describedby="ob-my-domain-error"
                    />
                    <span class="ob-field-error" id="ob-my-domain-error">
                        {my_domain_error}
                    </span>
                </div>
            </Show>
            <div class="ob-field">
                <label for="ob-consumer-key">"Consumer key"</label>
                <input
                    type="text"
                    id="ob-consumer-key"
                    autocomplete="off"
                    spellcheck="false"
                    bind:value=consumer_key
                    aria-invalid=move || key_error().is_some().to_string()
                    aria-describedby="ob-consumer-key-hint ob-consumer-key-error"
                />
                <span class="ob-hint" id="ob-consumer-key-hint">
                    "From the org's External Client App (OAuth settings). It is not a secret."
                </span>
                <span class="ob-field-error" id="ob-consumer-key-error">
                    {key_error}
                </span>
            </div>
            <div class="ob-actions">
                <button type="submit" class="ob-button" aria-describedby="ob-sign-in-target">
                    "Sign in"
                </button>
                <span class="ob-small ob-muted" id="ob-sign-in-target" aria-live="polite">
                    {target}
                </span>
                <a href="#/setup" class="ob-small">
                    "What does the org need? See the setup guide"
                </a>
            </div>
        </form>
    }
}
