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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower_http::services::ServeDir;

/// Where the app is served on the site: not the root, to prove it works from any sub-path.
pub const APP_PATH: &str = "/apps/orgbridge/";

/// The meta tags index.html ships empty, which a test may fill: who may frame the app (empty: no
/// one), and the devorgs "Local devorg" offers (empty: the default one).
const FRAME_ANCESTORS: &str = "orgbridge-frame-ancestors";
const DEVORGS: &str = "orgbridge-devorg";

/// A running static site; the server stops when dropped.
pub struct StaticSite {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`, the app's origin.
    pub origin: String,
    /// Values written into the served index.html's meta tags, by tag name.
    metas: Metas,
    /// While set, the parts of the app loaded on demand (`split_*.wasm`, `chunk_*.wasm`) answer
    /// 503, as when the network drops or the server is gone.
    refusing_parts: Arc<AtomicBool>,
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
        let metas = Metas::default();
        let app = APP_PATH.trim_end_matches('/');
        let mut router = Router::new();
        if let Some(examples) = examples {
            router = router.nest_service(&format!("{app}/examples"), ServeDir::new(examples));
        }
        let index = IndexPage {
            file: dist.join("index.html"),
            metas: metas.clone(),
        };
        let refusing_parts = Arc::new(AtomicBool::new(false));
        let router = router
            // As a static host serves the build: its precompressed `.br` / `.gz` files, with
            // `Content-Encoding`, to a browser that accepts them.
            .nest_service(
                app,
                ServeDir::new(dist).precompressed_br().precompressed_gzip(),
            )
            .layer(middleware::from_fn_with_state(index, serve_index))
            .layer(middleware::from_fn_with_state(
                refusing_parts.clone(),
                refuse_parts,
            ));
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
            metas,
            refusing_parts,
            task,
        })
    }

    /// Lets `origin` frame the app: from now on the site serves index.html with `origin` in its
    /// `orgbridge-frame-ancestors` meta tag.
    pub fn allow_framing_by(&self, origin: &str) {
        self.metas.add(FRAME_ANCESTORS, origin);
    }

    /// Offers `url` as one more "Local devorg" (the first one added is the default): from now on
    /// the site serves index.html with it in its `orgbridge-devorg` meta tag, as scripts/dev does.
    pub fn offer_devorg(&self, url: &str) {
        self.metas.add(DEVORGS, url);
    }

    /// From now on (`true`) or no longer, the parts of the app loaded on demand fail to load.
    pub fn refuse_parts(&self, refuse: bool) {
        self.refusing_parts.store(refuse, Ordering::SeqCst);
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

/// Values for index.html's empty meta tags, by tag name, each list space-separated when served.
#[derive(Clone, Default)]
struct Metas(Arc<Mutex<Vec<(&'static str, String)>>>);

impl Metas {
    fn add(&self, tag: &'static str, value: &str) {
        self.0.lock().unwrap().push((tag, value.to_string()));
    }

    /// `html` with every tag that has values filled in; `None` when no tag has any.
    fn fill(&self, html: &str) -> Option<String> {
        let metas = self.0.lock().unwrap();
        if metas.is_empty() {
            return None;
        }
        let mut html = html.to_string();
        for tag in [FRAME_ANCESTORS, DEVORGS] {
            let values: Vec<&str> = metas
                .iter()
                .filter(|(t, _)| *t == tag)
                .map(|(_, v)| v.as_str())
                .collect();
            if !values.is_empty() {
                html = html.replace(
                    &format!(r#"<meta name="{tag}" content="">"#),
                    &format!(r#"<meta name="{tag}" content="{}">"#, values.join(" ")),
                );
            }
        }
        Some(html)
    }
}

/// The app's index.html and the values to write into its meta tags.
#[derive(Clone)]
struct IndexPage {
    file: PathBuf,
    metas: Metas,
}

/// Serves index.html with the tests' values in its meta tags once any are set; everything else
/// (and index.html while none are) is the plain files.
async fn serve_index(State(index): State<IndexPage>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_index = path == APP_PATH || path == format!("{APP_PATH}index.html");
    if !is_index {
        return next.run(request).await;
    }
    match tokio::fs::read_to_string(&index.file).await {
        Ok(html) => match index.metas.fill(&html) {
            Some(filled) => Html(filled).into_response(),
            None => next.run(request).await,
        },
        Err(_) => next.run(request).await,
    }
}

/// Answers 503 for a part of the app loaded on demand while the site is refusing them.
async fn refuse_parts(
    State(refusing): State<Arc<AtomicBool>>,
    request: Request,
    next: Next,
) -> Response {
    let name = request.uri().path().rsplit('/').next().unwrap_or_default();
    let part =
        (name.starts_with("split_") || name.starts_with("chunk_")) && name.ends_with(".wasm");
    if part && refusing.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "refused by the test").into_response();
    }
    next.run(request).await
}
