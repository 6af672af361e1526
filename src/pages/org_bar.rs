//! The signed-in orgs side by side: one button per org (its user, org id and host, marked when
//! its session ended) that shows its screens, and "Add an org".

use leptos::prelude::*;

use crate::auth::use_auth;

#[component]
pub fn OrgBar() -> impl IntoView {
    let auth = use_auth();
    view! {
        <nav class="ob-orgs" aria-label="Signed-in orgs">
            <ul class="ob-orgs-list">
                {move || auth.orgs.get().into_iter().map(|org| {
                    let key = org.key.clone();
                    let current = {
                        let key = key.clone();
                        move || auth.active.with(|a| a.as_deref() == Some(key.as_str()))
                    };
                    let ended = org.ended;
                    let look = org.look;
                    let sandbox = org.sandbox;
                    view! {
                        <li>
                            <button
                                type="button"
                                class=move || format!("ob-org-tab ob-org-mark {}", look.get().colour.class())
                                aria-current=move || current().then_some("page")
                                on:click=move |_| {
                                    auth.add_another(false);
                                    auth.switch_to(key.clone());
                                }
                            >
                                {move || look.with(|l| (!l.label.is_empty()).then(|| view! { <span class="ob-org-label">{l.label.clone()}</span> }))}
                                <span class="ob-org-user">{org.profile.username.clone()}</span>
                                {sandbox.then(|| view! { <span class="ob-badge ob-badge-sandbox">"Sandbox"</span> })}
                                <span class="ob-org-where ob-mono">{format!("{} · {}", org.profile.org, org.profile.host)}</span>
                                <Show when=move || ended.with(Option::is_some)>
                                    <span class="ob-org-ended">"Session ended"</span>
                                </Show>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <button
                type="button"
                class="ob-button ob-button-secondary"
                aria-expanded=move || auth.adding.get().to_string()
                on:click=move |_| auth.add_another(true)
            >
                "Add an org"
            </button>
        </nav>
    }
}
