//! Writing what an import's preview shows, through sObject Collections: 200 lines a call, a
//! few calls at once, each record's `SystemModstamp` checked first (a record changed in the org
//! since the preview is not written over), and one result per line. A create whose answer was
//! lost is never sent again by itself: it may have landed.

use std::rc::Rc;

use futures::future::join_all;
use orgbridge_model::accounts::SOBJECT;
use orgbridge_sheet::import::kept::Flight;
use orgbridge_sheet::import::lines::Lines;
use orgbridge_sheet::import::results::Written;
use orgbridge_sheet::import::{Operation, Outcome, Row};
use salesforce::rest::{CollectionWrite, Record, UpsertItem, COLLECTION_LIMIT};
use salesforce::types::{ExternalIdField, RecordId};
use serde_json::Value;

use super::kept::Kept;
use super::preview::Made;
use crate::accounts::context::Accounts;
use crate::error::AppError;

/// Calls in flight at once (browsers allow six per host; the screens keep some for themselves).
const CALLS_AT_ONCE: usize = 3;

/// The lines a run writes: those the preview writes and no result says are done (a re-run of
/// failures sends the failed ones again, never one whose create may have landed).
pub fn to_write(made: &Made, results: &[Option<Written>]) -> Vec<usize> {
    made.rows
        .outcomes()
        .iter()
        .enumerate()
        .filter(|(n, o)| {
            o.writes()
                && matches!(
                    results.get(*n),
                    None | Some(None) | Some(Some(Written::Failed(_)))
                )
        })
        .map(|(n, _)| n)
        .collect()
}

/// Writes `lines` (a wave of calls at a time); after each wave `each` hears the results so far
/// and says whether to go on (Cancel). Returns the calls made.
pub async fn write(
    ctx: Accounts,
    made: &Made,
    lines: Vec<usize>,
    kept: Option<Rc<Kept>>,
    mut each: impl FnMut(Vec<(usize, Written)>, u64) -> bool,
) -> u64 {
    let batches: Vec<Vec<usize>> = lines
        .chunks(COLLECTION_LIMIT)
        .map(<[usize]>::to_vec)
        .collect();
    let mut total = 0;
    for wave in batches.chunks(CALLS_AT_ONCE) {
        // Kept before the calls go: a reload mid-call knows which lines may have been written.
        if let Some(k) = &kept {
            k.flight(&Flight::Calls {
                lines: wave.concat(),
            })
            .await;
        }
        let done = join_all(wave.iter().map(|batch| one_batch(ctx, made, batch))).await;
        let calls: u64 = done.iter().map(|(_, c)| c).sum();
        total += calls;
        let results: Vec<(usize, Written)> = done.into_iter().flat_map(|(r, _)| r).collect();
        if let Some(k) = &kept {
            k.settled(&results).await;
        }
        if !each(results, calls) {
            break;
        }
    }
    total
}

/// One call's lines: the conflict check, then the write. Returns each line's result and the
/// calls made.
async fn one_batch(ctx: Accounts, made: &Made, batch: &[usize]) -> (Vec<(usize, Written)>, u64) {
    let client = ctx.client();
    let mut out = Vec::new();
    let mut calls = 0;
    // Someone may have changed a record since the preview: it is not written over.
    let existing = existing(made, batch);
    let mut send: Vec<usize> = batch.to_vec();
    if !existing.is_empty() {
        calls += 1;
        let ids: Vec<RecordId> = existing.iter().map(|(_, id)| id.clone()).collect();
        match client
            .retrieve_collection(SOBJECT, &ids, &["Id", "SystemModstamp"])
            .await
        {
            Ok(now) => {
                for (n, why) in changed_since(made, &existing, now) {
                    send.retain(|m| *m != n);
                    out.push((n, why));
                }
            }
            Err(e) => {
                let why = AppError::from(e).message();
                return (
                    batch
                        .iter()
                        .map(|&n| (n, Written::Failed(why.clone())))
                        .collect(),
                    calls,
                );
            }
        }
    }
    if send.is_empty() {
        return (out, calls);
    }
    calls += 1;
    let bodies: Vec<Record> = send.iter().map(|&n| made.rows.get(n).body).collect();
    let items = match &made.setup.op {
        Operation::Insert => {
            client
                .write_collection(CollectionWrite::Create, SOBJECT, &bodies, false)
                .await
        }
        Operation::Update => {
            client
                .write_collection(CollectionWrite::Update, SOBJECT, &bodies, false)
                .await
        }
        Operation::Upsert { key } => match ExternalIdField::parse(key) {
            Ok(key) => {
                client
                    .upsert_collection(SOBJECT, &key, &bodies, false)
                    .await
            }
            Err(e) => Err(e),
        },
        Operation::Delete => {
            let ids: Vec<RecordId> = send
                .iter()
                .filter_map(|&n| made.rows.get(n).target)
                .collect();
            client.delete_collection(&ids).await.map(|each| {
                each.into_iter()
                    .zip(ids)
                    .map(|(r, id)| match r {
                        Ok(()) => UpsertItem::Updated(id),
                        Err(why) => UpsertItem::Failed(why),
                    })
                    .collect()
            })
        }
    };
    match items {
        Ok(items) => {
            for (n, item) in send.iter().zip(items) {
                out.push((*n, written(&made.setup.op, item)));
            }
        }
        Err(e) => {
            // No answer: a create may have landed, so it is not sent again by itself; the
            // others are safe to send again (an upsert, update or delete twice is the same).
            let answered = e.status().is_some();
            let why = AppError::from(e).message();
            for n in send {
                let result = if !answered && made.setup.op == Operation::Insert {
                    Written::Unknown(format!(
                        "{why} The org may have created it: look for it before importing this line again."
                    ))
                } else {
                    Written::Failed(why.clone())
                };
                out.push((n, result));
            }
        }
    }
    (out, calls)
}

/// The lines among `lines` that change a record the org has now (an update or a delete), with
/// its Id: what the conflict check reads. Only those lines are unpacked.
pub fn existing(made: &Made, lines: &[usize]) -> Vec<(usize, RecordId)> {
    lines
        .iter()
        .filter(|&&n| matches!(made.rows.outcome(n), Outcome::Update | Outcome::Delete))
        .filter_map(|&n| made.rows.get(n).target.map(|id| (n, id)))
        .collect()
}

/// The lines whose record changed in the org since the preview (or is gone), from the records
/// as they are `now` (one per checked line, `None` for one gone): not written, and why.
pub fn changed_since(
    made: &Made,
    checked: &[(usize, RecordId)],
    now: Vec<Option<Record>>,
) -> Vec<(usize, Written)> {
    checked
        .iter()
        .zip(now)
        .filter_map(|((n, _), record)| {
            let stamp = record
                .as_ref()
                .and_then(|r| r.get("SystemModstamp"))
                .and_then(Value::as_str);
            let why = match (record.is_some(), stamp == made.rows.get(*n).stamp.as_deref()) {
                (false, _) => "Deleted in the org since the preview: not written.",
                (true, false) => "Changed in the org since the preview: preview again to see the change before writing over it.",
                _ => return None,
            };
            Some((*n, Written::Failed(why.into())))
        })
        .collect()
}

fn written(op: &Operation, item: UpsertItem) -> Written {
    match (op, item) {
        (Operation::Delete, UpsertItem::Updated(id)) => Written::Deleted(id),
        (_, UpsertItem::Created(id)) => Written::Created(id),
        (_, UpsertItem::Updated(id)) => Written::Updated(id),
        (_, UpsertItem::Failed(errors)) => Written::Failed(
            errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(" "),
        ),
    }
}

/// The first `most` lines a results table lists: those not done, with why.
pub fn failures(rows: &Lines, results: &[Option<Written>], most: usize) -> Vec<(Row, String)> {
    results
        .iter()
        .enumerate()
        .filter_map(|(n, r)| match r {
            Some(Written::Failed(m) | Written::Unknown(m)) => Some((rows.get(n), m.clone())),
            _ => None,
        })
        .take(most)
        .collect()
}
