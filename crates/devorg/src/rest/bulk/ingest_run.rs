//! The background work of an ingest job: read the header row and check it, then 10,000 records at
//! a time take the store's write lock, go through the same writes as the REST API (validation,
//! relationships by key, SystemModstamp, unique checks), and append their result rows. Between
//! batches the task yields, and stops if the job was aborted or deleted (work already done stays,
//! as Salesforce does not roll back).
//! <https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/bulk_api_2_job_states.htm>

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::body::Bytes;
use csv::StringRecord;
use serde_json::{json, Map, Value};

use super::jobs::JobState;
use super::{csv_io, Delimiter, LineEnding, BATCH_RECORDS};
use crate::ids;
use crate::schema::SObject;
use crate::store::{external_key, now_ms, DmlError, Store, Upserted};
use crate::AppState;

/// Per-record limits of an upload (Salesforce's Bulk API limits).
pub const MAX_FIELD_CHARS: usize = 131_072;
pub const MAX_RECORD_CHARS: usize = 400_000;
pub const MAX_FIELDS: usize = 5_000;
pub const MAX_HEADER_CHARS: usize = 32_000;

/// Starts working job `id` in the background (it must be UploadComplete by then).
pub fn start(state: &AppState, id: String) {
    let state = state.clone();
    tokio::spawn(async move { run(state, id).await });
}

/// A header value as a column name: without a byte-order mark.
pub fn column_name(name: &str) -> &str {
    name.trim_start_matches('\u{feff}')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Insert,
    Update,
    Upsert,
    Delete,
    HardDelete,
}

impl Op {
    fn parse(name: &str) -> Op {
        match name {
            "insert" => Op::Insert,
            "update" => Op::Update,
            "upsert" => Op::Upsert,
            "delete" => Op::Delete,
            _ => Op::HardDelete,
        }
    }
}

/// What a header column writes.
enum Column {
    /// A field of the object (canonical name).
    Field(String),
    /// `Parent.External_Id__c`: the relationship (canonical), the id field it sets, and the
    /// parent's key field as written.
    Relationship {
        relationship: String,
        link: String,
        key: String,
    },
    /// Not read (a delete job's columns other than Id).
    Ignored,
}

/// The checked header of an upload.
struct Plan {
    op: Op,
    columns: Vec<Column>,
    id_column: Option<usize>,
    /// The upsert key: its column and canonical field name.
    key: Option<(usize, String)>,
}

impl Plan {
    /// The header checked against the object, or the job's error message.
    fn new(
        obj: &SObject,
        op: Op,
        external_id: Option<&str>,
        header: &[String],
    ) -> Result<Plan, String> {
        let chars: usize = header.iter().map(|c| c.chars().count() + 1).sum();
        if chars > MAX_HEADER_CHARS + 1 {
            return Err(format!(
                "InvalidBatch : The header row is longer than {MAX_HEADER_CHARS} characters"
            ));
        }
        if header.len() > MAX_FIELDS {
            return Err(format!(
                "InvalidBatch : A record can have at most {MAX_FIELDS} fields"
            ));
        }
        let not_found = |name: &str| format!("InvalidBatch : Field name not found : {name}");
        let mut columns = Vec::with_capacity(header.len());
        let mut seen: Vec<String> = vec![];
        for name in header {
            let column = if matches!(op, Op::Delete | Op::HardDelete) {
                if name.eq_ignore_ascii_case("Id") {
                    Column::Field("Id".into())
                } else {
                    Column::Ignored
                }
            } else if name.contains(':') {
                // A polymorphic type prefix (`Lead:Who.Email`); Account has no polymorphic field.
                return Err(not_found(name));
            } else if let Some((rel, key)) = name.split_once('.') {
                let link = obj.relationship(rel).ok_or_else(|| not_found(name))?;
                Column::Relationship {
                    relationship: link.relationship_name.unwrap_or_default().to_string(),
                    link: link.name.to_string(),
                    key: key.to_string(),
                }
            } else {
                Column::Field(
                    obj.field(name)
                        .ok_or_else(|| not_found(name))?
                        .name
                        .to_string(),
                )
            };
            let canonical = match &column {
                Column::Field(f) => f.to_ascii_lowercase(),
                Column::Relationship {
                    relationship, key, ..
                } => format!("{relationship}.{key}").to_ascii_lowercase(),
                Column::Ignored => String::new(),
            };
            if !canonical.is_empty() {
                if seen.contains(&canonical) {
                    return Err(format!("InvalidBatch : Duplicate field name: {name}"));
                }
                seen.push(canonical);
            }
            columns.push(column);
        }
        let id_column = columns
            .iter()
            .position(|c| matches!(c, Column::Field(f) if f == "Id"));
        let key = match external_id {
            Some(ext) if op == Op::Upsert => {
                let at = columns
                    .iter()
                    .position(|c| matches!(c, Column::Field(f) if f == ext))
                    .ok_or_else(|| {
                        format!(
                            "InvalidBatch : The External ID field {ext} is not in the header row"
                        )
                    })?;
                Some((at, ext.to_string()))
            }
            _ => None,
        };
        Ok(Plan {
            op,
            columns,
            id_column,
            key,
        })
    }

    /// The write body of a record: empty values are left out (an update leaves those fields
    /// alone), `#N/A` is null, `Rel.Key` columns become `{"Rel": {"Key": value}}`.
    fn body(&self, values: &StringRecord) -> Map<String, Value> {
        let mut map = Map::new();
        for (column, value) in self.columns.iter().zip(values.iter()) {
            if value.is_empty() {
                continue;
            }
            let null = value == "#N/A";
            match column {
                Column::Field(f) if f == "Id" && self.op != Op::Insert => {}
                Column::Field(f) => {
                    let v = if null { Value::Null } else { json!(value) };
                    map.insert(f.clone(), v);
                }
                Column::Relationship { link, .. } if null => {
                    map.insert(link.clone(), Value::Null);
                }
                Column::Relationship {
                    relationship, key, ..
                } => {
                    map.insert(relationship.clone(), json!({ key.as_str(): value }));
                }
                Column::Ignored => {}
            }
        }
        map
    }

    /// The record's Id value, if it has one.
    fn id<'a>(&self, values: &'a StringRecord) -> Option<&'a str> {
        self.id_column
            .and_then(|i| values.get(i))
            .filter(|v| !v.is_empty())
    }
}

/// One uploaded record, or why it cannot be read.
struct Row {
    values: StringRecord,
    problem: Option<DmlError>,
}

/// What a batch produced: result rows and counts.
struct BatchOut {
    successes: Bytes,
    failures: Bytes,
    failed: u64,
}

fn client_input(message: String) -> DmlError {
    DmlError::new("CLIENTINPUTERROR", message)
}

/// Reads up to a batch of records, each checked for Salesforce's quoting and size rules.
fn read_batch(
    reader: &mut csv::Reader<std::io::Cursor<Bytes>>,
    data: &Bytes,
    width: usize,
    delimiter: u8,
) -> Vec<Row> {
    let mut rows = Vec::with_capacity(BATCH_RECORDS.min(1024));
    while rows.len() < BATCH_RECORDS {
        let mut values = StringRecord::new();
        let problem = match reader.read_record(&mut values) {
            Ok(false) => break,
            Ok(true) => {
                let start = values.position().map_or(0, |p| p.byte() as usize);
                let end = (reader.position().byte() as usize).min(data.len());
                let chars: usize = values.iter().map(|v| v.chars().count()).sum();
                if csv_io::misplaced_quote(&data[start.min(end)..end], delimiter) {
                    Some(client_input("A value has a quote that is not at its start and end (spaces around a quoted value are not allowed)".into()))
                } else if values.len() != width {
                    Some(client_input(format!(
                        "The record has {} values; the header row has {width}",
                        values.len()
                    )))
                } else if values.iter().any(|v| v.chars().count() > MAX_FIELD_CHARS) {
                    Some(client_input(format!(
                        "A value is longer than {MAX_FIELD_CHARS} characters"
                    )))
                } else if chars > MAX_RECORD_CHARS {
                    Some(client_input(format!(
                        "The record is longer than {MAX_RECORD_CHARS} characters"
                    )))
                } else {
                    None
                }
            }
            Err(e) => Some(client_input(format!("The record could not be read: {e}"))),
        };
        rows.push(Row { values, problem });
    }
    rows
}

/// A record's id for update and delete: present, well formed, an Account's.
fn record_id(plan: &Plan, values: &StringRecord) -> Result<String, DmlError> {
    let Some(given) = plan.id(values) else {
        let call = if plan.op == Op::Update {
            "an update"
        } else {
            "a delete"
        };
        return Err(DmlError::new(
            "MISSING_ARGUMENT",
            format!("Id not specified in {call} call"),
        ));
    };
    ids::normalize(given)
        .filter(|id| id.starts_with("001"))
        .ok_or_else(|| {
            DmlError::new(
                "MALFORMED_ID",
                format!("Account ID: id value of incorrect type: {given}"),
            )
            .on("Id")
        })
}

/// A missing record named by id: Salesforce's answer in a batch.
fn cross_reference(e: DmlError) -> DmlError {
    if e.code == "NOT_FOUND" {
        DmlError::new("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    } else {
        e
    }
}

/// A record ready to write: its id (update, delete), upsert key, and resolved body.
struct Prepared {
    id: Option<String>,
    key: Option<String>,
    body: Map<String, Value>,
}

/// Works one batch under the store's write lock. Relationship keys are looked up in the org as it
/// was before the batch (a parent created in the same batch is not found, as in Salesforce).
fn work_batch(state: &AppState, plan: &Plan, user_id: &str, rows: &[Row]) -> BatchOut {
    let now = now_ms();
    let mut store = state.store.write();
    let by = store.user_index(user_id);
    let key_field = plan
        .key
        .as_ref()
        .and_then(|(_, name)| state.schema.account.field(name));
    // Upsert keys given twice in the batch fail every record that gives them.
    let mut key_count: HashMap<String, usize> = HashMap::new();
    if let (Some((col, _)), Some(field)) = (&plan.key, key_field) {
        for row in rows.iter().filter(|r| r.problem.is_none()) {
            if let Some(k) = row
                .values
                .get(*col)
                .and_then(|v| external_key(field, &json!(v)))
            {
                *key_count.entry(k).or_default() += 1;
            }
        }
    }
    let prepare = |store: &Store, row: &Row| -> Result<Prepared, DmlError> {
        if let Some(problem) = &row.problem {
            return Err(problem.clone());
        }
        let values = &row.values;
        let id = match plan.op {
            Op::Update | Op::Delete | Op::HardDelete => Some(record_id(plan, values)?),
            _ => None,
        };
        let key = match (&plan.key, key_field) {
            (Some((col, name)), Some(field)) => {
                let value = values.get(*col).unwrap_or_default();
                if value.is_empty() || value == "#N/A" {
                    return Err(DmlError::new(
                        "MISSING_ARGUMENT",
                        format!("{name} not specified"),
                    ));
                }
                if external_key(field, &json!(value)).is_some_and(|k| key_count.get(&k) > Some(&1))
                {
                    return Err(DmlError::new(
                        "DUPLICATE_VALUE",
                        format!("Duplicate external id specified: {value}"),
                    ));
                }
                Some(value.to_string())
            }
            _ => None,
        };
        let body = match plan.op {
            Op::Delete | Op::HardDelete => Map::new(),
            _ => store.resolve_references(&plan.body(values))?.into_owned(),
        };
        Ok(Prepared { id, key, body })
    };
    let prepared: Vec<Result<Prepared, DmlError>> =
        rows.iter().map(|r| prepare(&store, r)).collect();
    let mut successes = csv_io::writer(Delimiter::Comma, LineEnding::Lf);
    let mut failures = csv_io::writer(Delimiter::Comma, LineEnding::Lf);
    let mut failed = 0;
    for (row, item) in rows.iter().zip(prepared) {
        let given_id = || {
            plan.id(&row.values)
                .and_then(ids::normalize)
                .unwrap_or_default()
        };
        let outcome: Result<(String, bool), DmlError> = item.and_then(|p| match plan.op {
            Op::Insert => store.insert_by(by, &p.body, now).map(|(id, _)| (id, true)),
            Op::Update => {
                let id = p.id.unwrap_or_default();
                store
                    .update(by, &id, &p.body, now)
                    .map(|_| (id, false))
                    .map_err(cross_reference)
            }
            Op::Upsert => {
                let field = key_field.expect("an upsert plan has its key field");
                match store
                    .upsert(by, field, &p.key.unwrap_or_default(), &p.body, now)?
                    .0
                {
                    Upserted::Created(id) => Ok((id, true)),
                    Upserted::Updated(id) => Ok((id, false)),
                    Upserted::Multiple(ids) => Err(DmlError::new(
                        "DUPLICATE_EXTERNAL_ID",
                        format!(
                            "{}: more than one record found for external id field: [{}]",
                            field.label,
                            ids.join(", ")
                        ),
                    )),
                }
            }
            Op::Delete => {
                let id = p.id.unwrap_or_default();
                store
                    .delete(by, &id, now)
                    .map(|_| (id, false))
                    .map_err(cross_reference)
            }
            Op::HardDelete => {
                let id = p.id.unwrap_or_default();
                store
                    .hard_delete(&id)
                    .map(|_| (id, false))
                    .map_err(cross_reference)
            }
        });
        match outcome {
            Ok((id, created)) => csv_io::result_row(
                &mut successes,
                [id.as_str(), if created { "true" } else { "false" }]
                    .into_iter()
                    .chain(row.values.iter()),
            ),
            Err(e) => {
                failed += 1;
                let error = csv_io::sf_error(&e);
                let id = match plan.op {
                    Op::Insert | Op::Upsert => String::new(),
                    _ => given_id(),
                };
                csv_io::result_row(
                    &mut failures,
                    [id.as_str(), error.as_str()]
                        .into_iter()
                        .chain(row.values.iter()),
                );
            }
        }
    }
    BatchOut {
        successes: csv_io::into_bytes(successes),
        failures: csv_io::into_bytes(failures),
        failed,
    }
}

/// What the worker needs from the job.
struct Setup {
    data: Bytes,
    op: Op,
    delimiter: Delimiter,
    line_ending: LineEnding,
    external_id: Option<String>,
    user_id: String,
}

/// Ends the job in `state` (unless it was aborted or deleted meanwhile).
fn finish(state: &AppState, id: &str, to: JobState, error: Option<String>, started: Instant) {
    let now = now_ms();
    state.bulk.with_ingest(id, |job| {
        if job.info.state == JobState::InProgress {
            job.info.set_state(to, now);
            job.info.error_message = error;
        }
        job.info.processing_ms = started.elapsed().as_millis() as u64;
    });
}

async fn run(state: AppState, id: String) {
    // Let the close answer first: the job is seen UploadComplete, then InProgress.
    tokio::task::yield_now().await;
    let started = Instant::now();
    let now = now_ms();
    let setup = state.bulk.with_ingest(&id, |job| {
        if job.info.state != JobState::UploadComplete {
            return None;
        }
        job.info.set_state(JobState::InProgress, now);
        Some(Setup {
            data: job.data.clone().unwrap_or_default(),
            op: Op::parse(job.info.operation),
            delimiter: job.info.delimiter,
            line_ending: job.info.line_ending,
            external_id: job.external_id.clone(),
            user_id: job.info.created_by.clone(),
        })
    });
    let Some(Some(setup)) = setup else {
        return;
    };
    tokio::task::yield_now().await;
    state.bulk.wait_while_held().await;
    if let Some(message) = state.bulk.take_failure() {
        return finish(&state, &id, JobState::Failed, Some(message), started);
    }
    if csv_io::wrong_line_ending(&setup.data, setup.line_ending) {
        let message = format!(
            "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is {}",
            setup.line_ending.name()
        );
        return finish(&state, &id, JobState::Failed, Some(message), started);
    }
    let mut reader = csv_io::reader(setup.data.clone(), setup.delimiter, setup.line_ending);
    let mut header = StringRecord::new();
    let columns: Vec<String> = match reader.read_record(&mut header) {
        Ok(true) => header.iter().map(|c| column_name(c).to_string()).collect(),
        // No data at all: nothing to do.
        Ok(false) => return finish(&state, &id, JobState::JobComplete, None, started),
        Err(e) => {
            let message = format!("InvalidBatch : Failed to parse CSV header: {e}");
            return finish(&state, &id, JobState::Failed, Some(message), started);
        }
    };
    let plan = match Plan::new(
        &state.schema.account,
        setup.op,
        setup.external_id.as_deref(),
        &columns,
    ) {
        Ok(plan) => plan,
        Err(message) => return finish(&state, &id, JobState::Failed, Some(message), started),
    };
    state
        .bulk
        .with_ingest(&id, |job| job.columns = columns.clone());
    loop {
        let rows = read_batch(
            &mut reader,
            &setup.data,
            columns.len(),
            setup.delimiter.byte(),
        );
        if rows.is_empty() {
            break;
        }
        let wanted = state
            .bulk
            .with_ingest(&id, |job| job.info.state == JobState::InProgress)
            .unwrap_or(false);
        if !wanted {
            return;
        }
        let out = work_batch(&state, &plan, &setup.user_id, &rows);
        state.bulk.batches.fetch_add(1, Ordering::Relaxed);
        let now = now_ms();
        state.bulk.with_ingest(&id, |job| {
            job.info.processed += rows.len() as u64;
            job.info.failed += out.failed;
            job.info.modstamp = now.max(job.info.modstamp);
            job.worked += rows.len();
            if !out.successes.is_empty() {
                job.successes.push(out.successes);
            }
            if !out.failures.is_empty() {
                job.failures.push(out.failures);
            }
        });
        tokio::task::yield_now().await;
    }
    finish(&state, &id, JobState::JobComplete, None, started);
}
