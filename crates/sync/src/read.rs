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

/// Why a preview's read did not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadFailure {
    /// An org failed it.
    Org(ReadError),
    /// The browser would run out of memory before the preview is made: why, and what to do.
    TooBig(String),
}

impl From<ReadError> for ReadFailure {
    fn from(e: ReadError) -> Self {
        ReadFailure::Org(e)
    }
}

/// What stopped one read: the org, or the room left.
enum Halt {
    Org(Error),
    Room(String),
}

impl From<Error> for Halt {
    fn from(e: Error) -> Self {
        Halt::Org(e)
    }
}

impl Halt {
    fn in_org(self, side: Side) -> ReadFailure {
        match self {
            Halt::Org(error) => ReadFailure::Org(ReadError { side, error }),
            Halt::Room(why) => ReadFailure::TooBig(why),
        }
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
    /// Asked after each page of the source, with the records read and the total: `Some(why)`
    /// stops the read (the browser would run out of memory before the preview is made).
    pub room: &'a dyn Fn(usize, u64) -> Option<String>,
}

/// The memory a browser tab gives the app (wasm32 addresses 4 GiB), less room for the page.
pub const TAB_BYTES: u64 = 3_500_000_000;

/// About what a preview holds per source record and field read, measured (`benches/sync.sh`'s
/// wasm memory): read whole, the source record, its target record and its row; read a page at a
/// time, its row and its target record.
pub const BYTES_PER_FIELD: u64 = 320;
pub const BYTES_PER_FIELD_STREAMED: u64 = 60;

/// Whether a preview of `total` source records of `fields` fields fits in a browser tab (read
/// whole, or a page at a time), and if not, why, with what a person can do.
pub fn room_for(total: u64, fields: usize, streamed: bool) -> Result<(), String> {
    let per_field = if streamed {
        BYTES_PER_FIELD_STREAMED
    } else {
        BYTES_PER_FIELD
    };
    let need = total.saturating_mul(fields.max(1) as u64 * per_field);
    if need <= TAB_BYTES {
        return Ok(());
    }
    let most = TAB_BYTES / (fields.max(1) as u64 * per_field);
    Err(format!(
        "{} source accounts of {} fields are more than one preview can hold in this browser (about {:.1} GB of its at most 4 GB). Copy them in parts of up to about {}: choose “Those the source's account list shows now” with a search or a WHERE clause (a range of names or of CreatedDate, say) and copy each part; a part copied is matched by its key, so none is written twice.",
        thousands(total),
        fields,
        need as f64 / 1e9,
        thousands(round_down(most))
    ))
}

/// What to say when the browser's memory runs short partway through a read: `read` of `total`
/// records read.
pub fn out_of_room(read: usize, total: u64) -> String {
    format!(
        "This browser tab is nearly out of memory after reading {} of {} source accounts, so the preview stopped (nothing was written). Copy them in parts of fewer accounts: choose “Those the source's account list shows now” with a search or a WHERE clause (a range of names or of CreatedDate, say) and copy each part; a part copied is matched by its key, so none is written twice.",
        thousands(read as u64),
        thousands(total)
    )
}

/// `n` to two significant digits, down (`278,431` → `270,000`).
fn round_down(n: u64) -> u64 {
    let mut unit = 1;
    while n / unit >= 100 {
        unit *= 10;
    }
    n / unit * unit
}

fn thousands(n: u64) -> String {
    orgbridge_model::accounts::thousands(n)
}

/// Runs one read (a query per field group, every page of each) and joins the groups' records by
/// Id; a record missing from a group (deleted between the queries) is left out, never read as
/// empty. `room` hears, after each page of the first group, the records read and the total, and
/// may stop the read (an error whose words are its own). Returns the records and the calls made.
async fn read_grouped<T: Transport>(
    client: &Client<T>,
    read: &plan::Read,
    mut progress: impl FnMut(usize),
    room: &dyn Fn(usize, u64) -> Option<String>,
) -> Result<(Vec<Record>, u64), Halt> {
    let mut calls = 0;
    let mut groups = Vec::with_capacity(read.len());
    for soql in read {
        let first = groups.is_empty();
        let mut page = client.query(soql, None).await?;
        calls += 1;
        let mut records = std::mem::take(&mut page.records);
        loop {
            if first {
                progress(records.len());
                if let Some(why) = room(records.len(), page.total_size) {
                    return Err(Halt::Room(why));
                }
            }
            let (false, Some(next)) = (page.done, page.next_records_url.clone()) else {
                break;
            };
            page = client.query_more(&next, None).await?;
            calls += 1;
            records.append(&mut page.records);
        }
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

/// From how many source records a preview reads the target first and the source a page at a
/// time, each page made into rows and dropped (below it, the source's keys pick the cheaper
/// target read: IN lists of them, or every keyed record).
pub const STREAM_FROM: u64 = 10_000;

/// The source pages still to read after [`read`], one at a time (none when it read them all).
#[derive(Debug, Default)]
pub struct Rest {
    next: Option<String>,
    read: usize,
    total: u64,
    /// Records read already (parents chosen too), skipped where the stream meets them again.
    skip: HashSet<String>,
    /// Calls made reading these pages.
    pub calls: u64,
}

impl Rest {
    /// The next page of source records, or `None` once all are read.
    pub async fn next<S: Transport>(
        &mut self,
        source: &Client<S>,
        room: &dyn Fn(usize, u64) -> Option<String>,
        mut progress: impl FnMut(String),
    ) -> Result<Option<Vec<Record>>, ReadFailure> {
        let Some(url) = self.next.take() else {
            return Ok(None);
        };
        let mut page = source.query_more(&url, None).await.map_err(|error| {
            ReadFailure::Org(ReadError {
                side: Side::Source,
                error,
            })
        })?;
        self.calls += 1;
        self.read += page.records.len();
        progress(format!(
            "Reading the source accounts: {} of {} read",
            orgbridge_model::accounts::thousands(self.read as u64),
            orgbridge_model::accounts::thousands(self.total)
        ));
        if let Some(why) = room(self.read, self.total) {
            return Err(ReadFailure::TooBig(why));
        }
        self.next = (!page.done).then_some(page.next_records_url).flatten();
        let mut records = std::mem::take(&mut page.records);
        if !self.skip.is_empty() {
            records.retain(|r| {
                !r.get("Id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| self.skip.contains(id))
            });
        }
        Ok(Some(records))
    }

    /// Whether pages are still to come.
    pub fn streams(&self) -> bool {
        self.next.is_some()
    }
}

/// Reads both orgs for a preview; `progress` hears what is being read ("Reading the source
/// accounts: 4,000 read"). A large source (from [`STREAM_FROM`] records, one query) is read
/// after the target, a page at a time: the first page is in [`Read::records`] and the rest come
/// from the [`Rest`], so no more than a page of source records is held at once.
pub async fn read<S: Transport, T: Transport>(
    source: &Client<S>,
    target: &Client<T>,
    ask: &Ask<'_>,
    mut progress: impl FnMut(String),
) -> Result<(Read, Rest), ReadFailure> {
    let at = |side| move |error| ReadFailure::Org(ReadError { side, error });
    let mut out = Read::default();
    let mut rest = Rest::default();
    let mut fields = plan::source_fields(ask.mapping, ask.key, ask.owners);
    if ask.record_types {
        fields.push("RecordType.DeveloperName".into());
    }
    let mut queries = plan::source_queries(&fields, ask.scope);
    let also = if ask.also.is_empty() {
        vec![]
    } else {
        plan::source_queries(&fields, &Scope::Ids(ask.also.to_vec()))
    };

    // The first page of a one-query, one-group source says how many records there are, and
    // the keyed count of the target which read of it is cheaper.
    let mut keyed = None;
    let single = match queries.as_slice() {
        [groups] if groups.len() == 1 => Some(groups[0].clone()),
        _ => None,
    };
    if let Some(soql) = single {
        queries.clear();
        let page = source.query(&soql, None).await.map_err(at(Side::Source))?;
        out.calls.source += 1;
        let total = page.total_size;
        progress(format!(
            "Reading the source accounts: {} read",
            page.records.len()
        ));
        if let Some(why) = room_for(total, fields.len(), total >= STREAM_FROM)
            .err()
            .or_else(|| (ask.room)(page.records.len(), total))
        {
            return Err(ReadFailure::TooBig(why));
        }
        let count = target
            .query(&plan::keyed_count_soql(ask.key), None)
            .await
            .map_err(at(Side::Target))?
            .total_size;
        out.calls.target += 1;
        keyed = Some(count);
        rest.next = (!page.done).then_some(page.next_records_url).flatten();
        rest.read = page.records.len();
        rest.total = total;
        out.records = page.records;
        // Every keyed target record in pages costs no more than IN lists of the source's keys
        // (about 400 a call): read them first, then the source page by page. Otherwise every
        // page now, as the keys pick the target read.
        let streamed = total >= STREAM_FROM && count.div_ceil(plan::PAGE) <= total.div_ceil(400);
        if !streamed {
            while let Some(page) = rest.next(source, ask.room, &mut progress).await? {
                out.records.extend(page);
            }
            out.calls.source += std::mem::take(&mut rest.calls);
        }
    }
    for query in queries.iter().chain(&also) {
        let before = out.records.len();
        // Known from the first page: whether the preview can be held at all, before minutes of
        // reading; then, page by page, the room the browser has left.
        let room = |n: usize, total: u64| {
            room_for(total, fields.len(), false)
                .err()
                .or_else(|| (ask.room)(before + n, total))
        };
        let (mut records, calls) = read_grouped(
            source,
            query,
            |n| progress(format!("Reading the source accounts: {} read", before + n)),
            &room,
        )
        .await
        .map_err(|h| h.in_org(Side::Source))?;
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
    if rest.streams() && !also.is_empty() {
        rest.skip = seen;
    }
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
    if out.records.is_empty() && deleted.is_empty() && !rest.streams() {
        return Ok((out, rest));
    }
    progress("Looking for the accounts in the target".into());
    let keyed = match keyed {
        Some(k) => k,
        None => {
            out.calls.target += 1;
            target
                .query(&plan::keyed_count_soql(ask.key), None)
                .await
                .map_err(at(Side::Target))?
                .total_size
        }
    };
    let mut target_fields = plan::target_fields(ask.mapping, ask.key, ask.owners);
    if ask.record_types {
        target_fields.push(crate::record_types::FIELD.into());
    }
    let reading = if rest.streams() {
        if keyed == 0 {
            plan::TargetRead::Nothing
        } else {
            plan::TargetRead::AllWithKey {
                calls: keyed.div_ceil(plan::PAGE),
            }
        }
    } else {
        let mut keys = plan::lookup_keys(&out.records, ask.key);
        keys.extend(deleted.iter().filter_map(|r| ask.key.value_of(r)));
        plan::target_read(&keys, keyed, &target_fields, ask.key)
    };
    for query in reading.queries(&target_fields, ask.key) {
        let before = out.targets.len();
        let (mut records, calls) = read_grouped(
            target,
            &query,
            |n| progress(format!("Reading the target accounts: {} read", before + n)),
            &|n, total| (ask.room)(before + n, total),
        )
        .await
        .map_err(|h| h.in_org(Side::Target))?;
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
    Ok((out, rest))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_too_large_for_a_browser_tab_is_refused_with_how_to_split_it() {
        // Read whole: 100,000 accounts of 60 fields fit (the benchmark's 1.2 GB); 1,000,000 do
        // not.
        assert_eq!(room_for(100_000, 60, false), Ok(()));
        let why = room_for(1_000_000, 60, false).unwrap_err();
        assert!(
            why.starts_with("1,000,000 source accounts of 60 fields"),
            "{why}"
        );
        assert!(why.contains("19.2 GB"), "{why}");
        assert!(why.contains("parts of up to about 180,000"), "{why}");
        assert!(why.contains("WHERE clause"), "{why}");
        // A page at a time, a row is what stays: 1,000,000 of 40 fields fit.
        assert_eq!(room_for(1_000_000, 40, true), Ok(()));
        assert!(room_for(3_000_000, 40, true).is_err());
        assert_eq!(room_for(0, 0, false), Ok(()));
        assert_eq!(round_down(278_431), 270_000);
        assert_eq!(round_down(42), 42);
    }
}
