//! Account's record types, declared by the org file (`account.recordTypes`): the `RecordType`
//! rows SOQL reads, the `RecordTypeId` values writes accept, and describe's `recordTypeInfos`.
//! An org without them has only the Master record type, as a Salesforce org without custom
//! record types does (and Account then has no `RecordTypeId` field).
//! <https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_recordtype.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.apexref.meta/apexref/apex_class_Schema_RecordTypeInfo.htm>

use serde::Deserialize;
use serde_json::{json, Value};

use crate::ids;

/// The Master record type's id, the same in every org; it is no `RecordType` row.
pub const MASTER_ID: &str = "012000000000000AAA";

/// When every record type was made: the seeded accounts' first CreatedDate (2024-01-01T00:00Z).
const CREATED_MS: i64 = 1_704_067_200_000;

/// One record type as the org file declares it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RecordTypeSpec {
    /// `DeveloperName`, what code and a copy between orgs match on.
    pub developer_name: String,
    /// `Name`, the label people see; defaults to the developer name, underscores as spaces.
    #[serde(default)]
    pub name: Option<String>,
    /// `IsActive`: only active record types can be given to records.
    #[serde(default = "yes")]
    pub active: bool,
    /// The record type a new account gets when the write names none (Salesforce: the user's
    /// profile default; devorg has no profiles, so one for everyone). Defaults to the first
    /// active record type.
    #[serde(default)]
    pub default: bool,
}

fn yes() -> bool {
    true
}

/// One record type of the org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordType {
    /// 18-character id (`012…`).
    pub id: String,
    pub developer_name: String,
    pub name: String,
    pub active: bool,
    /// New accounts get it when the write names none.
    pub default: bool,
    /// The object it is for (`SobjectType`): always Account here.
    pub sobject_type: &'static str,
}

impl RecordType {
    /// The value of a RecordType field as the REST API prints it (`Null` for fields devorg
    /// lacks); `admin` made every record type.
    pub fn field_value(&self, field: &str, admin_id: &str) -> Value {
        let created = || Value::String(crate::store::format_datetime(CREATED_MS));
        match field.to_ascii_lowercase().as_str() {
            "id" => Value::String(self.id.clone()),
            "developername" => Value::String(self.developer_name.clone()),
            "name" => Value::String(self.name.clone()),
            "isactive" => Value::Bool(self.active),
            "sobjecttype" => Value::String(self.sobject_type.to_string()),
            "createdbyid" | "lastmodifiedbyid" => Value::String(admin_id.to_string()),
            "createddate" | "lastmodifieddate" | "systemmodstamp" => created(),
            _ => Value::Null,
        }
    }

    /// This record type's entry in describe's `recordTypeInfos`. Every devorg user may use
    /// every active record type (no profiles), so available = active.
    fn info(&self, object: &str, version: &str) -> Value {
        json!({
            "active": self.active,
            "available": self.active,
            "defaultRecordTypeMapping": self.default,
            "developerName": self.developer_name,
            "master": false,
            "name": self.name,
            "recordTypeId": self.id,
            "urls": {"layout": layout_url(object, version, &self.id)},
        })
    }
}

fn layout_url(object: &str, version: &str, id: &str) -> String {
    format!("/services/data/v{version}/sobjects/{object}/describe/layouts/{id}")
}

/// Describe's `recordTypeInfos` for `object`: its record types by name, then Master. Without
/// custom record types Master is the only one, available and the default; with them, Salesforce
/// no longer offers Master for new records (help article 000005125), so it is neither.
pub fn infos(object: &str, version: &str, types: &[RecordType]) -> Value {
    let mut sorted: Vec<&RecordType> = types.iter().collect();
    sorted.sort_by_key(|t| t.name.to_lowercase());
    let mut out: Vec<Value> = sorted.iter().map(|t| t.info(object, version)).collect();
    let only_master = types.is_empty();
    out.push(json!({
        "active": true,
        "available": only_master,
        "defaultRecordTypeMapping": only_master,
        "developerName": "Master",
        "master": true,
        "name": "Master",
        "recordTypeId": MASTER_ID,
        "urls": {"layout": layout_url(object, version, MASTER_ID)},
    }));
    Value::Array(out)
}

/// What Salesforce allows as a record type's DeveloperName: a letter first, then letters, digits
/// and single underscores, not ending in one, at most 80 characters.
fn check_developer_name(name: &str) -> Result<(), String> {
    let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let allowed = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !starts_with_letter
        || !allowed
        || name.contains("__")
        || name.ends_with('_')
        || name.len() > 80
    {
        return Err(format!(
            "record type {name:?}: a developerName starts with a letter and has only letters, digits and single underscores (at most 80)"
        ));
    }
    Ok(())
}

/// Checks the declared record types: valid and distinct developer names, labels of 1 to 80
/// characters, at most one default and it active, and at least one active record type.
pub fn check(specs: &[RecordTypeSpec]) -> Result<(), String> {
    for (i, spec) in specs.iter().enumerate() {
        check_developer_name(&spec.developer_name)?;
        if specs[..i]
            .iter()
            .any(|o| o.developer_name.eq_ignore_ascii_case(&spec.developer_name))
        {
            return Err(format!(
                "record type {} is declared twice",
                spec.developer_name
            ));
        }
        if let Some(name) = &spec.name {
            if name.trim().is_empty() || name.chars().count() > 80 {
                return Err(format!(
                    "record type {}: name must have 1 to 80 characters",
                    spec.developer_name
                ));
            }
        }
        if spec.default && !spec.active {
            return Err(format!(
                "record type {} is the default, so it must be active",
                spec.developer_name
            ));
        }
    }
    if specs.iter().filter(|s| s.default).count() > 1 {
        return Err("only one record type can be the default".into());
    }
    if !specs.is_empty() && !specs.iter().any(|s| s.active) {
        return Err("at least one record type must be active (new accounts get one)".into());
    }
    Ok(())
}

/// The org's record types, in file order, with ids for the org whose ids carry `org_tag`
/// (`012` + tag + position, so they differ from org to org and stay put while it runs).
/// `specs` must have passed [`check`].
pub fn build(specs: &[RecordTypeSpec], org_tag: &str) -> Vec<RecordType> {
    let default = specs
        .iter()
        .position(|s| s.default)
        .or_else(|| specs.iter().position(|s| s.active));
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| RecordType {
            id: ids::make_id("012", org_tag, i as u64 + 1),
            developer_name: spec.developer_name.clone(),
            name: spec
                .name
                .clone()
                .unwrap_or_else(|| spec.developer_name.replace('_', " ")),
            active: spec.active,
            default: Some(i) == default,
            sobject_type: "Account",
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, active: bool, default: bool) -> RecordTypeSpec {
        RecordTypeSpec {
            developer_name: name.into(),
            name: None,
            active,
            default,
        }
    }

    #[test]
    fn ids_carry_the_org_and_the_first_active_is_the_default_unless_one_is_named() {
        let types = build(
            &[spec("Old_One", false, false), spec("Customer", true, false)],
            "a1B",
        );
        assert!(types
            .iter()
            .all(|t| t.id.starts_with("012a1B") && t.id.len() == 18));
        assert_ne!(types[0].id, types[1].id);
        assert_eq!(
            ids::normalize(&types[0].id[..15]).as_deref(),
            Some(&*types[0].id)
        );
        assert_eq!(types[0].name, "Old One");
        assert!(!types[0].default && types[1].default);
        let named = build(&[spec("A", true, false), spec("B", true, true)], "a1B");
        assert!(!named[0].default && named[1].default);
    }

    #[test]
    fn mistakes_are_explained() {
        let err = |specs: &[RecordTypeSpec]| check(specs).unwrap_err();
        assert!(err(&[spec("1st", true, false)]).contains("starts with a letter"));
        assert!(err(&[spec("A__B", true, false)]).contains("single underscores"));
        assert!(err(&[spec("A", true, false), spec("a", true, false)]).contains("twice"));
        assert!(err(&[spec("A", false, true)]).contains("must be active"));
        assert!(err(&[spec("A", true, true), spec("B", true, true)]).contains("only one"));
        assert!(err(&[spec("A", false, false)]).contains("at least one"));
        assert!(check(&[]).is_ok());
    }

    #[test]
    fn master_is_the_only_default_without_custom_record_types() {
        let only = infos("Account", "60.0", &[]);
        assert_eq!(only[0]["master"], true);
        assert_eq!(only[0]["available"], true);
        assert_eq!(only[0]["defaultRecordTypeMapping"], true);
        let types = build(
            &[spec("Prospect", true, false), spec("Customer", true, true)],
            "xyz",
        );
        let with = infos("Account", "60.0", &types);
        let names: Vec<&str> = with
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["developerName"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Customer", "Prospect", "Master"]);
        assert_eq!(with[2]["available"], false);
        assert_eq!(with[2]["defaultRecordTypeMapping"], false);
        assert_eq!(with[0]["defaultRecordTypeMapping"], true);
        assert_eq!(
            with[0]["urls"]["layout"],
            format!(
                "/services/data/v60.0/sobjects/Account/describe/layouts/{}",
                types[1].id
            )
        );
    }
}
