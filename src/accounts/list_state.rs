//! The account list's state, kept while other screens come and go (coming back does not reload
//! 100,000 rows): its columns, rows, query inputs, selection and scroll position.

use std::collections::HashSet;

use leptos::prelude::*;
use orgbridge_model::accounts::{Column, Row};
use salesforce::soql::Direction;
use salesforce::types::RecordId;

pub use orgbridge_model::accounts::ALL_TEXT;

/// Why the list stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListError {
    pub message: String,
    /// The org refused the query itself (a bad WHERE clause), as opposed to a failed page.
    pub query_refused: bool,
    /// Refused before sending (the WHERE clause would not stay inside its parentheses).
    pub checked_here: bool,
}

/// The list's state, kept by the Accounts context so other screens can come and go.
#[derive(Clone, Copy)]
pub struct ListState {
    /// Columns of the loaded rows (the chooser may differ until applied).
    pub columns: RwSignal<Vec<Column>>,
    pub rows: RwSignal<Vec<Row>>,
    /// `totalSize` of the query.
    pub total: RwSignal<u64>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<ListError>>,
    /// The page to fetch next, kept so "Try again" continues where a failure stopped.
    pub resume: RwSignal<Option<String>>,
    /// The SOQL of the current list, shown to power users.
    pub soql: RwSignal<String>,
    pub search: RwSignal<String>,
    pub search_in: RwSignal<String>,
    pub where_raw: RwSignal<String>,
    pub sort: RwSignal<Option<(String, Direction)>>,
    pub selected: RwSignal<HashSet<RecordId>>,
    pub scroll_top: RwSignal<f64>,
    /// The table's visible height, as last scrolled (a million rows are scrolled in proportion).
    pub viewport: RwSignal<f64>,
    /// Bumped by each new query: pages of an older one are dropped when they arrive.
    generation: StoredValue<u64>,
}

impl ListState {
    pub fn new() -> ListState {
        ListState {
            columns: RwSignal::new(Vec::new()),
            rows: RwSignal::new(Vec::new()),
            total: RwSignal::new(0),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            resume: RwSignal::new(None),
            soql: RwSignal::new(String::new()),
            search: RwSignal::new(String::new()),
            search_in: RwSignal::new("Name".into()),
            where_raw: RwSignal::new(String::new()),
            sort: RwSignal::new(Some(("Name".into(), Direction::Asc))),
            selected: RwSignal::new(HashSet::new()),
            scroll_top: RwSignal::new(0.0),
            viewport: RwSignal::new(600.0),
            generation: StoredValue::new(0),
        }
    }

    pub(super) fn next_generation(&self) -> u64 {
        self.generation.update_value(|g| *g += 1);
        self.generation.get_value()
    }

    pub(super) fn is_current(&self, generation: u64) -> bool {
        self.generation.get_value() == generation
    }

    /// Takes rows out of the list (after they were deleted).
    pub fn remove_rows(&self, ids: &HashSet<RecordId>) {
        let mut removed = 0u64;
        self.rows.update(|rows| {
            let before = rows.len();
            rows.retain(|r| !ids.contains(&r.id));
            removed = (before - rows.len()) as u64;
        });
        self.total.update(|t| *t = t.saturating_sub(removed));
        self.selected.update(|s| s.retain(|id| !ids.contains(id)));
    }
}

impl Default for ListState {
    fn default() -> Self {
        ListState::new()
    }
}
