//! Files handed to the person, made in the page: nothing leaves the browser. A large file is
//! kept as pieces, each its own Blob as soon as it is made, so its bytes leave wasm memory at
//! once and the browser (which pages big blobs to disk) holds the file, never one string.

use wasm_bindgen::{JsCast, JsValue};

/// A file being made, piece by piece.
pub struct FileParts {
    parts: js_sys::Array,
    bytes: u64,
}

impl FileParts {
    pub fn new() -> FileParts {
        FileParts {
            parts: js_sys::Array::new(),
            bytes: 0,
        }
    }

    /// Adds the next bytes of the file.
    pub fn push(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let array = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        if let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence(&array) {
            self.parts.push(&blob);
            self.bytes += bytes.len() as u64;
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Offers the file as a download named `name`.
    pub fn save(self, name: &str, mime: &str) {
        save(name, &self.parts, mime);
    }
}

impl Default for FileParts {
    fn default() -> Self {
        FileParts::new()
    }
}

/// Offers `text` as a CSV download.
pub fn save_csv_text(name: &str, text: &str) {
    save(
        name,
        &js_sys::Array::of1(&JsValue::from_str(text)),
        "text/csv;charset=utf-8",
    );
}

/// Offers `parts` as a file download (a Blob URL, revoked once clicked).
fn save(name: &str, parts: &js_sys::Array, mime: &str) {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_blob_sequence_and_options(parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let link = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(a) = link {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
