//! A link that opens one account in the Accounts screens.

use leptos::prelude::*;

use crate::accounts::context::{use_accounts, Screen};
use crate::app::Route;
use salesforce::types::RecordId;

/// A link that opens one account in this app.
#[component]
pub fn AccountLink(id: RecordId, #[prop(into)] text: String) -> impl IntoView {
    let ctx = use_accounts();
    let target = id.clone();
    view! {
        <a
            href=Route::account_href(&ctx.org_key(), &id)
            on:click=move |ev| {
                ev.prevent_default();
                ctx.go(Screen::View(target.clone()));
            }
        >
            {text}
        </a>
    }
}
