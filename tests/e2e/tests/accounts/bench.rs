//! Figures, not pass/fail: devorg seeded with 100,000 accounts, the release build in headless
//! Chromium. Time to the first page painted and to every page loaded (after a page load with a
//! stored session), JS heap and wasm memory after loading (through the Chrome DevTools Protocol),
//! scroll responsiveness (jump → rows of the new position painted), and the API calls and wall
//! time to update one field on 1,000 selected accounts. Run by `benches/accounts.sh`.

use std::time::Duration;

use anyhow::{Context, Result};
use orgbridge_e2e::{spawn_app_with, Browser, Role};
use orgbridge_model::accounts::thousands;
use serde_json::{json, Value};

use crate::page::{AccountsPage, Org};

/// Accounts seeded (`ACCOUNTS_BENCH_N` overrides, for a quick try).
fn accounts() -> usize {
    std::env::var("ACCOUNTS_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

/// Records, from the first script of every document, when the signed-in screen shows, when the
/// first row is painted and when the count line says everything is loaded (`performance.now()`, ms since navigation start).
const PAINT_PROBE: &str = r#"
window.__accountsBench = { signedIn: null, firstRow: null, allLoaded: null };
(function frame() {
  const b = window.__accountsBench;
  if (b.signedIn === null && document.getElementById('ob-signed-in-title')) {
    b.signedIn = performance.now();
  }
  if (b.firstRow === null && document.querySelector('.ob-acc-table tbody tr[aria-rowindex="2"]')) {
    b.firstRow = performance.now();
  }
  const count = document.querySelector('.ob-acc-count');
  const m = count && /^([\d,]+) of ([\d,]+) loaded$/.exec(count.textContent.trim());
  if (b.allLoaded === null && m && m[1] === m[2] && m[1] !== '0' && !document.querySelector('.ob-acc-loading')) {
    b.allLoaded = performance.now();
  }
  if (b.allLoaded === null) requestAnimationFrame(frame);
})();
"#;

/// Jumps the table to spread-out positions; for each, the time until a frame shows the rows of
/// the new position.
const SCROLL_PROBE: &str = r#"
window.__scrollBench = { samples: [], done: false };
(async () => {
  const s = document.querySelector('.ob-acc-scroller');
  const n = Number(document.querySelector('.ob-acc-table').getAttribute('aria-rowcount')) - 1;
  const frame = () => new Promise(r => requestAnimationFrame(r));
  for (let i = 1; i <= 40; i++) {
    // A spread-out position of the scroll bar, and the row it shows at the top: past what a
    // browser can draw (about 15 million px) the bar moves through the rows in proportion.
    const f = ((i * 7919) % 101) / 101;
    await frame();
    const vp = s.clientHeight, content = s.scrollHeight, tall = n * 36;
    const top = Math.floor(f * (content - vp));
    const at = tall > content ? top * (tall - vp) / (content - vp) : top;
    const target = Math.min(Math.floor(at / 36), n - 1);
    const t0 = performance.now();
    s.scrollTop = top;
    let took = -1;
    for (;;) {
      await frame();
      if (document.querySelector(`.ob-acc-table tbody tr[aria-rowindex="${target + 2}"]`)) { took = performance.now() - t0; break; }
      if (performance.now() - t0 > 5000) break;
    }
    window.__scrollBench.samples.push(took);
  }
  window.__scrollBench.done = true;
})();
"#;

/// Waits (polling the page) until `expr` is not null, and returns it.
pub(crate) async fn page_value(browser: &Browser, what: &str, expr: &str) -> Result<Value> {
    let script = format!("return {expr};");
    browser
        .wait_for(what, || async {
            let v = browser.eval(&script).await?;
            Ok((!v.is_null()).then_some(v))
        })
        .await
}

/// Bytes of wasm linear memory in the page: every live `WebAssembly.Memory` (found through the
/// DevTools Protocol's `Runtime.queryObjects`), its `buffer.byteLength` summed; `None` if the page
/// gives no handle to the prototype or the list.
pub(crate) async fn wasm_memory(browser: &Browser) -> Result<Option<f64>> {
    let proto = browser
        .cdp(
            "Runtime.evaluate",
            json!({ "expression": "WebAssembly.Memory.prototype" }),
        )
        .await?;
    let Some(proto_id) = proto["result"]["objectId"].as_str() else {
        return Ok(None);
    };
    let list = browser
        .cdp(
            "Runtime.queryObjects",
            json!({ "prototypeObjectId": proto_id }),
        )
        .await?;
    let Some(list_id) = list["objects"]["objectId"].as_str() else {
        return Ok(None);
    };
    let sizes = browser
        .cdp(
            "Runtime.callFunctionOn",
            json!({
                "objectId": list_id,
                "functionDeclaration": "function() { return this.reduce((a, m) => a + m.buffer.byteLength, 0); }",
                "returnByValue": true
            }),
        )
        .await?;
    Ok(sizes["result"]["value"].as_f64())
}

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_048_576.0)
}

#[tokio::test]
#[ignore = "benchmark (minutes, 100,000 accounts): run benches/accounts.sh"]
async fn bench_accounts_at_100k() -> Result<()> {
    let n = accounts();
    let mut app = spawn_app_with(|config, _| config.accounts = n).await?;
    app.browser.set_timeout(Duration::from_secs(600));
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let mut report = vec![format!("accounts seeded: {n}")];

    // 1. A page load with the stored session: first page painted, then every page.
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": PAINT_PROBE }),
        )
        .await?;
    let calls_before = org.api_calls();
    browser.client().refresh().await?;
    let signed_in = page_value(
        browser,
        "the signed-in screen",
        "window.__accountsBench && window.__accountsBench.signedIn",
    )
    .await?;
    let first = page_value(
        browser,
        "the first row painted",
        "window.__accountsBench && window.__accountsBench.firstRow",
    )
    .await?;
    let all = page_value(
        browser,
        "every page loaded",
        "window.__accountsBench && window.__accountsBench.allLoaded",
    )
    .await?;
    let (loaded, total) = page.wait_loaded().await?;
    report.push(format!("loaded: {loaded} of {total}"));
    report.push(format!(
        "signed-in screen:   {:.0} ms after navigation start (stored session)",
        signed_in.as_f64().unwrap_or(-1.0)
    ));
    report.push(format!(
        "first page painted: {:.0} ms after navigation start",
        first.as_f64().unwrap_or(-1.0)
    ));
    report.push(format!(
        "all pages loaded:   {:.0} ms after navigation start",
        all.as_f64().unwrap_or(-1.0)
    ));
    report.push(format!(
        "API calls for the load (describe + query pages + userinfo): {}",
        org.api_calls() - calls_before
    ));

    // 2. Memory once loaded, after a garbage collection.
    browser
        .cdp("HeapProfiler.collectGarbage", json!({}))
        .await?;
    let heap = browser.cdp("Runtime.getHeapUsage", json!({})).await?;
    report.push(format!(
        "JS heap after loading: {} used of {} (goal ≤ 150 MB)",
        mb(heap["usedSize"].as_f64().unwrap_or(0.0)),
        mb(heap["totalSize"].as_f64().unwrap_or(0.0))
    ));
    if let Some(bytes) = wasm_memory(browser).await? {
        report.push(format!("wasm linear memory: {}", mb(bytes)));
    }
    let dom_rows = browser
        .eval("return document.querySelectorAll('.ob-acc-table tbody tr').length;")
        .await?;
    report.push(format!(
        "table rows in the DOM: {dom_rows} (spacers included)"
    ));

    // 3. Scroll responsiveness.
    browser.eval(SCROLL_PROBE).await?;
    let samples = page_value(
        browser,
        "the scroll jumps",
        "window.__scrollBench.done ? window.__scrollBench.samples : null",
    )
    .await?;
    let all: Vec<f64> = serde_json::from_value(samples)?;
    // -1: the rows of that position never showed within 5 s.
    let mut samples: Vec<f64> = all.iter().copied().filter(|&t| t >= 0.0).collect();
    samples.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        samples
            .get(((samples.len().max(1) - 1) as f64 * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    report.push(format!(
        "scroll jump → new rows painted ({} jumps, {} never painted within 5 s): median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        all.len(),
        all.len() - samples.len(),
        pick(0.5),
        pick(0.95),
        pick(1.0)
    ));

    // 4. One field on 1,000 selected accounts.
    page.filter_where("External_Id__c LIKE 'EXT-000%' OR External_Id__c = 'EXT-001000'")
        .await?;
    let (selected, _) = page.wait_loaded().await?;
    page.checkbox("Select all loaded accounts")
        .await?
        .click()
        .await?;
    browser
        .wait_for_text(&format!("{} selected", thousands(selected)))
        .await?;
    browser.click_button("Update a field…").await?;
    page.choose_option("Field to update", "Account Rating")
        .await?;
    page.choose_option("New value: Account Rating", "Warm")
        .await?;
    let button = browser
        .by_role(Role::Button, "Update 1,000 accounts")
        .await?;
    let calls_before = org.api_calls();
    browser
        .eval(
            r#"window.__bulk = { t0: performance.now(), t1: null };
            (function frame() {
              const done = [...document.querySelectorAll('[role=status]')].some(e => /updated, \d+ failed/.test(e.textContent));
              if (done) { window.__bulk.t1 = performance.now(); } else { requestAnimationFrame(frame); }
            })();"#,
        )
        .await?;
    button.click().await?;
    let bulk = page_value(
        browser,
        "the bulk update",
        "window.__bulk.t1 && (window.__bulk.t1 - window.__bulk.t0)",
    )
    .await?;
    let summary = page.wait_status_containing("updated,").await?;
    let calls = org.api_calls() - calls_before;
    let warm = org.ids_where("Rating", "Warm").len();
    report.push(format!(
        "update Rating on {selected} selected: {calls} API calls (goal 5), {:.0} ms; page says {summary:?}; org has {warm} Warm",
        bulk.as_f64().unwrap_or(-1.0)
    ));

    println!("\n== Accounts benchmark ==\n{}\n", report.join("\n"));
    if let Ok(path) = std::env::var("ACCOUNTS_BENCH_OUT") {
        std::fs::write(&path, report.join("\n") + "\n")
            .with_context(|| format!("cannot write {path}"))?;
    }
    app.finish().await
}
