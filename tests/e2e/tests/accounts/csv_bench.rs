//! Figures, not pass/fail: CSV out and in at scale, in the release build in headless Chromium.
//! The export of `CSV_BENCH_N` accounts (time, calls, JS heap and wasm memory after), then the
//! import of as many new accounts (preview and run time, calls, memory), then an upsert of as
//! many lines, half new and half changing. Run by `benches/csv.sh`.

use std::time::Instant;

use anyhow::{ensure, Result};
use orgbridge_e2e::{spawn_app_with, Browser};
use orgbridge_model::accounts::thousands;
use serde_json::json;

use crate::bench::wasm_memory;
use crate::page::{AccountsPage, Org};

fn lines() -> usize {
    std::env::var("CSV_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

async fn memory(browser: &Browser, after: &str) -> Result<()> {
    let heap = browser.cdp("Runtime.getHeapUsage", json!({})).await?;
    let wasm = wasm_memory(browser).await?.unwrap_or(0.0);
    println!(
        "  after the {after}: JS heap {:.1} MB, wasm memory {:.1} MB (goal for a 100,000-line import: heap ≤ 150 MB)",
        heap["usedSize"].as_f64().unwrap_or(0.0) / 1e6,
        wasm / 1e6
    );
    Ok(())
}

/// Clicks `button` and waits for a status containing `done`: seconds and the org's calls.
async fn timed(
    page: &AccountsPage<'_>,
    org: &Org<'_>,
    button: &str,
    done: &str,
) -> Result<(f64, u64, String)> {
    let calls = org.api_calls();
    let start = Instant::now();
    page.browser().click_button(button).await?;
    let status = page.wait_status_containing(done).await?;
    Ok((
        start.elapsed().as_secs_f64(),
        org.api_calls() - calls,
        status,
    ))
}

/// A file of `n` lines: `External_Id__c,Name,BillingCity,NumberofLocations__c`, keys from
/// `first`, every other line's city `city`.
fn file(n: usize, first: usize, city: &str) -> String {
    let mut out = String::from("External_Id__c,Name,BillingCity,NumberofLocations__c\n");
    for k in first..first + n {
        out.push_str(&format!(
            "CSVB-{k:07},Bench Account {k},{city},{}\n",
            k % 100
        ));
    }
    out
}

#[tokio::test]
#[ignore = "a benchmark: benches/csv.sh"]
async fn bench_csv() -> Result<()> {
    let n = lines();
    let total = thousands(n as u64);
    let app = spawn_app_with(|config, _| config.accounts = n).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let dir = tempfile::tempdir()?;

    // Export.
    page.go_to("Download CSV").await?;
    let (secs, calls, status) = timed(
        &page,
        &org,
        &format!("Download {total} accounts"),
        "Downloaded",
    )
    .await?;
    println!("Export of {total} accounts: {secs:.2} s, {calls} calls — {status}");
    memory(browser, "export").await?;

    // Insert of as many new accounts.
    let path = dir.path().join("insert.csv");
    std::fs::write(&path, file(n, 0, "Insertville"))?;
    page.go_to("Import CSV").await?;
    browser
        .field("CSV file")
        .await?
        .send_keys(&path.display().to_string())
        .await?;
    browser
        .choose("Upsert by an External ID field: update the match, insert the rest")
        .await?;
    let (secs, calls, status) = timed(&page, &org, "Preview the import", "lines:").await?;
    println!("Insert of {total} new accounts: preview {secs:.2} s, {calls} calls — {status}");
    memory(browser, "insert preview").await?;
    let (secs, calls, status) =
        timed(&page, &org, &format!("Import {total} lines"), " created,").await?;
    println!("  run {secs:.2} s, {calls} calls (goal ≤ 20) — {status}");
    memory(browser, "insert run").await?;
    ensure!(
        org.ids_where("BillingCity", "Insertville").len() == n,
        "every line once"
    );

    // Upsert: half the keys known (their city changes), half new.
    let path = dir.path().join("upsert.csv");
    std::fs::write(&path, file(n, n / 2, "Upsertville"))?;
    browser
        .field("CSV file")
        .await?
        .send_keys(&path.display().to_string())
        .await?;
    let (secs, calls, status) = timed(&page, &org, "Preview the import", "lines:").await?;
    println!("Upsert of {total} lines (half new): preview {secs:.2} s, {calls} calls — {status}");
    let (secs, calls, status) =
        timed(&page, &org, &format!("Import {total} lines"), " created,").await?;
    println!("  run {secs:.2} s, {calls} calls — {status}");
    memory(browser, "upsert run").await?;
    ensure!(
        org.ids_where("BillingCity", "Upsertville").len() == n,
        "every line once"
    );
    app.finish().await
}
