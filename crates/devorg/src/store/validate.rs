//! The one write validation every write path shares (REST record, upsert, collections, Apex
//! REST), against the org's own Account schema: relationships by a parent's key (`references`),
//! unknown and read-only fields, each value against
//! its field (type, length, restricted picklist, email, number range, reference), then the whole
//! record (required fields, the org's validation rule, unique fields). Codes and messages are
//! Salesforce's; see the README for the few that are devorg's wording.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::{DmlError, Record, Store};
use crate::ids;
use crate::schema::{Field, FieldType};
use crate::users::looks_like_email;

impl Store {
    /// Checks every key of a write body and converts its value to storage form; relationships
    /// named by a parent's key (`"Parent": {"Source_Id__c": …}`) are looked up first.
    /// Order follows Salesforce: JSON shape errors, unknown fields, read-only fields, then values.
    pub(super) fn check_fields(
        &self,
        body: &Map<String, Value>,
        creating: bool,
        self_id: Option<&str>,
    ) -> Result<Vec<(usize, Value)>, DmlError> {
        let body = self.resolve_references(body)?;
        let account = &self.schema.account;
        let mut out = Vec::with_capacity(body.len());
        let mut read_only = vec![];
        for (key, value) in body.iter() {
            if key == "attributes" || key.eq_ignore_ascii_case("Id") {
                continue;
            }
            let Some(idx) = account.index_of(key) else {
                return Err(DmlError::new(
                    "INVALID_FIELD",
                    format!("No such column '{key}' on sobject of type Account"),
                )
                .on(key));
            };
            let field = &account.fields[idx];
            if !field.is_writable(creating) {
                read_only.push(field.name.to_string());
                continue;
            }
            out.push((idx, self.convert(field, value, self_id)?));
        }
        if !read_only.is_empty() {
            return Err(DmlError {
                code: "INVALID_FIELD_FOR_INSERT_UPDATE",
                message: format!(
                    "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                    read_only.join(", ")
                ),
                fields: read_only,
            });
        }
        Ok(out)
    }

    /// Converts one JSON value for `field`, or says why it cannot be stored.
    fn convert(
        &self,
        field: &Field,
        value: &Value,
        self_id: Option<&str>,
    ) -> Result<Value, DmlError> {
        let kind = match value {
            // A checkbox is never null: clearing it unchecks it.
            Value::Null if field.ftype == FieldType::Boolean => return Ok(Value::Bool(false)),
            Value::Null => return Ok(Value::Null),
            Value::String(_) => "VALUE_STRING",
            Value::Number(n) if n.is_f64() => "VALUE_NUMBER_FLOAT",
            Value::Number(_) => "VALUE_NUMBER_INT",
            Value::Bool(true) => "VALUE_TRUE",
            Value::Bool(false) => "VALUE_FALSE",
            Value::Array(_) => "START_ARRAY",
            Value::Object(_) => "START_OBJECT",
        };
        let shown = match value {
            Value::String(s) => s.clone(),
            Value::Array(_) => "[".into(),
            Value::Object(_) => "{".into(),
            other => other.to_string(),
        };
        // Salesforce's (Jackson's) wording, without its `at [line:1, column:N]` suffix.
        let parse_error = |type_name: &str| {
            DmlError::new(
                "JSON_PARSER_ERROR",
                format!(
                    "Cannot deserialize instance of {type_name} from {kind} value {shown} or request may be missing a required field"
                ),
            )
        };
        match field.ftype {
            t if t.is_text() => {
                let text = match value {
                    Value::String(s) => s.clone(),
                    // Scalars are coerced to text, as Salesforce's JSON reader does.
                    Value::Number(_) | Value::Bool(_) => value.to_string(),
                    _ => return Err(parse_error("string")),
                };
                // Salesforce stores an empty string as null.
                if text.is_empty() {
                    return Ok(Value::Null);
                }
                let chars = text.chars().count();
                if chars > field.length as usize {
                    return Err(DmlError::new(
                        "STRING_TOO_LONG",
                        format!(
                            "{}: data value too large: {} (max length={})",
                            field.label, text, field.length
                        ),
                    )
                    .on(&field.name));
                }
                if field.restricted_picklist && !field.picklist.contains(&text) {
                    return Err(DmlError::new(
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        format!(
                            "{}: bad value for restricted picklist field: {text}",
                            field.label
                        ),
                    )
                    .on(&field.name));
                }
                if field.ftype == FieldType::Email && !looks_like_email(&text) {
                    return Err(DmlError::new(
                        "INVALID_EMAIL_ADDRESS",
                        format!("{}: invalid email address: {text}", field.label),
                    )
                    .on(&field.name));
                }
                Ok(Value::String(text))
            }
            FieldType::Boolean => match value {
                Value::Bool(b) => Ok(Value::Bool(*b)),
                Value::String(s)
                    if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
                {
                    Ok(Value::Bool(s.eq_ignore_ascii_case("true")))
                }
                _ => Err(parse_error("boolean")),
            },
            FieldType::Int | FieldType::Double | FieldType::Currency => {
                let type_name = match field.ftype {
                    FieldType::Int => "int",
                    _ => "double",
                };
                let n = match value {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
                    _ => None,
                };
                let Some(n) = n else {
                    return Err(parse_error(type_name));
                };
                if field.ftype == FieldType::Int {
                    if n.fract() != 0.0 && matches!(value, Value::String(_)) {
                        return Err(parse_error(type_name));
                    }
                    let i = n.trunc();
                    if i.abs() >= 10f64.powi(field.digits as i32) {
                        return Err(out_of_range(field, value));
                    }
                    return Ok(Value::from(i as i64));
                }
                let scale = 10f64.powi(field.scale as i32);
                let rounded = (n * scale).round() / scale;
                if rounded.abs() >= 10f64.powi((field.precision - field.scale) as i32) {
                    return Err(out_of_range(field, value));
                }
                Ok(serde_json::Number::from_f64(rounded)
                    .map(Value::Number)
                    .unwrap_or(Value::Null))
            }
            FieldType::Date => match value {
                Value::String(s) => {
                    let day = s.get(..10).unwrap_or(s);
                    NaiveDate::parse_from_str(day, "%Y-%m-%d")
                        .ok()
                        .filter(|_| s.len() == 10 || s.as_bytes().get(10) == Some(&b'T'))
                        .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
                        .ok_or_else(|| parse_error("date"))
                }
                _ => Err(parse_error("date")),
            },
            FieldType::Reference => {
                let Value::String(s) = value else {
                    return Err(parse_error("reference"));
                };
                if s.is_empty() {
                    return Ok(Value::Null);
                }
                self.check_reference(field, s, self_id).map(Value::String)
            }
            _ => Err(parse_error(field.ftype.name())),
        }
    }

    /// An id for reference `field`: well formed, of the right object, naming a live record (an
    /// active user for an owner), and not the record itself for ParentId.
    fn check_reference(
        &self,
        field: &Field,
        given: &str,
        self_id: Option<&str>,
    ) -> Result<String, DmlError> {
        let wrong_type = |code| {
            DmlError::new(
                code,
                format!("{}: id value of incorrect type: {given}", field.label),
            )
            .on(&field.name)
        };
        let Some(id) = ids::normalize(given) else {
            return Err(wrong_type("MALFORMED_ID"));
        };
        if field.reference_to[0] == "RecordType" {
            return self.check_record_type(field, id);
        }
        let target = self
            .schema
            .object(field.reference_to[0])
            .expect("known reference target");
        if !id.starts_with(target.key_prefix) {
            return Err(wrong_type("FIELD_INTEGRITY_EXCEPTION"));
        }
        let exists = match target.name {
            "User" => match self.user(&id) {
                // Only active users can own records (unless the org grants "Update Records with
                // Inactive Owners", which devorg's users do not have).
                Some(u) if !u.active => {
                    return Err(DmlError::new(
                        "INACTIVE_OWNER_OR_USER",
                        format!(
                            "operation performed with inactive user [{id}] as owner of [account]"
                        ),
                    ))
                }
                found => found.is_some(),
            },
            _ => self.accounts.get(&id).is_some_and(|r| !r.deleted),
        };
        if !exists {
            return Err(
                DmlError::new("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
                    .on(&field.name),
            );
        }
        if field.name == "ParentId" && self_id == Some(id.as_str()) {
            return Err(DmlError::new(
                "FIELD_INTEGRITY_EXCEPTION",
                "Parent Account: id value of incorrect type: an account cannot be its own parent",
            )
            .on(&field.name));
        }
        Ok(id)
    }

    /// A record type id: one of Account's active record types (every devorg user may use them
    /// all). Anything else, Master included, is refused as Salesforce refuses a record type the
    /// user may not use (the message is an observed one, the id in its 18-character form).
    fn check_record_type(&self, field: &Field, id: String) -> Result<String, DmlError> {
        match self.schema.account.record_type(&id) {
            Some(t) if t.active => Ok(id),
            _ => Err(DmlError::new(
                "INVALID_CROSS_REFERENCE_KEY",
                format!(
                    "{}: this ID value isn't valid for the user: {id}",
                    field.label
                ),
            )
            .on(&field.name)),
        }
    }

    /// Whole-record rules: required fields, the org's validation rule, unique fields. A required
    /// field the API may write must hold a value after the write: left out of a create, or set to
    /// null in an update (`{"OwnerId": null}`, `{"Name": null}`), it is REQUIRED_FIELD_MISSING with
    /// the field in `fields`. Fields defaulted on create (OwnerId) already hold their default here.
    pub(super) fn check_record(&self, rec: &Record) -> Result<(), DmlError> {
        let account = &self.schema.account;
        let missing: Vec<String> = account
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                !f.nillable && (f.createable || f.updateable) && f.ftype != FieldType::Boolean
            })
            .filter(|(i, _)| rec.stored(*i).is_none())
            .map(|(_, f)| f.name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(DmlError {
                code: "REQUIRED_FIELD_MISSING",
                message: format!("Required fields are missing: [{}]", missing.join(", ")),
                fields: missing,
            });
        }
        // The org's one validation rule (documented in the README), so FIELD_CUSTOM_VALIDATION_EXCEPTION
        // can be exercised: Annual Revenue must not be negative.
        if let Some(revenue) = account.index_of("AnnualRevenue") {
            if rec
                .stored(revenue)
                .and_then(Value::as_f64)
                .is_some_and(|r| r < 0.0)
            {
                return Err(DmlError::new(
                    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    "Annual Revenue cannot be negative.",
                )
                .on("AnnualRevenue"));
            }
        }
        for (idx, index) in &self.unique {
            let field = &account.fields[*idx];
            let Some(key) = rec.stored(*idx).and_then(|v| unique_key(field, v)) else {
                continue;
            };
            if let Some(other) = index.get(&key) {
                if *other != rec.id && self.accounts.get(other).is_some_and(|r| !r.deleted) {
                    return Err(DmlError::new(
                        "DUPLICATE_VALUE",
                        format!(
                            "duplicate value found: {} duplicates value on record with id: {other}",
                            field.name
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// How a unique or external id value is compared: text without case unless the field is case
/// sensitive, numbers by value (`5` and `5.0` are one key).
pub fn unique_key(field: &Field, value: &Value) -> Option<String> {
    match value {
        Value::String(s) if field.ftype.is_text() && !field.case_sensitive => {
            Some(s.to_lowercase())
        }
        Value::String(s) if field.ftype.is_text() => Some(s.clone()),
        Value::String(s) => s.trim().parse::<f64>().ok().map(|n| n.to_string()),
        Value::Number(n) => n.as_f64().map(|n| n.to_string()),
        _ => None,
    }
}

fn out_of_range(field: &Field, value: &Value) -> DmlError {
    DmlError::new(
        "NUMBER_OUTSIDE_VALID_RANGE",
        format!(
            "{}: value outside of valid range on numeric field: {value}",
            field.label
        ),
    )
    .on(&field.name)
}
