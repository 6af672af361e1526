//! Figures, not pass/fail: how long a person waits for the sign-in form when they open the app
//! with nothing cached, on a slow network and on a slow computer, and how many bytes came over the
//! wire. The release build is served from `dist/` as a static host serves it (precompressed `.br`
//! and `.gz` beside each file, sent with `Content-Encoding`). Run by `benches/first_load.sh`.
//!
//! Each case is the median of five loads with the browser cache off, through the DevTools
//! Protocol's network and CPU emulation (`Network.emulateNetworkConditions`,
//! `Emulation.setCPUThrottlingRate`). "Form shown" is the first animation frame in which the
//! sign-in heading is in the page (that frame paints it), in ms from navigation start. Then, signed
//! in, the same for a reload of the tab: until the account list's first row shows, which needs the
//! org's screens (a part, preloaded by boot.js beside the first-load wasm).

use anyhow::{Context, Result};
use orgbridge_e2e::{spawn_app, Browser, SignInPage};

use crate::bench::page_value;
use serde_json::{json, Value};

/// Runs from the first script of every document: when the sign-in heading first shows, and when
/// the account list's first row does (a reload with a stored session).
const FORM_PROBE: &str = r#"
window.__firstLoad = { form: null, firstRow: null };
(function frame() {
  const h = document.querySelector('h1');
  if (window.__firstLoad.form === null && h && h.textContent.trim() === 'HEADING') {
    window.__firstLoad.form = performance.now();
  }
  if (document.querySelector('.ob-acc-table tbody tr[aria-rowindex="2"]')) {
    window.__firstLoad.firstRow = performance.now();
    return;
  }
  requestAnimationFrame(frame);
})();
"#;

/// What the probe records: the form shown, the first account row shown.
const FORM_SHOWN: &str = "window.__firstLoad && window.__firstLoad.form";
const FIRST_ROW: &str = "window.__firstLoad && window.__firstLoad.firstRow";

/// The files the page fetched before the form showed (not the parts fetched when the browser is
/// idle after it): name, and bytes on the wire and decoded.
const RESOURCES: &str = r#"
const all = [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')];
return all.filter(e => e.startTime < window.__firstLoad.form)
  .map(e => ({ name: e.name.split('/').pop() || 'index.html', wire: e.encodedBodySize, body: e.decodedBodySize }));
"#;

/// One network and CPU setting to measure.
struct Case {
    name: &'static str,
    /// Throughput in bits per second (`None`: no network emulation) and round-trip latency in ms.
    network: Option<(f64, f64)>,
    cpu_slowdown: f64,
}

const CASES: [Case; 3] = [
    Case {
        name: "unthrottled",
        network: None,
        cpu_slowdown: 1.0,
    },
    Case {
        name: "10 Mbps, 40 ms RTT",
        network: Some((10e6, 40.0)),
        cpu_slowdown: 1.0,
    },
    Case {
        name: "10 Mbps, 40 ms RTT, 4x CPU",
        network: Some((10e6, 40.0)),
        cpu_slowdown: 4.0,
    },
];

const RUNS: usize = 5;

async fn emulate(browser: &Browser, case: &Case) -> Result<()> {
    let (throughput, latency) = case
        .network
        .map_or((-1.0, 0.0), |(bps, ms)| (bps / 8.0, ms));
    browser
        .cdp(
            "Network.emulateNetworkConditions",
            json!({ "offline": false, "latency": latency,
                    "downloadThroughput": throughput, "uploadThroughput": throughput }),
        )
        .await?;
    browser
        .cdp(
            "Emulation.setCPUThrottlingRate",
            json!({ "rate": case.cpu_slowdown }),
        )
        .await?;
    Ok(())
}

/// `RUNS` loads of `url` (from a blank page, nothing cached): for each, the ms from navigation
/// start until the probe's `expr` is set; told as "median (range)".
async fn timed_loads(browser: &Browser, url: &str, what: &str, expr: &str) -> Result<String> {
    let mut times = Vec::new();
    for _ in 0..RUNS {
        browser.goto("about:blank").await?;
        browser.goto(url).await?;
        let at = page_value(browser, what, expr).await?;
        times.push(at.as_f64().context("the probe's time is not a number")?);
    }
    times.sort_by(f64::total_cmp);
    Ok(format!(
        "{:.0} ms median of {RUNS} ({:.0}–{:.0} ms)",
        times[RUNS / 2],
        times[0],
        times[RUNS - 1]
    ))
}

#[tokio::test]
#[ignore = "benchmark (a minute): run benches/first_load.sh"]
async fn bench_first_load() -> Result<()> {
    let app = spawn_app().await?;
    let browser = &app.browser;
    let url = app.site.app_url();
    browser.cdp("Network.enable", json!({})).await?;
    browser
        .cdp("Network.setCacheDisabled", json!({ "cacheDisabled": true }))
        .await?;
    let probe = FORM_PROBE.replace("HEADING", SignInPage::HEADING);
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": probe }),
        )
        .await?;

    let mut report = Vec::new();
    for case in &CASES {
        emulate(browser, case).await?;
        let shown = timed_loads(browser, &url, "the sign-in form", FORM_SHOWN).await?;
        report.push(format!("sign-in form shown, {}: {shown}", case.name));
    }

    // What the last load fetched for the form, on the wire and decoded (read before signing in).
    let resources: Value = browser.eval(RESOURCES).await?;
    let list = resources.as_array().context("no resource list")?;
    let (mut wire, mut body) = (0.0, 0.0);
    for r in list {
        let (w, b) = (
            r["wire"].as_f64().unwrap_or(0.0),
            r["body"].as_f64().unwrap_or(0.0),
        );
        wire += w;
        body += b;
        report.push(format!(
            "  {:<28} {:>8.1} KB on the wire, {:>8.1} KB decoded",
            r["name"].as_str().unwrap_or("?"),
            w / 1024.0,
            b / 1024.0
        ));
    }
    report.push(format!(
        "first load in all: {:.1} KB on the wire, {:.1} KB decoded (goal: form shown ≤ 450 ms at 10 Mbps)",
        wire / 1024.0,
        body / 1024.0
    ));

    // A reload with a stored session (a person signed in, opening the app again in the tab): the
    // list's first row, with the org's screens fetched as a part after the first-load files.
    emulate(browser, &CASES[0]).await?;
    app.sign_in().await?;
    for case in &CASES {
        emulate(browser, case).await?;
        let row = timed_loads(browser, &url, "the first account row", FIRST_ROW).await?;
        report.push(format!(
            "signed in, reloaded: first account row, {}: {row}",
            case.name
        ));
    }

    println!("\n== first load ==");
    for line in &report {
        println!("{line}");
    }
    if let Ok(out) = std::env::var("FIRST_LOAD_BENCH_OUT") {
        std::fs::write(&out, report.join("\n") + "\n").with_context(|| format!("writing {out}"))?;
    }
    app.finish().await
}
