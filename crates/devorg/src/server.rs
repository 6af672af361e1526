//! Serving the org on a TCP port, in-process (tests) or from `main`. Connections are served one by
//! one with hyper so that an injected "dropped connection" fault can close a socket without any
//! HTTP response (`faults::ConnectionKill`), and each request knows its peer (`ConnectInfo`) for the
//! loopback-only admin API.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use crate::faults::ConnectionKill;
use crate::{app, AppState, Config};

/// A running org: where it listens, its state, and the server task (aborted on drop, which also
/// closes every open connection).
pub struct RunningOrg {
    pub addr: SocketAddr,
    pub url: String,
    pub state: AppState,
    task: JoinHandle<()>,
}

impl Drop for RunningOrg {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves one connection until the client closes it or a fault asks to drop it.
async fn serve_connection(router: axum::Router, stream: TcpStream, peer: SocketAddr) {
    let kill = Arc::new(Notify::new());
    let request_kill = ConnectionKill(kill.clone());
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        req.extensions_mut().insert(request_kill.clone());
        router.clone().oneshot(req)
    });
    let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        // Client-side errors (resets, malformed requests) end only this connection.
        _ = connection => {}
        // Dropping the connection future closes the socket with no response written.
        _ = kill.notified() => {}
    }
}

/// Binds `config.addr` (port 0 picks a free port) and serves the org in the background.
pub async fn spawn(config: Config) -> std::io::Result<RunningOrg> {
    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    let state = AppState::new(config);
    *state.base_url.write() = url.clone();
    let router = app(state.clone());
    let task = tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            while connections.try_join_next().is_some() {}
            match listener.accept().await {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(router.clone(), stream, peer));
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
        task,
    })
}
