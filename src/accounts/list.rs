//! The account list screen: search and WHERE, the table that keeps only the rows in view in the
//! page (fixed row height, spacer rows above and below), sorting, the column chooser and the bulk
//! bar. The state lives in `list_state`, the loading in `loader`.

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use orgbridge_model::accounts::{self as model, column_choices, thousands, Column, Row};
use salesforce::rest::SObjectDescribe;
use salesforce::soql::Direction;
use salesforce::types::RecordId;

use super::bulk::BulkBar;
use super::context::{use_accounts, Screen};
use super::list_state::ALL_TEXT;
use super::loader::{apply_columns, default_columns, load, resume};
use crate::app::Route;
use crate::components::alert::ErrorAlert;

/// The list screen.
#[component]
pub fn AccountList(describe: Arc<SObjectDescribe>) -> impl IntoView {
    let ctx = use_accounts();
    let st = ctx.list;
    let search_choices: Vec<(String, String)> = model::search_fields(&describe)
        .iter()
        .map(|f| (f.name.clone(), f.label.clone()))
        .collect();

    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        load(ctx);
    };

    let status = move || {
        let loaded = st.rows.with(Vec::len) as u64;
        let total = st.total.get();
        if st.loading.get() && loaded == 0 {
            "Loading accounts…".to_string()
        } else if !st.loading.get() && total == 0 && st.error.with(Option::is_none) {
            "No accounts match.".to_string()
        } else {
            format!("{} of {} loaded", thousands(loaded), thousands(total))
        }
    };

    view! {
        <div class="ob-acc-list">
            <form class="ob-acc-search" role="search" aria-label="Accounts" on:submit=on_search>
                <div class="ob-acc-search-row">
                    <div class="ob-field">
                        <label for="ob-acc-search-text">"Search accounts"</label>
                        <input
                            id="ob-acc-search-text"
                            type="search"
                            class="ob-input"
                            prop:value=move || st.search.get()
                            on:input=move |ev| st.search.set(event_target_value(&ev))
                            on:change=move |ev| st.search.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="ob-field">
                        <label for="ob-acc-search-in">"Search in"</label>
                        <select
                            id="ob-acc-search-in"
                            class="ob-input"
                            prop:value=move || st.search_in.get()
                            on:change=move |ev| st.search_in.set(event_target_value(&ev))
                        >
                            {search_choices
                                .into_iter()
                                .map(|(name, label)| {
                                    let selected = name == st.search_in.get_untracked();
                                    view! { <option value=name selected=selected>{label}</option> }
                                })
                                .collect_view()}
                            <option value=ALL_TEXT selected=st.search_in.get_untracked() == ALL_TEXT>"All text fields"</option>
                        </select>
                    </div>
                    <button type="submit" class="ob-button">"Search"</button>
                </div>
                <details class="ob-acc-advanced" open=!st.where_raw.get_untracked().is_empty()>
                    <summary>"Filter with a WHERE clause"</summary>
                    <div class="ob-field">
                        <label for="ob-acc-where">"WHERE clause"</label>
                        <input
                            id="ob-acc-where"
                            type="text"
                            class="ob-input ob-mono"
                            placeholder="Industry = 'Energy' AND AnnualRevenue > 1000000"
                            aria-describedby="ob-acc-where-help"
                            prop:value=move || st.where_raw.get()
                            on:input=move |ev| st.where_raw.set(event_target_value(&ev))
                            on:change=move |ev| st.where_raw.set(event_target_value(&ev))
                        />
                        <p id="ob-acc-where-help" class="ob-muted ob-small">
                            "SOQL condition, added to the search with AND. Press Search to apply."
                        </p>
                    </div>
                </details>
            </form>
            <ColumnChooser describe=describe.clone()/>
            <ListProblem/>
            <div class="ob-acc-statusbar">
                <p class="ob-acc-count" role="status" aria-live="polite">{status}</p>
                <Show when=move || st.loading.get()>
                    <progress
                        class="ob-acc-loading"
                        aria-label="Loading accounts"
                        max=move || st.total.get().max(1).to_string()
                        value=move || st.rows.with(Vec::len).to_string()
                    ></progress>
                </Show>
                <button type="button" class="ob-button ob-button-secondary" on:click=move |_| load(ctx)>
                    "Reload"
                </button>
            </div>
            <BulkBar describe=describe.clone()/>
            <AccountTable/>
        </div>
    }
}

/// Why the list is empty or incomplete, with a way on.
#[component]
fn ListProblem() -> impl IntoView {
    let ctx = use_accounts();
    let st = ctx.list;
    move || {
        st.error.get().map(|err| {
            let loaded = st.rows.with(Vec::len);
            let (title, again) = if err.checked_here {
                (
                    "Check the search and WHERE clause".to_string(),
                    "Search again",
                )
            } else if err.query_refused {
                ("The org refused the query".to_string(), "Search again")
            } else if loaded > 0 {
                (
                    format!(
                        "Loading stopped after {} accounts",
                        thousands(loaded as u64)
                    ),
                    "Load the rest",
                )
            } else {
                ("Could not load the accounts".to_string(), "Try again")
            };
            let soql = st.soql.get_untracked();
            view! {
                <ErrorAlert title=title message=err.message.clone()>
                    <button type="button" class="ob-button" on:click=move |_| resume(ctx)>
                        {again}
                    </button>
                </ErrorAlert>
                {(!soql.is_empty()).then(|| view! {
                    <details class="ob-acc-soql">
                        <summary>"Query sent"</summary>
                        <code class="ob-mono">{soql}</code>
                    </details>
                })}
            }
        })
    }
}

/// The table: a scrolling box whose height stands for every loaded row, holding only the rows in
/// view between two spacer rows.
#[component]
fn AccountTable() -> impl IntoView {
    let ctx = use_accounts();
    let st = ctx.list;
    let scroller = NodeRef::<leptos::html::Div>::new();
    // Where the link to the account goes: the Name column wherever it is, else the first one
    // (rows are re-read whenever the columns change, so reading this once per row is enough).
    let name_column = move || {
        st.columns.with_untracked(|cols| {
            cols.iter()
                .position(|c| c.path.eq_ignore_ascii_case("Name"))
                .unwrap_or(0)
        })
    };
    let window = Memo::new(move |_| {
        model::window_at(
            st.scroll_top.get(),
            st.viewport.get(),
            st.rows.with(Vec::len),
        )
    });

    // The table is where the list state says: at the top for a new query, and where it was
    // left when this screen (or this org) is shown again.
    Effect::new(move |_| {
        let want = st.scroll_top.get() as i32;
        if let Some(el) = scroller.get() {
            if el.scroll_top() != want {
                el.set_scroll_top(want);
            }
        }
    });

    let visible = move || {
        let w = window.get().rows;
        st.rows.with(|rows| {
            rows[w.clone()]
                .iter()
                .enumerate()
                .map(|(i, row)| (w.start + i, row.clone()))
                .collect::<Vec<_>>()
        })
    };
    let top_space = move || format!("{}px", window.with(|w| w.above_px));
    let bottom_space = move || format!("{}px", window.with(|w| w.below_px));
    let column_count = move || st.columns.with(Vec::len) + 1;
    let all_selected = move || {
        let loaded = st.rows.with(Vec::len);
        loaded > 0 && st.selected.with(HashSet::len) == loaded
    };
    let select_all = move |ev: leptos::ev::Event| {
        if event_target_checked(&ev) {
            let ids: HashSet<RecordId> = st
                .rows
                .with_untracked(|rows| rows.iter().map(|r| r.id.clone()).collect());
            st.selected.set(ids);
        } else {
            st.selected.update(HashSet::clear);
        }
    };

    view! {
        <div
            class="ob-acc-scroller"
            node_ref=scroller
            tabindex="0"
            role="region"
            aria-label="Accounts table"
            on:scroll=move |ev| {
                let el = event_target::<web_sys::Element>(&ev);
                st.viewport.set(f64::from(el.client_height()));
                st.scroll_top.set(f64::from(el.scroll_top()));
            }
        >
            <table
                class="ob-acc-table"
                aria-rowcount=move || (st.rows.with(Vec::len) + 1).to_string()
                style:min-width=move || format!("{}px", 44 + st.columns.with(Vec::len) * 160)
            >
                <thead>
                    <tr aria-rowindex="1">
                        <th scope="col" class="ob-acc-check">
                            <input
                                type="checkbox"
                                aria-label="Select all loaded accounts"
                                prop:checked=all_selected
                                on:change=select_all
                            />
                        </th>
                        {move || st.columns.get().into_iter().map(|c| view! { <HeaderCell column=c/> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    <tr class="ob-acc-spacer" aria-hidden="true">
                        <td colspan=column_count style:height=top_space></td>
                    </tr>
                    <For
                        each=visible
                        key=|(i, row)| (*i, row.id.clone(), row.revision)
                        children=move |(i, row)| view! { <AccountRow index=i row=row link_at=name_column()/> }
                    />
                    <tr class="ob-acc-spacer" aria-hidden="true">
                        <td colspan=column_count style:height=bottom_space></td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
}

/// A column header: a button that sorts by the column (server-side) when the org can sort it.
#[component]
fn HeaderCell(column: Column) -> impl IntoView {
    let ctx = use_accounts();
    let st = ctx.list;
    let path = column.path.clone();
    let sorted = {
        let path = path.clone();
        move || {
            st.sort
                .get()
                .filter(|(p, _)| p.eq_ignore_ascii_case(&path))
                .map(|(_, d)| d)
        }
    };
    let aria_sort = {
        let sorted = sorted.clone();
        move || {
            sorted().map(|d| match d {
                Direction::Asc => "ascending",
                Direction::Desc => "descending",
            })
        }
    };
    if !column.sortable {
        return view! { <th scope="col" title=column.path.clone()>{column.label}</th> }.into_any();
    }
    let toggle = move |_| {
        let next = match st.sort.get_untracked() {
            Some((p, Direction::Asc)) if p.eq_ignore_ascii_case(&path) => Direction::Desc,
            _ => Direction::Asc,
        };
        st.sort.set(Some((path.clone(), next)));
        load(ctx);
    };
    let arrow = move || match sorted() {
        Some(Direction::Asc) => "▲",
        Some(Direction::Desc) => "▼",
        None => "",
    };
    view! {
        <th scope="col" aria-sort=aria_sort title=column.path.clone()>
            <button type="button" class="ob-acc-sort" on:click=toggle>
                {column.label}
                <span class="ob-acc-arrow" aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
    .into_any()
}

/// One account in the table: a checkbox to select it, then its cells; the Name cell (or, when
/// Name is not shown, the first cell) opens it.
#[component]
fn AccountRow(index: usize, row: Row, link_at: usize) -> impl IntoView {
    let ctx = use_accounts();
    let st = ctx.list;
    let id = row.id.clone();
    let name = row.name.clone();
    let shown_name = model::shown_name(&name);
    let checked = {
        let id = id.clone();
        move || st.selected.with(|s| s.contains(&id))
    };
    let on_check = {
        let id = id.clone();
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            st.selected.update(|s| {
                if on {
                    s.insert(id.clone());
                } else {
                    s.remove(&id);
                }
            });
        }
    };
    let open = {
        let id = id.clone();
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            ctx.go(Screen::View(id.clone()));
        }
    };
    let href = Route::account_href(&ctx.org_key(), &id);
    let cells = row.cells.into_iter().enumerate().map(|(i, text)| {
        if i != link_at {
            return view! { <td>{text}</td> }.into_any();
        }
        // The Name cell shows the name; another column's cell keeps its text, named for the row.
        let (shown, label) = if text == name {
            (shown_name.clone(), None)
        } else {
            (text, Some(format!("Open {shown_name}")))
        };
        view! {
            <td>
                <a href=href.clone() aria-label=label on:click=open.clone()>{shown}</a>
            </td>
        }
        .into_any()
    });
    view! {
        <tr aria-rowindex=(index + 2).to_string()>
            <td class="ob-acc-check">
                <input type="checkbox" aria-label=format!("Select {shown_name}") prop:checked=checked on:change=on_check/>
            </td>
            {cells.collect_view()}
        </tr>
    }
}

/// Which columns the table shows, chosen from every field of the describe and remembered in this
/// browser.
#[component]
fn ColumnChooser(describe: Arc<SObjectDescribe>) -> impl IntoView {
    let ctx = use_accounts();
    let st = ctx.list;
    let choices = column_choices(&describe);
    let chosen = RwSignal::new(
        st.columns
            .get_untracked()
            .into_iter()
            .map(|c| c.path)
            .collect::<Vec<String>>(),
    );
    // Follow the loaded columns (they are set when a load starts).
    Effect::new(move |_| chosen.set(st.columns.get().into_iter().map(|c| c.path).collect()));
    let problem = RwSignal::new(None::<String>);

    let apply = move |_| {
        let paths = chosen.get_untracked();
        if paths.is_empty() {
            problem.set(Some("Choose at least one column.".into()));
            return;
        }
        problem.set(None);
        apply_columns(ctx, &paths);
    };
    let reset = move |_| {
        problem.set(None);
        default_columns(ctx);
    };

    view! {
        <details class="ob-acc-columns">
            <summary>{move || format!("Columns ({})", chosen.with(Vec::len))}</summary>
            <fieldset>
                <legend>"Columns to show"</legend>
                <div class="ob-acc-column-grid">
                    {choices
                        .into_iter()
                        .map(|c| {
                            let path = c.path.clone();
                            let path2 = c.path.clone();
                            let id = format!("ob-acc-col-{}", c.path.replace('.', "-"));
                            view! {
                                <label class="ob-acc-column" for=id.clone()>
                                    <input
                                        id=id.clone()
                                        type="checkbox"
                                        prop:checked=move || chosen.with(|v| v.contains(&path))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            chosen.update(|v| {
                                                v.retain(|p| p != &path2);
                                                if on {
                                                    v.push(path2.clone());
                                                }
                                            });
                                        }
                                    />
                                    {c.label}
                                    <span class="ob-muted ob-small" aria-hidden="true">" "{c.path}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
            {move || problem.get().map(|p| view! { <p class="ob-field-error" role="alert">{p}</p> })}
            <div class="ob-actions">
                <button type="button" class="ob-button" on:click=apply>"Apply columns"</button>
                <button type="button" class="ob-button ob-button-secondary" on:click=reset>"Default columns"</button>
            </div>
        </details>
    }
}
