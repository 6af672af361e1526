//! SOSL Search (`GET /search?q=FIND {…}`) and Parameterized Search, route tests without sockets:
//! the common FIND forms, SOSL's escaping, and Salesforce's errors for malformed searches.

mod rest_support;

use axum::http::StatusCode;
use rest_support::*;
use serde_json::{json, Value};

async fn search(org: &Org, sosl: &str) -> Value {
    let r = org.get(&format!("{V}/search?q={}", encode(sosl))).await;
    assert_eq!(r.status, StatusCode::OK, "{sosl}: {}", r.body);
    assert!(r.headers.get("sforce-limit-info").is_some());
    r.body
}

fn names(body: &Value) -> Vec<String> {
    body["searchRecords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn find_returns_matching_accounts_with_the_requested_fields() {
    let org = Org::new(5);
    let id = org
        .create(json!({"Name": "Acme Rockets", "Description": "rocket skates"}))
        .await;
    let body = search(
        &org,
        "FIND {acme} IN ALL FIELDS RETURNING Account(Id, Name)",
    )
    .await;
    assert_eq!(
        body,
        json!({"searchRecords": [{"attributes": {"type": "Account", "url": format!("{V}/sobjects/Account/{id}")},
                                  "Id": id, "Name": "Acme Rockets"}]})
    );
    // ALL FIELDS looks in the description; NAME FIELDS does not.
    assert_eq!(
        names(&search(&org, "FIND {skates} RETURNING Account(Name)").await),
        ["Acme Rockets"]
    );
    assert!(
        search(&org, "FIND {skates} IN NAME FIELDS RETURNING Account(Name)").await["searchRecords"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Without fields, Id only; wildcards; LIMIT.
    let body = search(&org, "FIND {Acme Rock*} RETURNING Account").await;
    assert_eq!(
        body["searchRecords"][0],
        json!({"attributes": {"type": "Account", "url": format!("{V}/sobjects/Account/{id}")}, "Id": id})
    );
    org.create(json!({"Name": "Acme Two"})).await;
    let body = search(&org, "FIND {acme} RETURNING Account(Name) LIMIT 1").await;
    assert_eq!(names(&body), ["Acme Rockets"]);
    let body = search(&org, "FIND {acme} RETURNING Account(Name LIMIT 1)").await;
    assert_eq!(body["searchRecords"].as_array().unwrap().len(), 1);
    // Before API 37.0 the answer is the bare array.
    let r = org
        .get(&format!(
            "/services/data/v35.0/search?q={}",
            encode("FIND {acme} RETURNING Account")
        ))
        .await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn reserved_characters_are_escaped_with_a_backslash() {
    let org = Org::new(5);
    let body = search(&org, r"FIND {O\'Reilly} RETURNING Account(Name)").await;
    assert_eq!(names(&body), ["O'Reilly Media"]);
    let body = search(
        &org,
        r"FIND {Back\\Slash} IN NAME FIELDS RETURNING Account(Name)",
    )
    .await;
    assert_eq!(names(&body), [r"Back\Slash Studios"]);
    // Parameterized search takes the text plain.
    let r = org
        .get(&format!(
            "{V}/parameterizedSearch?q={}&sobject=Account&Account.fields=Id,Name",
            encode("O'Reilly")
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(names(&r.body), ["O'Reilly Media"]);
    assert!(r.body["searchRecords"][0]["Id"].is_string());
}

#[tokio::test]
async fn malformed_searches_get_salesforce_errors() {
    let org = Org::new(1);
    let r = org
        .get(&format!("{V}/search?q={}", encode("FIND acme")))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!([{"message": "No search term found. The search term must be enclosed in braces.",
                "errorCode": "MALFORMED_SEARCH"}])
    );
    let r = org
        .get(&format!("{V}/search?q={}", encode("FIND {a}")))
        .await;
    assert_eq!(
        (r.status, code(&r), r.body[0]["message"].clone()),
        (
            StatusCode::BAD_REQUEST,
            "INVALID_SEARCH",
            json!("search term must be longer than one character: a")
        )
    );
    for bad in [
        "FIND {acme} RETURNING Account(Id",
        r"FIND {ac\me}",
        "FIND {acme} RETURNING Account(Id WHERE Name = 'x')",
    ] {
        let r = org.get(&format!("{V}/search?q={}", encode(bad))).await;
        assert_eq!(code(&r), "MALFORMED_SEARCH", "{bad}");
    }
    let r = org
        .get(&format!(
            "{V}/search?q={}",
            encode("FIND {acme} RETURNING Contact")
        ))
        .await;
    assert_eq!(code(&r), "INVALID_TYPE");
    let r = org
        .get(&format!(
            "{V}/search?q={}",
            encode("FIND {acme} RETURNING Account(Nope)")
        ))
        .await;
    assert_eq!(code(&r), "INVALID_FIELD");
}
