//! How a source record finds its record in the target: a target External ID field holding the
//! source record's Id (recommended), or fed from a mapped source field. Either way an upsert by
//! that field writes each record once, however often a run is repeated or resumed.

use std::collections::HashMap;

use salesforce::rest::{FieldDescribe, Record, SObjectDescribe};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use orgbridge_model::accounts::thousands;

use crate::fields::{encrypted, encrypted_reason};

/// Target fields a key can be: unique External IDs that read as stored (not encrypted).
pub fn usable_keys(target: &SObjectDescribe) -> Vec<&FieldDescribe> {
    target
        .external_id_fields()
        .filter(|f| f.unique && !encrypted(f))
        .collect()
}

/// How many records hold a value in each candidate key field, counted in both orgs before a key
/// is proposed: what tells a field other systems fill from one made to hold the source Id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyFacts {
    /// Source records with a value, by field (lower-case API name).
    pub source: HashMap<String, u64>,
    /// Target records with a value, by field (lower-case API name).
    pub target: HashMap<String, u64>,
}

impl KeyFacts {
    /// The fields to count: (in the source, in the target). The target's usable keys; in the
    /// source, those of the same name that are External IDs there too.
    pub fn to_count(
        source: &SObjectDescribe,
        target: &SObjectDescribe,
    ) -> (Vec<String>, Vec<String>) {
        let keys = usable_keys(target);
        let in_source = keys
            .iter()
            .filter_map(|t| source.field(&t.name))
            .filter(|s| s.external_id && !encrypted(s))
            .map(|s| s.name.clone())
            .collect();
        (in_source, keys.iter().map(|f| f.name.clone()).collect())
    }

    pub fn source_values(&self, field: &str) -> u64 {
        self.source
            .get(&field.to_ascii_lowercase())
            .copied()
            .unwrap_or(0)
    }

    /// Whether the target is known to hold no value in `field` (a count that could not be made
    /// is not taken as empty: the field may be in use).
    pub fn known_empty_in_target(&self, field: &str) -> bool {
        self.target.get(&field.to_ascii_lowercase()) == Some(&0)
    }

    /// Unknown counts as none.
    pub fn target_values(&self, field: &str) -> u64 {
        self.target
            .get(&field.to_ascii_lowercase())
            .copied()
            .unwrap_or(0)
    }
}

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

    /// The key proposed for a pair of orgs, best first, never a field other systems use:
    /// 1. a field with the same API name that is a unique External ID in the target and an
    ///    External ID in the source, with values in the source: matched on the same values;
    /// 2. a unique text External ID of 18 characters or more made to hold the source Id: named
    ///    for it (`Source_Id__c`), or else empty in the target.
    ///
    /// `None`: the admin adds a field ([`HOW_TO_ADD_A_KEY`]).
    pub fn suggest(
        source: &SObjectDescribe,
        target: &SObjectDescribe,
        facts: &KeyFacts,
    ) -> Option<MatchKey> {
        let usable = usable_keys(target);
        let same_values = usable.iter().find(|t| {
            source
                .field(&t.name)
                .is_some_and(|s| s.external_id && !encrypted(s))
                && facts.source_values(&t.name) > 0
        });
        if let Some(f) = same_values {
            return Some(MatchKey {
                target: f.name.clone(),
                from: KeyFrom::Field(source.field(&f.name)?.name.clone()),
            });
        }
        let holds_an_id = |f: &&&FieldDescribe| {
            f.field_type == "string" && f.length >= 18 && f.createable && f.updateable
        };
        let named = |f: &&&FieldDescribe| {
            let n = f.name.to_ascii_lowercase();
            n.contains("source") && n.contains("id")
        };
        let ids: Vec<&&FieldDescribe> = usable.iter().filter(holds_an_id).collect();
        ids.iter()
            .find(|f| named(f))
            .or_else(|| ids.iter().find(|f| facts.known_empty_in_target(&f.name)))
            .map(|f| MatchKey {
                target: f.name.clone(),
                from: KeyFrom::SourceId,
            })
    }

    /// When the target already holds records keyed another way: how many would no longer be
    /// found, and so be inserted again, if this key were used. In words, or `None`.
    pub fn would_insert_again(&self, target: &SObjectDescribe, facts: &KeyFacts) -> Option<String> {
        let ours = facts.target_values(&self.target);
        let label = |name: &str| {
            target
                .field(name)
                .map_or(name.to_string(), |f| f.label.clone())
        };
        let (other, theirs) = usable_keys(target)
            .into_iter()
            .filter(|f| !f.name.eq_ignore_ascii_case(&self.target))
            .map(|f| (f.name.clone(), facts.target_values(&f.name)))
            .max_by_key(|(_, n)| *n)?;
        (theirs > ours).then(|| {
            format!(
                "{} target accounts have a value in {} but only {} in {}: matching on {} would not find up to {} of them, and their source accounts would be inserted again as new accounts. Keep {} if that is how they were copied.",
                thousands(theirs),
                label(&other),
                thousands(ours),
                label(&self.target),
                label(&self.target),
                thousands(theirs - ours),
                label(&other),
            )
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
        if !field.unique {
            return Some(format!(
                "{} ({}) is not unique in the target: an upsert on it needs “View All Data”, and when two records share a value it fails with 300 Multiple Choices instead of writing. In the target's Setup, tick “Unique” on the field, or choose another.",
                field.label, field.name
            ));
        }
        if encrypted(field) {
            return Some(encrypted_reason(field, "target"));
        }
        if let KeyFrom::Field(f) = &self.from {
            let Some(s) = source.field(f) else {
                return Some(format!("The source has no field {f}."));
            };
            if encrypted(s) {
                return Some(encrypted_reason(s, "source"));
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

    fn ext(name: &str, unique: bool) -> salesforce::rest::FieldDescribe {
        field(name, "string", |f| {
            f.length = 40;
            f.external_id = true;
            f.unique = unique;
        })
    }

    fn none_of() -> SObjectDescribe {
        account(vec![])
    }

    fn facts(source: &[(&str, u64)], target: &[(&str, u64)]) -> KeyFacts {
        let map = |l: &[(&str, u64)]| {
            l.iter()
                .map(|(f, n)| (f.to_ascii_lowercase(), *n))
                .collect()
        };
        KeyFacts {
            source: map(source),
            target: map(target),
        }
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
        let key = MatchKey::suggest(&target, &target, &KeyFacts::default()).unwrap();
        assert_eq!(key.target, "Source_Id__c");
        assert_eq!(key.from, KeyFrom::SourceId);
        assert_eq!(key.problem(&target, &target), None);
        let none = account(vec![]);
        assert_eq!(MatchKey::suggest(&none, &none, &KeyFacts::default()), None);
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
    fn a_key_that_is_not_unique_is_never_proposed_and_refused_with_the_reason() {
        let target = account(vec![ext("Legacy_Source_Id__c", false)]);
        assert_eq!(
            MatchKey::suggest(&target, &target, &KeyFacts::default()),
            None
        );
        let by_hand = MatchKey {
            target: "Legacy_Source_Id__c".into(),
            from: KeyFrom::SourceId,
        };
        let why = by_hand.problem(&target, &target).unwrap();
        assert!(why.contains("not unique"), "{why}");
        assert!(
            why.contains("View All Data") && why.contains("300"),
            "{why}"
        );
    }

    #[test]
    fn a_field_other_systems_use_is_matched_on_its_own_values_not_repurposed() {
        // External_Id__c in both orgs, the source holding its own values: match on them.
        let source = account(vec![ext("External_Id__c", true)]);
        let target = account(vec![
            ext("External_Id__c", true),
            ext("Erp_Number__c", true),
        ]);
        let seen = facts(
            &[("External_Id__c", 120)],
            &[("External_Id__c", 80), ("Erp_Number__c", 500)],
        );
        let key = MatchKey::suggest(&source, &target, &seen).unwrap();
        assert_eq!(
            key,
            MatchKey {
                target: "External_Id__c".into(),
                from: KeyFrom::Field("External_Id__c".into())
            }
        );
        // Counts that could not be made: nothing is taken to be empty.
        let ext_only = account(vec![ext("External_Id__c", true)]);
        assert_eq!(
            MatchKey::suggest(&none_of(), &ext_only, &KeyFacts::default()),
            None
        );
        // The source's field is empty: the target's, in use, is not taken to hold source Ids.
        let empty_source = facts(
            &[("External_Id__c", 0)],
            &[("External_Id__c", 80), ("Erp_Number__c", 500)],
        );
        assert_eq!(MatchKey::suggest(&source, &target, &empty_source), None);
        // ...but an empty one is, and so is one named for it, whatever it holds.
        let empty_target = facts(&[], &[("External_Id__c", 0), ("Erp_Number__c", 500)]);
        assert_eq!(
            MatchKey::suggest(&account(vec![]), &target, &empty_target).map(|k| (k.target, k.from)),
            Some(("External_Id__c".into(), KeyFrom::SourceId))
        );
        let named = account(vec![
            ext("Erp_Number__c", true),
            ext("Orig_Source_Id__c", true),
        ]);
        let full = facts(&[], &[("Erp_Number__c", 500), ("Orig_Source_Id__c", 7)]);
        assert_eq!(
            MatchKey::suggest(&account(vec![]), &named, &full).map(|k| k.target),
            Some("Orig_Source_Id__c".into())
        );
        assert_eq!(
            KeyFacts::to_count(&source, &target),
            (
                vec!["External_Id__c".to_string()],
                vec!["External_Id__c".to_string(), "Erp_Number__c".to_string()]
            )
        );
    }

    #[test]
    fn changing_the_key_says_how_many_records_would_be_inserted_again() {
        let target = account(vec![
            field("Source_Id__c", "string", |f| {
                f.length = 18;
                f.external_id = true;
                f.unique = true;
                f.label = "Source Id".into();
            }),
            field("External_Id__c", "string", |f| {
                f.length = 40;
                f.external_id = true;
                f.unique = true;
                f.label = "External Id".into();
            }),
        ]);
        let seen = facts(&[], &[("Source_Id__c", 1_200), ("External_Id__c", 0)]);
        let new_key = MatchKey {
            target: "External_Id__c".into(),
            from: KeyFrom::SourceId,
        };
        let said = new_key.would_insert_again(&target, &seen).unwrap();
        assert!(
            said.starts_with(
                "1,200 target accounts have a value in Source Id but only 0 in External Id"
            ),
            "{said}"
        );
        assert!(said.contains("up to 1,200 of them"), "{said}");
        let kept = MatchKey {
            target: "Source_Id__c".into(),
            from: KeyFrom::SourceId,
        };
        assert_eq!(kept.would_insert_again(&target, &seen), None);
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
