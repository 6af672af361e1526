//! devorg driven over HTTP by OrgBridge's own client (`crates/salesforce`), as the copy between
//! orgs will: describe shows the target's declared key, collections upsert by `Source_Id__c`
//! with the parent and owner named by their keys, idempotent on a second run, and SOQL reads the
//! relationships back; record types are read from describe and set by developer name. Only
//! these tests use the client: devorg's own code never does, so the two
//! implementations of the wire format stay independent.

use devorg::{Config, OrgSpec};
use salesforce::rest::{Record, UpsertItem};
use salesforce::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use salesforce::types::{AccessToken, ExternalIdField, InstanceUrl};
use salesforce::{Client, Session, UserInfo};
use serde_json::json;

/// reqwest as the client's transport.
#[derive(Clone)]
struct Reqwest(reqwest::Client);

impl Transport for Reqwest {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let method = reqwest::Method::from_bytes(req.method.as_str().as_bytes()).unwrap();
        let mut builder = self.0.request(method, &req.url);
        for (k, v) in &req.headers {
            builder = builder.header(k, v);
        }
        if let Some(body) = req.body {
            builder = builder.body(body);
        }
        let resp = builder
            .send()
            .await
            .map_err(|e| TransportError::new(&req.url, e.to_string()))?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        let body = resp
            .text()
            .await
            .map_err(|e| TransportError::new(&req.url, e.to_string()))?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

fn record(v: serde_json::Value) -> Record {
    v.as_object().unwrap().clone()
}

/// The example target org over HTTP, and a client signed in to it as `username`.
async fn target_org(username: &str) -> (devorg::RunningOrg, Client<Reqwest>) {
    let org = devorg::spawn(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        accounts: 5,
        org: Some(OrgSpec::example_target()),
        ..Config::default()
    })
    .await
    .unwrap();
    let url = InstanceUrl::parse(&org.url).unwrap();
    let session = Session {
        access_token: AccessToken::new(org.state.issue_test_token_for(username).unwrap()),
        refresh_token: None,
        instance_url: url.clone(),
        login_url: url,
        consumer_key: "orgbridge-local".into(),
        identity_url: String::new(),
        user: UserInfo::default(),
        api_version: "60.0".parse().unwrap(),
        issued_at_ms: None,
    };
    let client = Client::new(Reqwest(reqwest::Client::new()), session);
    (org, client)
}

#[tokio::test]
async fn the_client_upserts_by_source_id_with_parent_and_owner_keys() {
    let riley = "riley.chen@target.devorg.local";
    let (_org, client) = target_org(riley).await;

    let describe = client.describe("Account").await.unwrap();
    let key = describe.field("Source_Id__c").expect("the target's key");
    assert!(key.external_id && key.unique && key.length == 18);
    assert!(describe.field("Legacy_Number__c").is_none());
    assert!(describe.field("Tier__c").unwrap().restricted_picklist);

    let ext = ExternalIdField::parse("Source_Id__c").unwrap();
    let parents = [record(
        json!({"Source_Id__c": "001SRC00000000001A", "Name": "Parent Ltd", "Tier__c": "Gold"}),
    )];
    let children = [
        record(
            json!({"Source_Id__c": "001SRC00000000002A", "Name": "Child Ltd",
            "Parent": {"Source_Id__c": "001SRC00000000001A"},
            "Owner": {"Username": "jordan.lee@target.devorg.local"}}),
        ),
        record(
            json!({"Source_Id__c": "001SRC00000000003A", "Name": "Lost Ltd",
            "Parent": {"Source_Id__c": "001SRC0000000MISSA"}}),
        ),
    ];
    let first = client
        .upsert_collection("Account", &ext, &parents, false)
        .await
        .unwrap();
    assert!(matches!(first[0], UpsertItem::Created(_)), "{first:?}");
    let kids = client
        .upsert_collection("Account", &ext, &children, false)
        .await
        .unwrap();
    assert!(matches!(kids[0], UpsertItem::Created(_)), "{kids:?}");
    let UpsertItem::Failed(errors) = &kids[1] else {
        panic!("{kids:?}")
    };
    assert_eq!(errors[0].error_code, "INVALID_FIELD", "{errors:?}");
    let again = client
        .upsert_collection("Account", &ext, &children[..1], false)
        .await
        .unwrap();
    match (&kids[0], &again[0]) {
        (UpsertItem::Created(a), UpsertItem::Updated(b)) => assert_eq!(a, b),
        other => panic!("{other:?}"),
    }

    let rows = client
        .query_all_pages(
            "SELECT Name, Parent.Name, Owner.Username, CreatedBy.Username FROM Account WHERE Source_Id__c != null ORDER BY Name",
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["Name"], "Child Ltd");
    assert_eq!(rows[0]["Parent"]["Name"], "Parent Ltd");
    assert_eq!(
        rows[0]["Owner"]["Username"],
        "jordan.lee@target.devorg.local"
    );
    assert_eq!(rows[0]["CreatedBy"]["Username"], riley);
    assert_eq!(
        rows[1]["Owner"]["Username"], riley,
        "the session's user owns by default"
    );
}

#[tokio::test]
async fn the_client_reads_record_types_and_sets_them_by_developer_name() {
    let (_org, client) = target_org("admin@devorg.local").await;
    let describe = client.describe("Account").await.unwrap();
    let partner = describe.record_type("Partner").expect("Partner");
    assert!(partner.active && partner.available && partner.name == "Channel Partner");
    assert!(!describe.record_type("Prospect").unwrap().active);
    assert_eq!(
        describe.default_record_type().unwrap().developer_name,
        "Customer"
    );
    assert!(describe.record_type_infos.iter().any(|r| r.master));

    let ext = ExternalIdField::parse("Source_Id__c").unwrap();
    let prospect = &describe.record_type("Prospect").unwrap().record_type_id;
    let items = [
        record(
            json!({"Source_Id__c": "001SRC0000000RT01A", "Name": "Typed Ltd",
            "RecordTypeId": partner.record_type_id}),
        ),
        record(
            json!({"Source_Id__c": "001SRC0000000RT02A", "Name": "Untyped Ltd",
            "RecordTypeId": prospect}),
        ),
    ];
    let done = client
        .upsert_collection("Account", &ext, &items, false)
        .await
        .unwrap();
    assert!(matches!(done[0], UpsertItem::Created(_)), "{done:?}");
    let UpsertItem::Failed(errors) = &done[1] else {
        panic!("{done:?}")
    };
    assert_eq!(errors[0].error_code, "INVALID_CROSS_REFERENCE_KEY");
    assert_eq!(
        errors[0].message,
        format!("Record Type ID: this ID value isn't valid for the user: {prospect}")
    );
    assert_eq!(errors[0].fields, ["RecordTypeId"]);
    let rows = client
        .query_all_pages("SELECT RecordType.DeveloperName FROM Account WHERE Source_Id__c = '001SRC0000000RT01A'")
        .await
        .unwrap();
    assert_eq!(rows[0]["RecordType"]["DeveloperName"], "Partner");
}
