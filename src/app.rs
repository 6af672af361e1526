//! The app's shell: auth context, header with navigation, and a hash router. Routes live in the
//! fragment (`#/setup`, `#/org/<org>/<user>/accounts/<id>`; see `orgbridge_model::route`) because
//! a plain static server has no fallback for deep links, and the page's own path must stay fixed:
//! it is the OAuth redirect URI.

use leptos::prelude::*;
pub use orgbridge_model::route::Route;

use crate::auth::provide_auth;
use crate::pages::home::Home;
use crate::parts;

/// The route the address bar shows, as context: pages follow it, and the Accounts screens write
/// theirs into it (see [`show_route`]).
#[derive(Debug, Clone, Copy)]
pub struct CurrentRoute(pub RwSignal<Route>);

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Puts `route` in the address bar, unless it is there already: as a new history entry (so Back
/// returns to the one before), or, with `replace`, in place of the current one (a page that
/// opens on a screen should not need two Backs to leave).
pub fn show_route(current: CurrentRoute, route: &Route, replace: bool) {
    let href = route.href();
    if location_hash() == href {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    if replace {
        // No hashchange event for a replaced entry: the route signal is told here.
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href));
        }
        current.0.set(route.clone());
    } else {
        let _ = window.location().set_hash(&href);
    }
}

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    provide_auth();
    let route = RwSignal::new(Route::parse(&location_hash()));
    provide_context(CurrentRoute(route));
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        let now = Route::parse(&location_hash());
        if route.get_untracked() != now {
            route.set(now);
        }
    });
    on_cleanup(move || handle.remove());
    // A memo: the page is rebuilt only when it changes, not at every Accounts screen's route.
    let page = Memo::new(move |_| {
        route.with(|r| match r {
            Route::Setup | Route::Sync => r.clone(),
            _ => Route::Home,
        })
    });

    let nav_link = move |target: Route, title: &'static str| {
        let current = {
            let target = target.clone();
            move || (page.get() == target).then_some("page")
        };
        view! {
            <li>
                <a href=target.href() aria-current=current>
                    {title}
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
                    <ul class="ob-nav">
                        {nav_link(Route::Home, "Home")}
                        {nav_link(Route::Sync, "Copy accounts")}
                        {nav_link(Route::Setup, "Setup guide")}
                    </ul>
                </nav>
            </header>
            <main class="ob-main">
                {move || match page.get() {
                    Route::Setup => parts::setup_guide().into_any(),
                    Route::Sync => parts::copy().into_any(),
                    _ => view! { <Home/> }.into_any(),
                }}
            </main>
        </div>
    }
}
