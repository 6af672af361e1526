//! REST resources against devorg with a minted token.

use salesforce::rest::{Record, UpsertItem, UpsertOutcome};
use salesforce::soql::{Direction, ListQuery};
use salesforce::transport::Method;
use salesforce::types::{ExternalIdField, RecordId};
use salesforce::{Client, Error};
use serde_json::json;

use crate::common::*;

/// Every account's id, in the org's order.
async fn account_ids(client: &Client<Reqwest>) -> Vec<RecordId> {
    client
        .query_all_pages("SELECT Id FROM Account")
        .await
        .unwrap()
        .iter()
        .map(|r| RecordId::parse(r["Id"].as_str().unwrap()).unwrap())
        .collect()
}

fn record(v: serde_json::Value) -> Record {
    v.as_object().unwrap().clone()
}

#[tokio::test]
async fn query_pages_through_every_record_with_next_records_url() {
    let org = spawn_with(|c| c.accounts = 450).await;
    let client = client_for(&org).await;
    let mut page = client
        .query("SELECT Id, Name FROM Account ORDER BY Name", Some(200))
        .await
        .unwrap();
    assert_eq!(page.total_size, 450);
    let mut ids: Vec<String> = Vec::new();
    let mut pages = 1;
    loop {
        ids.extend(
            page.records
                .iter()
                .map(|r| r["Id"].as_str().unwrap().to_string()),
        );
        let Some(next) = page.next_records_url.clone() else {
            break;
        };
        page = client.query_more(&next, Some(200)).await.unwrap();
        pages += 1;
    }
    assert!(page.done);
    assert_eq!(ids.len(), 450);
    assert!(pages >= 3, "batch size 200 → at least 3 pages, got {pages}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 450, "no record twice");
    assert!(client.api_usage().is_some(), "Sforce-Limit-Info read");
}

#[tokio::test]
async fn crud_round_trip_and_error_decoding() {
    let org = spawn_org().await;
    let client = client_for(&org).await;
    let id = client
        .create_record(
            "Account",
            &record(json!({"Name": "Acme <img src=x>", "Phone": "555"})),
        )
        .await
        .unwrap();
    let got = client
        .get_record("Account", &id, Some(&["Name", "Phone"]))
        .await
        .unwrap();
    assert_eq!(got["Name"], "Acme <img src=x>");
    client
        .update_record("Account", &id, &record(json!({"Phone": "777"})))
        .await
        .unwrap();
    let got = client.get_record("Account", &id, None).await.unwrap();
    assert_eq!(got["Phone"], "777");
    client.delete_record("Account", &id).await.unwrap();
    let err = client.get_record("Account", &id, None).await.unwrap_err();
    assert_eq!(err.status(), Some(404));

    let err = client
        .create_record("Account", &record(json!({"Phone": "1"})))
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some("REQUIRED_FIELD_MISSING"));
    assert!(
        err.field_errors().iter().any(|(f, _)| f == "Name"),
        "{err:?}"
    );

    let err = client.query("SELECT FROM WHERE", None).await.unwrap_err();
    assert_eq!(err.error_code(), Some("MALFORMED_QUERY"));
    assert!(err.user_message().starts_with("The query is not valid: "));
}

#[tokio::test]
async fn describe_lists_fields_and_external_ids() {
    let org = spawn_org().await;
    let client = client_for(&org).await;
    let d = client.describe("Account").await.unwrap();
    assert!(d.field("Name").unwrap().is_required());
    assert!(d.field("Id").unwrap().is_read_only());
    assert!(d.external_id_fields().any(|f| f.name == "External_Id__c"));
    assert!(!d.field("Type").unwrap().picklist_values.is_empty());
    let err = client.describe("NoSuchThing__c").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn upsert_creates_then_updates_then_reports_several_matches() {
    let org = spawn_org().await;
    let client = client_for(&org).await;
    let ext = ExternalIdField::parse("External_Id__c").unwrap();
    let fields = record(json!({"Name": "Upserted"}));
    let UpsertOutcome::Created { id } = client
        .upsert_by_external_id("Account", &ext, "EXT/1?#", &fields)
        .await
        .unwrap()
    else {
        panic!("first upsert creates")
    };
    let again = client
        .upsert_by_external_id(
            "Account",
            &ext,
            "EXT/1?#",
            &record(json!({"Name": "Renamed"})),
        )
        .await
        .unwrap();
    assert!(
        matches!(&again, UpsertOutcome::Updated { id: Some(u) } if *u == id),
        "{again:?}"
    );
    let got = client.get_record("Account", &id, None).await.unwrap();
    assert_eq!(got["Name"], "Renamed");
    assert_eq!(got["External_Id__c"], "EXT/1?#");

    // Legacy_Number__c is a non-unique external id: two records with one value → 300.
    let legacy = ExternalIdField::parse("Legacy_Number__c").unwrap();
    for name in ["Twin A", "Twin B"] {
        client
            .create_record(
                "Account",
                &record(json!({"Name": name, "Legacy_Number__c": "L-42"})),
            )
            .await
            .unwrap();
    }
    match client
        .upsert_by_external_id("Account", &legacy, "L-42", &record(json!({"Name": "X"})))
        .await
        .unwrap()
    {
        UpsertOutcome::Multiple(ids) => {
            assert_eq!(ids.len(), 2);
            let named = client.names_of("Account", &ids).await.unwrap();
            let mut names: Vec<String> = named.into_iter().map(|(_, n)| n).collect();
            names.sort();
            assert_eq!(names, ["Twin A", "Twin B"]);
        }
        other => panic!("expected 300, got {other:?}"),
    }
}

/// One collections upsert creates, the same call again updates (nothing twice), and a record the
/// org refuses fails alone.
#[tokio::test]
async fn a_collections_upsert_is_safe_to_send_again() {
    let org = spawn_org().await;
    let client = client_for(&org).await;
    let ext = ExternalIdField::parse("External_Id__c").unwrap();
    let before = account_ids(&client).await.len();
    let records: Vec<Record> = (0..3)
        .map(|i| {
            record(json!({"External_Id__c": format!("SYNC-{i}"), "Name": format!("Synced {i}")}))
        })
        .chain([record(json!({"External_Id__c": "SYNC-bad", "Name": ""}))])
        .collect();
    let first = client
        .upsert_collection("Account", &ext, &records, false)
        .await
        .unwrap();
    assert!(
        first[..3]
            .iter()
            .all(|i| matches!(i, UpsertItem::Created(_))),
        "{first:?}"
    );
    assert!(
        matches!(&first[3], UpsertItem::Failed(e) if !e.is_empty()),
        "{first:?}"
    );
    let again = client
        .upsert_collection("Account", &ext, &records[..3], false)
        .await
        .unwrap();
    for (a, b) in first.iter().zip(&again) {
        match (a, b) {
            (UpsertItem::Created(x), UpsertItem::Updated(y)) => assert_eq!(x, y),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(account_ids(&client).await.len(), before + 3);
    let too_many = vec![records[0].clone(); 201];
    assert!(matches!(
        client
            .upsert_collection("Account", &ext, &too_many, false)
            .await,
        Err(Error::InvalidInput { .. })
    ));
}

/// What a sync run's conflict check and deletions use: a retrieve with the ids in the body (no
/// URL grows with them), `None` for a record gone; a delete call whose per-record failures come
/// back as the org's words.
#[tokio::test]
async fn a_collections_retrieve_reads_stamps_and_a_delete_reports_each_record() {
    let org = spawn_org().await;
    let client = client_for(&org).await;
    let ids = account_ids(&client).await;
    let (keep, gone) = (ids[0].clone(), ids[1].clone());
    let deleted = client
        .delete_collection(&[gone.clone(), gone.clone()])
        .await
        .unwrap();
    assert_eq!(deleted[0], Ok(()));
    assert!(
        matches!(&deleted[1], Err(e) if !e.is_empty()),
        "deleting twice fails per record: {deleted:?}"
    );
    let many: Vec<RecordId> = std::iter::repeat_n(keep.clone(), 1_000)
        .chain([gone.clone()])
        .collect();
    let read = client
        .retrieve_collection(
            "Account",
            &many,
            &["Id", "SystemModstamp", "LastModifiedById"],
        )
        .await
        .unwrap();
    assert_eq!(read.len(), 1_001);
    let first = read[0].as_ref().expect("a live record");
    assert!(first["SystemModstamp"]
        .as_str()
        .is_some_and(|s| s.len() >= 19));
    assert!(first["LastModifiedById"].as_str().is_some());
    assert!(read[1_000].is_none(), "a deleted record reads as none");
    let too_many = vec![keep; 2_001];
    assert!(matches!(
        client
            .retrieve_collection("Account", &too_many, &["Id"])
            .await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn collections_update_in_chunks_of_200_with_partial_failures() {
    let org = spawn_with(|c| c.accounts = 450).await;
    let client = client_for(&org).await;
    let ids = account_ids(&client).await;
    assert_eq!(ids.len(), 450);
    let updates: Vec<_> = ids
        .iter()
        .map(|id| (id.clone(), record(json!({"Industry": "Energy"}))))
        .collect();
    admin(&org, "collection-failures", json!({"indexes": [3]})).await;
    let mut progress = Vec::new();
    let results = client
        .update_many("Account", &updates, false, 1, |done, total| {
            progress.push((done, total))
        })
        .await
        .unwrap();
    assert_eq!(
        progress,
        vec![(200, 450), (400, 450), (450, 450)],
        "3 calls of ≤200"
    );
    assert_eq!(results.len(), 450);
    let failed: Vec<_> = results.iter().filter(|r| !r.is_done()).collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].id, ids[3]);
    assert!(!failed[0].message().is_empty());
    let energy = client
        .query("SELECT Id FROM Account WHERE Industry = 'Energy'", None)
        .await
        .unwrap();
    assert_eq!(energy.total_size, 449);

    let results = client
        .delete_many(&ids[..250], false, 2, |_, _| {})
        .await
        .unwrap();
    assert!(results.iter().all(|r| r.is_done()));
    let left = client.query("SELECT Id FROM Account", None).await.unwrap();
    assert_eq!(left.total_size, 200);
}

/// 1,000 deletes in calls of 200; the session dies after the second call: the 400 committed
/// deletes are reported done, the 600 never sent are reported not attempted, and the org agrees.
#[tokio::test]
async fn a_bulk_delete_whose_session_ends_midway_reports_every_record() {
    let org = spawn_with(|c| c.accounts = 1000).await;
    let client = client_for(&org).await;
    let ids = account_ids(&client).await;
    let results = client
        .delete_many(&ids, false, 1, |done, _| {
            if done == 400 {
                org.state.tokens.lock().revoke_all();
            }
        })
        .await
        .unwrap();
    assert_eq!(results.len(), 1000);
    assert!(results[..400].iter().all(|r| r.is_done()));
    assert!(
        results[400..].iter().all(|r| r.is_not_attempted()),
        "{:?}",
        &results[400]
    );
    assert!(
        results[999].message().contains("sign in again"),
        "{}",
        results[999].message()
    );
    let left = client_for(&org)
        .await
        .query("SELECT Id FROM Account", None)
        .await
        .unwrap();
    assert_eq!(left.total_size, 600);
}

/// An external ID value that is a path step would address another resource: refused, unsent.
#[tokio::test]
async fn an_external_id_value_of_dot_or_dot_dot_is_refused() {
    let org = spawn_org().await;
    let client = client_for(&org).await;
    let field = ExternalIdField::parse("External_Id__c").unwrap();
    for value in [".", ".."] {
        let err = client
            .upsert_by_external_id("Account", &field, value, &record(json!({"Name": "X"})))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    what: "external ID value",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn search_text_with_quotes_backslashes_and_wildcards_cannot_widen_the_query() {
    let org = spawn_org().await;
    let client = client_for(&org).await;
    for name in [r"Zq O'Brien \ Partners", "Zq 100% Zq", "Zq 100 Zq"] {
        client
            .create_record("Account", &record(json!({"Name": name})))
            .await
            .unwrap();
    }
    let names = |soql: String| {
        let client = client.clone();
        async move {
            client
                .query_all_pages(&soql)
                .await
                .unwrap()
                .iter()
                .map(|r| r["Name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let q = |text: &str| {
        ListQuery::new("Account", ["Id", "Name"])
            .search(text, ["Name"])
            .order_by("Name", Direction::Asc)
            .to_soql()
            .unwrap()
    };
    assert_eq!(names(q("O'Brien \\")).await, [r"Zq O'Brien \ Partners"]);
    assert_eq!(names(q("Zq 100% Z")).await, ["Zq 100% Zq"]);
    assert_eq!(names(q("Zq 100_")).await, Vec::<String>::new());
    assert!(names(q("' OR Name != '")).await.is_empty());
    assert!(names(q("%")).await.iter().all(|n| n.contains('%')));
    let err = client
        .query(
            &ListQuery::new("Account", ["Id"])
                .where_raw("Nme = 'x'")
                .to_soql()
                .unwrap(),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 400, .. }), "{err:?}");
}

#[tokio::test]
async fn apex_rest_and_limits() {
    let org = spawn_org().await;
    let client = client_for(&org).await;
    let resp = client
        .apex_rest(
            Method::Post,
            "arrify/v1/accounts",
            Some(r#"{"Name":"From Apex"}"#.into()),
        )
        .await
        .unwrap();
    assert_eq!(resp.status, 201, "{}", resp.body);
    let body: serde_json::Value = serde_json::from_str(&resp.body).unwrap();
    assert_eq!(body["success"], true);
    let resp = client
        .apex_rest(Method::Get, "no/such/mapping", None)
        .await
        .unwrap();
    assert_eq!(resp.status, 404);

    let limits = client.limits().await.unwrap();
    let daily = limits["DailyApiRequests"];
    assert!(daily.max > 0);
    let usage = client.api_usage().unwrap();
    assert_eq!(usage.max, daily.max);

    admin(&org, "api-usage/exhaust", json!({})).await;
    let err = client
        .query("SELECT Id FROM Account", None)
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some("REQUEST_LIMIT_EXCEEDED"));
    assert!(err.user_message().contains("daily API allowance"));
}
