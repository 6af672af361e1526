//! Loading the account list from the org: its query (search escaped by the client's SOQL builder,
//! an optional raw WHERE, ORDER BY), every page through `nextRecordsUrl`, "Load the rest" after a
//! failed page, and re-reading one row after a create, edit or upsert.

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgbridge_model::accounts::{self as model, Column, Row, BATCH_SIZE, SOBJECT};
use salesforce::error::Error;
use salesforce::rest::{QueryPage, SObjectDescribe};
use salesforce::soql::{quote, ListQuery};
use salesforce::types::RecordId;

use super::context::Accounts;
use super::list_state::{ListError, ListState};
use crate::storage::{self, Key};

/// The columns the user chose (remembered in this browser), or the defaults.
pub fn saved_columns(ctx: Accounts, describe: &SObjectDescribe) -> Vec<Column> {
    let saved: Option<Vec<String>> = storage::get_json(Key::AccountColumns(&ctx.org_id()));
    model::columns_for(describe, saved.as_deref())
}

/// Remembers `paths` as this org's columns (in this browser) and reloads the list with them.
pub fn apply_columns(ctx: Accounts, paths: &[String]) {
    storage::set_json(Key::AccountColumns(&ctx.org_id()), &paths);
    load(ctx);
}

/// Forgets this org's column choice and reloads the list with the default columns.
pub fn default_columns(ctx: Accounts) {
    storage::remove(Key::AccountColumns(&ctx.org_id()));
    load(ctx);
}

/// The list's query for the current search, WHERE clause, sort and columns.
fn list_query(st: &ListState, describe: &SObjectDescribe, columns: &[Column]) -> ListQuery {
    let ask = model::ListAsk {
        search: st.search.get_untracked(),
        search_in: st.search_in.get_untracked(),
        where_raw: st.where_raw.get_untracked(),
        sort: st.sort.get_untracked(),
    };
    model::list_query(describe, columns, &ask)
}

/// (Re)loads the list from the first page.
pub fn load(ctx: Accounts) {
    let Some(describe) = ctx.describe.get_untracked() else {
        return;
    };
    let st = ctx.list;
    let generation = st.next_generation();
    // Loading before the rows go: never "No accounts match." for a moment between two lists.
    st.loading.set(true);
    let columns = saved_columns(ctx, &describe);
    st.columns.set(columns.clone());
    st.rows.set(Vec::new());
    st.total.set(0);
    st.selected.update(HashSet::clear);
    st.resume.set(None);
    st.scroll_top.set(0.0);
    let soql = match list_query(&st, &describe, &columns).to_soql() {
        Ok(soql) => soql,
        Err(e) => {
            st.soql.set(String::new());
            st.error.set(Some(ListError {
                message: e.user_message(),
                query_refused: true,
                checked_here: true,
            }));
            st.loading.set(false);
            return;
        }
    };
    st.soql.set(soql.clone());
    st.error.set(None);
    let columns = Arc::new(columns);
    spawn_local(async move {
        let first = ctx.client().query(&soql, Some(BATCH_SIZE)).await;
        fetch_pages(ctx, generation, columns, first, true).await;
    });
}

/// Continues loading after a failed page.
pub fn resume(ctx: Accounts) {
    let st = ctx.list;
    let Some(url) = st.resume.get_untracked() else {
        return load(ctx);
    };
    let generation = st.next_generation();
    let columns = Arc::new(st.columns.get_untracked());
    st.error.set(None);
    st.loading.set(true);
    spawn_local(async move {
        let page = ctx.client().query_more(&url, Some(BATCH_SIZE)).await;
        fetch_pages(ctx, generation, columns, page, false).await;
    });
}

/// Appends pages until the last one, an error, or a newer query.
async fn fetch_pages(
    ctx: Accounts,
    generation: u64,
    columns: Arc<Vec<Column>>,
    mut page: Result<QueryPage, Error>,
    first: bool,
) {
    let st = ctx.list;
    let mut first = first;
    loop {
        // The page may be gone by the time the org answers (signed out meanwhile).
        if !ctx.still_shown() {
            return;
        }
        let Some(client) = ctx.client.try_get_value() else {
            return;
        };
        if !st.is_current(generation) {
            return;
        }
        match page {
            Err(e) => {
                let query_refused = first && e.status() == Some(400);
                st.error.set(Some(ListError {
                    message: e.user_message(),
                    query_refused,
                    checked_here: false,
                }));
                st.loading.set(false);
                return;
            }
            Ok(p) => {
                st.total.set(p.total_size);
                let new_rows: Vec<Row> = p
                    .records
                    .iter()
                    .filter_map(|r| Row::from_record(r, &columns))
                    .collect();
                st.rows.update(|rows| rows.extend(new_rows));
                match p.next_records_url.filter(|_| !p.done) {
                    Some(url) => {
                        st.resume.set(Some(url.clone()));
                        page = client.query_more(&url, Some(BATCH_SIZE)).await;
                        first = false;
                    }
                    None => {
                        st.resume.set(None);
                        st.loading.set(false);
                        return;
                    }
                }
            }
        }
    }
}

/// Re-reads one account's row with the list's columns (after a create, edit or upsert): replaced
/// where it is, or added at the top when it is new to the list.
pub fn refresh_row(ctx: Accounts, id: RecordId) {
    let st = ctx.list;
    let columns = st.columns.get_untracked();
    if columns.is_empty() {
        return;
    }
    let Ok(soql) = ListQuery::new(SOBJECT, model::list_fields(&columns))
        .where_raw(&format!("Id = {}", quote(id.as_str())))
        .to_soql()
    else {
        return;
    };
    spawn_local(async move {
        let Ok(page) = ctx.client().query(&soql, None).await else {
            return;
        };
        if !ctx.still_shown() {
            return;
        }
        let Some(mut row) = page
            .records
            .first()
            .and_then(|r| Row::from_record(r, &columns))
        else {
            return;
        };
        st.rows
            .update(|rows| match rows.iter_mut().find(|r| r.id == row.id) {
                Some(existing) => {
                    row.revision = existing.revision + 1;
                    *existing = row;
                }
                None => {
                    rows.insert(0, row);
                    st.total.update(|t| *t += 1);
                }
            });
    });
}
