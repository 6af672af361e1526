//! Serving the org on a TCP port, in-process (tests) or from `main`.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::{app, AppState, Config};

/// A running org: where it listens, its state, and the server task (aborted on drop).
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

/// Binds `config.addr` (port 0 picks a free port) and serves the org in the background.
pub async fn spawn(config: Config) -> std::io::Result<RunningOrg> {
    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    let state = AppState::new(config);
    *state.base_url.write() = url.clone();
    let router = app(state.clone());
    let task = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(err) = axum::serve(listener, service).await {
            eprintln!("devorg: server stopped: {err}");
        }
    });
    Ok(RunningOrg {
        addr,
        url,
        state,
        task,
    })
}
