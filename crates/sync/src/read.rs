//! Reading what a preview needs from both orgs, in as few calls as possible: the source
//! accounts (one query, paged by 2,000), the target's keyed count, then the target records by key
//! ([`crate::plan::target_read`]), and both orgs' users when owners are matched. A failure says
//! which org it came from.

use salesforce::error::Error;
use salesforce::rest::Record;
use salesforce::transport::Transport;
use salesforce::types::RecordId;
use salesforce::Client;
use serde_json::Value;

use std::collections::{HashMap, HashSet};

use crate::key::{KeyFacts, MatchKey};
use crate::mapping::Mapping;
use crate::owners::{User, USERS_SOQL};
use crate::plan::{self, Calls, Scope};

/// Which org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Source,
    Target,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Source => "source",
            Side::Target => "target",
        }
    }
}

/// A failed read, and which org it failed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub side: Side,
    pub error: Error,
}

impl ReadError {
    /// In words, naming the org.
    pub fn message(&self) -> String {
        format!(
            "The {} org: {}",
            self.side.name(),
            self.error.user_message()
        )
    }
}

/// Everything a preview is made from.
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub records: Vec<Record>,
    pub targets: Vec<Record>,
    /// Source records deleted since the last sync, when asked for.
    pub deleted: Option<Vec<Record>>,
    pub source_users: Vec<User>,
    pub target_users: Vec<User>,
    pub calls: Calls,
}

/// What to read.
pub struct Ask<'a> {
    pub scope: &'a Scope,
    /// Records to read as well, by id (parents the person chose to copy too).
    pub also: &'a [RecordId],
    pub mapping: &'a Mapping,
    pub key: &'a MatchKey,
    pub owners: bool,
    /// Read the source's deletions since this watermark (the last full sync's), to delete their
    /// copies in the target.
    pub deletions_since: Option<&'a str>,
    /// Both orgs have record types: read the source's DeveloperNames and the target's ids.
    pub record_types: bool,
}

/// Runs one read (a query per field group, every page of each) and joins the groups' records by
/// Id; a record missing from a group (deleted between the queries) is left out, never read as
/// empty. Returns the records and the calls made.
async fn read_grouped<T: Transport>(
    client: &Client<T>,
    read: &plan::Read,
    mut progress: impl FnMut(usize),
) -> Result<(Vec<Record>, u64), Error> {
    let mut calls = 0;
    let mut groups = Vec::with_capacity(read.len());
    for soql in read {
        let first = groups.is_empty();
        let (records, n) = client
            .query_all_pages_seen(soql, |n| {
                if first {
                    progress(n)
                }
            })
            .await?;
        calls += n;
        groups.push(records);
    }
    let mut groups = groups.into_iter();
    let mut records = groups.next().unwrap_or_default();
    for group in groups {
        let mut by_id: HashMap<String, Record> = group
            .into_iter()
            .filter_map(|r| Some((r.get("Id")?.as_str()?.to_string(), r)))
            .collect();
        records.retain_mut(|r| {
            let more = r
                .get("Id")
                .and_then(Value::as_str)
                .and_then(|id| by_id.remove(id));
            match more {
                Some(more) => {
                    r.extend(more);
                    true
                }
                None => false,
            }
        });
    }
    Ok((records, calls))
}

/// Reads both orgs for a preview; `progress` hears what is being read ("Reading the source
/// accounts: 4,000 read").
pub async fn read<S: Transport, T: Transport>(
    source: &Client<S>,
    target: &Client<T>,
    ask: &Ask<'_>,
    mut progress: impl FnMut(String),
) -> Result<Read, ReadError> {
    let at = |side| move |error| ReadError { side, error };
    let mut out = Read::default();
    let mut fields = plan::source_fields(ask.mapping, ask.key, ask.owners);
    if ask.record_types {
        fields.push("RecordType.DeveloperName".into());
    }
    let mut queries = plan::source_queries(&fields, ask.scope);
    if !ask.also.is_empty() {
        queries.extend(plan::source_queries(
            &fields,
            &Scope::Ids(ask.also.to_vec()),
        ));
    }
    for query in &queries {
        let before = out.records.len();
        let (mut records, calls) = read_grouped(source, query, |n| {
            progress(format!("Reading the source accounts: {} read", before + n))
        })
        .await
        .map_err(at(Side::Source))?;
        out.records.append(&mut records);
        out.calls.source += calls;
    }

    // A record both chosen and added as a parent is read twice: keep it once.
    let mut seen = HashSet::new();
    out.records.retain(|r| {
        seen.insert(
            r.get("Id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        )
    });
    if let Some(since) = ask.deletions_since {
        progress("Reading what was deleted in the source since the last sync".into());
        let (deleted, calls) = deleted_records(source, since, ask.key)
            .await
            .map_err(at(Side::Source))?;
        out.calls.source += calls;
        out.deleted = Some(deleted);
    }
    let deleted = out.deleted.as_deref().unwrap_or_default();
    // Nothing to copy (nothing changed since the last sync): nothing more to read.
    if out.records.is_empty() && deleted.is_empty() {
        return Ok(out);
    }
    progress("Looking for the accounts in the target".into());
    let keyed = target
        .query(&plan::keyed_count_soql(ask.key), None)
        .await
        .map_err(at(Side::Target))?
        .total_size;
    out.calls.target += 1;
    let mut keys = plan::lookup_keys(&out.records, ask.key);
    keys.extend(deleted.iter().filter_map(|r| ask.key.value_of(r)));
    let mut fields = plan::target_fields(ask.mapping, ask.key, ask.owners);
    if ask.record_types {
        fields.push(crate::record_types::FIELD.into());
    }
    let reading = plan::target_read(&keys, keyed, &fields, ask.key);
    for query in reading.queries(&fields, ask.key) {
        let before = out.targets.len();
        let (mut records, calls) = read_grouped(target, &query, |n| {
            progress(format!("Reading the target accounts: {} read", before + n))
        })
        .await
        .map_err(at(Side::Target))?;
        out.targets.append(&mut records);
        out.calls.target += calls;
    }

    if ask.owners {
        progress("Reading the users of both orgs".into());
        let users = |records: Vec<Record>| records.iter().filter_map(User::from_record).collect();
        let (s, calls) = source
            .query_all_pages_seen(USERS_SOQL, |_| {})
            .await
            .map_err(at(Side::Source))?;
        out.source_users = users(s);
        out.calls.source += calls;
        let (t, calls) = target
            .query_all_pages_seen(USERS_SOQL, |_| {})
            .await
            .map_err(at(Side::Target))?;
        out.target_users = users(t);
        out.calls.target += calls;
    }
    Ok(out)
}

/// Every page of a `/queryAll` query (deleted records included), and the calls made.
async fn query_all_with_deleted<S: Transport>(
    source: &Client<S>,
    soql: &str,
) -> Result<(Vec<Record>, u64), Error> {
    let mut page = source.query_with_deleted(soql, None).await?;
    let mut calls = 1;
    let mut all = std::mem::take(&mut page.records);
    while let (false, Some(next)) = (page.done, page.next_records_url.clone()) {
        page = source.query_more(&next, None).await?;
        calls += 1;
        all.append(&mut page.records);
    }
    Ok((all, calls))
}

/// The source records deleted since `since` (the last full sync's watermark, less the margin),
/// with what their key is made of: every page.
async fn deleted_records<S: Transport>(
    source: &Client<S>,
    since: &str,
    key: &MatchKey,
) -> Result<(Vec<Record>, u64), Error> {
    let mut fields = vec!["Id".to_string(), "Name".into()];
    if let crate::key::KeyFrom::Field(f) = &key.from {
        if !f.eq_ignore_ascii_case("Name") {
            fields.push(f.clone());
        }
    }
    let soql = format!(
        "SELECT {} FROM Account WHERE IsDeleted = true AND SystemModstamp >= {} ORDER BY Id",
        fields.join(", "),
        plan::since_with_margin(since)
    );
    query_all_with_deleted(source, &soql).await
}

/// The source records deleted since `since` (a `SystemModstamp` as the org prints it), every
/// page of them, for the run to skip: ids kept in a set, so checking 100,000 rows is 100,000
/// look-ups.
pub async fn deleted_since<S: Transport>(
    source: &Client<S>,
    since: &str,
) -> Result<(HashSet<RecordId>, u64), ReadError> {
    let soql = format!(
        "SELECT Id FROM Account WHERE IsDeleted = true AND SystemModstamp >= {}",
        plan::soql_datetime(since)
    );
    let (records, calls) = query_all_with_deleted(source, &soql)
        .await
        .map_err(|error| ReadError {
            side: Side::Source,
            error,
        })?;
    Ok((
        records
            .iter()
            .filter_map(|r| r.get("Id").and_then(Value::as_str))
            .filter_map(|id| RecordId::parse(id).ok())
            .collect(),
        calls,
    ))
}

/// Counts the records holding a value in each candidate key field, in both orgs (one
/// `COUNT()` call per field): what a key is proposed from.
pub async fn key_facts<S: Transport, T: Transport>(
    source: &Client<S>,
    target: &Client<T>,
    source_fields: &[String],
    target_fields: &[String],
) -> Result<KeyFacts, ReadError> {
    async fn count<C: Transport>(client: &Client<C>, field: &str) -> Result<u64, Error> {
        let soql = format!("SELECT COUNT() FROM Account WHERE {field} != null");
        Ok(client.query(&soql, None).await?.total_size)
    }
    let mut facts = KeyFacts::default();
    for f in source_fields {
        let n = count(source, f).await.map_err(|error| ReadError {
            side: Side::Source,
            error,
        })?;
        facts.source.insert(f.to_ascii_lowercase(), n);
    }
    for f in target_fields {
        let n = count(target, f).await.map_err(|error| ReadError {
            side: Side::Target,
            error,
        })?;
        facts.target.insert(f.to_ascii_lowercase(), n);
    }
    Ok(facts)
}
