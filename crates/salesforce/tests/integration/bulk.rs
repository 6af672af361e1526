//! Bulk API 2.0 ingest jobs against devorg: create, upload, close, poll, the three result files.

use salesforce::rest::{BulkOperation, JobResults, JobState};
use salesforce::Error;

use crate::common::client_for;
use crate::common::*;

/// Polls a job until the org has finished it (devorg works in the background), a bounded
/// number of times.
async fn finished(client: &salesforce::Client<Reqwest>, job: &str) -> salesforce::rest::JobInfo {
    for _ in 0..500 {
        let info = client.ingest_job(job).await.unwrap();
        if info.state.is_final() {
            return info;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("job {job} never finished");
}

#[tokio::test]
async fn an_upsert_job_writes_reports_each_row_and_refuses_a_second_upload() {
    let org = spawn_with(|c| c.accounts = 0).await;
    let client = client_for(&org).await;
    let job = client
        .create_ingest_job("Account", BulkOperation::Upsert, Some("External_Id__c"))
        .await
        .unwrap();
    assert_eq!(job.state, JobState::Open);
    let csv = "External_Id__c,Name,NumberOfEmployees\n\
               K-1,\"Acme, \"\"West\"\"\",10\n\
               K-2,,5\n\
               K-3,\"Globex =HYPERLINK(\"\"x\"\")\",#N/A\n";
    client.upload_job_data(&job.id, csv.into()).await.unwrap();
    let again = client
        .upload_job_data(&job.id, csv.into())
        .await
        .unwrap_err();
    assert!(matches!(again, Error::Api { .. }), "{again:?}");
    client.close_job(&job.id).await.unwrap();
    let info = finished(&client, &job.id).await;
    assert_eq!(info.state, JobState::JobComplete);
    assert_eq!(info.number_records_processed, 3);
    let failed = client
        .job_results(&job.id, JobResults::Failed)
        .await
        .unwrap();
    assert_eq!(info.number_records_failed, 1, "K-2 has no Name: {failed}");

    let ok = client
        .job_results(&job.id, JobResults::Successful)
        .await
        .unwrap();
    assert!(
        ok.starts_with("\"sf__Id\",\"sf__Created\",\"External_Id__c\",\"Name\""),
        "{ok}"
    );
    assert!(
        ok.contains("\"true\",\"K-1\",\"Acme, \"\"West\"\"\""),
        "{ok}"
    );
    let failed = client
        .job_results(&job.id, JobResults::Failed)
        .await
        .unwrap();
    assert!(
        failed.contains("REQUIRED_FIELD_MISSING") && failed.contains("\"K-2\""),
        "{failed}"
    );
    // Written once each, as sent.
    let rows = client
        .query_all_pages("SELECT Name FROM Account WHERE External_Id__c = 'K-3'")
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["Name"], "Globex =HYPERLINK(\"x\")");

    // The same file again updates, never duplicates.
    let job = client
        .create_ingest_job("Account", BulkOperation::Upsert, Some("External_Id__c"))
        .await
        .unwrap();
    client.upload_job_data(&job.id, csv.into()).await.unwrap();
    client.close_job(&job.id).await.unwrap();
    finished(&client, &job.id).await;
    let ok = client
        .job_results(&job.id, JobResults::Successful)
        .await
        .unwrap();
    assert!(ok.contains("\"false\",\"K-1\""), "{ok}");
    let all = client
        .query_all_pages("SELECT Id FROM Account WHERE External_Id__c != null")
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn an_aborted_job_processes_nothing_and_lists_its_rows_as_unprocessed() {
    let org = spawn_with(|c| c.accounts = 0).await;
    let client = client_for(&org).await;
    let job = client
        .create_ingest_job("Account", BulkOperation::Upsert, Some("External_Id__c"))
        .await
        .unwrap();
    client
        .upload_job_data(&job.id, "External_Id__c,Name\nA-1,Aborted One\n".into())
        .await
        .unwrap();
    let info = client.abort_job(&job.id).await.unwrap();
    assert_eq!(info.state, JobState::Aborted);
    let unprocessed = client
        .job_results(&job.id, JobResults::Unprocessed)
        .await
        .unwrap();
    assert!(unprocessed.contains("A-1"), "{unprocessed}");
    let rows = client
        .query_all_pages("SELECT Id FROM Account")
        .await
        .unwrap();
    assert!(rows.is_empty());
    // A job id that is not one never reaches the org.
    assert!(matches!(
        client.ingest_job("750/../../x").await,
        Err(Error::InvalidInput { .. })
    ));
}
