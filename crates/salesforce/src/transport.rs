//! The one HTTP seam: requests and responses as plain data, sent by a [`Transport`] the caller provides
//! (gloo-net in the browser, reqwest in native tests). Keeping HTTP out of this crate is what lets it
//! build for wasm32 and be tested natively.

use std::fmt;
use std::future::Future;

/// HTTP methods the Salesforce APIs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

impl Method {
    /// The method's name as sent on the wire (`"GET"`, `"PATCH"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }

    /// Parses a method name, case-insensitively (for the Apex REST console).
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name.trim().to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            "HEAD" => Method::Head,
            _ => return None,
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One HTTP request, fully described as data: the transport only has to send it.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Header names as Salesforce documents them (`Authorization`, `Content-Type`, …).
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl HttpRequest {
    /// A request with no headers and no body.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        HttpRequest {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Sets a JSON body and its content type.
    pub fn json(mut self, body: &serde_json::Value) -> Self {
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self.body = Some(body.to_string());
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body from pairs.
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.headers.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        self.body = Some(body);
        self
    }

    /// The value of a header, matched case-insensitively.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The URL's path (for error messages: never the query, which may hold user data).
    pub fn path(&self) -> String {
        url::Url::parse(&self.url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| self.url.clone())
    }
}

// Requests carry bearer tokens, codes, verifiers and refresh tokens: Debug shows none of them.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                if k.eq_ignore_ascii_case("authorization") {
                    (k.as_str(), "[redacted]")
                } else {
                    (k.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.path())
            .field("headers", &headers)
            .field(
                "body",
                &self.body.as_ref().map(|b| format!("[{} bytes]", b.len())),
            )
            .finish()
    }
}

/// One HTTP response, as data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// The value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// True for 2xx statuses.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The request never got an HTTP answer: DNS failure, refused connection, TLS error, timeout — and, in a
/// browser, a CORS block, which `fetch` reports as the same opaque network error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no answer from {url}: {detail}")]
pub struct TransportError {
    /// The URL that was requested (scheme, host and path; never shown with its query).
    pub url: String,
    /// What the transport said, for the details pane.
    pub detail: String,
}

impl TransportError {
    /// Builds an error for `url` with the transport's own description.
    pub fn new(url: impl Into<String>, detail: impl Into<String>) -> Self {
        TransportError {
            url: url.into(),
            detail: detail.into(),
        }
    }
}

/// Sends [`HttpRequest`]s. No `Send` bound: in the browser everything runs on one thread.
///
/// ```
/// use salesforce::transport::{HttpRequest, HttpResponse, Transport, TransportError};
/// struct Canned;
/// impl Transport for Canned {
///     async fn send(&self, _req: HttpRequest) -> Result<HttpResponse, TransportError> {
///         Ok(HttpResponse { status: 200, headers: vec![], body: "[]".into() })
///     }
/// }
/// ```
pub trait Transport {
    /// Sends one request and returns whatever HTTP answer came back (any status), or a
    /// [`TransportError`] when there was none.
    fn send(&self, req: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>>;
}

impl<T: Transport + ?Sized> Transport for &T {
    fn send(&self, req: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> {
        (**self).send(req)
    }
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn send(&self, req: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> {
        (**self).send(req)
    }
}
