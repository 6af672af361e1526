//! Aggregate SOQL without GROUP BY (route tests, no sockets): `COUNT(field)` with and without an
//! alias answers one `AggregateResult` row; `COUNT()` still answers only `totalSize`; mixing
//! aggregates with plain fields is refused as Salesforce words it.

mod rest_support;

use axum::http::{Method, StatusCode};
use rest_support::*;
use serde_json::json;

#[tokio::test]
async fn count_of_a_field_answers_an_aggregate_result() {
    let org = Org::new(5);
    let id = org
        .create(json!({"Name": "Zeta Phones", "Phone": "555"}))
        .await;
    // COUNT(Id) without an alias is expr0; the record has no url.
    let r = org.query("SELECT COUNT(Id) FROM Account").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"totalSize": 1, "done": true,
               "records": [{"attributes": {"type": "AggregateResult"}, "expr0": 6}]})
    );
    // Aliases, WHERE, and unaliased columns numbered among themselves.
    let r = org
        .query("select count(Id) c, COUNT(Phone), count(Owner.Name) FROM Account WHERE Name = 'Zeta Phones'")
        .await;
    assert_eq!(
        r.body["records"][0],
        json!({"attributes": {"type": "AggregateResult"}, "c": 1, "expr0": 1, "expr1": 1})
    );
    // COUNT(field) skips nulls.
    let r = org.query("SELECT COUNT(Phone) n FROM Account").await;
    let with_phone = org
        .query("SELECT Id FROM Account WHERE Phone != null")
        .await
        .body["totalSize"]
        .clone();
    assert_eq!(r.body["records"][0]["n"], with_phone);
    // Deleted records count only in queryAll.
    org.call(
        Method::DELETE,
        &format!("{V}/sobjects/Account/{id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(
        org.query("SELECT COUNT(Id) FROM Account").await.body["records"][0]["expr0"],
        5
    );
    let r = org
        .get(&format!(
            "{V}/queryAll?q={}",
            encode("SELECT COUNT(Id) FROM Account")
        ))
        .await;
    assert_eq!(r.body["records"][0]["expr0"], 6);
    // Users and record types too.
    let r = org
        .query("SELECT COUNT(Id) FROM User WHERE IsActive = true")
        .await;
    assert!(r.body["records"][0]["expr0"].as_u64().unwrap() >= 1);
    // Plain COUNT() is unchanged.
    assert_eq!(
        org.query("SELECT COUNT() FROM Account").await.body,
        json!({"totalSize": 5, "done": true, "records": []})
    );
}

#[tokio::test]
async fn aggregates_cannot_mix_with_plain_fields_without_group_by() {
    let org = Org::new(1);
    let q = "SELECT Name, COUNT(Id) FROM Account";
    let r = org.query(q).await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::BAD_REQUEST, "MALFORMED_QUERY")
    );
    assert_eq!(
        r.body[0]["message"],
        format!(
            "\n{q}\n       ^\nERROR at Row:1:Column:8\nField must be grouped or aggregated: Name"
        )
    );
    let r = org
        .query("SELECT COUNT(Id) FROM Account ORDER BY Name")
        .await;
    assert!(r.body[0]["message"]
        .as_str()
        .unwrap()
        .ends_with("Ordered field must be grouped or aggregated: Name"));
    let r = org.query("SELECT COUNT(Nope) FROM Account").await;
    assert_eq!(code(&r), "INVALID_FIELD");
    // GROUP BY is refused plainly (see the README's deviations).
    let r = org
        .query("SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry")
        .await;
    assert_eq!(code(&r), "MALFORMED_QUERY");
    assert!(r.body[0]["message"]
        .as_str()
        .unwrap()
        .contains("devorg does not support GROUP BY"));
}
