//! sObject Describe (`GET /services/data/vXX.X/sobjects/{SObject}/describe`): the fields a form and
//! a table are built from.

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Error;
use crate::transport::{Method, Transport};
use crate::types::check_api_name;

/// One picklist entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    pub value: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub default_value: bool,
}

fn yes() -> bool {
    true
}

/// One field of an object, with what a form needs: type, length, flags and picklist values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescribe {
    pub name: String,
    #[serde(default)]
    pub label: String,
    /// `id`, `string`, `textarea`, `picklist`, `multipicklist`, `reference`, `boolean`, `currency`,
    /// `int`, `double`, `percent`, `date`, `datetime`, `phone`, `url`, `email`, `address`, …
    #[serde(rename = "type")]
    pub field_type: String,
    #[serde(default)]
    pub length: u32,
    #[serde(default)]
    pub precision: u32,
    #[serde(default)]
    pub scale: u32,
    #[serde(default)]
    pub digits: u32,
    #[serde(default)]
    pub nillable: bool,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default)]
    pub id_lookup: bool,
    #[serde(default)]
    pub unique: bool,
    /// Whether an External ID matches values with regard to case (Salesforce's default: not).
    #[serde(default)]
    pub case_sensitive: bool,
    #[serde(default)]
    pub custom: bool,
    #[serde(default)]
    pub calculated: bool,
    #[serde(default)]
    pub defaulted_on_create: bool,
    #[serde(default)]
    pub name_field: bool,
    #[serde(default = "yes")]
    pub sortable: bool,
    #[serde(default = "yes")]
    pub filterable: bool,
    #[serde(default)]
    pub restricted_picklist: bool,
    #[serde(default)]
    pub html_formatted: bool,
    #[serde(default)]
    pub reference_to: Vec<String>,
    #[serde(default)]
    pub relationship_name: Option<String>,
    #[serde(default)]
    pub picklist_values: Vec<PicklistValue>,
    #[serde(default)]
    pub inline_help_text: Option<String>,
}

impl FieldDescribe {
    /// Must be given on create: createable, not nillable, and not defaulted by the org.
    pub fn is_required(&self) -> bool {
        self.createable
            && !self.nillable
            && !self.defaulted_on_create
            && self.field_type != "boolean"
    }

    /// Neither createable nor updateable.
    pub fn is_read_only(&self) -> bool {
        !self.createable && !self.updateable
    }

    /// A text field that `LIKE` can search (strings, text areas, emails, phones, URLs, picklists).
    /// Long text areas (over 255 characters) cannot be filtered in SOQL.
    pub fn is_searchable_text(&self) -> bool {
        self.filterable
            && matches!(
                self.field_type.as_str(),
                "string" | "email" | "phone" | "url" | "picklist" | "textarea" | "combobox"
            )
            && !(self.field_type == "textarea" && self.length > 255)
    }

    /// Active picklist values.
    pub fn active_picklist_values(&self) -> impl Iterator<Item = &PicklistValue> {
        self.picklist_values.iter().filter(|p| p.active)
    }
}

/// One of an object's record types in its describe (`recordTypeInfos`). Every field is optional
/// on the wire (`developerName` only exists from API 43.0), so each has a default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordTypeInfo {
    /// Records may be given it (an inactive record type keeps its records but takes no new ones).
    #[serde(default)]
    pub active: bool,
    /// The signed-in user may give it to records.
    #[serde(default)]
    pub available: bool,
    /// The record type the user's new records get when they name none.
    #[serde(default)]
    pub default_record_type_mapping: bool,
    /// The name that stays the same from org to org (`Customer`), what to match on.
    #[serde(default)]
    pub developer_name: String,
    /// The Master record type (`012000000000000AAA`), which every object has.
    #[serde(default)]
    pub master: bool,
    /// The label people see, which may differ between orgs.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub record_type_id: String,
}

/// An object's describe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SObjectDescribe {
    pub name: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub label_plural: String,
    #[serde(default)]
    pub key_prefix: Option<String>,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub deletable: bool,
    #[serde(default)]
    pub queryable: bool,
    pub fields: Vec<FieldDescribe>,
    /// The object's record types, Master included.
    #[serde(default)]
    pub record_type_infos: Vec<RecordTypeInfo>,
}

impl SObjectDescribe {
    /// The field with this API name (case-insensitive, as SOQL is).
    pub fn field(&self, name: &str) -> Option<&FieldDescribe> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Fields usable as upsert keys: marked External ID or id-lookup, excluding `Id` itself.
    pub fn external_id_fields(&self) -> impl Iterator<Item = &FieldDescribe> {
        self.fields
            .iter()
            .filter(|f| f.external_id && f.name != "Id")
    }

    /// The name field (`Name` on Account).
    pub fn name_field(&self) -> Option<&FieldDescribe> {
        self.fields.iter().find(|f| f.name_field)
    }

    /// The record type with this developer name (not Master; compared without case, as
    /// developer names are unique without case), active or not.
    pub fn record_type(&self, developer_name: &str) -> Option<&RecordTypeInfo> {
        self.record_type_infos
            .iter()
            .find(|r| !r.master && r.developer_name.eq_ignore_ascii_case(developer_name))
    }

    /// The record type the user's new records get when they name none.
    pub fn default_record_type(&self) -> Option<&RecordTypeInfo> {
        self.record_type_infos
            .iter()
            .find(|r| r.default_record_type_mapping)
    }
}

impl<T: Transport> Client<T> {
    /// Describes an object.
    ///
    /// ```no_run
    /// # async fn demo<T: salesforce::transport::Transport>(client: salesforce::client::Client<T>) -> Result<(), salesforce::error::Error> {
    /// let account = client.describe("Account").await?;
    /// let required: Vec<_> = account.fields.iter().filter(|f| f.is_required()).map(|f| &f.name).collect();
    /// # Ok(()) }
    /// ```
    pub async fn describe(&self, sobject: &str) -> Result<SObjectDescribe, Error> {
        check_api_name("object name", sobject, false)?;
        let path = self.data_path(&format!("/sobjects/{sobject}/describe"));
        self.send_json(Method::Get, &path, None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_fields_and_flags() {
        let d: SObjectDescribe = serde_json::from_str(r#"{"name":"Account","label":"Account","labelPlural":"Accounts","keyPrefix":"001","createable":true,"updateable":true,"deletable":true,"queryable":true,"fields":[
            {"name":"Id","label":"Account ID","type":"id","length":18,"nillable":false,"createable":false,"updateable":false,"defaultedOnCreate":true,"idLookup":true},
            {"name":"Name","label":"Account Name","type":"string","length":255,"nillable":false,"createable":true,"updateable":true,"nameField":true,"picklistValues":[],"referenceTo":[]},
            {"name":"Type","label":"Account Type","type":"picklist","length":255,"nillable":true,"createable":true,"updateable":true,"picklistValues":[{"value":"Prospect","label":"Prospect","active":true,"defaultValue":false,"validFor":null},{"value":"Old","label":"Old","active":false,"defaultValue":false}]},
            {"name":"Description","label":"Description","type":"textarea","length":32000,"nillable":true,"createable":true,"updateable":true,"filterable":false},
            {"name":"Ext_Id__c","label":"Ext Id","type":"string","length":40,"nillable":true,"createable":true,"updateable":true,"externalId":true,"unique":true,"custom":true,"relationshipName":null}
        ]}"#).unwrap();
        assert!(d.field("name").unwrap().is_required());
        assert!(!d.field("Type").unwrap().is_required());
        assert!(d.field("Id").unwrap().is_read_only());
        assert_eq!(d.field("Type").unwrap().active_picklist_values().count(), 1);
        assert!(!d.field("Description").unwrap().is_searchable_text());
        assert!(d.field("Name").unwrap().is_searchable_text());
        assert_eq!(
            d.external_id_fields()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>(),
            ["Ext_Id__c"]
        );
        assert_eq!(d.name_field().unwrap().name, "Name");
        assert!(
            d.record_type_infos.is_empty(),
            "recordTypeInfos may be absent"
        );
    }

    #[test]
    fn record_type_infos_are_read_with_what_is_missing_defaulted() {
        let d: SObjectDescribe = serde_json::from_str(r#"{"name":"Account","fields":[],"recordTypeInfos":[
            {"active":true,"available":true,"defaultRecordTypeMapping":true,"developerName":"Customer","master":false,"name":"Customer","recordTypeId":"012Ab0000000001AAA","urls":{"layout":"/services/data/v60.0/sobjects/Account/describe/layouts/012Ab0000000001AAA"}},
            {"active":false,"available":false,"defaultRecordTypeMapping":false,"developerName":"Prospect","master":false,"name":"Prospect","recordTypeId":"012Ab0000000002AAA","urls":{}},
            {"available":false,"defaultRecordTypeMapping":false,"master":true,"name":"Master","recordTypeId":"012000000000000AAA"}
        ]}"#).unwrap();
        assert_eq!(d.record_type_infos.len(), 3);
        let customer = d.record_type("customer").unwrap();
        assert!(customer.active && customer.available && !customer.master);
        assert_eq!(customer.record_type_id, "012Ab0000000001AAA");
        assert!(!d.record_type("Prospect").unwrap().active);
        assert_eq!(d.default_record_type().unwrap().developer_name, "Customer");
        // An older API version's entry: no developerName or active.
        let master = &d.record_type_infos[2];
        assert!(master.master && !master.active && master.developer_name.is_empty());
        assert!(
            d.record_type("Master").is_none(),
            "Master is not a record type to map to"
        );
    }
}
