//! Which source field feeds which target field: proposed (same API name, then same label), each
//! pair checked before anything runs, changeable by the person, and saved per pair of orgs.

use salesforce::rest::{FieldDescribe, SObjectDescribe};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::fields::{
    compatible, encrypted, encrypted_reason, kind, type_name, typed_constant, Kind,
};
use crate::key::{KeyFrom, MatchKey};

/// Where a target field's value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum From {
    Field(String),
    /// The same value for every record.
    Constant(Value),
}

/// One target field and what feeds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    pub target: String,
    pub from: From,
}

/// The fields a run writes. Target fields not listed are left alone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub pairs: Vec<Pair>,
    /// Source record types (DeveloperName) with no counterpart of the same name in the target,
    /// and the target record type (DeveloperName) the person chose for them.
    #[serde(default)]
    pub record_types: std::collections::BTreeMap<String, String>,
}

/// Fields the sync carries itself (the key, the parent, the owner), or that mean nothing in
/// another org.
fn carried_by_the_sync(name: &str) -> bool {
    matches!(name, "Id" | "OwnerId" | "ParentId" | "MasterRecordId")
}

/// Target fields a run may write: createable or updateable, not formula, not a lookup (ids mean
/// nothing across orgs), not compound, not the key.
pub fn writable(target: &SObjectDescribe, key: &MatchKey) -> Vec<FieldDescribe> {
    target
        .fields
        .iter()
        .filter(|f| (f.createable || f.updateable) && !f.calculated)
        .filter(|f| !carried_by_the_sync(&f.name) && !f.name.eq_ignore_ascii_case(&key.target))
        .filter(|f| !matches!(kind(f), Kind::Reference | Kind::Other) && !encrypted(f))
        .cloned()
        .collect()
}

/// Source fields that can feed a target field: every readable plain field that reads as it is
/// stored (not an encrypted one).
pub fn readable(source: &SObjectDescribe) -> Vec<FieldDescribe> {
    source
        .fields
        .iter()
        .filter(|f| !matches!(kind(f), Kind::Reference | Kind::Other) && !encrypted(f))
        .cloned()
        .collect()
}

/// The mapping proposed for a pair of orgs: each writable target field fed by the source field
/// of the same API name, else of the same label, when their values fit.
pub fn propose(source: &SObjectDescribe, target: &SObjectDescribe, key: &MatchKey) -> Mapping {
    let from = readable(source);
    let used_by_key = match &key.from {
        KeyFrom::Field(f) => Some(f.to_ascii_lowercase()),
        KeyFrom::SourceId => None,
    };
    let pairs = writable(target, key)
        .into_iter()
        .filter_map(|t| {
            let fits = |s: &&FieldDescribe| compatible(s, &t).is_ok();
            let by_name = from
                .iter()
                .filter(fits)
                .find(|s| s.name.eq_ignore_ascii_case(&t.name));
            let by_label = || {
                from.iter().filter(fits).find(|s| {
                    s.label.trim().eq_ignore_ascii_case(t.label.trim())
                        && Some(s.name.to_ascii_lowercase()) != used_by_key
                })
            };
            by_name.or_else(by_label).map(|s| Pair {
                target: t.name.clone(),
                from: From::Field(s.name.clone()),
            })
        })
        .collect();
    Mapping {
        pairs,
        ..Mapping::default()
    }
}

/// How serious a concern is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Nothing can run until it is changed.
    Stops,
    /// Records whose values hit it are blocked, one by one, in the preview.
    Warns,
}

/// Something about one target field the person should know before running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concern {
    pub target: String,
    pub severity: Severity,
    pub message: String,
}

impl Mapping {
    /// The pair feeding `target`, if any.
    pub fn pair(&self, target: &str) -> Option<&Pair> {
        self.pairs
            .iter()
            .find(|p| p.target.eq_ignore_ascii_case(target))
    }

    /// Feeds `target` from `from`, or leaves it out (`None`).
    pub fn set(&mut self, target: &str, from: Option<From>) {
        self.pairs
            .retain(|p| !p.target.eq_ignore_ascii_case(target));
        if let Some(from) = from {
            self.pairs.push(Pair {
                target: target.to_string(),
                from,
            });
        }
    }

    /// The source fields to read for it.
    pub fn source_fields(&self) -> Vec<String> {
        self.pairs
            .iter()
            .filter_map(|p| match &p.from {
                From::Field(f) => Some(f.clone()),
                From::Constant(_) => None,
            })
            .collect()
    }

    /// What the person should know before running, found from the two describes alone: a pair
    /// whose types do not fit, or that names a field one org lacks, stops the run; a target
    /// field shorter, narrower or smaller than its source warns (the preview blocks each record
    /// it refuses); a required target field with nothing mapped warns (inserts are blocked).
    pub fn concerns(&self, source: &SObjectDescribe, target: &SObjectDescribe) -> Vec<Concern> {
        let mut out = Vec::new();
        let mut say = |target: &str, severity, message: String| {
            out.push(Concern {
                target: target.to_string(),
                severity,
                message,
            })
        };
        for pair in &self.pairs {
            let Some(t) = target.field(&pair.target) else {
                say(
                    &pair.target,
                    Severity::Stops,
                    format!("The target has no field {}; leave it out.", pair.target),
                );
                continue;
            };
            if !(t.createable || t.updateable) {
                say(
                    &t.name,
                    Severity::Stops,
                    format!("{} cannot be written in the target; leave it out.", t.label),
                );
                continue;
            }
            if encrypted(t) {
                say(
                    &t.name,
                    Severity::Stops,
                    format!("{} Leave it out.", encrypted_reason(t, "target")),
                );
                continue;
            }
            let name = match &pair.from {
                From::Field(name) => name,
                From::Constant(v) => {
                    if let Err(why) = typed_constant(t, v) {
                        say(&t.name, Severity::Stops, why);
                    }
                    continue;
                }
            };
            let Some(s) = source.field(name) else {
                say(
                    &t.name,
                    Severity::Stops,
                    format!(
                        "The source has no field {name}; choose another or leave {} out.",
                        t.label
                    ),
                );
                continue;
            };
            if encrypted(s) {
                say(
                    &t.name,
                    Severity::Stops,
                    format!(
                        "{} Choose another source field or leave {} out.",
                        encrypted_reason(s, "source"),
                        t.label
                    ),
                );
                continue;
            }
            if let Err(why) = compatible(s, t) {
                say(
                    &t.name,
                    Severity::Stops,
                    format!("{why}; choose another source field or leave it out."),
                );
                continue;
            }
            if kind(t) == Kind::Text && t.length > 0 && s.length > t.length {
                say(
                    &t.name,
                    Severity::Warns,
                    format!(
                        "{} is {} in the source but {} in the target: longer values are blocked.",
                        t.label,
                        type_name(s),
                        type_name(t)
                    ),
                );
            }
            if t.restricted_picklist && !s.picklist_values.is_empty() {
                let missing: Vec<&str> = s
                    .active_picklist_values()
                    .map(|p| p.value.as_str())
                    .filter(|v| !t.active_picklist_values().any(|tp| tp.value == *v))
                    .collect();
                if !missing.is_empty() {
                    say(
                        &t.name,
                        Severity::Warns,
                        format!(
                            "The target's {} lacks {}: records with {} are blocked.",
                            t.label,
                            missing
                                .iter()
                                .map(|v| format!("“{v}”"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            if missing.len() == 1 { "it" } else { "them" }
                        ),
                    );
                }
            }
            if kind(t) == Kind::Number && kind(s) == Kind::Number {
                let whole = |f: &FieldDescribe| f.precision.saturating_sub(f.scale);
                if whole(t) > 0 && whole(s) > whole(t) {
                    say(
                        &t.name,
                        Severity::Warns,
                        format!(
                        "{} is {} in the source but {} in the target: larger numbers are blocked.",
                        t.label, type_name(s), type_name(t)
                    ),
                    );
                }
            }
        }
        for t in target.fields.iter().filter(|f| f.is_required()) {
            if !carried_by_the_sync(&t.name) && self.pair(&t.name).is_none() {
                say(&t.name, Severity::Warns, format!(
                    "{} is required in the target and nothing is mapped to it: new records are blocked. Map a field or set a value.",
                    t.label
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{account, field, picklist};
    use serde_json::json;

    fn key() -> MatchKey {
        MatchKey {
            target: "Source_Id__c".into(),
            from: KeyFrom::SourceId,
        }
    }

    fn orgs() -> (SObjectDescribe, SObjectDescribe) {
        let source = account(vec![
            field("Industry", "picklist", |f| {
                f.picklist_values = picklist(&["Energy"])
            }),
            field("Tier__c", "picklist", |f| {
                f.picklist_values = picklist(&["Gold", "Platinum"])
            }),
            field("Notes__c", "string", |f| f.length = 255),
            field("Region_Code__c", "string", |f| {
                f.length = 10;
                f.label = "Region".into();
            }),
            field("Only_In_Source__c", "string", |f| f.length = 10),
            field("Employees__c", "double", |f| f.precision = 18),
        ]);
        let target = account(vec![
            field("Industry", "picklist", |f| {
                f.picklist_values = picklist(&["Energy"])
            }),
            field("Tier__c", "picklist", |f| {
                f.picklist_values = picklist(&["Gold", "Silver"]);
                f.restricted_picklist = true;
            }),
            field("Notes__c", "string", |f| f.length = 80),
            field("Area__c", "string", |f| {
                f.length = 10;
                f.label = "Region".into();
            }),
            field("Employees__c", "boolean", |_| {}),
            field("Source_Id__c", "string", |f| {
                f.length = 18;
                f.external_id = true;
            }),
            field("Formula__c", "string", |f| f.calculated = true),
            field("Must__c", "string", |f| {
                f.nillable = false;
                f.length = 10;
            }),
        ]);
        (source, target)
    }

    #[test]
    fn same_name_then_same_label_and_only_values_that_fit() {
        let (source, target) = orgs();
        let m = propose(&source, &target, &key());
        let fed = |t: &str| m.pair(t).map(|p| p.from.clone());
        assert_eq!(fed("Name"), Some(From::Field("Name".into())));
        assert_eq!(fed("Tier__c"), Some(From::Field("Tier__c".into())));
        assert_eq!(
            fed("Area__c"),
            Some(From::Field("Region_Code__c".into())),
            "by label"
        );
        assert_eq!(
            fed("Employees__c"),
            None,
            "a number cannot go to a checkbox"
        );
        assert_eq!(fed("Source_Id__c"), None, "the key is the sync's");
        assert_eq!(fed("Formula__c"), None);
        assert_eq!(fed("OwnerId"), None);
        assert_eq!(fed("Must__c"), None);
    }

    #[test]
    fn concerns_are_found_before_anything_runs() {
        let (source, target) = orgs();
        let mut m = propose(&source, &target, &key());
        m.set("Employees__c", Some(From::Field("Employees__c".into())));
        m.set("Gone__c", Some(From::Field("Name".into())));
        let concerns = m.concerns(&source, &target);
        let about = |t: &str| {
            concerns
                .iter()
                .filter(|c| c.target == t)
                .map(|c| (c.severity, c.message.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(about("Employees__c")[0].0, Severity::Stops);
        assert_eq!(about("Gone__c")[0].0, Severity::Stops);
        let notes = &about("Notes__c")[0];
        assert_eq!(notes.0, Severity::Warns);
        assert!(
            notes.1.contains("Text(255) in the source but Text(80)"),
            "{}",
            notes.1
        );
        assert!(
            about("Tier__c")[0].1.contains("lacks “Platinum”"),
            "{:?}",
            about("Tier__c")
        );
        assert!(about("Must__c")[0].1.contains("required in the target"));
        assert!(about("Industry").is_empty());
        // Set a value, and the required field is fed.
        m.set("Must__c", Some(From::Constant(json!("X"))));
        assert!(m
            .concerns(&source, &target)
            .iter()
            .all(|c| c.target != "Must__c"));
        m.set("Employees__c", None);
        assert!(m.pair("Employees__c").is_none());
    }

    #[test]
    fn encrypted_fields_are_never_proposed_and_refused_by_hand() {
        let secret = |f: &mut FieldDescribe| {
            f.length = 175;
            f.label = "Tax Number".into();
        };
        let source = account(vec![field("Tax_Number__c", "encryptedstring", secret)]);
        let target = account(vec![
            field("Tax_Number__c", "encryptedstring", secret),
            field("Tax_Copy__c", "string", |f| f.length = 175),
        ]);
        let m = propose(&source, &target, &key());
        assert!(m.pair("Tax_Number__c").is_none(), "not proposed");
        assert!(readable(&source).iter().all(|f| f.name != "Tax_Number__c"));
        assert!(writable(&target, &key())
            .iter()
            .all(|f| f.name != "Tax_Number__c"));
        let mut by_hand = m.clone();
        by_hand.set("Tax_Copy__c", Some(From::Field("Tax_Number__c".into())));
        by_hand.set("Tax_Number__c", Some(From::Field("Name".into())));
        let concerns = by_hand.concerns(&source, &target);
        let stop = |t: &str| {
            concerns
                .iter()
                .find(|c| c.target == t)
                .filter(|c| c.severity == Severity::Stops)
                .map(|c| c.message.clone())
                .unwrap_or_default()
        };
        assert!(
            stop("Tax_Copy__c").contains("encrypted in the source"),
            "{concerns:?}"
        );
        assert!(stop("Tax_Copy__c").contains("View Encrypted Data"));
        assert!(stop("Tax_Number__c").contains("encrypted in the target"));
    }

    #[test]
    fn a_constant_of_the_wrong_type_stops_the_run() {
        let target = account(vec![
            field("Key__c", "boolean", |f| f.label = "Key".into()),
            field("Size__c", "double", |f| f.precision = 18),
        ]);
        let mut m = Mapping::default();
        m.set("Key__c", Some(From::Constant(json!("true"))));
        m.set("Size__c", Some(From::Constant(json!("many"))));
        let concerns: Vec<Concern> = m
            .concerns(&target, &target)
            .into_iter()
            .filter(|c| c.severity == Severity::Stops)
            .collect();
        assert_eq!(concerns.len(), 1, "{concerns:?}");
        assert_eq!(concerns[0].target, "Size__c");
        assert_eq!(concerns[0].severity, Severity::Stops);
        assert!(concerns[0].message.contains("takes a number"));
    }
}
