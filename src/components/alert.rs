//! An error message a person can act on: announced to screen readers (role="alert"), with a title,
//! the explanation, and room for the way out (a "Start again" button, a link).

use leptos::prelude::*;

#[component]
pub fn ErrorAlert(
    /// Short title ("Sign-in failed").
    #[prop(into)]
    title: String,
    /// What happened and what to do.
    #[prop(into)]
    message: String,
    /// Actions offered below the message.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="ob-alert" role="alert">
            <p class="ob-alert-title">{title}</p>
            {message.split("\n\n").map(|p| view! { <p>{p.to_owned()}</p> }).collect_view()}
            {children.map(|c| view! { <div class="ob-actions">{c()}</div> })}
        </div>
    }
}

/// A calm confirmation (role="status"), e.g. "You signed out."
#[component]
pub fn StatusNote(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <p class="ob-status" role="status">
            {message}
        </p>
    }
}
