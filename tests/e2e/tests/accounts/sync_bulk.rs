//! The copy through Bulk API 2.0, end to end on two devorgs: above the number of records the
//! person sets, the run goes up as ingest jobs (parents' job before children's), the screen says
//! so and shows the job, and the target holds each record once, byte for byte.

use anyhow::Result;
use orgbridge_e2e::{spawn_app, spawn_second_org, TARGET_USERNAME};
use serde_json::{json, Value};

use crate::page::Org;
use crate::sync::{preview_listed, previewed};

/// The target's live accounts whose `External_Id__c` is one of `sources`: (key, Name, ParentId).
fn copies(org: &devorg::RunningOrg, sources: &[String]) -> Vec<(String, Value, Value, String)> {
    let store = org.state.store.read();
    let object = devorg::schema::account_object();
    let f = |n: &str| object.field(n).expect("a field");
    store
        .accounts()
        .filter(|r| !r.deleted)
        .filter_map(|r| {
            let key = store.account_value(r, f("External_Id__c"));
            let key = key
                .as_str()
                .filter(|k| sources.iter().any(|s| s == k))?
                .to_string();
            Some((
                key,
                store.account_value(r, f("Name")),
                store.account_value(r, f("ParentId")),
                r.id.clone(),
            ))
        })
        .collect()
}

#[tokio::test]
async fn a_copy_above_the_threshold_goes_through_bulk_and_writes_each_record_once() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let org = Org(&app);
    let names = [
        "Bulk Test Parent",
        "Bulk Test, \"Quoted\" Co",
        "Bulk Test =HYPERLINK(\"http://x\")",
        "Bulk Test Zürich 東京",
        "Bulk Test Line\nBreak",
    ];
    let mut ids: Vec<String> = names
        .iter()
        .map(|n| org.insert(json!({ "Name": n })))
        .collect();
    ids.push(org.insert(json!({"Name": "Bulk Test Child", "ParentId": ids[0]})));

    let page = preview_listed(&app, &target, "Bulk Test", 6).await?;
    let browser = page.browser();
    // Under the default of 2,000: REST.
    browser
        .wait_for_text(
            "REST (sObject Collections, 200 per call): 6 records to write is under 2,000.",
        )
        .await?;

    // A number that is not one is said, and changes nothing.
    browser
        .fill("Write through Bulk API 2.0 from", "five")
        .await?;
    page.wait_alert_containing("“five” is not a number of records")
        .await?;
    browser
        .wait_for_text("6 records to write is under 2,000")
        .await?;
    browser.fill("Write through Bulk API 2.0 from", "5").await?;
    browser
        .wait_for_text(
            "Bulk API 2.0: 6 records to write is at least 5, where Salesforce advises Bulk.",
        )
        .await?;

    let calls_before = target.state.usage.used();
    browser
        .click_button(&format!("Write 6 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("Done.").await?;
    page.wait_status_containing("6 created, 0 updated, 0 failed")
        .await?;
    // The last job, the children's, is shown as the org left it.
    browser.wait_for_text("Bulk API 2.0 job 2 of 2").await?;
    browser
        .wait_for_text("JobComplete, 1 records processed, 0 failed")
        .await?;

    let copied = copies(&target, &ids);
    assert_eq!(copied.len(), 6, "each record once: {copied:?}");
    for (n, name) in names.iter().enumerate() {
        let copy = copied.iter().find(|c| c.0 == ids[n]).expect("copied");
        assert_eq!(copy.1, json!(name), "byte for byte");
    }
    let parent = copied.iter().find(|c| c.0 == ids[0]).unwrap().3.clone();
    let child = copied.iter().find(|c| c.0 == ids[5]).unwrap();
    assert_eq!(child.2, json!(parent), "the parent, by its key");
    // A handful of calls: two jobs of create, upload, close, polls and two result files, and the
    // conflict check's none (nothing to update).
    let calls = target.state.usage.used() - calls_before;
    assert!(calls <= 20, "{calls} calls in the target");

    // The threshold is kept for this pair of orgs: one change is under it, so REST.
    org.update(&ids[1], json!({"Name": "Bulk Test Renamed"}));
    browser.click_button("Preview again").await?;
    page.wait_status_containing("0 to insert, 1 to update, 5 unchanged")
        .await?;
    let kept = browser.field("Write through Bulk API 2.0 from").await?;
    assert_eq!(kept.prop("value").await?.as_deref(), Some("5"));
    browser
        .wait_for_text("1 records to write is under 5")
        .await?;
    browser
        .click_button(&format!("Write 1 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("0 created, 1 updated, 0 failed")
        .await?;
    let copied = copies(&target, &ids);
    assert_eq!(copied.len(), 6);
    assert!(copied.iter().any(|c| c.1 == json!("Bulk Test Renamed")));
    app.finish().await
}

#[tokio::test]
async fn a_browser_that_cannot_keep_the_run_says_so_and_writes_only_when_asked() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let org = Org(&app);
    let ids = vec![
        org.insert(json!({"Name": "Unkept Test One"})),
        org.insert(json!({"Name": "Unkept Test Two"})),
    ];
    let page = preview_listed(&app, &target, "Unkept Test", 2).await?;
    let browser = page.browser();
    // The site's storage is full.
    browser
        .eval("IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };")
        .await?;
    browser
        .click_button(&format!("Write 2 accounts to {TARGET_USERNAME}"))
        .await?;
    let said = page
        .wait_alert_containing("This browser could not keep the run")
        .await?;
    assert!(
        said.contains("storage in the browser is full") && said.contains("Nothing was written"),
        "{said}"
    );
    assert!(
        copies(&target, &ids).is_empty(),
        "nothing written before the person chose"
    );
    browser.click_button("Resume").await?;
    page.wait_status_containing("2 created, 0 updated, 0 failed")
        .await?;
    page.wait_status_containing("Not kept in this browser")
        .await?;
    assert_eq!(copies(&target, &ids).len(), 2);
    app.finish().await
}

/// `n` new source accounts named `prefix NNNN`, both orgs signed in, previewed, and the run
/// set to go through Bulk from 1 record.
async fn bulk_previewed<'a>(
    app: &'a orgbridge_e2e::TestApp,
    target: &devorg::RunningOrg,
    prefix: &str,
    n: usize,
) -> Result<(crate::page::AccountsPage<'a>, Vec<String>)> {
    let (page, ids) = previewed(app, target, prefix, n).await?;
    let browser = page.browser();
    browser.fill("Write through Bulk API 2.0 from", "1").await?;
    browser
        .wait_for_text(&format!("Bulk API 2.0: {n} records to write is at least 1"))
        .await?;
    Ok((page, ids))
}

#[tokio::test]
async fn a_job_the_org_fails_is_said_and_its_records_go_again_with_re_run_failures_only(
) -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let (page, ids) = bulk_previewed(&app, &target, "Failing Job", 3).await?;
    let browser = page.browser();
    target
        .state
        .bulk
        .fail_next_job("The daily limit of Bulk API batches was reached");
    browser
        .click_button(&format!("Write 3 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("0 created, 0 updated, 3 failed")
        .await?;
    browser
        .wait_for_text("Failed, 0 records processed, 0 failed. The org says: The daily limit of Bulk API batches was reached")
        .await?;
    // Each record is listed with why.
    let table = browser
        .by_role(orgbridge_e2e::Role::Table, "Records that failed")
        .await?
        .text()
        .await?;
    assert_eq!(
        table
            .matches("Not written: the org failed the Bulk job (The daily limit of Bulk API batches was reached).")
            .count(),
        3,
        "{table}"
    );
    assert!(copies(&target, &ids).is_empty());

    browser.click_button("Re-run failures only").await?;
    page.wait_status_containing("3 created, 0 updated, 0 failed")
        .await?;
    assert_eq!(copies(&target, &ids).len(), 3, "each once");
    app.finish().await
}

#[tokio::test]
async fn a_reload_while_a_job_runs_follows_that_job_through_an_expired_session_with_no_duplicate(
) -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let (page, ids) = bulk_previewed(&app, &target, "Held Job", 4).await?;
    let browser = page.browser();
    target.state.bulk.hold(true);
    browser
        .click_button(&format!("Write 4 accounts to {TARGET_USERNAME}"))
        .await?;
    browser.wait_for_text("InProgress").await?;
    browser.client().refresh().await?;
    browser
        .by_role(orgbridge_e2e::Role::Heading, "Copy accounts between orgs")
        .await?;
    page.wait_alert_containing(&format!("A copy to {TARGET_USERNAME} was not finished"))
        .await?;
    // The session ends while the job runs: the client signs in again with its refresh token
    // (the browser logs the 401 the refresh then cures).
    app.browser.expect_console_error("401");
    target
        .state
        .tokens
        .lock()
        .expire_all_access(std::time::Instant::now());
    browser.click_button("Resume the copy").await?;
    browser.wait_for_text("InProgress").await?;
    target.state.bulk.hold(false);
    page.wait_status_containing("Done.").await?;
    page.wait_status_containing("4 created, 0 updated, 0 failed")
        .await?;
    assert_eq!(copies(&target, &ids).len(), 4, "each record once");
    assert_eq!(
        target.state.bulk.ingest_list().len(),
        1,
        "the job was found again, never made twice"
    );
    app.finish().await
}

#[tokio::test]
async fn progress_the_browser_cannot_keep_mid_run_is_said_and_the_run_goes_on() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let (page, ids) = bulk_previewed(&app, &target, "Quota Midway", 3).await?;
    let browser = page.browser();
    // The plan is kept; then the site's storage fills up, before the first progress record.
    browser
        .eval("const put = IDBObjectStore.prototype.put; IDBObjectStore.prototype.put = function (value, key) { if (String(key).endsWith('/progress')) { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); } return put.call(this, value, key); };")
        .await?;
    browser
        .click_button(&format!("Write 3 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("3 created, 0 updated, 0 failed")
        .await?;
    let said = page
        .wait_status_containing("Not kept in this browser")
        .await?;
    assert!(said.contains("storage in the browser is full"), "{said}");
    assert_eq!(copies(&target, &ids).len(), 3);
    app.finish().await
}

/// An upload whose answer is cut off: the app cannot tell how much of it the org has, so it
/// aborts that job, before the org processes it, and uploads again in a new one. Each record is
/// in the target once.
#[tokio::test]
async fn an_upload_cut_off_mid_way_goes_again_in_a_new_job_with_no_duplicate() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let (page, ids) = bulk_previewed(&app, &target, "Cut Upload", 3).await?;
    let browser = page.browser();
    app.browser
        .expect_console_error("ERR_INCOMPLETE_CHUNKED_ENCODING");
    target.state.faults.fail_next_on(
        1,
        devorg::faults::FailureMode::DropAfterWrite,
        Some("/batches"),
    );
    browser
        .click_button(&format!("Write 3 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("3 created, 0 updated, 0 failed")
        .await?;
    browser
        .wait_for_text("JobComplete, 3 records processed, 0 failed")
        .await?;
    assert_eq!(target.state.faults.pending_failures(), None, "the cut came");
    let states: Vec<String> = target
        .state
        .bulk
        .ingest_list()
        .iter()
        .map(|j| j["state"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(states, ["Aborted", "JobComplete"], "the cut job never ran");
    let copied = copies(&target, &ids);
    assert_eq!(copied.len(), 3, "each record once: {copied:?}");
    app.finish().await
}

/// Some rows of a job fail in the org: here a child whose parent was deleted in the target
/// after the preview (its `Parent.External_Id__c` no longer finds a record). Each failure is
/// listed with the org's words, the rest is written, and once the parent is back, **Re-run
/// failures only** writes the child, once, under it.
#[tokio::test]
async fn rows_a_job_fails_are_listed_and_written_by_re_run_failures_only() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let org = Org(&app);
    let parent = org.insert(json!({"Name": "Partial Parent"}));
    let ids = vec![
        org.insert(json!({"Name": "Partial Test Child", "ParentId": parent})),
        org.insert(json!({"Name": "Partial Test Alone"})),
    ];
    // The parent was copied before: the target has it, by its key.
    let copy_parent = |name: &str| {
        let body = json!({"Name": name, "External_Id__c": parent});
        let mut store = target.state.store.write();
        store
            .insert(
                body.as_object().expect("an object"),
                devorg::store::now_ms(),
            )
            .expect("a valid account")
            .0
    };
    let first = copy_parent("Partial Parent");
    let page = preview_listed(&app, &target, "Partial Test", 2).await?;
    let browser = page.browser();
    browser.fill("Write through Bulk API 2.0 from", "1").await?;
    browser
        .wait_for_text("Bulk API 2.0: 2 records to write is at least 1")
        .await?;
    // Someone deletes the parent in the target before the run.
    target
        .state
        .store
        .write()
        .delete(0, &first, devorg::store::now_ms())
        .expect("deleted");
    browser
        .click_button(&format!("Write 2 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("1 created, 0 updated, 1 failed")
        .await?;
    let table = browser
        .by_role(orgbridge_e2e::Role::Table, "Records that failed")
        .await?
        .text()
        .await?;
    assert!(
        table.contains("Partial Test Child") && table.contains(&parent),
        "the child, with the org's words naming the key it did not find: {table}"
    );
    assert!(!table.contains("Partial Test Alone"), "{table}");
    assert_eq!(copies(&target, &ids).len(), 1, "the rest is written");

    let again = copy_parent("Partial Parent Again");
    browser.click_button("Re-run failures only").await?;
    page.wait_status_containing("2 created, 0 updated, 0 failed")
        .await?;
    let copied = copies(&target, &ids);
    assert_eq!(copied.len(), 2, "each once: {copied:?}");
    let child = copied.iter().find(|c| c.0 == ids[0]).expect("the child");
    assert_eq!(child.2, json!(again), "under the parent the target has now");
    app.finish().await
}
