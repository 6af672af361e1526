//! The calls a run makes: the source read (one query, paged), the target read (by key, in as
//! few calls as possible), and the writes (upserts by the key through sObject Collections, 200
//! per call, parents' depth before children's).

use salesforce::rest::COLLECTION_LIMIT;
use salesforce::soql::quote;
use salesforce::types::RecordId;

use crate::key::MatchKey;
use crate::mapping::Mapping;
use crate::preview::{Outcome, Preview};

/// Records per query page (the REST API's largest).
pub const PAGE: u64 = 2_000;

/// The most one query's `q=` parameter may take, URL-encoded. Salesforce refuses a request
/// whose URL and headers pass about 16,384 bytes (414 / 431); this leaves some 4,000 for the
/// scheme, host, path, the session header and what the browser adds.
pub const QUERY_BYTES: usize = 12_000;

/// The most a SELECT list takes of that, so an IN list keeps room: a longer field list is read
/// in several queries, joined by Id.
const SELECT_BYTES: usize = QUERY_BYTES / 2;

/// The length of `s` once `application/x-www-form-urlencoded` as a query parameter (what
/// `Client::query` sends): letters, digits and `*-._` as they are, a space as `+`, every other
/// byte as `%XX`.
pub fn encoded_len(s: &str) -> usize {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' | b' ' => 1,
            _ => 3,
        })
        .sum()
}

/// `fields` in groups whose SELECT fits [`SELECT_BYTES`] encoded, each starting with `Id` so
/// their records join. Nearly always one group.
pub fn field_groups(fields: &[String]) -> Vec<Vec<String>> {
    let fixed = encoded_len("SELECT Id FROM Account");
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut size = usize::MAX;
    for f in fields.iter().filter(|f| !f.eq_ignore_ascii_case("Id")) {
        let more = encoded_len(f) + encoded_len(", ");
        if size.saturating_add(more) > SELECT_BYTES {
            groups.push(vec!["Id".into()]);
            size = fixed;
        }
        size += more;
        groups.last_mut().expect("a group").push(f.clone());
    }
    if groups.is_empty() {
        groups.push(vec!["Id".into()]);
    }
    groups
}

/// One read: the same WHERE with each field group, records joined by Id (one query when the
/// fields fit one).
pub type Read = Vec<String>;

/// Each group's query for one WHERE clause (`None`: every record) and ORDER BY.
fn grouped(groups: &[Vec<String>], filter: Option<&str>, order: &str) -> Read {
    groups
        .iter()
        .map(|g| {
            let mut q = format!("SELECT {} FROM Account", g.join(", "));
            if let Some(w) = filter {
                q.push_str(" WHERE ");
                q.push_str(w);
            }
            q.push_str(order);
            q
        })
        .collect()
}

/// Room left for an IN list's values in a query of these groups, around `shape` (the rest of
/// the query with an empty list).
fn in_list_room(groups: &[Vec<String>], shape: &str) -> usize {
    let select = groups
        .iter()
        .map(|g| encoded_len(&format!("SELECT {} FROM Account", g.join(", "))))
        .max()
        .unwrap_or(0);
    QUERY_BYTES
        .saturating_sub(select + encoded_len(shape))
        .max(1_000)
}

/// Which source accounts a run reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// A WHERE clause as the account list has it (checked by the org).
    Where(String),
    /// The rows selected in the list.
    Ids(Vec<RecordId>),
    /// Records changed since the last full sync's watermark (a `SystemModstamp`), less
    /// [`MARGIN_MINUTES`].
    ChangedSince(String),
}

/// The source fields a run reads: Id, Name, SystemModstamp, the owner, the parent (with its
/// name and key), the key's field and the mapped fields, each once.
pub fn source_fields(mapping: &Mapping, key: &MatchKey, owners: bool) -> Vec<String> {
    let mut fields: Vec<String> = ["Id", "Name", "SystemModstamp", "Parent.Name"]
        .map(String::from)
        .into();
    if owners {
        fields.push("OwnerId".into());
    }
    fields.extend(key.source_fields());
    fields.extend(mapping.source_fields());
    dedup(fields)
}

/// The target fields read to compare: Id, Name, the key, the mapped fields, the parent's key and
/// name, the owner.
pub fn target_fields(mapping: &Mapping, key: &MatchKey, owners: bool) -> Vec<String> {
    let mut fields = vec![
        "Id".to_string(),
        "Name".into(),
        key.target.clone(),
        "ParentId".into(),
        "Parent.Name".into(),
        format!("Parent.{}", key.target),
        // What a conflict is told by: a record changed after the preview is not written.
        "SystemModstamp".into(),
    ];
    if owners {
        fields.push("OwnerId".into());
    }
    fields.extend(mapping.pairs.iter().map(|p| p.target.clone()));
    dedup(fields)
}

fn dedup(fields: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    fields
        .into_iter()
        .filter(|f| seen.insert(f.to_ascii_lowercase()))
        .collect()
}

/// The source reads (the ids of `Scope::Ids` in IN lists that keep each query under
/// [`QUERY_BYTES`] encoded: one read each).
pub fn source_queries(fields: &[String], scope: &Scope) -> Vec<Read> {
    let groups = field_groups(fields);
    let order = " ORDER BY Id";
    match scope {
        Scope::All => vec![grouped(&groups, None, order)],
        Scope::Where(w) => vec![grouped(&groups, Some(&format!("({w})")), order)],
        Scope::ChangedSince(mark) => vec![grouped(
            &groups,
            Some(&format!("SystemModstamp >= {}", since_with_margin(mark))),
            order,
        )],
        Scope::Ids(ids) => {
            let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            let room = in_list_room(&groups, " WHERE Id IN () ORDER BY Id");
            in_lists(&ids, room)
                .into_iter()
                .map(|list| grouped(&groups, Some(&format!("Id IN ({list})")), order))
                .collect()
        }
    }
}

/// How far before the watermark "changed since the last sync" reads. A record's
/// `SystemModstamp` is set when its transaction writes it, but other readers see it only once the
/// transaction commits: a long one (a Bulk API batch, a big Apex job; Salesforce lets a
/// transaction run for up to 10 minutes) commits records stamped before the newest one a sync
/// read. Salesforce's own replication call, `getUpdated`, hands back `latestDateCovered` (the
/// start of the oldest transaction still open) for the next call to start from; SOQL has no
/// such value, so a fixed margin stands in for it: 15 minutes, the longest transaction with room
/// for clock skew. Records read twice preview as Unchanged and cost nothing to write.
pub const MARGIN_MINUTES: i64 = 15;

/// The SOQL datetime literal "changed since `mark`" reads from: the mark less the margin.
pub fn since_with_margin(mark: &str) -> String {
    let literal = soql_datetime(mark);
    match seconds_of(&literal) {
        Some(at) if at > MARGIN_MINUTES * 60 => literal_of(at - MARGIN_MINUTES * 60),
        _ => literal,
    }
}

/// Seconds since 1970 of a `YYYY-MM-DDTHH:MM:SSZ` literal.
fn seconds_of(literal: &str) -> Option<i64> {
    let n = |r: std::ops::Range<usize>| literal.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3_600 + mm * 60 + ss)
}

/// The literal for seconds since 1970.
fn literal_of(at: i64) -> String {
    let (days, secs) = (at.div_euclid(86_400), at.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// A `SystemModstamp` as the REST API prints it (`2026-12-01T10:00:00.000+0000`, always UTC)
/// as a SOQL datetime literal to the second (`2026-12-01T10:00:00Z`). Anything else becomes the
/// start of time, so a bad watermark reads everything rather than misses records.
pub fn soql_datetime(stamp: &str) -> String {
    let shape = stamp.len() >= 19
        && stamp.is_char_boundary(19)
        && stamp[..19].bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        });
    if shape {
        format!("{}Z", &stamp[..19])
    } else {
        "1970-01-01T00:00:00Z".into()
    }
}

/// Quoted, comma-separated lists of `values`, each at most `room` bytes once encoded.
fn in_lists(values: &[String], room: usize) -> Vec<String> {
    let mut lists = Vec::new();
    let mut now = String::new();
    let mut size = 0;
    let comma = encoded_len(", ");
    for v in values {
        let q = quote(v);
        let more = encoded_len(&q);
        if !now.is_empty() && size + comma + more > room {
            lists.push(std::mem::take(&mut now));
            size = 0;
        }
        if !now.is_empty() {
            now.push_str(", ");
            size += comma;
        }
        now.push_str(&q);
        size += more;
    }
    if !now.is_empty() {
        lists.push(now);
    }
    lists
}

/// How the target is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetRead {
    /// No target record has a key yet: nothing to read.
    Nothing,
    /// Every target record with a key, page by page: fewer calls when most keyed records are
    /// the run's.
    AllWithKey { calls: u64 },
    /// The run's keys (and their parents'), in IN lists sized for these fields.
    ByKeys(Vec<String>),
}

/// `SELECT COUNT()` of target records with a key: the one call that picks the read.
pub fn keyed_count_soql(key: &MatchKey) -> String {
    format!("SELECT COUNT() FROM Account WHERE {} != null", key.target)
}

/// Picks the read with fewer calls for `keys` (the run's and its parents' key values), given
/// `keyed` records in the target have a key and `fields` are read.
pub fn target_read(keys: &[String], keyed: u64, fields: &[String], key: &MatchKey) -> TargetRead {
    if keyed == 0 || keys.is_empty() {
        return TargetRead::Nothing;
    }
    // An IN list holds fewer keys than a page holds records: one call each.
    let groups = field_groups(fields);
    let room = in_list_room(&groups, &format!(" WHERE {} IN ()", key.target));
    let lists = in_lists(keys, room);
    let all = keyed.div_ceil(PAGE);
    if all <= lists.len() as u64 {
        TargetRead::AllWithKey { calls: all }
    } else {
        TargetRead::ByKeys(lists)
    }
}

impl TargetRead {
    /// The reads to make.
    pub fn queries(&self, fields: &[String], key: &MatchKey) -> Vec<Read> {
        let groups = field_groups(fields);
        // Ordered by Id only when the fields take several queries, whose pages must line up.
        let order = if groups.len() > 1 { " ORDER BY Id" } else { "" };
        match self {
            TargetRead::Nothing => vec![],
            TargetRead::AllWithKey { .. } => vec![grouped(
                &groups,
                Some(&format!("{} != null", key.target)),
                order,
            )],
            TargetRead::ByKeys(lists) => lists
                .iter()
                .map(|l| grouped(&groups, Some(&format!("{} IN ({l})", key.target)), order))
                .collect(),
        }
    }

    /// The calls it makes, at least (a result over 2,000 records takes more pages).
    pub fn calls(&self) -> u64 {
        match self {
            TargetRead::Nothing => 0,
            TargetRead::AllWithKey { calls } => *calls,
            TargetRead::ByKeys(lists) => lists.len() as u64,
        }
    }
}

/// The key values to look up in the target: every record's, and their parents'.
pub fn lookup_keys(records: &[salesforce::rest::Record], key: &MatchKey) -> Vec<String> {
    let mut keys: Vec<String> = records
        .iter()
        .flat_map(|r| [key.value_of(r), key.parent_value_of(r)])
        .flatten()
        .collect();
    keys.sort_unstable_by_key(|k| k.to_lowercase());
    keys.dedup_by_key(|k| k.to_lowercase());
    keys
}

/// What one write call does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Op {
    /// Creates or updates by the key.
    #[default]
    Upsert,
    /// Deletes target records (by Id) whose source record was deleted.
    Delete,
}

/// One write call: up to 200 rows of one depth (indexes into the preview's rows).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Batch {
    pub depth: u32,
    pub rows: Vec<usize>,
    #[serde(default)]
    pub op: Op,
}

/// The write calls for what the preview writes, parents' depth first, deletions last (a
/// deleted parent's children are written first, so none is refused for a parent gone).
pub fn batches(preview: &Preview) -> Vec<Batch> {
    // From the rows' outcomes and depths: no row is read back.
    let rows = &preview.rows;
    let deletes_at = (0..rows.len())
        .map(|n| rows.depth(n))
        .max()
        .unwrap_or(0)
        .saturating_add(1);
    let mut writes: Vec<(u32, usize)> = (0..rows.len())
        .filter(|&n| rows.outcome(n).writes())
        .map(|n| {
            let depth = if rows.outcome(n) == Outcome::Delete {
                deletes_at
            } else {
                rows.depth(n)
            };
            (depth, n)
        })
        .collect();
    writes.sort();
    let mut out: Vec<Batch> = Vec::new();
    for (depth, n) in writes {
        let op = if preview.rows.outcome(n) == Outcome::Delete {
            Op::Delete
        } else {
            Op::Upsert
        };
        match out.last_mut() {
            Some(b) if b.depth == depth && b.op == op && b.rows.len() < COLLECTION_LIMIT => {
                b.rows.push(n)
            }
            _ => out.push(Batch {
                depth,
                rows: vec![n],
                op,
            }),
        }
    }
    out
}

/// API calls a run uses in each org.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calls {
    pub source: u64,
    pub target: u64,
}

impl Calls {
    pub fn total(&self) -> u64 {
        self.source + self.target
    }
}

/// The calls a preview takes (`source_records` read by `source_queries` queries, then the
/// target's keyed count and its read) and the calls the run then takes (one per batch).
pub fn calls(
    source_records: usize,
    source_queries: usize,
    read: &TargetRead,
    batches: &[Batch],
) -> (Calls, Calls) {
    let source_pages = (source_records as u64)
        .div_ceil(PAGE)
        .max(source_queries as u64);
    (
        Calls {
            source: source_pages,
            target: 1 + read.calls(),
        },
        Calls {
            source: 0,
            target: batches.len() as u64,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::KeyFrom;
    use crate::mapping::{From, Pair};

    fn key() -> MatchKey {
        MatchKey {
            target: "Source_Id__c".into(),
            from: KeyFrom::SourceId,
        }
    }

    #[test]
    fn fields_are_read_once_each() {
        let m = Mapping {
            pairs: vec![
                Pair {
                    target: "Name".into(),
                    from: From::Field("Name".into()),
                },
                Pair {
                    target: "Tier__c".into(),
                    from: From::Field("Tier__c".into()),
                },
                Pair {
                    target: "Rating".into(),
                    from: From::Constant("Hot".into()),
                },
            ],
            ..Mapping::default()
        };
        assert_eq!(
            source_fields(&m, &key(), true),
            [
                "Id",
                "Name",
                "SystemModstamp",
                "Parent.Name",
                "OwnerId",
                "ParentId",
                "Tier__c"
            ]
        );
        assert_eq!(
            target_fields(&m, &key(), false),
            [
                "Id",
                "Name",
                "Source_Id__c",
                "ParentId",
                "Parent.Name",
                "Parent.Source_Id__c",
                "SystemModstamp",
                "Tier__c",
                "Rating"
            ]
        );
    }

    #[test]
    fn the_target_read_takes_the_fewer_calls() {
        let keys: Vec<String> = (0..10_000).map(|i| format!("001000000{i:06}AAA")).collect();
        let id = ["Id".to_string()];
        assert_eq!(
            target_read(&keys, 0, &id, &key()),
            TargetRead::Nothing,
            "an empty target costs no read"
        );
        // The run's 10,000 records are the target's keyed ones: 5 pages beat IN lists.
        assert_eq!(
            target_read(&keys, 10_000, &id, &key()),
            TargetRead::AllWithKey { calls: 5 }
        );
        // A target with a million keyed records: the run's keys, by IN lists.
        let by_keys = target_read(&keys[..100], 1_000_000, &id, &key());
        let TargetRead::ByKeys(lists) = &by_keys else {
            panic!("{by_keys:?}")
        };
        assert_eq!(lists.len(), 1);
        let q = by_keys.queries(&id, &key());
        assert!(
            q[0][0].starts_with(
                "SELECT Id FROM Account WHERE Source_Id__c IN ('001000000000000AAA', "
            ),
            "{}",
            q[0][0]
        );
        assert_eq!(in_lists(&["O'Brien".into()], 100), [r"'O\'Brien'"]);
    }

    /// The URL `Client::query` sends for `soql`, as long as a real org's would be: a sandbox My
    /// Domain host and the data path.
    fn url_len(soql: &str) -> usize {
        "https://acme-corporation--fullcopy.sandbox.my.salesforce.com/services/data/v62.0/query?q="
            .len()
            + encoded_len(soql)
    }

    #[test]
    fn every_query_url_stays_under_the_limit_whatever_the_fields() {
        // 200 mapped fields with long API names: a namespace and 40 characters each.
        let mapping = Mapping {
            pairs: (0..200)
                .map(|i| Pair {
                    target: format!("acmeprefix__Very_Long_Custom_Field_Name_{i:03}__c"),
                    from: From::Field(format!("acmeprefix__Very_Long_Custom_Field_Name_{i:03}__c")),
                })
                .collect(),
            ..Mapping::default()
        };
        let source = source_fields(&mapping, &key(), true);
        let target = target_fields(&mapping, &key(), true);
        let ids: Vec<RecordId> = (0..5_000)
            .map(|i| RecordId::parse(&format!("001000000{i:06}")).unwrap())
            .collect();
        let keys: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        let mut all: Vec<String> = source_queries(&source, &Scope::Ids(ids))
            .into_iter()
            .chain(source_queries(&source, &Scope::All))
            .flatten()
            .collect();
        let read = target_read(&keys, 1_000_000, &target, &key());
        assert!(matches!(read, TargetRead::ByKeys(_)));
        all.extend(read.queries(&target, &key()).into_iter().flatten());
        let longest = all.iter().map(|q| url_len(q)).max().unwrap();
        assert!(longest < 16_000, "a {longest}-byte URL");
        // Every field is read, every id asked for, each once per field group.
        let groups = field_groups(&target);
        assert!(groups.len() > 1, "200 long fields take more than one query");
        assert!(groups.iter().all(|g| g[0] == "Id"));
        assert_eq!(
            groups.iter().map(|g| g.len() - 1).sum::<usize>(),
            target.len() - 1
        );
        let asked: usize = all
            .iter()
            .filter(|q| {
                q.contains("Source_Id__c IN (") && q.contains("Very_Long_Custom_Field_Name_000")
            })
            .map(|q| q.matches("AAA'").count())
            .sum();
        assert_eq!(asked, 5_000);
        // The old way, for comparison: 150 such fields in one SELECT passed 16,000 bytes.
        let one = format!("SELECT {} FROM Account", target[..150].join(", "));
        assert!(url_len(&one) + 4_000 > 16_000 || encoded_len(&one) > SELECT_BYTES);
    }

    #[test]
    fn changed_since_reads_from_the_watermark_less_fifteen_minutes() {
        assert_eq!(
            since_with_margin("2026-12-01T10:00:00.000+0000"),
            "2026-12-01T09:45:00Z"
        );
        assert_eq!(
            since_with_margin("2027-01-01T00:05:00.000+0000"),
            "2026-12-31T23:50:00Z",
            "across a year"
        );
        assert_eq!(
            since_with_margin("2028-03-01T00:10:00.000+0000"),
            "2028-02-29T23:55:00Z",
            "into a leap day"
        );
        assert_eq!(since_with_margin("nonsense"), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn scopes_become_queries() {
        let f = vec!["Id".to_string()];
        assert_eq!(
            source_queries(&f, &Scope::All),
            [["SELECT Id FROM Account ORDER BY Id"]]
        );
        assert_eq!(
            source_queries(
                &f,
                &Scope::ChangedSince("2026-12-01T10:00:00.000+0000".into())
            ),
            [["SELECT Id FROM Account WHERE SystemModstamp >= 2026-12-01T09:45:00Z ORDER BY Id"]],
            "the watermark less the margin"
        );
        assert_eq!(
            soql_datetime("1 OR Name != null"),
            "1970-01-01T00:00:00Z",
            "never spliced in"
        );
        assert_eq!(
            source_queries(&f, &Scope::Where("Industry = 'Energy'".into())),
            [["SELECT Id FROM Account WHERE (Industry = 'Energy') ORDER BY Id"]]
        );
        let ids: Vec<RecordId> = (0..1000)
            .map(|i| RecordId::parse(&format!("001000000{i:06}")).unwrap())
            .collect();
        let q = source_queries(&f, &Scope::Ids(ids));
        assert!(q.len() > 1 && q.iter().flatten().all(|q| q.contains("WHERE Id IN (")));
    }
}
