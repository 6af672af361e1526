//! Each cell read as a person wrote it, typed by its field: numbers with their locale's decimal
//! mark, dates in their locale's order, checkboxes as yes/no words, Ids checked. Values come out
//! as the copy feature writes them (`crates/sync/src/fields.rs`): dates as `yyyy-mm-dd` text,
//! numbers as JSON numbers, checkboxes as JSON booleans.
//!
//! Messages speak of the value (“12abc” is not a number); the caller names the line and column.

mod dates;
mod numbers;

#[cfg(test)]
mod tests;

use salesforce::rest::FieldDescribe;
use salesforce::types::RecordId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The order of day, month and year in dates that are not ISO 8601 (`2024-12-31` always reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateOrder {
    DayMonthYear,
    MonthDayYear,
    YearMonthDay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecimalMark {
    /// `1,234.5`
    Point,
    /// `1.234,5`
    Comma,
}

/// What a blank cell does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Blank {
    LeaveUnchanged,
    /// Data Loader's "insert nulls": the field is emptied.
    Clear,
}

/// How the person's cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueRules {
    pub dates: DateOrder,
    pub decimal: DecimalMark,
    pub blank: Blank,
}

/// What a cell does to its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Not sent.
    Leave,
    /// Sent; `Value::Null` empties the field.
    Set(Value),
}

/// Whether a field's values can come from a cell at all: compound fields (an address is written
/// through its street, city… fields), binary and formula fields cannot.
pub fn importable(field: &FieldDescribe) -> bool {
    !field.calculated
        && !matches!(
            field.field_type.as_str(),
            "address" | "location" | "base64" | "anyType" | "complexvalue"
        )
}

/// The cell `text` as `field` takes it. `Err` says what is wrong with the value, in words.
pub fn read_value(field: &FieldDescribe, text: &str, rules: &ValueRules) -> Result<Cell, String> {
    if !importable(field) {
        return Err(not_importable(field));
    }
    if text.trim().is_empty() {
        return Ok(blank(field, rules));
    }
    let value = match field.field_type.as_str() {
        "string" | "textarea" | "phone" | "url" | "email" | "picklist" | "combobox"
        | "encryptedstring" => text_value(field, text.strip_suffix('\r').unwrap_or(text))?,
        "multipicklist" => {
            let joined = text
                .split(';')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect::<Vec<_>>()
                .join(";");
            if joined.is_empty() {
                return Ok(blank(field, rules));
            }
            text_value(field, &joined)?
        }
        "boolean" => Value::Bool(boolean(text)?),
        "int" | "long" => numbers::whole(text, rules.decimal)?,
        "double" | "currency" => numbers::decimal(text, rules.decimal)?,
        "percent" => {
            let t = text.trim();
            let t = t.strip_suffix('%').unwrap_or(t);
            numbers::decimal(t, rules.decimal)?
        }
        "date" => Value::String(dates::date(text, rules.dates)?),
        "datetime" => Value::String(dates::datetime(text, rules.dates)?),
        "time" => Value::String(dates::time(text)?),
        "reference" | "id" => Value::String(record_id(text)?),
        _ => return Err(not_importable(field)),
    };
    Ok(Cell::Set(value))
}

fn blank(field: &FieldDescribe, rules: &ValueRules) -> Cell {
    match rules.blank {
        Blank::LeaveUnchanged => Cell::Leave,
        // A checkbox is never empty: Salesforce stores an emptied one as unchecked.
        Blank::Clear if field.field_type == "boolean" => Cell::Set(Value::Bool(false)),
        Blank::Clear => Cell::Set(Value::Null),
    }
}

/// The rules in a sentence, to show beside the choices.
pub fn describe_rules(rules: &ValueRules) -> String {
    let date = match rules.dates {
        DateOrder::DayMonthYear => "31/12/2024 or 2024-12-31",
        DateOrder::MonthDayYear => "12/31/2024 or 2024-12-31",
        DateOrder::YearMonthDay => "2024/12/31 or 2024-12-31",
    };
    let number = match rules.decimal {
        DecimalMark::Point => "1,234.5",
        DecimalMark::Comma => "1.234,5",
    };
    let blank = match rules.blank {
        Blank::LeaveUnchanged => "blank cells leave fields as they are",
        Blank::Clear => "blank cells empty their fields",
    };
    format!(
        "Dates as {date}; dates and times without a time zone are read as UTC; numbers as {number}; {blank}."
    )
}

/// The person's value in quotes, cut to 40 characters.
pub(crate) fn quoted(text: &str) -> String {
    let t = text.trim();
    if t.chars().count() > 40 {
        format!("“{}…”", t.chars().take(40).collect::<String>())
    } else {
        format!("“{t}”")
    }
}

fn text_value(field: &FieldDescribe, text: &str) -> Result<Value, String> {
    let length = text.chars().count();
    if field.length > 0 && length > field.length as usize {
        return Err(format!(
            "{} is {length} characters long; the field takes at most {}.",
            quoted(text),
            field.length
        ));
    }
    Ok(Value::String(text.to_string()))
}

fn boolean(text: &str) -> Result<bool, String> {
    match text.trim().to_lowercase().as_str() {
        "true" | "yes" | "1" | "checked" => Ok(true),
        "false" | "no" | "0" | "unchecked" => Ok(false),
        _ => Err(format!(
            "{} is not a checkbox value: write true, false, yes, no, 1 or 0.",
            quoted(text)
        )),
    }
}

fn record_id(text: &str) -> Result<String, String> {
    let t = text.trim();
    match RecordId::parse(t) {
        Ok(id) => Ok(id.as_str().to_string()),
        Err(_) if t.len() == 18 && t.bytes().all(|b| b.is_ascii_alphanumeric()) => Err(format!(
            "{} is not a Salesforce record Id: its last 3 characters do not match the first 15 (mistyped, or changed by a spreadsheet?).",
            quoted(t)
        )),
        Err(_) => Err(format!(
            "{} is not a Salesforce record Id (15 or 18 letters and digits).",
            quoted(t)
        )),
    }
}

fn not_importable(field: &FieldDescribe) -> String {
    let name = if field.label.is_empty() {
        &field.name
    } else {
        &field.label
    };
    let why = if field.calculated {
        "Salesforce calculates it"
    } else if field.field_type == "address" {
        "an address is imported through its parts (street, city, postal code…)"
    } else {
        "its kind of value cannot come from a cell"
    };
    format!("{name} ({}) cannot be imported: {why}.", field.name)
}
