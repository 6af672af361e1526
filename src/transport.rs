//! The browser's side of the client crate's one HTTP seam: [`salesforce::transport::Transport`]
//! implemented with `fetch` (gloo-net).

use gloo_net::http::{Method as FetchMethod, RequestBuilder};
use salesforce::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};
use web_sys::{RequestCredentials, RequestMode};

/// Sends requests with the browser's `fetch`, as cross-origin (CORS) requests without cookies.
#[derive(Debug, Clone, Copy, Default)]
pub struct FetchTransport;

fn fetch_method(method: Method) -> FetchMethod {
    match method {
        Method::Get => FetchMethod::GET,
        Method::Post => FetchMethod::POST,
        Method::Put => FetchMethod::PUT,
        Method::Patch => FetchMethod::PATCH,
        Method::Delete => FetchMethod::DELETE,
        Method::Head => FetchMethod::HEAD,
    }
}

impl Transport for FetchTransport {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        // The path only: the query may hold a SOQL search or a token and is never echoed back.
        let shown_url = without_query(&req.url);
        let mut builder = RequestBuilder::new(&req.url)
            .method(fetch_method(req.method))
            .mode(RequestMode::Cors)
            // Bearer tokens authenticate every call; the org's cookies must never ride along.
            .credentials(RequestCredentials::Omit);
        for (name, value) in &req.headers {
            builder = builder.header(name, value);
        }
        let request = match req.body {
            Some(body) => builder.body(body),
            None => builder.build(),
        }
        .map_err(|e| TransportError::new(&shown_url, e.to_string()))?;
        // fetch rejects (no status at all) for an unreachable host and for a CORS refusal alike;
        // the client crate's setup check tells the two apart.
        let response = request
            .send()
            .await
            .map_err(|e| TransportError::new(&shown_url, e.to_string()))?;
        let headers = response.headers().entries().collect();
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| TransportError::new(&shown_url, e.to_string()))?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// A URL without its query and fragment, for messages.
fn without_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or(url).to_string()
}

/// Whether anything answers at `url`, CORS or not: a `no-cors` request resolves with an opaque
/// response when the host answered and fails only when nothing did. This is how the app tells an
/// unreachable org from one that blocks this page's origin (both look alike to a CORS request).
pub async fn host_reachable(url: &str) -> bool {
    let Ok(request) = RequestBuilder::new(url)
        .method(FetchMethod::GET)
        .mode(RequestMode::NoCors)
        .credentials(RequestCredentials::Omit)
        .build()
    else {
        return false;
    };
    request.send().await.is_ok()
}

/// Waits `ms` milliseconds (a pause before a retry or the next poll) without blocking the page.
pub async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
