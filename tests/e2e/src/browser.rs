//! One headless Chromium per test, driven through its own ChromeDriver over WebDriver (fantoccini),
//! with helpers that find controls by role and accessible name, as a person (or a screen reader)
//! would, and that wait by polling instead of sleeping.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::process::{Child, Command};

/// How long any wait lasts before the test fails. `E2E_TIMEOUT_SECS` stretches it on slow machines.
pub fn timeout() -> Duration {
    let secs = std::env::var("E2E_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    Duration::from_secs(secs)
}

const POLL: Duration = Duration::from_millis(100);

/// Chromium as the tests run it. The network flags matter here: this machine reaches nothing
/// outside, and without them Chromium keeps trying Google's hosts.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

/// A ChromeDriver process on a free loopback port, killed when dropped (which also ends its
/// Chromium, whose DevTools pipe closes).
struct ChromeDriver {
    url: String,
    _child: Child,
}

impl ChromeDriver {
    async fn start() -> Result<ChromeDriver> {
        let program = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        // A port picked by binding port 0 can be taken again before ChromeDriver binds it: retry.
        let mut last_error = None;
        for _ in 0..3 {
            let port = free_port()?;
            let mut child = Command::new(&program)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .with_context(|| {
                    format!("cannot start `{program}`: install it with `scripts/setup --browser` (Debian package chromium-driver)")
                })?;
            let url = format!("http://127.0.0.1:{port}");
            match wait_until_ready(&url, &mut child).await {
                Ok(()) => return Ok(ChromeDriver { url, _child: child }),
                Err(err) => last_error = Some(err),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow!("chromedriver did not start")))
    }
}

/// Polls ChromeDriver's `/status` until it says ready, or it exits.
async fn wait_until_ready(url: &str, child: &mut Child) -> Result<()> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + timeout();
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            bail!("chromedriver exited at start ({status})");
        }
        if let Ok(response) = http.get(format!("{url}/status")).send().await {
            if let Ok(body) = response.json::<Value>().await {
                if body["value"]["ready"] == json!(true) {
                    return Ok(());
                }
            }
        }
        tokio::time::sleep(POLL).await;
    }
    bail!("chromedriver at {url} was not ready within {:?}", timeout())
}

/// A port that was free a moment ago.
pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// One browser window (one WebDriver session) with a fresh profile, and the page errors it saw.
pub struct Browser {
    client: Client,
    /// Browser log lines (console errors, uncaught exceptions, failed loads) read so far.
    log: tokio::sync::Mutex<Vec<String>>,
    /// Substrings of log lines the test expects (a refused connection in an "org unreachable" test).
    expected: std::sync::Mutex<Vec<String>>,
    /// How long waits last (see [`timeout`]).
    wait: Duration,
    /// The WebDriver session, ended on drop if [`Browser::close`] was not reached (a failed test).
    session: Option<String>,
    _driver: ChromeDriver,
    _profile: TempDir,
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium with a new, empty profile (removed on drop).
    pub async fn start() -> Result<Browser> {
        let driver = ChromeDriver::start().await?;
        let profile = tempfile::Builder::new()
            .prefix("orgbridge-e2e-profile")
            .tempdir()?;
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut caps = Capabilities::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": binary, "args": args }),
        );
        // Lets `se/log` return the console: fantoccini does not surface page errors itself.
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .with_context(|| {
                format!("cannot open a Chromium session ({binary}) through chromedriver")
            })?;
        let session = client.session_id().await?;
        Ok(Browser {
            session,
            client,
            log: Default::default(),
            expected: Default::default(),
            wait: timeout(),
            _driver: driver,
            _profile: profile,
        })
    }

    /// Changes how long this browser's waits last (a test that expects something *not* to appear).
    pub fn set_timeout(&mut self, wait: Duration) {
        self.wait = wait;
    }

    /// The WebDriver client, for what the helpers here don't cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub async fn goto(&self, url: &str) -> Result<()> {
        self.client
            .goto(url)
            .await
            .with_context(|| format!("cannot open {url}"))
    }

    pub async fn current_url(&self) -> Result<url::Url> {
        Ok(self.client.current_url().await?)
    }

    /// The visible text of the page (of the current frame), as a person reads it.
    pub async fn page_text(&self) -> Result<String> {
        let body = self.client.find(Locator::Css("body")).await?;
        Ok(body.text().await?)
    }

    /// Waits until `check` returns `Some`, polling; on timeout the error names `what` and shows the
    /// page's URL and text, which is usually enough to see what went wrong.
    pub async fn wait_for<T, F, Fut>(&self, what: &str, mut check: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>>>,
    {
        let deadline = Instant::now() + self.wait;
        let mut last_error = None;
        loop {
            match check().await {
                Ok(Some(value)) => return Ok(value),
                Ok(None) => {}
                Err(err) => last_error = Some(err),
            }
            if Instant::now() >= deadline {
                let mut message = format!("timed out after {:?} waiting for {what}", self.wait);
                if let Some(err) = last_error {
                    message.push_str(&format!("\n  last error: {err:#}"));
                }
                message.push_str(&self.describe_page().await);
                bail!(message);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// URL, visible text and console lines of the page, for failure messages.
    pub async fn describe_page(&self) -> String {
        let url = match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(err) => format!("(unknown: {err})"),
        };
        let text = self.page_text().await.unwrap_or_default();
        let _ = self.read_log().await;
        let log = self.log.lock().await.join("\n    ");
        format!(
            "\n  page: {url}\n  text on the page:\n    {}\n  browser console:\n    {log}",
            text.replace('\n', "\n    ")
        )
    }

    /// Waits until the page shows `text` (anywhere in its visible text).
    pub async fn wait_for_text(&self, text: &str) -> Result<()> {
        self.wait_for(&format!("the text {text:?} on the page"), || async {
            Ok(self.page_text().await?.contains(text).then_some(()))
        })
        .await
    }

    /// Waits until the page is at a URL for which `matches` holds (e.g. devorg's login page).
    pub async fn wait_for_url(
        &self,
        what: &str,
        matches: impl Fn(&url::Url) -> bool,
    ) -> Result<url::Url> {
        self.wait_for(what, || async {
            let url = self.client.current_url().await?;
            Ok(matches(&url).then_some(url))
        })
        .await
    }

    /// The one visible element with ARIA role `role` and accessible name `name`, computed by
    /// Chromium's accessibility tree (so a `<label for>`, `aria-label`, `aria-labelledby` or the
    /// button's text all count). Waits for it to appear.
    pub async fn by_role(&self, role: Role, name: &str) -> Result<Element> {
        let wanted = normalize(name);
        let deadline = Instant::now() + self.wait;
        loop {
            let mut seen = Vec::new();
            let found = self.find_by_role(role, &wanted, &mut seen).await;
            if let Ok(Some(element)) = found {
                return Ok(element);
            }
            if Instant::now() >= deadline {
                let error = found.err().map(|e| format!("\n  last error: {e:#}"));
                bail!(
                    "timed out after {:?} waiting for a {} named {name:?}{}\n  {}s on the page: {seen:?}{}",
                    self.wait,
                    role.describe(),
                    error.unwrap_or_default(),
                    role.describe(),
                    self.describe_page().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// One pass of [`Browser::by_role`]; `seen` collects the names of the other elements of the role.
    async fn find_by_role(
        &self,
        role: Role,
        wanted: &str,
        seen: &mut Vec<String>,
    ) -> Result<Option<Element>> {
        for element in self.client.find_all(Locator::Css(role.css())).await? {
            // Elements can go away between the find and these calls: skip those.
            if !element.is_displayed().await.unwrap_or(false) {
                continue;
            }
            let Ok(computed_role) = self.computed(&element, "computedrole").await else {
                continue;
            };
            if !role.accepts(&computed_role) {
                continue;
            }
            let label = normalize(
                &self
                    .computed(&element, "computedlabel")
                    .await
                    .unwrap_or_default(),
            );
            if label == wanted {
                return Ok(Some(element));
            }
            seen.push(label);
        }
        Ok(None)
    }

    /// The button named `name`.
    pub async fn button(&self, name: &str) -> Result<Element> {
        self.by_role(Role::Button, name).await
    }

    /// The text field (or select) labelled `label`.
    pub async fn field(&self, label: &str) -> Result<Element> {
        self.by_role(Role::Field, label).await
    }

    /// Clicks the button named `name`. A button the page re-rendered between finding and
    /// clicking (a screen refreshing after a save) is found again, a few times at most.
    pub async fn click_button(&self, name: &str) -> Result<()> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.button(name).await?.click().await {
                Ok(()) => return Ok(()),
                Err(fantoccini::error::CmdError::Standard(e))
                    if attempts < 3
                        && e.error == fantoccini::error::ErrorStatus::StaleElementReference => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot click the button {name:?}"))
                }
            }
        }
    }

    /// Replaces the content of the field labelled `label` with `value`, as typing would.
    pub async fn fill(&self, label: &str, value: &str) -> Result<()> {
        let field = self.field(label).await?;
        field.clear().await?;
        field
            .send_keys(value)
            .await
            .with_context(|| format!("cannot type into the field {label:?}"))
    }

    /// Chooses the radio button labelled `label`.
    pub async fn choose(&self, label: &str) -> Result<()> {
        self.by_role(Role::Radio, label).await?.click().await?;
        Ok(())
    }

    /// Waits for an alert (`role="alert"`) with text and returns that text.
    pub async fn alert_text(&self) -> Result<String> {
        self.role_text("[role=alert]", "an alert (role=alert) with a message", "")
            .await
    }

    /// Waits for a status message (`role="status"`) with text and returns that text.
    pub async fn status_text(&self) -> Result<String> {
        self.role_text("[role=status]", "a status message (role=status)", "")
            .await
    }

    /// Waits for an alert (`role="alert"`) containing `needle` and returns its text.
    pub async fn alert_containing(&self, needle: &str) -> Result<String> {
        let what = format!("an alert containing {needle:?}");
        self.role_text("[role=alert]", &what, needle).await
    }

    /// Waits for a status message (`role="status"`) containing `needle` and returns its text.
    pub async fn status_containing(&self, needle: &str) -> Result<String> {
        let what = format!("a status message containing {needle:?}");
        self.role_text("[role=status]", &what, needle).await
    }

    /// The trimmed text of the first element matching `css` with text containing `needle`.
    async fn role_text(&self, css: &str, what: &str, needle: &str) -> Result<String> {
        self.wait_for(what, || async {
            for element in self.client.find_all(Locator::Css(css)).await? {
                let text = element.text().await.unwrap_or_default();
                let text = text.trim();
                if !text.is_empty() && text.contains(needle) {
                    return Ok(Some(text.to_string()));
                }
            }
            Ok(None)
        })
        .await
    }

    /// Runs `script` in the page and returns its result.
    pub async fn eval(&self, script: &str) -> Result<Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// Everything in this tab's `sessionStorage` (of the current page's origin), key → value.
    pub async fn session_storage(&self) -> Result<BTreeMap<String, String>> {
        let value = self
            .eval("const o = {}; for (let i = 0; i < sessionStorage.length; i++) { const k = sessionStorage.key(i); o[k] = sessionStorage.getItem(k); } return o;")
            .await?;
        Ok(serde_json::from_value(value)?)
    }

    /// The URL this document was loaded from, before any `history.replaceState` (the app scrubs
    /// `code` and `state` from the address bar; this still has them).
    pub async fn navigation_url(&self) -> Result<String> {
        let value = self
            .eval("return performance.getEntriesByType('navigation')[0].name;")
            .await?;
        value
            .as_str()
            .map(str::to_string)
            .context("the page has no navigation entry")
    }

    /// The value WebDriver's "computed label"/"computed role" returns for `element`.
    async fn computed(&self, element: &Element, what: &'static str) -> Result<String> {
        let value = self
            .client
            .issue_cmd(SessionCommand {
                path: format!("element/{}/{what}", element.element_id()),
                body: None,
            })
            .await?;
        Ok(value.as_str().unwrap_or_default().to_string())
    }

    /// Runs a Chrome DevTools Protocol command (`goog/cdp/execute`) and returns its result.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        self.client
            .issue_cmd(SessionCommand {
                path: "goog/cdp/execute".into(),
                body: Some(json!({ "cmd": cmd, "params": params })),
            })
            .await
            .with_context(|| format!("CDP {cmd}"))
    }

    /// Tells the rig that log lines containing `substring` are part of what the test provokes
    /// (e.g. the CORS error of a blocked request), so [`Browser::close`] does not fail on them.
    pub fn expect_console_error(&self, substring: &str) {
        self.expected.lock().unwrap().push(substring.to_string());
    }

    /// Moves new browser log lines (console errors, uncaught exceptions, failed loads) into `log`.
    async fn read_log(&self) -> Result<()> {
        // ChromeDriver's console log (`se/log`, type `browser`), emptied as read.
        let entries = self
            .client
            .issue_cmd(SessionCommand {
                path: "se/log".into(),
                body: Some(json!({ "type": "browser" })),
            })
            .await?;
        let mut log = self.log.lock().await;
        for entry in entries.as_array().into_iter().flatten() {
            let level = entry["level"].as_str().unwrap_or_default();
            if level == "SEVERE" || level == "WARNING" {
                log.push(format!(
                    "{level}: {}",
                    entry["message"].as_str().unwrap_or_default()
                ));
            }
        }
        Ok(())
    }

    /// Waits until the browser has logged a line containing `needle` (e.g. a failed load's
    /// status), for tests whose next step must happen while a later request is in flight.
    pub async fn wait_for_log(&self, needle: &str) -> Result<()> {
        self.wait_for(&format!("a browser log line with {needle:?}"), || async {
            self.read_log().await?;
            Ok(self
                .log
                .lock()
                .await
                .iter()
                .any(|line| line.contains(needle))
                .then_some(()))
        })
        .await
    }

    /// The WCAG 2.1 A and AA failures axe-core finds on the page as it is now, one line each
    /// (rule, impact, the first offending element). axe-core comes from npm (`scripts/setup`'s
    /// `ensure_axe`); its source is run as the script itself, which the page's CSP allows (it
    /// refuses `eval`), since WebDriver scripts come from the browser, not the page.
    pub async fn axe_violations(&self) -> Result<Vec<String>> {
        // Read and assembled once per test binary: the source is 650 KB and every screen checked
        // sends the same script.
        static SCRIPT: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
        let script = SCRIPT
            .get_or_init(|| {
                let path = crate::site::workspace_root()
                    .join("tests/e2e/.npm/node_modules/axe-core/axe.min.js");
                let source = std::fs::read_to_string(&path).map_err(|e| {
                    format!(
                        "no axe-core at {} ({e}): run scripts/setup's ensure_axe (scripts/test does)",
                        path.display()
                    )
                })?;
                Ok(format!(
                    "{source}\nreturn axe.run(document, {{ runOnly: {{ type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }} }})\n  .then(r => r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' + (v.nodes[0] ? v.nodes[0].target.join(' ') : '')));"
                ))
            })
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let found = self
            .client
            .execute(script, vec![])
            .await
            .context("running axe-core")?;
        Ok(serde_json::from_value(found)?)
    }

    /// Page errors seen so far that the test did not declare as expected.
    pub async fn unexpected_errors(&self) -> Result<Vec<String>> {
        self.read_log().await?;
        let expected = self.expected.lock().unwrap().clone();
        Ok(self
            .log
            .lock()
            .await
            .iter()
            .filter(|line| line.starts_with("SEVERE"))
            .filter(|line| !expected.iter().any(|e| line.contains(e)))
            .cloned()
            .collect())
    }

    /// Ends the session, and fails if the page logged an error the test did not expect: a page
    /// that works but throws is a bug a person would eventually meet.
    pub async fn close(mut self) -> Result<()> {
        let errors = self.unexpected_errors().await;
        if self.client.clone().close().await.is_ok() {
            self.session = None;
        }
        let errors = errors?;
        if !errors.is_empty() {
            bail!("the page logged errors:\n  {}", errors.join("\n  "));
        }
        Ok(())
    }

    /// Saves a screenshot (PNG) of the window, for looking at a failure.
    pub async fn screenshot(&self, path: impl Into<PathBuf>) -> Result<()> {
        let png = self.client.screenshot().await?;
        std::fs::write(path.into(), png)?;
        Ok(())
    }
}

impl Drop for Browser {
    /// A test that fails early never reaches `close`; killing ChromeDriver alone would leave its
    /// Chromium running, so end the session here, synchronously (drop cannot await).
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            if let Err(err) = delete_session(&self._driver.url, &session) {
                eprintln!("could not end the browser session {session}: {err}");
            }
        }
    }
}

/// `DELETE /session/{id}` over a plain blocking socket: ChromeDriver then quits its Chromium.
fn delete_session(driver_url: &str, session: &str) -> std::io::Result<()> {
    use std::io::{Read, Write};
    let host = driver_url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "DELETE /session/{session} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    // Reading the whole response waits until ChromeDriver has shut the browser down. It keeps the
    // connection open afterwards, so read up to Content-Length rather than to the end.
    let mut response = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        response.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&response);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if response.len() >= end + 4 + length {
                return Ok(());
            }
        }
    }
}

/// The roles the rig looks for, with the elements that can have them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Button,
    /// A text box, search box, combobox or spin button: anything a person types into or picks from.
    Field,
    Radio,
    Link,
    Heading,
    /// A dialog asking before something happens (`role=alertdialog`), named by its title.
    AlertDialog,
    /// A table (or grid), named by its `aria-label` or caption.
    Table,
}

impl Role {
    fn css(self) -> &'static str {
        match self {
            Role::Button => "button, input[type=submit], input[type=button], [role=button]",
            Role::Field => "input:not([type=radio]):not([type=checkbox]):not([type=submit]):not([type=button]):not([type=hidden]), textarea, select, [role=textbox], [role=combobox]",
            Role::Radio => "input[type=radio], [role=radio]",
            Role::Link => "a[href], [role=link]",
            Role::Heading => "h1, h2, h3, h4, h5, h6, [role=heading]",
            Role::AlertDialog => "[role=alertdialog]",
            Role::Table => "table, [role=table], [role=grid]",
        }
    }

    fn accepts(self, computed_role: &str) -> bool {
        match self {
            Role::Button => computed_role == "button",
            // A file input computes as a button (its "Choose file" part); the CSS keeps real
            // buttons out.
            Role::Field => matches!(
                computed_role,
                "textbox" | "searchbox" | "combobox" | "spinbutton" | "listbox" | "button" | ""
            ),
            Role::Radio => computed_role == "radio",
            Role::Link => computed_role == "link",
            Role::Heading => computed_role == "heading",
            Role::AlertDialog => computed_role == "alertdialog",
            Role::Table => matches!(computed_role, "table" | "grid"),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Role::Button => "button",
            Role::Field => "field",
            Role::Radio => "radio button",
            Role::Link => "link",
            Role::Heading => "heading",
            Role::AlertDialog => "dialog",
            Role::Table => "table",
        }
    }
}

fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A WebDriver command fantoccini has no method for: `path` under `/session/{id}/`, with an
/// optional JSON body (POST) or none (GET).
#[derive(Debug)]
struct SessionCommand {
    path: String,
    body: Option<Value>,
}

impl WebDriverCompatibleCommand for SessionCommand {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/{}",
            session.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        match &self.body {
            Some(body) => (http::Method::POST, Some(body.to_string())),
            None => (http::Method::GET, None),
        }
    }
}
