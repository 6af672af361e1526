//! Which `Host` a request over a socket may name. A DNS-rebinding page (`evil.example` resolving to
//! 127.0.0.1) reaches the org's port from the browser under its own name, and its requests are then
//! same-origin to it: without this check it could read the org. So only the names a person uses for
//! this org are served: `127.0.0.1`, `localhost`, `[::1]`, the configured and bound addresses and the
//! address the connection arrived at, each with the org's port. Anything else gets a plain 421
//! before the request touches the org (no API count, no fault, no state).
//! In-process `oneshot` tests have no socket and are not checked: `server.rs` applies this.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::http::uri::Authority;
use axum::http::{header, Request, StatusCode};
use axum::response::{IntoResponse, Response};

/// The host names (lowercase, IPv6 in brackets) one listening org answers to, and its port.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    names: Vec<String>,
    port: u16,
    /// The port a `Host` without one means: 80, or 443 with TLS.
    default_port: u16,
}

/// How `Host` writes an IP address.
fn host_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

impl AllowedHosts {
    /// The loopback names plus `configured` (as `--addr` said) and `bound` (what the listener got).
    pub fn new(configured: SocketAddr, bound: SocketAddr, tls: bool) -> Self {
        let mut names: Vec<String> = ["127.0.0.1", "localhost", "[::1]"]
            .into_iter()
            .map(String::from)
            .collect();
        for ip in [configured.ip(), bound.ip()] {
            // An unspecified address (0.0.0.0, ::) is no name; the connection's own address is
            // checked per request instead.
            if !ip.is_unspecified() {
                names.push(host_name(ip));
            }
        }
        names.dedup();
        AllowedHosts {
            names,
            port: bound.port(),
            default_port: if tls { 443 } else { 80 },
        }
    }

    /// Whether `authority` (a `Host` value or an absolute target's authority) names this org, for
    /// a connection that arrived at `local`.
    pub fn allows(&self, authority: &str, local: SocketAddr) -> bool {
        let Ok(authority) = authority.parse::<Authority>() else {
            return false;
        };
        // `user@host` is not a Host header value.
        if authority.as_str().contains('@') {
            return false;
        }
        let port = authority.port_u16().unwrap_or(self.default_port);
        let host = authority.host().to_ascii_lowercase();
        port == self.port && (self.names.contains(&host) || host == host_name(local.ip()))
    }

    /// `None` when `req` may be served; otherwise the plain-text refusal to send instead.
    pub fn refusal<B>(&self, req: &Request<B>, local: SocketAddr) -> Option<Response> {
        // An absolute-form target (`GET http://host/…`) names the host; otherwise `Host` does.
        let named = match req.uri().authority() {
            Some(authority) => Some(authority.as_str()),
            None => req
                .headers()
                .get(header::HOST)
                .and_then(|v| v.to_str().ok()),
        };
        match named {
            None => Some(refuse(
                StatusCode::BAD_REQUEST,
                "devorg: the request names no host (HTTP/1.1 requires a Host header)\n".into(),
            )),
            Some(host) if !self.allows(host, local) => Some(refuse(
                StatusCode::MISDIRECTED_REQUEST,
                format!(
                    "devorg only answers requests for 127.0.0.1:{port}, localhost:{port} or \
                     [::1]:{port}, not {host} (a web page reaching this port under another name \
                     must not read the org)\n",
                    port = self.port
                ),
            )),
            Some(_) => None,
        }
    }
}

fn refuse(status: StatusCode, message: String) -> Response {
    let mut resp = (status, Body::from(message)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> AllowedHosts {
        AllowedHosts::new(
            "127.0.0.1:0".parse().unwrap(),
            "127.0.0.1:8787".parse().unwrap(),
            false,
        )
    }

    #[test]
    fn loopback_names_with_the_orgs_port_only() {
        let local: SocketAddr = "127.0.0.1:8787".parse().unwrap();
        let h = hosts();
        for ok in [
            "127.0.0.1:8787",
            "localhost:8787",
            "LOCALHOST:8787",
            "[::1]:8787",
        ] {
            assert!(h.allows(ok, local), "{ok}");
        }
        for bad in [
            "evil.example:8787",
            "localhost.evil.example:8787",
            "localhost:8788",
            "localhost",
            "user@localhost:8787",
            "",
            "[::1",
        ] {
            assert!(!h.allows(bad, local), "{bad}");
        }
    }

    #[test]
    fn the_default_port_may_be_left_out_and_any_bound_address_is_named() {
        let h = AllowedHosts::new(
            "0.0.0.0:443".parse().unwrap(),
            "0.0.0.0:443".parse().unwrap(),
            true,
        );
        let lan: SocketAddr = "192.168.1.5:443".parse().unwrap();
        assert!(h.allows("localhost", lan));
        assert!(h.allows("192.168.1.5", lan));
        assert!(!h.allows("0.0.0.0:443", lan));
        assert!(!h.allows("192.168.1.6:443", lan));
    }
}
