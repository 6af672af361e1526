//! Signing in from inside an `<iframe>`: Salesforce's login page refuses to be framed, so the
//! framed app opens it in a pop-up window. The org sends the pop-up back to this app's page; that
//! page (recognised by its window name) hands the callback's query to its opener with
//! `postMessage` restricted to this origin, and closes. The framed app — which holds the pending
//! login and its verifier — checks the state and exchanges the code itself.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::AppError;
use crate::settings::page_origin;

/// The pop-up's window name: it survives the trip through the org's pages and tells the callback
/// page it runs in our pop-up.
pub const POPUP_NAME: &str = "orgbridge-signin";

/// The message the pop-up sends its opener.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackMessage {
    /// Always [`CallbackMessage::KIND`], so other messages on the window are ignored.
    pub kind: String,
    /// The callback page's query string (`?code=…&state=…` or `?error=…`).
    pub query: String,
}

impl CallbackMessage {
    pub const KIND: &'static str = "orgbridge-callback";

    pub fn new(query: impl Into<String>) -> Self {
        CallbackMessage {
            kind: Self::KIND.into(),
            query: query.into(),
        }
    }

    /// Reads a message's data; anything else posted to the window gives `None`.
    pub fn from_data(data: &str) -> Option<CallbackMessage> {
        serde_json::from_str::<CallbackMessage>(data)
            .ok()
            .filter(|m| m.kind == Self::KIND)
    }
}

thread_local! {
    static POPUP: RefCell<Option<web_sys::Window>> = const { RefCell::new(None) };
}

/// True when the app runs inside a frame (`window.top !== window`).
pub fn is_framed() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    match window.top() {
        Ok(Some(top)) => !js_sys::Object::is(&top, &window),
        // No access to the top window at all: certainly framed.
        _ => true,
    }
}

/// Opens the org's login page in the pop-up window.
pub fn open(url: &str) -> Result<(), AppError> {
    let window = web_sys::window().ok_or_else(|| AppError::Browser("No browser window.".into()))?;
    let popup = window
        .open_with_url_and_target_and_features(url, POPUP_NAME, "popup,width=520,height=720")
        .ok()
        .flatten()
        .ok_or_else(|| {
            AppError::Browser(
                "The browser blocked the sign-in window. Allow pop-ups for this page, then start again."
                    .into(),
            )
        })?;
    let _ = popup.focus();
    POPUP.with(|p| *p.borrow_mut() = Some(popup));
    Ok(())
}

/// Closes the pop-up window if it is still open (the user chose "Cancel").
pub fn close() {
    if let Some(popup) = POPUP.with(|p| p.borrow_mut().take()) {
        let _ = popup.close();
    }
}

/// Listens for the pop-up's callback message. Only messages from this app's own origin, sent by
/// the pop-up this page opened, are accepted: anything else could be a forged sign-in.
pub fn listen(on_callback: impl Fn(String) + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let origin = page_origin();
    let handler =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if event.origin() != origin {
                return;
            }
            let from_our_popup = POPUP.with(|p| match (&*p.borrow(), event.source()) {
                (Some(popup), Some(source)) => js_sys::Object::is(popup, &source),
                _ => false,
            });
            if !from_our_popup {
                return;
            }
            let Some(message) = event
                .data()
                .as_string()
                .and_then(|d| CallbackMessage::from_data(&d))
            else {
                return;
            };
            POPUP.with(|p| p.borrow_mut().take());
            on_callback(message.query);
        });
    let _ = window.add_event_listener_with_callback("message", handler.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    handler.forget();
}

/// In the pop-up on its return from the org: hands the callback to the opener and closes.
/// Returns true when this page was such a pop-up (and so must not start the app).
pub fn relay_callback_to_opener() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    if window.name().ok().as_deref() != Some(POPUP_NAME) {
        return false;
    }
    let search = window.location().search().unwrap_or_default();
    if !search.contains("code=") && !search.contains("error=") {
        return false;
    }
    let opener = window
        .opener()
        .ok()
        .filter(|o| !o.is_null() && !o.is_undefined());
    super::flow::scrub_address_bar();
    let document = window.document();
    let say = |text: &str| {
        if let Some(body) = document.as_ref().and_then(|d| d.body()) {
            body.set_text_content(Some(text));
        }
    };
    // Another window's proxy fails `instanceof Window` in this realm, hence the unchecked cast;
    // `postMessage` is callable on any window proxy.
    let Some(opener) = opener.map(|o| o.unchecked_into::<web_sys::Window>()) else {
        say("Sign-in finished, but the window that started it is gone. Close this window and start again from OrgBridge.");
        return true;
    };
    let message = serde_json::to_string(&CallbackMessage::new(search)).unwrap_or_default();
    // Target origin = our own: the code goes to no other site even if the opener navigated away.
    if opener
        .post_message(&JsValue::from_str(&message), &page_origin())
        .is_err()
    {
        say(
            "Sign-in finished, but OrgBridge could not be told. Close this window and start again.",
        );
        return true;
    }
    say("Sign-in finished. You can close this window.");
    let _ = window.close();
    true
}
