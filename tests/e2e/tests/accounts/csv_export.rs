//! Download as CSV: the list as it stands and its selected rows, header by API name or label, the
//! "for Excel" file, formula-looking text made inert (and not, when asked), and a page that fails
//! mid-way continued by Try again with every account once.

use std::collections::BTreeMap;

use anyhow::Result;
use orgbridge_e2e::{spawn_app_with, Role};
use serde_json::json;

use crate::page::{AccountsPage, Org};

const EVIL: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";
const AWKWARD: &str = "Export O'Reilly \"Media\", Zürich\nHQ";

/// The file's rows (its text without a byte order mark), header first.
fn rows(text: &str, separator: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(separator)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[tokio::test]
async fn the_list_downloads_as_csv_every_account_once_with_awkward_text_kept_and_formulas_inert(
) -> Result<()> {
    let app = spawn_app_with(|config, _| config.accounts = 2_400).await?;
    let org = Org(&app);
    let evil = org.insert(json!({ "Name": EVIL, "AnnualRevenue": 1234.5 }));
    let awkward = org.insert(json!({ "Name": AWKWARD, "BillingCity": "Köln" }));
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let total = org.live_count();
    assert_eq!(total, 2_402);

    page.go_to("Download CSV").await?;
    browser
        .by_role(Role::Heading, "Download accounts as CSV")
        .await?;
    crate::page::catch_files(browser).await?;
    // A page in the middle fails twice: the download stops, keeps what it read, and goes on.
    browser.expect_console_error("503 (Service Unavailable)");
    app.org
        .state
        .faults
        .fail_next_on(1, devorg::faults::FailureMode::Unavailable, Some("/query/"));
    browser.click_button("Download 2,402 accounts").await?;
    let stopped = page.wait_alert_containing("The download stopped").await?;
    assert!(
        stopped.contains("2,000 accounts read so far are kept"),
        "{stopped}"
    );
    browser.click_button("Try again").await?;
    let done = page
        .wait_status_containing("Downloaded 2,402 accounts")
        .await?;
    assert!(
        done.contains(&format!("accounts-{}", app.org.state.org.org_id)),
        "{done}"
    );
    let (text, bom) = crate::page::caught_file(browser).await?;
    assert!(!bom, "a plain file has no byte order mark");
    let lines = rows(&text, b',');
    assert_eq!(
        lines[0],
        [
            "Id",
            "Name",
            "Type",
            "Industry",
            "BillingCity",
            "Phone",
            "Owner.Name"
        ]
    );
    // Every account once, none twice.
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for line in &lines[1..] {
        *seen.entry(line[0].as_str()).or_default() += 1;
    }
    assert_eq!(lines.len() - 1, total, "one line per account");
    assert_eq!(seen.len(), total, "each account once");
    let line_of = |id: &str| lines.iter().find(|l| l[0] == id).unwrap().clone();
    assert_eq!(
        line_of(&awkward)[1],
        AWKWARD,
        "quotes, commas, a line break kept"
    );
    assert_eq!(line_of(&awkward)[4], "Köln");
    assert_eq!(
        line_of(&evil)[1],
        format!("'{EVIL}"),
        "a formula made inert"
    );
    assert_eq!(line_of(&evil)[6], "Devorg Admin", "Owner.Name as a column");
    assert!(text.contains("\r\n"), "CRLF line ends");

    // Labels, for Excel, unprotected: the header a person reads, a byte order mark, the
    // formula as the org holds it (for a round trip).
    browser
        .choose("Labels (Billing City, Owner Name): for reading")
        .await?;
    page.checkbox("For Excel").await?.click().await?;
    page.checkbox("Protect cells from running as formulas")
        .await?
        .click()
        .await?;
    browser.click_button("Download 2,402 accounts").await?;
    page.wait_status_containing("Downloaded 2,402 accounts")
        .await?;
    let (text, bom) = crate::page::caught_file(browser).await?;
    assert!(bom, "for Excel: a byte order mark");
    // Headless Chromium speaks en-US: commas, as its Excel expects.
    let lines = rows(&text, b',');
    assert_eq!(
        lines[0],
        [
            "Account ID",
            "Account Name",
            "Account Type",
            "Industry",
            "Billing City",
            "Account Phone",
            "Owner Name"
        ]
    );
    let evil_line = lines.iter().find(|l| l[0] == evil).unwrap();
    assert_eq!(evil_line[1], EVIL, "unprotected for a round trip");
    app.finish().await
}

#[tokio::test]
async fn the_selected_rows_download_alone() -> Result<()> {
    let app = spawn_app_with(|config, _| config.accounts = 30).await?;
    let org = Org(&app);
    let ids = org.insert_named(&["Export Pick One", "Export Pick Two"]);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    page.search("Export Pick", None).await?;
    page.select_rows(&["Export Pick One", "Export Pick Two"])
        .await?;
    // A new search leaves the selection's rows out of the list, not out of the choice.
    page.go_to("Download CSV").await?;
    browser.choose("The 2 selected rows").await?;
    crate::page::catch_files(browser).await?;
    browser.click_button("Download 2 accounts").await?;
    page.wait_status_containing("Downloaded 2 accounts").await?;
    let (text, _) = crate::page::caught_file(browser).await?;
    let lines = rows(&text, b',');
    let mut got: Vec<&str> = lines[1..].iter().map(|l| l[0].as_str()).collect();
    got.sort();
    let mut want: Vec<&str> = ids.iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(got, want);
    app.finish().await
}
