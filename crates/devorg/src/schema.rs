//! The org's objects as Salesforce describes them: Account (standard fields from the Field Reference,
//! <https://developer.salesforce.com/docs/atlas.en-us.sfFieldRef.meta/sfFieldRef/salesforce_field_reference_Account.htm>,
//! plus the classic demo custom fields and a unique external id), RecordType and User. Each org
//! holds its own [`Schema`]: the built-in one, or one an org file changes (`org_file`), with
//! Account's record types. One definition feeds describe, write validation and the SOQL catalog,
//! so they cannot disagree.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{json, Value};

use crate::record_types::{self, RecordType};

/// A field's describe `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Id,
    String,
    TextArea,
    Picklist,
    Reference,
    Boolean,
    Currency,
    Int,
    Double,
    Date,
    DateTime,
    Phone,
    Url,
    Email,
    Address,
}

impl FieldType {
    /// The describe `type` string.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Id => "id",
            FieldType::String => "string",
            FieldType::TextArea => "textarea",
            FieldType::Picklist => "picklist",
            FieldType::Reference => "reference",
            FieldType::Boolean => "boolean",
            FieldType::Currency => "currency",
            FieldType::Int => "int",
            FieldType::Double => "double",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
            FieldType::Phone => "phone",
            FieldType::Url => "url",
            FieldType::Email => "email",
            FieldType::Address => "address",
        }
    }

    /// The describe `soapType`.
    fn soap_type(self) -> &'static str {
        match self {
            FieldType::Id | FieldType::Reference => "tns:ID",
            FieldType::Boolean => "xsd:boolean",
            FieldType::Currency | FieldType::Double => "xsd:double",
            FieldType::Int => "xsd:int",
            FieldType::Date => "xsd:date",
            FieldType::DateTime => "xsd:dateTime",
            FieldType::Address => "urn:address",
            _ => "xsd:string",
        }
    }

    /// Text-like types, whose values are JSON strings with a maximum length.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FieldType::String
                | FieldType::TextArea
                | FieldType::Picklist
                | FieldType::Phone
                | FieldType::Url
                | FieldType::Email
        )
    }
}

/// One field's describe metadata.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub label: String,
    pub ftype: FieldType,
    /// Maximum length in characters for text types, 0 otherwise.
    pub length: u32,
    pub precision: u32,
    pub scale: u32,
    pub digits: u32,
    pub nillable: bool,
    pub createable: bool,
    pub updateable: bool,
    pub defaulted_on_create: bool,
    pub name_field: bool,
    pub external_id: bool,
    pub id_lookup: bool,
    pub unique: bool,
    pub case_sensitive: bool,
    pub custom: bool,
    pub calculated: bool,
    pub sortable: bool,
    pub filterable: bool,
    pub reference_to: &'static [&'static str],
    pub relationship_name: Option<&'static str>,
    pub picklist: Vec<String>,
    /// A restricted picklist refuses values outside `picklist`.
    pub restricted_picklist: bool,
    /// Describe's `defaultValue` (a checkbox's), set on create when the body leaves it out.
    pub default_value: Option<Value>,
    /// Declared by the org file rather than built in (such fields are seeded with generic values).
    pub declared: bool,
}

impl Field {
    /// A createable, updateable, nillable field of `ftype`; adjust with the builder methods.
    pub(crate) fn new(name: &str, label: &str, ftype: FieldType) -> Field {
        Field {
            name: name.to_string(),
            label: label.to_string(),
            ftype,
            length: 0,
            precision: 0,
            scale: 0,
            digits: 0,
            nillable: true,
            createable: true,
            updateable: true,
            defaulted_on_create: false,
            name_field: false,
            external_id: false,
            id_lookup: false,
            unique: false,
            case_sensitive: false,
            custom: name.ends_with("__c"),
            calculated: false,
            sortable: ftype != FieldType::Address,
            filterable: ftype != FieldType::Address,
            reference_to: &[],
            relationship_name: None,
            picklist: vec![],
            restricted_picklist: false,
            default_value: None,
            declared: false,
        }
    }
    pub(crate) fn text(name: &str, label: &str, ftype: FieldType, length: u32) -> Field {
        Field {
            length,
            ..Field::new(name, label, ftype)
        }
    }
    pub(crate) fn picklist(name: &str, label: &str, values: &[&str]) -> Field {
        Field {
            picklist: values.iter().map(|v| v.to_string()).collect(),
            ..Field::text(name, label, FieldType::Picklist, 255)
        }
    }
    pub(crate) fn number(
        name: &str,
        label: &str,
        ftype: FieldType,
        precision: u32,
        scale: u32,
    ) -> Field {
        Field {
            precision,
            scale,
            ..Field::new(name, label, ftype)
        }
    }
    fn reference(
        name: &str,
        label: &str,
        to: &'static [&'static str],
        relationship: &'static str,
    ) -> Field {
        Field {
            length: 18,
            reference_to: to,
            relationship_name: Some(relationship),
            ..Field::new(name, label, FieldType::Reference)
        }
    }
    /// Maintained by the platform: neither createable nor updateable.
    fn system(self) -> Field {
        Field {
            createable: false,
            updateable: false,
            ..self
        }
    }
    /// A restricted picklist.
    fn restricted(self) -> Field {
        Field {
            restricted_picklist: true,
            ..self
        }
    }
    pub(crate) fn required(self) -> Field {
        Field {
            nillable: false,
            ..self
        }
    }
    pub(crate) fn defaulted(self) -> Field {
        Field {
            defaulted_on_create: true,
            ..self
        }
    }
    /// Long text areas can be neither filtered nor sorted in SOQL.
    pub(crate) fn long_text(self) -> Field {
        Field {
            sortable: false,
            filterable: false,
            ..self
        }
    }

    /// Whether the API may set this field on create (`creating`) or update.
    pub fn is_writable(&self, creating: bool) -> bool {
        if creating {
            self.createable
        } else {
            self.updateable
        }
    }

    /// The field's entry in a describe result.
    pub fn describe(&self) -> Value {
        let byte_length =
            if self.ftype.is_text() || matches!(self.ftype, FieldType::Id | FieldType::Reference) {
                self.length * 3
            } else {
                0
            };
        let picklist: Vec<Value> = self
            .picklist
            .iter()
            .map(|v| json!({"active": true, "defaultValue": false, "label": v, "validFor": null, "value": v}))
            .collect();
        json!({
            "aggregatable": self.sortable,
            "autoNumber": false,
            "byteLength": byte_length,
            "calculated": self.calculated,
            "calculatedFormula": null,
            "caseSensitive": self.case_sensitive,
            "compoundFieldName": compound_of(&self.name),
            "createable": self.createable,
            "custom": self.custom,
            "defaultValue": self.default_value,
            "defaultedOnCreate": self.defaulted_on_create,
            "deprecatedAndHidden": false,
            "digits": self.digits,
            "externalId": self.external_id,
            "filterable": self.filterable,
            "groupable": self.sortable && !matches!(self.ftype, FieldType::Double | FieldType::Currency | FieldType::DateTime),
            "htmlFormatted": false,
            "idLookup": self.id_lookup,
            "inlineHelpText": null,
            "label": self.label,
            "length": self.length,
            "name": self.name,
            "nameField": self.name_field,
            "nillable": self.nillable,
            "permissionable": self.nillable && (self.createable || self.updateable),
            "picklistValues": picklist,
            "polymorphicForeignKey": false,
            "precision": self.precision,
            "referenceTo": self.reference_to,
            "relationshipName": self.relationship_name,
            "restrictedPicklist": self.restricted_picklist,
            "scale": self.scale,
            "soapType": self.ftype.soap_type(),
            "sortable": self.sortable,
            "type": self.ftype.name(),
            "unique": self.unique,
            "updateable": self.updateable,
        })
    }
}

/// Address components name their compound field in describe.
fn compound_of(name: &str) -> Option<&'static str> {
    if name.starts_with("Billing") && name != "BillingAddress" {
        Some("BillingAddress")
    } else if name.starts_with("Shipping") && name != "ShippingAddress" {
        Some("ShippingAddress")
    } else {
        None
    }
}

/// One sObject type.
#[derive(Debug)]
pub struct SObject {
    pub name: &'static str,
    pub label: &'static str,
    pub label_plural: &'static str,
    pub key_prefix: &'static str,
    pub createable: bool,
    pub updateable: bool,
    pub deletable: bool,
    pub fields: Vec<Field>,
    /// The object's custom record types (only Account has any, from the org file).
    pub record_types: Vec<RecordType>,
    /// Field positions by exact (canonical) name: the hot path of queries over 100,000 rows.
    by_name: HashMap<String, usize>,
}

impl SObject {
    pub(crate) fn new(
        name: &'static str,
        label: &'static str,
        label_plural: &'static str,
        key_prefix: &'static str,
        writable: bool,
        fields: Vec<Field>,
    ) -> SObject {
        let by_name = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i))
            .collect();
        SObject {
            name,
            label,
            label_plural,
            key_prefix,
            createable: writable,
            updateable: writable,
            deletable: writable,
            fields,
            record_types: vec![],
            by_name,
        }
    }

    /// The field named `name`, case-insensitively (Salesforce field names are not case-sensitive).
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.index_of(name).map(|i| &self.fields[i])
    }

    /// Index of the field named `name` (case-insensitive).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        if let Some(i) = self.by_name.get(name) {
            return Some(*i);
        }
        self.fields
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The field whose relationship name is `rel` (`Owner` → `OwnerId`), case-insensitive.
    pub fn relationship(&self, rel: &str) -> Option<&Field> {
        self.fields.iter().find(|f| {
            f.relationship_name
                .is_some_and(|r| r.eq_ignore_ascii_case(rel))
        })
    }

    /// The custom record type with this (15- or 18-character) id, active or not.
    pub fn record_type(&self, id: &str) -> Option<&RecordType> {
        let id = crate::ids::normalize(id)?;
        self.record_types.iter().find(|t| t.id == id)
    }

    /// The record type a new record gets when the write names none (`None`: only Master).
    pub fn default_record_type(&self) -> Option<&RecordType> {
        self.record_types.iter().find(|t| t.default)
    }

    /// The `urls` map of describe and global describe.
    pub fn urls(&self, version: &str) -> Value {
        let base = format!("/services/data/v{version}/sobjects/{}", self.name);
        json!({
            "compactLayouts": format!("{base}/describe/compactLayouts"),
            "rowTemplate": format!("{base}/{{ID}}"),
            "approvalLayouts": format!("{base}/describe/approvalLayouts"),
            "defaultValues": format!("{base}/defaultValues?recordTypeId&fields"),
            "listviews": format!("{base}/listviews"),
            "describe": format!("{base}/describe"),
            "quickActions": format!("{base}/quickActions"),
            "layouts": format!("{base}/describe/layouts"),
            "sobject": base,
        })
    }

    /// The object's entry in global describe (`GET /sobjects`), also the `objectDescribe` of
    /// `GET /sobjects/{type}`.
    pub fn summary(&self, version: &str) -> Value {
        json!({
            "activateable": false,
            "associateEntityType": null,
            "associateParentEntity": null,
            "createable": self.createable,
            "custom": false,
            "customSetting": false,
            "deepCloneable": false,
            "deletable": self.deletable,
            "deprecatedAndHidden": false,
            "feedEnabled": false,
            "hasSubtypes": false,
            "isInterface": false,
            "isSubtype": false,
            "keyPrefix": self.key_prefix,
            "label": self.label,
            "labelPlural": self.label_plural,
            "layoutable": true,
            "mergeable": self.name == "Account",
            "mruEnabled": true,
            "name": self.name,
            "queryable": true,
            "replicateable": true,
            "retrieveable": true,
            "searchable": true,
            "triggerable": true,
            "undeletable": self.deletable,
            "updateable": self.updateable,
            "urls": self.urls(version),
        })
    }

    /// The full describe result (`GET /sobjects/{type}/describe`).
    pub fn describe(&self, version: &str) -> Value {
        let mut out = self.summary(version);
        let obj = out.as_object_mut().expect("summary is an object");
        obj.insert(
            "fields".into(),
            self.fields.iter().map(Field::describe).collect(),
        );
        obj.insert(
            "childRelationships".into(),
            json!(self.child_relationships()),
        );
        obj.insert(
            "recordTypeInfos".into(),
            record_types::infos(self.name, version, &self.record_types),
        );
        obj.insert("searchLayoutable".into(), json!(true));
        obj.insert("compactLayoutable".into(), json!(true));
        obj.insert("namedLayoutInfos".into(), json!([]));
        obj.insert("networkScopeFieldName".into(), Value::Null);
        obj.insert("listviewable".into(), Value::Null);
        obj.insert("lookupLayoutable".into(), Value::Null);
        obj.insert(
            "supportedScopes".into(),
            json!([{"label": "All accounts", "name": "everything"}]),
        );
        obj.insert("actionOverrides".into(), json!([]));
        obj.insert("sobjectDescribeOption".into(), json!("FULL"));
        out
    }

    fn child_relationships(&self) -> Vec<Value> {
        if self.name != "Account" {
            return vec![];
        }
        vec![json!({
            "cascadeDelete": false, "childSObject": "Account", "deprecatedAndHidden": false,
            "field": "ParentId", "junctionIdListNames": [], "junctionReferenceTo": [],
            "relationshipName": "ChildAccounts", "restrictedDelete": false
        })]
    }
}

pub const TYPE_VALUES: &[&str] = &[
    "Prospect",
    "Customer - Direct",
    "Customer - Channel",
    "Channel Partner / Reseller",
    "Installation Partner",
    "Technology Partner",
    "Other",
];
pub const INDUSTRY_VALUES: &[&str] = &[
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
];
pub const SOURCE_VALUES: &[&str] = &[
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Purchased List",
    "Other",
];
pub const RATING_VALUES: &[&str] = &["Hot", "Warm", "Cold"];
pub const OWNERSHIP_VALUES: &[&str] = &["Public", "Private", "Subsidiary", "Other"];
pub const TIER_VALUES: &[&str] = &["Gold", "Silver", "Bronze"];
pub const ACTIVE_VALUES: &[&str] = &["Yes", "No"];

/// The unique, case-insensitive external id the app upserts by.
pub const EXTERNAL_ID: &str = "External_Id__c";
/// A second external id that is deliberately *not* unique, so upsert can match several records (300).
pub const LEGACY_NUMBER: &str = "Legacy_Number__c";

fn account() -> SObject {
    use FieldType as T;
    let user: &'static [&'static str] = &["User"];
    let acct: &'static [&'static str] = &["Account"];
    let mut fields = vec![
        Field {
            id_lookup: true,
            ..Field::text("Id", "Account ID", T::Id, 18)
                .system()
                .required()
                .defaulted()
        },
        Field::new("IsDeleted", "Deleted", T::Boolean)
            .system()
            .required()
            .defaulted(),
        Field::reference("MasterRecordId", "Master Record ID", acct, "MasterRecord").system(),
        Field {
            name_field: true,
            id_lookup: true,
            ..Field::text("Name", "Account Name", T::String, 255).required()
        },
        Field::picklist("Type", "Account Type", TYPE_VALUES),
        Field::reference("ParentId", "Parent Account ID", acct, "Parent"),
    ];
    for (prefix, label) in [("Billing", "Billing"), ("Shipping", "Shipping")] {
        fields.push(Field::text(
            &format!("{prefix}Street"),
            &format!("{label} Street"),
            T::TextArea,
            255,
        ));
        fields.push(Field::text(
            &format!("{prefix}City"),
            &format!("{label} City"),
            T::String,
            40,
        ));
        fields.push(Field::text(
            &format!("{prefix}State"),
            &format!("{label} State/Province"),
            T::String,
            80,
        ));
        fields.push(Field::text(
            &format!("{prefix}PostalCode"),
            &format!("{label} Zip/Postal Code"),
            T::String,
            20,
        ));
        fields.push(Field::text(
            &format!("{prefix}Country"),
            &format!("{label} Country"),
            T::String,
            80,
        ));
        fields.push(Field::number(
            &format!("{prefix}Latitude"),
            &format!("{label} Latitude"),
            T::Double,
            18,
            15,
        ));
        fields.push(Field::number(
            &format!("{prefix}Longitude"),
            &format!("{label} Longitude"),
            T::Double,
            18,
            15,
        ));
        fields.push(
            Field::new(
                &format!("{prefix}Address"),
                &format!("{label} Address"),
                T::Address,
            )
            .system(),
        );
    }
    fields.extend([
        Field::text("Phone", "Account Phone", T::Phone, 40),
        Field::text("Fax", "Account Fax", T::Phone, 40),
        Field::text("AccountNumber", "Account Number", T::String, 40),
        Field::text("Website", "Website", T::Url, 255),
        Field::text("Sic", "SIC Code", T::String, 20),
        Field::picklist("Industry", "Industry", INDUSTRY_VALUES),
        Field::number("AnnualRevenue", "Annual Revenue", T::Currency, 18, 0),
        Field {
            digits: 8,
            ..Field::new("NumberOfEmployees", "Employees", T::Int)
        },
        Field::picklist("Ownership", "Ownership", OWNERSHIP_VALUES),
        Field::text("TickerSymbol", "Ticker Symbol", T::String, 20),
        Field::text("Description", "Account Description", T::TextArea, 32000).long_text(),
        Field::picklist("Rating", "Account Rating", RATING_VALUES),
        Field::text("Site", "Account Site", T::String, 80),
        Field::reference("OwnerId", "Owner ID", user, "Owner")
            .required()
            .defaulted(),
        Field::new("CreatedDate", "Created Date", T::DateTime)
            .system()
            .required()
            .defaulted(),
        Field::reference("CreatedById", "Created By ID", user, "CreatedBy")
            .system()
            .required()
            .defaulted(),
        Field::new("LastModifiedDate", "Last Modified Date", T::DateTime)
            .system()
            .required()
            .defaulted(),
        Field::reference(
            "LastModifiedById",
            "Last Modified By ID",
            user,
            "LastModifiedBy",
        )
        .system()
        .required()
        .defaulted(),
        Field::new("SystemModstamp", "System Modstamp", T::DateTime)
            .system()
            .required()
            .defaulted(),
        Field::new("LastActivityDate", "Last Activity", T::Date).system(),
        Field::picklist("AccountSource", "Account Source", SOURCE_VALUES),
        Field {
            external_id: true,
            id_lookup: true,
            unique: true,
            ..Field::text(EXTERNAL_ID, "External Id", T::String, 80)
        },
        Field {
            external_id: true,
            id_lookup: true,
            ..Field::text(LEGACY_NUMBER, "Legacy Number", T::String, 20)
        },
        Field::picklist("Tier__c", "Tier", TIER_VALUES),
        Field::new("SLA_Expiration__c", "SLA Expiration Date", T::Date),
        Field::picklist("Active__c", "Active", ACTIVE_VALUES),
        Field::number(
            "NumberofLocations__c",
            "Number of Locations",
            T::Double,
            3,
            0,
        ),
    ]);
    SObject::new("Account", "Account", "Accounts", "001", true, fields)
}

fn user() -> SObject {
    use FieldType as T;
    let fields = vec![
        Field {
            id_lookup: true,
            ..Field::text("Id", "User ID", T::Id, 18)
                .system()
                .required()
                .defaulted()
        },
        Field {
            id_lookup: true,
            unique: true,
            ..Field::text("Username", "Username", T::String, 80).required()
        },
        Field::text("LastName", "Last Name", T::String, 80).required(),
        Field::text("FirstName", "First Name", T::String, 40),
        Field {
            name_field: true,
            ..Field::text("Name", "Full Name", T::String, 121)
                .system()
                .required()
        },
        Field {
            id_lookup: true,
            ..Field::text("Email", "Email", T::Email, 128).required()
        },
        Field::new("IsActive", "Active", T::Boolean)
            .required()
            .defaulted(),
        // Every devorg user is a full licence user: `Standard` (no portal, guest or automated users).
        Field::picklist(
            "UserType",
            "User Type",
            &[
                "Standard",
                "PowerPartner",
                "CspLitePortal",
                "Guest",
                "AutomatedProcess",
            ],
        )
        .system(),
    ];
    // The org's users come from devorg's flags and org file: no writes through the API.
    SObject::new("User", "User", "Users", "005", false, fields)
}

/// Account's `RecordTypeId`, which Salesforce adds to an object once it has record types.
pub(crate) fn record_type_id_field() -> Field {
    Field::reference(
        "RecordTypeId",
        "Record Type ID",
        &["RecordType"],
        "RecordType",
    )
    .defaulted()
}

/// RecordType, as the Field Reference lists it (but BusinessProcessId and IsPersonType, which
/// Account without person accounts does not use):
/// <https://developer.salesforce.com/docs/atlas.en-us.sfFieldRef.meta/sfFieldRef/salesforce_field_reference_RecordType.htm>
fn record_type() -> SObject {
    use FieldType as T;
    let user: &'static [&'static str] = &["User"];
    let fields = vec![
        Field {
            id_lookup: true,
            ..Field::text("Id", "Record Type ID", T::Id, 18)
                .system()
                .required()
                .defaulted()
        },
        Field {
            name_field: true,
            id_lookup: true,
            ..Field::text("Name", "Name", T::String, 80).required()
        },
        Field::text("DeveloperName", "Record Type Name", T::String, 80).required(),
        Field::text("NamespacePrefix", "Namespace Prefix", T::String, 15).system(),
        Field::text("Description", "Description", T::String, 255),
        Field {
            length: 40,
            ..Field::picklist("SobjectType", "SObject Type Name", &["Account"])
                .required()
                .restricted()
        },
        Field::new("IsActive", "Active", T::Boolean)
            .required()
            .defaulted(),
        Field::reference("CreatedById", "Created By ID", user, "CreatedBy")
            .system()
            .required()
            .defaulted(),
        Field::new("CreatedDate", "Created Date", T::DateTime)
            .system()
            .required()
            .defaulted(),
        Field::reference(
            "LastModifiedById",
            "Last Modified By ID",
            user,
            "LastModifiedBy",
        )
        .system()
        .required()
        .defaulted(),
        Field::new("LastModifiedDate", "Last Modified Date", T::DateTime)
            .system()
            .required()
            .defaulted(),
        Field::new("SystemModstamp", "System Modstamp", T::DateTime)
            .system()
            .required()
            .defaulted(),
    ];
    // Record types come from the org file (Setup or the Metadata API): no writes through the API.
    SObject::new(
        "RecordType",
        "Record Type",
        "Record Types",
        "012",
        false,
        fields,
    )
}

/// The objects of one org: Account (whose custom fields and record types an org file may
/// change), RecordType and User.
#[derive(Debug)]
pub struct Schema {
    pub account: SObject,
    pub record_type: SObject,
    pub user: SObject,
}

impl Schema {
    /// The built-in objects, as an org without an org file has them.
    pub fn builtin() -> Schema {
        Schema {
            account: account(),
            record_type: record_type(),
            user: user(),
        }
    }

    /// Account with the built-in fields in `fields`' place (the org file's edits applied) and
    /// `record_types`; with any, Account has `RecordTypeId` (after `Type`, where Salesforce
    /// lists it).
    pub(crate) fn with_account(mut fields: Vec<Field>, record_types: Vec<RecordType>) -> Schema {
        if !record_types.is_empty() {
            let at = fields
                .iter()
                .position(|f| f.name == "Type")
                .map_or(fields.len(), |i| i + 1);
            fields.insert(at, record_type_id_field());
        }
        let mut account = SObject::new("Account", "Account", "Accounts", "001", true, fields);
        account.record_types = record_types;
        Schema {
            account,
            record_type: record_type(),
            user: user(),
        }
    }

    /// The built-in Account fields, for the org file to edit.
    pub(crate) fn builtin_account_fields() -> Vec<Field> {
        account().fields
    }

    /// The sObject named `name` (case-insensitive, as Salesforce resolves type names).
    pub fn object(&self, name: &str) -> Option<&SObject> {
        self.objects()
            .into_iter()
            .find(|o| o.name.eq_ignore_ascii_case(name))
    }

    /// Every object this org has, in global describe order (by name).
    pub fn objects(&self) -> [&SObject; 3] {
        [&self.account, &self.record_type, &self.user]
    }

    /// Resolves `path` on `object`, following relationship names (`Owner.Name`); the canonical
    /// names and the last field.
    pub fn resolve_path<'a>(
        &'a self,
        object: &'a SObject,
        path: &[String],
    ) -> Option<(Vec<String>, &'a Field)> {
        match path {
            [] => None,
            [field] => object.field(field).map(|f| (vec![f.name.clone()], f)),
            [rel, rest @ ..] => {
                let link = object.relationship(rel)?;
                let target = self.object(link.reference_to[0])?;
                let (mut tail, f) = self.resolve_path(target, rest)?;
                tail.insert(0, link.relationship_name?.to_string());
                Some((tail, f))
            }
        }
    }
}

static BUILTIN: LazyLock<Schema> = LazyLock::new(Schema::builtin);

/// The built-in Account, as an org without an org file has it (an org's own is `state.schema`).
pub fn account_object() -> &'static SObject {
    &BUILTIN.account
}

/// User's definition.
pub fn user_object() -> &'static SObject {
    &BUILTIN.user
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_fields_match_the_field_reference() {
        let a = account_object();
        let name = a.field("name").unwrap();
        assert_eq!(
            (name.ftype, name.length, name.nillable, name.name_field),
            (FieldType::String, 255, false, true)
        );
        assert_eq!(a.field("BillingCity").unwrap().length, 40);
        assert_eq!(a.field("BillingPostalCode").unwrap().length, 20);
        assert_eq!(a.field("Description").unwrap().length, 32000);
        let rev = a.field("AnnualRevenue").unwrap();
        assert_eq!(
            (rev.ftype, rev.precision, rev.scale),
            (FieldType::Currency, 18, 0)
        );
        let ext = a.field(EXTERNAL_ID).unwrap();
        assert!(ext.external_id && ext.unique && ext.id_lookup && !ext.case_sensitive);
        assert_eq!(a.relationship("owner").unwrap().name, "OwnerId");
        assert!(!a.field("CreatedDate").unwrap().createable);
        assert_eq!(a.field("Type").unwrap().picklist.len(), 7);
    }

    #[test]
    fn describe_has_the_documented_keys() {
        let d = account_object().describe("60.0");
        assert_eq!(d["keyPrefix"], "001");
        assert_eq!(
            d["urls"]["rowTemplate"],
            "/services/data/v60.0/sobjects/Account/{ID}"
        );
        let fields = d["fields"].as_array().unwrap();
        let website = fields.iter().find(|f| f["name"] == "Website").unwrap();
        assert_eq!(website["type"], "url");
        assert_eq!(website["length"], 255);
        assert_eq!(website["soapType"], "xsd:string");
    }
}
