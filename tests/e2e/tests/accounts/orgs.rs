//! Several orgs at once: a source and a target org signed in side by side, each with its own
//! accounts; switching, a reload, signing out of one and one org's session ending touch only
//! that org. And the bad paths of adding one: the same org twice, an unreachable org, a consumer
//! key the second org does not know.

use anyhow::Result;
use orgbridge_e2e::{
    spawn_app, spawn_second_org, unreachable_org_url, Role, SignInPage, PASSWORD, TARGET_PASSWORD,
    TARGET_USERNAME, USERNAME,
};
use serde_json::json;

use crate::page::{org_button, AccountsPage, Org};

/// Clicks Sign in on the sign-in screen shown and logs in at the org's page.
async fn sign_in_here(
    browser: &orgbridge_e2e::Browser,
    username: &str,
    password: &str,
) -> Result<()> {
    SignInPage::wait(browser)
        .await?
        .sign_in()
        .await?
        .log_in_and_allow(username, password)
        .await
}

#[tokio::test]
async fn two_orgs_side_by_side_each_with_its_own_accounts() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    Org(&app).insert(json!({"Name": "Source Only Ltd"}));
    target
        .state
        .store
        .write()
        .insert(
            json!({"Name": "Target Only Ltd"}).as_object().unwrap(),
            devorg::store::now_ms(),
        )
        .expect("an account");
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let source_button = org_button(USERNAME, &app.org);
    let target_button = org_button(TARGET_USERNAME, &target);
    let source_count = page.count_text().await?;

    app.add_org(&target, TARGET_USERNAME, TARGET_PASSWORD)
        .await?;

    // The target org is shown, with its own accounts; both are in the org bar.
    browser.by_role(Role::Button, &target_button).await?;
    browser.by_role(Role::Button, &source_button).await?;
    page.wait_loaded().await?;
    assert_eq!(page.search("Only Ltd", None).await?, (1, 1));
    assert_eq!(page.visible_names().await?, ["Target Only Ltd"]);

    // The sign-in's redirect reloaded the page, so the source org's list is read once more when
    // it is first shown again; from then on, switching back is instant: the list as it was
    // left, with no new query.
    page.show_org(&source_button, USERNAME).await?;
    assert_eq!(page.count_text().await?, source_count);
    page.show_org(&target_button, TARGET_USERNAME).await?;
    assert_eq!(page.visible_names().await?, ["Target Only Ltd"]);
    let calls = Org(&app).api_calls();
    browser.click_button(&source_button).await?;
    browser.by_role(Role::Heading, "Accounts").await?;
    assert_eq!(page.count_text().await?, source_count);
    assert_eq!(Org(&app).api_calls(), calls, "nothing asked of the org");
    assert_eq!(page.search("Only Ltd", None).await?, (1, 1));
    assert_eq!(page.visible_names().await?, ["Source Only Ltd"]);

    // The person names the source org and gives it a colour; its button says so.
    browser.fill("Label", "Source").await?;
    browser
        .field("Colour")
        .await?
        .select_by_label("Purple")
        .await?;
    let source_button = format!("Source {source_button}");
    browser.by_role(Role::Button, &source_button).await?;
    browser.wait_for_text("in Source (").await?;

    // A reload keeps both orgs signed in, the source one shown, its label remembered.
    browser.client().refresh().await?;
    browser.by_role(Role::Button, &target_button).await?;
    browser.by_role(Role::Button, &source_button).await?;
    assert_eq!(page.field_value("Label").await?, "Source");
    browser.by_role(Role::Heading, "Accounts").await?;
    page.wait_loaded().await?;
    let details = orgbridge_e2e::SignedInPage::wait(browser)
        .await?
        .details()
        .await?;
    assert_eq!(details["Username"], USERNAME);

    // Something typed in the target org, then its session ends: only it says so, what was typed
    // stays, and the source org keeps working.
    page.show_org(&target_button, TARGET_USERNAME).await?;
    page.go_to("New account").await?;
    browser.fill("Account Name", "Typed In Target").await?;
    target.state.tokens.lock().revoke_all();
    app.browser.expect_console_error("401");
    app.browser.expect_console_error("400");
    browser.click_button("Create account").await?;
    page.wait_alert_containing("Your session with this org ended")
        .await?;
    assert_eq!(page.field_value("Account Name").await?, "Typed In Target");
    browser
        .by_role(Role::Button, &format!("{target_button} Session ended"))
        .await?;
    page.show_org(&source_button, USERNAME).await?;
    assert_eq!(page.search("Source Only", None).await?, (1, 1));

    // Signing out of the source org leaves the target org signed in (and shown).
    browser.click_button("Sign out").await?;
    let status = browser.status_containing("You signed out of").await?;
    assert!(status.contains(USERNAME), "{status}");
    browser
        .by_role(Role::Button, &format!("{target_button} Session ended"))
        .await?;
    assert!(browser.by_role(Role::Button, &source_button).await.is_err());
    app.finish().await
}

#[tokio::test]
async fn adding_the_same_org_twice_an_unreachable_one_or_a_wrong_key_keeps_what_is_signed_in(
) -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    AccountsPage::sign_in(&app).await?;
    let browser = &app.browser;
    let source_button = org_button(USERNAME, &app.org);

    // The same org and user again: still one entry.
    browser.click_button("Add an org").await?;
    sign_in_here(&app.browser, USERNAME, PASSWORD).await?;
    browser.by_role(Role::Heading, "Accounts").await?;
    let tabs = browser
        .eval("return document.querySelectorAll('.ob-org-tab').length;")
        .await?;
    assert_eq!(tabs, json!(1));

    // An org nobody answers for: said in words, nothing else changes.
    app.browser.expect_console_error("ERR_CONNECTION_REFUSED");
    browser.click_button("Add an org").await?;
    let form = SignInPage::wait(browser).await?;
    form.use_devorg_at(&unreachable_org_url()?).await?;
    form.click_sign_in().await?;
    let alert = browser.alert_containing("Nothing answered at").await?;
    assert!(alert.contains("Check the URL"), "{alert}");
    browser.click_button("Start again").await?;
    browser.click_button("Back to the signed-in orgs").await?;
    browser.by_role(Role::Button, &source_button).await?;

    // A consumer key the second org does not know: its own error page, never a login form.
    browser.click_button("Add an org").await?;
    let form = SignInPage::wait(browser).await?;
    form.use_my_domain(&target.url).await?;
    form.set_consumer_key("not-registered-here").await?;
    // The org's error page answers 400.
    app.browser
        .expect_console_error("client_id=not-registered-here");
    form.click_sign_in().await?;
    browser.wait_for_text("invalid_client_id").await?;
    browser.client().back().await?;
    browser.by_role(Role::Button, &source_button).await?;
    let tabs = browser
        .eval("return document.querySelectorAll('.ob-org-tab').length;")
        .await?;
    assert_eq!(tabs, json!(1));
    app.finish().await
}

/// As under scripts/dev: the page's devorg meta tag lists a source and a target devorg, the
/// sign-in screen offers both, and the person signs in to one, then adds the other.
#[tokio::test]
async fn the_devorgs_the_page_lists_are_each_offered_to_sign_in_to() -> Result<()> {
    let app = spawn_app().await?;
    let target = spawn_second_org(&app).await?;
    app.site.offer_devorg(&app.org.url);
    app.site.offer_devorg(&target.url);
    let browser = &app.browser;
    browser.goto(&app.site.app_url()).await?;
    SignInPage::wait(browser).await?;
    let offered = browser
        .eval("return [...document.querySelectorAll('#ob-devorg-pick option')].map(o => o.value);")
        .await?;
    assert_eq!(offered, json!([app.org.url, target.url]));
    browser
        .wait_for_text(&format!("Sign in opens {}", &app.org.url[7..]))
        .await?;
    sign_in_here(&app.browser, USERNAME, PASSWORD).await?;
    browser.by_role(Role::Heading, "Accounts").await?;

    browser.click_button("Add an org").await?;
    SignInPage::wait(browser).await?;
    browser
        .field("Which devorg")
        .await?
        .select_by_label(&target.url)
        .await?;
    browser
        .wait_for_text(&format!("Sign in opens {}", &target.url[7..]))
        .await?;
    sign_in_here(&app.browser, TARGET_USERNAME, TARGET_PASSWORD).await?;
    browser
        .by_role(Role::Button, &org_button(TARGET_USERNAME, &target))
        .await?;
    browser
        .by_role(Role::Button, &org_button(USERNAME, &app.org))
        .await?;
    app.finish().await
}

/// Another user of an org already signed in is a second entry, shown with its own user, and
/// each works as itself: what one creates, the org records as theirs.
#[tokio::test]
async fn another_user_of_the_same_org_is_a_second_entry_working_as_itself() -> Result<()> {
    let app = spawn_app().await?;
    let page = AccountsPage::sign_in(&app).await?;
    let browser = page.browser();
    let riley = "riley.chen@devorg.local";
    app.add_org(&app.org, riley, PASSWORD).await?;
    browser
        .by_role(Role::Button, &org_button(USERNAME, &app.org))
        .await?;
    browser
        .by_role(Role::Button, &org_button(riley, &app.org))
        .await?;
    page.wait_loaded().await?;

    page.go_to("New account").await?;
    browser.fill("Account Name", "Made By Riley").await?;
    browser.click_button("Create account").await?;
    page.wait_status_containing("Account created.").await?;
    let org = Org(&app);
    let id = org.id_named("Made By Riley")?;
    let riley_id = {
        let store = app.org.state.store.read();
        let user = store
            .users
            .iter()
            .find(|u| u.username == riley)
            .map(|u| u.id.clone());
        user.expect("Riley is a user of the org")
    };
    assert_eq!(org.value(&id, "CreatedById"), json!(riley_id));
    assert_eq!(org.value(&id, "OwnerId"), json!(riley_id));
    app.finish().await
}
