//! Relationships named by a parent's key in write bodies: `"Parent": {"Source_Id__c": "…"}` (with
//! or without jsforce's `"attributes": {"type": "Account"}`) sets `ParentId`, and
//! `"Owner": {"Username": "…"}` sets `OwnerId`. The key must be an idLookup field of the parent
//! object (an External ID, `Id`, User's `Username` and `Email`), and match exactly one record.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm>
//! ("Upserting Records and Associating with an External ID").

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::{DmlError, Store};
use crate::ids;
use crate::schema::{Field, SObject};

impl Store {
    /// `body` with each relationship key replaced by the id field it names, looked up in the
    /// store as it is now. Keys that are not relationships, or whose value is not an object, are
    /// left for the field checks (which call them unknown columns).
    pub fn resolve_references<'a>(
        &self,
        body: &'a Map<String, Value>,
    ) -> Result<Cow<'a, Map<String, Value>>, DmlError> {
        let account = &self.schema.account;
        let mut out: Option<Map<String, Value>> = None;
        for (key, value) in body {
            let Value::Object(reference) = value else {
                continue;
            };
            if key == "attributes" || account.index_of(key).is_some() {
                continue;
            }
            let Some(link) = account.relationship(key) else {
                continue;
            };
            let target = self
                .schema
                .object(link.reference_to[0])
                .expect("known reference target");
            let id = self.referenced_id(link, target, reference)?;
            let resolved = out.get_or_insert_with(|| body.clone());
            resolved.remove(key);
            resolved.insert(link.name.clone(), Value::String(id));
        }
        Ok(out.map_or(Cow::Borrowed(body), Cow::Owned))
    }

    /// The one record of `target` that `reference` (`{keyField: value}`) names for `link`.
    fn referenced_id(
        &self,
        link: &Field,
        target: &SObject,
        reference: &Map<String, Value>,
    ) -> Result<String, DmlError> {
        let relationship = link.relationship_name.unwrap_or_default();
        if let Some(kind) = reference
            .get("attributes")
            .and_then(|a| a.get("type"))
            .and_then(Value::as_str)
        {
            if !kind.eq_ignore_ascii_case(target.name) {
                return Err(DmlError::new(
                    "INVALID_FIELD",
                    format!(
                        "Relationship {relationship} refers to {}, not {kind}",
                        target.name
                    ),
                ));
            }
        }
        let keys: Vec<(&String, &Value)> = reference
            .iter()
            .filter(|(k, _)| *k != "attributes")
            .collect();
        let (name, value) = match keys.as_slice() {
            [one] => *one,
            [] => {
                return Err(DmlError::new(
                    "INVALID_FIELD",
                    format!(
                        "No foreign key field provided in an external foreign key reference in entity: {}",
                        target.name
                    ),
                ))
            }
            _ => {
                return Err(DmlError::new(
                    "INVALID_FIELD",
                    format!(
                        "More than 1 field provided in an external foreign key reference in entity: {}",
                        target.name
                    ),
                ))
            }
        };
        let Some(field) = target.field(name) else {
            return Err(DmlError::new(
                "INVALID_FIELD",
                format!("No such column '{name}' on sobject of type {}", target.name),
            ));
        };
        if !field.id_lookup {
            return Err(DmlError::new(
                "INVALID_FIELD",
                format!(
                    "Field name provided, {} is not an External ID or indexed field for {}",
                    field.name, target.name
                ),
            ));
        }
        let given = match value {
            Value::String(s) => s.clone(),
            Value::Null => "null".to_string(),
            other => other.to_string(),
        };
        let found = self.records_with(target, field, &given);
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(DmlError::new(
                "INVALID_FIELD",
                format!(
                    "Foreign key external ID: {given} not found for field {} in entity {}",
                    field.name, target.name
                ),
            )),
            many => Err(DmlError::new(
                "DUPLICATE_EXTERNAL_ID",
                format!(
                    "{}: more than one record found for external id field: [{}]",
                    field.label,
                    many.join(", ")
                ),
            )),
        }
    }

    /// Ids of the live records of `target` whose idLookup `field` is `value`.
    fn records_with(&self, target: &SObject, field: &Field, value: &str) -> Vec<String> {
        if target.name == "RecordType" {
            // Record types by id or by Name (their label, compared without case); whether the
            // one found may be used is the RecordTypeId check's question.
            return self
                .schema
                .account
                .record_types
                .iter()
                .filter(|t| match field.name.as_str() {
                    "Id" => ids::normalize(value).is_some_and(|id| id == t.id),
                    _ => t.name.eq_ignore_ascii_case(value),
                })
                .map(|t| t.id.clone())
                .collect();
        }
        if target.name == "User" {
            // Usernames and emails compare without case; ids by their 15 case-sensitive characters.
            return self
                .users
                .iter()
                .filter(|u| match field.name.as_str() {
                    "Id" => ids::normalize(value).is_some_and(|id| id == u.id),
                    _ => u
                        .field_value(&field.name)
                        .as_str()
                        .is_some_and(|v| v.eq_ignore_ascii_case(value)),
                })
                .map(|u| u.id.clone())
                .collect();
        }
        if field.name == "Id" {
            return ids::normalize(value)
                .filter(|id| self.live_account(id).is_ok())
                .into_iter()
                .collect();
        }
        self.find_by_external(field, value)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::store;
    use serde_json::{json, Map, Value};

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn relationships_become_id_fields_and_others_stay() {
        let mut s = store();
        let (parent, _) = s
            .insert(&obj(json!({"Name": "P", "External_Id__c": "EXT-P"})), 1)
            .unwrap();
        let body = obj(
            json!({"Name": "C", "Parent": {"attributes": {"type": "Account"}, "External_Id__c": "ext-p"}}),
        );
        let resolved = s.resolve_references(&body).unwrap();
        assert_eq!(resolved["ParentId"], parent);
        assert!(resolved.get("Parent").is_none());
        let plain = obj(json!({"Name": "C", "Parent": "not an object"}));
        assert!(matches!(
            s.resolve_references(&plain).unwrap(),
            std::borrow::Cow::Borrowed(_)
        ));
        let admin = s.users[0].id.clone();
        let owner = obj(json!({"Owner": {"Username": "ADMIN@x.local"}}));
        assert_eq!(s.resolve_references(&owner).unwrap()["OwnerId"], admin);
        let by_id = obj(json!({"Parent": {"Id": &parent[..15]}}));
        assert_eq!(s.resolve_references(&by_id).unwrap()["ParentId"], parent);
    }

    #[test]
    fn bad_references_are_refused() {
        let s = store();
        let code = |v: Value| {
            let e = s.resolve_references(&obj(v)).unwrap_err();
            (e.code, e.message)
        };
        assert_eq!(
            code(json!({"Parent": {"External_Id__c": "nope"}})),
            ("INVALID_FIELD", "Foreign key external ID: nope not found for field External_Id__c in entity Account".to_string())
        );
        assert!(code(json!({"Parent": {"Phone": "1"}}))
            .1
            .contains("is not an External ID or indexed field"));
        assert!(code(json!({"Parent": {"Nope__c": "1"}}))
            .1
            .contains("No such column 'Nope__c'"));
        assert!(code(json!({"Parent": {"Id": "1", "Name": "x"}}))
            .1
            .starts_with("More than 1 field"));
        assert!(code(json!({"Parent": {"attributes": {"type": "Account"}}}))
            .1
            .starts_with("No foreign key field"));
        assert!(
            code(json!({"Parent": {"attributes": {"type": "User"}, "Name": "x"}}))
                .1
                .contains("refers to Account")
        );
    }
}
