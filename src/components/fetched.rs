//! The one way a screen shows what it reads from an org: a `LocalResource` of
//! `Result<T, AppError>`, drawn as a spinner while it loads, the error in words with **Try again**
//! (which reads it again), then the content.
//!
//! Writes go through Leptos `Action`s (`Action::new_local`): `pending()` disables the button that
//! sent one and shows [`Busy`], so a second click never sends it twice. The account list is the
//! one read that is neither: it pages in 100,000 rows with a way to resume, in `accounts::loader`,
//! and says when nothing matched in its own status line.

use leptos::prelude::*;

use crate::components::alert::ErrorAlert;
use crate::components::busy::Busy;
use crate::error::AppError;

/// What a [`fetched`] view says while it loads and when it fails.
#[derive(Clone, Copy)]
pub struct Words {
    /// "Loading the account…"
    pub loading: &'static str,
    /// "Could not load the account"
    pub failed: &'static str,
}

/// Draws `resource`: loading, failed (with Try again), or `show(value)`.
pub fn fetched<T, V>(
    resource: LocalResource<Result<T, AppError>>,
    words: Words,
    show: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
{
    move || match resource.get() {
        None => view! { <Busy label=words.loading/> }.into_any(),
        Some(Err(e)) => view! {
            <ErrorAlert title=words.failed message=e>
                <button type="button" class="ob-button" on:click=move |_| resource.refetch()>
                    "Try again"
                </button>
            </ErrorAlert>
        }
        .into_any(),
        // Built untracked: the content's own signals must not redraw it (and lose what was typed)
        // each time they change; only a new answer does.
        Some(Ok(value)) => untrack(|| show(value)).into_any(),
    }
}
