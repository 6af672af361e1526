//! sObject Collections (`/services/data/vXX.X/composite/sobjects`): update or delete many records,
//! 200 per call with bounded concurrency, with one result per record.

use futures::stream::{self, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::client::Client;
use crate::error::{ApiError, Error};
use crate::rest::Record;
use crate::transport::{Method, Transport};
use crate::types::{check_api_name, RecordId};

/// Records per sObject Collections call (Salesforce's documented maximum).
pub const COLLECTION_LIMIT: usize = 200;

/// What happened to one record of a bulk update or delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionResult {
    /// The record this result is about (from the request, as failed items may omit it).
    pub id: RecordId,
    pub success: bool,
    /// Salesforce's per-record errors (`statusCode`, `message`, `fields`).
    pub errors: Vec<ApiError>,
}

impl CollectionResult {
    /// The errors in words (empty on success).
    pub fn message(&self) -> String {
        self.errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Deserialize)]
struct WireResult {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    errors: Vec<ApiError>,
}

/// Turns a chunk's answer (or its failure) into one result per requested id. A failed call
/// marks each of its records failed with the reason, so the other chunks' results still count.
fn chunk_results(
    ids: &[RecordId],
    outcome: Result<Vec<WireResult>, Error>,
) -> Result<Vec<CollectionResult>, Error> {
    match outcome {
        Ok(wire) if wire.len() == ids.len() => Ok(ids
            .iter()
            .zip(wire)
            .map(|(id, w)| CollectionResult {
                id: id.clone(),
                success: w.success,
                errors: w.errors,
            })
            .collect()),
        Ok(wire) => Err(Error::InvalidInput {
            what: "collection answer",
            message: format!(
                "The org answered {} results for {} records; reload the list to see what changed.",
                wire.len(),
                ids.len()
            ),
        }),
        // A dead session stops the whole batch: nothing else can succeed.
        Err(e @ Error::SessionEnded { .. }) => Err(e),
        Err(e) => {
            let error = ApiError {
                error_code: e.error_code().unwrap_or("REQUEST_FAILED").to_string(),
                message: e.user_message(),
                fields: Vec::new(),
            };
            Ok(ids
                .iter()
                .map(|id| CollectionResult {
                    id: id.clone(),
                    success: false,
                    errors: vec![error.clone()],
                })
                .collect())
        }
    }
}

impl<T: Transport> Client<T> {
    /// Updates many records of one object, [`COLLECTION_LIMIT`] per call, with at most
    /// `concurrency` calls in flight. `progress(done, total)` is called after each call. Results
    /// are in request order. `all_or_none` applies per call of 200.
    ///
    /// ```no_run
    /// # async fn demo<T: salesforce::transport::Transport>(client: salesforce::client::Client<T>, ids: Vec<salesforce::types::RecordId>) -> Result<(), salesforce::error::Error> {
    /// let mut change = serde_json::Map::new();
    /// change.insert("Industry".into(), "Energy".into());
    /// let updates: Vec<_> = ids.into_iter().map(|id| (id, change.clone())).collect();
    /// let results = client.update_many("Account", &updates, false, 2, |done, total| println!("{done}/{total}")).await?;
    /// let failed = results.iter().filter(|r| !r.success).count();
    /// # Ok(()) }
    /// ```
    pub async fn update_many(
        &self,
        sobject: &str,
        updates: &[(RecordId, Record)],
        all_or_none: bool,
        concurrency: usize,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Vec<CollectionResult>, Error> {
        check_api_name("object name", sobject, false)?;
        let path = self.data_path("/composite/sobjects");
        let total = updates.len();
        let mut calls = stream::iter(updates.chunks(COLLECTION_LIMIT))
            .map(|chunk| {
                let path = path.clone();
                async move {
                    let ids: Vec<RecordId> = chunk.iter().map(|(id, _)| id.clone()).collect();
                    let records: Vec<Value> = chunk
                        .iter()
                        .map(|(id, fields)| {
                            let mut rec = fields.clone();
                            rec.insert("attributes".into(), json!({ "type": sobject }));
                            rec.insert("id".into(), Value::String(id.to_string()));
                            rec.remove("Id");
                            Value::Object(rec)
                        })
                        .collect();
                    let body = json!({ "allOrNone": all_or_none, "records": records });
                    let outcome = self.send_json(Method::Patch, &path, Some(&body)).await;
                    chunk_results(&ids, outcome)
                }
            })
            .buffered(concurrency.max(1));
        let mut results = Vec::with_capacity(total);
        while let Some(chunk) = calls.next().await {
            results.extend(chunk?);
            progress(results.len(), total);
        }
        Ok(results)
    }

    /// Deletes many records, [`COLLECTION_LIMIT`] per call, `concurrency` calls at a time.
    pub async fn delete_many(
        &self,
        ids: &[RecordId],
        all_or_none: bool,
        concurrency: usize,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Vec<CollectionResult>, Error> {
        let total = ids.len();
        let mut calls = stream::iter(ids.chunks(COLLECTION_LIMIT))
            .map(|chunk| async move {
                let list = chunk
                    .iter()
                    .map(|id| id.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                let path = self.data_path(&format!(
                    "/composite/sobjects?ids={list}&allOrNone={all_or_none}"
                ));
                let outcome = self.send_json(Method::Delete, &path, None).await;
                chunk_results(chunk, outcome)
            })
            .buffered(concurrency.max(1));
        let mut results = Vec::with_capacity(total);
        while let Some(chunk) = calls.next().await {
            results.extend(chunk?);
            progress(results.len(), total);
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<RecordId> {
        (0..n)
            .map(|i| RecordId::parse(&format!("001000000000{i:03}")).unwrap())
            .collect()
    }

    #[test]
    fn partial_failures_keep_request_order_and_ids() {
        let wire: Vec<WireResult> = serde_json::from_str(r#"[{"id":"001000000000000AAA","success":true,"errors":[]},{"success":false,"errors":[{"statusCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION","message":"Phone is required","fields":["Phone"]}]}]"#).unwrap();
        let r = chunk_results(&ids(2), Ok(wire)).unwrap();
        assert!(r[0].success);
        assert!(!r[1].success);
        assert_eq!(r[1].id, ids(2)[1]);
        assert_eq!(r[1].message(), "Phone is required");
        assert_eq!(r[1].errors[0].fields, ["Phone"]);
    }

    #[test]
    fn a_failed_call_fails_each_of_its_records_but_a_dead_session_stops_all() {
        let r = chunk_results(
            &ids(3),
            Err(Error::Network {
                host: "h".into(),
                url: "u".into(),
                detail: "d".into(),
            }),
        )
        .unwrap();
        assert_eq!(r.len(), 3);
        assert!(r
            .iter()
            .all(|x| !x.success && x.message().starts_with("Could not reach h")));
        assert!(chunk_results(&ids(1), Err(Error::SessionEnded { reason: "r".into() })).is_err());
    }
}
