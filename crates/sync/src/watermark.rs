//! Where the last full sync got to, so "changed since the last sync" reads only what changed. A
//! watermark is set only by a finished run that wrote every record it previewed, over every
//! source account (or over every one changed since the last full sync, which covers the same
//! ground): a run over some accounts (the selected rows, the list's search) leaves older
//! accounts it never read behind it, which a later "changed since" would then never read. It is
//! kept with the key and the mapping it was made with: after either changes, records unchanged
//! since may still differ in the target, so a full sync is needed again, and the screen says why.

use serde::{Deserialize, Serialize};

use crate::key::MatchKey;
use crate::mapping::Mapping;
use crate::plan::Scope;

/// The last full sync of a pair of orgs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastSync {
    /// The newest source `SystemModstamp` it read.
    pub stamp: String,
    pub key: MatchKey,
    pub mapping: Mapping,
}

/// Why "changed since the last sync" cannot be used now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NeedsFull {
    /// No run over every account has finished yet.
    Never,
    /// The key records are matched on changed since.
    KeyChanged,
    /// The fields written changed since.
    MappingChanged,
}

impl NeedsFull {
    pub fn message(&self) -> &'static str {
        match self {
            NeedsFull::Never => "available after a sync of all accounts that writes every record",
            NeedsFull::KeyChanged => "not available now: the key records are matched on changed since the last full sync, so every account must be compared again; sync all accounts first",
            NeedsFull::MappingChanged => "not available now: the fields copied changed since the last full sync, so accounts unchanged in the source may still differ in the target; sync all accounts first",
        }
    }
}

impl LastSync {
    /// The watermark a finished run leaves, if it may leave one: scope [`Scope::All`] (or
    /// [`Scope::ChangedSince`], made only with the last full sync's key and mapping), nothing else
    /// read beside it (`also_read`), every previewed record written and none blocked.
    pub fn after_run(
        scope: &Scope,
        also_read: bool,
        wrote_everything: bool,
        newest: Option<&str>,
        key: &MatchKey,
        mapping: &Mapping,
    ) -> Option<LastSync> {
        let whole = matches!(scope, Scope::All | Scope::ChangedSince(_));
        (whole && !also_read && wrote_everything).then_some(())?;
        Some(LastSync {
            stamp: newest?.to_string(),
            key: key.clone(),
            mapping: mapping.clone(),
        })
    }

    /// The scope of "changed since the last sync" with this key and mapping, or why not.
    pub fn changed_since(
        last: Option<&LastSync>,
        key: Option<&MatchKey>,
        mapping: &Mapping,
    ) -> Result<Scope, NeedsFull> {
        let last = last.ok_or(NeedsFull::Never)?;
        if key != Some(&last.key) {
            return Err(NeedsFull::KeyChanged);
        }
        if !same_pairs(&last.mapping, mapping) {
            return Err(NeedsFull::MappingChanged);
        }
        Ok(Scope::ChangedSince(last.stamp.clone()))
    }
}

/// The same target fields fed the same way, in any order.
fn same_pairs(a: &Mapping, b: &Mapping) -> bool {
    let sorted = |m: &Mapping| {
        let mut p: Vec<(String, String)> = m
            .pairs
            .iter()
            .map(|p| {
                (
                    p.target.to_ascii_lowercase(),
                    serde_json::to_string(&p.from).unwrap_or_default(),
                )
            })
            .collect();
        p.sort();
        p
    };
    let types = |m: &Mapping| {
        m.record_types
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_ascii_lowercase()))
            .collect::<Vec<_>>()
    };
    sorted(a) == sorted(b) && types(a) == types(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::KeyFrom;
    use crate::mapping::From;
    use salesforce::types::RecordId;

    fn key(target: &str) -> MatchKey {
        MatchKey {
            target: target.into(),
            from: KeyFrom::SourceId,
        }
    }

    fn mapping() -> Mapping {
        let mut m = Mapping::default();
        m.set("Name", Some(From::Field("Name".into())));
        m.set("Industry", Some(From::Field("Industry".into())));
        m
    }

    const NEWEST: Option<&str> = Some("2026-12-01T10:00:00.000+0000");

    #[test]
    fn only_a_finished_run_over_every_account_moves_the_watermark() {
        let (k, m) = (key("Source_Id__c"), mapping());
        let id = RecordId::parse("001000000000001").unwrap();
        for partial in [
            Scope::Ids(vec![id]),
            Scope::Where("Industry = 'Energy'".into()),
        ] {
            assert_eq!(
                LastSync::after_run(&partial, false, true, NEWEST, &k, &m),
                None,
                "{partial:?} leaves older accounts unread"
            );
        }
        assert_eq!(
            LastSync::after_run(&Scope::All, true, true, NEWEST, &k, &m),
            None
        );
        assert_eq!(
            LastSync::after_run(&Scope::All, false, false, NEWEST, &k, &m),
            None
        );
        let last = LastSync::after_run(&Scope::All, false, true, NEWEST, &k, &m).unwrap();
        assert_eq!(
            LastSync::changed_since(Some(&last), Some(&k), &m),
            Ok(Scope::ChangedSince(NEWEST.unwrap().into()))
        );
        // A clean run of everything changed since covers the same ground; with nothing read, it
        // leaves the watermark where it was.
        let since = Scope::ChangedSince(NEWEST.unwrap().into());
        let next = Some("2026-12-02T10:00:00.000+0000");
        assert!(LastSync::after_run(&since, false, true, next, &k, &m).is_some());
        assert_eq!(LastSync::after_run(&since, false, true, None, &k, &m), None);
    }

    #[test]
    fn a_change_of_key_or_mapping_needs_a_full_sync_again() {
        let (k, m) = (key("Source_Id__c"), mapping());
        let last = LastSync::after_run(&Scope::All, false, true, NEWEST, &k, &m).unwrap();
        assert_eq!(
            LastSync::changed_since(None, Some(&k), &m),
            Err(NeedsFull::Never)
        );
        assert_eq!(
            LastSync::changed_since(Some(&last), Some(&key("Other_Id__c")), &m),
            Err(NeedsFull::KeyChanged)
        );
        let mut more = m.clone();
        more.set("Phone", Some(From::Field("Phone".into())));
        let err = LastSync::changed_since(Some(&last), Some(&k), &more).unwrap_err();
        assert_eq!(err, NeedsFull::MappingChanged);
        assert!(err.message().contains("sync all accounts first"));
        // The same pairs in another order are the same mapping.
        let mut reordered = Mapping::default();
        reordered.set("Industry", Some(From::Field("Industry".into())));
        reordered.set("Name", Some(From::Field("Name".into())));
        assert!(LastSync::changed_since(Some(&last), Some(&k), &reordered).is_ok());
    }
}
