//! Bulk API 2.0 ingest jobs, in-process: every operation, state, result file and documented error.

mod bulk_support;

use axum::http::{Method, StatusCode};
use bulk_support::{Org, Reply, V};
use serde_json::{json, Value};

fn jobs() -> String {
    format!("{V}/jobs/ingest")
}

fn job(id: &str) -> String {
    format!("{V}/jobs/ingest/{id}")
}

async fn create(org: &Org, spec: Value) -> String {
    let r = org.json(Method::POST, &jobs(), spec).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["id"].as_str().unwrap().to_string()
}

async fn upload(org: &Org, id: &str, csv: &str) -> Reply {
    org.call(
        Method::PUT,
        &format!("{}/batches", job(id)),
        Some("text/csv"),
        csv.to_string(),
        &[],
    )
    .await
}

async fn close(org: &Org, id: &str) -> Reply {
    org.json(Method::PATCH, &job(id), json!({"state": "UploadComplete"}))
        .await
}

async fn abort(org: &Org, id: &str) -> Reply {
    org.json(Method::PATCH, &job(id), json!({"state": "Aborted"}))
        .await
}

/// Creates, uploads, closes and waits: the job's id and final info.
async fn run(org: &Org, spec: Value, csv: &str) -> (String, Value) {
    let id = create(org, spec).await;
    let r = upload(org, &id, csv).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = close(org, &id).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (info, _) = org.wait(&job(&id)).await;
    (id, info)
}

async fn file(org: &Org, id: &str, which: &str) -> String {
    let r = org.get(&format!("{}/{which}", job(id))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("text/csv;charset=UTF-8"));
    r.text
}

async fn create_account(org: &Org, body: Value) -> String {
    let r = org
        .json(Method::POST, &format!("{V}/sobjects/Account"), body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json["id"].as_str().unwrap().to_string()
}

async fn account_id(org: &Org, name: &str) -> String {
    let records = org
        .query(
            &format!(
                "SELECT Id FROM Account WHERE Name = '{}'",
                name.replace('\'', "\\'")
            ),
            false,
        )
        .await;
    assert_eq!(records.len(), 1, "{name}");
    records[0]["Id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn insert_runs_in_the_background_and_reports_each_record() {
    let org = Org::new(0);
    let r = org
        .json(
            Method::POST,
            &jobs(),
            json!({"object": "Account", "operation": "insert"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let id = r.json["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("750") && id.len() == 18, "{id}");
    let info = &r.json;
    assert_eq!(info["state"], "Open");
    assert_eq!(info["object"], "Account");
    assert_eq!(info["operation"], "insert");
    assert_eq!(info["apiVersion"].as_f64(), Some(60.0));
    assert!(r.text.contains("\"apiVersion\":60.0"), "{}", r.text);
    assert_eq!(
        info["contentUrl"],
        format!("services/data/v60.0/jobs/ingest/{id}/batches")
    );
    assert_eq!(info["createdById"], org.state.org.admin().id.as_str());
    assert_eq!(
        (
            &info["concurrencyMode"],
            &info["contentType"],
            &info["lineEnding"],
            &info["columnDelimiter"],
            &info["jobType"]
        ),
        (
            &json!("Parallel"),
            &json!("CSV"),
            &json!("LF"),
            &json!("COMMA"),
            &json!("V2Ingest")
        )
    );
    // Counters are absent while the job is Open.
    let open = org.get(&job(&id)).await.json;
    assert_eq!(open["state"], "Open");
    assert!(open.get("numberRecordsProcessed").is_none(), "{open}");
    assert!(open.get("externalIdFieldName").is_none());

    let csv = "Name,Phone,NumberOfEmployees\nAcme,555-1,10\n\"Quote \"\"Co\"\", Inc\",,\n,555,3\n";
    let r = upload(&org, &id, csv).await;
    assert_eq!((r.status, r.text.as_str()), (StatusCode::CREATED, ""));
    let r = close(&org, &id).await;
    assert_eq!(r.json["state"], "UploadComplete");
    let (info, seen) = org.wait(&job(&id)).await;
    assert_eq!(seen, ["UploadComplete", "InProgress", "JobComplete"]);
    assert_eq!(info["numberRecordsProcessed"], 3);
    assert_eq!(info["numberRecordsFailed"], 1);
    assert_eq!(info["retries"], 0);
    assert!(info["totalProcessingTime"].is_u64() && info["apiActiveProcessingTime"].is_u64());

    let acme = account_id(&org, "Acme").await;
    let quoted = account_id(&org, "Quote \"Co\", Inc").await;
    assert_eq!(
        file(&org, &id, "successfulResults").await,
        format!(
            "\"sf__Id\",\"sf__Created\",\"Name\",\"Phone\",\"NumberOfEmployees\"\n\
             \"{acme}\",\"true\",\"Acme\",\"555-1\",\"10\"\n\
             \"{quoted}\",\"true\",\"Quote \"\"Co\"\", Inc\",\"\",\"\"\n"
        )
    );
    assert_eq!(
        file(&org, &id, "failedResults").await,
        "\"sf__Id\",\"sf__Error\",\"Name\",\"Phone\",\"NumberOfEmployees\"\n\
         \"\",\"REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --\",\"\",\"555\",\"3\"\n"
    );
    assert_eq!(
        file(&org, &id, "unprocessedrecords").await,
        "\"Name\",\"Phone\",\"NumberOfEmployees\"\n"
    );
    // Written as the REST API writes: the session's user owns it, system fields are set.
    let rec = &org
        .query("SELECT Phone, NumberOfEmployees, OwnerId, SystemModstamp FROM Account WHERE Name = 'Acme'", false)
        .await[0];
    assert_eq!(
        (&rec["Phone"], &rec["NumberOfEmployees"]),
        (&json!("555-1"), &json!(10))
    );
    assert_eq!(rec["OwnerId"], org.state.org.admin().id.as_str());
    assert!(rec["SystemModstamp"].is_string());
}

#[tokio::test]
async fn a_large_job_is_worked_in_batches_of_10000_that_count_against_the_limits() {
    let org = Org::new(0);
    let mut csv = String::from("Name\n");
    for i in 0..25_000 {
        csv.push_str(&format!("Bulk {i:05}\n"));
    }
    let id = create(&org, json!({"object": "Account", "operation": "insert"})).await;
    upload(&org, &id, &csv).await;
    close(&org, &id).await;
    let (info, seen) = org.wait(&job(&id)).await;
    assert_eq!(seen, ["UploadComplete", "InProgress", "JobComplete"]);
    assert_eq!(info["numberRecordsProcessed"], 25_000);
    assert_eq!(info["numberRecordsFailed"], 0);
    assert_eq!(
        file(&org, &id, "successfulResults").await.lines().count(),
        25_001
    );
    let limits = org.get(&format!("{V}/limits")).await.json;
    assert_eq!(
        limits["DailyBulkApiBatches"],
        json!({"Max": 15000, "Remaining": 14997})
    );
    // Every Bulk API call counts one API request, as other REST calls do.
    let before = org.state.usage.used();
    let r = org.get(&job(&id)).await;
    assert_eq!(org.state.usage.used(), before + 1);
    assert_eq!(
        r.header("sforce-limit-info"),
        Some(format!("api-usage={}/15000", before + 1).as_str())
    );
}

#[tokio::test]
async fn update_ignores_empty_values_and_nulls_na() {
    let org = Org::new(0);
    let a = create_account(
        &org,
        json!({"Name": "A", "Phone": "111", "Website": "a.example"}),
    )
    .await;
    let b = create_account(&org, json!({"Name": "B", "Phone": "222"})).await;
    let gone = create_account(&org, json!({"Name": "Gone"})).await;
    org.call(
        Method::DELETE,
        &format!("{V}/sobjects/Account/{gone}"),
        None,
        "",
        &[],
    )
    .await;
    let tag = &org.state.org.org_id[3..6];
    let missing = devorg::ids::make_id("001", tag, 999_999);
    let csv = format!(
        "Id,Phone,Website,Name\n{a},,#N/A,Renamed\n{b},777,,\n{gone},1,,\n{missing},1,,\nbad-id,1,,\n,1,,\n"
    );
    let (id, info) = run(
        &org,
        json!({"object": "Account", "operation": "update"}),
        &csv,
    )
    .await;
    assert_eq!(
        (
            info["numberRecordsProcessed"].as_u64(),
            info["numberRecordsFailed"].as_u64()
        ),
        (Some(6), Some(4))
    );
    let soql = |id: &str| format!("SELECT Name, Phone, Website FROM Account WHERE Id = '{id}'");
    let a_now = &org.query(&soql(&a), false).await[0];
    assert_eq!(
        (&a_now["Name"], &a_now["Phone"], &a_now["Website"]),
        (&json!("Renamed"), &json!("111"), &Value::Null)
    );
    assert_eq!(org.query(&soql(&b), false).await[0]["Phone"], "777");
    assert_eq!(
        file(&org, &id, "successfulResults").await,
        format!(
            "\"sf__Id\",\"sf__Created\",\"Id\",\"Phone\",\"Website\",\"Name\"\n\
             \"{a}\",\"false\",\"{a}\",\"\",\"#N/A\",\"Renamed\"\n\
             \"{b}\",\"false\",\"{b}\",\"777\",\"\",\"\"\n"
        )
    );
    assert_eq!(
        file(&org, &id, "failedResults").await,
        format!(
            "\"sf__Id\",\"sf__Error\",\"Id\",\"Phone\",\"Website\",\"Name\"\n\
             \"{gone}\",\"ENTITY_IS_DELETED:entity is deleted:--\",\"{gone}\",\"1\",\"\",\"\"\n\
             \"{missing}\",\"INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--\",\"{missing}\",\"1\",\"\",\"\"\n\
             \"\",\"MALFORMED_ID:Account ID: id value of incorrect type: bad-id:Id --\",\"bad-id\",\"1\",\"\",\"\"\n\
             \"\",\"MISSING_ARGUMENT:Id not specified in an update call:--\",\"\",\"1\",\"\",\"\"\n"
        )
    );
}

#[tokio::test]
async fn upsert_needs_an_external_id_in_the_job_and_the_csv() {
    let org = Org::new(0);
    let existing = create_account(&org, json!({"Name": "One", "External_Id__c": "EXT-1"})).await;
    let r = org
        .json(
            Method::POST,
            &jobs(),
            json!({"object": "Account", "operation": "upsert"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "INVALIDJOB")
    );
    assert_eq!(r.message(), "InvalidJob : External ID was blank for Account. An External ID must be specified for upsert.");
    let r = org
        .json(
            Method::POST,
            &jobs(),
            json!({"object": "Account", "operation": "upsert", "externalIdFieldName": "Phone"}),
        )
        .await;
    assert_eq!(
        r.message(),
        "InvalidJob : Field name provided, Phone does not match an External ID for Account"
    );
    let spec = json!({"object": "Account", "operation": "upsert", "externalIdFieldName": "External_Id__c"});
    let (_, info) = run(&org, spec.clone(), "Name\nNo key\n").await;
    assert_eq!(info["state"], "Failed");
    assert_eq!(
        info["errorMessage"],
        "InvalidBatch : The External ID field External_Id__c is not in the header row"
    );
    assert_eq!(info["externalIdFieldName"], "External_Id__c");

    let csv = "External_Id__c,Name\next-1,Updated\nEXT-2,Created\nDUP,First\ndup,Second\n,No key\n";
    let (id, info) = run(&org, spec, csv).await;
    assert_eq!(
        (info["state"].as_str(), info["numberRecordsFailed"].as_u64()),
        (Some("JobComplete"), Some(3))
    );
    let created = account_id(&org, "Created").await;
    assert_eq!(account_id(&org, "Updated").await, existing);
    assert_eq!(
        file(&org, &id, "successfulResults").await,
        format!(
            "\"sf__Id\",\"sf__Created\",\"External_Id__c\",\"Name\"\n\
             \"{existing}\",\"false\",\"ext-1\",\"Updated\"\n\
             \"{created}\",\"true\",\"EXT-2\",\"Created\"\n"
        )
    );
    assert_eq!(
        file(&org, &id, "failedResults").await,
        "\"sf__Id\",\"sf__Error\",\"External_Id__c\",\"Name\"\n\
         \"\",\"DUPLICATE_VALUE:Duplicate external id specified: DUP:--\",\"DUP\",\"First\"\n\
         \"\",\"DUPLICATE_VALUE:Duplicate external id specified: dup:--\",\"dup\",\"Second\"\n\
         \"\",\"MISSING_ARGUMENT:External_Id__c not specified:--\",\"\",\"No key\"\n"
    );
}

#[tokio::test]
async fn relationship_columns_name_parents_and_owners_by_key() {
    let org = Org::new(0);
    let parent = create_account(&org, json!({"Name": "Parent", "External_Id__c": "P-1"})).await;
    let riley = org
        .state
        .org
        .users
        .iter()
        .find(|u| u.username.starts_with("riley.chen@"))
        .unwrap()
        .clone();
    let csv = format!(
        "Name,External_Id__c,Parent.External_Id__c,Owner.Username\n\
         Child,,p-1,{}\n\
         Orphan,,nope,\n\
         New parent,P-2,,\n\
         Too soon,,P-2,\n",
        riley.username
    );
    let (id, info) = run(
        &org,
        json!({"object": "Account", "operation": "insert"}),
        &csv,
    )
    .await;
    assert_eq!(info["numberRecordsFailed"], 2);
    let child = &org
        .query(
            "SELECT ParentId, Parent.Name, OwnerId FROM Account WHERE Name = 'Child'",
            false,
        )
        .await[0];
    assert_eq!(
        (child["ParentId"].as_str(), child["OwnerId"].as_str()),
        (Some(parent.as_str()), Some(riley.id.as_str()))
    );
    let failed = file(&org, &id, "failedResults").await;
    assert!(failed.contains("\"\",\"INVALID_FIELD:Foreign key external ID: nope not found for field External_Id__c in entity Account:--\",\"Orphan\""), "{failed}");
    // A parent created in the same batch is not found (as in Salesforce): load parents first.
    assert!(
        failed.contains("Foreign key external ID: P-2 not found"),
        "{failed}"
    );

    // `#N/A` in a relationship column clears the reference.
    let child_id = account_id(&org, "Child").await;
    let csv = format!("Id,Parent.External_Id__c\n{child_id},#N/A\n");
    let (_, info) = run(
        &org,
        json!({"object": "Account", "operation": "update"}),
        &csv,
    )
    .await;
    assert_eq!(info["numberRecordsFailed"], 0);
    let child = &org
        .query("SELECT ParentId FROM Account WHERE Name = 'Child'", false)
        .await[0];
    assert_eq!(child["ParentId"], Value::Null);
}

#[tokio::test]
async fn delete_and_hard_delete() {
    let org = Org::new(0);
    let a = create_account(&org, json!({"Name": "A"})).await;
    let b = create_account(&org, json!({"Name": "B"})).await;
    let (id, info) = run(
        &org,
        json!({"object": "Account", "operation": "delete"}),
        &format!("Id\n{a}\n"),
    )
    .await;
    assert_eq!(info["numberRecordsFailed"], 0);
    assert_eq!(
        file(&org, &id, "successfulResults").await,
        format!("\"sf__Id\",\"sf__Created\",\"Id\"\n\"{a}\",\"false\",\"{a}\"\n")
    );
    let all = org
        .query("SELECT Id, IsDeleted FROM Account ORDER BY Name", true)
        .await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["IsDeleted"], true);

    let csv = format!("Id\n{b}\n{a}\n");
    let (id, info) = run(
        &org,
        json!({"object": "Account", "operation": "hardDelete"}),
        &csv,
    )
    .await;
    assert_eq!(
        (
            info["operation"].as_str(),
            info["numberRecordsFailed"].as_u64()
        ),
        (Some("hardDelete"), Some(1))
    );
    let all = org.query("SELECT Id FROM Account", true).await;
    assert_eq!(all.len(), 1, "B is gone even from queryAll");
    assert_eq!(all[0]["Id"], a.as_str());
    assert!(file(&org, &id, "failedResults").await.contains(&format!(
        "\"{a}\",\"ENTITY_IS_DELETED:entity is deleted:--\",\"{a}\""
    )));
}

#[tokio::test]
async fn one_upload_per_job() {
    let org = Org::new(0);
    let id = create(&org, json!({"object": "Account", "operation": "insert"})).await;
    assert_eq!(
        upload(&org, &id, "Name\nA\n").await.status,
        StatusCode::CREATED
    );
    let r = upload(&org, &id, "Name\nB\n").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "BULK_API_ERROR")
    );
    assert_eq!(
        r.message(),
        format!("Found multipe contents for job: <{id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.")
    );
    assert!(
        r.json[0].get("fields").is_none(),
        "Bulk API errors have no fields: {}",
        r.text
    );
    // A job closed without data takes no upload either.
    let empty = create(&org, json!({"object": "Account", "operation": "insert"})).await;
    close(&org, &empty).await;
    let r = upload(&org, &empty, "Name\nC\n").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::BAD_REQUEST, "INVALIDJOBSTATE")
    );
    let (info, _) = org.wait(&job(&empty)).await;
    assert_eq!(
        (
            info["state"].as_str(),
            info["numberRecordsProcessed"].as_u64()
        ),
        (Some("JobComplete"), Some(0))
    );
}

#[tokio::test]
async fn jobs_are_deleted_only_when_closed_or_finished() {
    let org = Org::new(0);
    let id = create(&org, json!({"object": "Account", "operation": "insert"})).await;
    upload(&org, &id, "Name\nA\n").await;
    let r = org.call(Method::DELETE, &job(&id), None, "", &[]).await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "API_ERROR"));
    assert_eq!(
        r.message(),
        "Error encountered when deleting the job because the job is not terminated"
    );
    close(&org, &id).await;
    // Seen InProgress: still not deletable.
    loop {
        let state = org.get(&job(&id)).await.json["state"].clone();
        if state == "InProgress" {
            break;
        }
        assert_eq!(state, "UploadComplete");
        tokio::task::yield_now().await;
    }
    let r = org.call(Method::DELETE, &job(&id), None, "", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    org.wait(&job(&id)).await;
    let r = org.call(Method::DELETE, &job(&id), None, "", &[]).await;
    assert_eq!((r.status, r.text.as_str()), (StatusCode::NO_CONTENT, ""));
    let r = org.get(&job(&id)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.json,
        json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
    );
    assert_eq!(
        org.get(&format!("{}/successfulResults", job(&id)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // UploadComplete (before the work starts) may be deleted: nothing is written.
    let id = create(&org, json!({"object": "Account", "operation": "insert"})).await;
    upload(&org, &id, "Name\nNever\n").await;
    close(&org, &id).await;
    let r = org.call(Method::DELETE, &job(&id), None, "", &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert!(org
        .query("SELECT Id FROM Account WHERE Name = 'Never'", false)
        .await
        .is_empty());
}

#[tokio::test]
async fn abort_leaves_the_records_unprocessed() {
    let org = Org::new(0);
    let id = create(&org, json!({"object": "Account", "operation": "insert"})).await;
    upload(&org, &id, "Name,Phone\nA,1\n\"B, Inc\",2\n").await;
    let r = abort(&org, &id).await;
    assert_eq!(
        (r.status, r.json["state"].as_str()),
        (StatusCode::OK, Some("Aborted"))
    );
    assert_eq!(r.json["numberRecordsProcessed"], 0);
    assert_eq!(
        file(&org, &id, "unprocessedrecords").await,
        "\"Name\",\"Phone\"\n\"A\",\"1\"\n\"B, Inc\",\"2\"\n"
    );
    let r = abort(&org, &id).await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (
            StatusCode::BAD_REQUEST,
            "INVALIDJOBSTATE",
            "Aborting already Aborted Job not allowed"
        )
    );
    let r = close(&org, &id).await;
    assert_eq!(r.code(), "INVALIDJOBSTATE");
    assert!(org.query("SELECT Id FROM Account", false).await.is_empty());
    assert_eq!(
        org.call(Method::DELETE, &job(&id), None, "", &[])
            .await
            .status,
        StatusCode::NO_CONTENT
    );

    let (id, _) = run(
        &org,
        json!({"object": "Account", "operation": "insert"}),
        "Name\nDone\n",
    )
    .await;
    let r = abort(&org, &id).await;
    assert_eq!(
        (r.code(), r.message()),
        (
            "INVALIDJOBSTATE",
            "Aborting already Completed Job not allowed"
        )
    );
    let r = org
        .json(Method::PATCH, &job(&id), json!({"state": "JobComplete"}))
        .await;
    assert_eq!(
        (r.code(), r.message()),
        (
            "API_ERROR",
            "Invalid value: 'JobComplete' supplied for property: 'state'"
        )
    );
}

#[tokio::test]
async fn every_delimiter_and_line_ending() {
    let org = Org::new(0);
    let delimiters = [
        ("BACKQUOTE", '`'),
        ("CARET", '^'),
        ("COMMA", ','),
        ("PIPE", '|'),
        ("SEMICOLON", ';'),
        ("TAB", '\t'),
    ];
    for (name, d) in delimiters {
        for (ending, eol) in [("LF", "\n"), ("CRLF", "\r\n")] {
            let tag = format!("{name}-{ending}");
            let csv =
                format!("Name{d}Phone{eol}\"{tag} a{d}b \"\"q\"\"\"{d}1{eol}{tag} plain{d}2{eol}");
            let spec = json!({"object": "Account", "operation": "insert", "columnDelimiter": name, "lineEnding": ending});
            let (id, info) = run(&org, spec, &csv).await;
            assert_eq!(
                (
                    info["columnDelimiter"].as_str(),
                    info["lineEnding"].as_str()
                ),
                (Some(name), Some(ending))
            );
            assert_eq!(
                info["numberRecordsFailed"],
                0,
                "{tag}: {}",
                file(&org, &id, "failedResults").await
            );
            account_id(&org, &format!("{tag} a{d}b \"q\"")).await;
            account_id(&org, &format!("{tag} plain")).await;
        }
    }
    // Data whose line ending is not the job's fails the job, as Salesforce does.
    let (_, info) = run(
        &org,
        json!({"object": "Account", "operation": "insert"}),
        "Name\r\nX\r\n",
    )
    .await;
    assert_eq!(info["state"], "Failed");
    assert_eq!(
        info["errorMessage"],
        "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF"
    );
    let (_, info) = run(
        &org,
        json!({"object": "Account", "operation": "insert", "lineEnding": "CRLF"}),
        "Name\nX\n",
    )
    .await;
    assert_eq!(
        info["errorMessage"],
        "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is CRLF"
    );
}

#[tokio::test]
async fn bad_headers_fail_the_job_and_leave_every_record_unprocessed() {
    let org = Org::new(0);
    let insert = json!({"object": "Account", "operation": "insert"});
    let (id, info) = run(&org, insert.clone(), "Name,Nope__c\nA,1\nB,2\n").await;
    assert_eq!(info["state"], "Failed");
    assert_eq!(
        info["errorMessage"],
        "InvalidBatch : Field name not found : Nope__c"
    );
    assert_eq!(info["numberRecordsProcessed"], 0);
    assert_eq!(
        file(&org, &id, "unprocessedrecords").await,
        "\"Name\",\"Nope__c\"\n\"A\",\"1\"\n\"B\",\"2\"\n"
    );
    let (_, info) = run(&org, insert.clone(), "Name,name\nA,B\n").await;
    assert_eq!(
        info["errorMessage"],
        "InvalidBatch : Duplicate field name: name"
    );
    let (_, info) = run(&org, insert.clone(), "Name,Account:Parent.Name\nA,B\n").await;
    assert_eq!(
        info["errorMessage"],
        "InvalidBatch : Field name not found : Account:Parent.Name"
    );
    let (_, info) = run(&org, insert.clone(), "Name,Nobody.Name\nA,B\n").await;
    assert_eq!(
        info["errorMessage"],
        "InvalidBatch : Field name not found : Nobody.Name"
    );
    let long = format!("Name,{}\nA,B\n", "X".repeat(32_001));
    let (_, info) = run(&org, insert, &long).await;
    assert_eq!(
        info["errorMessage"],
        "InvalidBatch : The header row is longer than 32000 characters"
    );
    assert!(org.query("SELECT Id FROM Account", false).await.is_empty());
}

#[tokio::test]
async fn malformed_rows_fail_on_their_own() {
    let org = Org::new(0);
    let huge = "a".repeat(131_073);
    let wide = "b".repeat(110_000);
    let csv = format!(
        "Name,Description,Phone,Website\n\"John\", \"x\",,\nShort\nFine,,1,\nBig,{huge},,\n{wide},{wide},{wide},{wide}\n"
    );
    let (id, info) = run(
        &org,
        json!({"object": "Account", "operation": "insert"}),
        &csv,
    )
    .await;
    assert_eq!(
        (
            info["numberRecordsProcessed"].as_u64(),
            info["numberRecordsFailed"].as_u64()
        ),
        (Some(5), Some(4))
    );
    let failed = file(&org, &id, "failedResults").await;
    for expected in [
        "CLIENTINPUTERROR:A value has a quote that is not at its start and end",
        "CLIENTINPUTERROR:The record has 1 values; the header row has 4:--",
        "CLIENTINPUTERROR:A value is longer than 131072 characters:--",
        "CLIENTINPUTERROR:The record is longer than 400000 characters:--",
    ] {
        assert!(failed.contains(expected), "{expected}");
    }
    account_id(&org, "Fine").await;
}

#[tokio::test]
async fn create_with_data_in_one_multipart_request() {
    let org = Org::new(0);
    let body = "--BOUNDARY\r\nContent-Type: application/json\r\nContent-Disposition: form-data; name=\"job\"\r\n\r\n\
                {\"object\":\"Account\",\"contentType\":\"CSV\",\"operation\":\"insert\"}\r\n\
                --BOUNDARY\r\nContent-Type: text/csv\r\nContent-Disposition: form-data; name=\"content\"; filename=\"content\"\r\n\r\n\
                Name\nMulti A\nMulti B\n\r\n--BOUNDARY--\r\n";
    let r = org
        .call(
            Method::POST,
            &jobs(),
            Some("multipart/form-data; boundary=BOUNDARY"),
            body,
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.json["state"].as_str()),
        (StatusCode::OK, Some("UploadComplete")),
        "{}",
        r.text
    );
    let id = r.json["id"].as_str().unwrap();
    let (info, _) = org.wait(&job(id)).await;
    assert_eq!(info["numberRecordsProcessed"], 2);
    account_id(&org, "Multi B").await;
    let big = body.replace("Multi A\n", &"x\n".repeat(60_000));
    let r = org
        .call(
            Method::POST,
            &jobs(),
            Some("multipart/form-data; boundary=BOUNDARY"),
            big,
            &[],
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::BAD_REQUEST, "API_ERROR"));
}

#[tokio::test]
async fn jobs_are_listed_1000_a_page() {
    let org = Org::new(0);
    for _ in 0..1001 {
        create(&org, json!({"object": "Account", "operation": "insert"})).await;
    }
    let r = org.get(&jobs()).await;
    assert_eq!(
        (
            r.json["done"].as_bool(),
            r.json["records"].as_array().unwrap().len()
        ),
        (Some(false), 1000)
    );
    let first = &r.json["records"][0];
    assert_eq!(
        (first["state"].as_str(), first["jobType"].as_str()),
        (Some("Open"), Some("V2Ingest"))
    );
    let next = r.json["nextRecordsUrl"].as_str().unwrap().to_string();
    assert!(
        next.starts_with(&format!("{V}/jobs/ingest?queryLocator=")),
        "{next}"
    );
    let r = org.get(&next).await;
    assert_eq!(r.json["records"].as_array().unwrap().len(), 1);
    assert_eq!(
        (r.json["done"].as_bool(), &r.json["nextRecordsUrl"]),
        (Some(true), &Value::Null)
    );
    let r = org.get(&format!("{}?jobType=V2Query", jobs())).await;
    assert_eq!(r.json["records"], json!([]));
}

#[tokio::test]
async fn errors_are_bulk_api_shaped() {
    let org = Org::new(0);
    let url = jobs();
    let post = |spec: Value| org.json(Method::POST, &url, spec);
    let r = post(json!({"object": "Nope__c", "operation": "insert"})).await;
    assert_eq!(
        (r.status, r.code(), r.message()),
        (
            StatusCode::BAD_REQUEST,
            "INVALIDJOB",
            "InvalidJob : Unable to find object: Nope__c"
        )
    );
    assert_eq!(
        r.json[0].as_object().unwrap().len(),
        2,
        "errorCode and message only: {}",
        r.text
    );
    let r = post(json!({"object": "Account", "operation": "merge"})).await;
    assert_eq!(
        (r.code(), r.message()),
        (
            "API_ERROR",
            "Invalid value: 'merge' supplied for property: 'operation'"
        )
    );
    let r = post(json!({"object": "Account"})).await;
    assert_eq!(
        r.message(),
        "Invalid value: '' supplied for property: 'operation'"
    );
    let r =
        post(json!({"object": "Account", "operation": "insert", "columnDelimiter": "COLON"})).await;
    assert_eq!(
        r.message(),
        "Invalid value: 'COLON' supplied for property: 'columnDelimiter'"
    );
    let r = post(json!({"object": "Account", "operation": "insert", "lineEnding": "CR"})).await;
    assert_eq!(
        r.message(),
        "Invalid value: 'CR' supplied for property: 'lineEnding'"
    );
    let r = post(json!({"object": "User", "operation": "insert"})).await;
    assert_eq!(r.code(), "INVALIDJOB");
    // Ingest jobs exist from v41.0 (and the version's resources list them).
    assert_eq!(org.get(V).await.json["jobs"], format!("{V}/jobs"));
    assert!(org
        .get("/services/data/v40.0")
        .await
        .json
        .get("jobs")
        .is_none());
    let r = org
        .json(
            Method::POST,
            "/services/data/v40.0/jobs/ingest",
            json!({"object": "Account", "operation": "insert"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = org.get(&job("750000000000000AAA")).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "NOT_FOUND"));
    let id = create(&org, json!({"object": "Account", "operation": "insert"})).await;
    let r = org.call(Method::POST, &job(&id), None, "", &[]).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let r = org
        .call(Method::GET, &format!("{}/batches", job(&id)), None, "", &[])
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let anonymous = Org {
        state: org.state.clone(),
        token: "nope".into(),
    };
    assert_eq!(
        anonymous.get(&job(&id)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn uploads_over_100_mb_are_refused() {
    let org = Org::new(0);
    let id = create(&org, json!({"object": "Account", "operation": "insert"})).await;
    let body = vec![b'a'; devorg::rest::bulk::MAX_UPLOAD_BYTES + 1];
    let r = org
        .call(
            Method::PUT,
            &format!("{}/batches", job(&id)),
            Some("text/csv"),
            body,
            &[],
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "CLIENTINPUTERROR")
    );
    // The job is still Open and takes a proper upload.
    assert_eq!(
        upload(&org, &id, "Name\nA\n").await.status,
        StatusCode::CREATED
    );
}
