//! A plain static file server for the release build (`dist/`), on its own loopback port so the app's
//! calls to devorg cross origins (CORS is real), and under a sub-path, as on an intranet server.
//! Beside the build it serves the repository's `examples/` (host pages that embed the app), which
//! the release build leaves out; and it can put origins on the app's frame-ancestors list, as an
//! admin edits index.html.
//!
//! It sends no `Content-Security-Policy: frame-ancestors` header, like a server nobody configured:
//! the app's own guard is what the framing tests exercise.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower_http::services::ServeDir;

/// Where the app is served on the site: not the root, to prove it works from any sub-path.
pub const APP_PATH: &str = "/apps/orgbridge/";

/// The allowlist meta tag as index.html ships it (empty: no one may frame the app).
const FRAME_ANCESTORS_TAG: &str = r#"<meta name="orgbridge-frame-ancestors" content="">"#;

/// A running static site; the server stops when dropped.
pub struct StaticSite {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`, the app's origin.
    pub origin: String,
    /// Origins written into the served index.html's frame-ancestors meta tag.
    frame_ancestors: Arc<Mutex<Vec<String>>>,
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

/// The repository's example host pages (`examples/`), which are not part of the build.
pub fn examples_dir() -> PathBuf {
    workspace_root().join("examples")
}

impl StaticSite {
    /// Serves `dist` at [`APP_PATH`], and the repository's `examples/` at `APP_PATH/examples/`
    /// (so host-page.html's `../boot.js` is the app's), on a free port.
    pub async fn start(dist: &Path) -> Result<StaticSite> {
        StaticSite::serve(dist, Some(&examples_dir())).await
    }

    /// Serves `dist` alone at [`APP_PATH`], exactly as the release ships.
    pub async fn start_release_only(dist: &Path) -> Result<StaticSite> {
        StaticSite::serve(dist, None).await
    }

    async fn serve(dist: &Path, examples: Option<&Path>) -> Result<StaticSite> {
        let frame_ancestors = Arc::new(Mutex::new(Vec::new()));
        let app = APP_PATH.trim_end_matches('/');
        let mut router = Router::new();
        if let Some(examples) = examples {
            router = router.nest_service(&format!("{app}/examples"), ServeDir::new(examples));
        }
        let index = IndexPage {
            file: dist.join("index.html"),
            frame_ancestors: frame_ancestors.clone(),
        };
        let router = router
            .nest_service(app, ServeDir::new(dist))
            .layer(middleware::from_fn_with_state(index, serve_index));
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
            frame_ancestors,
            task,
        })
    }

    /// Lets `origin` frame the app: from now on the site serves index.html with `origin` in its
    /// `orgbridge-frame-ancestors` meta tag.
    pub fn allow_framing_by(&self, origin: &str) {
        self.frame_ancestors
            .lock()
            .unwrap()
            .push(origin.to_string());
    }

    /// The app's page URL (also its OAuth redirect URI: origin + path, no query).
    pub fn app_url(&self) -> String {
        format!("{}{APP_PATH}", self.origin)
    }

    /// The example intranet page that mounts the app into its own `<div id="orgbridge">`
    /// (served from the repository's `examples/`, beside the build; see [`StaticSite::start`]).
    pub fn host_page_url(&self) -> String {
        format!("{}examples/host-page.html", self.app_url())
    }

    /// The example intranet page that frames the app given in its `?app=` parameter.
    pub fn iframe_host_url(&self) -> String {
        format!("{}examples/iframe-host.html", self.app_url())
    }

    /// [`StaticSite::iframe_host_url`] framing `app_url` (any text: it is encoded as the parameter).
    pub fn iframe_host_url_for(&self, app_url: &str) -> String {
        let base = url::Url::parse(&self.iframe_host_url()).expect("the site's URL parses");
        let mut url = base;
        url.query_pairs_mut().append_pair("app", app_url);
        url.to_string()
    }
}

/// The app's index.html and the origins to write into its frame-ancestors tag.
#[derive(Clone)]
struct IndexPage {
    file: PathBuf,
    frame_ancestors: Arc<Mutex<Vec<String>>>,
}

/// Serves index.html with the allowed origins in its meta tag once any are set; everything else
/// (and index.html while none are) is the plain files.
async fn serve_index(State(index): State<IndexPage>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_index = path == APP_PATH || path == format!("{APP_PATH}index.html");
    let allowed = index.frame_ancestors.lock().unwrap().join(" ");
    if !is_index || allowed.is_empty() {
        return next.run(request).await;
    }
    match tokio::fs::read_to_string(&index.file).await {
        Ok(html) if html.contains(FRAME_ANCESTORS_TAG) => Html(html.replace(
            FRAME_ANCESTORS_TAG,
            &format!(r#"<meta name="orgbridge-frame-ancestors" content="{allowed}">"#),
        ))
        .into_response(),
        // A build without the tag (an older app) is served as it is.
        _ => next.run(request).await,
    }
}
