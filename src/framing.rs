//! Who may frame the app: a clickjacking guard. A page on another site could show OrgBridge in an
//! invisible frame and trick a signed-in person into clicking "Delete". The web server's
//! `Content-Security-Policy: frame-ancestors` header is the real defence (a meta tag cannot set
//! it); this guard is for servers that send none: when framed by an origin that is not on the
//! `<meta name="orgbridge-frame-ancestors">` list, the app shows why and does nothing else.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// `<meta name=…>` listing the origins (space-separated, `'self'` for the app's own) that may frame
/// the app. Empty or absent: no one may.
pub const FRAME_ANCESTORS_META: &str = "orgbridge-frame-ancestors";

/// Why the app refuses to run in this frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// This ancestor's origin is not on the list (`"null"` for a sandboxed or `data:` page).
    NotAllowed(String),
    /// The browser does not say who the ancestors are (no `location.ancestorOrigins`, as in
    /// Firefox), so an allowed one cannot be told from an attacker.
    Unknown,
}

/// The first ancestor origin not in `allowed` (`'self'` standing for `own_origin`), if any.
pub fn first_disallowed<'a>(
    ancestors: &'a [String],
    allowed: &str,
    own_origin: &str,
) -> Option<&'a str> {
    let allows = |origin: &str| {
        allowed
            .split_whitespace()
            .any(|entry| entry == origin || (entry == "'self'" && origin == own_origin))
    };
    ancestors
        .iter()
        .map(String::as_str)
        .find(|origin| *origin == "null" || !allows(origin))
}

/// Whether this page may run here: `Ok` when not framed or when every ancestor is allowed.
pub fn check() -> Result<(), Refusal> {
    if !crate::auth::popup::is_framed() {
        return Ok(());
    }
    let Some(ancestors) = ancestor_origins() else {
        return Err(Refusal::Unknown);
    };
    let allowed = crate::settings::meta_content(FRAME_ANCESTORS_META).unwrap_or_default();
    match first_disallowed(&ancestors, &allowed, &crate::settings::page_origin()) {
        Some(origin) => Err(Refusal::NotAllowed(origin.to_owned())),
        None if ancestors.is_empty() => Err(Refusal::Unknown),
        None => Ok(()),
    }
}

/// `location.ancestorOrigins`, parent first; `None` where the browser has no such list. Read by
/// reflection: web-sys's `DomStringList` binding is not among the features this crate enables.
fn ancestor_origins() -> Option<Vec<String>> {
    let location = web_sys::window()?.location();
    let list = js_sys::Reflect::get(&location, &JsValue::from_str("ancestorOrigins")).ok()?;
    if list.is_undefined() || list.is_null() {
        return None;
    }
    // A DOMStringList is array-like (length + indexed strings).
    let items = js_sys::Array::from(&list);
    Some(items.iter().filter_map(|v| v.as_string()).collect())
}

/// Shows `refusal` in the page (in the host element or the body) instead of the app.
pub fn show(refusal: Refusal, host: Option<web_sys::HtmlElement>) {
    let view = move || view! { <FrameRefused refusal=refusal.clone()/> };
    match host {
        Some(host) => leptos::mount::mount_to(host, view).forget(),
        None => leptos::mount::mount_to_body(view),
    }
}

#[component]
fn FrameRefused(refusal: Refusal) -> impl IntoView {
    let (what, origin) = match &refusal {
        Refusal::NotAllowed(origin) if origin == "null" => (
            "a page without an origin (a sandboxed frame or a data: page) frames it".to_owned(),
            None,
        ),
        Refusal::NotAllowed(origin) => (format!("{origin} frames it"), Some(origin.clone())),
        Refusal::Unknown => (
            "this browser does not say which site frames it".to_owned(),
            None,
        ),
    };
    let fix = match origin {
        Some(origin) => format!(
            "If {origin} is your own site, an admin adds {origin} to the {FRAME_ANCESTORS_META} meta tag in OrgBridge's index.html and to the Content-Security-Policy frame-ancestors header its web server sends."
        ),
        None => "Open OrgBridge in its own tab instead.".to_owned(),
    };
    view! {
        <div class="orgbridge">
            <main class="ob-main">
                <div class="ob-card ob-frame-refused" role="alert" aria-labelledby="ob-frame-refused-title">
                    <h1 id="ob-frame-refused-title">"OrgBridge will not run inside this frame"</h1>
                    <p>{format!("It stopped before signing in or using any session because {what}, and only the sites its admin allows may show it in a frame: another site could otherwise trick you into clicking its buttons.")}</p>
                    <p>{fix}</p>
                </div>
            </main>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::first_disallowed;
    use wasm_bindgen_test::wasm_bindgen_test as test;
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    fn origins(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_ancestor_must_be_listed() {
        let own = "https://apps.example.com";
        let intranet = "https://intranet.example.com";
        let both = origins(&[intranet, "https://portal.example.com"]);
        assert_eq!(first_disallowed(&origins(&[intranet]), intranet, own), None);
        assert_eq!(
            first_disallowed(&both, intranet, own),
            Some("https://portal.example.com")
        );
        assert_eq!(
            first_disallowed(
                &both,
                &format!("{intranet}  https://portal.example.com"),
                own
            ),
            None
        );
        // Nothing listed: no one may frame, not even the app's own origin.
        assert_eq!(first_disallowed(&origins(&[own]), "", own), Some(own));
        assert_eq!(first_disallowed(&origins(&[own]), "'self'", own), None);
        // An opaque origin never matches, whatever the list says.
        assert_eq!(
            first_disallowed(&origins(&["null"]), "null 'self'", own),
            Some("null")
        );
        // Exact origins only: no prefixes, no other ports or schemes.
        for other in [
            "https://intranet.example.com.evil.example",
            "http://intranet.example.com",
            "https://intranet.example.com:8443",
        ] {
            assert_eq!(
                first_disallowed(&origins(&[other]), intranet, own),
                Some(other)
            );
        }
    }
}
