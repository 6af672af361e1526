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

use crate::key::MatchKey;
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
    let fields = plan::source_fields(ask.mapping, ask.key, ask.owners);
    let mut queries = plan::source_queries(&fields, ask.scope);
    if !ask.also.is_empty() {
        queries.extend(plan::source_queries(
            &fields,
            &Scope::Ids(ask.also.to_vec()),
        ));
    }
    for soql in queries {
        let before = out.records.len();
        let (mut records, calls) = source
            .query_all_pages_seen(&soql, |n| {
                progress(format!("Reading the source accounts: {} read", before + n))
            })
            .await
            .map_err(at(Side::Source))?;
        out.records.append(&mut records);
        out.calls.source += calls;
    }

    // A record both chosen and added as a parent is read twice: keep it once.
    let mut seen = std::collections::HashSet::new();
    out.records.retain(|r| {
        seen.insert(
            r.get("Id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        )
    });
    // Nothing to copy (nothing changed since the last sync): nothing more to read.
    if out.records.is_empty() {
        return Ok(out);
    }
    progress("Looking for the accounts in the target".into());
    let keyed = target
        .query(&plan::keyed_count_soql(ask.key), None)
        .await
        .map_err(at(Side::Target))?
        .total_size;
    out.calls.target += 1;
    let keys = plan::lookup_keys(&out.records, ask.key);
    let reading = plan::target_read(&keys, keyed);
    let fields = plan::target_fields(ask.mapping, ask.key, ask.owners);
    for soql in reading.queries(&fields, ask.key) {
        let before = out.targets.len();
        let (mut records, calls) = target
            .query_all_pages_seen(&soql, |n| {
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

/// The source records deleted since `since` (a `SystemModstamp` as the org prints it): one
/// `/queryAll` call for the run to skip them.
pub async fn deleted_since<S: Transport>(
    source: &Client<S>,
    since: &str,
) -> Result<Vec<RecordId>, ReadError> {
    let soql = format!(
        "SELECT Id FROM Account WHERE IsDeleted = true AND SystemModstamp >= {}",
        plan::soql_datetime(since)
    );
    let page = source
        .query_with_deleted(&soql, None)
        .await
        .map_err(|error| ReadError {
            side: Side::Source,
            error,
        })?;
    Ok(page
        .records
        .iter()
        .filter_map(|r| r.get("Id").and_then(Value::as_str))
        .filter_map(|id| RecordId::parse(id).ok())
        .collect())
}
