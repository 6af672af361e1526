//! sObject Collections (`/services/data/vXX.X/composite/sobjects`): update or delete many records,
//! 200 per call with bounded concurrency, with one result per record; and one upsert call by an
//! external ID (`PATCH …/composite/sobjects/{SObject}/{field}`), which a sync run drives itself.

use futures::stream::{self, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::client::Client;
use crate::error::{ApiError, Error};
use crate::rest::Record;
use crate::transport::{Method, Transport};
use crate::types::{check_api_name, ExternalIdField, RecordId};

/// Records per sObject Collections call (Salesforce's documented maximum).
pub const COLLECTION_LIMIT: usize = 200;

/// What happened to one record of a bulk update or delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionResult {
    /// The record this result is about (from the request, as failed items may omit it).
    pub id: RecordId,
    pub outcome: RecordOutcome,
}

/// One record's fate in a bulk run: every record of the run gets one, whatever went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// The org made the change.
    Done,
    /// Not done: Salesforce's per-record errors (`statusCode`, `message`, `fields`), or the reason
    /// the call carrying it failed (in which case the org may or may not have made it).
    Failed(Vec<ApiError>),
    /// Never sent: the session ended before its call, so nothing was asked of the org. The text
    /// says why.
    NotAttempted(String),
}

impl CollectionResult {
    /// True when the org made the change.
    pub fn is_done(&self) -> bool {
        self.outcome == RecordOutcome::Done
    }

    /// True when the record was never sent.
    pub fn is_not_attempted(&self) -> bool {
        matches!(self.outcome, RecordOutcome::NotAttempted(_))
    }

    /// The errors in words (empty when done).
    pub fn message(&self) -> String {
        match &self.outcome {
            RecordOutcome::Done => String::new(),
            RecordOutcome::Failed(errors) => errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(" "),
            RecordOutcome::NotAttempted(why) => why.clone(),
        }
    }
}

#[derive(Deserialize)]
struct WireResult {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    errors: Vec<ApiError>,
}

/// What the org did with one record of an upsert call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpsertItem {
    Created(RecordId),
    Updated(RecordId),
    /// Salesforce's per-record errors.
    Failed(Vec<ApiError>),
}

#[derive(Deserialize)]
struct WireUpsert {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    success: bool,
    #[serde(default)]
    created: bool,
    #[serde(default)]
    errors: Vec<ApiError>,
}

impl From<WireUpsert> for UpsertItem {
    fn from(w: WireUpsert) -> Self {
        match w.id.as_deref().map(RecordId::parse) {
            Some(Ok(id)) if w.success && w.created => UpsertItem::Created(id),
            Some(Ok(id)) if w.success => UpsertItem::Updated(id),
            _ if !w.success => UpsertItem::Failed(w.errors),
            _ => UpsertItem::Failed(vec![ApiError {
                error_code: "UNREADABLE_ANSWER".into(),
                message: "The org reported success without the record's id.".into(),
                fields: Vec::new(),
            }]),
        }
    }
}

fn each(ids: &[RecordId], outcome: RecordOutcome) -> Vec<CollectionResult> {
    ids.iter()
        .map(|id| CollectionResult {
            id: id.clone(),
            outcome: outcome.clone(),
        })
        .collect()
}

/// Turns a chunk's answer (or its failure) into one result per requested id: a failed call
/// marks each of its records, so the other chunks' results still count.
fn chunk_results(
    ids: &[RecordId],
    outcome: Result<Vec<WireResult>, Error>,
) -> Vec<CollectionResult> {
    let failed = |code: &str, message: String| {
        RecordOutcome::Failed(vec![ApiError {
            error_code: code.to_string(),
            message,
            fields: Vec::new(),
        }])
    };
    match outcome {
        Ok(wire) if wire.len() == ids.len() => ids
            .iter()
            .zip(wire)
            .map(|(id, w)| CollectionResult {
                id: id.clone(),
                outcome: if w.success {
                    RecordOutcome::Done
                } else {
                    RecordOutcome::Failed(w.errors)
                },
            })
            .collect(),
        // The org did something with these records, but its answer cannot be matched to them.
        Ok(wire) => each(
            ids,
            failed(
                "UNREADABLE_ANSWER",
                format!(
                    "The org answered {} results for {} records, so OrgBridge cannot tell which changed; reload the list to see.",
                    wire.len(),
                    ids.len()
                ),
            ),
        ),
        // A 401 the refresh could not cure: the org refused the call, so nothing was done.
        Err(e @ Error::SessionEnded { .. }) => each(ids, RecordOutcome::NotAttempted(e.user_message())),
        Err(e @ Error::Network { .. }) => each(
            ids,
            failed(
                "NO_ANSWER",
                format!(
                    "{} The org may or may not have made this change; reload the list to see.",
                    e.user_message()
                ),
            ),
        ),
        Err(e) => each(
            ids,
            failed(e.error_code().unwrap_or("REQUEST_FAILED"), e.user_message()),
        ),
    }
}

/// Runs one collections call per chunk (its ids, and what `call` needs to send it),
/// `concurrency` at a time, and returns a result for every record in request order. Once a call
/// finds the session ended, calls not yet sent are not sent (their records are reported not
/// attempted); calls already in flight are waited for.
async fn run_chunks<P, C, F>(
    chunks: Vec<(Vec<RecordId>, P)>,
    concurrency: usize,
    mut progress: impl FnMut(usize, usize),
    call: C,
) -> Vec<CollectionResult>
where
    C: Fn(P) -> F,
    F: std::future::Future<Output = Result<Vec<WireResult>, Error>>,
{
    let total = chunks.iter().map(|(ids, _)| ids.len()).sum();
    let ended = std::sync::Mutex::new(None::<String>);
    let ended_reason = || ended.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut calls = stream::iter(chunks)
        .map(|(ids, payload)| {
            let (ended, ended_reason, call) = (&ended, &ended_reason, &call);
            async move {
                // Polled only when a slot frees up, so this sees an ending found meanwhile.
                if let Some(reason) = ended_reason() {
                    return each(&ids, RecordOutcome::NotAttempted(reason));
                }
                let outcome = call(payload).await;
                if let Err(e @ Error::SessionEnded { .. }) = &outcome {
                    *ended.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.user_message());
                }
                chunk_results(&ids, outcome)
            }
        })
        .buffered(concurrency.max(1));
    let mut results = Vec::with_capacity(total);
    while let Some(chunk) = calls.next().await {
        results.extend(chunk);
        progress(results.len(), total);
    }
    results
}

impl<T: Transport> Client<T> {
    /// Updates many records of one object, [`COLLECTION_LIMIT`] per call, with at most
    /// `concurrency` calls in flight. `progress(done, total)` is called after each call. Returns
    /// one result per record, in request order, even when the session ends midway (see
    /// [`RecordOutcome`]). `all_or_none` applies per call of 200.
    ///
    /// ```no_run
    /// # async fn demo<T: salesforce::transport::Transport>(client: salesforce::client::Client<T>, ids: Vec<salesforce::types::RecordId>) -> Result<(), salesforce::error::Error> {
    /// let mut change = serde_json::Map::new();
    /// change.insert("Industry".into(), "Energy".into());
    /// let updates: Vec<_> = ids.into_iter().map(|id| (id, change.clone())).collect();
    /// let results = client.update_many("Account", &updates, false, 2, |done, total| println!("{done}/{total}")).await?;
    /// let failed = results.iter().filter(|r| !r.is_done()).count();
    /// # Ok(()) }
    /// ```
    pub async fn update_many(
        &self,
        sobject: &str,
        updates: &[(RecordId, Record)],
        all_or_none: bool,
        concurrency: usize,
        progress: impl FnMut(usize, usize),
    ) -> Result<Vec<CollectionResult>, Error> {
        check_api_name("object name", sobject, false)?;
        let path = self.data_path("/composite/sobjects");
        let chunks = updates
            .chunks(COLLECTION_LIMIT)
            .map(|chunk| {
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
                (ids, json!({ "allOrNone": all_or_none, "records": records }))
            })
            .collect();
        let call = |body: Value| {
            let path = path.clone();
            async move { self.send_json(Method::Patch, &path, Some(&body)).await }
        };
        Ok(run_chunks(chunks, concurrency, progress, call).await)
    }

    /// Deletes many records, [`COLLECTION_LIMIT`] per call, `concurrency` calls at a time; one
    /// result per record, as [`Client::update_many`].
    pub async fn delete_many(
        &self,
        ids: &[RecordId],
        all_or_none: bool,
        concurrency: usize,
        progress: impl FnMut(usize, usize),
    ) -> Result<Vec<CollectionResult>, Error> {
        let chunks = ids
            .chunks(COLLECTION_LIMIT)
            .map(|chunk| {
                let list = chunk
                    .iter()
                    .map(|id| id.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                let path = self.data_path(&format!(
                    "/composite/sobjects?ids={list}&allOrNone={all_or_none}"
                ));
                (chunk.to_vec(), path)
            })
            .collect();
        let call = |path: String| async move { self.send_json(Method::Delete, &path, None).await };
        Ok(run_chunks(chunks, concurrency, progress, call).await)
    }
}

/// Most records one sObject Collections retrieve call reads.
pub const RETRIEVE_LIMIT: usize = 2_000;

impl<T: Transport> Client<T> {
    /// Deletes up to [`COLLECTION_LIMIT`] records in one call (`allOrNone` false): per record,
    /// done or the org's words. A failed call is an `Err`, for the caller to retry or hold on,
    /// unlike [`Client::delete_many`], which reports it per record.
    pub async fn delete_collection(
        &self,
        ids: &[RecordId],
    ) -> Result<Vec<Result<(), Vec<ApiError>>>, Error> {
        if ids.len() > COLLECTION_LIMIT {
            return Err(Error::InvalidInput {
                what: "ids",
                message: format!(
                    "one call deletes at most {COLLECTION_LIMIT} records, not {}",
                    ids.len()
                ),
            });
        }
        let list = ids
            .iter()
            .map(RecordId::as_str)
            .collect::<Vec<_>>()
            .join(",");
        let path = self.data_path(&format!("/composite/sobjects?ids={list}&allOrNone=false"));
        let wire: Vec<WireResult> = self.send_json(Method::Delete, &path, None).await?;
        if wire.len() != ids.len() {
            return Err(Error::Decode {
                status: 200,
                path,
                body: String::new(),
                detail: format!("{} results for {} records", wire.len(), ids.len()),
            });
        }
        Ok(wire
            .into_iter()
            .map(|w| if w.success { Ok(()) } else { Err(w.errors) })
            .collect())
    }

    /// Reads `fields` of up to [`RETRIEVE_LIMIT`] records by id in one call, the ids in the
    /// request body (`POST /composite/sobjects/{SObject}`), so no URL grows with them: one
    /// record per id in order, `None` for an id that matches no record (deleted, or never there).
    pub async fn retrieve_collection(
        &self,
        sobject: &str,
        ids: &[RecordId],
        fields: &[&str],
    ) -> Result<Vec<Option<Record>>, Error> {
        check_api_name("object name", sobject, false)?;
        for f in fields {
            check_api_name("field name", f, true)?;
        }
        if ids.len() > RETRIEVE_LIMIT {
            return Err(Error::InvalidInput {
                what: "ids",
                message: format!(
                    "one call reads at most {RETRIEVE_LIMIT} records, not {}",
                    ids.len()
                ),
            });
        }
        let path = self.data_path(&format!("/composite/sobjects/{sobject}"));
        let body = json!({
            "ids": ids.iter().map(RecordId::as_str).collect::<Vec<_>>(),
            "fields": fields,
        });
        let wire: Vec<Option<Record>> = self.send_json(Method::Post, &path, Some(&body)).await?;
        if wire.len() != ids.len() {
            return Err(Error::Decode {
                status: 200,
                path,
                body: String::new(),
                detail: format!("{} records for {} ids", wire.len(), ids.len()),
            });
        }
        Ok(wire)
    }

    /// Creates or updates up to [`COLLECTION_LIMIT`] records in one call, each matched by its
    /// value of `field` (which each record must carry), and returns one item per record in
    /// order. Retrying the call is safe: a record already written is matched and updated, never
    /// created twice. A parent may be named by its external ID in a record
    /// (`"Parent": {"Source_Id__c": "…"}`).
    pub async fn upsert_collection(
        &self,
        sobject: &str,
        field: &ExternalIdField,
        records: &[Record],
        all_or_none: bool,
    ) -> Result<Vec<UpsertItem>, Error> {
        check_api_name("object name", sobject, false)?;
        let path = self.data_path(&format!("/composite/sobjects/{sobject}/{}", field.as_str()));
        let wire = self
            .send_collection(Method::Patch, path, sobject, records, all_or_none)
            .await?;
        Ok(wire.into_iter().map(UpsertItem::from).collect())
    }
}

/// Which plain write [`Client::write_collection`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionWrite {
    /// `POST /composite/sobjects`: new records.
    Create,
    /// `PATCH /composite/sobjects`: existing records, each naming its `Id`.
    Update,
}

impl<T: Transport> Client<T> {
    /// Creates or updates up to [`COLLECTION_LIMIT`] records in one call (`allOrNone` as
    /// given), one item per record in order. Unlike an upsert, a create sent again creates again:
    /// a caller whose answer was lost must not resend it blindly.
    pub async fn write_collection(
        &self,
        how: CollectionWrite,
        sobject: &str,
        records: &[Record],
        all_or_none: bool,
    ) -> Result<Vec<UpsertItem>, Error> {
        check_api_name("object name", sobject, false)?;
        let method = match how {
            CollectionWrite::Create => Method::Post,
            CollectionWrite::Update => Method::Patch,
        };
        let path = self.data_path("/composite/sobjects");
        let wire = self
            .send_collection(method, path, sobject, records, all_or_none)
            .await?;
        Ok(wire
            .into_iter()
            .map(|mut w| {
                // Creates and updates answer without `created`: the call says which it was.
                w.created = how == CollectionWrite::Create;
                UpsertItem::from(w)
            })
            .collect())
    }

    /// One sObject Collections write of up to [`COLLECTION_LIMIT`] `records` of `sobject` to
    /// `path` (the caller has checked `sobject`, which the path names): the org's item for each
    /// record, in order; an answer of another length is an error, as its items could not be
    /// matched to the records.
    async fn send_collection(
        &self,
        method: Method,
        path: String,
        sobject: &str,
        records: &[Record],
        all_or_none: bool,
    ) -> Result<Vec<WireUpsert>, Error> {
        if records.len() > COLLECTION_LIMIT {
            return Err(Error::InvalidInput {
                what: "records",
                message: format!(
                    "one call carries at most {COLLECTION_LIMIT} records, not {}",
                    records.len()
                ),
            });
        }
        let body = json!({
            "allOrNone": all_or_none,
            "records": records.iter().map(|r| {
                let mut rec = r.clone();
                rec.insert("attributes".into(), json!({ "type": sobject }));
                Value::Object(rec)
            }).collect::<Vec<_>>(),
        });
        let wire: Vec<WireUpsert> = self.send_json(method, &path, Some(&body)).await?;
        if wire.len() != records.len() {
            return Err(Error::Decode {
                status: 200,
                path,
                body: String::new(),
                detail: format!(
                    "the org answered {} results for {} records",
                    wire.len(),
                    records.len()
                ),
            });
        }
        Ok(wire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upsert_answers_say_created_updated_or_why_not() {
        let wire: Vec<WireUpsert> = serde_json::from_str(r#"[
            {"id":"001000000000001AAA","success":true,"errors":[],"created":true},
            {"id":"001000000000002AAA","success":true,"errors":[],"created":false},
            {"success":false,"errors":[{"statusCode":"STRING_TOO_LONG","message":"Name: data value too large","fields":["Name"]}]},
            {"success":true,"errors":[]}
        ]"#).unwrap();
        let items: Vec<UpsertItem> = wire.into_iter().map(UpsertItem::from).collect();
        assert!(
            matches!(&items[0], UpsertItem::Created(id) if id.as_str() == "001000000000001AAA")
        );
        assert!(matches!(&items[1], UpsertItem::Updated(_)));
        assert!(matches!(&items[2], UpsertItem::Failed(e) if e[0].error_code == "STRING_TOO_LONG"));
        assert!(
            matches!(&items[3], UpsertItem::Failed(e) if e[0].error_code == "UNREADABLE_ANSWER")
        );
    }

    fn ids(n: usize) -> Vec<RecordId> {
        (0..n)
            .map(|i| RecordId::parse(&format!("001000000000{i:03}")).unwrap())
            .collect()
    }

    #[test]
    fn partial_failures_keep_request_order_and_ids() {
        let wire: Vec<WireResult> = serde_json::from_str(r#"[{"id":"001000000000000AAA","success":true,"errors":[]},{"success":false,"errors":[{"statusCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION","message":"Phone is required","fields":["Phone"]}]}]"#).unwrap();
        let r = chunk_results(&ids(2), Ok(wire));
        assert!(r[0].is_done());
        assert!(!r[1].is_done());
        assert_eq!(r[1].id, ids(2)[1]);
        assert_eq!(r[1].message(), "Phone is required");
        match &r[1].outcome {
            RecordOutcome::Failed(errors) => assert_eq!(errors[0].fields, ["Phone"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_failed_call_fails_each_of_its_records_and_a_dead_session_sent_nothing() {
        let r = chunk_results(
            &ids(3),
            Err(Error::Network {
                host: "h".into(),
                url: "u".into(),
                detail: "d".into(),
            }),
        );
        assert_eq!(r.len(), 3);
        assert!(r.iter().all(|x| !x.is_done()
            && x.message().starts_with("Could not reach h")
            && x.message().contains("may or may not")));
        let r = chunk_results(&ids(2), Err(Error::SessionEnded { reason: "r".into() }));
        assert!(r.iter().all(CollectionResult::is_not_attempted), "{r:?}");
        let r = chunk_results(&ids(2), Ok(Vec::new()));
        assert!(
            r.iter().all(|x| x.message().contains("cannot tell")),
            "{r:?}"
        );
    }

    /// Calls 1–2 commit, call 3 finds the session dead, 4–5 are never sent: every record is
    /// reported, the committed ones as done.
    #[tokio::test]
    async fn a_session_ending_midway_reports_every_record() {
        let all = ids(10);
        let sent = std::cell::Cell::new(0);
        let chunks = all.chunks(2).map(|c| (c.to_vec(), c.len())).collect();
        let results = run_chunks(
            chunks,
            1,
            |_, _| {},
            |len| {
                sent.set(sent.get() + 1);
                let n = sent.get();
                async move {
                    if n >= 3 {
                        Err(Error::SessionEnded {
                            reason: "the refresh token was revoked".into(),
                        })
                    } else {
                        Ok((0..len)
                            .map(|_| WireResult {
                                success: true,
                                errors: vec![],
                            })
                            .collect())
                    }
                }
            },
        )
        .await;
        assert_eq!(sent.get(), 3, "no call after the session ended");
        assert_eq!(results.len(), 10);
        assert_eq!(
            results.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
            all
        );
        assert!(results[..4].iter().all(CollectionResult::is_done));
        assert!(results[4..].iter().all(CollectionResult::is_not_attempted));
        assert!(
            results[9].message().contains("revoked"),
            "{}",
            results[9].message()
        );
    }
}
