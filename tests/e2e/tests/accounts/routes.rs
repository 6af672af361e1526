//! Accounts screens live in the URL fragment: Back and Forward step through them, a reload comes
//! back to the same one, and a route naming an org that is not signed in changes nothing.

use anyhow::Result;
use orgbridge_e2e::{spawn_app, Role};

use crate::page::{AccountsPage, Org};

#[tokio::test]
async fn back_forward_and_reload_follow_the_screens_in_the_address_bar() -> Result<()> {
    let app = spawn_app().await?;
    let org = Org(&app);
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let id = org.id_named("O'Reilly Media")?;
    let fragment = || async {
        Ok::<_, anyhow::Error>(
            browser
                .current_url()
                .await?
                .fragment()
                .unwrap_or("")
                .to_string(),
        )
    };
    let list = fragment().await?;
    assert!(
        list.starts_with("/org/") && list.ends_with("/accounts"),
        "{list}"
    );

    page.open_account("O'Reilly Media").await?;
    browser.click_button("Edit").await?;
    browser
        .by_role(Role::Heading, "Edit O'Reilly Media")
        .await?;
    assert_eq!(fragment().await?, format!("{}/{id}/edit", list));

    browser.client().back().await?;
    browser.by_role(Role::Heading, "O'Reilly Media").await?;
    browser.button("Edit").await?;
    browser.client().back().await?;
    page.wait_loaded().await?;
    assert_eq!(fragment().await?, list);
    browser.client().forward().await?;
    browser.by_role(Role::Heading, "O'Reilly Media").await?;

    // A reload on the edit form comes back to the edit form.
    browser.click_button("Edit").await?;
    browser
        .by_role(Role::Heading, "Edit O'Reilly Media")
        .await?;
    browser.client().refresh().await?;
    browser
        .by_role(Role::Heading, "Edit O'Reilly Media")
        .await?;

    // A route for an org this tab is not signed in to changes nothing.
    let url = browser.current_url().await?;
    let mut forged = url.clone();
    forged.set_fragment(Some(&format!(
        "/org/00D000000000009AAA/005000000000009AAA/accounts/{id}"
    )));
    browser.goto(forged.as_str()).await?;
    browser
        .by_role(Role::Heading, "Edit O'Reilly Media")
        .await?;
    app.finish().await
}
