//! Serving the org on a TCP port, in-process (tests) or from `main`. Connections are served one by
//! one with hyper so that an injected "dropped connection" fault can close a socket without any
//! HTTP response (`faults::ConnectionKill`), and each request knows its peer (`ConnectInfo`) for the
//! loopback-only admin API.
//!
//! The socket is where hostile clients are met: a request naming another host is refused before it
//! reaches the org (`host_check`), a client gets `header_read_timeout_ms` to send its headers (so a
//! half-sent request cannot hold a connection forever), and at most `max_connections` are served at
//! once — further connections are closed as soon as they are accepted rather than queued, so a
//! client learns at once instead of hanging.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use tokio_rustls::TlsAcceptor;

use crate::faults::ConnectionKill;
use crate::host_check::AllowedHosts;
use crate::{app, AppState, Config};

/// A running org: where it listens, its state, and the server task (aborted on drop, which also
/// closes every open connection).
pub struct RunningOrg {
    pub addr: SocketAddr,
    pub url: String,
    pub state: AppState,
    /// With `--tls`: the PEM file holding the CA certificate clients must trust.
    pub tls_cert_path: Option<std::path::PathBuf>,
    task: JoinHandle<()>,
}

impl Drop for RunningOrg {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What every connection of one org is served with.
#[derive(Clone)]
struct Serving {
    router: axum::Router,
    hosts: Arc<AllowedHosts>,
    header_read_timeout: Duration,
}

/// Serves one connection (plain or TLS) until the client closes it, stalls in its headers, or a
/// fault asks to drop it.
async fn serve_connection<S>(serving: Serving, stream: S, peer: SocketAddr, local: SocketAddr)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let kill = Arc::new(Notify::new());
    let request_kill = ConnectionKill(kill.clone());
    let Serving {
        router,
        hosts,
        header_read_timeout,
    } = serving;
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        let (router, hosts, request_kill) = (router.clone(), hosts.clone(), request_kill.clone());
        async move {
            if let Some(refusal) = hosts.refusal(&req, local) {
                return Ok::<_, Infallible>(refusal);
            }
            req.extensions_mut().insert(ConnectInfo(peer));
            req.extensions_mut().insert(request_kill);
            router.oneshot(req).await
        }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        // Client-side errors (resets, malformed requests) end only this connection.
        _ = connection => {}
        // Dropping the connection future closes the socket with no response written.
        _ = kill.notified() => {}
    }
}

/// Completes the TLS handshake (bounded like the headers: a client that stalls in it is dropped),
/// then serves the connection.
async fn serve_tls_connection(
    serving: Serving,
    acceptor: TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    local: SocketAddr,
) {
    let handshake = tokio::time::timeout(serving.header_read_timeout, acceptor.accept(stream));
    if let Ok(Ok(tls)) = handshake.await {
        serve_connection(serving, tls, peer, local).await;
    }
}

/// Binds `config.addr` (port 0 picks a free port) and serves the org in the background; with
/// `config.tls`, over https with a CA written to `config.tls_cert_out` (see `tls`). A
/// configuration that cannot make an org (see `AppState::try_new`) is `InvalidInput`.
pub async fn spawn(config: Config) -> std::io::Result<RunningOrg> {
    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let (url, tls, tls_cert_path) = if config.tls {
        let tls = crate::tls::generate()?;
        let path = config
            .tls_cert_out
            .clone()
            .unwrap_or_else(|| crate::tls::default_cert_path(addr.port()));
        crate::tls::write_pem(&path, &tls.ca_pem).map_err(|err| {
            std::io::Error::new(
                err.kind(),
                format!("cannot write {}: {err}", path.display()),
            )
        })?;
        (format!("https://{addr}"), Some(tls.acceptor), Some(path))
    } else {
        (format!("http://{addr}"), None, None)
    };
    let hosts = Arc::new(AllowedHosts::new(config.addr, addr, tls.is_some()));
    let header_read_timeout = Duration::from_millis(config.header_read_timeout_ms);
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let state = AppState::try_new(config)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    *state.base_url.write() = url.clone();
    let serving = Serving {
        router: app(state.clone()),
        hosts,
        header_read_timeout,
    };
    let task = tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            while connections.try_join_next().is_some() {}
            match listener.accept().await {
                Ok((stream, peer)) => {
                    // Over the cap: dropping the stream closes it unanswered.
                    let Ok(slot) = slots.clone().try_acquire_owned() else {
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let Ok(local) = stream.local_addr() else {
                        continue;
                    };
                    let (serving, tls) = (serving.clone(), tls.clone());
                    connections.spawn(async move {
                        match tls {
                            Some(acceptor) => {
                                serve_tls_connection(serving, acceptor, stream, peer, local).await
                            }
                            None => serve_connection(serving, stream, peer, local).await,
                        }
                        drop(slot);
                    });
                }
                // Running out of file descriptors and similar: keep serving the open connections.
                Err(err) => {
                    eprintln!("devorg: accept failed: {err}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    });
    Ok(RunningOrg {
        addr,
        url,
        state,
        tls_cert_path,
        task,
    })
}
