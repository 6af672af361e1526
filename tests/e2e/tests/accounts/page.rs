//! The Accounts screens as a person uses them: by headings, labels and button names. Also what the
//! org holds, read straight from devorg's store, to check what the screens did.

use anyhow::{anyhow, bail, Context, Result};
use devorg::schema::account_object;
use fantoccini::elements::Element;
use fantoccini::Locator;
use orgbridge_e2e::{Browser, Role, TestApp};
use serde_json::{Map, Value};

/// Catches the next file the page hands to the browser (a Blob URL), for [`caught_file`].
pub async fn catch_files(browser: &Browser) -> Result<()> {
    browser
        .eval(
            "window.__csv = null; const made = URL.createObjectURL; \
             URL.createObjectURL = b => { b.arrayBuffer().then(a => { const u = new Uint8Array(a); \
               window.__bom = u[0] === 0xEF && u[1] === 0xBB && u[2] === 0xBF; \
               window.__csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(u); }); return made(b); };",
        )
        .await?;
    Ok(())
}

/// The caught file's text (a byte order mark kept) and whether it starts with one.
pub async fn caught_file(browser: &Browser) -> Result<(String, bool)> {
    let text = browser
        .wait_for("the downloaded file", || async {
            Ok(browser
                .eval("return window.__csv;")
                .await?
                .as_str()
                .map(str::to_string))
        })
        .await?;
    let bom = browser.eval("return window.__bom;").await?.as_bool() == Some(true);
    browser.eval("window.__csv = null;").await?;
    Ok((text, bom))
}

/// The Accounts screens of a signed-in app.
pub struct AccountsPage<'a> {
    pub app: &'a TestApp,
}

impl<'a> AccountsPage<'a> {
    /// Signs in as a person does and waits until every account is loaded.
    pub async fn sign_in(app: &'a TestApp) -> Result<AccountsPage<'a>> {
        app.sign_in().await?;
        let page = AccountsPage { app };
        page.browser().by_role(Role::Heading, "Accounts").await?;
        page.wait_loaded().await?;
        Ok(page)
    }

    pub fn browser(&self) -> &'a Browser {
        &self.app.browser
    }

    /// Opens the list's "Columns" panel.
    pub async fn open_columns(&self) -> Result<()> {
        self.browser()
            .client()
            .find(Locator::Css(".ob-acc-columns summary"))
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// Shows another signed-in org, as a person does: its button in the org bar (`button`, see
    /// [`org_button`]); waits until the Accounts screens are that user's (`username`) and its
    /// list has loaded, so nothing typed next lands in the org shown before.
    pub async fn show_org(&self, button: &str, username: &str) -> Result<(u64, u64)> {
        self.browser().click_button(button).await?;
        self.wait_for_org(username).await
    }

    /// Waits until the Accounts screens shown are `username`'s (after a sign-in, the org just
    /// signed in to) and its list has loaded.
    pub async fn wait_for_org(&self, username: &str) -> Result<(u64, u64)> {
        let browser = self.browser();
        let wanted = format!("{username} at ");
        browser
            .wait_for("the Accounts screens of the org picked", || async {
                let shown = browser
                    .client()
                    .find_all(Locator::Css(".ob-acc-org"))
                    .await?;
                for el in shown {
                    if el.text().await?.contains(&wanted) {
                        return Ok(Some(()));
                    }
                }
                Ok(None)
            })
            .await?;
        self.wait_loaded().await
    }

    /// The list's count line ("1,234 of 5,000 loaded", "No accounts match.").
    pub async fn count_text(&self) -> Result<String> {
        let el = self
            .browser()
            .client()
            .find(Locator::Css(".ob-acc-count"))
            .await?;
        Ok(el.text().await?.trim().to_string())
    }

    /// Waits until the list has every row of its query; returns (loaded, total).
    pub async fn wait_loaded(&self) -> Result<(u64, u64)> {
        let browser = self.browser();
        browser
            .wait_for("the account list to finish loading", || async {
                let text = self.count_text().await?;
                let loading = !browser
                    .client()
                    .find_all(Locator::Css(".ob-acc-loading"))
                    .await?
                    .is_empty();
                if loading {
                    return Ok(None);
                }
                if text == "No accounts match." {
                    return Ok(Some((0, 0)));
                }
                Ok(parse_count(&text).filter(|(l, t)| l == t))
            })
            .await
    }

    /// Opens one of the screens from the Accounts navigation.
    pub async fn go_to(&self, screen: &str) -> Result<()> {
        self.browser().click_button(screen).await
    }

    /// Types a search and presses Search; `search_in` picks the field ("Account Name", "All text fields").
    pub async fn search(&self, text: &str, search_in: Option<&str>) -> Result<(u64, u64)> {
        let browser = self.browser();
        browser.fill("Search accounts", text).await?;
        if let Some(label) = search_in {
            browser
                .field("Search in")
                .await?
                .select_by_label(label)
                .await?;
        }
        browser.click_button("Search").await?;
        self.wait_loaded().await
    }

    /// Types a raw WHERE clause (opening its section) and presses Search, without waiting.
    pub async fn filter_where(&self, clause: &str) -> Result<()> {
        let browser = self.browser();
        let details = browser
            .client()
            .find(Locator::Css(".ob-acc-advanced"))
            .await?;
        if details.attr("open").await?.is_none() {
            details.find(Locator::Css("summary")).await?.click().await?;
        }
        browser.fill("WHERE clause", clause).await?;
        browser.click_button("Search").await
    }

    /// The rows in the page (only the rendered ones), each as its cell texts without the checkbox.
    pub async fn rendered_rows(&self) -> Result<Vec<Vec<String>>> {
        let rows = self
            .browser()
            .client()
            .find_all(Locator::Css(".ob-acc-table tbody tr:not(.ob-acc-spacer)"))
            .await?;
        let mut out = Vec::new();
        for row in rows {
            let mut cells = Vec::new();
            for cell in row.find_all(Locator::Css("td:not(.ob-acc-check)")).await? {
                cells.push(cell.text().await?.trim().to_string());
            }
            out.push(cells);
        }
        Ok(out)
    }

    /// The names (first column) of the rows in view.
    pub async fn visible_names(&self) -> Result<Vec<String>> {
        let script = r#"
            const box = document.querySelector('.ob-acc-scroller').getBoundingClientRect();
            return [...document.querySelectorAll('.ob-acc-table tbody tr:not(.ob-acc-spacer)')]
              .filter(r => { const b = r.getBoundingClientRect(); return b.bottom > box.top + 37 && b.top < box.bottom; })
              .map(r => r.querySelector('td:not(.ob-acc-check)').textContent.trim());"#;
        Ok(serde_json::from_value(self.browser().eval(script).await?)?)
    }

    /// The column header names, in order.
    pub async fn column_headers(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for th in self
            .browser()
            .client()
            .find_all(Locator::Css(".ob-acc-table thead th:not(.ob-acc-check)"))
            .await?
        {
            out.push(
                th.text()
                    .await?
                    .trim_end_matches(['▲', '▼'])
                    .trim()
                    .to_string(),
            );
        }
        Ok(out)
    }

    /// `aria-sort` of the header of column `label`.
    pub async fn sort_state(&self, label: &str) -> Result<Option<String>> {
        let button = self.browser().button(label).await?;
        let th = button.find(Locator::XPath("./ancestor::th")).await?;
        Ok(th.attr("aria-sort").await?)
    }

    /// Clicks a column header to sort by it and waits for the reloaded list.
    pub async fn sort_by(&self, label: &str) -> Result<()> {
        self.browser().click_button(label).await?;
        self.wait_loaded().await.map(|_| ())
    }

    /// Ticks the rows of the accounts named `names`.
    pub async fn select_rows(&self, names: &[&str]) -> Result<()> {
        for name in names {
            self.row_checkbox(name).await?.click().await?;
        }
        Ok(())
    }

    /// The checkbox that selects the account named `name`.
    pub async fn row_checkbox(&self, name: &str) -> Result<Element> {
        self.checkbox(&format!("Select {name}")).await
    }

    /// A checkbox by its accessible name: its `aria-label`, or the text of its `<label>` without
    /// the parts hidden from assistive technology.
    pub async fn checkbox(&self, name: &str) -> Result<Element> {
        let browser = self.browser();
        let script = format!(
            r#"const want = {};
            const norm = t => t.split(/\s+/).filter(Boolean).join(' ');
            const boxes = [...document.querySelectorAll('input[type=checkbox]')];
            return boxes.findIndex(b => {{
              if (b.getAttribute('aria-label')) return norm(b.getAttribute('aria-label')) === want;
              const label = b.id && document.querySelector(`label[for="${{b.id}}"]`);
              if (!label) return false;
              const copy = label.cloneNode(true);
              copy.querySelectorAll('[aria-hidden=true]').forEach(e => e.remove());
              return norm(copy.textContent) === want;
            }});"#,
            serde_json::to_string(name)?
        );
        browser
            .wait_for(&format!("a checkbox named {name:?}"), || async {
                let index = browser.eval(&script).await?.as_i64().unwrap_or(-1);
                if index < 0 {
                    return Ok(None);
                }
                let boxes = browser
                    .client()
                    .find_all(Locator::Css("input[type=checkbox]"))
                    .await?;
                Ok(boxes.into_iter().nth(index as usize))
            })
            .await
    }

    /// Opens the account named `name` from the list.
    pub async fn open_account(&self, name: &str) -> Result<()> {
        self.browser()
            .by_role(Role::Link, name)
            .await?
            .click()
            .await?;
        self.browser().by_role(Role::Heading, name).await?;
        Ok(())
    }

    /// The record view's label → value pairs (labels without the "Read-only" badge) and which
    /// labels are marked read-only.
    pub async fn record_facts(&self) -> Result<(Vec<(String, String)>, Vec<String>)> {
        let script = r#"
            return [...document.querySelectorAll('.ob-acc-fact')].map(f => {
              const dt = f.querySelector('dt');
              const badge = dt.querySelector('.ob-acc-badge');
              const label = [...dt.childNodes].filter(n => n !== badge).map(n => n.textContent).join('').trim();
              return [label, f.querySelector('dd').textContent.trim(), !!badge];
            });"#;
        let facts: Vec<(String, String, bool)> =
            serde_json::from_value(self.browser().eval(script).await?)?;
        let read_only = facts.iter().filter(|f| f.2).map(|f| f.0.clone()).collect();
        Ok((
            facts.into_iter().map(|(l, v, _)| (l, v)).collect(),
            read_only,
        ))
    }

    /// The message shown beside the form field labelled `label` (empty when none).
    pub async fn field_error(&self, label: &str) -> Result<String> {
        let field = self.browser().field(label).await?;
        let ids = field.attr("aria-describedby").await?.unwrap_or_default();
        let Some(error_id) = ids.split_whitespace().find(|id| id.ends_with("-error")) else {
            bail!("the field {label:?} names no error element");
        };
        let el = self.browser().client().find(Locator::Id(error_id)).await?;
        Ok(el.text().await?.trim().to_string())
    }

    /// Waits until the field labelled `label` shows an error, and returns it.
    pub async fn wait_field_error(&self, label: &str) -> Result<String> {
        self.browser()
            .wait_for(&format!("an error beside {label:?}"), || async {
                let text = self.field_error(label).await?;
                Ok((!text.is_empty()).then_some(text))
            })
            .await
    }

    /// The current value of the field labelled `label`.
    pub async fn field_value(&self, label: &str) -> Result<String> {
        Ok(self
            .browser()
            .field(label)
            .await?
            .prop("value")
            .await?
            .unwrap_or_default())
    }

    /// Picks an option of the select labelled `label` by its text.
    pub async fn choose_option(&self, label: &str, option: &str) -> Result<()> {
        self.browser()
            .field(label)
            .await?
            .select_by_label(option)
            .await
            .with_context(|| format!("no option {option:?} in {label:?}"))
    }

    /// The text of a status message (`role=status`) that contains `needle`, waiting for one.
    pub async fn wait_status_containing(&self, needle: &str) -> Result<String> {
        self.browser().status_containing(needle).await
    }

    /// The text of an alert (`role=alert`) that contains `needle`, waiting for one.
    pub async fn wait_alert_containing(&self, needle: &str) -> Result<String> {
        self.browser().alert_containing(needle).await
    }

    /// The API budget badge's text.
    pub async fn budget_text(&self) -> Result<String> {
        let el = self
            .browser()
            .client()
            .find(Locator::Id("ob-acc-budget-text"))
            .await?;
        Ok(el.text().await?.trim().to_string())
    }
}

/// `"1,234 of 5,000 loaded"` → (1234, 5000).
pub fn parse_count(text: &str) -> Option<(u64, u64)> {
    let text = text.strip_suffix(" loaded")?;
    let (a, b) = text.split_once(" of ")?;
    let n = |s: &str| s.replace(',', "").parse::<u64>().ok();
    Some((n(a)?, n(b)?))
}

/// Reads the org: accounts and their fields, straight from devorg's store.
pub struct Org<'a>(pub &'a TestApp);

impl Org<'_> {
    /// A field of an account as the REST API prints it (`Null` when the account does not exist).
    pub fn value(&self, id: &str, field: &str) -> Value {
        let store = self.0.org.state.store.read();
        let Some(rec) = store.account(id) else {
            return Value::Null;
        };
        let f = account_object().field(field).expect("a field of Account");
        store.account_value(rec, f)
    }

    /// Whether the account exists and is not deleted.
    pub fn is_live(&self, id: &str) -> bool {
        self.0.org.state.store.read().live_account(id).is_ok()
    }

    /// Ids of live accounts whose `field` equals `value`.
    pub fn ids_where(&self, field: &str, value: &str) -> Vec<String> {
        let store = self.0.org.state.store.read();
        let f = account_object().field(field).expect("a field of Account");
        store
            .accounts()
            .filter(|r| !r.deleted)
            .filter(|r| store.account_value(r, f).as_str() == Some(value))
            .map(|r| r.id.clone())
            .collect()
    }

    /// The one live account named `name`.
    pub fn id_named(&self, name: &str) -> Result<String> {
        let ids = self.ids_where("Name", name);
        match ids.as_slice() {
            [one] => Ok(one.clone()),
            _ => Err(anyhow!(
                "expected one account named {name:?} in the org, found {}",
                ids.len()
            )),
        }
    }

    /// Live accounts.
    pub fn live_count(&self) -> usize {
        self.0
            .org
            .state
            .store
            .read()
            .accounts()
            .filter(|r| !r.deleted)
            .count()
    }

    /// Every live account's value of `field`.
    pub fn values_of(&self, field: &str) -> Vec<Value> {
        let store = self.0.org.state.store.read();
        let f = account_object().field(field).expect("a field of Account");
        store
            .accounts()
            .filter(|r| !r.deleted)
            .map(|r| store.account_value(r, f))
            .collect()
    }

    /// Creates one account per name directly in the org, returning their ids.
    pub fn insert_named(&self, names: &[&str]) -> Vec<String> {
        names
            .iter()
            .map(|n| self.insert(serde_json::json!({ "Name": n })))
            .collect()
    }

    /// Creates an account directly in the org (as another user would), returning its id.
    pub fn insert(&self, fields: Value) -> String {
        let body: Map<String, Value> = serde_json::from_value(fields).expect("a JSON object");
        let mut store = self.0.org.state.store.write();
        let (id, _) = store
            .insert(&body, devorg::store::now_ms())
            .expect("a valid account");
        id
    }

    /// Changes an account directly in the org (as another user would).
    pub fn update(&self, id: &str, fields: Value) {
        let body: Map<String, Value> = serde_json::from_value(fields).expect("a JSON object");
        self.0
            .org
            .state
            .store
            .write()
            .update(0, id, &body, devorg::store::now_ms())
            .expect("a valid change");
    }

    /// API calls the org counted so far today.
    pub fn api_calls(&self) -> u64 {
        self.0.org.state.usage.used()
    }
}

/// The name the org bar gives an org's button: what it shows (user, org id, host).
pub fn org_button(username: &str, org: &devorg::RunningOrg) -> String {
    let host = org.url.trim_start_matches("http://");
    format!("{username} {} · {host}", org.state.org.org_id)
}
