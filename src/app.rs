//! The app's shell: auth context, header with navigation, and a hash router. Routes live in the
//! fragment (`#/setup`) because a plain static server has no fallback for deep links, and the
//! page's own path must stay fixed: it is the OAuth redirect URI.

use leptos::prelude::*;

use crate::auth::provide_auth;
use crate::pages::{home::Home, setup_guide::SetupGuide};

/// The app's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Home,
    Setup,
}

impl Route {
    /// Reads a route from `location.hash`; unknown fragments show the home page.
    pub fn from_hash(hash: &str) -> Route {
        match hash.trim_start_matches('#').trim_start_matches('/') {
            "setup" => Route::Setup,
            _ => Route::Home,
        }
    }

    pub fn href(self) -> &'static str {
        match self {
            Route::Home => "#/",
            Route::Setup => "#/setup",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Route::Home => "Home",
            Route::Setup => "Setup guide",
        }
    }
}

fn current_route() -> Route {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    Route::from_hash(&hash)
}

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    provide_auth();
    let route = RwSignal::new(current_route());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| route.set(current_route()));
    on_cleanup(move || handle.remove());

    let nav_link = move |target: Route| {
        view! {
            <li>
                <a
                    href=target.href()
                    aria-current=move || (route.get() == target).then_some("page")
                >
                    {target.title()}
                </a>
            </li>
        }
    };

    view! {
        <div class="orgbridge">
            <header class="ob-header">
                <p class="ob-brand">
                    <span class="ob-brand-mark" aria-hidden="true"></span>
                    "OrgBridge"
                </p>
                <nav aria-label="OrgBridge">
                    <ul class="ob-nav">{nav_link(Route::Home)} {nav_link(Route::Setup)}</ul>
                </nav>
            </header>
            <main class="ob-main">
                {move || match route.get() {
                    Route::Home => view! { <Home/> }.into_any(),
                    Route::Setup => view! { <SetupGuide/> }.into_any(),
                }}
            </main>
        </div>
    }
}
