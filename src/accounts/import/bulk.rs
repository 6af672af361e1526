//! Writing a large import through Bulk API 2.0: the records changed in the org since the preview
//! left out first (their `SystemModstamp`, 2,000 a call), then one ingest job per upload (made,
//! uploaded, closed, polled with a growing pause, its three result files read back onto the
//! lines). Pause stops before the next job; Cancel aborts the job under way.

use orgbridge_model::accounts::{thousands, SOBJECT};
use std::rc::Rc;

use orgbridge_sheet::import::bulk::{jobs, make_upload, operation, Upload};
use orgbridge_sheet::import::kept::Flight;
use orgbridge_sheet::import::results::Written;
use salesforce::rest::collections::RETRIEVE_LIMIT;
use salesforce::rest::{JobResults, JobState};
use salesforce::types::RecordId;

use super::kept::Kept;
use super::preview::Made;
use super::Stop;
use crate::accounts::context::Accounts;
use crate::error::AppError;

/// The first pause after closing a job, and the longest.
const FIRST_POLL_MS: f64 = 500.0;
const MAX_POLL_MS: f64 = 10_000.0;

/// What the run reports as it goes.
pub enum Seen {
    /// Lines settled (written, failed, or left out).
    Results(Vec<(usize, Written)>),
    /// The job under way, in words, and the records it has processed.
    Job(String, usize),
}

/// Writes `lines` through Bulk API 2.0. `each` hears what happened and the calls made, and says
/// whether the person asked to stop.
pub async fn write(
    ctx: Accounts,
    made: &Made,
    lines: Vec<usize>,
    kept: Option<Rc<Kept>>,
    mut each: impl FnMut(Seen, u64) -> Option<Stop>,
) {
    let client = ctx.client();
    let op = &made.setup.op;
    // Records changed in the org since the preview are not written over.
    let existing = super::run::existing(made, &lines);
    let mut left_out = std::collections::HashSet::new();
    for group in existing.chunks(RETRIEVE_LIMIT) {
        let ids: Vec<RecordId> = group.iter().map(|(_, id)| id.clone()).collect();
        let now = client
            .retrieve_collection(SOBJECT, &ids, &["Id", "SystemModstamp"])
            .await;
        let mut out = Vec::new();
        match now {
            Ok(now) => {
                let changed = super::run::changed_since(made, group, now);
                left_out.extend(changed.iter().map(|(n, _)| *n));
                out.extend(changed);
            }
            Err(e) => {
                let why = AppError::from(e).message();
                let failed = group
                    .iter()
                    .map(|(n, _)| (*n, Written::Failed(why.clone())));
                out.extend(failed);
                left_out.extend(group.iter().map(|(n, _)| *n));
            }
        }
        if let Some(k) = &kept {
            k.settled(&out).await;
        }
        if each(Seen::Results(out), 1).is_some() {
            return;
        }
    }
    let lines: Vec<usize> = lines
        .into_iter()
        .filter(|n| !left_out.contains(n))
        .collect();
    let (operation, key) = operation(op);
    for job_lines in jobs(&made.rows, &lines) {
        let mut upload = make_upload(op, &made.rows, &job_lines);
        let failed_all = |why: String| {
            Seen::Results(
                job_lines
                    .iter()
                    .map(|&n| (n, Written::Failed(why.clone())))
                    .collect(),
            )
        };
        let job = match client.create_ingest_job(SOBJECT, operation, key).await {
            Ok(job) => job,
            Err(e) => {
                each(failed_all(AppError::from(e).message()), 1);
                return;
            }
        };
        // Kept before the upload: a reload from here on follows this job, never makes another.
        if let Some(k) = &kept {
            k.flight(&Flight::Job {
                id: job.id.clone(),
                lines: job_lines.clone(),
            })
            .await;
        }
        each(
            Seen::Job(
                format!(
                    "Bulk API 2.0 job {}: uploading {} lines",
                    job.id,
                    thousands(job_lines.len() as u64)
                ),
                0,
            ),
            1,
        );
        // An upload or close that fails leaves a job that never ran: aborted, nothing written.
        let sent = match client
            .upload_job_data(&job.id, std::mem::take(&mut upload.csv))
            .await
        {
            Ok(()) => client.close_job(&job.id).await.map(|_| ()),
            Err(e) => Err(e),
        };
        if let Err(e) = sent {
            let _ = client.abort_job(&job.id).await;
            let failed = failed_all(AppError::from(e).message());
            if let (Some(k), Seen::Results(r)) = (&kept, &failed) {
                k.settled(r).await;
            }
            each(failed, 3);
            return;
        }
        if follow(
            ctx,
            made,
            &job.id,
            &job_lines,
            &mut upload,
            kept.as_deref(),
            &mut each,
        )
        .await
        {
            return;
        }
    }
}

/// Follows a job to its end (Cancel aborts it; a job still `Open`, whose upload may not have
/// landed, is aborted: it has processed nothing) and reads its results onto the lines. True
/// when the person asked to stop.
pub async fn follow(
    ctx: Accounts,
    made: &Made,
    job: &str,
    job_lines: &[usize],
    upload: &mut Upload,
    kept: Option<&Kept>,
    each: &mut impl FnMut(Seen, u64) -> Option<Stop>,
) -> bool {
    let client = ctx.client();
    let op = &made.setup.op;
    {
        let mut pause = FIRST_POLL_MS;
        let mut cancelled = false;
        loop {
            crate::transport::sleep(pause as u32).await;
            pause = (pause * 1.5).min(MAX_POLL_MS);
            let info = match client.ingest_job(job).await {
                Ok(info) => info,
                Err(e) => {
                    // The job goes on in the org; the next poll may answer.
                    each(
                        Seen::Job(
                            format!("Bulk API 2.0 job {job}: {}", AppError::from(e).message()),
                            0,
                        ),
                        1,
                    );
                    continue;
                }
            };
            let words = format!(
                "Bulk API 2.0 job {job}: {:?}, {} of {} records processed, {} failed",
                info.state,
                thousands(info.number_records_processed),
                thousands(job_lines.len() as u64),
                thousands(info.number_records_failed)
            );
            let wanted = each(Seen::Job(words, info.number_records_processed as usize), 1);
            if info.state.is_final() {
                break;
            }
            if (wanted == Some(Stop::Cancelled) || info.state == JobState::Open) && !cancelled {
                cancelled = true;
                let _ = client.abort_job(job).await;
            }
        }
        let mut settled = std::collections::HashSet::new();
        let mut unread = false;
        for which in [
            JobResults::Successful,
            JobResults::Failed,
            JobResults::Unprocessed,
        ] {
            let read = match client.job_results(job, which).await {
                Ok(text) => upload.read(op, which, &text),
                Err(e) => Err(AppError::from(e).message()),
            };
            let results = match read {
                Ok(rows) => rows
                    .into_iter()
                    .filter_map(|(n, w)| {
                        settled.insert(n);
                        w.map(|w| (n, w))
                    })
                    .collect(),
                Err(why) => {
                    unread = true;
                    each(Seen::Job(format!("Bulk API 2.0 job {job}: its results could not be read ({why}); its lines show as not written"), 0), 1);
                    Vec::new()
                }
            };
            if let Some(k) = kept {
                k.settled(&results).await;
            }
            each(Seen::Results(results), 1);
        }
        // A created record whose result could not be read must not be created again by a
        // resume: its line is "not known". An update, upsert or delete is safe to send again.
        if unread && matches!(op, orgbridge_sheet::import::Operation::Insert) {
            let unknown = job_lines
                .iter()
                .filter(|n| !settled.contains(n))
                .map(|&n| (n, Written::Unknown("Its job's results could not be read: it may have been created. Look for it before importing this line again.".into())))
                .collect::<Vec<_>>();
            if let Some(k) = kept {
                k.settled(&unknown).await;
            }
            each(Seen::Results(unknown), 0);
        }
        each(Seen::Job(String::new(), 0), 0).is_some()
    }
}
