//! sObject Tree (`POST /composite/tree/Account`, `sf data import tree`), route tests without
//! sockets: trees created whole or not at all, nested ChildAccounts, and the documented limits.

mod rest_support;

use axum::http::{Method, StatusCode};
use rest_support::*;
use serde_json::{json, Value};

const TREE: &str = "/services/data/v60.0/composite/tree/Account";

fn account(reference: &str, name: &str) -> Value {
    json!({"attributes": {"type": "Account", "referenceId": reference}, "Name": name})
}

#[tokio::test]
async fn a_tree_is_created_with_its_children_and_ids_by_reference() {
    let org = Org::new(0);
    let mut parent = account("ref1", "Tree Parent");
    parent["ChildAccounts"] = json!({"records": [account("ref2", "Tree Child")]});
    let body = json!({"records": [parent, account("ref3", "Tree Sibling")]});
    let r = org.send(Method::POST, TREE, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.headers.get("sforce-limit-info").is_some());
    assert_eq!(r.body["hasErrors"], false);
    let results = r.body["results"].as_array().unwrap();
    // Roots first, then the next level.
    let refs: Vec<&str> = results
        .iter()
        .map(|x| x["referenceId"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["ref1", "ref3", "ref2"]);
    let parent_id = results[0]["id"].as_str().unwrap();
    let child_id = results[2]["id"].as_str().unwrap();
    let row = org
        .get(&format!(
            "{V}/sobjects/Account/{child_id}?fields=Name,ParentId"
        ))
        .await;
    assert_eq!(
        (&row.body["Name"], &row.body["ParentId"]),
        (&json!("Tree Child"), &json!(parent_id))
    );
}

#[tokio::test]
async fn any_failing_record_saves_nothing() {
    let org = Org::new(0);
    let body = json!({"records": [
        account("ok1", "Fine"),
        {"attributes": {"type": "Account", "referenceId": "bad1"}, "Phone": "1"},
    ]});
    let r = org.send(Method::POST, TREE, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"hasErrors": true, "results": [{"referenceId": "bad1", "errors": [{
            "statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [Name]",
            "fields": ["Name"]}]}]})
    );
    assert_eq!(org.state.store.read().len(), 0);
    // A child relationship devorg lacks (Contacts) is an unknown field of the parent.
    let mut parent = account("p", "With Contacts");
    parent["Contacts"] = json!({"records": [{"attributes": {"type": "Contact", "referenceId": "c1"}, "LastName": "X"}]});
    let r = org
        .send(Method::POST, TREE, json!({"records": [parent]}))
        .await;
    assert_eq!(
        r.body["results"][0]["errors"][0]["statusCode"],
        "INVALID_FIELD"
    );
    assert_eq!(org.state.store.read().len(), 0);
}

#[tokio::test]
async fn duplicate_references_missing_attributes_and_too_many_records_are_refused() {
    let org = Org::new(0);
    let body = json!({"records": [account("dup", "A"), account("x", "B"), account("dup", "C")]});
    let r = org.send(Method::POST, TREE, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["hasErrors"], true);
    let refs: Vec<&str> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["referenceId"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["dup", "dup"], "one result per instance");
    let r = org
        .send(
            Method::POST,
            TREE,
            json!({"records": [{"Name": "No attributes"}]}),
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::BAD_REQUEST, "INVALID_INPUT")
    );
    let many: Vec<Value> = (0..201).map(|i| account(&format!("r{i}"), "N")).collect();
    let r = org.send(Method::POST, TREE, json!({"records": many})).await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::BAD_REQUEST, "INVALID_INPUT")
    );
    let r = org
        .send(
            Method::POST,
            &TREE.replace("Account", "User"),
            json!({"records": []}),
        )
        .await;
    assert_eq!(code(&r), "INVALID_TYPE_FOR_OPERATION");
    assert_eq!(org.state.store.read().len(), 0);
}
