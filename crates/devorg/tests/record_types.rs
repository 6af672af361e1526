//! Account's record types from an org file (route tests, no sockets): describe's
//! `RecordTypeId` and `recordTypeInfos`, the RecordType sObject in SOQL, `RecordType.*` paths,
//! the default record type on create, and Salesforce's refusal of a record type that is not
//! active (or not one) in create, update, upsert and sObject Collections. An org without record
//! types has no `RecordTypeId` at all.

mod platform_support;

use axum::http::{Method, StatusCode};
use devorg::{AppState, Config, OrgSpec};
use platform_support::*;
use serde_json::{json, Value};

const V: &str = "/services/data/v60.0";

struct Org {
    state: AppState,
    app: axum::Router,
    token: String,
}

impl Org {
    fn new(config: Config) -> Org {
        let (state, app) = org_with(config);
        let token = state.issue_test_token();
        Org { state, app, token }
    }

    /// The example source org (Customer the default, Partner, Prospect) with `accounts` seeded.
    fn source(accounts: usize) -> Org {
        Org::new(Config {
            accounts,
            org: Some(OrgSpec::example_source()),
            ..Config::default()
        })
    }

    /// The example target org (Customer the default, Partner labelled Channel Partner, Prospect
    /// inactive), with no seeded accounts.
    fn target() -> Org {
        Org::new(Config {
            accounts: 0,
            seed: 2,
            org: Some(OrgSpec::example_target()),
            ..Config::default()
        })
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        send(
            &self.app,
            json_bearer(method, &format!("{V}{path}"), &self.token, body),
        )
        .await
    }

    async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    async fn query(&self, soql: &str) -> Reply {
        self.get(&format!("/query?q={}", encode_query(soql))).await
    }

    /// The records of a query that must succeed.
    async fn rows(&self, soql: &str) -> Vec<Value> {
        let reply = self.query(soql).await;
        assert_eq!(reply.status, StatusCode::OK, "{soql}: {}", reply.body);
        reply.json()["records"].as_array().unwrap().clone()
    }

    /// The id of the record type with this developer name.
    fn record_type_id(&self, developer_name: &str) -> String {
        self.state
            .schema
            .account
            .record_types
            .iter()
            .find(|t| t.developer_name == developer_name)
            .unwrap_or_else(|| panic!("no record type {developer_name}"))
            .id
            .clone()
    }

    async fn create(&self, body: Value) -> Reply {
        self.call(Method::POST, "/sobjects/Account", Some(body))
            .await
    }

    async fn created_id(&self, body: Value) -> String {
        let reply = self.create(body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.json()["id"].as_str().unwrap().to_string()
    }

    /// The account's record type, as `RecordType.DeveloperName`.
    async fn kind_of(&self, id: &str) -> Value {
        let row = self
            .get(&format!(
                "/sobjects/Account/{id}?fields=RecordTypeId,RecordType.DeveloperName"
            ))
            .await
            .json();
        row["RecordType"]["DeveloperName"].clone()
    }
}

/// Salesforce's answer to a record type the user may not give a record (observed REST body:
/// `{"message":"Record Type ID: this ID value isn't valid for the user: 0128M0000004HVOQA2",
/// "errorCode":"INVALID_CROSS_REFERENCE_KEY","fields":["RecordTypeId"]}`).
fn refused(id: &str) -> Value {
    json!([{
        "message": format!("Record Type ID: this ID value isn't valid for the user: {id}"),
        "errorCode": "INVALID_CROSS_REFERENCE_KEY",
        "fields": ["RecordTypeId"],
    }])
}

fn field<'a>(describe: &'a Value, name: &str) -> Option<&'a Value> {
    describe["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
}

#[tokio::test]
async fn describe_has_record_type_id_and_one_info_per_record_type_then_master() {
    let org = Org::target();
    let d = org.get("/sobjects/Account/describe").await.json();
    let f = field(&d, "RecordTypeId").expect("RecordTypeId");
    for (key, value) in [
        ("type", json!("reference")),
        ("label", json!("Record Type ID")),
        ("referenceTo", json!(["RecordType"])),
        ("relationshipName", json!("RecordType")),
        ("createable", json!(true)),
        ("updateable", json!(true)),
        ("nillable", json!(true)),
        ("defaultedOnCreate", json!(true)),
        ("length", json!(18)),
        ("custom", json!(false)),
    ] {
        assert_eq!(f[key], value, "{key}");
    }
    let names: Vec<&str> = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert_eq!(at("RecordTypeId"), at("Type") + 1, "listed after Type");

    let infos = d["recordTypeInfos"].as_array().unwrap();
    let shown: Vec<(&str, &str, bool, bool, bool, bool)> = infos
        .iter()
        .map(|i| {
            (
                i["developerName"].as_str().unwrap(),
                i["name"].as_str().unwrap(),
                i["active"].as_bool().unwrap(),
                i["available"].as_bool().unwrap(),
                i["defaultRecordTypeMapping"].as_bool().unwrap(),
                i["master"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("Partner", "Channel Partner", true, true, false, false),
            ("Customer", "Customer", true, true, true, false),
            ("Prospect", "Prospect", false, false, false, false),
            ("Master", "Master", true, false, false, true),
        ]
    );
    let customer = org.record_type_id("Customer");
    assert_eq!(infos[1]["recordTypeId"], customer);
    assert_eq!(
        infos[1]["urls"]["layout"],
        format!("{V}/sobjects/Account/describe/layouts/{customer}")
    );
    assert_eq!(infos[3]["recordTypeId"], "012000000000000AAA");

    // The built-in org: Master only, available and the default; no RecordTypeId.
    let plain = Org::new(Config {
        accounts: 1,
        ..Config::default()
    });
    let d = plain.get("/sobjects/Account/describe").await.json();
    assert!(field(&d, "RecordTypeId").is_none());
    assert_eq!(
        d["recordTypeInfos"],
        json!([{
            "active": true, "available": true, "defaultRecordTypeMapping": true,
            "developerName": "Master", "master": true, "name": "Master",
            "recordTypeId": "012000000000000AAA",
            "urls": {"layout": format!("{V}/sobjects/Account/describe/layouts/012000000000000AAA")}
        }])
    );
}

#[tokio::test]
async fn record_types_are_queryable_with_ids_of_their_own_org() {
    let source = Org::source(0);
    let rows = source
        .rows("SELECT Id, DeveloperName, Name, IsActive, SobjectType FROM RecordType WHERE SobjectType = 'Account'")
        .await;
    let shown: Vec<(&str, &str, bool, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["DeveloperName"].as_str().unwrap(),
                r["Name"].as_str().unwrap(),
                r["IsActive"].as_bool().unwrap(),
                r["SobjectType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("Customer", "Customer", true, "Account"),
            ("Partner", "Partner", true, "Account"),
            ("Prospect", "Prospect", true, "Account"),
        ]
    );
    let org_tag = &source.state.org.org_id[3..6];
    for r in &rows {
        let id = r["Id"].as_str().unwrap();
        assert!(
            id.len() == 18 && id.starts_with(&format!("012{org_tag}")),
            "{id}"
        );
        assert_eq!(
            r["attributes"],
            json!({"type": "RecordType", "url": format!("{V}/sobjects/RecordType/{id}")})
        );
    }
    // The same ids every time, and describe's.
    let again = source
        .rows("SELECT Id FROM RecordType ORDER BY DeveloperName")
        .await;
    assert_eq!(again[0]["Id"], rows[0]["Id"]);
    let d = source.get("/sobjects/Account/describe").await.json();
    let described: Vec<&Value> = d["recordTypeInfos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["master"] == false)
        .map(|i| &i["recordTypeId"])
        .collect();
    assert!(rows.iter().all(|r| described.contains(&&r["Id"])));

    // Another org has other ids for the same developer names; inactive ones can be left out.
    let target = Org::target();
    let active = target
        .rows("SELECT Id, DeveloperName FROM RecordType WHERE SobjectType = 'Account' AND IsActive = true ORDER BY DeveloperName DESC")
        .await;
    let names: Vec<&str> = active
        .iter()
        .map(|r| r["DeveloperName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Partner", "Customer"]);
    assert_ne!(active[1]["Id"], rows[0]["Id"]);
    let count = target
        .query("SELECT COUNT() FROM RecordType WHERE IsActive = false")
        .await
        .json();
    assert_eq!(count["totalSize"], 1);

    // One by id, with its creator; and in describe global.
    let partner = target.record_type_id("Partner");
    let one = target
        .get(&format!(
            "/sobjects/RecordType/{partner}?fields=DeveloperName,Name,CreatedBy.Username"
        ))
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.body);
    let one = one.json();
    assert_eq!(
        (&one["DeveloperName"], &one["Name"]),
        (&json!("Partner"), &json!("Channel Partner"))
    );
    assert_eq!(one["CreatedBy"]["Username"], "admin@devorg.local");
    let global = target.get("/sobjects").await.json();
    assert!(global["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["name"] == "RecordType" && o["keyPrefix"] == "012"));
    let basic = target.get("/sobjects/RecordType").await.json();
    assert_eq!(basic["objectDescribe"]["name"], "RecordType");
    assert_eq!(basic["recentItems"].as_array().unwrap().len(), 3);
    let rt = target.get("/sobjects/RecordType/describe").await.json();
    assert_eq!(field(&rt, "DeveloperName").unwrap()["length"], 80);
    assert_eq!(field(&rt, "SobjectType").unwrap()["type"], "picklist");

    // An org without record types has none to list.
    let plain = Org::new(Config {
        accounts: 0,
        ..Config::default()
    });
    assert!(plain
        .rows("SELECT Id, DeveloperName FROM RecordType WHERE SobjectType = 'Account'")
        .await
        .is_empty());
}

#[tokio::test]
async fn accounts_reach_their_record_type_through_the_relationship() {
    let org = Org::source(60);
    let rows = org
        .rows("SELECT Id, RecordTypeId, RecordType.DeveloperName, RecordType.Name FROM Account")
        .await;
    assert_eq!(rows.len(), 60);
    let mut seen: Vec<&str> = vec![];
    for r in &rows {
        let name = r["RecordType"]["DeveloperName"].as_str().unwrap();
        assert_eq!(r["RecordTypeId"], org.record_type_id(name), "{r}");
        assert_eq!(r["RecordType"]["Name"], name);
        assert_eq!(r["RecordType"]["attributes"]["type"], "RecordType");
        if !seen.contains(&name) {
            seen.push(name);
        }
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        ["Customer", "Partner", "Prospect"],
        "spread over them"
    );
    assert_eq!(
        rows[0]["RecordType"]["DeveloperName"], "Customer",
        "the first, awkward, rows have the default"
    );
    // The same seed gives the same record types.
    let again = Org::source(60)
        .rows("SELECT RecordType.DeveloperName FROM Account")
        .await;
    let kinds = |rows: &[Value]| -> Vec<Value> {
        rows.iter()
            .map(|r| r["RecordType"]["DeveloperName"].clone())
            .collect()
    };
    assert_eq!(kinds(&rows), kinds(&again));

    // Filter and order by it.
    let partners = org
        .rows("SELECT Id, RecordType.DeveloperName FROM Account WHERE RecordType.DeveloperName = 'partner' ORDER BY RecordType.Name, Name")
        .await;
    assert!(!partners.is_empty());
    assert!(partners
        .iter()
        .all(|r| r["RecordType"]["DeveloperName"] == "Partner"));
    let by_id = org
        .query(&format!(
            "SELECT COUNT() FROM Account WHERE RecordTypeId = '{}'",
            org.record_type_id("Partner")
        ))
        .await
        .json();
    assert_eq!(by_id["totalSize"], partners.len());
    let ordered = org
        .rows("SELECT RecordType.Name FROM Account ORDER BY RecordType.Name DESC LIMIT 1")
        .await;
    assert_eq!(ordered[0]["RecordType"]["Name"], "Prospect");

    // Without record types, Account has neither the field nor the relationship.
    let plain = Org::new(Config {
        accounts: 1,
        ..Config::default()
    });
    let no_field = plain.query("SELECT RecordTypeId FROM Account").await;
    assert_eq!(no_field.status, StatusCode::BAD_REQUEST);
    assert_eq!(no_field.json()[0]["errorCode"], "INVALID_FIELD");
    let no_rel = plain
        .query("SELECT RecordType.DeveloperName FROM Account")
        .await
        .json();
    assert_eq!(no_rel[0]["errorCode"], "INVALID_FIELD");
    assert!(no_rel[0]["message"]
        .as_str()
        .unwrap()
        .contains("Didn't understand relationship 'RecordType'"));
}

#[tokio::test]
async fn a_new_account_gets_the_default_record_type_or_the_one_it_names() {
    let org = Org::target();
    let plain = org.created_id(json!({"Name": "No Kind"})).await;
    assert_eq!(org.kind_of(&plain).await, "Customer");
    let explicit_null = org
        .created_id(json!({"Name": "Null Kind", "RecordTypeId": null}))
        .await;
    assert_eq!(org.kind_of(&explicit_null).await, "Customer");
    let partner = org.record_type_id("Partner");
    let named = org
        .created_id(json!({"Name": "Partner Co", "RecordTypeId": partner}))
        .await;
    assert_eq!(org.kind_of(&named).await, "Partner");
    // The 15-character id is the same record type.
    let short = org
        .created_id(json!({"Name": "Short Id Co", "RecordTypeId": &partner[..15]}))
        .await;
    assert_eq!(org.kind_of(&short).await, "Partner");
    // By its Name, as a relationship (what jsforce and composite requests send).
    let by_name = org
        .created_id(json!({"Name": "By Name Co", "RecordType": {"Name": "channel partner"}}))
        .await;
    assert_eq!(org.kind_of(&by_name).await, "Partner");

    // Update to another, and back to the default by clearing it.
    let path = format!("/sobjects/Account/{plain}");
    let changed = org
        .call(Method::PATCH, &path, Some(json!({"RecordTypeId": partner})))
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
    assert_eq!(org.kind_of(&plain).await, "Partner");
    let cleared = org
        .call(Method::PATCH, &path, Some(json!({"RecordTypeId": null})))
        .await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT, "{}", cleared.body);
    assert_eq!(org.kind_of(&plain).await, "Customer");

    // Upsert by an External ID creates with it and updates it.
    let url = "/sobjects/Account/Source_Id__c/001SRC0000000000RT";
    let created = org
        .call(
            Method::PATCH,
            url,
            Some(json!({"Name": "Upserted", "RecordTypeId": partner})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    assert_eq!(org.kind_of(&id).await, "Partner");
    let customer = org.record_type_id("Customer");
    let updated = org
        .call(Method::PATCH, url, Some(json!({"RecordTypeId": customer})))
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(org.kind_of(&id).await, "Customer");
}

#[tokio::test]
async fn a_record_type_that_is_not_active_here_is_refused_as_salesforce_does() {
    let org = Org::target();
    let prospect = org.record_type_id("Prospect");
    let source = Org::source(0);
    let elsewhere = source.record_type_id("Customer");
    let account = org.created_id(json!({"Name": "Existing"})).await;
    let unknown_15 = format!("012{}000000ZZZ", &org.state.org.org_id[3..6]);
    let unknown = devorg::ids::normalize(&unknown_15).unwrap();
    for (given, shown) in [
        (prospect.clone(), prospect.clone()),   // inactive
        (elsewhere.clone(), elsewhere.clone()), // another org's
        (unknown_15.clone(), unknown.clone()),  // none such (15 characters)
        ("012000000000000AAA".into(), "012000000000000AAA".into()), // Master
        (account.clone(), account.clone()),     // not a record type
    ] {
        let reply = org
            .create(json!({"Name": "Refused", "RecordTypeId": given}))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{given}");
        assert_eq!(reply.json(), refused(&shown), "{given}");
        let update = org
            .call(
                Method::PATCH,
                &format!("/sobjects/Account/{account}"),
                Some(json!({"RecordTypeId": given})),
            )
            .await;
        assert_eq!(update.json(), refused(&shown), "update to {given}");
    }
    assert_eq!(org.kind_of(&account).await, "Customer", "nothing changed");
    let by_name = org
        .create(json!({"Name": "Refused", "RecordType": {"Name": "Prospect"}}))
        .await;
    assert_eq!(by_name.json(), refused(&prospect));
    let malformed = org
        .create(json!({"Name": "Refused", "RecordTypeId": "nope"}))
        .await
        .json();
    assert_eq!(
        (&malformed[0]["errorCode"], &malformed[0]["message"]),
        (
            &json!("MALFORMED_ID"),
            &json!("Record Type ID: id value of incorrect type: nope")
        )
    );
    let count = org
        .query("SELECT COUNT() FROM Account WHERE Name = 'Refused'")
        .await
        .json();
    assert_eq!(count["totalSize"], 0);

    // An org without record types has no such field at all.
    let plain = Org::new(Config {
        accounts: 0,
        ..Config::default()
    });
    let reply = plain
        .create(json!({"Name": "x", "RecordTypeId": "012000000000000AAA"}))
        .await;
    assert_eq!(
        reply.json(),
        json!([{
            "message": "No such column 'RecordTypeId' on sobject of type Account",
            "errorCode": "INVALID_FIELD",
            "fields": ["RecordTypeId"],
        }])
    );
}

#[tokio::test]
async fn collections_take_record_types_item_by_item() {
    let org = Org::target();
    let (partner, prospect) = (
        org.record_type_id("Partner"),
        org.record_type_id("Prospect"),
    );
    let records = |all_or_none: bool| {
        json!({"allOrNone": all_or_none, "records": [
            {"attributes": {"type": "Account"}, "Name": "Coll Partner", "RecordTypeId": partner},
            {"attributes": {"type": "Account"}, "Name": "Coll Prospect", "RecordTypeId": prospect},
            {"attributes": {"type": "Account"}, "Name": "Coll Default"},
        ]})
    };
    let created = org
        .call(Method::POST, "/composite/sobjects", Some(records(false)))
        .await
        .json();
    assert_eq!(created[0]["success"], true);
    assert_eq!(
        created[1],
        json!({"success": false, "errors": [{
            "statusCode": "INVALID_CROSS_REFERENCE_KEY",
            "message": format!("Record Type ID: this ID value isn't valid for the user: {prospect}"),
            "fields": ["RecordTypeId"],
        }]})
    );
    assert_eq!(created[2]["success"], true);
    let first = created[0]["id"].as_str().unwrap().to_string();
    assert_eq!(org.kind_of(&first).await, "Partner");
    assert_eq!(
        org.kind_of(created[2]["id"].as_str().unwrap()).await,
        "Customer"
    );
    let rolled = org
        .call(Method::POST, "/composite/sobjects", Some(records(true)))
        .await
        .json();
    assert_eq!(
        rolled[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    let count = org
        .query("SELECT COUNT() FROM Account WHERE Name LIKE 'Coll %'")
        .await
        .json();
    assert_eq!(count["totalSize"], 2, "the rolled-back call wrote nothing");

    // Update and upsert by External ID.
    let updated = org
        .call(
            Method::PATCH,
            "/composite/sobjects",
            Some(json!({"records": [
                {"attributes": {"type": "Account"}, "id": first, "RecordTypeId": prospect},
            ]})),
        )
        .await
        .json();
    assert_eq!(
        updated[0]["errors"][0]["statusCode"],
        "INVALID_CROSS_REFERENCE_KEY"
    );
    assert_eq!(updated[0]["id"], first.as_str());
    let upserted = org
        .call(
            Method::PATCH,
            "/composite/sobjects/Account/Source_Id__c",
            Some(json!({"records": [
                {"attributes": {"type": "Account"}, "Source_Id__c": "001SRC00000000COLL", "Name": "Coll Upsert", "RecordTypeId": partner},
                {"attributes": {"type": "Account"}, "Source_Id__c": "001SRC00000000COLX", "Name": "Coll Upsert X", "RecordTypeId": prospect},
            ]})),
        )
        .await
        .json();
    assert_eq!(upserted[0]["created"], true, "{upserted}");
    assert_eq!(
        org.kind_of(upserted[0]["id"].as_str().unwrap()).await,
        "Partner"
    );
    assert_eq!(
        upserted[1]["errors"][0]["message"],
        format!("Record Type ID: this ID value isn't valid for the user: {prospect}")
    );
    // Retrieve reads record types too.
    let retrieved = org
        .get(&format!(
            "/composite/sobjects/RecordType?ids={partner}&fields=DeveloperName,IsActive"
        ))
        .await
        .json();
    assert_eq!(retrieved[0]["DeveloperName"], "Partner");
    assert_eq!(retrieved[0]["IsActive"], true);
}

#[tokio::test]
async fn org_files_with_bad_record_types_are_explained() {
    let error = |types: Value| {
        OrgSpec::from_value(json!({"account": {"recordTypes": types}}))
            .unwrap_err()
            .to_string()
    };
    assert!(error(json!([{"developerName": "Bad Name"}])).contains("developerName"));
    assert!(
        error(json!([{"developerName": "A", "default": true, "active": false}]))
            .contains("must be active")
    );
    assert!(error(json!([{"developerName": "A", "label": "x"}])).contains("unknown field"));
    assert!(error(json!([{"developerName": "A"}, {"developerName": "a"}])).contains("twice"));
    // Without a named default, the first active one is.
    let spec = OrgSpec::from_value(json!({"account": {"recordTypes": [
        {"developerName": "Old", "active": false}, {"developerName": "New_Kind"}
    ]}}))
    .unwrap();
    let org = Org::new(Config {
        accounts: 0,
        org: Some(spec),
        ..Config::default()
    });
    let id = org.created_id(json!({"Name": "x"})).await;
    assert_eq!(org.kind_of(&id).await, "New_Kind");
    let d = org.get("/sobjects/Account/describe").await.json();
    assert_eq!(d["recordTypeInfos"][0]["name"], "New Kind");
}
