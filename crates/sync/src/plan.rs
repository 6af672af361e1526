//! The calls a run makes: the source read (one query, paged), the target read (by key, in as
//! few calls as possible), and the writes (upserts by the key through sObject Collections, 200
//! per call, parents' depth before children's).

use salesforce::rest::COLLECTION_LIMIT;
use salesforce::soql::quote;
use salesforce::types::RecordId;

use crate::key::MatchKey;
use crate::mapping::Mapping;
use crate::preview::Preview;

/// Records per query page (the REST API's largest).
pub const PAGE: u64 = 2_000;

/// Longest IN list, in characters, so the query URL stays well inside what the org accepts
/// (about 16,000 characters of URL).
const IN_LIST_CHARS: usize = 10_000;

/// Which source accounts a run reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// A WHERE clause as the account list has it (checked by the org).
    Where(String),
    /// The rows selected in the list.
    Ids(Vec<RecordId>),
    /// Records changed after the last sync's watermark (a `SystemModstamp`).
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

/// The source query (the ids of `Scope::Ids` in IN lists of at most [`IN_LIST_CHARS`]: one
/// query each).
pub fn source_queries(fields: &[String], scope: &Scope) -> Vec<String> {
    let select = format!("SELECT {} FROM Account", fields.join(", "));
    match scope {
        Scope::All => vec![format!("{select} ORDER BY Id")],
        Scope::Where(w) => vec![format!("{select} WHERE ({w}) ORDER BY Id")],
        // From the second of the watermark on: a record of that same second is read again, and
        // previews as unchanged.
        Scope::ChangedSince(mark) => vec![format!(
            "{select} WHERE SystemModstamp >= {} ORDER BY Id",
            soql_datetime(mark)
        )],
        Scope::Ids(ids) => {
            let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            in_lists(&ids)
                .into_iter()
                .map(|list| format!("{select} WHERE Id IN ({list}) ORDER BY Id"))
                .collect()
        }
    }
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

/// Quoted, comma-separated lists of `values`, each at most [`IN_LIST_CHARS`] long.
fn in_lists(values: &[String]) -> Vec<String> {
    let mut lists = Vec::new();
    let mut now = String::new();
    for v in values {
        let q = quote(v);
        if !now.is_empty() && now.len() + q.len() + 2 > IN_LIST_CHARS {
            lists.push(std::mem::take(&mut now));
        }
        if !now.is_empty() {
            now.push_str(", ");
        }
        now.push_str(&q);
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
    /// The run's keys (and their parents'), in IN lists.
    ByKeys(Vec<String>),
}

/// `SELECT COUNT()` of target records with a key: the one call that picks the read.
pub fn keyed_count_soql(key: &MatchKey) -> String {
    format!("SELECT COUNT() FROM Account WHERE {} != null", key.target)
}

/// Picks the read with fewer calls for `keys` (the run's and its parents' key values), given
/// `keyed` records in the target have a key.
pub fn target_read(keys: &[String], keyed: u64) -> TargetRead {
    if keyed == 0 || keys.is_empty() {
        return TargetRead::Nothing;
    }
    // An IN list holds fewer keys than a page holds records: one call each.
    let lists = in_lists(keys);
    let all = keyed.div_ceil(PAGE);
    if all <= lists.len() as u64 {
        TargetRead::AllWithKey { calls: all }
    } else {
        TargetRead::ByKeys(lists)
    }
}

impl TargetRead {
    /// The queries to run.
    pub fn queries(&self, fields: &[String], key: &MatchKey) -> Vec<String> {
        let select = format!("SELECT {} FROM Account", fields.join(", "));
        match self {
            TargetRead::Nothing => vec![],
            TargetRead::AllWithKey { .. } => vec![format!("{select} WHERE {} != null", key.target)],
            TargetRead::ByKeys(lists) => lists
                .iter()
                .map(|l| format!("{select} WHERE {} IN ({l})", key.target))
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

/// One write call: up to 200 rows of one depth (indexes into the preview's rows).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Batch {
    pub depth: u32,
    pub rows: Vec<usize>,
}

/// The write calls for what the preview writes, parents' depth first.
pub fn batches(preview: &Preview) -> Vec<Batch> {
    let mut writes: Vec<(u32, usize)> = preview
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.outcome.writes())
        .map(|(n, r)| (r.depth, n))
        .collect();
    writes.sort();
    let mut out: Vec<Batch> = Vec::new();
    for (depth, n) in writes {
        match out.last_mut() {
            Some(b) if b.depth == depth && b.rows.len() < COLLECTION_LIMIT => b.rows.push(n),
            _ => out.push(Batch {
                depth,
                rows: vec![n],
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
                "Tier__c",
                "Rating"
            ]
        );
    }

    #[test]
    fn the_target_read_takes_the_fewer_calls() {
        let keys: Vec<String> = (0..10_000).map(|i| format!("001000000{i:06}AAA")).collect();
        assert_eq!(
            target_read(&keys, 0),
            TargetRead::Nothing,
            "an empty target costs no read"
        );
        // The run's 10,000 records are the target's keyed ones: 5 pages beat 21 IN lists.
        assert_eq!(
            target_read(&keys, 10_000),
            TargetRead::AllWithKey { calls: 5 }
        );
        // A target with a million keyed records: the run's keys, by IN lists.
        let by_keys = target_read(&keys[..100], 1_000_000);
        let TargetRead::ByKeys(lists) = &by_keys else {
            panic!("{by_keys:?}")
        };
        assert_eq!(lists.len(), 1);
        let q = by_keys.queries(&["Id".into()], &key());
        assert!(
            q[0].starts_with(
                "SELECT Id FROM Account WHERE Source_Id__c IN ('001000000000000AAA', "
            ),
            "{}",
            q[0]
        );
        assert!(in_lists(&keys).iter().all(|l| l.len() <= IN_LIST_CHARS));
        assert_eq!(in_lists(&["O'Brien".into()]), [r"'O\'Brien'"]);
    }

    #[test]
    fn scopes_become_queries() {
        let f = vec!["Id".to_string()];
        assert_eq!(
            source_queries(&f, &Scope::All),
            ["SELECT Id FROM Account ORDER BY Id"]
        );
        assert_eq!(
            source_queries(
                &f,
                &Scope::ChangedSince("2026-12-01T10:00:00.000+0000".into())
            ),
            ["SELECT Id FROM Account WHERE SystemModstamp >= 2026-12-01T10:00:00Z ORDER BY Id"]
        );
        assert_eq!(
            soql_datetime("1 OR Name != null"),
            "1970-01-01T00:00:00Z",
            "never spliced in"
        );
        assert_eq!(
            source_queries(&f, &Scope::Where("Industry = 'Energy'".into())),
            ["SELECT Id FROM Account WHERE (Industry = 'Energy') ORDER BY Id"]
        );
        let ids: Vec<RecordId> = (0..1000)
            .map(|i| RecordId::parse(&format!("001000000{i:06}")).unwrap())
            .collect();
        let q = source_queries(&f, &Scope::Ids(ids));
        assert!(q.len() > 1 && q.iter().all(|q| q.contains("WHERE Id IN (")));
    }
}
