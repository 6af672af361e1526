//! `GET /query?q=…&columns=true` (route tests, no sockets): the column metadata `sf data query`
//! reads — plain fields, relationship fields nested in `joinColumns`, aggregates by alias or expr0.

mod rest_support;

use axum::http::StatusCode;
use rest_support::*;
use serde_json::json;

async fn columns(org: &Org, soql: &str) -> serde_json::Value {
    let r = org
        .get(&format!("{V}/query?q={}&columns=true", encode(soql)))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.headers.get("sforce-limit-info").is_some());
    r.body
}

#[tokio::test]
async fn columns_describe_fields_relationships_and_aggregates() {
    let org = Org::new(3);
    let body = columns(
        &org,
        "SELECT Id, Name, Owner.Name, Owner.Email FROM Account",
    )
    .await;
    assert!(body.get("records").is_none(), "metadata only: {body}");
    assert_eq!(
        (
            &body["entityName"],
            &body["groupBy"],
            &body["idSelected"],
            &body["keyPrefix"]
        ),
        (
            &json!("Account"),
            &json!(false),
            &json!(true),
            &json!("001")
        )
    );
    let cols = body["columnMetadata"].as_array().unwrap();
    assert_eq!(
        cols.len(),
        3,
        "Owner.Name and Owner.Email share one column: {body}"
    );
    assert_eq!(
        cols[0],
        json!({"aggregate": false, "apexType": "Id", "booleanType": false, "columnName": "Id",
               "custom": false, "displayName": "Id", "foreignKeyName": null, "insertable": false,
               "joinColumns": [], "numberType": false, "textType": false, "updatable": false})
    );
    assert_eq!(
        (
            &cols[1]["columnName"],
            &cols[1]["apexType"],
            &cols[1]["textType"],
            &cols[1]["insertable"],
            &cols[1]["updatable"]
        ),
        (
            &json!("Name"),
            &json!("String"),
            &json!(true),
            &json!(true),
            &json!(true)
        )
    );
    assert_eq!(cols[2]["columnName"], "Owner");
    let joins: Vec<&str> = cols[2]["joinColumns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["columnName"].as_str().unwrap())
        .collect();
    assert_eq!(joins, ["Name", "Email"]);
    // Aggregates: aggregate true, named by alias or exprN, displayed as the function.
    let body = columns(&org, "SELECT COUNT(Id) c, COUNT(Phone) FROM Account").await;
    let cols = body["columnMetadata"].as_array().unwrap();
    assert_eq!(
        cols.iter()
            .map(|c| (
                c["columnName"].clone(),
                c["displayName"].clone(),
                c["aggregate"].clone()
            ))
            .collect::<Vec<_>>(),
        vec![
            (json!("c"), json!("COUNT(Id)"), json!(true)),
            (json!("expr0"), json!("COUNT(Phone)"), json!(true)),
        ]
    );
    assert_eq!(body["idSelected"], false);
    // A broken query is refused as without columns=true.
    let r = org
        .get(&format!(
            "{V}/query?q={}&columns=true",
            encode("SELECT Nope FROM Account")
        ))
        .await;
    assert_eq!(code(&r), "INVALID_FIELD");
}
