//! The list: default columns, paging through every result, only visible rows in the page, sorting,
//! the column chooser, search with awkward text, and the raw WHERE clause.

use anyhow::Result;
use orgbridge_e2e::{spawn_app_with, Role};
use serde_json::json;

use crate::page::{AccountsPage, Org};

#[tokio::test]
async fn the_list_pages_through_every_account_renders_only_visible_rows_and_sorts_on_the_server(
) -> Result<()> {
    let app = spawn_app_with(|config, _| config.accounts = 4_500).await?;
    let page = AccountsPage::sign_in(&app).await?;

    // Three pages of at most 2,000, all loaded.
    assert_eq!(page.wait_loaded().await?, (4_500, 4_500));
    assert_eq!(
        page.column_headers().await?,
        [
            "Account Name",
            "Account Type",
            "Industry",
            "Billing City",
            "Account Phone",
            "Owner Name"
        ]
    );
    let rows = page.rendered_rows().await?;
    assert!(
        rows.len() <= 48,
        "only the rows in view are in the page, not {}",
        rows.len()
    );
    assert_eq!(
        rows[0][5], "Devorg Admin",
        "Owner.Name comes through the relationship"
    );

    // Sorted by name on the server, ascending first.
    let mut names: Vec<String> = Org(&app)
        .values_of("Name")
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    names.sort_by_key(|n| n.to_lowercase());
    assert_eq!(
        page.sort_state("Account Name").await?.as_deref(),
        Some("ascending")
    );
    let shown = page.visible_names().await?;
    assert!(shown.len() >= 8, "{shown:?}");
    assert_eq!(
        shown,
        names[..shown.len()],
        "the first rows are the org's first names"
    );

    // Scrolling far down shows the rows there, still without rendering the rest.
    page.browser()
        .eval("const s = document.querySelector('.ob-acc-scroller'); s.scrollTop = 36 * 3000; s.dispatchEvent(new Event('scroll'));")
        .await?;
    let at_3000 = page
        .browser()
        .wait_for("row 3,000 in view", || async {
            let shown = page.visible_names().await?;
            let there = shown.first().is_some_and(|n| names[2995..3005].contains(n));
            Ok(there.then_some(shown))
        })
        .await?;
    assert!(at_3000.len() >= 8);
    assert!(page.rendered_rows().await?.len() <= 48);

    // Descending puts the last name first.
    page.sort_by("Account Name").await?;
    assert_eq!(
        page.sort_state("Account Name").await?.as_deref(),
        Some("descending")
    );
    let shown = page.visible_names().await?;
    let mut desc = names.clone();
    desc.reverse();
    assert_eq!(shown[0].to_lowercase(), desc[0].to_lowercase());

    // Another sortable column.
    page.sort_by("Billing City").await?;
    assert_eq!(
        page.sort_state("Billing City").await?.as_deref(),
        Some("ascending")
    );
    assert_eq!(page.sort_state("Account Name").await?, None);
    app.finish().await
}

#[tokio::test]
async fn the_column_choice_comes_from_describe_and_is_remembered() -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();

    page.open_columns().await?;
    // A custom field and a standard one added, one default removed.
    page.checkbox("Tier").await?.click().await?;
    page.checkbox("Website").await?.click().await?;
    page.checkbox("Account Phone").await?.click().await?;
    browser.click_button("Apply columns").await?;
    page.wait_loaded().await?;
    let expected = [
        "Account Name",
        "Account Type",
        "Industry",
        "Billing City",
        "Owner Name",
        "Tier",
        "Website",
    ];
    assert_eq!(page.column_headers().await?, expected);

    // A new page load (the session is kept by the tab) shows the same columns.
    browser.client().refresh().await?;
    browser.by_role(Role::Heading, "Accounts").await?;
    page.wait_loaded().await?;
    assert_eq!(page.column_headers().await?, expected);

    page.open_columns().await?;
    browser.click_button("Default columns").await?;
    page.wait_loaded().await?;
    assert_eq!(page.column_headers().await?.len(), 6);
    app.finish().await
}

/// Rows are named by their Name, not by whatever column comes first.
#[tokio::test]
async fn without_the_name_column_rows_are_still_named_by_their_name() -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    page.open_columns().await?;
    page.checkbox("Account Name").await?.click().await?;
    browser.click_button("Apply columns").await?;
    page.wait_loaded().await?;
    assert_eq!(page.column_headers().await?[0], "Account Type");
    assert_eq!(page.search("O'Reilly", None).await?, (1, 1));

    page.checkbox("Select O'Reilly Media").await?;
    browser
        .by_role(Role::Link, "Open O'Reilly Media")
        .await?
        .click()
        .await?;
    browser.by_role(Role::Heading, "O'Reilly Media").await?;
    app.finish().await
}

#[tokio::test]
async fn search_text_is_escaped_and_a_bad_where_clause_shows_the_orgs_message() -> Result<()> {
    let app = spawn_app_with(|_, _| {}).await?;
    let org = Org(&app);
    org.insert(json!({"Name": "Marker One", "Site": "zz-marker-site"}));
    org.insert(json!({"Name": "Marker Two", "Site": "ZZ-MARKER-SITE"}));
    // At least one Energy account whatever the seed holds, for the WHERE clause below.
    org.insert(json!({"Name": "Marker Power", "Industry": "Energy"}));
    let page = AccountsPage::sign_in(&app).await?;
    let all = org.live_count() as u64;

    // A quote, a percent sign and a backslash match themselves and nothing else.
    assert_eq!(page.search("O'Reilly", None).await?, (1, 1));
    assert_eq!(page.visible_names().await?, ["O'Reilly Media"]);
    assert_eq!(page.search("100%", None).await?, (1, 1));
    assert_eq!(page.visible_names().await?, ["100% Organic Farms"]);
    assert_eq!(page.search("Back\\Slash", None).await?, (1, 1));
    assert_eq!(page.visible_names().await?, ["Back\\Slash Studios"]);
    assert_eq!(page.search("' OR Name != '", None).await?, (0, 0));
    assert_eq!(page.count_text().await?, "No accounts match.");

    // Any text field: the site is not in the name.
    assert_eq!(page.search("zz-marker", None).await?, (0, 0));
    assert_eq!(
        page.search("zz-marker", Some("All text fields")).await?,
        (2, 2)
    );
    assert_eq!(
        page.search("zz-marker", Some("Account Site")).await?,
        (2, 2)
    );

    // A raw WHERE clause narrows the search.
    page.search("", Some("Account Name")).await?;
    page.filter_where("Industry = 'Energy'").await?;
    let energy = org.ids_where("Industry", "Energy").len() as u64;
    assert!(energy > 0 && energy < all);
    assert_eq!(page.wait_loaded().await?, (energy, energy));

    // The org's MALFORMED_QUERY message, in words, with the query that was sent.
    app.browser.expect_console_error("400");
    page.filter_where("Industry = ").await?;
    let alert = page
        .wait_alert_containing("The org refused the query")
        .await?;
    assert!(alert.contains("The query is not valid"), "{alert}");
    assert!(alert.contains("unexpected token"), "{alert}");
    // Checked before sending: it would close the wrapping parenthesis.
    page.filter_where("Name = 'x') OR (Id != null").await?;
    let alert = page.wait_alert_containing("parenthesis").await?;
    assert!(
        alert.contains("The WHERE clause closes a parenthesis it never opened"),
        "{alert}"
    );

    page.filter_where("").await?;
    assert_eq!(page.wait_loaded().await?, (all, all));
    app.finish().await
}
