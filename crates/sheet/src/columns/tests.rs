use super::*;
use serde_json::json;

use crate::testing::field;

fn account() -> SObjectDescribe {
    let system = |f: &mut FieldDescribe| {
        f.createable = false;
        f.updateable = false;
    };
    let fields = vec![
        field("Id", "id", "Account ID", |f| {
            system(f);
            f.nillable = false;
            f.id_lookup = true;
        }),
        field("Name", "string", "Account Name", |f| {
            f.nillable = false;
            f.name_field = true;
            f.id_lookup = true;
        }),
        field("Phone", "phone", "Account Phone", |_| {}),
        field("OwnerId", "reference", "Owner ID", |f| {
            f.reference_to = vec!["User".into()];
            f.relationship_name = Some("Owner".into());
            f.nillable = false;
            f.defaulted_on_create = true;
        }),
        field("ParentId", "reference", "Parent Account ID", |f| {
            f.reference_to = vec!["Account".into()];
            f.relationship_name = Some("Parent".into());
        }),
        field("RecordTypeId", "reference", "Record Type ID", |f| {
            f.reference_to = vec!["RecordType".into()];
            f.relationship_name = Some("RecordType".into());
        }),
        field("Source_Id__c", "string", "Source Id", |f| {
            f.external_id = true;
            f.unique = true;
        }),
        field("Legacy_Code__c", "string", "Legacy Code", |f| {
            f.external_id = true
        }),
        field("Score__c", "double", "Score", |f| f.calculated = true),
        field("BillingAddress", "address", "Billing Address", system),
        field("CreatedDate", "datetime", "Created Date", system),
        field("Since__c", "date", "Customer Since", |f| {
            f.updateable = false
        }),
        field("Tier__c", "picklist", "Tier", |f| f.createable = false),
    ];
    serde_json::from_value(json!({"name": "Account", "fields": fields})).expect("a describe")
}

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn field_t(name: &str) -> Option<Target> {
    Some(Target::Field(name.into()))
}

fn read_only(name: &str) -> Option<Target> {
    Some(Target::ReadOnly(name.into()))
}

fn parent_by(key: &str) -> Option<Target> {
    Some(Target::ParentByKey {
        field: "ParentId".into(),
        relationship: "Parent".into(),
        key: key.into(),
    })
}

#[test]
fn headers_match_by_api_name_then_label_without_case() {
    let h = headers(&[
        " id ",
        "NAME",
        "account phone",
        "parent.source_id__c",
        "RecordType.DeveloperName",
        "CreatedDate",
        "Score__c",
        "BillingAddress",
        "Owner.Name",
        "Parent.Name",
        "Owner Name",
        "Parent Account Name",
        "Shoe size",
        "Nobody.Name",
    ]);
    let map = propose(&h, &account());
    assert_eq!(
        map.targets,
        [
            Some(Target::Id),
            field_t("Name"),
            field_t("Phone"),
            parent_by("Source_Id__c"),
            Some(Target::RecordType),
            read_only("CreatedDate"),
            read_only("Score__c"),
            read_only("BillingAddress"),
            read_only("Owner.Name"),
            read_only("Parent.Name"),
            read_only("Owner.Name"),
            read_only("Parent.Name"),
            None,
            None,
        ]
    );
    assert_eq!(
        map.unknown(&h),
        [
            (12, "Shoe size".to_string()),
            (13, "Nobody.Name".to_string())
        ]
    );
}

#[test]
fn a_file_exported_with_labels_maps_back() {
    let h = headers(&[
        "Account ID",
        "Account Name",
        "Owner ID",
        "Parent Account ID",
        "Customer Since",
        "Created Date",
    ]);
    let map = propose(&h, &account());
    assert_eq!(
        map.targets,
        [
            Some(Target::Id),
            field_t("Name"),
            field_t("OwnerId"),
            field_t("ParentId"),
            field_t("Since__c"),
            read_only("CreatedDate"),
        ]
    );
}

#[test]
fn a_lookup_is_set_by_a_key_only_when_the_key_names_one_record() {
    let d = account();
    let one = |h: &str| propose(&headers(&[h]), &d).targets.remove(0);
    assert_eq!(one("Parent.Source_Id__c"), parent_by("Source_Id__c"));
    assert_eq!(one("Parent.Legacy_Code__c"), parent_by("Legacy_Code__c"));
    assert_eq!(one("Parent.Id"), field_t("ParentId"));
    assert_eq!(one("Parent.Phone"), read_only("Parent.Phone"), "not a key");
    assert_eq!(
        one("Parent.Name"),
        read_only("Parent.Name"),
        "two Accounts may share a name"
    );
    assert_eq!(
        one("Owner.Source_Id__c"),
        read_only("Owner.Source_Id__c"),
        "a User's fields are not in Account's describe"
    );
    assert_eq!(one("RecordType.Name"), read_only("RecordType.Name"));
    assert_eq!(one("recordtype.developername"), Some(Target::RecordType));
}

#[test]
fn a_second_column_for_a_field_is_left_out_and_said() {
    let h = headers(&["Name", "Account Name", "ParentId", "Parent.Source_Id__c"]);
    let d = account();
    let map = propose(&h, &d);
    assert_eq!(
        map.targets,
        [field_t("Name"), None, field_t("ParentId"), None]
    );
    let problems = map.problems(&h, &d, &Operation::Update);
    assert!(
        problems.iter().any(|p| p.contains("Column B (“Account Name”) also names Account Name (Name), which Column A (“Name”) gives")),
        "{problems:#?}"
    );
    assert!(
        problems.iter().any(|p| p
            .contains("Column D (“Parent.Source_Id__c”) also names Parent Account ID (ParentId)")),
        "{problems:#?}"
    );
    // Set by hand to the same field: both named.
    let by_hand = ColumnMap {
        targets: vec![field_t("Name"), field_t("Name"), None, None],
    };
    let problems = by_hand.problems(&h, &d, &Operation::Update);
    assert!(
        problems.iter().any(|p| p.contains(
            "Column A (“Name”) and Column B (“Account Name”) both give Account Name (Name)"
        )),
        "{problems:#?}"
    );
}

#[test]
fn each_operation_names_what_it_cannot_write_or_lacks() {
    let d = account();
    let h = headers(&["Phone", "Since__c", "Tier__c"]);
    let map = propose(&h, &d);
    let insert = map.problems(&h, &d, &Operation::Insert);
    assert_eq!(
        insert,
        [
            "Column C (“Tier__c”): Tier (Tier__c) cannot be set when creating an Account: leave the column out.",
            "Account Name (Name) is required to create an Account, and no column gives it.",
        ]
    );
    let update = map.problems(&h, &d, &Operation::Update);
    assert_eq!(
        update,
        [
            "Column B (“Since__c”): Customer Since (Since__c) cannot be changed on an existing Account: leave the column out.",
            "There is no Id column: Updating Accounts needs each row's record Id, in a column named Id.",
        ]
    );
    let delete = map.problems(&h, &d, &Operation::Delete);
    assert_eq!(delete.len(), 1, "{delete:#?}");
    assert!(delete[0].contains("Deleting Accounts"));
    let upsert = |key: &str| map.problems(&h, &d, &Operation::Upsert { key: key.into() });
    let no_key = upsert("Source_Id__c");
    assert!(
        no_key
            .iter()
            .any(|p| p.contains("no column for Source Id (Source_Id__c)")),
        "{no_key:#?}"
    );
    assert_eq!(no_key.len(), 4, "both directions and Name: {no_key:#?}");
    assert!(upsert("Phone")
        .iter()
        .any(|p| p.contains("Phone is not an External ID field")));

    let good = headers(&[
        "Id",
        "Name",
        "Source_Id__c",
        "Parent.Source_Id__c",
        "Owner.Name",
        "CreatedDate",
    ]);
    let map = propose(&good, &d);
    for op in [
        Operation::Insert,
        Operation::Update,
        Operation::Delete,
        Operation::Upsert {
            key: "Source_Id__c".into(),
        },
    ] {
        assert_eq!(map.problems(&good, &d, &op), Vec::<String>::new(), "{op:?}");
    }
    assert_eq!(
        map.keys(&d)
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["Source_Id__c"]
    );
}

#[test]
fn a_record_type_column_needs_record_types() {
    let mut d = account();
    d.fields.retain(|f| f.name != "RecordTypeId");
    let h = headers(&["Name", "RecordType.DeveloperName"]);
    let problems = propose(&h, &d).problems(&h, &d, &Operation::Insert);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].contains("no record types in this org"),
        "{problems:?}"
    );
}

#[test]
fn the_saved_key_ignores_order_and_case() {
    let a = saved_key(&headers(&["Name", "Phone", "Id"]));
    assert_eq!(a, saved_key(&headers(&[" id", "PHONE", "name "])));
    assert_ne!(a, saved_key(&headers(&["Name", "Phone"])));
    assert_ne!(a, saved_key(&headers(&["Name", "Phone", "Id", "Fax"])));
    assert_eq!(a.len(), 16);
}

#[test]
fn saved_choices_are_kept_while_the_org_still_allows_them() {
    let d = account();
    let h = headers(&["Company", "Phone", "Parent Key", "Ref", "Old"]);
    let saved = vec![
        ("company".to_string(), field_t("Name")),
        ("Phone".to_string(), None),
        ("Parent Key".to_string(), parent_by("Source_Id__c")),
        ("Ref".to_string(), field_t("Gone__c")),
        ("Old".to_string(), field_t("Score__c")),
    ];
    let map = apply_saved(&h, &saved, &d);
    assert_eq!(
        map.targets,
        [field_t("Name"), None, parent_by("Source_Id__c"), None, None],
        "a left-out column stays out; a field gone or now calculated falls back to the guess"
    );
    let round: Vec<(String, Option<Target>)> =
        serde_json::from_str(&serde_json::to_string(&map.saved(&h)).unwrap()).unwrap();
    assert_eq!(apply_saved(&h, &round, &d), map);
    let mut renamed = d.clone();
    for f in &mut renamed.fields {
        if f.name == "Source_Id__c" {
            f.external_id = false;
            f.unique = false;
        }
    }
    assert_eq!(
        apply_saved(&h, &saved, &renamed).targets[2],
        None,
        "no longer a key"
    );
}
