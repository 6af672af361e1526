//! Aggregate queries without GROUP BY (`SELECT COUNT(Id) c, COUNT(Phone) FROM Account WHERE …`):
//! the column names Salesforce gives (the alias, else `expr0`, `expr1`, … for the unaliased ones in
//! order) and the one `AggregateResult` row they make.
//! <https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_agg_functions.htm>

use chrono::NaiveDate;
use serde_json::Value;

use super::ast::{Aggregate, Query, SelectItem};
use super::eval::filtered;
use super::Row;

/// Whether the query selects aggregates (and so answers with `AggregateResult` rows).
pub fn is_aggregate(query: &Query) -> bool {
    query
        .select
        .iter()
        .any(|s| matches!(s, SelectItem::Aggregate(_)))
}

/// Each aggregate of the SELECT list with its column name.
pub fn columns(query: &Query) -> Vec<(String, &Aggregate)> {
    let mut unnamed = 0;
    query
        .select
        .iter()
        .filter_map(|item| match item {
            SelectItem::Aggregate(agg) => Some(agg),
            _ => None,
        })
        .map(|agg| {
            let name = match &agg.alias {
                Some(alias) => alias.clone(),
                None => {
                    unnamed += 1;
                    format!("expr{}", unnamed - 1)
                }
            };
            (name, agg)
        })
        .collect()
}

/// The result rows (one, or none past an OFFSET or with LIMIT 0), each as `(column, value)`:
/// `COUNT(field)` counts the filtered rows whose field is not null (`COUNT(Id)`: all of them).
pub fn aggregate<R: Row>(
    query: &Query,
    rows: Vec<R>,
    today: NaiveDate,
) -> Vec<Vec<(String, Value)>> {
    if query.offset.unwrap_or(0) > 0 || query.limit == Some(0) {
        return vec![];
    }
    let rows = filtered(query, rows, today);
    let row = columns(query)
        .into_iter()
        .map(|(name, agg)| {
            let count = rows
                .iter()
                .filter(|r| r.with_value(&agg.field.0, |v| !is_null(v)))
                .count();
            (name, Value::from(count))
        })
        .collect();
    vec![row]
}

/// SOQL treats `''` as null for text.
fn is_null(v: &Value) -> bool {
    matches!(v, Value::Null) || v.as_str() == Some("")
}
