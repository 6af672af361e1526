//! The parts of the app loaded when first needed, so the first load (the sign-in form) downloads
//! only what it shows: a signed-in org's screens, the CSV import, the copy between orgs and the
//! setup guide. Each is a separate wasm file, fetched the first time it is opened, or earlier: when
//! the browser is idle after the first screen ([`preload_when_idle`]), or beside the first-load
//! wasm when the page will show it at once (assets/boot.js).
//!
//! With the `split` feature (what Trunk builds, see index.html) each function below is a split
//! point: `wasm_split_helpers` turns it into an import that `scripts/build-finish.mjs` resolves by
//! cutting the wasm into a main file and one file per part (`wasm-split-cli`). Without it (the
//! wasm tests, `cargo check`) they are plain functions, and the whole app is one file.
//!
//! The macro's glue declares `extern` imports and a static loader, hence the one `unsafe_code`
//! allowance in the app (its lint is `deny` instead of the workspace's `forbid` only for this).
#![allow(unsafe_code)]

use std::future::Future;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::reactive::computed::ScopedFuture;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

use salesforce::rest::SObjectDescribe;

use crate::auth::SignedIn;
use crate::components::alert::ErrorAlert;
use crate::components::busy::Busy;

/// A part that could not be fetched (the network dropped, the server is gone): the person is told,
/// with a way to try again; nothing else in the app is affected.
#[derive(Debug, Clone, Copy)]
pub struct NotLoaded;

#[cfg(feature = "split")]
impl From<wasm_split_helpers::SplitLoaderError> for NotLoaded {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        NotLoaded
    }
}

type Loaded = Result<AnyView, NotLoaded>;

/// Declares a part: `split` makes it a split point named `$name` with a `$preload` function;
/// otherwise a plain function (and a preload that does nothing).
macro_rules! part {
    ($(#[$doc:meta])* $name:ident, $preload:ident, fn $fun:ident($($arg:ident: $ty:ty),*) $body:block) => {
        $(#[$doc])*
        #[cfg(feature = "split")]
        #[wasm_split_helpers::wasm_split($name, fallible, preload($preload))]
        fn $fun($($arg: $ty),*) -> Loaded $body

        $(#[$doc])*
        #[cfg(not(feature = "split"))]
        async fn $fun($($arg: $ty),*) -> Loaded $body

        #[cfg(not(feature = "split"))]
        async fn $preload() -> Result<(), NotLoaded> {
            Ok(())
        }
    };
}

part! {
    /// A signed-in org's header and its Accounts screens but the CSV import: the list, records,
    /// forms, bulk edit, the Apex console and the CSV download (small beside the import, and each
    /// part more means more small shared files to fetch).
    org_screens, preload_org_screens,
    fn org_screens_view(org: Arc<SignedIn>) {
        use crate::accounts::AccountsPage;
        use crate::pages::signed_in::SignedInView;
        let who = format!("{} at {}", org.profile.username, org.profile.org);
        Ok(view! {
            <SignedInView signed_in=org.clone()/>
            <AccountsPage ctx=org.accounts look=org.look who=who/>
        }
        .into_any())
    }
}

part! {
    /// Importing accounts from a CSV file.
    import_csv, preload_import_csv,
    fn import_csv_view(describe: Arc<SObjectDescribe>) {
        Ok(view! { <crate::accounts::import::ImportScreen describe=describe/> }.into_any())
    }
}

part! {
    /// Copying accounts between two orgs.
    copy, preload_copy,
    fn copy_view() {
        Ok(view! { <crate::sync::SyncPage/> }.into_any())
    }
}

part! {
    /// The setup guide.
    setup_guide, preload_setup_guide,
    fn setup_guide_view() {
        Ok(view! { <crate::pages::setup_guide::SetupGuide/> }.into_any())
    }
}

/// A signed-in org's screens.
pub fn org_screens(org: Arc<SignedIn>) -> impl IntoView {
    show_part("the org's screens", Some("Signed in"), move || {
        org_screens_view(org.clone())
    })
}

/// The CSV import screen.
pub fn import_csv(describe: Arc<SObjectDescribe>) -> impl IntoView {
    show_part("the CSV import", None, move || {
        import_csv_view(describe.clone())
    })
}

/// The copy between orgs.
pub fn copy() -> impl IntoView {
    show_part(
        "the copy between orgs",
        Some("Copy accounts between orgs"),
        copy_view,
    )
}

/// The setup guide.
pub fn setup_guide() -> impl IntoView {
    show_part("the setup guide", Some("Setup guide"), setup_guide_view)
}

/// Fetches every part once the browser is idle after the first screen, one after another, so
/// opening one later is instant (unless the browser asks to save data); a part that fails here is
/// fetched again when opened.
pub fn preload_when_idle() {
    let start = || {
        spawn_local(async {
            let _ = preload_org_screens().await;
            let _ = preload_import_csv().await;
            let _ = preload_copy().await;
            let _ = preload_setup_guide().await;
        })
    };
    let Some(window) = web_sys::window() else {
        return;
    };
    // A person who asked the browser to save data gets each part when they open it, not before.
    let connection = js_sys::Reflect::get(&window.navigator(), &"connection".into());
    let save_data = connection
        .and_then(|c| js_sys::Reflect::get(&c, &"saveData".into()))
        .is_ok_and(|s| s.is_truthy());
    if save_data {
        return;
    }
    let callback = wasm_bindgen::closure::Closure::once_into_js(start);
    // Safari has no requestIdleCallback: a timeout after the first screen does the same there.
    let idle = js_sys::Reflect::has(&window, &"requestIdleCallback".into()).unwrap_or(false);
    if idle {
        let _ = window.request_idle_callback(callback.unchecked_ref());
    } else {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 1_000);
    }
}

/// Draws a part: a spinner while it is fetched, then the part; if it cannot be fetched, why, with
/// Try again. A part that is a whole page brings the page's one h1: `title` stands in for it
/// until the part is there.
fn show_part<F, Fut>(what: &'static str, title: Option<&'static str>, load: F) -> impl IntoView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Loaded> + 'static,
{
    let attempt = RwSignal::new(0u32);
    let load = Arc::new(load);
    let heading = move || title.map(|t| view! { <h1>{t}</h1> });
    let fallback = move || view! { {heading()} <Busy label=format!("Opening {what}…")/> };
    view! {
        <Suspense fallback=fallback>
            {move || {
                attempt.track();
                let load = load.clone();
                // Untracked: a signal the part reads while it is built must not rebuild the whole
                // part (and lose its state) when it changes. The browser runs one thread: the
                // future never moves to another, as Suspend's bound asks.
                Suspend::new(SendWrapper::new(ScopedFuture::new_untracked(async move {
                    match load().await {
                        Ok(view) => view,
                        Err(NotLoaded) => view! {
                            {heading()}
                            <ErrorAlert
                                title=format!("Could not open {what}")
                                message="This part of OrgBridge is fetched from the web server when first opened, and the fetch failed. Check the network connection, then try again; nothing you entered is lost.\n\nIf it fails again, OrgBridge may have been updated on the server since this page opened: reload the page (what you typed is kept)."
                            >
                                <button type="button" class="ob-button" on:click=move |_| attempt.update(|n| *n += 1)>
                                    "Try again"
                                </button>
                            </ErrorAlert>
                        }
                        .into_any(),
                    }
                })))
            }}
        </Suspense>
    }
}
