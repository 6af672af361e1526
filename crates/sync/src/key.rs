//! How a source record finds its record in the target: a target External ID field holding the
//! source record's Id (recommended), or fed from a mapped source field. Either way an upsert by
//! that field writes each record once, however often a run is repeated or resumed.

use salesforce::rest::{Record, SObjectDescribe};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the target's key field holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyFrom {
    /// The source record's 18-character Id.
    SourceId,
    /// A source field's value.
    Field(String),
}

/// The target External ID field records are matched on, and what feeds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchKey {
    pub target: String,
    pub from: KeyFrom,
}

/// What an admin does when the target has no field to hold the source Id.
pub const HOW_TO_ADD_A_KEY: &str = "In the target org, Setup → Object Manager → Account → Fields & Relationships → New: Text, Field Label “Source Id”, Length 18, Field Name Source_Id; tick “Unique” and “External ID”. Then read the fields again here.";

impl MatchKey {
    /// The key value of a source record (`None` when it has none: such a record cannot be
    /// matched, so it is blocked rather than created again on every run).
    pub fn value_of(&self, source: &Record) -> Option<String> {
        let value = match &self.from {
            KeyFrom::SourceId => source.get("Id"),
            KeyFrom::Field(f) => source.get(f.as_str()),
        }?;
        let text = match value {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }

    /// The key value of a source record's parent, read with it (`ParentId`, or `Parent.<field>`).
    pub fn parent_value_of(&self, source: &Record) -> Option<String> {
        match &self.from {
            KeyFrom::SourceId => source.get("ParentId")?.as_str().map(str::to_string),
            KeyFrom::Field(f) => {
                let parent = source.get("Parent")?.as_object()?;
                MatchKey {
                    target: self.target.clone(),
                    from: KeyFrom::Field(f.clone()),
                }
                .value_of(parent)
            }
        }
        .filter(|v| !v.is_empty())
    }

    /// The source fields to read for the key (beside the record's own Id).
    pub fn source_fields(&self) -> Vec<String> {
        match &self.from {
            KeyFrom::SourceId => vec!["ParentId".into()],
            KeyFrom::Field(f) => vec![f.clone(), "ParentId".into(), format!("Parent.{f}")],
        }
    }

    /// The key the target offers, best first: a text External ID field of at least 18
    /// characters named like the source Id, then any such unique field, fed from the source Id.
    pub fn suggest(target: &SObjectDescribe) -> Option<MatchKey> {
        let fits_an_id = |f: &&salesforce::rest::FieldDescribe| {
            f.field_type == "string" && f.length >= 18 && f.createable && f.updateable
        };
        let named = |f: &&salesforce::rest::FieldDescribe| {
            let n = f.name.to_ascii_lowercase();
            n.contains("source") && n.contains("id")
        };
        let ids: Vec<_> = target.external_id_fields().filter(fits_an_id).collect();
        ids.iter()
            .find(|f| named(f))
            .or_else(|| ids.iter().find(|f| f.unique))
            .map(|f| MatchKey {
                target: f.name.clone(),
                from: KeyFrom::SourceId,
            })
    }

    /// Why this key cannot be used with `target` (not there, not an External ID), if so.
    pub fn problem(&self, source: &SObjectDescribe, target: &SObjectDescribe) -> Option<String> {
        let Some(field) = target.field(&self.target) else {
            return Some(format!("The target has no field {}.", self.target));
        };
        if !field.external_id {
            return Some(format!(
                "{} ({}) is not marked External ID in the target, so records cannot be matched on it.",
                field.label, field.name
            ));
        }
        if let KeyFrom::Field(f) = &self.from {
            if source.field(f).is_none() {
                return Some(format!("The source has no field {f}."));
            }
        }
        if self.from == KeyFrom::SourceId && field.length > 0 && field.length < 18 {
            return Some(format!(
                "{} holds {} characters; a source Id needs 18.",
                field.label, field.length
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{account, field};
    use serde_json::json;

    fn rec(v: Value) -> Record {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_source_id_field_is_suggested_and_checked() {
        let target = account(vec![
            field("Legacy__c", "string", |f| {
                f.length = 40;
                f.external_id = true;
            }),
            field("Source_Id__c", "string", |f| {
                f.length = 18;
                f.external_id = true;
                f.unique = true;
            }),
        ]);
        let key = MatchKey::suggest(&target).unwrap();
        assert_eq!(key.target, "Source_Id__c");
        assert_eq!(key.from, KeyFrom::SourceId);
        assert_eq!(key.problem(&target, &target), None);
        assert_eq!(MatchKey::suggest(&account(vec![])), None);
        let not_ext = MatchKey {
            target: "Name".into(),
            from: KeyFrom::SourceId,
        };
        assert!(not_ext
            .problem(&target, &target)
            .unwrap()
            .contains("not marked External ID"));
    }

    #[test]
    fn key_values_come_from_the_id_or_the_field_and_so_do_parents() {
        let by_id = MatchKey {
            target: "Source_Id__c".into(),
            from: KeyFrom::SourceId,
        };
        let r = rec(
            json!({"Id": "001000000000001AAA", "ParentId": "001000000000002AAA",
            "Code__c": " C-1 ", "Parent": {"Code__c": "C-2"}}),
        );
        assert_eq!(by_id.value_of(&r).as_deref(), Some("001000000000001AAA"));
        assert_eq!(
            by_id.parent_value_of(&r).as_deref(),
            Some("001000000000002AAA")
        );
        let by_code = MatchKey {
            target: "Code__c".into(),
            from: KeyFrom::Field("Code__c".into()),
        };
        assert_eq!(by_code.value_of(&r).as_deref(), Some("C-1"));
        assert_eq!(by_code.parent_value_of(&r).as_deref(), Some("C-2"));
        assert_eq!(by_code.value_of(&rec(json!({"Code__c": ""}))), None);
        assert_eq!(
            by_code.source_fields(),
            ["Code__c", "ParentId", "Parent.Code__c"]
        );
    }
}
