//! Figures, not pass/fail: copying 10,000 new accounts between two devorgs in the release build
//! in headless Chromium. API calls in each org and wall time for the preview and for the run; a
//! second run with nothing changed; 100 changed since the last sync; the JS heap and the wasm
//! linear memory after the preview and after the run.
//! Run by `benches/sync.sh` (`SYNC_BENCH_N` accounts; `SYNC_BENCH_BULK_FROM` the Bulk threshold;
//! `SYNC_BENCH_RESUME` pauses the run, reloads the page and resumes it).

use std::time::Instant;

use anyhow::Result;
use orgbridge_e2e::{spawn_app_with, spawn_second_org, Browser, TARGET_USERNAME};
use orgbridge_model::accounts::thousands;
use serde_json::json;

use crate::bench::wasm_memory;
use crate::page::{AccountsPage, Org};
use crate::sync::{open_copy, sign_in_to_both};

/// Accounts to copy (`SYNC_BENCH_N` overrides, for a quick try).
fn accounts() -> usize {
    std::env::var("SYNC_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000)
}

/// Clicks `button`, waits for a status containing `done`; the wall time and the calls each org
/// counted meanwhile.
async fn measure(
    page: &AccountsPage<'_>,
    source: &devorg::RunningOrg,
    target: &devorg::RunningOrg,
    button: &str,
    done: &str,
) -> Result<(f64, u64, u64, String)> {
    let (s0, t0) = (source.state.usage.used(), target.state.usage.used());
    let start = Instant::now();
    let browser = page.browser();
    browser.click_button(button).await?;
    // Done, or refused in words (a preview too large for the tab): either ends the wait.
    let script = format!(
        "const s = [...document.querySelectorAll('[role=status]')].map(e => e.textContent).find(t => t.includes({done:?})); \
         if (s) return {{status: s}}; \
         const a = [...document.querySelectorAll('[role=alert]')].map(e => e.textContent).find(t => t.startsWith('Could not')); \
         return a ? {{alert: a}} : null;"
    );
    let seen = browser
        .wait_for(
            &format!("a status containing {done:?}, or an alert"),
            || async {
                let v = browser.eval(&script).await?;
                Ok((!v.is_null()).then_some(v))
            },
        )
        .await?;
    if let Some(alert) = seen["alert"].as_str() {
        anyhow::bail!(
            "after {:.1} s and {} calls in the source: {alert}",
            start.elapsed().as_secs_f64(),
            source.state.usage.used() - s0
        );
    }
    let status = seen["status"].as_str().unwrap_or_default().to_string();
    Ok((
        start.elapsed().as_secs_f64(),
        source.state.usage.used() - s0,
        target.state.usage.used() - t0,
        status,
    ))
}

/// The goals for `n` records: preview and run seconds (10,000 at 0.64 s and 1.35 s,
/// 1,000,000 at 60 s and 120 s, in proportion between), JS heap and wasm memory in MB.
fn goals(n: usize) -> (f64, f64, u32, u32) {
    let share = n as f64 / 1e6;
    let (heap, wasm) = if n <= 100_000 {
        (150, 300)
    } else {
        (300, 1000)
    };
    (
        (60.0 * share).max(0.64),
        (120.0 * share).max(1.35),
        heap,
        wasm,
    )
}

/// Prints the JS heap and the wasm linear memory (MB of 10⁶ bytes) after `step`.
async fn print_memory(browser: &Browser, step: &str, n: usize) -> Result<()> {
    let (_, _, heap_goal, wasm_goal) = goals(n);
    let heap = browser.cdp("Runtime.getHeapUsage", json!({})).await?;
    println!(
        "  JS heap after the {step}: {:.1} MB (goal ≤ {heap_goal} MB)",
        heap["usedSize"].as_f64().unwrap_or(0.0) / 1e6
    );
    if let Some(bytes) = wasm_memory(browser).await? {
        println!(
            "  wasm linear memory after the {step}: {:.1} MB (goal ≤ {wasm_goal} MB)",
            bytes / 1e6
        );
    }
    Ok(())
}

/// The target's copies of the source's accounts (by their key, the source Id), and their
/// distinct keys.
fn copied(source: &devorg::RunningOrg, target: &devorg::RunningOrg) -> (usize, usize) {
    let sources: std::collections::HashSet<String> = source
        .state
        .store
        .read()
        .accounts()
        .filter(|r| !r.deleted)
        .map(|r| r.id.to_string())
        .collect();
    let store = target.state.store.read();
    let object = devorg::schema::account_object();
    let key = object.field("External_Id__c").expect("the key field");
    let keys: Vec<String> = store
        .accounts()
        .filter(|r| !r.deleted)
        .filter_map(|r| store.account_value(r, key).as_str().map(str::to_string))
        .filter(|k| sources.contains(k))
        .collect();
    let copies = keys.len();
    let distinct: std::collections::HashSet<String> = keys.into_iter().collect();
    (copies, distinct.len())
}

/// The run (`button`), paused once a quarter of the `n` records are in the target, the page
/// reloaded, and the run resumed to the end (`SYNC_BENCH_RESUME`). Prints each step's time;
/// answers the run's time in all and the calls in each org.
async fn paused_reloaded_resumed(
    page: &AccountsPage<'_>,
    source: &devorg::RunningOrg,
    target: &devorg::RunningOrg,
    n: usize,
    button: &str,
) -> Result<(f64, u64, u64)> {
    let browser = page.browser();
    let (s0, t0) = (source.state.usage.used(), target.state.usage.used());
    let accounts = || target.state.store.read().accounts().count();
    let before = accounts();
    // Records written: those the org's Bulk jobs processed (read without holding the store a
    // million records long, which would slow the jobs), or new accounts for a run through REST.
    let written = || {
        let jobs = target.state.bulk.ingest_list();
        if jobs.is_empty() {
            accounts() - before
        } else {
            jobs.iter()
                .filter_map(|j| {
                    let id = j["id"].as_str().unwrap_or_default();
                    target
                        .state
                        .bulk
                        .with_ingest(id, |j| j.info.processed as usize)
                })
                .sum()
        }
    };
    let start = Instant::now();
    browser.click_button(button).await?;
    browser
        .wait_for("a quarter of the records in the target", || async {
            Ok((written() >= n / 4).then_some(()))
        })
        .await?;
    let ended = || async {
        let v = browser
            .eval("return [...document.querySelectorAll('[role=status]')].map(e => e.textContent).find(t => t.startsWith('Paused.') || t.startsWith('Done.')) || null;")
            .await?;
        anyhow::Ok(v.as_str().map(str::to_string))
    };
    // Pause stops the run between calls or Bulk jobs: a run of one job ends instead. Clicked
    // in one script: finding a button by its computed role and name takes a WebDriver call per
    // button, and a renderer busy with the run answers each slowly.
    if ended().await?.is_none() {
        browser
            .eval("const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Pause'); if (b) b.click(); return !!b;")
            .await?;
    }
    let status = browser.wait_for("the run paused or done", ended).await?;
    let paused = start.elapsed().as_secs_f64();
    if status.starts_with("Done.") {
        println!("  the run ended in its last Bulk job before the pause took: nothing to resume");
        return Ok((
            paused,
            source.state.usage.used() - s0,
            target.state.usage.used() - t0,
        ));
    }
    println!(
        "  paused after {paused:.1} s with {} of {n} in the target",
        written()
    );
    browser.client().refresh().await?;
    let reloaded = Instant::now();
    let offer = page
        .wait_alert_containing(&format!("A copy to {TARGET_USERNAME} was not finished"))
        .await?;
    println!(
        "  reloaded: the unfinished run offered after {:.1} s — {offer}",
        reloaded.elapsed().as_secs_f64()
    );
    print_memory(browser, "reload", n).await?;
    let resumed = Instant::now();
    browser.click_button("Resume the copy").await?;
    page.wait_status_containing("Done.").await?;
    println!(
        "  resumed to the end in {:.1} s",
        resumed.elapsed().as_secs_f64()
    );
    Ok((
        paused + resumed.elapsed().as_secs_f64(),
        source.state.usage.used() - s0,
        target.state.usage.used() - t0,
    ))
}

#[tokio::test]
#[ignore = "a benchmark: benches/sync.sh"]
async fn bench_sync_10k() -> Result<()> {
    let n = accounts();
    let app = spawn_app_with(|config, _| config.accounts = n).await?;
    let target = spawn_second_org(&app).await?;
    let page = sign_in_to_both(&app, &target).await?;
    let browser = page.browser();
    // The source's account list, shown on signing in, loads every page first: its calls are
    // not the preview's.
    page.wait_loaded().await?;
    open_copy(browser).await?;
    crate::sync::match_on_source_id(browser, "External_Id__c").await?;
    let write = |n: &str| format!("Write {n} accounts to {TARGET_USERNAME}");
    let total = thousands(n as u64);

    let (secs, s, t, status) =
        measure(&page, &app.org, &target, "Preview changes", "to insert").await?;
    println!("{total} new accounts");
    let (preview_goal, run_goal, _, _) = goals(n);
    println!("  preview: {secs:.2} s (goal ≤ {preview_goal:.2} s), {s} calls in the source, {t} in the target (goal ≤ {} each) — {status}", n.div_ceil(2_000) + 5);
    print_memory(browser, "preview", n).await?;
    // SYNC_BENCH_BULK_FROM sets from how many records the run goes through Bulk API 2.0 (a
    // large number measures REST).
    if let Ok(from) = std::env::var("SYNC_BENCH_BULK_FROM") {
        browser
            .fill("Write through Bulk API 2.0 from", &from)
            .await?;
    }
    let engine = browser
        .by_role(
            orgbridge_e2e::Role::Field,
            "Write through Bulk API 2.0 from",
        )
        .await?
        .attr("aria-describedby")
        .await?
        .unwrap_or_default();
    let why = browser
        .eval(&format!(
            "return document.getElementById('{}').textContent;",
            engine.split_whitespace().next().unwrap_or_default()
        ))
        .await?;
    println!("  engine: {}", why.as_str().unwrap_or_default());
    let (run_secs, rs, rt) = if std::env::var("SYNC_BENCH_RESUME").is_ok() {
        paused_reloaded_resumed(&page, &app.org, &target, n, &write(&total)).await?
    } else {
        let (secs, rs, rt, _) = measure(&page, &app.org, &target, &write(&total), "Done.").await?;
        (secs, rs, rt)
    };
    println!("  run: {run_secs:.2} s (goal ≤ {run_goal:.2} s), {rs} calls in the source, {rt} in the target");
    let (copied, keys) = copied(&app.org, &target);
    println!(
        "  in the target: {copied} copies, {keys} keys (goal: {n} of each, every record once)"
    );
    anyhow::ensure!(copied == n && keys == n, "not every record once");
    println!(
        "  calls in all: {} (goal at 10,000: ≤ 60; at 1,000,000: ≤ 50 writes)",
        s + t + rs + rt
    );
    // The org's own time in each Bulk job: what of the run is not the app's.
    for job in target.state.bulk.ingest_list() {
        let id = job["id"].as_str().unwrap_or_default();
        if let Some((records, ms, bytes)) = target.state.bulk.with_ingest(id, |j| {
            (
                j.info.processed,
                j.info.processing_ms,
                j.data.as_ref().map_or(0, |d| d.len()),
            )
        }) {
            println!(
                "  Bulk job {id}: {records} records, {:.1} MB uploaded, {ms} ms of the org's processing",
                bytes as f64 / 1e6
            );
        }
    }
    print_memory(browser, "run", n).await?;

    // The next sync, with nothing changed since the last.
    browser.choose("Changed since the last sync").await?;
    let (secs, s, t, status) =
        measure(&page, &app.org, &target, "Preview changes", "to insert").await?;
    println!(
        "nothing changed since: preview {secs:.2} s, {} calls (goal: 0 writes, ≤ 10 calls) — {status}",
        s + t
    );

    // 100 changed in the source since the last sync.
    let org = Org(&app);
    let ids: Vec<String> = {
        let store = app.org.state.store.read();
        store
            .accounts()
            .filter(|r| !r.deleted)
            .take(100)
            .map(|r| r.id.clone())
            .collect()
    };
    for (i, id) in ids.iter().enumerate() {
        org.update(id, json!({"Description": format!("Changed {i}")}));
    }
    let (secs, s, t, status) =
        measure(&page, &app.org, &target, "Preview again", "to insert").await?;
    println!("100 changed: preview {secs:.2} s, {s} + {t} calls — {status}");
    let updates = status
        .split(", ")
        .find_map(|p| p.strip_suffix(" to update"))
        .unwrap_or("0")
        .to_string();
    if updates != "0" {
        // Waits for this run's own counts: the last run's "Done." may still be on screen.
        let (secs, s, t, _) = measure(
            &page,
            &app.org,
            &target,
            &write(&updates),
            &format!("0 created, {updates} updated"),
        )
        .await?;
        println!("  run: {secs:.2} s, {s} + {t} calls");
    }
    app.finish().await
}
