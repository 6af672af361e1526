//! The org file (`--org-file PATH`): a JSON document that makes one org differ from another as
//! real orgs do — its users, the custom fields its Account declares (or redeclares), the
//! built-in custom fields it lacks, and Account's record types. The README documents the format;
//! `orgs/` holds examples.
//! Field kinds and their limits are those of Setup's custom fields (Metadata API `CustomField`):
//! <https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customfield.htm>

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::record_types::{self, RecordTypeSpec};
use crate::schema::{Field, FieldType, Schema};
use crate::users::UserSpec;

/// A parsed and checked org file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSpec {
    /// What the file is for (ignored; JSON has no comments).
    #[serde(default)]
    pub description: Option<String>,
    /// Users besides the admin (they replace the default extra users).
    #[serde(default)]
    pub users: Vec<UserSpec>,
    #[serde(default)]
    pub account: AccountSpec,
}

/// How the org's Account differs from the built-in one.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSpec {
    /// Built-in custom fields (`…__c`) this org does not have.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Custom fields to add; one named like a built-in custom field replaces it.
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    /// Account's record types (none: only Master, and no `RecordTypeId` field).
    #[serde(default, rename = "recordTypes")]
    pub record_types: Vec<RecordTypeSpec>,
}

/// The kinds of custom field an org file can declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum FieldKind {
    Text,
    TextArea,
    LongTextArea,
    Picklist,
    Number,
    Checkbox,
    Date,
    Email,
    Phone,
    Url,
}

/// One declared custom field.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FieldSpec {
    /// API name, ending in `__c`.
    pub name: String,
    /// Defaults to the name without `__c`, underscores as spaces.
    #[serde(default)]
    pub label: Option<String>,
    #[serde(rename = "type")]
    pub kind: FieldKind,
    /// Text (1–255, default 255) and LongTextArea (256–131,072, default 32,768).
    #[serde(default)]
    pub length: Option<u32>,
    /// Number: digits in all (1–18, default 18) and after the point (default 0).
    #[serde(default)]
    pub precision: Option<u32>,
    #[serde(default)]
    pub scale: Option<u32>,
    /// Picklist values, in order.
    #[serde(default)]
    pub values: Vec<String>,
    /// Picklist: refuse values outside `values` (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST).
    #[serde(default)]
    pub restricted: bool,
    /// Text, Number, Email: an External ID (upsert and relationship key).
    #[serde(default)]
    pub external_id: bool,
    /// Text, Number, Email: no two accounts share a value (DUPLICATE_VALUE).
    #[serde(default)]
    pub unique: bool,
    /// A unique Text field: whether `ABC` and `abc` differ.
    #[serde(default)]
    pub case_sensitive: bool,
    /// Every account must have a value (REQUIRED_FIELD_MISSING).
    #[serde(default)]
    pub required: bool,
    /// Checkbox: checked on create when the body leaves it out (default false).
    #[serde(default)]
    pub default: Option<bool>,
}

/// Why an org file cannot make an org.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgFileError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{0}")]
    Invalid(String),
}

fn invalid(message: impl Into<String>) -> OrgFileError {
    OrgFileError::Invalid(message.into())
}

impl OrgSpec {
    /// Parses and checks an org file's text.
    pub fn from_json(text: &str) -> Result<OrgSpec, OrgFileError> {
        let spec: OrgSpec =
            serde_json::from_str(text).map_err(|e| invalid(format!("not an org file: {e}")))?;
        spec.check()?;
        Ok(spec)
    }

    /// Parses and checks an org file given as JSON (tests build them with `json!`).
    pub fn from_value(value: Value) -> Result<OrgSpec, OrgFileError> {
        Self::from_json(&value.to_string())
    }

    /// Reads, parses and checks the org file at `path`.
    pub fn load(path: &Path) -> Result<OrgSpec, OrgFileError> {
        let text = std::fs::read_to_string(path).map_err(|e| OrgFileError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::from_json(&text).map_err(|e| match e {
            OrgFileError::Invalid(m) => invalid(format!("{}: {m}", path.display())),
            read => read,
        })
    }

    /// `--org-file PATH` for clap: the file read and checked while the flags are parsed.
    pub fn from_flag(path: &str) -> Result<OrgSpec, String> {
        Self::load(Path::new(path)).map_err(|e| e.to_string())
    }

    /// The example org files in `crates/devorg/orgs/` (`scripts/dev` uses them): a source org,
    /// and a target that has `Source_Id__c`, lacks a field and has other picklist values.
    pub fn example_source() -> OrgSpec {
        Self::from_json(include_str!("../orgs/source.json")).expect("orgs/source.json is valid")
    }

    pub fn example_target() -> OrgSpec {
        Self::from_json(include_str!("../orgs/target.json")).expect("orgs/target.json is valid")
    }

    fn check(&self) -> Result<(), OrgFileError> {
        for user in &self.users {
            user.check().map_err(invalid)?;
        }
        // The ids are the org's; any tag checks the file.
        self.account.schema("000").map(|_| ())
    }
}

impl AccountSpec {
    /// The org's objects: the built-in ones with this file's edits to Account, and its record
    /// types with ids for the org whose ids carry `org_tag` (the 3 characters after a key prefix).
    pub fn schema(&self, org_tag: &str) -> Result<Schema, OrgFileError> {
        let mut fields = Schema::builtin_account_fields();
        for name in &self.remove {
            let at = fields
                .iter()
                .position(|f| f.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| invalid(format!("remove: Account has no field {name}")))?;
            if !fields[at].custom {
                return Err(invalid(format!(
                    "remove: {name} is a standard field; only custom (__c) fields can be removed"
                )));
            }
            if self
                .fields
                .iter()
                .any(|f| f.name.eq_ignore_ascii_case(name))
            {
                return Err(invalid(format!("{name} is both removed and declared")));
            }
            fields.remove(at);
        }
        let mut declared: Vec<&str> = vec![];
        for spec in &self.fields {
            if declared.iter().any(|d| d.eq_ignore_ascii_case(&spec.name)) {
                return Err(invalid(format!("field {} is declared twice", spec.name)));
            }
            declared.push(&spec.name);
            let field = spec
                .field()
                .map_err(|m| invalid(format!("field {}: {m}", spec.name)))?;
            match fields
                .iter()
                .position(|f| f.name.eq_ignore_ascii_case(&spec.name))
            {
                Some(at) => fields[at] = field,
                None => fields.push(field),
            }
        }
        record_types::check(&self.record_types).map_err(invalid)?;
        let types = record_types::build(&self.record_types, org_tag);
        Ok(Schema::with_account(fields, types))
    }
}

/// What Salesforce allows as a custom field's API name (before `__c`): a letter first, then
/// letters, digits and single underscores, not ending in one, at most 40 characters.
fn check_name(name: &str) -> Result<(), String> {
    let Some(stem) = name.strip_suffix("__c") else {
        return Err("a custom field's name ends in __c".into());
    };
    let starts_with_letter = stem.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let allowed = stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !starts_with_letter
        || !allowed
        || stem.contains("__")
        || stem.ends_with('_')
        || stem.len() > 40
    {
        return Err("a custom field's name starts with a letter and has only letters, digits and single underscores (at most 40 before __c)".into());
    }
    Ok(())
}

impl FieldSpec {
    /// The describe metadata for this declaration, or what is wrong with it.
    fn field(&self) -> Result<Field, String> {
        use FieldKind as K;
        use FieldType as T;
        check_name(&self.name)?;
        let default_label = self.name.trim_end_matches("__c").replace('_', " ");
        let label = self.label.clone().unwrap_or(default_label);
        let name = self.name.as_str();
        let only = |ok: bool, what: &str, kinds: &str| {
            if ok {
                Ok(())
            } else {
                Err(format!("{what} applies to {kinds} fields only"))
            }
        };
        only(
            self.length.is_none() || matches!(self.kind, K::Text | K::LongTextArea),
            "length",
            "Text and LongTextArea",
        )?;
        only(
            (self.precision.is_none() && self.scale.is_none()) || self.kind == K::Number,
            "precision and scale",
            "Number",
        )?;
        only(
            (self.values.is_empty() && !self.restricted) || self.kind == K::Picklist,
            "values and restricted",
            "Picklist",
        )?;
        only(
            (!self.external_id && !self.unique)
                || matches!(self.kind, K::Text | K::Number | K::Email),
            "externalId and unique",
            "Text, Number and Email",
        )?;
        only(
            !self.case_sensitive || (self.kind == K::Text && self.unique),
            "caseSensitive",
            "unique Text",
        )?;
        only(
            self.default.is_none() || self.kind == K::Checkbox,
            "default",
            "Checkbox",
        )?;
        if self.required && self.kind == K::Checkbox {
            return Err("a Checkbox is always set; it cannot be required".into());
        }
        let mut field = match self.kind {
            K::Text => {
                let length = self.length.unwrap_or(255);
                if !(1..=255).contains(&length) {
                    return Err(format!("Text length is 1 to 255, not {length}"));
                }
                Field::text(name, &label, T::String, length)
            }
            K::TextArea => Field::text(name, &label, T::TextArea, 255),
            K::LongTextArea => {
                let length = self.length.unwrap_or(32_768);
                if !(256..=131_072).contains(&length) {
                    return Err(format!(
                        "LongTextArea length is 256 to 131072, not {length}"
                    ));
                }
                Field::text(name, &label, T::TextArea, length).long_text()
            }
            K::Picklist => {
                if self.values.is_empty() {
                    return Err("a Picklist needs values".into());
                }
                for (i, v) in self.values.iter().enumerate() {
                    if v.is_empty() || v.chars().count() > 255 {
                        return Err(format!(
                            "picklist value {v:?} must have 1 to 255 characters"
                        ));
                    }
                    if self.values[..i].iter().any(|o| o.eq_ignore_ascii_case(v)) {
                        return Err(format!("picklist value {v:?} is listed twice"));
                    }
                }
                let values: Vec<&str> = self.values.iter().map(String::as_str).collect();
                Field {
                    restricted_picklist: self.restricted,
                    ..Field::picklist(name, &label, &values)
                }
            }
            K::Number => {
                let precision = self.precision.unwrap_or(18);
                let scale = self.scale.unwrap_or(0);
                if !(1..=18).contains(&precision) || scale > precision {
                    return Err(format!(
                        "Number precision is 1 to 18 and scale at most the precision, not ({precision}, {scale})"
                    ));
                }
                Field::number(name, &label, T::Double, precision, scale)
            }
            K::Checkbox => Field {
                nillable: false,
                default_value: Some(Value::Bool(self.default.unwrap_or(false))),
                ..Field::new(name, &label, T::Boolean).defaulted()
            },
            K::Date => Field::new(name, &label, T::Date),
            K::Email => Field::text(name, &label, T::Email, 80),
            K::Phone => Field::text(name, &label, T::Phone, 40),
            K::Url => Field::text(name, &label, T::Url, 255),
        };
        field.external_id = self.external_id;
        // External ids are indexed, so they are lookup keys (upsert, relationships).
        field.id_lookup = self.external_id;
        field.unique = self.unique;
        field.case_sensitive = self.case_sensitive;
        field.declared = true;
        if self.required {
            field = field.required();
        }
        Ok(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn account(fields: Value) -> Result<Schema, OrgFileError> {
        OrgSpec::from_value(json!({"account": {"fields": fields}}))
            .map(|s| s.account.schema("abc").expect("checked"))
    }

    fn error(spec: Value) -> String {
        OrgSpec::from_value(spec).unwrap_err().to_string()
    }

    #[test]
    fn declared_fields_get_salesforce_describe_metadata() {
        let schema = account(json!([
            {"name": "Source_Id__c", "type": "Text", "length": 18, "externalId": true, "unique": true},
            {"name": "Tier__c", "type": "Picklist", "values": ["Platinum", "Gold"], "restricted": true},
            {"name": "Score__c", "type": "Number", "precision": 5, "scale": 2, "required": true},
            {"name": "Verified__c", "type": "Checkbox", "default": true},
            {"name": "Notes__c", "type": "LongTextArea", "length": 4000},
            {"name": "Contact_Email__c", "type": "Email"},
        ]))
        .unwrap();
        let a = &schema.account;
        let source = a.field("source_id__c").unwrap();
        assert_eq!((source.ftype, source.length), (FieldType::String, 18));
        assert!(source.external_id && source.unique && source.id_lookup && !source.case_sensitive);
        assert_eq!(source.label, "Source Id");
        let tier = a.field("Tier__c").unwrap();
        assert_eq!(tier.picklist, ["Platinum", "Gold"]);
        assert!(tier.restricted_picklist);
        assert_eq!(
            a.fields.iter().filter(|f| f.name == "Tier__c").count(),
            1,
            "a redeclared built-in field replaces it"
        );
        let score = a.field("Score__c").unwrap();
        assert_eq!(
            (score.precision, score.scale, score.nillable),
            (5, 2, false)
        );
        let verified = a.field("Verified__c").unwrap().describe();
        assert_eq!(
            (
                verified["type"].as_str(),
                verified["defaultValue"].as_bool()
            ),
            (Some("boolean"), Some(true))
        );
        let notes = a.field("Notes__c").unwrap();
        assert!(!notes.filterable && !notes.sortable);
        assert_eq!(a.field("Contact_Email__c").unwrap().length, 80);
        // The built-in fields are all still there.
        assert!(a.field("External_Id__c").is_some() && a.field("Name").is_some());
    }

    #[test]
    fn removing_takes_built_in_custom_fields_only() {
        let spec =
            OrgSpec::from_value(json!({"account": {"remove": ["Legacy_Number__c"]}})).unwrap();
        assert!(spec
            .account
            .schema("abc")
            .unwrap()
            .account
            .field("Legacy_Number__c")
            .is_none());
        assert!(error(json!({"account": {"remove": ["Phone"]}})).contains("standard field"));
        assert!(error(json!({"account": {"remove": ["Nope__c"]}})).contains("no field Nope__c"));
    }

    #[test]
    fn mistakes_are_explained() {
        let field = |f: Value| error(json!({"account": {"fields": [f]}}));
        assert!(field(json!({"name": "Code", "type": "Text"})).contains("__c"));
        assert!(
            field(json!({"name": "Bad__Name__c", "type": "Text"})).contains("single underscores")
        );
        assert!(
            field(json!({"name": "Code__c", "type": "Text", "length": 300})).contains("1 to 255")
        );
        assert!(
            field(json!({"name": "Code__c", "type": "Date", "length": 3}))
                .contains("length applies")
        );
        assert!(field(json!({"name": "P__c", "type": "Picklist"})).contains("needs values"));
        assert!(
            field(json!({"name": "P__c", "type": "Picklist", "values": ["a", "A"]}))
                .contains("twice")
        );
        assert!(
            field(json!({"name": "N__c", "type": "Number", "precision": 19})).contains("1 to 18")
        );
        assert!(
            field(json!({"name": "C__c", "type": "Checkbox", "unique": true}))
                .contains("externalId and unique")
        );
        assert!(field(json!({"name": "C__c", "type": "Kind"})).contains("unknown variant"));
        assert!(
            field(json!({"name": "C__c", "type": "Text", "lenght": 3})).contains("unknown field")
        );
        assert!(error(json!({"account": {"fields": [
            {"name": "A__c", "type": "Text"}, {"name": "a__c", "type": "Date"}
        ]}}))
        .contains("declared twice"));
        assert!(error(json!({"users": [{"username": "nobody"}]})).contains("email"));
        assert!(OrgSpec::load(Path::new("/nonexistent/org.json")).is_err());
    }

    #[test]
    fn the_examples_differ_as_the_sync_needs() {
        let source = OrgSpec::example_source()
            .account
            .schema("abc")
            .unwrap()
            .account;
        let target = OrgSpec::example_target()
            .account
            .schema("abc")
            .unwrap()
            .account;
        let key = target.field("Source_Id__c").unwrap();
        assert!(key.external_id && key.unique && !key.case_sensitive && key.length == 18);
        assert!(source.field("Source_Id__c").is_none());
        assert!(source
            .fields
            .iter()
            .any(|f| f.custom && target.field(&f.name).is_none()));
        let tiers = |a: &crate::schema::SObject| a.field("Tier__c").unwrap().picklist.clone();
        assert_ne!(tiers(&source), tiers(&target));
        assert!(source.fields.iter().any(|f| {
            f.ftype == FieldType::String
                && target
                    .field(&f.name)
                    .is_some_and(|t| t.ftype == FieldType::String && t.length < f.length)
        }));
    }
}
