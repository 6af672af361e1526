//! Relationships named by a parent's key in write bodies (route tests, no sockets):
//! `"Parent": {"Source_Id__c": …}` and `"Owner": {"Username": …}` in create, update, upsert and
//! sObject Collections, found, not found, or matching several records.

mod platform_support;

use axum::http::{Method, StatusCode};
use clap::Parser;
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

    /// The example target org, with no seeded accounts.
    fn target() -> Org {
        Org::new(Config {
            accounts: 0,
            org: Some(OrgSpec::example_target()),
            ..Config::default()
        })
    }

    async fn call(&self, method: Method, path: &str, body: Value) -> Reply {
        send(
            &self.app,
            json_bearer(method, &format!("{V}{path}"), &self.token, Some(body)),
        )
        .await
    }

    async fn create(&self, body: Value) -> Reply {
        self.call(Method::POST, "/sobjects/Account", body).await
    }

    async fn created_id(&self, body: Value) -> String {
        let reply = self.create(body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.json()["id"].as_str().unwrap().to_string()
    }

    async fn row(&self, id: &str, fields: &str) -> Value {
        let uri = format!("{V}/sobjects/Account/{id}?fields={fields}");
        send(&self.app, get_bearer(&uri, &self.token)).await.json()
    }
}

fn error(reply: &Reply) -> (String, String) {
    let json = reply.json();
    (
        json[0]["errorCode"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        json[0]["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn a_parent_named_by_its_external_id_is_found_in_every_write() {
    let org = Org::target();
    let parent = org
        .created_id(json!({"Name": "Parent Co", "Source_Id__c": "001SRCPARENT00001A"}))
        .await;
    let child = org
        .created_id(json!({"Name": "Child", "Parent": {"Source_Id__c": "001srcparent00001a"}}))
        .await;
    let row = org.row(&child, "ParentId,Parent.Name").await;
    assert_eq!(row["ParentId"], parent);
    assert_eq!(row["Parent"]["Name"], "Parent Co");
    // jsforce's form, with the parent's type in attributes.
    let other = org
        .created_id(json!({"Name": "Child 2", "Parent": {"attributes": {"type": "Account"}, "Source_Id__c": "001SRCPARENT00001A"}}))
        .await;
    assert_eq!(org.row(&other, "ParentId").await["ParentId"], parent);
    // Update and upsert bodies too.
    let second = org
        .created_id(json!({"Name": "Second Parent", "Source_Id__c": "001SRCPARENT00002A"}))
        .await;
    let patch = org
        .call(
            Method::PATCH,
            &format!("/sobjects/Account/{child}"),
            json!({"Parent": {"Source_Id__c": "001SRCPARENT00002A"}}),
        )
        .await;
    assert_eq!(patch.status, StatusCode::NO_CONTENT, "{}", patch.body);
    assert_eq!(org.row(&child, "ParentId").await["ParentId"], second);
    let upsert = org
        .call(
            Method::PATCH,
            "/sobjects/Account/Source_Id__c/001SRCCHILD000003A",
            json!({"Name": "Upserted", "Parent": {"Source_Id__c": "001SRCPARENT00001A"}}),
        )
        .await;
    assert_eq!(upsert.status, StatusCode::CREATED, "{}", upsert.body);
    let upserted = upsert.json()["id"].as_str().unwrap().to_string();
    assert_eq!(org.row(&upserted, "ParentId").await["ParentId"], parent);
    // By Id, which is an idLookup field too.
    let by_id = org
        .created_id(json!({"Name": "By Id", "Parent": {"Id": &parent[..15]}}))
        .await;
    assert_eq!(org.row(&by_id, "ParentId").await["ParentId"], parent);
}

#[tokio::test]
async fn a_parent_that_is_not_found_or_not_unique_is_refused() {
    let org = Org::target();
    let missing = org
        .create(json!({"Name": "Orphan", "Parent": {"Source_Id__c": "001NOSUCHPARENT00A"}}))
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error(&missing),
        ("INVALID_FIELD".into(), "Foreign key external ID: 001NOSUCHPARENT00A not found for field Source_Id__c in entity Account".into())
    );
    assert_eq!(missing.json()[0]["fields"], json!([]));
    let not_a_key = org
        .create(json!({"Name": "x", "Parent": {"Account_Code__c": "A"}}))
        .await;
    assert_eq!(error(&not_a_key), ("INVALID_FIELD".into(), "Field name provided, Account_Code__c is not an External ID or indexed field for Account".into()));
    let two_keys = org
        .create(json!({"Name": "x", "Parent": {"Source_Id__c": "a", "Name": "b"}}))
        .await;
    assert!(error(&two_keys).1.starts_with("More than 1 field provided"));
    let wrong_type = org.create(json!({"Name": "x", "Parent": {"attributes": {"type": "Contact"}, "Source_Id__c": "a"}})).await;
    assert_eq!(error(&wrong_type).0, "INVALID_FIELD");
    let system = org
        .create(json!({"Name": "x", "CreatedBy": {"Username": "admin@devorg.local"}}))
        .await;
    assert_eq!(error(&system).0, "INVALID_FIELD_FOR_INSERT_UPDATE");
    assert_eq!(org.state.store.read().len(), 0, "nothing was written");

    // A key several accounts share (Legacy_Number__c is an External ID that is not unique).
    let builtin = Org::new(Config {
        accounts: 0,
        ..Config::default()
    });
    let a = builtin
        .created_id(json!({"Name": "A", "Legacy_Number__c": "L-7"}))
        .await;
    let b = builtin
        .created_id(json!({"Name": "B", "Legacy_Number__c": "l-7"}))
        .await;
    let several = builtin
        .create(json!({"Name": "C", "Parent": {"Legacy_Number__c": "L-7"}}))
        .await;
    assert_eq!(several.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error(&several),
        (
            "DUPLICATE_EXTERNAL_ID".into(),
            format!("Legacy Number: more than one record found for external id field: [{a}, {b}]")
        )
    );
}

#[tokio::test]
async fn collections_resolve_parents_as_the_org_was_before_the_call() {
    let org = Org::target();
    org.created_id(json!({"Name": "Existing", "Source_Id__c": "001SRCEXISTING000A"}))
        .await;
    let url = "/composite/sobjects/Account/Source_Id__c";
    let records = json!({"allOrNone": false, "records": [
        {"attributes": {"type": "Account"}, "Source_Id__c": "001SRCNEWPARENT00A", "Name": "New Parent"},
        {"attributes": {"type": "Account"}, "Source_Id__c": "001SRCNEWCHILD000A", "Name": "Child of new",
         "Parent": {"Source_Id__c": "001SRCNEWPARENT00A"}},
        {"attributes": {"type": "Account"}, "Source_Id__c": "001SRCOLDCHILD000A", "Name": "Child of existing",
         "Parent": {"attributes": {"type": "Account"}, "Source_Id__c": "001SRCEXISTING000A"}},
    ]});
    let first = org.call(Method::PATCH, url, records.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let first = first.json();
    assert_eq!(first[0]["success"], true);
    // A parent created earlier in the same call is not visible to a later record.
    assert_eq!(first[1]["success"], false);
    assert_eq!(first[1]["errors"][0]["statusCode"], "INVALID_FIELD");
    assert_eq!(
        first[1]["errors"][0]["message"],
        "Foreign key external ID: 001SRCNEWPARENT00A not found for field Source_Id__c in entity Account"
    );
    assert_eq!(first[2]["created"], true);
    // The next call sees it: parents first, then children, as Bulk loads need too.
    let again = org.call(Method::PATCH, url, records).await.json();
    assert_eq!(
        (
            again[0]["created"].as_bool(),
            again[1]["created"].as_bool(),
            again[2]["created"].as_bool()
        ),
        (Some(false), Some(true), Some(false))
    );
    let child = again[1]["id"].as_str().unwrap();
    assert_eq!(
        org.row(child, "Parent.Name").await["Parent"]["Name"],
        "New Parent"
    );
    // Create and update collections resolve the same way.
    let created = org.call(Method::POST, "/composite/sobjects", json!({"records": [
        {"attributes": {"type": "Account"}, "Name": "Made", "Parent": {"Source_Id__c": "001SRCEXISTING000A"}},
        {"attributes": {"type": "Account"}, "Name": "Lost", "Parent": {"Source_Id__c": "001SRCNOWHERE0000A"}},
    ]})).await.json();
    assert_eq!(
        (
            created[0]["success"].as_bool(),
            created[1]["success"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let made = created[0]["id"].as_str().unwrap();
    let updated = org.call(Method::PATCH, "/composite/sobjects", json!({"records": [
        {"attributes": {"type": "Account"}, "id": made, "Parent": {"Source_Id__c": "001SRCNEWPARENT00A"}},
    ]})).await.json();
    assert_eq!(updated[0]["success"], true, "{updated}");
    assert_eq!(
        org.row(made, "Parent.Name").await["Parent"]["Name"],
        "New Parent"
    );
}

#[tokio::test]
async fn an_owner_named_by_username_or_email_must_be_one_active_user() {
    let org = Org::new(Config::parse_from([
        "devorg",
        "--accounts",
        "0",
        "--user",
        "sam@devorg.local:pw:email=shared@example.com",
        "--user",
        "kim@devorg.local:pw:email=shared@example.com",
        "--user",
        "ivy@devorg.local:pw:inactive",
    ]));
    let sam = org
        .state
        .org
        .user_named("sam@devorg.local")
        .unwrap()
        .id
        .clone();
    let owned = org
        .created_id(json!({"Name": "Sam's", "Owner": {"Username": "SAM@devorg.local"}}))
        .await;
    assert_eq!(
        org.row(&owned, "OwnerId,Owner.Username").await["OwnerId"],
        sam
    );
    let by_email = org.created_id(json!({"Name": "Admin's", "Owner": {"attributes": {"type": "User"}, "Email": "admin@devorg.local"}})).await;
    assert_eq!(
        org.row(&by_email, "Owner.Name").await["Owner"]["Name"],
        "Devorg Admin"
    );
    let inactive = org
        .create(json!({"Name": "x", "Owner": {"Username": "ivy@devorg.local"}}))
        .await;
    assert_eq!(error(&inactive).0, "INACTIVE_OWNER_OR_USER");
    let nobody = org
        .create(json!({"Name": "x", "Owner": {"Username": "nobody@devorg.local"}}))
        .await;
    assert_eq!(
        error(&nobody),
        ("INVALID_FIELD".into(), "Foreign key external ID: nobody@devorg.local not found for field Username in entity User".into())
    );
    let shared = org
        .create(json!({"Name": "x", "Owner": {"Email": "shared@example.com"}}))
        .await;
    assert_eq!(error(&shared).0, "DUPLICATE_EXTERNAL_ID");
    let not_lookup = org
        .create(json!({"Name": "x", "Owner": {"LastName": "Admin"}}))
        .await;
    assert!(error(&not_lookup)
        .1
        .contains("is not an External ID or indexed field for User"));
}
