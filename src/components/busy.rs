//! A loading state: a spinner with the words of what is happening, announced politely.

use leptos::prelude::*;

#[component]
pub fn Busy(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <div class="ob-busy" role="status" aria-live="polite">
            <span class="ob-spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </div>
    }
}
