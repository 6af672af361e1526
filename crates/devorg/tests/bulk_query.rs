//! Bulk API 2.0 query jobs, in-process: background run, CSV results paged by `Sforce-Locator`,
//! `resultPages`, abort, delete, list, refused SOQL and the documented errors.

mod bulk_support;

use axum::http::{Method, StatusCode};
use bulk_support::{Org, Reply, V};
use serde_json::{json, Value};

fn jobs(v: &str) -> String {
    format!("{v}/jobs/query")
}

fn job(id: &str) -> String {
    format!("{V}/jobs/query/{id}")
}

async fn create(org: &Org, spec: Value) -> Reply {
    org.json(Method::POST, &jobs(V), spec).await
}

/// Creates a query job and waits for it: its id and final info.
async fn run(org: &Org, spec: Value) -> (String, Value) {
    let r = create(org, spec).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let id = r.json["id"].as_str().unwrap().to_string();
    let (info, _) = org.wait(&job(&id)).await;
    (id, info)
}

async fn results(org: &Org, id: &str, query: &str) -> Reply {
    let r = org.get(&format!("{}/results{query}", job(id))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r
}

async fn create_account(org: &Org, body: Value) -> String {
    let r = org
        .json(Method::POST, &format!("{V}/sobjects/Account"), body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_query_job_runs_in_the_background_and_its_results_are_csv() {
    let org = Org::new(0);
    let alpha = create_account(&org, json!({"Name": "Alpha", "Phone": "111"})).await;
    let beta = create_account(
        &org,
        json!({"Name": "Beta \"B\", Ltd", "NumberOfEmployees": 5}),
    )
    .await;
    let r = create(&org, json!({"operation": "query", "query": "SELECT Id, Name, Phone, NumberOfEmployees, Owner.Name FROM Account ORDER BY Name"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let id = r.json["id"].as_str().unwrap().to_string();
    assert_eq!(
        (
            r.json["state"].as_str(),
            r.json["object"].as_str(),
            r.json["operation"].as_str()
        ),
        (Some("UploadComplete"), Some("Account"), Some("query"))
    );
    assert_eq!(r.json["apiVersion"].as_f64(), Some(60.0));
    assert_eq!(
        (&r.json["columnDelimiter"], &r.json["lineEnding"]),
        (&json!("COMMA"), &json!("LF"))
    );
    let (info, seen) = org.wait(&job(&id)).await;
    assert_eq!(seen, ["UploadComplete", "InProgress", "JobComplete"]);
    assert_eq!(
        (
            info["jobType"].as_str(),
            info["numberRecordsProcessed"].as_u64(),
            info["retries"].as_u64()
        ),
        (Some("V2Query"), Some(2), Some(0))
    );
    assert_eq!(info["isPkChunkingSupported"], true);
    let r = results(&org, &id, "").await;
    assert_eq!(r.header("content-type"), Some("text/csv"));
    assert_eq!(r.header("sforce-locator"), Some("null"));
    assert_eq!(r.header("sforce-numberofrecords"), Some("2"));
    // SELECT order, relationship columns dotted, every value quoted, null as an empty value.
    assert_eq!(
        r.text,
        format!(
            "\"Id\",\"Name\",\"Phone\",\"NumberOfEmployees\",\"Owner.Name\"\n\
             \"{alpha}\",\"Alpha\",\"111\",\"\",\"Devorg Admin\"\n\
             \"{beta}\",\"Beta \"\"B\"\", Ltd\",\"\",\"5\",\"Devorg Admin\"\n"
        )
    );
}

#[tokio::test]
async fn results_are_paged_by_locator_and_max_records() {
    let org = Org::new(25);
    let expected: Vec<String> = org
        .query("SELECT Id FROM Account ORDER BY Name", false)
        .await
        .iter()
        .map(|r| r["Id"].as_str().unwrap().to_string())
        .collect();
    let (id, info) = run(
        &org,
        json!({"operation": "query", "query": "SELECT Id FROM Account ORDER BY Name"}),
    )
    .await;
    assert_eq!(info["numberRecordsProcessed"], 25);
    let mut got: Vec<String> = vec![];
    let mut locators = vec![];
    let mut query = "?maxRecords=10".to_string();
    loop {
        let r = results(&org, &id, &query).await;
        let mut lines = r.text.lines();
        assert_eq!(lines.next(), Some("\"Id\""), "each page has the header row");
        let rows: Vec<String> = lines.map(|l| l.trim_matches('"').to_string()).collect();
        assert_eq!(
            r.header("sforce-numberofrecords"),
            Some(rows.len().to_string().as_str())
        );
        got.extend(rows);
        let locator = r.header("sforce-locator").unwrap().to_string();
        locators.push(locator.clone());
        if locator == "null" {
            break;
        }
        query = format!("?locator={locator}&maxRecords=10");
    }
    assert_eq!(got, expected);
    assert_eq!(locators, ["MTA", "MjA", "null"]);
    // A locator can be used again while the job exists.
    let again = results(&org, &id, "?locator=MjA").await;
    assert_eq!(again.header("sforce-numberofrecords"), Some("5"));
    // jsforce asks for later pages at `…/jobs/query//{id}/results?locator=…`.
    let r = org
        .get(&format!("{V}/jobs/query//{id}/results?locator=MjA"))
        .await;
    assert_eq!(
        (r.status, r.header("sforce-locator")),
        (StatusCode::OK, Some("null"))
    );
    let r = org
        .get(&format!("{}/results?locator=bogus", job(&id)))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "INVALID_QUERY_LOCATOR")
    );
    let r = org.get(&format!("{}/results?maxRecords=0", job(&id))).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "API_ERROR"));
}

#[tokio::test]
async fn results_follow_the_jobs_delimiter_and_line_ending() {
    let org = Org::new(0);
    create_account(&org, json!({"Name": "A|B", "Phone": "1"})).await;
    let (id, _) = run(
        &org,
        json!({"operation": "query", "query": "SELECT Name, Phone FROM Account", "columnDelimiter": "PIPE", "lineEnding": "CRLF"}),
    )
    .await;
    assert_eq!(
        results(&org, &id, "").await.text,
        "\"Name\"|\"Phone\"\r\n\"A|B\"|\"1\"\r\n"
    );
}

#[tokio::test]
async fn query_all_includes_deleted_records() {
    let org = Org::new(0);
    let gone = create_account(&org, json!({"Name": "Gone"})).await;
    create_account(&org, json!({"Name": "Here"})).await;
    org.call(
        Method::DELETE,
        &format!("{V}/sobjects/Account/{gone}"),
        None,
        "",
        &[],
    )
    .await;
    let q = "SELECT Name, IsDeleted FROM Account ORDER BY Name";
    let (id, _) = run(&org, json!({"operation": "query", "query": q})).await;
    assert_eq!(
        results(&org, &id, "").await.text,
        "\"Name\",\"IsDeleted\"\n\"Here\",\"false\"\n"
    );
    let (id, info) = run(&org, json!({"operation": "queryAll", "query": q})).await;
    assert_eq!(info["operation"], "queryAll");
    assert_eq!(
        results(&org, &id, "").await.text,
        "\"Name\",\"IsDeleted\"\n\"Gone\",\"true\"\n\"Here\",\"false\"\n"
    );
}

#[tokio::test]
async fn soql_bulk_api_cannot_run_is_refused_at_create() {
    let org = Org::new(1);
    let refused = [
        (
            "SELECT COUNT() FROM Account",
            "Aggregate functions such as COUNT() are not supported by Bulk API 2.0 queries",
        ),
        (
            "SELECT Industry FROM Account GROUP BY Industry",
            "GROUP BY is not supported by Bulk API 2.0 queries",
        ),
        (
            "SELECT MAX(NumberOfEmployees) FROM Account",
            "Aggregate functions such as MAX() are not supported by Bulk API 2.0 queries",
        ),
        (
            "SELECT Id FROM Account ORDER BY Name LIMIT 10 OFFSET 5",
            "OFFSET is not supported by Bulk API 2.0 queries",
        ),
        (
            "SELECT Id, (SELECT Id FROM ChildAccounts) FROM Account",
            "Aggregate Relationships not supported in Bulk V2 Query with CSV content type.",
        ),
        (
            "SELECT TYPEOF Owner WHEN User THEN Name END FROM Account",
            "TYPEOF is not supported by Bulk API 2.0 queries",
        ),
        (
            "SELECT Id, BillingAddress FROM Account",
            "Selecting compound data not supported in Bulk Query",
        ),
    ];
    for (q, message) in refused {
        let r = create(&org, json!({"operation": "query", "query": q})).await;
        assert_eq!(
            (r.status, r.code(), r.message()),
            (StatusCode::BAD_REQUEST, "API_ERROR", message),
            "{q}"
        );
    }
    // Words in string literals are only values.
    let (_, info) = run(&org, json!({"operation": "query", "query": "SELECT Id FROM Account WHERE Name != 'GROUP BY (SELECT COUNT('"})).await;
    assert_eq!(info["state"], "JobComplete");
    let r = create(
        &org,
        json!({"operation": "query", "query": "SELECT Id FROM"}),
    )
    .await;
    assert_eq!(r.code(), "MALFORMED_QUERY");
    let r = create(
        &org,
        json!({"operation": "query", "query": "SELECT Id FROM Nope__c"}),
    )
    .await;
    assert_eq!(r.code(), "INVALID_TYPE");
    let r = create(
        &org,
        json!({"operation": "query", "query": "SELECT Nope__c FROM Account"}),
    )
    .await;
    assert_eq!(r.code(), "INVALID_FIELD");
    let r = create(&org, json!({"operation": "query"})).await;
    assert_eq!(
        r.message(),
        "Invalid value: '' supplied for property: 'query'"
    );
    let r = create(
        &org,
        json!({"operation": "select", "query": "SELECT Id FROM Account"}),
    )
    .await;
    assert_eq!(
        r.message(),
        "Invalid value: 'select' supplied for property: 'operation'"
    );
    // Query jobs exist from v47.0.
    let r = org
        .json(
            Method::POST,
            &jobs("/services/data/v46.0"),
            json!({"operation": "query", "query": "SELECT Id FROM Account"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn abort_and_delete_follow_the_job_state() {
    let org = Org::new(3);
    let r = create(
        &org,
        json!({"operation": "query", "query": "SELECT Id FROM Account"}),
    )
    .await;
    let id = r.json["id"].as_str().unwrap().to_string();
    // Before the background task has run, the job is UploadComplete: not deletable, abortable.
    let r = org.call(Method::DELETE, &job(&id), None, "", &[]).await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (
            StatusCode::BAD_REQUEST,
            "API_ERROR",
            "Error encountered when deleting the job because the job is not terminated"
        )
    );
    let r = org
        .json(Method::PATCH, &job(&id), json!({"state": "Aborted"}))
        .await;
    assert_eq!(
        (r.status, r.json["state"].as_str()),
        (StatusCode::OK, Some("Aborted"))
    );
    let (info, _) = org.wait(&job(&id)).await;
    assert_eq!(info["state"], "Aborted", "an aborted job stays aborted");
    let r = org.get(&format!("{}/results", job(&id))).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "INVALIDJOBSTATE")
    );
    let r = org.call(Method::DELETE, &job(&id), None, "", &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = org.get(&job(&id)).await;
    assert_eq!(
        r.json,
        json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
    );

    let (id, _) = run(
        &org,
        json!({"operation": "query", "query": "SELECT Id FROM Account"}),
    )
    .await;
    let r = org
        .json(Method::PATCH, &job(&id), json!({"state": "Aborted"}))
        .await;
    assert_eq!(
        r.json,
        json!([{"errorCode": "INVALIDJOBSTATE", "message": "Aborting already Completed Job not allowed"}])
    );
    assert_eq!(
        org.call(Method::DELETE, &job(&id), None, "", &[])
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn results_are_read_with_the_jobs_api_version() {
    let org = Org::new(2);
    let (id, _) = run(
        &org,
        json!({"operation": "query", "query": "SELECT Id FROM Account"}),
    )
    .await;
    let r = org
        .get(&format!("/services/data/v61.0/jobs/query/{id}/results"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        org.get(&format!("{}/results", job(&id))).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn result_pages_give_locators_in_the_body_from_v58() {
    let org = Org::new(12);
    let v = "/services/data/v60.0";
    let (id, _) = run(
        &org,
        json!({"operation": "query", "query": "SELECT Id FROM Account ORDER BY Id"}),
    )
    .await;
    let r = org
        .get(&format!("{v}/jobs/query/{id}/resultPages?maxRecords=2"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let urls: Vec<String> = r.json["resultPages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["resultUrl"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(urls.len(), 5);
    assert_eq!(urls[0], format!("{v}/jobs/query/{id}/results?maxRecords=2"));
    assert_eq!(
        urls[1],
        format!("{v}/jobs/query/{id}/results?locator=Mg&maxRecords=2")
    );
    assert_eq!(r.json["done"], false);
    let next = r.json["nextRecordsUrl"].as_str().unwrap();
    assert_eq!(
        next,
        format!("{v}/jobs/query/{id}/resultpages?locator=MTA&maxRecords=2")
    );
    let r2 = org.get(next).await;
    assert_eq!(
        (r2.json["done"].as_bool(), &r2.json["nextRecordsUrl"]),
        (Some(true), &Value::Null)
    );
    let mut all = urls.clone();
    all.extend(
        r2.json["resultPages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["resultUrl"].as_str().unwrap().to_string()),
    );
    let mut rows = 0;
    for url in &all {
        let page = org.get(url).await;
        assert_eq!(page.status, StatusCode::OK);
        rows += page.text.lines().count() - 1;
    }
    assert_eq!((all.len(), rows), (6, 12));
    let r = org
        .get(&format!("/services/data/v57.0/jobs/query/{id}/resultPages"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn query_jobs_are_listed_and_counted_in_limits() {
    let org = Org::new(1);
    let before = org.get(&format!("{V}/limits")).await.json;
    assert_eq!(
        before["DailyBulkV2QueryJobs"],
        json!({"Max": 10000, "Remaining": 10000})
    );
    let (a, _) = run(
        &org,
        json!({"operation": "query", "query": "SELECT Id FROM Account"}),
    )
    .await;
    let (b, _) = run(
        &org,
        json!({"operation": "queryAll", "query": "SELECT Id FROM Account"}),
    )
    .await;
    let r = org.get(&jobs(V)).await;
    let ids: Vec<&str> = r.json["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a.as_str(), b.as_str()]);
    assert_eq!(
        (r.json["done"].as_bool(), &r.json["nextRecordsUrl"]),
        (Some(true), &Value::Null)
    );
    assert_eq!(r.json["records"][0]["jobType"], "V2Query");
    assert_eq!(
        org.get(&format!("{}?jobType=V2Ingest", jobs(V))).await.json["records"],
        json!([])
    );
    let after = org.get(&format!("{V}/limits")).await.json;
    assert_eq!(after["DailyBulkV2QueryJobs"]["Remaining"], 9998);
    assert_eq!(
        after["DailyBulkV2QueryFileStorageMB"]["Remaining"],
        976562 - 1,
        "results round up to a MB"
    );
}

#[tokio::test]
async fn browsers_cannot_read_the_locator_headers() {
    let org = Org::new(1);
    let (id, _) = run(
        &org,
        json!({"operation": "query", "query": "SELECT Id FROM Account"}),
    )
    .await;
    let r = org
        .call(
            Method::GET,
            &format!("{}/results", job(&id)),
            None,
            "",
            &[("Origin", "http://localhost:8080")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:8080")
    );
    // Salesforce documents no exposure of Sforce-Locator: browser code must page with resultPages.
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("Sforce-Limit-Info")
    );
    assert!(r.header("sforce-locator").is_some());
}
