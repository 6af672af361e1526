//! A screenshot tour of the app, to look at it as a person sees it: signs in to a fresh devorg with
//! the release build (as the e2e tests do) and saves one PNG per screen.
//!
//!   cargo run -p orgbridge-e2e --example tour -- OUT_DIR      (after `trunk build --release`)
//!
//! Not a test: it asserts nothing beyond "each screen appeared".

use anyhow::{Context, Result};
use orgbridge_e2e::browser::Role;
use orgbridge_e2e::{spawn_app_with, SignInPage};

#[tokio::main]
async fn main() -> Result<()> {
    let out = std::path::PathBuf::from(std::env::args().nth(1).context("usage: tour OUT_DIR")?);
    std::fs::create_dir_all(&out)?;
    let app = spawn_app_with(|config, _| config.accounts = 2_000).await?;
    let b = &app.browser;
    let shot = |name: &str| out.join(format!("{name}.png"));

    app.open().await?;
    b.screenshot(shot("01-sign-in")).await?;
    let login = SignInPage::wait(b).await?.sign_in().await?;
    b.screenshot(shot("02-devorg-login")).await?;
    login
        .log_in_and_allow(orgbridge_e2e::USERNAME, orgbridge_e2e::PASSWORD)
        .await?;
    b.wait_for_text("2,000 of 2,000 loaded").await?;
    b.screenshot(shot("03-accounts")).await?;

    let select_all =
        "document.querySelector('[aria-label=\"Select all loaded accounts\"]').click();";
    b.eval(select_all).await?;
    b.click_button("Update a field…").await?;
    b.screenshot(shot("04-bulk")).await?;
    let field = b.field("Field to update").await?;
    field.select_by_label("Account Rating").await?;
    b.field("New value: Account Rating")
        .await?
        .select_by_label("Hot")
        .await?;
    // Two items of the first call fail, to show per-record results.
    app.org.state.faults.set_collection_failures(vec![1, 3]);
    b.click_button("Update 2,000 accounts").await?;
    b.wait_for_text("failed").await?;
    b.screenshot(shot("05-bulk-results")).await?;
    b.click_button("Clear selection").await.ok();

    let first = b
        .eval("return document.querySelector('.ob-acc-table tbody a').textContent;")
        .await?;
    b.by_role(Role::Link, first.as_str().unwrap_or_default())
        .await?
        .click()
        .await?;
    b.click_button("Delete…").await?;
    b.screenshot(shot("06-view-delete")).await?;
    b.click_button("Cancel").await?;
    b.click_button("Edit").await?;
    b.screenshot(shot("07-edit")).await?;
    b.click_button("Account list").await?;
    b.eval("document.querySelector('.ob-acc-advanced').open = true;")
        .await?;
    b.fill("WHERE clause", "Industry = ").await?;
    b.click_button("Search").await?;
    b.wait_for_text("The org refused the query").await?;
    b.screenshot(shot("08-list-error")).await?;

    b.click_button("New account").await?;
    b.click_button("Create account").await?;
    b.wait_for_text("Account Name is required.").await?;
    b.screenshot(shot("09-new-with-errors")).await?;

    // The org creates the account but its answer is lost on the way.
    b.fill("Account Name", "Lost Answer Ltd").await?;
    app.org
        .state
        .faults
        .fail_next(1, devorg::faults::FailureMode::DropAfterWrite);
    b.click_button("Create account").await?;
    b.wait_for_text("may have been created").await?;
    b.click_button("Look for “Lost Answer Ltd”").await?;
    b.by_role(Role::Link, "Lost Answer Ltd").await.ok();
    b.wait_for_text("Accounts with this name").await.ok();
    b.screenshot(shot("13-create-no-answer")).await?;

    b.click_button("Upsert by external ID").await?;
    b.screenshot(shot("10-upsert")).await?;
    b.click_button("Apex REST console").await?;
    b.screenshot(shot("11-console")).await?;
    b.click_button("Account list").await?;
    b.fill("WHERE clause", "").await?;
    b.click_button("Search").await?;
    b.click_button("Download CSV").await?;
    b.eval("document.querySelector('.ob-export .ob-actions .ob-button').click();")
        .await?;
    b.wait_for_text("Downloaded ").await?;
    b.screenshot(shot("11b-download-csv")).await?;
    b.click_button("Import CSV").await?;
    let file = std::env::temp_dir().join("orgbridge-tour-import.csv");
    std::fs::write(
        &file,
        "External_Id__c,Name,NumberofLocations__c,SLA_Expiration__c,Notes\n\
         TOUR-1,Tour New Account,3,2026-01-31,x\n\
         TOUR-2,Tour Bad Values,12abc,31/02/2026,\n\
         TOUR-3,Tour Twice,,,\n\
         tour-3,Tour Twice Again,,,\n",
    )?;
    b.field("CSV file")
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    b.screenshot(shot("11c-import-columns")).await?;
    b.click_button("Preview the import").await?;
    b.wait_for_text("Nothing is written yet").await?;
    b.eval("document.querySelector('.ob-import-preview').scrollIntoView();")
        .await?;
    b.screenshot(shot("11d-import-preview")).await?;

    // A second org beside the first, each labelled and coloured.
    b.fill("Label", "Source").await?;
    // The target differs as real orgs do (devorg's example org file): the copy screens show it.
    let target = orgbridge_e2e::spawn_second_org_with(&app, |c| {
        c.org = Some(devorg::org_file::OrgSpec::example_target())
    })
    .await?;
    app.add_org(
        &target,
        orgbridge_e2e::TARGET_USERNAME,
        orgbridge_e2e::TARGET_PASSWORD,
    )
    .await?;
    b.wait_for_text("5 of 5 loaded").await?;
    b.fill("Label", "Target").await?;
    b.screenshot(shot("15-two-orgs")).await?;

    // Copying accounts from the source into the target: the choices, the preview, the run.
    b.by_role(Role::Link, "Copy accounts")
        .await?
        .click()
        .await?;
    b.wait_for_text("Match records by").await?;
    b.screenshot(shot("16-copy-setup")).await?;
    b.eval("(document.querySelector('.ob-sync-concerns') || document.querySelector('.ob-sync-map-wrap')).scrollIntoView();")
        .await?;
    b.screenshot(shot("16b-copy-fields")).await?;
    b.click_button("Preview changes").await?;
    b.wait_for_text("Nothing is written yet").await?;
    b.eval("document.querySelector('.ob-sync-preview').scrollIntoView();")
        .await?;
    b.screenshot(shot("17-copy-preview")).await?;
    // Through Bulk API 2.0 from 1,000 records, to show the engine and the job.
    b.fill("Write through Bulk API 2.0 from", "1000").await?;
    b.wait_for_text("Bulk API 2.0: 1,341 records").await?;
    b.eval("document.querySelector('.ob-sync-engine').scrollIntoView();")
        .await?;
    b.screenshot(shot("17b-copy-engine")).await?;
    b.eval("[...document.querySelectorAll('button')].find(b => b.textContent.startsWith('Write '))?.click();")
        .await?;
    b.wait_for_text("Done.").await?;
    b.eval("document.querySelector('.ob-sync-run').scrollIntoView();")
        .await?;
    b.screenshot(shot("18-copy-run")).await?;
    b.by_role(Role::Link, "Home").await?.click().await?;
    let source = format!(
        "Source {} {} · {}",
        orgbridge_e2e::USERNAME,
        app.org.state.org.org_id,
        app.org.url.trim_start_matches("http://")
    );
    b.click_button(&source).await?;

    // The org ends the session while an edit is being typed: the form stays, with a way back.
    b.click_button("Account list").await?;
    b.eval("document.querySelector('.ob-acc-advanced').open = true;")
        .await?;
    b.fill("WHERE clause", "").await?;
    b.click_button("Search").await?;
    b.by_role(Role::Link, first.as_str().unwrap_or_default())
        .await?
        .click()
        .await?;
    b.click_button("Edit").await?;
    b.fill("Account Site", "Typed before the session ended")
        .await?;
    app.org.state.tokens.lock().revoke_all();
    b.click_button("Save changes").await?;
    b.wait_for_text("Your session with this org ended").await?;
    b.screenshot(shot("14-session-ended")).await?;

    b.by_role(Role::Link, "Setup guide").await?.click().await?;
    b.screenshot(shot("12-setup-guide")).await?;
    println!("screenshots in {}", out.display());
    Ok(())
}
