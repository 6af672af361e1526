//! A plain static file server for the release build (`dist/`), on its own loopback port so the app's
//! calls to devorg cross origins (CORS is real), and under a sub-path, as on an intranet server.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower_http::services::ServeDir;

/// Where the app is served on the site: not the root, to prove it works from any sub-path.
pub const APP_PATH: &str = "/apps/orgbridge/";

/// A running static site; the server stops when dropped.
pub struct StaticSite {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`, the app's origin.
    pub origin: String,
    task: JoinHandle<()>,
}

impl Drop for StaticSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The release build to serve: `ORGBRIDGE_DIST`, else `dist/` at the workspace root.
pub fn dist_dir() -> Result<PathBuf> {
    let dist = std::env::var_os("ORGBRIDGE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist"));
    if !dist.join("index.html").is_file() {
        bail!(
            "no app build at {}: run `trunk build --release` first (scripts/test does)",
            dist.display()
        );
    }
    Ok(dist)
}

impl StaticSite {
    /// Serves `dist` at [`APP_PATH`] on a free port.
    pub async fn start(dist: &Path) -> Result<StaticSite> {
        let router =
            Router::new().nest_service(APP_PATH.trim_end_matches('/'), ServeDir::new(dist));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("cannot bind a loopback port for the static site")?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, router).await {
                eprintln!("static site stopped: {err}");
            }
        });
        Ok(StaticSite {
            addr,
            origin: format!("http://{addr}"),
            task,
        })
    }

    /// The app's page URL (also its OAuth redirect URI: origin + path, no query).
    pub fn app_url(&self) -> String {
        format!("{}{APP_PATH}", self.origin)
    }

    /// The example intranet page that mounts the app into its own `<div id="orgbridge">`
    /// (Trunk copies `examples/` into the build).
    pub fn host_page_url(&self) -> String {
        format!("{}examples/host-page.html", self.app_url())
    }

    /// The example intranet page that frames the app given in its `?app=` parameter.
    pub fn iframe_host_url(&self) -> String {
        format!("{}examples/iframe-host.html", self.app_url())
    }
}
