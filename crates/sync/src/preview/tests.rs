use serde_json::json;

use super::*;
use crate::key::KeyFrom;
use crate::mapping::propose;
use crate::owners::{match_owners, User};
use crate::plan::batches;
use crate::testing::{account, field, insert_row, picklist};

fn id(n: u32) -> String {
    RecordId::parse(&format!("001000000000{n:03}"))
        .unwrap()
        .to_string()
}

fn tid(n: u32) -> String {
    RecordId::parse(&format!("001T00000000{n:03}"))
        .unwrap()
        .to_string()
}

fn rec(v: Value) -> Record {
    v.as_object().unwrap().clone()
}

fn key() -> MatchKey {
    MatchKey {
        target: "Source_Id__c".into(),
        from: KeyFrom::SourceId,
    }
}

fn orgs() -> (SObjectDescribe, SObjectDescribe) {
    let source = account(vec![
        field("Tier__c", "picklist", |f| {
            f.picklist_values = picklist(&["Gold", "Platinum"])
        }),
        field("Description", "textarea", |f| f.length = 32_000),
        field("Code__c", "string", |f| f.length = 20),
    ]);
    let target = account(vec![
        field("Tier__c", "picklist", |f| {
            f.picklist_values = picklist(&["Gold", "Silver"]);
            f.restricted_picklist = true;
        }),
        field("Description", "textarea", |f| f.length = 32_000),
        field("Code__c", "string", |f| f.length = 5),
        field("Source_Id__c", "string", |f| {
            f.length = 18;
            f.external_id = true;
            f.unique = true;
        }),
    ]);
    (source, target)
}

fn run(records: &[Record], targets: &[Record]) -> Preview {
    with_inputs(records, targets, preview)
}

/// `f` of the inputs of `records` and `targets` in [`orgs`], mapped as proposed.
fn with_inputs<T>(records: &[Record], targets: &[Record], f: impl FnOnce(&Inputs) -> T) -> T {
    let (source, target) = orgs();
    let mapping = propose(&source, &target, &key());
    f(&Inputs {
        source: &source,
        target: &target,
        mapping: &mapping,
        key: &key(),
        owners: None,
        records,
        targets,
        deleted: None,
        record_types: None,
    })
}

#[test]
fn each_record_is_an_insert_an_update_unchanged_or_blocked_and_says_why() {
    let awkward = "O'Reilly \"Media\" <b>&amp;</b> Zürich 東京 🚀";
    let records = [
        rec(
            json!({"Id": id(1), "Name": awkward, "Tier__c": "Gold", "Description": "x".repeat(32_000)}),
        ),
        rec(json!({"Id": id(2), "Name": "Renamed", "Tier__c": "Gold", "Code__c": "A1"})),
        rec(json!({"Id": id(3), "Name": "Same", "Tier__c": null, "Code__c": ""})),
        rec(json!({"Id": id(4), "Name": "Too long", "Code__c": "ABCDEFG"})),
        rec(json!({"Id": id(5), "Name": "Platinum", "Tier__c": "Platinum"})),
        rec(json!({"Id": id(6), "Name": ""})),
        rec(json!({"Id": id(7), "Name": "Twice"})),
    ];
    let targets = [
        rec(
            json!({"Id": tid(2), "Source_Id__c": id(2), "Name": "Old name", "Tier__c": "Gold", "Code__c": "A1"}),
        ),
        // Keys compare without case, as External ID fields do.
        rec(
            json!({"Id": tid(3), "Source_Id__c": id(3).to_lowercase(), "Name": "Same", "Code__c": null}),
        ),
        rec(json!({"Id": tid(7), "Source_Id__c": id(7), "Name": "Twice"})),
        rec(json!({"Id": tid(8), "Source_Id__c": id(7), "Name": "Twice"})),
    ];
    let p = run(&records, &targets);
    let outcomes: Vec<Outcome> = p.rows.iter().map(|r| r.outcome).collect();
    use Outcome::*;
    assert_eq!(
        outcomes,
        [Insert, Update, Unchanged, Blocked, Blocked, Blocked, Blocked]
    );
    // The body is what is written, byte for byte, with the key.
    assert_eq!(p.rows.get(0).body["Name"], json!(awkward));
    assert_eq!(
        p.rows.get(0).body["Description"].as_str().unwrap().len(),
        32_000
    );
    assert_eq!(p.rows.get(0).body["Source_Id__c"], json!(id(1)));
    // An update lists only what changes, target value → new value.
    let changes = &p.rows.get(1).changes;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (
            changes[0].before.clone(),
            p.rows.get(1).after(&changes[0]).clone()
        ),
        (json!("Old name"), json!("Renamed"))
    );
    assert_eq!(
        p.rows.get(1).target_id.as_ref().map(|t| t.to_string()),
        Some(tid(2))
    );
    // Blocked, in words.
    let why = |n: usize| p.rows.get(n).problems.join(" ");
    assert!(
        why(3).contains("Code is 7 characters long; the target allows 5"),
        "{}",
        why(3)
    );
    assert!(
        why(4).contains("“Platinum” is not one of the target's values"),
        "{}",
        why(4)
    );
    assert!(
        why(5).contains("Account Name is required in the target"),
        "{}",
        why(5)
    );
    assert!(
        why(6).contains("2 target records share the Source Id"),
        "{}",
        why(6)
    );
    let c = p.counts();
    assert_eq!((c.insert, c.update, c.unchanged, c.blocked), (1, 1, 1, 4));
    assert_eq!(batches(&p).iter().map(|b| b.rows.len()).sum::<usize>(), 2);
}

#[test]
fn parents_are_named_by_key_and_written_first() {
    let records = [
        // Child before parent in the source order; grandchild too.
        rec(json!({"Id": id(2), "Name": "Child", "ParentId": id(1)})),
        rec(json!({"Id": id(3), "Name": "Grandchild", "ParentId": id(2)})),
        rec(json!({"Id": id(1), "Name": "Parent"})),
        // Its parent is already in the target.
        rec(json!({"Id": id(4), "Name": "Of a copied one", "ParentId": id(9)})),
        // Its parent is nowhere: written without it, and listed.
        rec(
            json!({"Id": id(5), "Name": "Orphan", "ParentId": id(8), "Parent": {"Name": "Lost Parent Ltd"}}),
        ),
        // A blocked parent blocks its child.
        rec(json!({"Id": id(6), "Name": ""})),
        rec(json!({"Id": id(7), "Name": "Child of blocked", "ParentId": id(6)})),
    ];
    let targets = [rec(
        json!({"Id": tid(9), "Source_Id__c": id(9), "Name": "Copied Before"}),
    )];
    let p = run(&records, &targets);
    let depth: Vec<(String, u32)> = p.rows.iter().map(|r| (r.name, r.depth)).collect();
    let depth: Vec<(&str, u32)> = depth.iter().map(|(n, d)| (n.as_str(), *d)).collect();
    assert_eq!(
        depth,
        [
            ("Child", 1),
            ("Grandchild", 2),
            ("Parent", 0),
            ("Of a copied one", 0),
            ("Orphan", 0),
            ("", 0),
            ("Child of blocked", 1)
        ]
    );
    assert_eq!(p.rows.get(0).body["Parent"], json!({"Source_Id__c": id(1)}));
    assert_eq!(p.rows.get(3).body["Parent"], json!({"Source_Id__c": id(9)}));
    assert!(p
        .rows
        .get(3)
        .changes
        .iter()
        .any(|c| &*c.field == "ParentId" && p.rows.get(3).after(c) == &json!("Copied Before")));
    assert!(!p.rows.get(4).body.contains_key("Parent"));
    assert_eq!(p.rows.get(4).outcome, Outcome::Insert);
    assert!(
        p.rows.get(4).notes[0].contains("Lost Parent Ltd"),
        "{:?}",
        p.rows.get(4).notes
    );
    assert_eq!(p.missing_parents.len(), 1);
    assert_eq!(p.missing_parents[0].key, id(8));
    assert_eq!(
        p.missing_parents[0]
            .source_id
            .as_ref()
            .map(|i| i.to_string()),
        Some(id(8))
    );
    assert_eq!(p.rows.get(6).outcome, Outcome::Blocked);
    assert!(p.rows.get(6).problems[0].contains("parent account is blocked"));
    let order: Vec<u32> = batches(&p).iter().map(|b| b.depth).collect();
    assert_eq!(order, [0, 1, 2], "parents' calls first");
}

#[test]
fn a_second_preview_after_the_run_changes_nothing() {
    let records = [
        rec(
            json!({"Id": id(1), "Name": "Parent", "Tier__c": "Gold", "SystemModstamp": "2026-12-01T09:00:00.000+0000"}),
        ),
        rec(
            json!({"Id": id(2), "Name": "Child", "ParentId": id(1), "SystemModstamp": "2026-12-01T10:00:00.000+0000"}),
        ),
    ];
    let first = run(&records, &[]);
    assert_eq!(
        first.watermark.as_deref(),
        Some("2026-12-01T10:00:00.000+0000")
    );
    // The target as the run leaves it: each body written, with its parent resolved.
    let targets: Vec<Record> = first
        .rows
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let mut t = r.body.clone();
            t.remove("Parent");
            t.insert("Id".into(), json!(tid(n as u32)));
            if n == 1 {
                t.insert(
                    "Parent".into(),
                    json!({"Source_Id__c": id(1), "Name": "Parent"}),
                );
            }
            t
        })
        .collect();
    let second = run(&records, &targets);
    assert!(
        second.rows.iter().all(|r| r.outcome == Outcome::Unchanged),
        "{:?}",
        second.rows
    );
    assert!(batches(&second).is_empty());
}

#[test]
fn owners_go_to_their_matched_target_users() {
    let u = |n: u32, name: &str| User {
        id: RecordId::parse(&format!("005000000000{n:03}")).unwrap(),
        username: format!("{name}@x.com"),
        email: format!("{name}@x.com"),
        name: name.into(),
        active: true,
        standard: true,
    };
    let (jane, raj, admin) = (u(1, "jane"), u(2, "raj"), u(11, "admin"));
    let target_jane = User {
        id: RecordId::parse("005000000000021").unwrap(),
        ..jane.clone()
    };
    let owners = match_owners(
        &[jane.clone(), raj.clone()],
        &[target_jane.clone(), admin.clone()],
        &admin,
    );
    let (source, target) = orgs();
    let mapping = propose(&source, &target, &key());
    let records = [
        rec(json!({"Id": id(1), "Name": "A", "OwnerId": jane.id.to_string()})),
        rec(json!({"Id": id(2), "Name": "B", "OwnerId": raj.id.to_string()})),
    ];
    let p = preview(&Inputs {
        source: &source,
        target: &target,
        mapping: &mapping,
        key: &key(),
        owners: Some(&owners),
        records: &records,
        targets: &[],
        deleted: None,
        record_types: None,
    });
    assert_eq!(
        p.rows.get(0).body["OwnerId"],
        json!(target_jane.id.to_string())
    );
    assert_eq!(p.rows.get(1).body["OwnerId"], json!(admin.id.to_string()));
    let row = p.rows.get(1);
    let owner_change = row.changes.iter().find(|c| &*c.field == "OwnerId").unwrap();
    assert_eq!(row.after(owner_change), &json!("admin (admin@x.com)"));
}

fn by_code() -> MatchKey {
    MatchKey {
        target: "Code__c".into(),
        from: KeyFrom::Field("Code__c".into()),
    }
}

fn run_keyed(key: &MatchKey, records: &[Record], targets: &[Record]) -> Preview {
    run_keyed_in_pages(key, records, targets, records.len().max(1))
}

/// [`run_keyed`], the records added `page` at a time.
fn run_keyed_in_pages(
    key: &MatchKey,
    records: &[Record],
    targets: &[Record],
    page: usize,
) -> Preview {
    let (source, mut target) = orgs();
    for f in target.fields.iter_mut().filter(|f| f.name == "Code__c") {
        f.external_id = true;
        f.unique = true;
        f.length = 20;
    }
    let mapping = propose(&source, &target, key);
    let inputs = Inputs {
        source: &source,
        target: &target,
        mapping: &mapping,
        key,
        owners: None,
        records,
        targets,
        deleted: None,
        record_types: None,
    };
    let mut builder = Builder::new(&inputs);
    for chunk in records.chunks(page) {
        builder.add(chunk);
    }
    builder.finish(None)
}

/// The same key in two pages of a large source: both records are blocked and named, as when
/// they come in one page (neither overwrites the other's target record).
#[test]
fn a_key_shared_across_pages_blocks_both_records() {
    let records = [
        rec(json!({"Id": id(1), "Name": "Acme UK", "Code__c": "ACME-1"})),
        rec(json!({"Id": id(3), "Name": "Globex", "Code__c": "GLX"})),
        rec(json!({"Id": id(2), "Name": "Acme Ltd", "Code__c": "acme-1"})),
    ];
    let paged = run_keyed_in_pages(&by_code(), &records, &[], 1);
    assert_eq!(
        paged.rows.outcomes(),
        [Outcome::Blocked, Outcome::Insert, Outcome::Blocked]
    );
    let why = paged.rows.get(2).problems.join(" ");
    assert!(
        why.starts_with("2 source accounts share the key “acme-1” (“Acme UK”, “Acme Ltd”)"),
        "{why}"
    );
    assert!(paged == run_keyed(&by_code(), &records, &[]));
}

#[test]
fn source_records_sharing_a_key_are_both_blocked_and_named() {
    let records = [
        rec(json!({"Id": id(1), "Name": "Acme UK", "Code__c": "ACME-1"})),
        rec(json!({"Id": id(2), "Name": "Acme Ltd", "Code__c": "acme-1"})),
        rec(json!({"Id": id(3), "Name": "Globex", "Code__c": "GLX"})),
    ];
    let p = run_keyed(&by_code(), &records, &[]);
    let outcomes: Vec<Outcome> = p.rows.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Blocked, Outcome::Blocked, Outcome::Insert],
        "compared without case, as the org matches the External ID"
    );
    let why = p.rows.get(0).problems.join(" ");
    assert!(
        why.starts_with("2 source accounts share the key “ACME-1” (“Acme UK”, “Acme Ltd”)"),
        "{why}"
    );
    assert!(
        batches(&p).iter().all(|b| b.rows == [2]),
        "neither is written"
    );
}

#[test]
fn an_update_carries_the_key_and_only_what_changes() {
    let records = [rec(
        json!({"Id": id(1), "Name": "Renamed", "Tier__c": "Gold", "Description": "Same text", "Code__c": "A1"}),
    )];
    let targets = [rec(json!({
        "Id": tid(1), "Source_Id__c": id(1), "Name": "Old name", "Tier__c": "Gold",
        "Description": "Same text", "Code__c": "A1", "SystemModstamp": "2026-12-01T10:00:00.000+0000"
    }))];
    let p = run(&records, &targets);
    assert_eq!(p.rows.get(0).outcome, Outcome::Update);
    let first = p.rows.get(0);
    let mut sent: Vec<&String> = first.body.keys().collect();
    sent.sort();
    assert_eq!(sent, ["Name", "Source_Id__c"], "{:?}", p.rows.get(0).body);
    assert_eq!(
        p.rows.get(0).target_stamp.as_deref(),
        Some("2026-12-01T10:00:00.000+0000")
    );
    // An insert carries every mapped value.
    let fresh = run(&records, &[]);
    assert!(fresh.rows.get(0).body.contains_key("Description"));
}

#[test]
fn parents_follow_the_source_cleared_moved_or_kept_when_missing_from_both() {
    let parent_in_target = |n: u32, name: &str| json!({"Source_Id__c": id(n), "Name": name});
    let records = [
        // Its parent removed in the source: cleared in the target.
        rec(json!({"Id": id(1), "Name": "Was a child"})),
        // Moved to another parent (in the target already).
        rec(json!({"Id": id(2), "Name": "Moved", "ParentId": id(9)})),
        // Its source parent is in neither org: the target keeps its current parent, and says so.
        rec(
            json!({"Id": id(3), "Name": "Lost parent", "ParentId": id(8), "Parent": {"Name": "Gone Ltd"}}),
        ),
        // Unchanged parent: nothing about it is sent.
        rec(json!({"Id": id(4), "Name": "Same parent", "ParentId": id(9)})),
    ];
    let targets = [
        rec(
            json!({"Id": tid(1), "Source_Id__c": id(1), "Name": "Was a child", "ParentId": tid(7), "Parent": parent_in_target(7, "Old Parent")}),
        ),
        rec(
            json!({"Id": tid(2), "Source_Id__c": id(2), "Name": "Moved", "ParentId": tid(7), "Parent": parent_in_target(7, "Old Parent")}),
        ),
        rec(
            json!({"Id": tid(3), "Source_Id__c": id(3), "Name": "Lost parent", "ParentId": tid(7), "Parent": parent_in_target(7, "Old Parent")}),
        ),
        rec(
            json!({"Id": tid(4), "Source_Id__c": id(4), "Name": "Same parent", "ParentId": tid(9), "Parent": parent_in_target(9, "New Parent")}),
        ),
        rec(json!({"Id": tid(9), "Source_Id__c": id(9), "Name": "New Parent"})),
    ];
    let p = run(&records, &targets);
    assert_eq!(p.rows.get(0).outcome, Outcome::Update);
    assert_eq!(p.rows.get(0).body.get("ParentId"), Some(&Value::Null));
    let cleared = &p.rows.get(0).changes[0];
    assert_eq!(
        (cleared.before.clone(), p.rows.get(0).after(cleared).clone()),
        (json!("Old Parent"), Value::Null)
    );
    assert_eq!(p.rows.get(1).outcome, Outcome::Update);
    assert_eq!(p.rows.get(1).body["Parent"], json!({"Source_Id__c": id(9)}));
    assert_eq!(p.rows.get(2).outcome, Outcome::Unchanged);
    let note = p.rows.get(2).notes.join(" ");
    assert!(
        note.contains("Gone Ltd") && note.contains("keeps its current parent (Old Parent)"),
        "{note}"
    );
    assert!(!note.contains("written without a parent"), "{note}");
    assert_eq!(p.missing_parents.len(), 1);
    assert_eq!(p.rows.get(3).outcome, Outcome::Unchanged);
    assert!(!p.rows.get(3).body.contains_key("Parent"));
}

#[test]
fn deletions_become_delete_rows_only_for_target_records_matched_by_key() {
    let (source, target) = orgs();
    let mapping = propose(&source, &target, &key());
    let records = [rec(json!({"Id": id(1), "Name": "Live"}))];
    let deleted = [
        // Deleted in the source and copied before: deleted in the target.
        rec(json!({"Id": id(2), "Name": "Gone"})),
        // Deleted, never copied: nothing to delete.
        rec(json!({"Id": id(3), "Name": "Never copied"})),
    ];
    let targets = [
        rec(
            json!({"Id": tid(2), "Source_Id__c": id(2), "Name": "Gone", "SystemModstamp": "2026-12-01T10:00:00.000+0000"}),
        ),
        // The target's own record with no key is never touched.
        rec(json!({"Id": tid(5), "Name": "Target's own"})),
    ];
    let k = key();
    let inputs = |deleted| Inputs {
        source: &source,
        target: &target,
        mapping: &mapping,
        key: &k,
        owners: None,
        records: &records,
        targets: &targets,
        deleted,
        record_types: None,
    };
    let p = preview(&inputs(Some(&deleted)));
    let rows: Vec<(String, Outcome)> = p.rows.iter().map(|r| (r.name, r.outcome)).collect();
    assert_eq!(
        rows,
        [
            ("Live".to_string(), Outcome::Insert),
            ("Gone".to_string(), Outcome::Delete)
        ]
    );
    assert_eq!(
        p.rows.get(1).target_id.as_ref().map(|t| t.to_string()),
        Some(tid(2))
    );
    assert_eq!(p.counts().delete, 1);
    let b = batches(&p);
    assert_eq!(
        b.last().map(|b| (b.rows.clone(), b.op)),
        Some((vec![1], crate::plan::Op::Delete))
    );
    // Not asked for: no Delete rows.
    assert!(preview(&inputs(None))
        .rows
        .iter()
        .all(|r| r.outcome != Outcome::Delete));
}

#[test]
fn record_types_go_by_developer_name_and_one_with_no_counterpart_blocks_unless_chosen() {
    use crate::record_types::resolve;
    use std::collections::BTreeMap;
    let rt = |id: &str, dev: &str, name: &str, active: bool| {
        serde_json::from_value::<salesforce::rest::RecordTypeInfo>(json!({
            "active": active, "available": true, "developerName": dev, "name": name,
            "master": false, "recordTypeId": id, "defaultRecordTypeMapping": dev == "Customer"
        }))
        .unwrap()
    };
    let with_types = |d: &mut SObjectDescribe, types: Vec<salesforce::rest::RecordTypeInfo>| {
        d.fields.push(field("RecordTypeId", "reference", |f| {
            f.reference_to = vec!["RecordType".into()];
            f.label = "Record Type ID".into();
        }));
        d.record_type_infos = types;
    };
    let (mut source, mut target) = orgs();
    with_types(
        &mut source,
        vec![
            rt("012S00000000001AAA", "Customer", "Customer", true),
            rt("012S00000000002AAA", "Partner", "Partner", true),
            rt("012S00000000003AAA", "Prospect", "Prospect", true),
        ],
    );
    with_types(
        &mut target,
        vec![
            rt("012T00000000001AAA", "Customer", "Customer", true),
            rt("012T00000000002AAA", "Partner", "Channel Partner", true),
            rt("012T00000000003AAA", "Prospect", "Prospect", false),
        ],
    );
    let records = [
        rec(json!({"Id": id(1), "Name": "A", "RecordType": {"DeveloperName": "Partner"}})),
        rec(json!({"Id": id(2), "Name": "B", "RecordType": {"DeveloperName": "Prospect"}})),
        rec(json!({"Id": id(3), "Name": "C", "RecordType": {"DeveloperName": "Customer"}})),
    ];
    let targets = [rec(
        json!({"Id": tid(3), "Source_Id__c": id(3), "Name": "C", "RecordTypeId": "012T00000000002"}),
    )];
    let mapping = propose(&source, &target, &key());
    let make = |choices: &BTreeMap<String, String>| {
        let types = resolve(&source, &target, choices).unwrap();
        preview(&Inputs {
            source: &source,
            target: &target,
            mapping: &mapping,
            key: &key(),
            owners: None,
            records: &records,
            targets: &targets,
            deleted: None,
            record_types: Some(&types),
        })
    };
    let p = make(&BTreeMap::new());
    // Partner goes to the target's Partner, whatever its label.
    assert_eq!(
        p.rows.get(0).body["RecordTypeId"],
        json!("012T00000000002AAA")
    );
    let row = p.rows.get(0);
    let change = row
        .changes
        .iter()
        .find(|c| &*c.field == "RecordTypeId")
        .unwrap();
    assert_eq!(row.after(change), &json!("Channel Partner"));
    // Prospect is inactive in the target: blocked, named.
    assert_eq!(p.rows.get(1).outcome, Outcome::Blocked);
    assert!(
        p.rows.get(1).problems[0].contains("record type “Prospect”"),
        "{:?}",
        p.rows.get(1).problems
    );
    // An existing record of another record type is moved to the same DeveloperName's.
    assert_eq!(p.rows.get(2).outcome, Outcome::Update);
    assert_eq!(
        p.rows.get(2).body["RecordTypeId"],
        json!("012T00000000001AAA")
    );
    // The person sends Prospect's accounts to Customer.
    let chosen = BTreeMap::from([("Prospect".to_string(), "Customer".to_string())]);
    let p = make(&chosen);
    assert_eq!(p.rows.get(1).outcome, Outcome::Insert);
    assert_eq!(
        p.rows.get(1).body["RecordTypeId"],
        json!("012T00000000001AAA")
    );
    // A target with no record types: nothing to resolve.
    assert!(resolve(&source, &orgs().1, &BTreeMap::new()).is_none());
}

/// A new record keeps its values once, in its body; the preview still shows each of them, in
/// the target's field order, and an update shows each change, target value → new value.
#[test]
fn a_row_keeps_each_value_once_and_shows_every_change() {
    let records = [
        rec(json!({"Id": id(1), "Name": "New Co", "Tier__c": "Gold", "Code__c": "N1"})),
        rec(json!({"Id": id(2), "Name": "Renamed", "Tier__c": "Gold", "Code__c": "A1"})),
    ];
    let targets = [rec(
        json!({"Id": tid(2), "Source_Id__c": id(2), "Name": "Old name", "Tier__c": "Gold", "Code__c": "A1"}),
    )];
    let p = run(&records, &targets);
    let (_, target) = orgs();
    let insert = p.rows.get(0);
    assert!(insert.changes.is_empty(), "not a second copy of the body");
    let shown: Vec<(String, Value)> = shown_changes(&insert, &target)
        .into_iter()
        .map(|s| (s.label, s.after))
        .collect();
    assert_eq!(
        shown,
        [
            ("Account Name".to_string(), json!("New Co")),
            ("Tier".to_string(), json!("Gold")),
            ("Code".to_string(), json!("N1")),
            ("Source Id".to_string(), json!(id(1))),
        ],
        "every value, in the target's field order"
    );
    let update = shown_changes(&p.rows.get(1), &target);
    assert_eq!(
        update
            .iter()
            .map(|s| (s.label.as_str(), s.before.clone(), s.after.clone()))
            .collect::<Vec<_>>(),
        [("Account Name", json!("Old name"), json!("Renamed"))]
    );
    // Kept as text: the insert's values are written once.
    assert_eq!(
        p.rows.text(0).matches("New Co").count(),
        2,
        "{}",
        p.rows.text(0)
    );
}

/// Records added a page at a time make the preview all of them make at once: shared keys,
/// parents later in the source, blocked parents and deletions are settled once all are in.
#[test]
fn a_preview_made_page_by_page_is_the_preview_of_all_the_records() {
    let records = [
        rec(json!({"Id": id(2), "Name": "Child", "ParentId": id(1)})),
        rec(json!({"Id": id(3), "Name": "Grandchild", "ParentId": id(2)})),
        rec(json!({"Id": id(10), "Name": "Twin", "Code__c": "T1"})),
        rec(json!({"Id": id(1), "Name": "Parent"})),
        rec(json!({"Id": id(6), "Name": ""})),
        rec(json!({"Id": id(7), "Name": "Child of blocked", "ParentId": id(6)})),
        rec(json!({"Id": id(5), "Name": "Orphan", "ParentId": id(8)})),
    ];
    let targets = [rec(
        json!({"Id": tid(9), "Source_Id__c": id(9), "Name": "Copied Before"}),
    )];
    let whole = run(&records, &targets);
    for page in [1, 2, 3] {
        let paged = with_inputs(&records, &targets, |inputs| {
            let mut builder = Builder::new(inputs);
            for chunk in records.chunks(page) {
                builder.add(chunk);
            }
            builder.finish(None)
        });
        assert!(paged == whole, "pages of {page}");
    }
    assert_eq!(whole.rows.get(1).depth, 2);
    assert_eq!(whole.rows.outcome(5), Outcome::Blocked);
}

/// Rows past a chunk are kept compressed and read back as they were; rows changed in any
/// order, read between changes, read back as set.
#[test]
fn rows_in_many_chunks_read_back_as_set_in_any_order() {
    let row = |n: usize| {
        let body = json!({"Name": format!("Account {n}"), "Description": "Line one\nline two"});
        insert_row(n, format!("Account {n}"), rec(body))
    };
    let total = 5 * CHUNK + 17;
    let mut rows: Rows = (0..total).map(row).collect();
    let changed = |n: usize| (total - 1 - n).is_multiple_of(3_001);
    for n in (0..total).rev().filter(|&n| changed(n)) {
        assert_eq!(rows.get(n).name, format!("Account {n}"));
        let mut r = rows.get(n);
        r.name = format!("Changed {n}");
        r.depth = 3;
        r.outcome = Outcome::Blocked;
        r.body.insert(
            "Parent".into(),
            json!({"Source_Id__c": "P1", "attributes": {}}),
        );
        rows.set(n, &r);
        assert_eq!(rows.get(n).name, format!("Changed {n}"), "read right after");
    }
    for n in 0..total {
        let r = rows.get(n);
        if changed(n) {
            assert_eq!((r.name, r.depth), (format!("Changed {n}"), 3));
            assert_eq!((rows.depth(n), rows.outcome(n)), (3, Outcome::Blocked));
        } else {
            assert_eq!(r, row(n), "row {n}");
        }
    }
    assert!(rows.clone() == rows);
    // Kept elsewhere chunk by chunk and brought back, without reading a row.
    let mut back = Rows::default();
    for c in 0..rows.chunks() {
        let (summary, packed) = rows.export(c);
        let mut short = summary.clone();
        short.outcomes.pop();
        assert!(
            !back.clone().import(short, packed.clone()),
            "a count that does not fit"
        );
        assert!(back.import(summary, packed));
    }
    assert!(back == rows);
    assert_eq!(back.columns(&[total - 1]), rows.columns(&[total - 1]));
    back.push(&row(total));
    assert_eq!(
        back.get(total),
        row(total),
        "a row added after the last chunk"
    );
    assert_eq!(back.get(total - 1), rows.get(total - 1));
    // A Bulk upload's columns: those its chunks' bodies set, a parent by its key among them.
    let last = total - 1;
    assert_eq!(
        rows.columns(&[last]).into_iter().collect::<Vec<_>>(),
        ["Description", "Name", "Parent.Source_Id__c"]
    );
    assert_eq!(
        rows.columns(&[CHUNK + 5]).into_iter().collect::<Vec<_>>(),
        ["Description", "Name"],
        "no row of that chunk has a parent"
    );
}

/// At the size of several chunks, what depends on every record is settled as in one chunk: a
/// key shared across chunks blocks both, a blocked parent in the first chunk blocks its child
/// in the last, and a chain of parents later in the source orders the writes.
#[test]
fn a_preview_of_many_chunks_settles_keys_parents_and_order_across_them() {
    let total = 3 * CHUNK + 500;
    let code = |n: usize| format!("C{n}");
    let id = |n: usize| format!("00100000{n:07}");
    let records: Vec<Record> = (0..total)
        .map(|n| {
            let mut r =
                rec(json!({"Id": id(n), "Name": format!("Account {n}"), "Code__c": code(n)}));
            let parent = match n {
                5 => Some(2 * CHUNK + 5),
                n if n == 2 * CHUNK + 5 => Some(total - 100),
                n if n == total - 1 => Some(10),
                _ => None,
            };
            if let Some(p) = parent {
                r.insert("ParentId".into(), json!(id(p)));
                r.insert(
                    "Parent".into(),
                    json!({"Name": format!("Account {p}"), "Code__c": code(p)}),
                );
            }
            match n {
                10 => r.insert("Name".into(), json!("")),
                n if n == 3 * CHUNK + 7 => r.insert("Code__c".into(), json!(code(CHUNK + 3))),
                _ => None,
            };
            r
        })
        .collect();
    let p = run_keyed_in_pages(&by_code(), &records, &[], 2_000);
    assert_eq!(p.rows.len(), total);
    let blocked: Vec<usize> = (0..total)
        .filter(|&n| p.rows.outcome(n) == Outcome::Blocked)
        .collect();
    assert_eq!(blocked, [10, CHUNK + 3, 3 * CHUNK + 7, total - 1]);
    let why = p.rows.get(3 * CHUNK + 7).problems.join(" ");
    assert!(
        why.starts_with(&format!(
            "2 source accounts share the key “C{}” (“Account {}”, “Account {}”)",
            CHUNK + 3,
            CHUNK + 3,
            3 * CHUNK + 7
        )),
        "{why}"
    );
    assert!(p.rows.get(total - 1).problems[0].contains("parent account is blocked"));
    let depth = |n: usize| (p.rows.depth(n), p.rows.get(n).depth);
    assert_eq!(depth(5), (2, 2));
    assert_eq!(depth(2 * CHUNK + 5), (1, 1));
    assert_eq!(depth(total - 100), (0, 0));
    let child = p.rows.get(5);
    assert_eq!(
        child.body["Parent"],
        json!({"Code__c": code(2 * CHUNK + 5)})
    );
    assert!(child.changes.iter().any(|c| &*c.field == "ParentId"
        && child.after(c) == &json!(format!("Account {}", 2 * CHUNK + 5))));
    assert!(
        p == run_keyed_in_pages(&by_code(), &records, &[], 777),
        "whatever the page"
    );
}
