//! A line against its record in the org: Insert, Update with only the fields that change,
//! Unchanged, Blocked or Delete, and the body the run sends.

use orgbridge_sync::fields::same;
use salesforce::rest::{Record, SObjectDescribe};
use salesforce::types::RecordId;
use serde_json::Value;

use super::{Asked, Change, Outcome, Row, Setup};
use crate::columns::Operation;

/// Settles `asked` against `existing`, its record as [`super::reads`] read it (`None`: the org
/// has no record for its Id or key).
pub fn settle(
    setup: &Setup,
    account: &SObjectDescribe,
    asked: Asked,
    existing: Option<&Record>,
) -> Row {
    let target = existing
        .and_then(|r| r.get("Id"))
        .and_then(Value::as_str)
        .and_then(|id| RecordId::parse(id).ok());
    let text = |r: &Record, f: &str| r.get(f).and_then(Value::as_str).map(str::to_string);
    let mut row = Row {
        line: asked.line,
        name: asked
            .name
            .clone()
            .or_else(|| existing.and_then(|r| text(r, "Name")))
            .unwrap_or_default(),
        outcome: Outcome::Blocked,
        target,
        key: None,
        stamp: existing.and_then(|r| text(r, "SystemModstamp")),
        changes: Vec::new(),
        problems: asked.problems,
        notes: Vec::new(),
        body: Record::new(),
    };
    if asked.done_before {
        row.outcome = Outcome::Unchanged;
        row.problems.clear();
        row.notes
            .push("Done in an earlier run (its Status says Done): skipped.".into());
        return row;
    }
    if !row.problems.is_empty() {
        return row;
    }
    let values = asked.values;
    match (&setup.op, existing) {
        (Operation::Update | Operation::Delete, None) => {
            row.problems.push(format!(
                "No account with Id {} in this org (deleted, or in another org).",
                asked.finder.unwrap_or_default()
            ));
        }
        (Operation::Delete, Some(_)) => {
            row.outcome = Outcome::Delete;
        }
        (Operation::Insert, _) | (Operation::Upsert { .. }, None) => {
            let missing = missing_required(account, &values);
            if !missing.is_empty() {
                row.problems.push(format!(
                    "To create an account the org needs {}: this line gives none.",
                    missing.join(", ")
                ));
                return row;
            }
            // Its body is what it sets: no list of changes beside it (a million new lines).
            row.outcome = Outcome::Insert;
            row.body = values.into_iter().filter(|(_, v)| !v.is_null()).collect();
            if let Operation::Upsert { key } = &setup.op {
                row.key = asked.finder;
                row.body.insert(key.clone(), Value::from(row.key.clone()));
            }
        }
        (Operation::Update | Operation::Upsert { .. }, Some(record)) => {
            let key_field = match &setup.op {
                Operation::Upsert { key } => Some(key.as_str()),
                _ => None,
            };
            for (field, after) in values {
                // The key found the record: it is not a change (its case may differ).
                if key_field == Some(field.as_str()) {
                    continue;
                }
                let before = before_of(record, &field, &after);
                if !same_as_stored(account, &field, &before, &after) {
                    row.changes.push(Change {
                        field: field.clone(),
                        before,
                        after: after.clone(),
                    });
                    row.body.insert(field, after);
                }
            }
            row.outcome = if row.changes.is_empty() {
                Outcome::Unchanged
            } else {
                Outcome::Update
            };
            match &setup.op {
                Operation::Upsert { key } => {
                    // The org's own spelling of the key: the upsert matches it and leaves it be.
                    row.key = record
                        .get(key.as_str())
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or(asked.finder);
                    row.body.insert(key.clone(), Value::from(row.key.clone()));
                }
                _ => {
                    if let Some(id) = &row.target {
                        row.body.insert("Id".into(), Value::String(id.to_string()));
                    }
                }
            }
        }
    }
    if row.outcome == Outcome::Blocked && row.problems.is_empty() {
        row.problems.push("Not written.".into());
    }
    if !row.problems.is_empty() {
        row.outcome = Outcome::Blocked;
        row.body.clear();
        row.changes.clear();
    }
    row
}

/// Required fields (createable, not nillable, not defaulted) the line leaves empty.
fn missing_required(account: &SObjectDescribe, values: &Record) -> Vec<String> {
    account
        .fields
        .iter()
        .filter(|f| f.is_required())
        .filter(|f| values.get(&f.name).is_none_or(Value::is_null))
        .map(|f| f.label.clone())
        .collect()
}

/// The org's value for what `after` sets: a field, or the parent's key under its relationship.
fn before_of(record: &Record, field: &str, after: &Value) -> Value {
    match after {
        Value::Object(by_key) => {
            let key = by_key.keys().next().cloned().unwrap_or_default();
            let value = record
                .get(field)
                .and_then(Value::as_object)
                .and_then(|parent| parent.get(&key))
                .cloned()
                .unwrap_or(Value::Null);
            serde_json::json!({ key: value })
        }
        _ => record.get(field).cloned().unwrap_or(Value::Null),
    }
}

/// Whether `after` is what the org already holds (as the org would compare it: record type ids
/// by their first 15 characters, date-times by the instant they name, a parent key as text).
fn same_as_stored(account: &SObjectDescribe, field: &str, before: &Value, after: &Value) -> bool {
    if let (Value::Object(b), Value::Object(a)) = (before, after) {
        return a.iter().all(|(k, v)| {
            let held = b.get(k).unwrap_or(&Value::Null);
            same(held, v)
                || held
                    .as_str()
                    .zip(v.as_str())
                    .is_some_and(|(x, y)| x.eq_ignore_ascii_case(y))
        });
    }
    let kind = account.field(field).map(|f| f.field_type.as_str());
    match (kind, before.as_str(), after.as_str()) {
        (Some("reference" | "id"), Some(b), Some(a)) => {
            b.get(..15).is_some() && b.get(..15) == a.get(..15)
        }
        (Some("datetime"), Some(b), Some(a)) => instant(b).is_some() && instant(b) == instant(a),
        _ => same(before, after),
    }
}

/// Seconds since 1970 of an ISO 8601 date-time (`2024-01-02T03:04:05.000+0000`, `…Z`,
/// `…+01:00`).
fn instant(text: &str) -> Option<i64> {
    let (date, rest) = text.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let zone_at = rest.find(['Z', '+', '-']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(zone_at);
    let mut t = time.split(':');
    let h: i64 = t.next()?.parse().ok()?;
    let min: i64 = t.next()?.parse().ok()?;
    let sec: f64 = t.next().unwrap_or("0").parse().ok()?;
    let offset = match zone {
        "" | "Z" => 0,
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let digits: String = z[1..].chars().filter(char::is_ascii_digit).collect();
            let hh: i64 = digits.get(..2)?.parse().ok()?;
            let mm: i64 = digits.get(2..4).unwrap_or("00").parse().ok()?;
            sign * (hh * 3600 + mm * 60)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + min * 60 + sec.floor() as i64 - offset)
}

#[cfg(test)]
mod instant_tests {
    use super::instant;

    #[test]
    fn one_instant_however_it_is_written() {
        let a = instant("2024-01-02T03:04:05.000+0000");
        assert_eq!(a, instant("2024-01-02T03:04:05Z"));
        assert_eq!(a, instant("2024-01-02T04:04:05+01:00"));
        assert_eq!(a, instant("2024-01-01T22:04:05-0500"));
        assert_eq!(instant("1970-01-01T00:00:00Z"), Some(0));
        assert_ne!(a, instant("2024-01-02T03:04:06Z"));
    }
}
