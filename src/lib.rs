//! OrgBridge web app: a Leptos (CSR) front end over the `salesforce` client crate. This crate holds
//! only browser glue (fetch transport, storage, the OAuth redirect/popup dance) and the UI.
//! It exists only for wasm32 (natively the package is empty; see Cargo.toml).
#![cfg(target_arch = "wasm32")]

pub mod accounts;
pub mod app;
pub mod auth;
pub mod components;
pub mod download;
pub mod drafts;
pub mod error;
pub mod framing;
pub mod indexed;
pub mod locale;
pub mod org_look;
pub mod pages;
pub mod parts;
pub mod settings;
pub mod storage;
pub mod sync;
pub mod transport;

// Leptos' `erase_components` (.cargo/config.toml) makes the wasm ~10% smaller; a RUSTFLAGS variable
// in the environment silently replaces that setting, so a build without it stops here (rustdoc
// never gets rustflags, and builds no wasm).
#[cfg(not(any(erase_components, doc, doctest)))]
compile_error!(
    "built without `--cfg erase_components`: a RUSTFLAGS variable replaces .cargo/config.toml's \
     rustflags; unset it, or add `--cfg erase_components` to it (scripts/setup does)"
);

use wasm_bindgen::JsCast;

/// The id of the host element the app mounts into when a page provides one.
pub const MOUNT_ID: &str = "orgbridge";

/// Starts the app: a sign-in popup's callback page hands its result to the opener and closes;
/// a page framed by a site not on the allowlist shows why and stops ([`framing`]); otherwise the
/// app mounts into `<div id="orgbridge">` when the page has one, else into `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    // The pop-up is a top-level window (never framed) and only relays to its own origin.
    if auth::popup::relay_callback_to_opener() {
        return;
    }
    let host = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(MOUNT_ID))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    // Before anything reads the session or shows a button a framing site could trick a click on.
    if let Err(refusal) = framing::check() {
        framing::show(refusal, host);
        return;
    }
    match host {
        Some(host) => leptos::mount::mount_to(host, app::App).forget(),
        None => leptos::mount::mount_to_body(app::App),
    }
    // The first screen is up: fetch the other parts while nothing else happens.
    parts::preload_when_idle();
}
