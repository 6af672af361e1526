//! What a target field accepts, checked before anything is sent: the kinds of value that can go
//! from one field to another, and one value against a field's length, picklist and size.

use salesforce::rest::FieldDescribe;
use serde_json::Value;

/// The kind of value a field holds, as far as copying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    Boolean,
    Date,
    DateTime,
    Time,
    /// An id pointing at another record (only `ParentId` and `OwnerId` are carried, by the sync
    /// itself: ids mean nothing in another org).
    Reference,
    /// Compound and binary fields (addresses, locations, base64): copied through their parts.
    Other,
}

pub fn kind(f: &FieldDescribe) -> Kind {
    match f.field_type.as_str() {
        "string" | "textarea" | "phone" | "url" | "email" | "picklist" | "multipicklist"
        | "combobox" | "encryptedstring" | "id" => Kind::Text,
        "int" | "double" | "currency" | "percent" | "long" => Kind::Number,
        "boolean" => Kind::Boolean,
        "date" => Kind::Date,
        "datetime" => Kind::DateTime,
        "time" => Kind::Time,
        "reference" => Kind::Reference,
        _ => Kind::Other,
    }
}

/// An encrypted text field (Shield or Classic encryption): a user without "View Encrypted Data"
/// reads it masked (`****1234`), so a copy would write the mask over the real value.
pub fn encrypted(f: &FieldDescribe) -> bool {
    f.field_type == "encryptedstring"
}

/// Why an encrypted field cannot be copied, in words.
pub fn encrypted_reason(f: &FieldDescribe, side: &str) -> String {
    format!(
        "{} ({}) is encrypted in the {side}: a user without “View Encrypted Data” reads it masked (****), and the mask would be written as the value. It is not copied.",
        f.label, f.name
    )
}

/// Whether values of `source` can be written to `target`: the same kind, or anything plain to
/// text (a number, a checkbox, a date as its text). `Err` says why not, in words.
pub fn compatible(source: &FieldDescribe, target: &FieldDescribe) -> Result<(), String> {
    let (s, t) = (kind(source), kind(target));
    let ok = s == t && !matches!(s, Kind::Reference | Kind::Other)
        || t == Kind::Text
            && matches!(
                s,
                Kind::Number | Kind::Boolean | Kind::Date | Kind::DateTime
            );
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} is {} in the source and {} in the target: its values cannot be written there",
            target.label,
            type_name(source),
            type_name(target)
        ))
    }
}

/// A field's type as Setup names it, with its size ("Text(80)", "Number(18, 0)", "Picklist").
pub fn type_name(f: &FieldDescribe) -> String {
    match f.field_type.as_str() {
        "string" => format!("Text({})", f.length),
        "textarea" if f.length > 255 => format!("Long Text Area({})", f.length),
        "textarea" => format!("Text Area({})", f.length),
        "int" => format!("Number({}, 0)", f.digits.max(f.precision)),
        "double" => format!("Number({}, {})", f.precision, f.scale),
        "currency" => format!("Currency({}, {})", f.precision, f.scale),
        "percent" => format!("Percent({}, {})", f.precision, f.scale),
        "boolean" => "Checkbox".into(),
        "picklist" => "Picklist".into(),
        "multipicklist" => "Picklist (Multi-Select)".into(),
        "reference" => "Lookup".into(),
        "datetime" => "Date/Time".into(),
        other => {
            let mut name = other.to_string();
            if let Some(first) = name.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            name
        }
    }
}

/// `value` as `target` takes it: numbers, checkboxes and dates
/// become their text in a text field; empty text is no value.
pub fn convert(value: &Value, target: &FieldDescribe) -> Value {
    match value {
        Value::String(s) if s.is_empty() => Value::Null,
        Value::Number(n) if kind(target) == Kind::Text => Value::String(n.to_string()),
        Value::Bool(b) if kind(target) == Kind::Text => Value::String(b.to_string()),
        v => v.clone(),
    }
}

/// The value of "Set one value" as `target` takes it, from what the person typed: a number for a
/// number field, `true`/`false` for a checkbox, `YYYY-MM-DD` for a date, a date and time for a
/// date/time, text otherwise (empty text is no value). `Err` says what to type, in words.
pub fn constant(target: &FieldDescribe, text: &str) -> Result<Value, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(if kind(target) == Kind::Boolean {
            Value::Bool(false)
        } else {
            Value::Null
        });
    }
    let label = &target.label;
    match kind(target) {
        Kind::Number => t
            .replace(',', "")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .and_then(serde_json::Number::from_f64)
            .map(|n| {
                // 5 stays 5, not 5.0, so it compares and reads as the person typed it.
                match n.as_f64() {
                    Some(x) if x.fract() == 0.0 && x.abs() < 9e15 => Value::from(x as i64),
                    _ => Value::Number(n),
                }
            })
            .ok_or_else(|| format!("{label} takes a number, such as 42 or 3.5; “{t}” is not one.")),
        Kind::Boolean => match t.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "checked" => Ok(Value::Bool(true)),
            "false" | "no" | "0" | "unchecked" => Ok(Value::Bool(false)),
            _ => Err(format!(
                "{label} is a checkbox: choose checked or not checked."
            )),
        },
        Kind::Date if is_date(t) => Ok(Value::String(t.to_string())),
        Kind::Date => Err(format!(
            "{label} takes a date as YYYY-MM-DD, such as 2026-12-31; “{t}” is not one."
        )),
        Kind::DateTime => datetime(t).map(Value::String).ok_or_else(|| {
            format!(
                "{label} takes a date and time, such as 2026-12-31T09:30:00Z; “{t}” is not one."
            )
        }),
        _ => Ok(Value::String(t.to_string())),
    }
}

/// A kept constant as `target` takes it: text is read as [`constant`] reads what is typed (a
/// mapping saved before constants were typed holds text), a value of the field's own kind as it is.
pub fn typed_constant(target: &FieldDescribe, value: &Value) -> Result<Value, String> {
    match (kind(target), value) {
        (_, Value::String(s)) => constant(target, s),
        (_, Value::Null) => constant(target, ""),
        (Kind::Number, Value::Number(_)) | (Kind::Boolean, Value::Bool(_)) => Ok(value.clone()),
        (Kind::Text, Value::Number(_) | Value::Bool(_)) => Ok(convert(value, target)),
        _ => Err(format!(
            "{}: the value set, {value}, is not a {}.",
            target.label,
            type_name(target)
        )),
    }
}

/// `YYYY-MM-DD` with a real month and day (February 30th is not a date).
fn is_date(t: &str) -> bool {
    let b = t.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| t.get(r).and_then(|s| s.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// A date and time as the REST API takes it (`2026-12-31T09:30:00Z`, seconds and zone
/// optional as a `datetime-local` input gives them: then UTC).
fn datetime(t: &str) -> Option<String> {
    let (date, time) = t.split_once(['T', ' '])?;
    if !is_date(date) {
        return None;
    }
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => (time, "Z"),
    };
    let parts: Vec<u32> = clock
        .split(':')
        .map(|p| p.split('.').next().unwrap_or(p).parse().ok())
        .collect::<Option<_>>()?;
    let ok = match parts.as_slice() {
        [h, m] | [h, m, _] if *h < 24 && *m < 60 => parts.get(2).is_none_or(|s| *s < 60),
        _ => false,
    };
    let zone_ok = zone == "Z"
        || zone.len() == 6 && zone.as_bytes()[3] == b':'
        || zone.len() == 5 && zone[1..].bytes().all(|b| b.is_ascii_digit());
    (ok && zone_ok).then(|| {
        let clock = if parts.len() == 2 {
            format!("{clock}:00")
        } else {
            clock.to_string()
        };
        format!("{date}T{clock}{zone}")
    })
}

/// Why a value cannot be written to a field: what the target org would refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    TooLong { length: u32, actual: usize },
    NotAllowed { value: String },
    TooLarge { digits: u32 },
    NotANumber,
}

impl Refusal {
    /// In words, naming the field.
    pub fn message(&self, label: &str) -> String {
        match self {
            Refusal::TooLong { length, actual } => format!(
                "{label} is {actual} characters long; the target allows {length}"
            ),
            Refusal::NotAllowed { value } => {
                format!("{label}: “{value}” is not one of the target's values")
            }
            Refusal::TooLarge { digits } => format!(
                "{label} is too large for the target, which allows {digits} digits before the decimal point"
            ),
            Refusal::NotANumber => format!("{label} is not a number"),
        }
    }
}

/// Checks one value against the target field; no value always passes here (whether a value is
/// required is the preview's question).
pub fn check_value(target: &FieldDescribe, value: &Value) -> Result<(), Refusal> {
    match (kind(target), value) {
        (_, Value::Null) => Ok(()),
        (Kind::Text, Value::String(s)) => {
            let actual = s.chars().count();
            if target.length > 0 && actual > target.length as usize {
                return Err(Refusal::TooLong {
                    length: target.length,
                    actual,
                });
            }
            if target.restricted_picklist {
                let allowed = |v: &str| target.active_picklist_values().any(|p| p.value == v);
                let values: Vec<&str> = if target.field_type == "multipicklist" {
                    s.split(';').map(str::trim).collect()
                } else {
                    vec![s.as_str()]
                };
                if let Some(bad) = values.into_iter().find(|v| !allowed(v)) {
                    return Err(Refusal::NotAllowed {
                        value: bad.to_string(),
                    });
                }
            }
            Ok(())
        }
        (Kind::Number, Value::Number(n)) => {
            let whole = integer_digits(n.as_f64().unwrap_or(0.0));
            let allowed = if target.field_type == "int" {
                target.digits.max(target.precision)
            } else {
                target.precision.saturating_sub(target.scale)
            };
            if allowed > 0 && whole > allowed {
                Err(Refusal::TooLarge { digits: allowed })
            } else {
                Ok(())
            }
        }
        (Kind::Number, _) => Err(Refusal::NotANumber),
        _ => Ok(()),
    }
}

/// Digits before the decimal point (0 for 0.5).
fn integer_digits(x: f64) -> u32 {
    let whole = x.abs().trunc();
    if whole < 1.0 {
        0
    } else {
        whole.log10().floor() as u32 + 1
    }
}

/// Whether two values are the same as the org stores them: empty text is no value, and numbers
/// compare by value (`5` and `5.0`).
pub fn same(a: &Value, b: &Value) -> bool {
    let empty = |v: &Value| v.is_null() || v.as_str() == Some("");
    match (a, b) {
        _ if empty(a) && empty(b) => true,
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::field;
    use serde_json::json;

    #[test]
    fn plain_values_go_to_text_but_text_does_not_go_to_numbers() {
        let text = field("Notes__c", "string", |f| f.length = 80);
        let number = field("Size__c", "double", |f| f.precision = 18);
        let check = field("Done__c", "boolean", |_| {});
        assert!(compatible(&number, &text).is_ok());
        assert!(compatible(&check, &text).is_ok());
        let err = compatible(&text, &number).unwrap_err();
        assert!(
            err.contains("Text(80) in the source and Number(18, 0) in the target"),
            "{err}"
        );
        assert!(compatible(&text, &check).is_err());
        assert_eq!(convert(&json!(5), &text), json!("5"));
        assert_eq!(convert(&json!(""), &text), Value::Null);
    }

    #[test]
    fn a_value_the_target_would_refuse_is_named() {
        let short = field("Code__c", "string", |f| f.length = 5);
        assert_eq!(
            check_value(&short, &json!("héllo")),
            Ok(()),
            "characters, not bytes"
        );
        assert_eq!(
            check_value(&short, &json!("toolong")),
            Err(Refusal::TooLong {
                length: 5,
                actual: 7
            })
        );
        let tier = field("Tier__c", "picklist", |f| {
            f.restricted_picklist = true;
            f.picklist_values = crate::testing::picklist(&["Gold", "Silver"]);
        });
        assert_eq!(check_value(&tier, &json!("Gold")), Ok(()));
        let refused = check_value(&tier, &json!("Platinum")).unwrap_err();
        assert_eq!(
            refused.message("Tier"),
            "Tier: “Platinum” is not one of the target's values"
        );
        let size = field("Size__c", "double", |f| {
            f.precision = 5;
            f.scale = 2;
        });
        assert_eq!(check_value(&size, &json!(999.99)), Ok(()));
        assert_eq!(
            check_value(&size, &json!(1000)),
            Err(Refusal::TooLarge { digits: 3 })
        );
        assert_eq!(check_value(&size, &json!("12")), Err(Refusal::NotANumber));
        assert_eq!(check_value(&size, &Value::Null), Ok(()));
    }

    #[test]
    fn a_constant_takes_the_target_field_s_type() {
        let number = field("Size__c", "double", |f| f.precision = 18);
        let check = field("Key_Account__c", "boolean", |f| {
            f.label = "Key Account".into()
        });
        let date = field("Since__c", "date", |f| f.label = "Since".into());
        let at = field("At__c", "datetime", |_| {});
        let text = field("Notes__c", "string", |f| f.length = 80);
        assert_eq!(constant(&number, "42"), Ok(json!(42)));
        assert_eq!(constant(&number, " 3.5 "), Ok(json!(3.5)));
        assert_eq!(constant(&number, "1,200"), Ok(json!(1200)));
        assert!(constant(&number, "lots")
            .unwrap_err()
            .contains("takes a number"));
        assert_eq!(constant(&number, ""), Ok(Value::Null));
        assert_eq!(constant(&check, "true"), Ok(json!(true)));
        assert_eq!(constant(&check, "false"), Ok(json!(false)));
        assert_eq!(
            constant(&check, ""),
            Ok(json!(false)),
            "a checkbox is never empty"
        );
        assert!(constant(&check, "maybe")
            .unwrap_err()
            .starts_with("Key Account is a checkbox"));
        assert_eq!(constant(&date, "2026-02-28"), Ok(json!("2026-02-28")));
        assert!(constant(&date, "2026-02-30")
            .unwrap_err()
            .contains("YYYY-MM-DD"));
        assert!(constant(&date, "31/12/2026").is_err());
        assert_eq!(
            constant(&at, "2026-12-31T09:30"),
            Ok(json!("2026-12-31T09:30:00Z"))
        );
        assert_eq!(
            constant(&at, "2026-12-31T09:30:00+01:00"),
            Ok(json!("2026-12-31T09:30:00+01:00"))
        );
        assert!(constant(&at, "2026-12-31T25:00").is_err());
        assert_eq!(constant(&text, "=HYPERLINK(1)"), Ok(json!("=HYPERLINK(1)")));
        // A checkbox constant compares equal to what the org then holds: no update every run.
        assert!(same(&constant(&check, "true").unwrap(), &json!(true)));
    }

    #[test]
    fn values_are_the_same_as_the_org_stores_them() {
        assert!(same(&json!(""), &Value::Null));
        assert!(same(&json!(5), &json!(5.0)));
        assert!(!same(&json!("a"), &json!("A")));
        assert!(!same(&json!("x"), &Value::Null));
    }
}
