//! Copying accounts from one org into another: the preview says what would change and writes
//! nothing; the run writes exactly that (text byte for byte, the parent linked by its key); a
//! second preview finds nothing to do; a change in the source since the last sync is all the
//! next run writes.

use anyhow::Result;
use orgbridge_e2e::{
    spawn_app, spawn_second_org, Role, PASSWORD, TARGET_PASSWORD, TARGET_USERNAME, USERNAME,
};
use serde_json::{json, Map, Value};

use crate::page::{org_button, AccountsPage, Org};

/// Signs in to the source, then the target, and shows the source's account list again.
pub(crate) async fn sign_in_to_both<'a>(
    app: &'a orgbridge_e2e::TestApp,
    target: &devorg::RunningOrg,
) -> Result<AccountsPage<'a>> {
    let page = AccountsPage::sign_in(app).await?;
    app.add_org(target, TARGET_USERNAME, TARGET_PASSWORD)
        .await?;
    // The org just signed in to is shown once its sign-in is finished: only then may the person
    // pick another (a pick while the sign-in finishes is overtaken by it).
    page.wait_for_org(TARGET_USERNAME).await?;
    page.show_org(&org_button(USERNAME, &app.org), USERNAME)
        .await?;
    Ok(page)
}

/// Opens Copy accounts from the header.
pub(crate) async fn open_copy(browser: &orgbridge_e2e::Browser) -> Result<()> {
    browser
        .by_role(Role::Link, "Copy accounts")
        .await?
        .click()
        .await?;
    browser
        .by_role(Role::Heading, "Copy accounts between orgs")
        .await?;
    Ok(())
}

/// Matches records on the target's `field` holding the source record's Id: the accounts these
/// tests make have no key value of their own (the key proposed between devorg's default orgs is
/// `External_Id__c` matched on its own values, which their seeded accounts fill).
pub(crate) async fn match_on_source_id(
    browser: &orgbridge_e2e::Browser,
    field: &str,
) -> Result<()> {
    browser
        .field("Target External ID field")
        .await?
        .select_by_value(field)
        .await?;
    browser.field("It holds").await?.select_by_value("").await?;
    Ok(())
}

/// A target org's live accounts whose `External_Id__c` holds one of `sources`: (id, the fields
/// asked for).
fn copies_of(
    org: &devorg::RunningOrg,
    sources: &[&String],
    fields: &[&str],
) -> Vec<(String, Map<String, Value>)> {
    let store = org.state.store.read();
    let object = devorg::schema::account_object();
    let key = object.field("External_Id__c").expect("the key field");
    store
        .accounts()
        .filter(|r| !r.deleted)
        .filter(|r| {
            let k = store.account_value(r, key);
            sources.iter().any(|s| k.as_str() == Some(s.as_str()))
        })
        .map(|r| {
            let values = fields
                .iter()
                .map(|f| {
                    let field = object.field(f).expect("a field of Account");
                    (f.to_string(), store.account_value(r, field))
                })
                .collect();
            (r.id.clone(), values)
        })
        .collect()
}

#[tokio::test]
async fn accounts_are_previewed_then_copied_once_and_a_second_run_writes_nothing() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let org = Org(&app);
    let awkward = "Sync Test O'Reilly \"Media\" <b>&amp;</b> Zürich 東京 🚀";
    let long = "Lorem ipsum dolor sit amet — ".repeat(1_100);
    let long: String = long.chars().take(32_000).collect();
    let parent = org.insert(json!({"Name": "Sync Test Parent", "Industry": "Energy"}));
    let child = org.insert(json!({"Name": "Sync Test Child", "ParentId": parent}));
    let odd = org.insert(json!({"Name": awkward, "Description": long}));

    let page = sign_in_to_both(&app, &target).await?;
    let browser = page.browser();
    // The source's list, searched: the copy takes what it shows.
    assert_eq!(page.search("Sync Test", None).await?, (3, 3));

    open_copy(browser).await?;
    browser
        .choose("Those the source's account list shows now")
        .await?;
    // The key proposed: External_Id__c, an External ID in both orgs that the source fills,
    // matched on its own values. These accounts have none: matched on their source Id instead.
    let key = browser.field("Target External ID field").await?;
    assert_eq!(key.prop("value").await?.as_deref(), Some("External_Id__c"));
    let holds = browser.field("It holds").await?;
    assert_eq!(
        holds.prop("value").await?.as_deref(),
        Some("External_Id__c")
    );
    match_on_source_id(browser, "External_Id__c").await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing("3 to insert, 0 to update, 0 unchanged, 0 blocked")
        .await?;
    let ours = [&parent, &child, &odd];
    assert!(
        copies_of(&target, &ours, &[]).is_empty(),
        "a preview writes nothing"
    );

    // Sixteen minutes later (the page's clock moved on): the preview must be made again.
    browser
        .eval("window.__now = Date.now; Date.now = () => window.__now() + 16 * 60 * 1000;")
        .await?;
    browser
        .click_button(&format!("Write 3 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_alert_containing("This preview is more than 15 minutes old")
        .await?;
    assert!(copies_of(&target, &ours, &[]).is_empty(), "nothing written");
    browser.eval("Date.now = window.__now;").await?;
    browser.click_button("Preview again").await?;
    page.wait_status_containing("3 to insert, 0 to update, 0 unchanged, 0 blocked")
        .await?;
    browser
        .click_button(&format!("Write 3 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("Done.").await?;
    browser
        .by_role(Role::Heading, &format!("Writing to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("3 created, 0 updated, 0 failed")
        .await?;
    // The results as CSV: the file's text, caught as the page hands it to the browser.
    crate::page::catch_files(browser).await?;
    browser.click_button("Download the results (CSV)").await?;
    let (csv, _) = crate::page::caught_file(browser).await?;
    assert!(
        csv.starts_with("Previewed,Result,Account,Source Id,Target Id,Key,Message"),
        "{}",
        &csv[..80.min(csv.len())]
    );
    assert!(
        csv.contains(&format!("Insert,Created,Sync Test Child,{child},")),
        "one line per record"
    );
    assert!(
        csv.contains("\"Sync Test O'Reilly \"\"Media\"\" <b>&amp;</b> Zürich 東京 🚀\""),
        "quoted as CSV"
    );
    let copied = copies_of(
        &target,
        &ours,
        &["Name", "Description", "External_Id__c", "ParentId"],
    );
    let names: Vec<&Value> = copied.iter().map(|(_, v)| &v["Name"]).collect();
    assert_eq!(copied.len(), 3, "copied: {names:?}");
    let by_source = |id: &str| {
        copied
            .iter()
            .find(|(_, v)| v["External_Id__c"] == json!(id))
            .cloned()
            .unwrap_or_else(|| panic!("{id} copied"))
    };
    let (target_parent, _) = by_source(&parent);
    assert_eq!(
        by_source(&child).1["ParentId"],
        json!(target_parent),
        "the parent, by its key"
    );
    // Each row of the preview now says what the run did, linked to the record in the target.
    browser
        .by_role(Role::Link, &format!("Created {target_parent}"))
        .await?;
    let odd_copy = by_source(&odd).1;
    assert_eq!(odd_copy["Name"], json!(awkward));
    assert_eq!(
        odd_copy["Description"],
        json!(long),
        "32,000 characters, byte for byte"
    );

    // Again: nothing to write, and nothing is.
    let calls = target.state.usage.used();
    browser.click_button("Preview again").await?;
    page.wait_status_containing("0 to insert, 0 to update, 3 unchanged, 0 blocked")
        .await?;
    page.wait_status_containing("Nothing to write").await?;
    assert!(
        target.state.usage.used() - calls <= 3,
        "a few reads, no writes"
    );

    // A run over the list's search moved no watermark: "changed since" needs a full sync first,
    // or it would skip every account that search left out.
    browser
        .wait_for_text("available after a sync of all accounts")
        .await?;
    browser
        .choose(&format!("All accounts in {USERNAME}"))
        .await?;
    browser.click_button("Preview changes").await?;
    let seeded = org.live_count() - 3;
    page.wait_status_containing(&format!("{seeded} to insert, 0 to update, 3 unchanged"))
        .await?;
    browser
        .click_button(&format!("Write {seeded} accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing(&format!("{seeded} created, 0 updated, 0 failed"))
        .await?;

    // One source record changes; the next sync reads only what changed since the last.
    org.update(&child, json!({"Name": "Sync Test Child Renamed"}));
    browser.choose("Changed since the last sync").await?;
    // A new choice: the old preview goes, as it no longer says what a run would do.
    browser.click_button("Preview changes").await?;
    // Only what changed since the last sync's newest change is read (less 15 minutes for
    // transactions still committing then: those records come again, unchanged).
    let summary = page
        .wait_status_containing("0 to insert, 1 to update")
        .await?;
    assert!(summary.ends_with("0 blocked."), "{summary}");
    browser
        .click_button(&format!("Write 1 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("0 created, 1 updated, 0 failed")
        .await?;
    let copied = copies_of(&target, &ours, &["Name", "External_Id__c"]);
    assert_eq!(copied.len(), 3, "no duplicate");
    assert!(copied
        .iter()
        .any(|(_, v)| v["Name"] == json!("Sync Test Child Renamed")));
    app.finish().await
}

/// A page reload in the middle of a run: coming back, the app offers to resume it, and the rest
/// is written — every record once, the call that was out sent again safely.
#[tokio::test]
async fn a_run_interrupted_by_a_reload_resumes_with_no_duplicates() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let org = Org(&app);
    let ours: Vec<String> = (0..1_000)
        .map(|i| org.insert(json!({"Name": format!("Resume Test {i:04}")})))
        .collect();
    let ours: Vec<&String> = ours.iter().collect();
    let page = sign_in_to_both(&app, &target).await?;
    let browser = page.browser();
    assert_eq!(page.search("Resume Test", None).await?, (1_000, 1_000));
    open_copy(browser).await?;
    match_on_source_id(browser, "External_Id__c").await?;
    browser
        .choose("Those the source's account list shows now")
        .await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing("1,000 to insert").await?;

    // A slow target: three calls of 200 at once, then two more.
    target.state.faults.set_latency(1_500);
    browser
        .click_button(&format!("Write 1,000 accounts to {TARGET_USERNAME}"))
        .await?;
    browser
        .wait_for("the first calls to be written", || async {
            Ok((copies_of(&target, &ours, &[]).len() >= 600).then_some(()))
        })
        .await?;
    browser.client().refresh().await?;

    browser
        .by_role(Role::Heading, "Copy accounts between orgs")
        .await?;
    let offer = page
        .wait_alert_containing(&format!("A copy to {TARGET_USERNAME} was not finished"))
        .await?;
    assert!(offer.contains("of 1,000 accounts were written"), "{offer}");
    target.state.faults.set_latency(0);
    browser.click_button("Resume the copy").await?;
    page.wait_status_containing("Done.").await?;
    let copied = copies_of(&target, &ours, &["External_Id__c"]);
    assert_eq!(copied.len(), 1_000, "every record, once");
    let mut keys: Vec<String> = copied
        .iter()
        .map(|(_, v)| v["External_Id__c"].as_str().unwrap_or_default().to_string())
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 1_000, "no duplicates");
    app.finish().await
}

/// The starting point of the fault tests: `n` new accounts named `prefix NNNN` in the source,
/// both orgs signed in, the copy screen on them, previewed.
pub(crate) async fn previewed<'a>(
    app: &'a orgbridge_e2e::TestApp,
    target: &devorg::RunningOrg,
    prefix: &str,
    n: usize,
) -> Result<(AccountsPage<'a>, Vec<String>)> {
    let org = Org(app);
    let ids: Vec<String> = (0..n)
        .map(|i| org.insert(json!({"Name": format!("{prefix} {i:04}")})))
        .collect();
    Ok((preview_listed(app, target, prefix, n).await?, ids))
}

/// Both orgs signed in, the source's list searched for `search` (which finds `n` accounts
/// with no key value), the copy screen on them matched on the source Id, previewed.
pub(crate) async fn preview_listed<'a>(
    app: &'a orgbridge_e2e::TestApp,
    target: &devorg::RunningOrg,
    search: &str,
    n: usize,
) -> Result<AccountsPage<'a>> {
    let page = sign_in_to_both(app, target).await?;
    let browser = page.browser();
    page.search(search, None).await?;
    open_copy(browser).await?;
    match_on_source_id(browser, "External_Id__c").await?;
    browser
        .choose("Those the source's account list shows now")
        .await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing(&format!(
        "{} to insert",
        orgbridge_model::accounts::thousands(n as u64)
    ))
    .await?;
    Ok(page)
}

/// Every copy of `ids` in the target once, and no other.
fn written_once(target: &devorg::RunningOrg, ids: &[String]) {
    let refs: Vec<&String> = ids.iter().collect();
    let copied = copies_of(target, &refs, &["External_Id__c"]);
    let mut keys: Vec<String> = copied
        .iter()
        .map(|(_, v)| v["External_Id__c"].as_str().unwrap_or_default().to_string())
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(
        (copied.len(), keys.len()),
        (ids.len(), ids.len()),
        "every record, once"
    );
}

/// A busy org (503) and answers cut off after the write: those calls are sent again after a
/// pause, and as the upsert matches by key, nothing is written twice.
#[tokio::test]
async fn a_busy_org_and_lost_answers_are_retried_without_duplicates() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let (page, ids) = previewed(&app, &target, "Retry Test", 600).await?;
    app.browser.expect_console_error("503");
    app.browser
        .expect_console_error("ERR_INCOMPLETE_CHUNKED_ENCODING");
    target
        .state
        .faults
        .fail_next(2, devorg::faults::FailureMode::DropAfterWrite);
    page.browser()
        .click_button(&format!("Write 600 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("Done.").await?;
    // Two of the three calls wrote their records, but their answers were cut off: sent again,
    // they find the records by key and update them.
    page.wait_status_containing("200 created, 400 updated, 0 failed")
        .await?;
    written_once(&target, &ids);

    // Again, with the org busy for one call.
    app.org
        .state
        .store
        .write()
        .update(
            0,
            &ids[0],
            json!({"Name": "Retry Test 0000 Renamed"})
                .as_object()
                .unwrap(),
            devorg::store::now_ms(),
        )
        .expect("a change");
    page.browser().click_button("Preview again").await?;
    page.wait_status_containing("0 to insert, 1 to update")
        .await?;
    target
        .state
        .faults
        .fail_next(1, devorg::faults::FailureMode::Unavailable);
    page.browser()
        .click_button(&format!("Write 1 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("0 created, 1 updated, 0 failed")
        .await?;
    written_once(&target, &ids);
    app.finish().await
}

/// The target's refresh token is revoked mid-run: the run pauses and says why, the person signs
/// in again, and the copy screen resumes it — every record written once.
#[tokio::test]
async fn a_run_whose_target_session_ends_pauses_and_resumes_after_signing_in() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let (page, ids) = previewed(&app, &target, "Revoke Test", 1_000).await?;
    let browser = page.browser();
    app.browser.expect_console_error("401");
    app.browser.expect_console_error("400");
    target.state.faults.set_latency(1_500);
    browser
        .click_button(&format!("Write 1,000 accounts to {TARGET_USERNAME}"))
        .await?;
    let refs: Vec<&String> = ids.iter().collect();
    browser
        .wait_for("the first calls to be written", || async {
            Ok((copies_of(&target, &refs, &[]).len() >= 600).then_some(()))
        })
        .await?;
    target.state.tokens.lock().revoke_all();
    let alert = page.wait_alert_containing("The run is paused").await?;
    assert!(alert.contains("session"), "{alert}");
    target.state.faults.set_latency(0);
    let written = copies_of(&target, &refs, &[]).len();
    assert!(written < 1_000, "paused before the end: {written}");

    browser
        .click_button(&format!("Sign in again to {TARGET_USERNAME}"))
        .await?;
    orgbridge_e2e::DevorgLoginPage::wait(browser)
        .await?
        .log_in_and_allow(TARGET_USERNAME, TARGET_PASSWORD)
        .await?;
    open_copy(browser).await?;
    page.wait_alert_containing(&format!("A copy to {TARGET_USERNAME} was not finished"))
        .await?;
    browser.click_button("Resume the copy").await?;
    page.wait_status_containing("Done.").await?;
    written_once(&target, &ids);
    app.finish().await
}

/// A user's id in an org, by username.
fn user_id(org: &devorg::RunningOrg, username: &str) -> String {
    let store = org.state.store.read();
    store
        .users
        .iter()
        .find(|u| u.username == username)
        .map(|u| u.id.clone())
        .unwrap_or_else(|| panic!("no user {username}"))
}

/// Two orgs that differ as real ones do (crates/devorg/orgs): the key is the target's Source Id,
/// what the target would refuse is said before anything runs and blocks only the records it
/// hits, and owners go to the target user with the same email, or to the person.
#[tokio::test]
async fn orgs_that_differ_are_checked_before_anything_runs_and_owners_are_matched() -> Result<()> {
    let app = orgbridge_e2e::spawn_app_with(|config, _| {
        config.org = Some(devorg::org_file::OrgSpec::example_source())
    })
    .await?;
    let target = orgbridge_e2e::spawn_second_org_with(&app, |config| {
        config.org = Some(devorg::org_file::OrgSpec::example_target())
    })
    .await?;
    let org = Org(&app);
    let riley = user_id(&app.org, "riley.chen@devorg.local");
    let sam = user_id(&app.org, "sam.patel@devorg.local");
    let fits = org.insert(json!({"Name": "Differ Test Fits", "Account_Code__c": "AC-1", "Tier__c": "Gold", "OwnerId": riley}));
    let long =
        org.insert(json!({"Name": "Differ Test Long Code", "Account_Code__c": "ABCDEFGHIJKLMNOP"}));
    let bronze =
        org.insert(json!({"Name": "Differ Test Bronze", "Tier__c": "Bronze", "OwnerId": sam}));
    let page = sign_in_to_both(&app, &target).await?;
    let browser = page.browser();
    page.search("Differ Test", None).await?;
    open_copy(browser).await?;
    match_on_source_id(browser, "Source_Id__c").await?;
    let key = browser.field("Target External ID field").await?;
    assert_eq!(key.prop("value").await?.as_deref(), Some("Source_Id__c"));
    // Said before anything runs, beside the fields.
    browser
        .wait_for_text("Account Code is Text(40) in the source but Text(10) in the target")
        .await?;
    browser
        .wait_for_text("The target's Tier lacks “Bronze”")
        .await?;
    browser
        .choose("Those the source's account list shows now")
        .await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing("1 to insert, 0 to update, 0 unchanged, 2 blocked")
        .await?;
    browser
        .wait_for_text("Account Code is 16 characters long; the target allows 10")
        .await?;
    browser
        .wait_for_text("Tier: “Bronze” is not one of the target's values")
        .await?;

    browser
        .click_button(&format!("Write 1 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("1 created, 0 updated, 0 failed")
        .await?;
    let riley_there = user_id(&target, "riley.chen@target.devorg.local");
    {
        let store = target.state.store.read();
        let schema = &target.state.schema.account;
        let field = |name: &str| schema.field(name).expect("a target field");
        let copies: Vec<_> = store
            .accounts()
            .filter(|r| !r.deleted)
            .filter(|r| {
                let k = store.account_value(r, field("Source_Id__c"));
                [&fits, &long, &bronze]
                    .iter()
                    .any(|id| k.as_str() == Some(id.as_str()))
            })
            .collect();
        assert_eq!(copies.len(), 1, "only the record that fits");
        let copy = copies[0];
        assert_eq!(
            store.account_value(copy, field("Name")),
            json!("Differ Test Fits")
        );
        assert_eq!(
            store.account_value(copy, field("Account_Code__c")),
            json!("AC-1")
        );
        // Riley Chen has another username in the target, and the same email.
        assert_eq!(
            store.account_value(copy, field("OwnerId")),
            json!(riley_there)
        );
    }
    app.finish().await
}

/// The target refuses one record, one was deleted in the source since the preview, the target's
/// budget is low, then its allowance runs out: each is said, the rest is written, and the person
/// re-runs the failure and resumes the held run.
#[tokio::test]
async fn refusals_deletions_a_low_budget_and_a_used_up_allowance_are_each_handled() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    // Over nine tenths of the target's day used: the run asks first.
    target.state.usage.set_used(13_600);
    let (page, ids) = previewed(&app, &target, "Refuse Test", 5).await?;
    let browser = page.browser();
    app.org
        .state
        .store
        .write()
        .delete(0, &ids[4], devorg::store::now_ms())
        .expect("a delete");
    target.state.faults.set_collection_failures(vec![1]);

    browser
        .click_button(&format!("Write 5 accounts to {TARGET_USERNAME}"))
        .await?;
    browser
        .wait_for_text(&format!(
            "This run would leave {TARGET_USERNAME} with less than 10% of its daily API calls"
        ))
        .await?;
    browser.click_button("Run anyway").await?;
    let summary = page
        .wait_status_containing("3 created, 0 updated, 1 failed")
        .await?;
    assert!(
        summary.contains("1 deleted in the source since the preview"),
        "{summary}"
    );
    browser.by_role(Role::Link, "Refuse Test 0001").await?;
    let refs: Vec<&String> = ids.iter().collect();
    assert_eq!(copies_of(&target, &refs, &[]).len(), 3);

    browser.click_button("Re-run failures only").await?;
    page.wait_status_containing("4 created, 0 updated, 0 failed")
        .await?;
    assert_eq!(
        copies_of(&target, &refs, &[]).len(),
        4,
        "not the deleted one"
    );

    // The allowance runs out as the next run starts: it pauses, and resumes once there is room.
    app.browser.expect_console_error("403");
    Org(&app).update(&ids[0], json!({"Name": "Refuse Test 0000 Renamed"}));
    browser.click_button("Preview again").await?;
    page.wait_status_containing("0 to insert, 1 to update")
        .await?;
    target.state.usage.exhaust();
    browser
        .click_button(&format!("Write 1 accounts to {TARGET_USERNAME}"))
        .await?;
    browser.click_button("Run anyway").await?;
    let held = page.wait_alert_containing("The run is paused").await?;
    assert!(held.contains("allowance"), "{held}");
    target.state.usage.set_used(0);
    browser.click_button("Resume").await?;
    page.wait_status_containing("0 created, 1 updated, 0 failed")
        .await?;
    written_once(&target, &ids[..4]);
    app.finish().await
}

/// A child chosen without its parent: the preview lists the parent, **Copy these parents too**
/// adds it; owners with no match go to the user the person picks; the target's access token
/// expires as the run starts, and the run goes on with a refreshed one.
#[tokio::test]
async fn a_missing_parent_is_copied_too_and_unmatched_owners_go_to_the_user_picked() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let org = Org(&app);
    let parent = org.insert(json!({"Name": "Family Elder Holdings"}));
    let (page, ids) = previewed(&app, &target, "Tree Kid", 1).await?;
    let child = ids[0].clone();
    // The child gets its parent, which is not among the accounts chosen.
    org.update(&child, json!({ "ParentId": parent }));
    let browser = page.browser();
    browser.click_button("Preview again").await?;
    page.wait_status_containing("1 to insert").await?;
    browser
        .client()
        .find(fantoccini::Locator::Css(".ob-sync-missing summary"))
        .await?
        .click()
        .await?;
    browser.wait_for_text("Family Elder Holdings").await?;
    browser.click_button("Copy these parents too").await?;
    page.wait_status_containing("2 to insert, 0 to update")
        .await?;

    let riley = "riley.chen@target.devorg.local";
    browser
        .client()
        .find(fantoccini::Locator::Css(".ob-sync-owners summary"))
        .await?
        .click()
        .await?;
    let riley_label = format!("Riley Chen ({riley})");
    browser
        .field("Owners with no match go to")
        .await?
        .select_by_label(&riley_label)
        .await?;
    page.wait_status_containing("2 to insert, 0 to update")
        .await?;
    browser
        .wait_for_text(&format!("Owner ID: {riley_label}"))
        .await?;

    // The browser logs the 401 the refresh then cures.
    app.browser.expect_console_error("401");
    target
        .state
        .tokens
        .lock()
        .expire_all_access(std::time::Instant::now());
    browser
        .click_button(&format!("Write 2 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("2 created, 0 updated, 0 failed")
        .await?;
    let ours = [&parent, &child];
    let copied = copies_of(&target, &ours, &["External_Id__c", "ParentId", "OwnerId"]);
    let by_source = |id: &str| {
        copied
            .iter()
            .find(|(_, v)| v["External_Id__c"] == json!(id))
            .cloned()
            .expect("copied")
    };
    assert_eq!(by_source(&child).1["ParentId"], json!(by_source(&parent).0));
    assert_eq!(
        by_source(&child).1["OwnerId"],
        json!(user_id(&target, riley))
    );
    app.finish().await
}

/// A target with no External ID field to match on: the screen says how an admin adds one, and
/// nothing can be previewed until then.
#[tokio::test]
async fn a_target_with_no_key_field_says_how_to_add_one() -> Result<()> {
    let app = spawn_app().await?;
    let no_keys = devorg::org_file::OrgSpec::from_value(json!({
        "account": {"remove": ["External_Id__c", "Legacy_Number__c"]}
    }))?;
    let target = orgbridge_e2e::spawn_second_org_with(&app, |c| c.org = Some(no_keys)).await?;
    let page = sign_in_to_both(&app, &target).await?;
    let browser = page.browser();
    open_copy(browser).await?;
    let alert = page
        .wait_alert_containing("The target has no External ID field to match records on")
        .await?;
    assert!(
        alert.contains("Length 18") && alert.contains("External ID"),
        "{alert}"
    );
    let preview = browser.button("Preview changes").await?;
    assert_eq!(preview.attr("disabled").await?.as_deref(), Some("true"));
    app.finish().await
}

/// Pause stops the run after the calls out; nothing more is sent until Resume, which writes the
/// rest, every record once.
#[tokio::test]
async fn a_paused_run_sends_nothing_more_until_it_resumes() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let (page, ids) = previewed(&app, &target, "Pause Test", 1_000).await?;
    let browser = page.browser();
    target.state.faults.set_latency(1_000);
    browser
        .click_button(&format!("Write 1,000 accounts to {TARGET_USERNAME}"))
        .await?;
    browser.click_button("Pause").await?;
    page.wait_status_containing("Paused. Nothing more is sent until you resume.")
        .await?;
    let refs: Vec<&String> = ids.iter().collect();
    let written = copies_of(&target, &refs, &[]).len();
    assert!(written < 1_000, "{written}");
    // The page says Paused only once the run has stopped: the calls out have come back.
    assert!(page.browser().button("Resume").await.is_ok());
    target.state.faults.set_latency(0);
    browser.click_button("Resume").await?;
    page.wait_status_containing("Done.").await?;
    written_once(&target, &ids);
    app.finish().await
}

/// The rows selected in the source's list, matched on a target External ID field fed from a
/// source field: the two are copied, and again they are unchanged.
#[tokio::test]
async fn selected_rows_can_be_matched_on_a_field_of_the_source() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let org = Org(&app);
    for (name, number) in [
        ("Pick Me One", "PM-1"),
        ("Pick Me Two", "PM-2"),
        ("Leave Me", "PM-3"),
    ] {
        org.insert(json!({"Name": name, "Legacy_Number__c": number}));
    }
    let page = sign_in_to_both(&app, &target).await?;
    let browser = page.browser();
    page.search("Me", Some("Account Name")).await?;
    page.select_rows(&["Pick Me One", "Pick Me Two"]).await?;
    open_copy(browser).await?;
    browser
        .choose("The 2 rows selected in the source's account list")
        .await?;
    // Legacy Number is an External ID but not unique in the target: refused, with the reason.
    browser
        .field("Target External ID field")
        .await?
        .select_by_value("Legacy_Number__c")
        .await?;
    let refused = page
        .wait_alert_containing("is not unique in the target")
        .await?;
    assert!(refused.contains("View All Data"), "{refused}");
    assert_eq!(
        browser
            .button("Preview changes")
            .await?
            .attr("disabled")
            .await?
            .as_deref(),
        Some("true")
    );
    browser
        .field("Target External ID field")
        .await?
        .select_by_value("External_Id__c")
        .await?;
    browser
        .field("It holds")
        .await?
        .select_by_label("The source field Legacy Number (Legacy_Number__c)")
        .await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing("2 to insert, 0 to update, 0 unchanged, 0 blocked")
        .await?;
    browser
        .click_button(&format!("Write 2 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("2 created, 0 updated, 0 failed")
        .await?;
    let numbers = |v: &str| {
        let store = target.state.store.read();
        let f = devorg::schema::account_object()
            .field("Legacy_Number__c")
            .expect("a field");
        store
            .accounts()
            .filter(|r| !r.deleted && store.account_value(r, f) == json!(v))
            .count()
    };
    assert_eq!(
        (numbers("PM-1"), numbers("PM-2"), numbers("PM-3")),
        (1, 1, 0)
    );
    browser.click_button("Preview again").await?;
    page.wait_status_containing("0 to insert, 0 to update, 2 unchanged, 0 blocked")
        .await?;
    app.finish().await
}

/// Cancel stops the run after the calls out; the records not yet sent are not written, and the
/// run is not offered again after a reload.
#[tokio::test]
async fn a_cancelled_run_writes_no_more_and_is_not_offered_again() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    let (page, ids) = previewed(&app, &target, "Cancel Test", 1_000).await?;
    let browser = page.browser();
    target.state.faults.set_latency(1_000);
    browser
        .click_button(&format!("Write 1,000 accounts to {TARGET_USERNAME}"))
        .await?;
    browser.click_button("Cancel").await?;
    page.wait_status_containing("Cancelled. Records not yet sent were not written.")
        .await?;
    target.state.faults.set_latency(0);
    let refs: Vec<&String> = ids.iter().collect();
    let written = copies_of(&target, &refs, &[]).len();
    assert!(written < 1_000, "{written}");
    browser.client().refresh().await?;
    browser
        .by_role(Role::Heading, "Copy accounts between orgs")
        .await?;
    browser.field("Target External ID field").await?;
    // What the browser keeps of runs: nothing once cancelled.
    let kept = browser
        .eval(
            "return new Promise(done => { const open = indexedDB.open('orgbridge'); \
             open.onsuccess = () => { const keys = open.result.transaction('runs').objectStore('runs').getAllKeys(); \
             keys.onsuccess = () => done(keys.result.length); }; open.onerror = () => done(-1); });",
        )
        .await?;
    assert_eq!(kept, json!(0), "a cancelled run is not kept to resume");
    assert_eq!(copies_of(&target, &refs, &[]).len(), written);
    app.finish().await
}

/// The preview's rows as the table shows them now: (outcome, account name) per row.
async fn preview_rows(browser: &orgbridge_e2e::Browser) -> Result<Vec<(String, String)>> {
    let rows = browser
        .eval(
            "return [...document.querySelectorAll('.ob-sync-table tbody tr.ob-sync-row')]\
             .map(r => [r.cells[0].textContent.trim(), r.cells[1].textContent.trim()]);",
        )
        .await?;
    Ok(serde_json::from_value(rows)?)
}

/// Clicks the filter `label` and waits for the table to show exactly `want`.
async fn filter_shows(
    browser: &orgbridge_e2e::Browser,
    label: &str,
    want: &[(&str, &str)],
) -> Result<()> {
    browser.click_button(label).await?;
    let pressed = browser.button(label).await?.attr("aria-pressed").await?;
    assert_eq!(pressed.as_deref(), Some("true"), "{label} is pressed");
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(o, n)| (o.to_string(), n.to_string()))
        .collect();
    browser
        .wait_for(&format!("{label} to show {want:?}"), || async {
            let rows = preview_rows(browser).await?;
            Ok((rows == want).then_some(()))
        })
        .await
}

/// The outcome badges cut off in their cell (an ellipsis, or past the cell's edge), by text.
async fn clipped_badges(browser: &orgbridge_e2e::Browser) -> Result<Vec<String>> {
    let clipped = browser
        .eval(
            "return [...document.querySelectorAll('.ob-sync-table tr.ob-sync-row td:first-child')]\
             .filter(td => { const b = td.querySelector('.ob-sync-outcome').getBoundingClientRect(); \
                             const c = td.getBoundingClientRect(); \
                             return td.scrollWidth > td.clientWidth || b.right > c.right || b.width === 0; })\
             .map(td => td.textContent.trim());",
        )
        .await?;
    Ok(serde_json::from_value(clipped)?)
}

/// The outcome filters each show their own rows, also between two of the same count (one
/// Insert, one Blocked; later one Unchanged, one Blocked), and every outcome's badge is whole.
#[tokio::test]
async fn each_outcome_filter_shows_its_own_rows_and_no_badge_is_cut_off() -> Result<()> {
    let app = orgbridge_e2e::spawn_app_with(|config, _| {
        config.org = Some(devorg::org_file::OrgSpec::example_source())
    })
    .await?;
    let target = orgbridge_e2e::spawn_second_org_with(&app, |config| {
        config.org = Some(devorg::org_file::OrgSpec::example_target())
    })
    .await?;
    let org = Org(&app);
    org.insert(json!({"Name": "Filter Test Fits", "Tier__c": "Gold"}));
    // The target's Tier has no Bronze: blocked.
    org.insert(json!({"Name": "Filter Test Bronze", "Tier__c": "Bronze"}));
    let page = sign_in_to_both(&app, &target).await?;
    let browser = page.browser();
    page.search("Filter Test", None).await?;
    open_copy(browser).await?;
    match_on_source_id(browser, "Source_Id__c").await?;
    browser
        .choose("Those the source's account list shows now")
        .await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing("1 to insert, 0 to update, 0 unchanged, 1 blocked")
        .await?;
    filter_shows(browser, "Insert (1)", &[("Insert", "Filter Test Fits")]).await?;
    filter_shows(browser, "Blocked (1)", &[("Blocked", "Filter Test Bronze")]).await?;
    filter_shows(browser, "Insert (1)", &[("Insert", "Filter Test Fits")]).await?;
    browser.click_button("All (2)").await?;
    assert_eq!(
        clipped_badges(browser).await?,
        Vec::<String>::new(),
        "the Insert and Blocked badges are whole"
    );

    browser
        .click_button(&format!("Write 1 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("1 created, 0 updated, 0 failed")
        .await?;
    browser.click_button("Preview again").await?;
    page.wait_status_containing("0 to insert, 0 to update, 1 unchanged, 1 blocked")
        .await?;
    filter_shows(browser, "Blocked (1)", &[("Blocked", "Filter Test Bronze")]).await?;
    filter_shows(
        browser,
        "Unchanged (1)",
        &[("Unchanged", "Filter Test Fits")],
    )
    .await?;
    assert_eq!(
        clipped_badges(browser).await?,
        Vec::<String>::new(),
        "the Unchanged badge is whole"
    );
    app.finish().await
}

/// Two users of one org are two entries in the org bar, but one org: picked as source and
/// target, the copy screen says why it cannot copy an org into itself, and offers nothing else.
#[tokio::test]
async fn one_org_signed_in_as_two_users_is_never_both_source_and_target() -> Result<()> {
    let app = spawn_app().await?;
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let riley = "riley.chen@devorg.local";
    app.add_org(&app.org, riley, PASSWORD).await?;
    browser
        .by_role(Role::Button, &org_button(riley, &app.org))
        .await?;
    page.wait_loaded().await?;
    open_copy(browser).await?;
    let org_id = app.org.state.org.org_id.clone();
    browser
        .field("Copy from (source)")
        .await?
        .select_by_label(&format!("{USERNAME} · {org_id}"))
        .await?;
    browser
        .field("Copy to (target)")
        .await?
        .select_by_label(&format!("{riley} · {org_id}"))
        .await?;
    let alert = page
        .wait_alert_containing("The source and the target are the same org")
        .await?;
    assert_eq!(
        alert,
        format!(
            "The source and the target are the same org ({org_id}) signed in as two users ({USERNAME} and {riley}): copying would write its accounts into itself. Choose two different orgs."
        )
    );
    // Nothing else of the copy screens: no budgets, no choices, no preview to make.
    let offered = browser
        .eval(
            "return [...document.querySelectorAll('button')].filter(b => /Preview/.test(b.textContent)).length \
             + document.querySelectorAll('.ob-sync-budgets, .ob-sync-group, .ob-sync-key, .ob-sync-preview').length;",
        )
        .await?;
    assert_eq!(offered, json!(0), "no preview offered");
    app.finish().await
}
