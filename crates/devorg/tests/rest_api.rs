//! REST API route tests, in-process (no sockets): every resource's success shape and documented errors.

mod rest_support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use rest_support::*;
use serde_json::{json, Value};
use tower::ServiceExt;

#[tokio::test]
async fn versions_need_no_session_and_list_summer_26() {
    let org = Org::new(0);
    let req = Request::get("/services/data").body(Body::empty()).unwrap();
    let resp = devorg::app(org.state.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value =
        serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let last = body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last,
        json!({"label": "Summer '26", "url": "/services/data/v67.0", "version": "67.0"})
    );
    let r = org.get(V).await;
    assert_eq!(r.body["query"], format!("{V}/query"));
    assert_eq!(
        org.get("/services/data/v99.0/sobjects").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        org.get("/services/data/v60.0/nonsense").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn resources_by_version_list_every_documented_resource_and_the_identity_url() {
    let org = Org::new(0);
    let r = org.get("/services/data/v62.0").await;
    assert_eq!(r.status, StatusCode::OK);
    let map = r.body.as_object().unwrap();
    // "List Available REST Resources" lists 47 resources, identity among them.
    assert_eq!(map.len(), 47, "{:?}", map.keys());
    for name in [
        "tooling",
        "search",
        "parameterizedSearch",
        "composite",
        "jobs",
        "sobjects",
        "support",
    ] {
        assert_eq!(map[name], format!("/services/data/v62.0/{name}"), "{name}");
    }
    let admin = org.state.org.admin().id.clone();
    let identity = map["identity"].as_str().unwrap();
    assert_eq!(
        identity,
        format!(
            "{}/id/{}/{admin}",
            org.state.base_url(),
            org.state.org.org_id
        )
    );
    // The identity URL answers with the session's user.
    let path = identity.strip_prefix(&org.state.base_url()).unwrap();
    let r = org.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["user_id"], admin);
}

#[tokio::test]
async fn missing_unknown_or_expired_tokens_get_invalid_session_id() {
    let org = Org::new(1);
    let no_auth = Request::get(format!("{V}/sobjects"))
        .body(Body::empty())
        .unwrap();
    let resp = devorg::app(org.state.clone())
        .oneshot(no_auth)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let bad = Org {
        state: org.state.clone(),
        token: "00Dxx!nope".into(),
    };
    let r = bad
        .get(&format!("{V}/query?q=SELECT+Id+FROM+Account"))
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID")
    );
    assert_eq!(r.body[0]["message"], "Session expired or invalid");
    org.state
        .tokens
        .lock()
        .expire_all_access(std::time::Instant::now());
    let r = org.get(&format!("{V}/sobjects")).await;
    assert_eq!(code(&r), "INVALID_SESSION_ID");
}

#[tokio::test]
async fn limits_report_daily_api_requests() {
    let org = Org::new(1);
    let r = org.get(&format!("{V}/limits")).await;
    assert_eq!(r.status, StatusCode::OK);
    let max = r.body["DailyApiRequests"]["Max"].as_u64().unwrap();
    let remaining = r.body["DailyApiRequests"]["Remaining"].as_u64().unwrap();
    assert_eq!(max, 15000);
    assert!(remaining < max, "this call itself counts");
    assert!(r.body["DataStorageMB"]["Max"].is_u64());
    let usage = r
        .headers
        .get("sforce-limit-info")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(usage.starts_with("api-usage="), "{usage}");
}

#[tokio::test]
async fn record_count_lists_live_records_per_object() {
    let org = Org::new(3);
    let id = org.create(json!({"Name": "Gone Soon"})).await;
    let r = org
        .call(
            Method::DELETE,
            &format!("{V}/sobjects/Account/{id}"),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = org
        .get(&format!("{V}/limits/recordCount?sObjects=account"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"sObjects": [{"count": 3, "name": "Account"}]})
    );
    assert!(r.headers.get("sforce-limit-info").is_some());
    // Unknown objects are ignored; without the parameter, every object.
    let r = org
        .get(&format!("{V}/limits/recordCount?sObjects=Contact,User"))
        .await;
    assert_eq!(r.body["sObjects"][0]["name"], "User");
    assert_eq!(r.body["sObjects"].as_array().unwrap().len(), 1);
    let r = org.get(&format!("{V}/limits/recordCount")).await;
    let names: Vec<&str> = r.body["sObjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Account", "RecordType", "User"]);
    // The resource exists from API 40.0.
    let r = org.get("/services/data/v39.0/limits/recordCount").await;
    assert_eq!((r.status, code(&r)), (StatusCode::NOT_FOUND, "NOT_FOUND"));
}

#[tokio::test]
async fn describe_global_and_account_describe() {
    let org = Org::new(1);
    let r = org.get(&format!("{V}/sobjects")).await;
    assert_eq!(r.body["maxBatchSize"], 200);
    let names: Vec<&str> = r.body["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // RecordType is in every org, as in Salesforce (with rows only where Account has record types).
    assert_eq!(names, ["Account", "RecordType", "User"]);
    let d = org
        .get(&format!("{V}/sobjects/Account/describe"))
        .await
        .body;
    let field = |name: &str| {
        d["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(field("Name")["length"], 255);
    assert_eq!(field("Name")["nillable"], false);
    assert_eq!(field("External_Id__c")["externalId"], true);
    assert_eq!(field("External_Id__c")["unique"], true);
    assert_eq!(field("Type")["picklistValues"][0]["value"], "Prospect");
    assert_eq!(field("OwnerId")["referenceTo"], json!(["User"]));
    assert_eq!(field("CreatedDate")["createable"], false);
    let u = org.get(&format!("{V}/sobjects/user/describe")).await;
    assert_eq!(u.body["name"], "User");
    let missing = org.get(&format!("{V}/sobjects/Widget__c/describe")).await;
    assert_eq!(
        (missing.status, code(&missing)),
        (StatusCode::NOT_FOUND, "NOT_FOUND")
    );
    let info = org.get(&format!("{V}/sobjects/Account")).await;
    assert_eq!(info.body["objectDescribe"]["keyPrefix"], "001");
    assert_eq!(info.body["recentItems"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn record_crud_round_trip() {
    let org = Org::new(0);
    let id = org
        .create(json!({"Name": "Acme", "Industry": "Energy", "NumberOfEmployees": 12}))
        .await;
    assert_eq!(id.len(), 18);
    assert!(id.starts_with("001"));
    let r = org
        .get(&format!("{V}/sobjects/Account/{}", &id[..15]))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body["attributes"],
        json!({"type": "Account", "url": format!("{V}/sobjects/Account/{id}")})
    );
    assert_eq!(r.body["Name"], "Acme");
    assert_eq!(r.body["OwnerId"], org.state.org.admin().id);
    assert!(r.body["CreatedDate"].as_str().unwrap().ends_with("+0000"));
    let r = org
        .get(&format!("{V}/sobjects/Account/{id}?fields=Name,Owner.Name"))
        .await;
    assert_eq!(r.body["Owner"]["Name"], "Devorg Admin");
    assert_eq!(r.body.as_object().unwrap().len(), 3);

    let r = org
        .send(
            Method::PATCH,
            &format!("{V}/sobjects/Account/{id}"),
            json!({"Phone": "(415) 555-0100"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = org
        .send(
            Method::POST,
            &format!("{V}/sobjects/Account/{id}?_HttpMethod=PATCH"),
            json!({"Rating": "Hot"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = org.get(&format!("{V}/sobjects/Account/{id}")).await;
    assert_eq!(
        (r.body["Phone"].as_str(), r.body["Rating"].as_str()),
        (Some("(415) 555-0100"), Some("Hot"))
    );

    assert_eq!(
        org.call(
            Method::DELETE,
            &format!("{V}/sobjects/Account/{id}"),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let r = org.get(&format!("{V}/sobjects/Account/{id}")).await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::NOT_FOUND, "ENTITY_IS_DELETED")
    );
    let r = org
        .call(
            Method::DELETE,
            &format!("{V}/sobjects/Account/{id}"),
            None,
            &[],
        )
        .await;
    assert_eq!(code(&r), "ENTITY_IS_DELETED");
    let r = org
        .send(
            Method::PATCH,
            &format!("{V}/sobjects/Account/{id}"),
            json!({"Name": "x"}),
        )
        .await;
    assert_eq!(code(&r), "ENTITY_IS_DELETED");
}

#[tokio::test]
async fn invalid_ids_in_urls_are_not_found() {
    let org = Org::new(1);
    let r = org.get(&format!("{V}/sobjects/Account/garbage")).await;
    assert_eq!((r.status, code(&r)), (StatusCode::NOT_FOUND, "NOT_FOUND"));
    assert!(r.body[0]["message"].as_str().unwrap().contains("garbage"));
    let user = org.state.org.admin().id.clone();
    assert_eq!(
        org.get(&format!("{V}/sobjects/Account/{user}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = org
        .get(&format!("{V}/sobjects/User/{user}?fields=Name,Username"))
        .await;
    assert_eq!(r.body["Username"], "admin@devorg.local");
    let unknown_field = org
        .get(&format!("{V}/sobjects/User/{user}?fields=Nope"))
        .await;
    assert_eq!(
        (unknown_field.status, code(&unknown_field)),
        (StatusCode::BAD_REQUEST, "INVALID_FIELD")
    );
}

#[tokio::test]
async fn write_errors_match_salesforce() {
    let org = Org::new(1);
    let url = format!("{V}/sobjects/Account");
    let post = |body: &str| {
        let body = body.to_string();
        let (org, url) = (&org, &url);
        async move { org.call(Method::POST, url, Some(&body), &[]).await }
    };
    let r = post(r#"{"Name": "x",}"#).await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR")
    );
    assert!(r.body[0]["message"]
        .as_str()
        .unwrap()
        .contains("[line:1, column:"));
    let r = post(r#"{"Name": "x", "Bogus__c": 1}"#).await;
    assert_eq!(code(&r), "INVALID_FIELD");
    assert_eq!(
        r.body[0]["message"],
        "No such column 'Bogus__c' on sobject of type Account"
    );
    let r = post(r#"{"Phone": "1"}"#).await;
    assert_eq!(
        r.body[0],
        json!({"errorCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [Name]", "fields": ["Name"]})
    );
    let long = "y".repeat(41);
    let r = post(&json!({"Name": "x", "BillingCity": long}).to_string()).await;
    assert_eq!(code(&r), "STRING_TOO_LONG");
    assert_eq!(
        r.body[0]["message"],
        format!("Billing City: data value too large: {long} (max length=40)")
    );
    assert_eq!(r.body[0]["fields"], json!(["BillingCity"]));
    let r = post(r#"{"Name": "x", "CreatedDate": "2020-01-01T00:00:00.000+0000"}"#).await;
    assert_eq!(code(&r), "INVALID_FIELD_FOR_INSERT_UPDATE");
    let r = post(r#"{"Name": "x", "Id": "001000000000000AAA"}"#).await;
    assert_eq!(
        r.body[0]["message"],
        "The Id field should not be specified in the sobject data."
    );
    let r = post(r#"{"Name": "x", "SLA_Expiration__c": "tomorrow"}"#).await;
    assert_eq!(code(&r), "JSON_PARSER_ERROR");
    let r = post(r#"{"Name": "x", "ParentId": "001nope"}"#).await;
    assert_eq!(code(&r), "MALFORMED_ID");
    let r = post(r#"{"Name": "x", "AnnualRevenue": -5}"#).await;
    assert_eq!(r.body[0]["errorCode"], "FIELD_CUSTOM_VALIDATION_EXCEPTION");
    assert_eq!(r.body[0]["fields"], json!(["AnnualRevenue"]));
    let r = post(r#"{"Name": "x", "External_Id__c": "ext-000001"}"#).await;
    assert_eq!(code(&r), "DUPLICATE_VALUE");
    assert!(r.body[0]["message"].as_str().unwrap().starts_with(
        "duplicate value found: External_Id__c duplicates value on record with id: 001"
    ));
    let r = post("[1,2]").await;
    assert_eq!(code(&r), "JSON_PARSER_ERROR");
    let r = post("").await;
    assert_eq!(code(&r), "JSON_PARSER_ERROR");
    let r = org
        .call(
            Method::PUT,
            &format!("{V}/sobjects/Account"),
            Some("{}"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let user = org.state.org.admin().id.clone();
    let r = org
        .send(
            Method::PATCH,
            &format!("{V}/sobjects/User/{user}"),
            json!({"FirstName": "X"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Nothing above was written.
    assert_eq!(org.state.store.read().len(), 1);
}

#[tokio::test]
async fn required_fields_cannot_be_set_to_null() {
    let org = Org::new(0);
    let id = org
        .create(json!({"Name": "Keeps Its Owner", "External_Id__c": "REQ-1"}))
        .await;
    let owner = org.state.org.admin().id.clone();
    for (body, field) in [
        (json!({"OwnerId": null}), "OwnerId"),
        (json!({"Name": null, "Phone": "1"}), "Name"),
        (json!({"Name": ""}), "Name"),
    ] {
        let r = org
            .send(
                Method::PATCH,
                &format!("{V}/sobjects/Account/{id}"),
                body.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            r.body,
            json!([{"message": format!("Required fields are missing: [{field}]"),
                    "errorCode": "REQUIRED_FIELD_MISSING", "fields": [field]}]),
            "{body}"
        );
    }
    let r = org
        .get(&format!(
            "{V}/sobjects/Account/{id}?fields=Name,OwnerId,Phone"
        ))
        .await;
    assert_eq!(
        (&r.body["Name"], &r.body["OwnerId"], &r.body["Phone"]),
        (&json!("Keeps Its Owner"), &json!(owner), &Value::Null)
    );
    // Both at once name both, in field order.
    let r = org
        .send(
            Method::PATCH,
            &format!("{V}/sobjects/Account/{id}"),
            json!({"OwnerId": null, "Name": null}),
        )
        .await;
    assert_eq!(r.body[0]["fields"], json!(["Name", "OwnerId"]));
    // Upsert (an update by external id) and sObject Collections refuse it the same way.
    let r = org
        .send(
            Method::PATCH,
            &format!("{V}/sobjects/Account/External_Id__c/REQ-1"),
            json!({"OwnerId": null}),
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::BAD_REQUEST, "REQUIRED_FIELD_MISSING")
    );
    let r = org
        .send(
            Method::PATCH,
            &format!("{V}/composite/sobjects"),
            json!({"records": [{"attributes": {"type": "Account"}, "id": id, "OwnerId": null}]}),
        )
        .await;
    assert_eq!(
        r.body,
        json!([{"id": id, "success": false, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [OwnerId]", "fields": ["OwnerId"]}]}])
    );
    let r = org
        .send(
            Method::PATCH,
            &format!("{V}/composite/sobjects/Account/External_Id__c"),
            json!({"records": [{"attributes": {"type": "Account"}, "External_Id__c": "REQ-1", "Name": null}]}),
        )
        .await;
    assert_eq!(r.body[0]["errors"][0]["fields"], json!(["Name"]));
    // A create that sends a null owner keeps the default owner (the session's user).
    let created = org
        .create(json!({"Name": "Null Owner", "OwnerId": null}))
        .await;
    let r = org
        .get(&format!("{V}/sobjects/Account/{created}?fields=OwnerId"))
        .await;
    assert_eq!(r.body["OwnerId"], owner);
}

#[tokio::test]
async fn huge_bodies_are_refused_without_harm() {
    let org = Org::new(1);
    let huge = format!(r#"{{"Name": "{}"}}"#, "z".repeat(11 * 1024 * 1024));
    let r = org
        .call(
            Method::POST,
            &format!("{V}/sobjects/Account"),
            Some(&huge),
            &[],
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::PAYLOAD_TOO_LARGE, "JSON_PARSER_ERROR")
    );
    let big_name = json!({"Name": "z".repeat(100_000)}).to_string();
    let r = org
        .call(
            Method::POST,
            &format!("{V}/sobjects/Account"),
            Some(&big_name),
            &[],
        )
        .await;
    assert_eq!(code(&r), "STRING_TOO_LONG");
    assert_eq!(org.state.store.read().len(), 1);
}

#[tokio::test]
async fn upsert_by_external_id_creates_updates_and_reports_multiples() {
    let org = Org::new(0);
    let url = format!("{V}/sobjects/Account/External_Id__c/EXT%2F42");
    let r = org
        .send(Method::PATCH, &url, json!({"Name": "Created"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["created"], true);
    let id = r.body["id"].as_str().unwrap().to_string();
    let r = org
        .get(&format!("{V}/sobjects/Account/{id}?fields=External_Id__c"))
        .await;
    assert_eq!(r.body["External_Id__c"], "EXT/42");
    let r = org
        .send(
            Method::PATCH,
            &url.to_lowercase()
                .replace("external_id__c", "External_Id__c"),
            json!({"Name": "Updated"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["created"].clone(), r.body["id"].clone()),
        (StatusCode::OK, json!(false), json!(id))
    );
    let old = org
        .send(
            Method::PATCH,
            &url.replace("v60.0", "v45.0"),
            json!({"Name": "Old API"}),
        )
        .await;
    assert_eq!(old.status, StatusCode::NO_CONTENT);
    let r = org.get(&url).await;
    assert_eq!(r.body["Name"], "Old API");

    org.create(json!({"Name": "A", "Legacy_Number__c": "L1"}))
        .await;
    org.create(json!({"Name": "B", "Legacy_Number__c": "L1"}))
        .await;
    let r = org
        .send(
            Method::PATCH,
            &format!("{V}/sobjects/Account/Legacy_Number__c/L1"),
            json!({"Name": "C"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::MULTIPLE_CHOICES);
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    assert!(r.body[0]
        .as_str()
        .unwrap()
        .starts_with(&format!("{V}/sobjects/Account/001")));

    let r = org
        .send(
            Method::PATCH,
            &format!("{V}/sobjects/Account/Name/Acme"),
            json!({"Phone": "1"}),
        )
        .await;
    assert_eq!((r.status, code(&r)), (StatusCode::NOT_FOUND, "NOT_FOUND"));
    let r = org
        .send(
            Method::PATCH,
            &format!("{V}/sobjects/Account/External_Id__c/NEW?updateOnly=true"),
            json!({"Name": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = org
        .send(
            Method::PATCH,
            &format!("{V}/sobjects/Account/External_Id__c/NEW2"),
            json!({"Phone": "1"}),
        )
        .await;
    assert_eq!(code(&r), "REQUIRED_FIELD_MISSING");
    assert_eq!(
        org.call(Method::DELETE, &url, None, &[]).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(org.get(&url).await.status, StatusCode::NOT_FOUND);
    let r = org
        .send(
            Method::POST,
            &format!("{V}/sobjects/Account/Id"),
            json!({"Name": "Via Id"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
}

#[tokio::test]
async fn query_shapes_relationships_and_count() {
    let org = Org::new(30);
    let parent = org.create(json!({"Name": "Parent Co"})).await;
    let child = org
        .create(json!({"Name": "Child Co", "ParentId": parent}))
        .await;
    let r = org
        .query(&format!(
            "SELECT Id, Name, Owner.Name, Parent.Name FROM Account WHERE Id = '{child}'"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["totalSize"], 1);
    assert_eq!(r.body["done"], true);
    assert!(r.body.get("nextRecordsUrl").is_none());
    let rec = &r.body["records"][0];
    assert_eq!(rec["attributes"]["type"], "Account");
    assert_eq!(rec["Owner"]["attributes"]["type"], "User");
    assert_eq!(rec["Owner"]["Name"], "Devorg Admin");
    assert_eq!(rec["Parent"]["Name"], "Parent Co");
    let r = org
        .query(&format!(
            "SELECT Parent.Name FROM Account WHERE Id = '{parent}'"
        ))
        .await;
    assert_eq!(r.body["records"][0]["Parent"], Value::Null);

    let r = org.query("SELECT COUNT() FROM Account").await;
    assert_eq!(
        r.body,
        json!({"totalSize": 32, "done": true, "records": []})
    );
    let r = org
        .query("SELECT Name FROM Account WHERE Name LIKE 'O\\'Reilly%'")
        .await;
    assert_eq!(r.body["records"][0]["Name"], "O'Reilly Media");
    let r = org.query("SELECT Id, Username, Name FROM User").await;
    assert_eq!(r.body["records"][0]["Username"], "admin@devorg.local");

    org.call(
        Method::DELETE,
        &format!("{V}/sobjects/Account/{child}"),
        None,
        &[],
    )
    .await;
    let q = format!("SELECT Id, IsDeleted FROM Account WHERE Id = '{child}'");
    assert_eq!(org.query(&q).await.body["totalSize"], 0);
    let r = org.get(&format!("{V}/queryAll?q={}", encode(&q))).await;
    assert_eq!(r.body["records"][0]["IsDeleted"], true);
}

#[tokio::test]
async fn broken_soql_gets_salesforce_errors() {
    let org = Org::new(1);
    for (q, expected) in [
        ("SELEKT Id FROM Account", "MALFORMED_QUERY"),
        ("SELECT Nope__c FROM Account", "INVALID_FIELD"),
        ("SELECT Id FROM Widget__c", "INVALID_TYPE"),
        ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Account WHERE Name = 'unterminated",
            "MALFORMED_QUERY",
        ),
    ] {
        let r = org.query(q).await;
        assert_eq!(
            (r.status, code(&r)),
            (StatusCode::BAD_REQUEST, expected),
            "{q}: {}",
            r.body
        );
    }
    let r = org.get(&format!("{V}/query")).await;
    assert_eq!(code(&r), "MALFORMED_QUERY");
    let r = org.get(&format!("{V}/query/01gnothing-2000")).await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::BAD_REQUEST, "INVALID_QUERY_LOCATOR")
    );
}

#[tokio::test]
async fn paging_walks_every_account_exactly_once() {
    let org = Org::new(2500);
    let first = org
        .call(
            Method::GET,
            &format!(
                "{V}/query?q={}",
                encode("SELECT Id, Name FROM Account ORDER BY Name")
            ),
            None,
            &[("Sforce-Query-Options", "batchSize=200")],
        )
        .await;
    assert_eq!(first.body["totalSize"], 2500);
    let mut seen = std::collections::HashSet::new();
    let mut page = first.body;
    let mut pages = 0;
    let mut last_name = String::new();
    loop {
        pages += 1;
        let records = page["records"].as_array().unwrap();
        assert!(records.len() <= 200);
        for rec in records {
            assert!(
                seen.insert(rec["Id"].as_str().unwrap().to_string()),
                "duplicate id"
            );
            let name = rec["Name"].as_str().unwrap().to_lowercase();
            assert!(name >= last_name, "ORDER BY Name holds across pages");
            last_name = name;
        }
        if page["done"] == true {
            assert!(page.get("nextRecordsUrl").is_none());
            break;
        }
        let next = page["nextRecordsUrl"].as_str().unwrap().to_string();
        assert!(next.starts_with(&format!("{V}/query/01g")));
        page = org.get(&next).await.body;
    }
    assert_eq!((seen.len(), pages), (2500, 13));
    let default = org.query("SELECT Id FROM Account").await;
    assert_eq!(default.body["records"].as_array().unwrap().len(), 2000);
}

/// Every id of a query, through all its pages.
async fn all_ids(org: &Org, soql: &str) -> Vec<String> {
    let mut page = org.query(soql).await.body;
    let mut ids = vec![];
    loop {
        for rec in page["records"].as_array().expect("records") {
            ids.push(rec["Id"].as_str().unwrap().to_string());
        }
        match page["nextRecordsUrl"].as_str() {
            Some(next) => page = org.get(next).await.body,
            None => return ids,
        }
    }
}

#[tokio::test]
async fn order_by_name_from_the_index_matches_the_general_sort_through_writes() {
    let org = Org::new(2300);
    // Ties in different cases, a non-ASCII name, then an update, a delete and a rename.
    let a = org.create(json!({"Name": "Zeta Twin"})).await;
    org.create(json!({"Name": "zeta twin"})).await;
    org.create(json!({"Name": "Ærø Shipping"})).await;
    let aaa = org.create(json!({"Name": "aaa first"})).await;
    let renamed = org.create(json!({"Name": "Middle"})).await;
    let r = org
        .send(
            Method::PATCH,
            &format!("{V}/sobjects/Account/{renamed}"),
            json!({"Name": "AAA now first"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = org
        .send(
            Method::DELETE,
            &format!("{V}/sobjects/Account/{a}"),
            json!(null),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // A rolled-back batch (allOrNone, second record invalid) leaves the index as it was.
    let r = org
        .send(
            Method::POST,
            &format!("{V}/composite/sobjects"),
            json!({"allOrNone": true, "records": [
                {"attributes": {"type": "Account"}, "Name": "0 rolled back"},
                {"attributes": {"type": "Account"}}
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    for (indexed, general) in [
        (
            "SELECT Id FROM Account ORDER BY Name",
            "SELECT Id FROM Account WHERE Id != null ORDER BY Name",
        ),
        (
            "SELECT Id FROM Account ORDER BY Name DESC",
            "SELECT Id FROM Account WHERE Id != null ORDER BY Name DESC",
        ),
        (
            "SELECT Id FROM Account ORDER BY Name ASC NULLS LAST",
            "SELECT Id FROM Account WHERE Id != null ORDER BY Name ASC NULLS LAST",
        ),
        (
            "SELECT Id FROM Account ORDER BY Name DESC NULLS FIRST",
            "SELECT Id FROM Account WHERE Id != null ORDER BY Name DESC NULLS FIRST",
        ),
        (
            "SELECT Id FROM Account ORDER BY Name LIMIT 50 OFFSET 7",
            "SELECT Id FROM Account WHERE Id != null ORDER BY Name LIMIT 50 OFFSET 7",
        ),
    ] {
        let fast = all_ids(&org, indexed).await;
        let slow = all_ids(&org, general).await;
        assert_eq!(fast, slow, "{indexed}");
    }
    // Equal names (case aside) keep creation order; the renamed account moved; the deleted one left.
    let order = all_ids(&org, "SELECT Id FROM Account ORDER BY Name").await;
    let at = |id: &str| order.iter().position(|x| x == id);
    assert!(
        at(&aaa).unwrap() < at(&renamed).unwrap(),
        "aaa first, then AAA now first"
    );
    assert_eq!(at(&a), None, "a deleted account is not listed");
    assert_eq!(order.len(), 2300 + 4);
}

#[tokio::test]
async fn collections_create_update_upsert_delete_retrieve() {
    let org = Org::new(0);
    let url = format!("{V}/composite/sobjects");
    let r = org
        .send(
            Method::POST,
            &url,
            json!({"allOrNone": false, "records": [
                {"attributes": {"type": "Account"}, "Name": "One"},
                {"attributes": {"type": "Account"}, "Phone": "no name"},
                {"attributes": {"type": "Account"}, "Name": "Two"}
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body[0]["success"], true);
    assert_eq!(r.body[1]["success"], false);
    assert_eq!(
        r.body[1]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    let one = r.body[0]["id"].as_str().unwrap().to_string();
    let two = r.body[2]["id"].as_str().unwrap().to_string();

    let r = org
        .send(
            Method::PATCH,
            &url,
            json!({"allOrNone": true, "records": [
                {"attributes": {"type": "Account"}, "id": one, "Name": "One!"},
                {"attributes": {"type": "Account"}, "id": two, "Name": ""}
            ]}),
        )
        .await;
    assert_eq!(
        r.body[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(
        r.body[1]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    assert_eq!(
        org.get(&format!("{V}/sobjects/Account/{one}")).await.body["Name"],
        "One",
        "rolled back"
    );

    let r = org
        .send(
            Method::PATCH,
            &format!("{url}/Account/External_Id__c"),
            json!({"allOrNone": false, "records": [
                {"attributes": {"type": "Account"}, "External_Id__c": "U-1", "Name": "Up One"},
                {"attributes": {"type": "Account"}, "Name": "no key"}
            ]}),
        )
        .await;
    assert_eq!(
        (r.body[0]["created"].clone(), r.body[1]["success"].clone()),
        (json!(true), json!(false))
    );
    let r = org
        .send(
            Method::PATCH,
            &format!("{url}/Account/External_Id__c"),
            json!({"records": [
                {"attributes": {"type": "Account"}, "External_Id__c": "u-1", "Name": "Up One again"}
            ]}),
        )
        .await;
    assert_eq!(r.body[0]["created"], false);
    let r = org
        .send(
            Method::PATCH,
            &format!("{url}/Account/Name"),
            json!({"records": []}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = org
        .get(&format!(
            "{url}/Account?ids={one},{two},001000000000000AAA&fields=Id,Name"
        ))
        .await;
    assert_eq!(r.body[0]["Name"], "One");
    assert_eq!(r.body[2], Value::Null);

    let r = org
        .call(
            Method::DELETE,
            &format!("{url}?ids={one},{two}&allOrNone=false"),
            None,
            &[],
        )
        .await;
    assert_eq!(r.body[0], json!({"id": one, "success": true, "errors": []}));
    let r = org
        .call(Method::DELETE, &format!("{url}?ids={one}"), None, &[])
        .await;
    assert_eq!(r.body[0]["errors"][0]["statusCode"], "ENTITY_IS_DELETED");

    let many: Vec<Value> = (0..201)
        .map(|i| json!({"attributes": {"type": "Account"}, "Name": format!("N{i}")}))
        .collect();
    let r = org.send(Method::POST, &url, json!({"records": many})).await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::BAD_REQUEST, "EXCEEDED_ID_LIMIT")
    );
    let r = org.call(Method::POST, &url, Some("{nope"), &[]).await;
    assert_eq!(code(&r), "JSON_PARSER_ERROR");
}

#[tokio::test]
async fn collections_honour_injected_failures() {
    let org = Org::new(0);
    org.state.faults.set_collection_failures(vec![1]);
    let r = org
        .send(
            Method::POST,
            &format!("{V}/composite/sobjects"),
            json!({"allOrNone": true, "records": [
                {"attributes": {"type": "Account"}, "Name": "A"},
                {"attributes": {"type": "Account"}, "Name": "B"}
            ]}),
        )
        .await;
    assert_eq!(
        r.body[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(r.body[1]["success"], false);
    assert_eq!(org.state.store.read().len(), 0);
}

#[tokio::test]
async fn apex_rest_endpoints_behave_like_their_apex() {
    let org = Org::new(0);
    let r = org
        .send(Method::POST, "/services/apexrest/createAccountRecord", json!([
            {"Name": "From Org A", "Description": "d", "Type": "Prospect", "Industry": "Energy"},
            {"Name": "Second", "attributes": {"type": "Account"}}
        ]))
        .await;
    assert_eq!(
        (r.status, r.body.clone()),
        (StatusCode::OK, json!("Success"))
    );
    assert_eq!(org.state.store.read().len(), 2);
    let r = org
        .send(
            Method::POST,
            "/services/apexrest/createAccountRecord",
            json!([{"Name": "ok"}, {"Description": "no name"}]),
        )
        .await;
    assert_eq!(r.body, json!("Failure"));
    assert_eq!(
        org.state.store.read().len(),
        2,
        "one DML statement: all or none"
    );
    let r = org
        .call(
            Method::POST,
            "/services/apexrest/createAccountRecord",
            Some("{bad"),
            &[],
        )
        .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::INTERNAL_SERVER_ERROR, "APEX_ERROR")
    );

    let r = org
        .send(
            Method::POST,
            "/services/apexrest/arrify/v1/accounts",
            json!({"Name": "Arrify"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["success"], true);
    assert_eq!(r.body["accountName"], "Arrify");
    assert_eq!(r.body["message"], "Account created successfully");
    assert!(r.body["accountId"].as_str().unwrap().starts_with("001"));
    let r = org
        .send(
            Method::POST,
            "/services/apexrest/arrify/v1/accounts",
            json!({"Name": " "}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["message"].clone()),
        (StatusCode::BAD_REQUEST, json!("Account Name is required"))
    );
    let r = org
        .call(
            Method::POST,
            "/services/apexrest/arrify/v1/accounts",
            Some(""),
            &[],
        )
        .await;
    assert_eq!(r.body["message"], "Request body is empty");
    let r = org
        .send(
            Method::POST,
            "/services/apexrest/arrify/v1/accounts",
            json!({"Name": "x".repeat(300)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.body["message"]
        .as_str()
        .unwrap()
        .starts_with("Database error: Account Name: data value too large"));
    let r = org
        .send(Method::POST, "/services/apexrest/nothing/here", json!({}))
        .await;
    assert_eq!((r.status, code(&r)), (StatusCode::NOT_FOUND, "NOT_FOUND"));
    assert_eq!(
        r.body[0]["message"],
        "Could not find a match for URL /nothing/here"
    );
    let r = org
        .call(
            Method::GET,
            "/services/apexrest/arrify/v1/accounts",
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}
