//! Import from CSV: an upsert file with inserts, updates, bad lines, the same key twice and a
//! parent by key; its results file imported again (the done lines skipped); a delete file; an
//! Excel-style file (BOM, `;`, day/month/year, decimal commas, CRLF) and a Windows-1252 one;
//! an exported file imported again with nothing to write.

use std::path::Path;

use anyhow::Result;
use orgbridge_e2e::{spawn_app_with, Browser};
use serde_json::{json, Value};

use crate::page::{catch_files, caught_file, AccountsPage, Org};

/// Writes `bytes` as a file to hand to the page.
fn file(dir: &Path, name: &str, bytes: &[u8]) -> Result<String> {
    let path = dir.join(name);
    std::fs::write(&path, bytes)?;
    Ok(path.display().to_string())
}

/// Chooses `path` in the "CSV file" input, as a person picking it does.
async fn choose_file(browser: &Browser, path: &str) -> Result<()> {
    browser.field("CSV file").await?.send_keys(path).await?;
    Ok(())
}

fn ids_with(org: &Org, field: &str, value: &str) -> Vec<String> {
    org.ids_where(field, value)
}

#[tokio::test]
async fn an_upsert_file_previews_every_line_writes_only_the_good_ones_and_its_results_file_skips_them_next_time(
) -> Result<()> {
    let app = spawn_app_with(|config, _| config.accounts = 20).await?;
    let org = Org(&app);
    let parent = org.insert(json!({"Name": "Import Parent", "External_Id__c": "IMP-P"}));
    let known = org.insert(
        json!({"Name": "Import Known", "External_Id__c": "IMP-1", "NumberofLocations__c": 5}),
    );
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let dir = tempfile::tempdir()?;
    let csv = "External_Id__c,Name,NumberofLocations__c,SLA_Expiration__c,Parent.External_Id__c,Owner.Name,Notes Column\n\
        imp-1,Import Known,7,,IMP-P,Someone,x\n\
        IMP-2,Import New,3,2026-01-31,IMP-P,,\n\
        IMP-3,Import Bad,12abc,31/02/2026,,,\n\
        IMP-4,Import Twice A,,,,,\n\
        imp-4,Import Twice B,,,,,\n\
        IMP-5,\"=HYPERLINK(\"\"http://x\"\")\",,,,,\n";
    let path = file(dir.path(), "upsert.csv", csv.as_bytes())?;

    page.go_to("Import CSV").await?;
    choose_file(browser, &path).await?;
    let unknown = page
        .wait_status_containing("Not imported (no Account field chosen)")
        .await?;
    assert!(unknown.contains("Notes Column (column G)"), "{unknown}");
    browser.click_button("Preview the import").await?;
    let summary = page.wait_status_containing("6 lines:").await?;
    assert!(
        summary.contains("2 to insert, 1 to update, 0 unchanged, 3 blocked"),
        "{summary}"
    );
    let text = browser.page_text().await?;
    for needle in [
        "Number of Locations: 5 → 7",
        "12abc",
        "also on line 6",
        "also on line 5",
    ] {
        assert!(text.contains(needle), "{needle} on the page: {text}");
    }
    assert!(
        ids_with(&org, "External_Id__c", "IMP-2").is_empty(),
        "nothing written yet"
    );

    browser.click_button("Import 3 lines").await?;
    page.wait_status_containing("2 created, 1 updated, 0 deleted, 0 failed")
        .await?;
    let new = ids_with(&org, "External_Id__c", "IMP-2");
    assert_eq!(new.len(), 1, "inserted once");
    assert_eq!(
        org.value(&new[0], "ParentId"),
        json!(parent),
        "parent by key"
    );
    assert_eq!(org.value(&new[0], "SLA_Expiration__c"), json!("2026-01-31"));
    assert_eq!(
        org.value(&known, "NumberofLocations__c").as_f64(),
        Some(7.0)
    );
    assert_eq!(org.value(&known, "ParentId"), json!(parent));
    assert_eq!(org.value(&known, "Name"), json!("Import Known"));
    let formula = ids_with(&org, "External_Id__c", "IMP-5");
    assert_eq!(
        org.value(&formula[0], "Name"),
        json!("=HYPERLINK(\"http://x\")"),
        "text is stored as written"
    );
    for absent in ["IMP-3", "IMP-4", "imp-4"] {
        assert!(
            ids_with(&org, "External_Id__c", absent).is_empty(),
            "{absent}"
        );
    }

    // The results file: the input with Id, Status, Action, Error.
    catch_files(browser).await?;
    browser.click_button("Download the results (CSV)").await?;
    let (results, _) = caught_file(browser).await?;
    let lines: Vec<&str> = results.lines().collect();
    assert_eq!(
        lines[0],
        "External_Id__c,Name,NumberofLocations__c,SLA_Expiration__c,Parent.External_Id__c,Owner.Name,Notes Column,Id,Status,Action,Error"
    );
    assert!(
        lines[2].starts_with(&format!(
            "IMP-2,Import New,3,2026-01-31,IMP-P,,,{},Done,Created",
            new[0]
        )),
        "{}",
        lines[2]
    );
    assert!(lines[3].contains(",Blocked,"), "{}", lines[3]);

    // Imported again: what was done is skipped, the blocked lines are blocked again.
    let again = file(dir.path(), "upsert-results.csv", results.as_bytes())?;
    choose_file(browser, &again).await?;
    browser.click_button("Preview the import").await?;
    let summary = page.wait_status_containing("6 lines:").await?;
    assert!(
        summary.contains("0 to insert, 0 to update, 3 unchanged, 3 blocked"),
        "{summary}"
    );
    app.finish().await
}

#[tokio::test]
async fn a_delete_file_deletes_the_accounts_it_names_and_blocks_the_rest() -> Result<()> {
    let app = spawn_app_with(|config, _| config.accounts = 10).await?;
    let org = Org(&app);
    let doomed = org.insert_named(&["Import Doomed One", "Import Doomed Two"]);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let dir = tempfile::tempdir()?;
    let csv = format!(
        "Id,Name\r\n{},Import Doomed One\r\n{},Import Doomed Two\r\nnot-an-id,x\r\n001000000000099AAA,Nobody\r\n",
        doomed[0], &doomed[1][..15]
    );
    let path = file(dir.path(), "delete.csv", csv.as_bytes())?;
    page.go_to("Import CSV").await?;
    choose_file(browser, &path).await?;
    browser
        .choose("Delete by Id: each line's account goes to the Recycle Bin")
        .await?;
    // The choice survives a reload (the file is picked again: a page cannot keep it).
    browser.client().refresh().await?;
    choose_file(browser, &path).await?;
    let delete = browser
        .by_role(
            orgbridge_e2e::Role::Radio,
            "Delete by Id: each line's account goes to the Recycle Bin",
        )
        .await?;
    assert!(
        delete.is_selected().await?,
        "the operation chosen before the reload"
    );
    browser.click_button("Preview the import").await?;
    let summary = page.wait_status_containing("4 lines:").await?;
    assert!(summary.contains("2 blocked, 2 to delete"), "{summary}");
    assert!(org.is_live(&doomed[0]), "nothing deleted yet");
    browser.click_button("Import 2 lines").await?;
    page.wait_status_containing("0 created, 0 updated, 2 deleted, 0 failed")
        .await?;
    assert!(!org.is_live(&doomed[0]) && !org.is_live(&doomed[1]));
    app.finish().await
}

#[tokio::test]
async fn excel_files_read_as_written_bom_semicolons_day_month_year_and_windows_1252() -> Result<()>
{
    let app = spawn_app_with(|config, _| config.accounts = 10).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let dir = tempfile::tempdir()?;
    page.go_to("Import CSV").await?;

    // Excel's "CSV UTF-8" in a comma-decimal locale.
    let mut utf8 = vec![0xEF, 0xBB, 0xBF];
    utf8.extend(
        "Name;BillingCity;SLA_Expiration__c;NumberofLocations__c\r\nImport Café Müller;Zürich;31/12/2026;12\r\n"
            .as_bytes(),
    );
    let path = file(dir.path(), "excel-utf8.csv", &utf8)?;
    choose_file(browser, &path).await?;
    browser
        .choose("Insert: every line is a new account")
        .await?;
    browser
        .field("Dates")
        .await?
        .select_by_label("day/month/year (31/12/2024)")
        .await?;
    browser.click_button("Preview the import").await?;
    page.wait_status_containing("1 line: 1 to insert").await?;
    browser.click_button("Import 1 line").await?;
    page.wait_status_containing("1 created").await?;
    let made = org.ids_where("Name", "Import Café Müller");
    assert_eq!(made.len(), 1);
    assert_eq!(org.value(&made[0], "BillingCity"), json!("Zürich"));
    assert_eq!(
        org.value(&made[0], "SLA_Expiration__c"),
        json!("2026-12-31")
    );
    assert_eq!(
        org.value(&made[0], "NumberofLocations__c").as_f64(),
        Some(12.0)
    );

    // Excel's plain "CSV" on Windows: Windows-1252, refused as UTF-8 with the way on.
    let mut latin = b"Name;BillingCity\r\nImport Z".to_vec();
    latin.extend([0xFC]); // ü
    latin.extend(b"rich Ltd;K");
    latin.extend([0xF6]); // ö
    latin.extend(b"ln\r\n");
    let path = file(dir.path(), "excel-1252.csv", &latin)?;
    choose_file(browser, &path).await?;
    let refused = page.wait_alert_containing("not UTF-8").await?;
    assert!(refused.contains("line 2"), "{refused}");
    browser.click_button("Read it as Windows-1252").await?;
    browser.click_button("Preview the import").await?;
    page.wait_status_containing("1 line: 1 to insert").await?;
    assert!(browser.page_text().await?.contains("Import Zürich Ltd"));
    browser.click_button("Import 1 line").await?;
    page.wait_status_containing("1 created").await?;
    let made = org.ids_where("Name", "Import Zürich Ltd");
    assert_eq!(org.value(&made[0], "BillingCity"), json!("Köln"));
    app.finish().await
}

#[tokio::test]
async fn an_exported_file_imported_again_changes_nothing() -> Result<()> {
    let app = spawn_app_with(|config, _| config.accounts = 300).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let calls_before = org.api_calls();
    page.go_to("Download CSV").await?;
    page.checkbox("Protect cells from running as formulas")
        .await?
        .click()
        .await?;
    catch_files(browser).await?;
    browser.click_button("Download 300 accounts").await?;
    page.wait_status_containing("Downloaded 300 accounts")
        .await?;
    let (text, _) = caught_file(browser).await?;
    let dir = tempfile::tempdir()?;
    let path = file(dir.path(), "export.csv", text.as_bytes())?;
    page.go_to("Import CSV").await?;
    choose_file(browser, &path).await?;
    browser
        .choose("Update by Id: each line changes the account its Id names")
        .await?;
    browser.click_button("Preview the import").await?;
    let summary = page.wait_status_containing("300 lines:").await?;
    assert!(
        summary.contains("0 to insert, 0 to update, 300 unchanged, 0 blocked"),
        "{summary}"
    );
    let button = browser.button("Import 0 lines").await?;
    assert!(button.attr("disabled").await?.is_some(), "nothing to write");
    let names: Vec<Value> = org.values_of("Name");
    assert_eq!(names.len(), 300);
    assert!(org.api_calls() > calls_before);
    app.finish().await
}

#[tokio::test]
async fn a_file_of_100_000_lines_goes_through_bulk_api_2_in_a_few_calls_every_line_once(
) -> Result<()> {
    let app = spawn_app_with(|config, _| config.accounts = 10).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let dir = tempfile::tempdir()?;
    let mut csv = String::from("External_Id__c,Name,BillingCity\n");
    for k in 0..100_000 {
        csv.push_str(&format!("BULK-{k:06},Bulk Import {k},Bulkville\n"));
    }
    let path = file(dir.path(), "bulk.csv", csv.as_bytes())?;
    page.go_to("Import CSV").await?;
    choose_file(browser, &path).await?;
    browser.click_button("Preview the import").await?;
    page.wait_status_containing("100,000 lines: 100,000 to insert")
        .await?;
    browser
        .wait_for_text("The import goes through Bulk API 2.0")
        .await?;
    let before = org.api_calls();
    browser.click_button("Import 100,000 lines").await?;
    page.wait_status_containing("100,000 created, 0 updated, 0 deleted, 0 failed")
        .await?;
    let calls = org.api_calls() - before;
    assert!(calls <= 20, "{calls} calls");
    assert_eq!(org.ids_where("BillingCity", "Bulkville").len(), 100_000);
    let jobs = app.org.state.bulk.ingest_list();
    assert_eq!(jobs.len(), 1, "one job");
    assert_eq!(jobs[0]["operation"], "upsert");
    app.finish().await
}

#[tokio::test]
async fn a_reload_mid_import_resumes_and_writes_every_line_once() -> Result<()> {
    let app = spawn_app_with(|config, _| config.accounts = 10).await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let dir = tempfile::tempdir()?;

    // Through Bulk, reloaded while the job's upload is on its way: the job (still open, its
    // upload perhaps not landed) is aborted, never run, and the import goes again in a new one.
    let mut csv = String::from("Name,BillingCity\n");
    for k in 0..2_500 {
        csv.push_str(&format!("Reload Bulk {k},Reloadville\n"));
    }
    let path = file(dir.path(), "reload-bulk.csv", csv.as_bytes())?;
    page.go_to("Import CSV").await?;
    choose_file(browser, &path).await?;
    browser
        .choose("Insert: every line is a new account")
        .await?;
    browser.click_button("Preview the import").await?;
    page.wait_status_containing("2,500 lines: 2,500 to insert")
        .await?;
    app.org.state.faults.set_latency(400);
    browser.click_button("Import 2,500 lines").await?;
    browser.wait_for_text("uploading 2,500 lines").await?;
    browser.client().refresh().await?;
    app.org.state.faults.set_latency(0);
    page.wait_status_containing("was kept in this browser")
        .await?;
    browser.click_button("Import 2,500 lines").await?;
    page.wait_status_containing("2,500 created, 0 updated")
        .await?;
    assert_eq!(
        org.ids_where("BillingCity", "Reloadville").len(),
        2_500,
        "each line once"
    );
    let states: Vec<String> = app
        .org
        .state
        .bulk
        .ingest_list()
        .iter()
        .map(|j| j["state"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(states, ["Aborted", "JobComplete"], "the cut job never ran");

    // Through REST, paused then reloaded: Resume writes the rest, once.
    let mut csv = String::from("External_Id__c,Name,BillingCity\n");
    for k in 0..1_000 {
        csv.push_str(&format!("RLD-{k:04},Reload Rest {k},Restville\n"));
    }
    let path = file(dir.path(), "reload-rest.csv", csv.as_bytes())?;
    choose_file(browser, &path).await?;
    browser
        .choose("Upsert by an External ID field: update the match, insert the rest")
        .await?;
    browser.click_button("Preview the import").await?;
    page.wait_status_containing("1,000 lines: 1,000 to insert")
        .await?;
    app.org.state.faults.set_latency(500);
    browser.click_button("Import 1,000 lines").await?;
    browser.click_button("Pause").await?;
    app.org.state.faults.set_latency(0);
    let paused = page.wait_status_containing("Paused:").await?;
    assert!(paused.contains("400 not written"), "{paused}");
    browser.client().refresh().await?;
    page.wait_status_containing("was kept in this browser")
        .await?;
    browser.click_button("Resume").await?;
    page.wait_status_containing("1,000 created, 0 updated")
        .await?;
    assert_eq!(
        org.ids_where("BillingCity", "Restville").len(),
        1_000,
        "each line once"
    );
    app.finish().await
}

#[tokio::test]
async fn a_record_changed_in_the_org_after_the_preview_is_not_written_over() -> Result<()> {
    let app = spawn_app_with(|config, _| config.accounts = 10).await?;
    let org = Org(&app);
    let ids = org.insert_named(&["Import Edited Elsewhere", "Import Left Alone"]);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let dir = tempfile::tempdir()?;
    let csv = format!(
        "Id,BillingCity\n{},From The File\n{},From The File\n",
        ids[0], ids[1]
    );
    let path = file(dir.path(), "update.csv", csv.as_bytes())?;
    page.go_to("Import CSV").await?;
    choose_file(browser, &path).await?;
    browser
        .choose("Update by Id: each line changes the account its Id names")
        .await?;
    browser.click_button("Preview the import").await?;
    page.wait_status_containing("2 lines: 0 to insert, 2 to update")
        .await?;
    // Someone else edits the first account between the preview and the run.
    org.update(&ids[0], json!({"BillingCity": "Edited Elsewhere"}));
    browser.click_button("Import 2 lines").await?;
    page.wait_status_containing("0 created, 1 updated, 0 deleted, 1 failed")
        .await?;
    browser
        .wait_for_text("Changed in the org since the preview")
        .await?;
    assert_eq!(org.value(&ids[0], "BillingCity"), json!("Edited Elsewhere"));
    assert_eq!(org.value(&ids[1], "BillingCity"), json!("From The File"));
    app.finish().await
}
