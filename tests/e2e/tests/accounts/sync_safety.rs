//! The copy an admin can trust with production data, end to end on two devorgs: the watermark
//! moves only after a full sync; the key proposed holds the source Id in a field made for it; a
//! record edited in the target after the preview is reported, not overwritten; deletions are
//! carried over only when asked for; a second run writes nothing; and the target holds exactly
//! that afterwards (untouched records not even re-stamped). That an update body carries only
//! what changes is `orgbridge-sync`'s native test (`an_update_carries_the_key_and_only_what_changes`).

use anyhow::Result;
use orgbridge_e2e::{spawn_app, spawn_second_org_with, Role, TARGET_USERNAME};
use serde_json::{json, Map, Value};

use crate::page::{AccountsPage, Org};
use crate::sync::{open_copy, sign_in_to_both};

/// A target whose key field is made to hold the source Id, and no other External ID.
fn target_org() -> devorg::OrgSpec {
    devorg::OrgSpec::from_value(json!({
        "account": {
            "remove": ["External_Id__c"],
            "fields": [{"name": "Source_Id__c", "label": "Source Id", "type": "Text", "length": 18,
                        "externalId": true, "unique": true}]
        }
    }))
    .expect("a valid org file")
}

/// The target's live accounts: by `Source_Id__c`, the fields asked for (with its Id and
/// SystemModstamp).
fn target_copies(org: &devorg::RunningOrg, fields: &[&str]) -> Vec<Map<String, Value>> {
    let store = org.state.store.read();
    let object = &org.state.schema.account;
    let field = |f: &str| object.field(f).unwrap_or_else(|| panic!("no {f}"));
    store
        .accounts()
        .filter(|r| !r.deleted)
        .map(|r| {
            let mut values: Map<String, Value> = fields
                .iter()
                .chain(&["Source_Id__c", "SystemModstamp"])
                .map(|f| (f.to_string(), store.account_value(r, field(f))))
                .collect();
            values.insert("Id".into(), json!(r.id));
            values
        })
        .filter(|v| !v["Source_Id__c"].is_null())
        .collect()
}

fn copy_of<'a>(copies: &'a [Map<String, Value>], source_id: &str) -> &'a Map<String, Value> {
    copies
        .iter()
        .find(|c| c["Source_Id__c"] == json!(source_id))
        .unwrap_or_else(|| panic!("no copy of {source_id}"))
}

/// Changes an account in `org` directly, as someone else would.
fn edit(org: &devorg::RunningOrg, id: &str, fields: Value) {
    let body: Map<String, Value> = serde_json::from_value(fields).expect("an object");
    org.state
        .store
        .write()
        .update(0, id, &body, devorg::store::now_ms())
        .expect("a valid change");
}

/// Clicks the run's button (`Write 3 accounts to …`) and waits for the run's results, one of
/// which contains `then`.
/// Both orgs signed in, the copy screen on all the source's accounts, Preview changes pressed.
async fn all_previewed<'a>(
    app: &'a orgbridge_e2e::TestApp,
    target: &devorg::RunningOrg,
) -> Result<AccountsPage<'a>> {
    let page = sign_in_to_both(app, target).await?;
    let browser = page.browser();
    open_copy(browser).await?;
    browser
        .choose(&format!("All accounts in {}", orgbridge_e2e::USERNAME))
        .await?;
    browser.click_button("Preview changes").await?;
    Ok(page)
}

async fn write(page: &AccountsPage<'_>, button: &str, then: &str) -> Result<String> {
    page.browser().click_button(button).await?;
    page.wait_status_containing("Done.").await?;
    page.wait_status_containing(then).await
}

#[tokio::test]
async fn a_sync_never_skips_duplicates_or_overwrites_by_surprise() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org_with(&app, |c| c.org = Some(target_org())).await?;
    let source = Org(&app);
    let ids: Vec<String> = ["Alpha", "Bravo", "Charlie", "Delta"]
        .iter()
        .map(|n| source.insert(json!({"Name": format!("Safety {n}"), "Phone": "+44 20 0000 0000"})))
        .collect();
    let [alpha, bravo, charlie, delta] = [&ids[0], &ids[1], &ids[2], &ids[3]];
    let everyone = source.live_count();

    let page = sign_in_to_both(&app, &target).await?;
    let browser = page.browser();
    page.search("Safety Alpha", None).await?;
    page.select_rows(&["Safety Alpha"]).await?;
    open_copy(browser).await?;
    // The key proposed is the target field made to hold the source Id.
    let key = browser.field("Target External ID field").await?;
    assert_eq!(key.prop("value").await?.as_deref(), Some("Source_Id__c"));
    assert_eq!(
        browser
            .field("It holds")
            .await?
            .prop("value")
            .await?
            .as_deref(),
        Some(""),
        "the source record's Id"
    );

    // A run over the selected row only: "changed since" stays off, so no older account is
    // skipped later.
    browser
        .choose("The 1 rows selected in the source's account list")
        .await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing("1 to insert").await?;
    write(
        &page,
        &format!("Write 1 accounts to {TARGET_USERNAME}"),
        "1 created",
    )
    .await?;
    let since = browser
        .by_role(Role::Radio, "Changed since the last sync")
        .await?;
    assert_eq!(since.prop("disabled").await?.as_deref(), Some("true"));
    browser
        .wait_for_text("available after a sync of all accounts")
        .await?;

    // The full sync: every account, the one already there unchanged.
    browser
        .choose(&format!("All accounts in {}", orgbridge_e2e::USERNAME))
        .await?;
    browser.click_button("Preview changes").await?;
    let inserts = everyone - 1;
    page.wait_status_containing(&format!(
        "{inserts} to insert, 0 to update, 1 unchanged, 0 blocked"
    ))
    .await?;
    write(
        &page,
        &format!("Write {inserts} accounts to {TARGET_USERNAME}"),
        &format!("{inserts} created, 0 updated, 0 failed"),
    )
    .await?;
    let first = target_copies(&target, &["Name", "Phone"]);
    assert_eq!(first.len(), everyone);

    // Edits on both sides. The target changes Charlie's phone (the preview shows it put back);
    // the source renames Alpha, Bravo and Charlie, and deletes Delta.
    edit(
        &target,
        copy_of(&first, charlie)["Id"].as_str().unwrap(),
        json!({"Phone": "+1 target's own"}),
    );
    for (id, name) in [
        (alpha, "Safety Alpha 2"),
        (bravo, "Safety Bravo 2"),
        (charlie, "Safety Charlie 2"),
    ] {
        source.update(id, json!({"Name": name}));
    }
    app.org
        .state
        .store
        .write()
        .delete(0, delta, devorg::store::now_ms())
        .expect("deleted");

    browser.choose("Changed since the last sync").await?;
    browser.click_button("Preview changes").await?;
    let summary = page
        .wait_status_containing("0 to insert, 3 to update")
        .await?;
    assert!(
        !summary.contains("to delete"),
        "deletions only when asked: {summary}"
    );
    // Charlie's update carries its name, not the phone the target changed.
    browser
        .wait_for_text("Safety Charlie → Safety Charlie 2")
        .await?;

    // Now with deletions: Delta's copy is to be deleted.
    page.checkbox(&format!(
        "Also delete in {TARGET_USERNAME} what was deleted in the source since the last sync"
    ))
    .await?
    .click()
    .await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing("0 to insert, 3 to update, 0 unchanged, 0 blocked, 1 to delete")
        .await?;
    // After the preview, someone edits Bravo in the target.
    let bravo_copy = copy_of(&first, bravo)["Id"].as_str().unwrap().to_string();
    edit(
        &target,
        &bravo_copy,
        json!({"Name": "Bravo as the target has it"}),
    );
    let results = write(
        &page,
        &format!("Write 3 accounts and delete 1 in {TARGET_USERNAME}"),
        "2 updated, 0 failed",
    )
    .await?;
    assert!(results.contains("1 deleted"), "{results}");
    assert!(
        results.contains("1 changed in the target since the preview"),
        "{results}"
    );

    let now = target_copies(&target, &["Name", "Phone"]);
    assert_eq!(
        now.len(),
        everyone - 1,
        "Delta's copy deleted, nothing else"
    );
    assert!(now.iter().all(|c| c["Source_Id__c"] != json!(delta)));
    assert_eq!(copy_of(&now, alpha)["Name"], json!("Safety Alpha 2"));
    assert_eq!(
        copy_of(&now, bravo)["Name"],
        json!("Bravo as the target has it"),
        "not overwritten"
    );
    let charlie_now = copy_of(&now, charlie);
    assert_eq!(charlie_now["Name"], json!("Safety Charlie 2"));
    assert_eq!(
        charlie_now["Phone"],
        json!("+44 20 0000 0000"),
        "as previewed"
    );

    // Preview again: Bravo shows the target's edit before anything is written over it.
    browser.click_button("Preview again").await?;
    page.wait_status_containing("0 to insert, 1 to update")
        .await?;
    browser
        .wait_for_text("Bravo as the target has it → Safety Bravo 2")
        .await?;
    write(
        &page,
        &format!("Write 1 accounts to {TARGET_USERNAME}"),
        "0 created, 1 updated, 0 failed",
    )
    .await?;

    // A second run writes nothing.
    let calls = target.state.usage.used();
    browser.click_button("Preview again").await?;
    page.wait_status_containing("Nothing to write").await?;
    let last = target_copies(&target, &["Name", "Phone"]);
    assert!(target.state.usage.used() - calls <= 3, "reads only");
    // Untouched records were not even re-stamped.
    for copy in &first {
        let id = copy["Source_Id__c"].as_str().unwrap();
        if [alpha, bravo, charlie, delta]
            .iter()
            .any(|x| x.as_str() == id)
        {
            continue;
        }
        assert_eq!(
            copy_of(&last, id)["SystemModstamp"],
            copy["SystemModstamp"],
            "{id}"
        );
    }
    assert_eq!(last.len(), everyone - 1);
    browser
        .by_role(Role::Heading, "Copy accounts between orgs")
        .await?;
    app.finish().await
}

/// A record type's id in `org`, by its DeveloperName.
fn record_type(org: &devorg::RunningOrg, developer_name: &str) -> String {
    org.state
        .schema
        .account
        .record_types
        .iter()
        .find(|r| r.developer_name == developer_name)
        .map(|r| r.id.clone())
        .unwrap_or_else(|| panic!("no record type {developer_name}"))
}

/// Between the example orgs (`scripts/dev`'s): the key proposed matches `External_Id__c` on its
/// own values rather than writing source Ids into it, and choosing the Source Id field instead
/// says how many target records would be inserted again; record types go by DeveloperName, one
/// with no active counterpart blocks its accounts until the person picks one; a checkbox set to
/// one value is a checkbox, so the next run finds nothing to change.
#[tokio::test]
async fn keys_record_types_and_set_values_are_what_the_target_expects() -> Result<()> {
    use crate::page::Org;
    let app = orgbridge_e2e::spawn_app_with(|c, _| c.org = Some(devorg::OrgSpec::example_source()))
        .await?;
    let target =
        spawn_second_org_with(&app, |c| c.org = Some(devorg::OrgSpec::example_target())).await?;
    let source = Org(&app);
    let partner = source
        .insert(json!({"Name": "Types Partner", "RecordTypeId": record_type(&app.org, "Partner")}));
    let prospect = source.insert(
        json!({"Name": "Types Prospect", "RecordTypeId": record_type(&app.org, "Prospect")}),
    );
    let page = sign_in_to_both(&app, &target).await?;
    let browser = page.browser();
    assert_eq!(page.search("Types", None).await?, (2, 2));
    open_copy(browser).await?;
    browser
        .choose("Those the source's account list shows now")
        .await?;
    // External_Id__c is an External ID in both, and the source fills it: matched on its values.
    let key = browser.field("Target External ID field").await?;
    assert_eq!(key.prop("value").await?.as_deref(), Some("External_Id__c"));
    assert_eq!(
        browser
            .field("It holds")
            .await?
            .prop("value")
            .await?
            .as_deref(),
        Some("External_Id__c")
    );
    // The person matches on the source Id instead: the target's keyed records would be lost.
    crate::sync::match_on_source_id(browser, "Source_Id__c").await?;
    let warning = page
        .wait_status_containing(
            "target accounts have a value in External Id but only 0 in Source Id",
        )
        .await?;
    assert!(
        warning.contains("inserted again as new accounts"),
        "{warning}"
    );

    // Key Account set to one value: a checkbox.
    page.choose_option("Source for Key Account", "Set a value…")
        .await?;
    page.choose_option("Value for Key Account", "Checked")
        .await?;

    browser.click_button("Preview changes").await?;
    page.wait_status_containing("1 to insert, 0 to update, 0 unchanged, 1 blocked")
        .await?;
    browser
        .wait_for_text(
            "Its record type “Prospect” has no active record type of the same name in the target",
        )
        .await?;
    page.choose_option("Target record type for Prospect", "Customer (Customer)")
        .await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing("2 to insert, 0 to update, 0 unchanged, 0 blocked")
        .await?;
    browser
        .click_button(&format!("Write 2 accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing("2 created, 0 updated, 0 failed")
        .await?;

    let copies = target_copies(&target, &["Name", "RecordTypeId", "Key_Account__c"]);
    let partner_copy = copy_of(&copies, &partner);
    assert_eq!(
        partner_copy["RecordTypeId"],
        json!(record_type(&target, "Partner"))
    );
    assert_eq!(partner_copy["Key_Account__c"], json!(true));
    assert_eq!(
        copy_of(&copies, &prospect)["RecordTypeId"],
        json!(record_type(&target, "Customer")),
        "the record type the person picked"
    );
    // Again: the checkbox holds true, as set: nothing to change.
    browser.click_button("Preview again").await?;
    page.wait_status_containing("0 to insert, 0 to update, 2 unchanged, 0 blocked")
        .await?;
    app.finish().await
}

/// The keys kept in the app's IndexedDB store of copy runs (each run: a plan and its progress).
async fn kept_runs(browser: &orgbridge_e2e::Browser) -> Result<Vec<String>> {
    browser
        .eval(
            "window.__kept = null; const open = indexedDB.open('orgbridge'); \
             open.onsuccess = () => { const r = open.result.transaction('runs').objectStore('runs').getAllKeys(); \
             r.onsuccess = () => { window.__kept = r.result; }; };",
        )
        .await?;
    browser
        .wait_for("the kept runs", || async {
            let v = browser.eval("return window.__kept;").await?;
            Ok(v.as_array().map(|a| {
                a.iter()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect::<Vec<_>>()
            }))
        })
        .await
}

/// Signing out of an org that an unfinished copy involves asks first; discarding (the default)
/// leaves no account data behind in the browser.
#[tokio::test]
async fn signing_out_with_an_unfinished_copy_asks_and_discards_it() -> Result<()> {
    let app = spawn_app().await?;
    let target = orgbridge_e2e::spawn_second_org(&app).await?;
    let source = Org(&app);
    // Five calls of 200, three at once: Pause comes during the first wave.
    for i in 0..1_000 {
        source.insert(
            json!({"Name": format!("Kept Test {i:04}"), "External_Id__c": format!("KEPT-{i:04}")}),
        );
    }
    let page = sign_in_to_both(&app, &target).await?;
    let browser = page.browser();
    page.search("Kept Test", None).await?;
    open_copy(browser).await?;
    browser
        .choose("Those the source's account list shows now")
        .await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing("1,000 to insert").await?;
    target.state.faults.set_latency(1_500);
    browser
        .click_button(&format!("Write 1,000 accounts to {TARGET_USERNAME}"))
        .await?;
    browser.click_button("Pause").await?;
    page.wait_status_containing("Paused.").await?;
    target.state.faults.set_latency(0);
    let kept = kept_runs(browser).await?;
    let pair = kept
        .iter()
        .find_map(|k| k.strip_suffix("/plan"))
        .expect("its plan")
        .to_string();
    for record in ["plan/0", "batches", "progress", "settled/0"] {
        assert!(
            kept.contains(&format!("{pair}/{record}")),
            "{record} kept: {kept:?}"
        );
    }
    assert!(
        kept.iter().all(|k| k.starts_with(&format!("{pair}/"))),
        "{kept:?}"
    );

    browser.by_role(Role::Link, "Home").await?.click().await?;
    browser
        .click_button(&crate::page::org_button(TARGET_USERNAME, &target))
        .await?;
    browser.click_button("Sign out").await?;
    let dialog = browser
        .by_role(Role::AlertDialog, "A copy with this org is not finished")
        .await?;
    assert!(dialog.text().await?.contains("kept in this browser"));
    browser.click_button("Discard it and sign out").await?;
    browser
        .wait_for("the target signed out", || async {
            Ok(browser
                .by_role(
                    Role::Button,
                    &crate::page::org_button(TARGET_USERNAME, &target),
                )
                .await
                .is_err()
                .then_some(()))
        })
        .await?;
    assert!(
        kept_runs(browser).await?.is_empty(),
        "no account data left behind"
    );
    app.finish().await
}

/// More deletions than one page of `queryAll` holds (2,000): every page is read, and exactly the
/// copies of the deleted accounts go; the target's own accounts, with no key, stay.
#[tokio::test]
async fn every_page_of_deletions_is_read_and_only_their_copies_are_deleted() -> Result<()> {
    let app = orgbridge_e2e::spawn_app_with(|c, _| c.accounts = 2_100).await?;
    let target = spawn_second_org_with(&app, |c| c.org = Some(target_org())).await?;
    let own_accounts = target.state.store.read().accounts().count();
    let page = all_previewed(&app, &target).await?;
    let browser = page.browser();
    page.wait_status_containing("2,100 to insert").await?;
    write(
        &page,
        &format!("Write 2,100 accounts to {TARGET_USERNAME}"),
        "2,100 created",
    )
    .await?;

    let gone: Vec<String> = {
        let mut store = app.org.state.store.write();
        let ids: Vec<String> = store
            .accounts()
            .filter(|r| !r.deleted)
            .take(2_050)
            .map(|r| r.id.clone())
            .collect();
        for id in &ids {
            store
                .delete(0, id, devorg::store::now_ms())
                .expect("deleted");
        }
        ids
    };
    browser.choose("Changed since the last sync").await?;
    page.checkbox(&format!(
        "Also delete in {TARGET_USERNAME} what was deleted in the source since the last sync"
    ))
    .await?
    .click()
    .await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing("2,050 to delete").await?;
    write(
        &page,
        &format!("Delete 2,050 accounts in {TARGET_USERNAME}"),
        "2,050 deleted",
    )
    .await?;
    let left = target_copies(&target, &[]);
    assert_eq!(
        left.len(),
        50,
        "the copies of the accounts still in the source"
    );
    assert!(left
        .iter()
        .all(|c| !gone.iter().any(|g| c["Source_Id__c"] == json!(g))));
    let live = target
        .state
        .store
        .read()
        .accounts()
        .filter(|r| !r.deleted)
        .count();
    assert_eq!(live, own_accounts + 50, "the target's own accounts stay");
    app.finish().await
}

/// A run resumed more than 15 minutes after its preview previews the rows it had still to write
/// again first, as both orgs hold them now; the run of that preview writes each of them once.
#[tokio::test]
async fn a_run_resumed_long_after_its_preview_previews_the_rest_again() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org_with(&app, |c| c.org = Some(target_org())).await?;
    let source = Org(&app);
    let ids: Vec<String> = (0..1_000)
        .map(|i| source.insert(json!({"Name": format!("Late Test {i:04}")})))
        .collect();
    let page = sign_in_to_both(&app, &target).await?;
    let browser = page.browser();
    page.search("Late Test", None).await?;
    open_copy(browser).await?;
    browser
        .choose("Those the source's account list shows now")
        .await?;
    browser.click_button("Preview changes").await?;
    page.wait_status_containing("1,000 to insert").await?;
    target.state.faults.set_latency(1_500);
    browser
        .click_button(&format!("Write 1,000 accounts to {TARGET_USERNAME}"))
        .await?;
    browser.click_button("Pause").await?;
    page.wait_status_containing("Paused.").await?;
    target.state.faults.set_latency(0);
    let written = target_copies(&target, &[]).len();
    assert!(written < 1_000, "{written}");

    // Sixteen minutes later (the page's clock moved on), one of the rest changed in the source.
    browser
        .eval("window.__now = Date.now; Date.now = () => window.__now() + 16 * 60 * 1000;")
        .await?;
    let last = ids.last().expect("an id");
    source.update(last, json!({"Name": "Late Test Renamed"}));
    browser.click_button("Resume").await?;
    let rest = 1_000 - written;
    page.wait_status_containing(&format!(
        "Previewing again the {rest} accounts an interrupted run had still to write"
    ))
    .await?;
    page.wait_status_containing(&format!("{rest} to insert, 0 to update"))
        .await?;
    browser
        .click_button(&format!("Write {rest} accounts to {TARGET_USERNAME}"))
        .await?;
    page.wait_status_containing(&format!("{rest} created, 0 updated, 0 failed"))
        .await?;
    let copies = target_copies(&target, &["Name"]);
    assert_eq!(copies.len(), 1_000, "every account once");
    assert_eq!(copy_of(&copies, last)["Name"], json!("Late Test Renamed"));
    app.finish().await
}

/// From 10,000 source accounts the target is read first and the source a page at a time (no
/// more than a page of source records held; each row kept as compact text): the preview counts
/// every account, the run writes each once, and a second preview finds nothing to write.
#[tokio::test]
async fn a_large_source_is_previewed_a_page_at_a_time_and_each_account_written_once() -> Result<()>
{
    let app = orgbridge_e2e::spawn_app_with(|c, _| c.accounts = 12_000).await?;
    let target = spawn_second_org_with(&app, |c| c.org = Some(target_org())).await?;
    let page = all_previewed(&app, &target).await?;
    let browser = page.browser();
    page.wait_status_containing("12,000 to insert, 0 to update, 0 unchanged, 0 blocked")
        .await?;
    write(
        &page,
        &format!("Write 12,000 accounts to {TARGET_USERNAME}"),
        "12,000 created, 0 updated, 0 failed",
    )
    .await?;
    let copies = target_copies(&target, &[]);
    let mut keys: Vec<&str> = copies
        .iter()
        .filter_map(|c| c["Source_Id__c"].as_str())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!((copies.len(), keys.len()), (12_000, 12_000), "each once");

    browser.click_button("Preview again").await?;
    page.wait_status_containing("0 to insert, 0 to update, 12,000 unchanged, 0 blocked")
        .await?;
    page.wait_status_containing("Nothing to write").await?;
    app.finish().await
}
