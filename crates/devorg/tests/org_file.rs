//! Orgs made from an org file (route tests, no sockets): declared custom fields in describe, SOQL
//! and every write path, Salesforce's validation errors for them, fields an org lacks, users from
//! the file, and upsert by a declared External ID (single record and sObject Collections).

mod platform_support;

use axum::http::{Method, StatusCode};
use clap::Parser;
use devorg::{AppState, Config, OrgSpec};
use platform_support::*;
use serde_json::{json, Value};

const V: &str = "/services/data/v60.0";

/// The example target org (`orgs/target.json`) with a few seeded accounts.
fn target() -> (AppState, axum::Router, String) {
    let (state, app) = org_with(Config {
        accounts: 20,
        seed: 2,
        org: Some(OrgSpec::example_target()),
        ..Config::default()
    });
    let token = state.issue_test_token();
    (state, app, token)
}

async fn call(
    app: &axum::Router,
    method: Method,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> Reply {
    send(app, json_bearer(method, uri, token, body)).await
}

async fn query(app: &axum::Router, token: &str, soql: &str) -> Reply {
    send(
        app,
        get_bearer(&format!("{V}/query?q={}", encode_query(soql)), token),
    )
    .await
}

fn error_code(reply: &Reply) -> (StatusCode, String, String) {
    let json = reply.json();
    (
        reply.status,
        json[0]["errorCode"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        json[0]["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn the_flag_reads_an_org_file_and_reports_a_bad_one() {
    let dir = std::env::temp_dir().join(format!("devorg-org-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.json");
    std::fs::write(
        &good,
        json!({"account": {"fields": [{"name": "Code__c", "type": "Text", "length": 5}]}})
            .to_string(),
    )
    .unwrap();
    let config = Config::try_parse_from(["devorg", "--org-file", good.to_str().unwrap()]).unwrap();
    let state = AppState::new(config);
    assert_eq!(state.schema.account.field("Code__c").unwrap().length, 5);
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"account": {"fields": [{"name": "Code", "type": "Text"}]}}"#,
    )
    .unwrap();
    let err = Config::try_parse_from(["devorg", "--org-file", bad.to_str().unwrap()]).unwrap_err();
    assert!(err.to_string().contains("ends in __c"), "{err}");
    let examples = env!("CARGO_MANIFEST_DIR");
    for name in ["source", "target"] {
        let path = format!("{examples}/orgs/{name}.json");
        assert!(
            Config::try_parse_from(["devorg", "--org-file", &path]).is_ok(),
            "{path}"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn users_come_from_the_file_and_the_flags() {
    let config = Config {
        org: Some(OrgSpec::example_target()),
        users: vec![devorg::users::UserSpec::parse("extra@target.devorg.local:pw").unwrap()],
        ..Config::default()
    };
    let state = AppState::new(config);
    let names: Vec<&str> = state
        .org
        .users
        .iter()
        .map(|u| u.username.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "admin@devorg.local",
            "riley.chen@target.devorg.local",
            "sam.patel@target.devorg.local",
            "jordan.lee@target.devorg.local",
            "extra@target.devorg.local"
        ]
    );
    let sam = state
        .org
        .user_named("sam.patel@target.devorg.local")
        .unwrap();
    assert!(!sam.active);
    assert!(
        sam.password_matches("devorg"),
        "the admin's password by default"
    );
}

#[tokio::test]
async fn describe_and_soql_use_the_orgs_own_fields() {
    let (_, app, token) = target();
    let describe = send(
        &app,
        get_bearer(&format!("{V}/sobjects/Account/describe"), &token),
    )
    .await
    .json();
    let field = |name: &str| {
        describe["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
    };
    let key = field("Source_Id__c").unwrap();
    assert_eq!(
        (
            key["type"].as_str(),
            key["length"].as_u64(),
            key["externalId"].as_bool(),
            key["unique"].as_bool(),
            key["caseSensitive"].as_bool(),
            key["idLookup"].as_bool(),
            key["custom"].as_bool()
        ),
        (
            Some("string"),
            Some(18),
            Some(true),
            Some(true),
            Some(false),
            Some(true),
            Some(true)
        )
    );
    let tier = field("Tier__c").unwrap();
    assert_eq!(tier["restrictedPicklist"], true);
    let values: Vec<&str> = tier["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["Platinum", "Gold", "Silver", "Standard"]);
    assert_eq!(field("Account_Code__c").unwrap()["length"], 10);
    let score = field("Health_Score__c").unwrap();
    assert_eq!(
        (
            score["type"].as_str(),
            score["precision"].as_u64(),
            score["scale"].as_u64()
        ),
        (Some("double"), Some(3), Some(1))
    );
    let key_account = field("Key_Account__c").unwrap();
    assert_eq!(
        (
            key_account["type"].as_str(),
            key_account["nillable"].as_bool(),
            key_account["defaultValue"].as_bool()
        ),
        (Some("boolean"), Some(false), Some(false))
    );
    assert!(field("Legacy_Number__c").is_none(), "the target lacks it");
    assert!(field("Portal_Url__c").is_none());
    let global = send(&app, get_bearer(&format!("{V}/sobjects"), &token))
        .await
        .json();
    assert_eq!(global["sobjects"][0]["name"], "Account");

    // Select, filter and order by declared fields; a missing one is INVALID_FIELD.
    let created = call(&app, Method::POST, &format!("{V}/sobjects/Account"), &token, Some(json!({
        "Name": "Declared Co", "Tier__c": "Platinum", "Account_Code__c": "AC-1", "Health_Score__c": 42.5,
        "Key_Account__c": true, "Customer_Since__c": "2020-02-29", "Billing_Email__c": "ap@declared.example",
        "Notes__c": "long text"
    }))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let rows = query(&app, &token, "SELECT Name, Tier__c, Health_Score__c, Key_Account__c, Customer_Since__c, Notes__c FROM Account WHERE Tier__c = 'platinum' AND Key_Account__c = true AND Health_Score__c > 40 ORDER BY Health_Score__c DESC, Name LIMIT 5").await;
    assert_eq!(rows.status, StatusCode::OK, "{}", rows.body);
    let rec = rows.json()["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["Name"] == "Declared Co")
        .cloned()
        .unwrap();
    assert_eq!(
        (
            rec["Tier__c"].as_str(),
            rec["Health_Score__c"].as_f64(),
            rec["Key_Account__c"].as_bool()
        ),
        (Some("Platinum"), Some(42.5), Some(true))
    );
    assert_eq!(rec["Customer_Since__c"], "2020-02-29");
    let since = query(
        &app,
        &token,
        "SELECT Id FROM Account WHERE Customer_Since__c = 2020-02-29",
    )
    .await
    .json();
    assert!(since["totalSize"].as_u64().unwrap() >= 1);
    let missing = query(&app, &token, "SELECT Legacy_Number__c FROM Account").await;
    let (status, code, message) = error_code(&missing);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "INVALID_FIELD")
    );
    assert!(
        message.contains("No such column 'Legacy_Number__c' on entity 'Account'"),
        "{message}"
    );
    let unfilterable = query(&app, &token, "SELECT Id FROM Account WHERE Notes__c = 'x'").await;
    assert!(error_code(&unfilterable).2.contains("can not be filtered"));
    // An unchecked checkbox reads false, never null.
    let plain = call(
        &app,
        Method::POST,
        &format!("{V}/sobjects/Account"),
        &token,
        Some(json!({"Name": "Plain"})),
    )
    .await
    .json();
    let read = send(
        &app,
        get_bearer(
            &format!(
                "{V}/sobjects/Account/{}?fields=Key_Account__c,Tier__c",
                plain["id"].as_str().unwrap()
            ),
            &token,
        ),
    )
    .await
    .json();
    assert_eq!(
        (read["Key_Account__c"].as_bool(), read["Tier__c"].is_null()),
        (Some(false), true)
    );
}

#[tokio::test]
async fn declared_fields_are_validated_as_salesforce_does() {
    let (_, app, token) = target();
    let create = |body: Value| {
        let (app, token) = (app.clone(), token.clone());
        async move {
            call(
                &app,
                Method::POST,
                &format!("{V}/sobjects/Account"),
                &token,
                Some(body),
            )
            .await
        }
    };
    let cases = [
        (
            json!({"Name": "x", "Account_Code__c": "ABCDEFGHIJK"}),
            "STRING_TOO_LONG",
            "Account Code: data value too large: ABCDEFGHIJK (max length=10)",
            "Account_Code__c",
        ),
        (
            json!({"Name": "x", "Tier__c": "Bronze"}),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "Tier: bad value for restricted picklist field: Bronze",
            "Tier__c",
        ),
        (
            json!({"Name": "x", "Tier__c": "gold"}),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "Tier: bad value for restricted picklist field: gold",
            "Tier__c",
        ),
        (
            json!({"Name": "x", "Health_Score__c": 100}),
            "NUMBER_OUTSIDE_VALID_RANGE",
            "Health Score: value outside of valid range on numeric field: 100",
            "Health_Score__c",
        ),
        (
            json!({"Name": "x", "Billing_Email__c": "not-an-email"}),
            "INVALID_EMAIL_ADDRESS",
            "Billing Email: invalid email address: not-an-email",
            "Billing_Email__c",
        ),
        (
            json!({"Name": "x", "Legacy_Number__c": "L-1"}),
            "INVALID_FIELD",
            "No such column 'Legacy_Number__c' on sobject of type Account",
            "Legacy_Number__c",
        ),
        (
            json!({"Name": "x", "Source_Id__c": "0".repeat(19)}),
            "STRING_TOO_LONG",
            "Source Id: data value too large: 0000000000000000000 (max length=18)",
            "Source_Id__c",
        ),
    ];
    for (body, code, message, field) in cases {
        let reply = create(body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        let json = reply.json();
        assert_eq!(json[0]["errorCode"], code, "{body}");
        assert_eq!(json[0]["message"], message, "{body}");
        assert_eq!(json[0]["fields"], json!([field]), "{body}");
    }
    // An unrestricted picklist keeps any value; scores round to the field's scale.
    let ok = create(json!({"Name": "ok", "Region__c": "Central", "Health_Score__c": 99.94})).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let first = create(json!({"Name": "A", "Source_Id__c": "001AAAAAAAAAAAAAAA"}))
        .await
        .json();
    let dup = create(json!({"Name": "B", "Source_Id__c": "001aaaaaaaaaaaaaaa"})).await;
    let (status, code, message) = error_code(&dup);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "DUPLICATE_VALUE")
    );
    assert_eq!(
        message,
        format!(
            "duplicate value found: Source_Id__c duplicates value on record with id: {}",
            first["id"].as_str().unwrap()
        )
    );
    // A required declared field.
    let (_, app, token) = {
        let spec = OrgSpec::from_value(json!({"account": {"fields": [{"name": "Code__c", "type": "Text", "length": 5, "required": true}]}})).unwrap();
        let (state, app) = org_with(Config {
            accounts: 0,
            org: Some(spec),
            ..Config::default()
        });
        let token = state.issue_test_token();
        (state, app, token)
    };
    let reply = call(
        &app,
        Method::POST,
        &format!("{V}/sobjects/Account"),
        &token,
        Some(json!({"Phone": "1"})),
    )
    .await
    .json();
    assert_eq!(reply[0]["errorCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(
        reply[0]["message"],
        "Required fields are missing: [Name, Code__c]"
    );
}

#[tokio::test]
async fn upsert_by_a_declared_external_id_creates_then_updates() {
    let (_, app, token) = target();
    let url = format!("{V}/sobjects/Account/Source_Id__c/001SRC000000000001");
    let created = call(
        &app,
        Method::PATCH,
        &url,
        &token,
        Some(json!({"Name": "Synced", "Tier__c": "Gold"})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["created"], true);
    let other_case = format!("{V}/sobjects/Account/Source_Id__c/001src000000000001");
    let updated = call(
        &app,
        Method::PATCH,
        &other_case,
        &token,
        Some(json!({"Tier__c": "Silver"})),
    )
    .await;
    assert_eq!(
        updated.status,
        StatusCode::OK,
        "the key matches without case: {}",
        updated.body
    );
    assert_eq!(updated.json()["created"], false);
    assert_eq!(updated.json()["id"], created.json()["id"]);
    let bad = call(
        &app,
        Method::PATCH,
        &url,
        &token,
        Some(json!({"Tier__c": "Bronze"})),
    )
    .await;
    assert_eq!(
        error_code(&bad).1,
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );
    let not_external = call(
        &app,
        Method::PATCH,
        &format!("{V}/sobjects/Account/Account_Code__c/x"),
        &token,
        Some(json!({})),
    )
    .await;
    assert_eq!(not_external.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn collections_upsert_on_source_id_is_idempotent() {
    let (_, app, token) = target();
    let url = format!("{V}/composite/sobjects/Account/Source_Id__c");
    let body = |tier: &str| {
        json!({"allOrNone": false, "records": [
            {"attributes": {"type": "Account"}, "Source_Id__c": "001SRC0000000000AA", "Name": "One", "Tier__c": tier},
            {"attributes": {"type": "Account"}, "Source_Id__c": "001SRC0000000000AB", "Name": "Two", "Account_Code__c": "AB"},
        ]})
    };
    let first = call(&app, Method::PATCH, &url, &token, Some(body("Gold"))).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let first = first.json();
    assert_eq!(
        (first[0]["created"].as_bool(), first[1]["created"].as_bool()),
        (Some(true), Some(true))
    );
    let again = call(&app, Method::PATCH, &url, &token, Some(body("Platinum")))
        .await
        .json();
    assert_eq!(
        (again[0]["created"].as_bool(), again[1]["created"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(again[0]["id"], first[0]["id"]);
    assert_eq!(again[1]["id"], first[1]["id"]);
    let rows = query(
        &app,
        &token,
        "SELECT Tier__c FROM Account WHERE Source_Id__c = '001SRC0000000000AA'",
    )
    .await
    .json();
    assert_eq!(
        (
            rows["totalSize"].as_u64(),
            rows["records"][0]["Tier__c"].as_str()
        ),
        (Some(1), Some("Platinum"))
    );

    // One bad item fails alone, or rolls every item back with allOrNone.
    let mixed = |all_or_none: bool| {
        json!({"allOrNone": all_or_none, "records": [
            {"attributes": {"type": "Account"}, "Source_Id__c": "001SRC0000000000AC", "Name": "Three"},
            {"attributes": {"type": "Account"}, "Source_Id__c": "001SRC0000000000AD", "Name": "Four", "Tier__c": "Bronze"},
        ]})
    };
    let rolled = call(&app, Method::PATCH, &url, &token, Some(mixed(true)))
        .await
        .json();
    assert_eq!(
        rolled[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(
        rolled[1]["errors"][0]["statusCode"],
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );
    assert_eq!(rolled[1]["errors"][0]["fields"], json!(["Tier__c"]));
    assert!(rolled[1].get("created").is_none() && rolled[1].get("id").is_none());
    let count = |app: axum::Router, token: String| async move {
        query(
            &app,
            &token,
            "SELECT COUNT() FROM Account WHERE Source_Id__c != null",
        )
        .await
        .json()["totalSize"]
            .as_u64()
    };
    assert_eq!(count(app.clone(), token.clone()).await, Some(2));
    let partial = call(&app, Method::PATCH, &url, &token, Some(mixed(false)))
        .await
        .json();
    assert_eq!(
        (
            partial[0]["success"].as_bool(),
            partial[1]["success"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert_eq!(count(app.clone(), token.clone()).await, Some(3));

    // The same key twice in one call: both fail, neither is written.
    let twice = call(&app, Method::PATCH, &url, &token, Some(json!({"records": [
        {"attributes": {"type": "Account"}, "Source_Id__c": "001SRC0000000000AE", "Name": "Five"},
        {"attributes": {"type": "Account"}, "Source_Id__c": "001src0000000000ae", "Name": "Five again"},
    ]}))).await.json();
    for item in twice.as_array().unwrap() {
        assert_eq!(item["errors"][0]["statusCode"], "DUPLICATE_VALUE");
        assert!(item["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Duplicate external id specified: 001"));
    }
    assert_eq!(count(app.clone(), token.clone()).await, Some(3));
    // More than 200 records is refused whole.
    let many: Vec<Value> = (0..201).map(|i| json!({"attributes": {"type": "Account"}, "Source_Id__c": format!("k{i}"), "Name": "n"})).collect();
    let refused = call(
        &app,
        Method::PATCH,
        &url,
        &token,
        Some(json!({"records": many})),
    )
    .await;
    assert_eq!(error_code(&refused).1, "EXCEEDED_ID_LIMIT");
}

#[tokio::test]
async fn seeded_values_fit_the_orgs_fields() {
    let (state, app, token) = target();
    let rows = query(&app, &token, "SELECT Account_Code__c, Tier__c, Region__c, Health_Score__c, Source_Id__c, Billing_Email__c FROM Account").await.json();
    let records = rows["records"].as_array().unwrap();
    assert_eq!(records.len(), 20);
    let tiers = &state.schema.account.field("Tier__c").unwrap().picklist;
    for r in records {
        assert!(
            r["Account_Code__c"]
                .as_str()
                .is_none_or(|c| c.chars().count() <= 10),
            "{r}"
        );
        assert!(
            r["Tier__c"]
                .as_str()
                .is_none_or(|t| tiers.iter().any(|v| v == t)),
            "{r}"
        );
        assert!(
            r["Health_Score__c"].as_f64().is_none_or(|s| s < 100.0),
            "{r}"
        );
        assert!(r["Source_Id__c"].is_null(), "the sync key starts empty");
    }
    assert!(records.iter().any(|r| r["Account_Code__c"].is_string()));
    assert!(records.iter().any(|r| r["Billing_Email__c"].is_string()));
    // The source's longer code values are what a copy to the target must deal with.
    let source = AppState::new(Config {
        accounts: 30,
        org: Some(OrgSpec::example_source()),
        ..Config::default()
    });
    let store = source.store.read();
    let code = source.schema.account.field("Account_Code__c").unwrap();
    assert!(store.accounts().any(|r| store
        .account_value(r, code)
        .as_str()
        .is_some_and(|c| c.len() > 10)));
}
