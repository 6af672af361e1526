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
    fn values_are_the_same_as_the_org_stores_them() {
        assert!(same(&json!(""), &Value::Null));
        assert!(same(&json!(5), &json!(5.0)));
        assert!(!same(&json!("a"), &json!("A")));
        assert!(!same(&json!("x"), &Value::Null));
    }
}
