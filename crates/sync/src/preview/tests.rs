use serde_json::json;

use super::*;
use crate::key::KeyFrom;
use crate::mapping::propose;
use crate::owners::{match_owners, User};
use crate::plan::batches;
use crate::testing::{account, field, picklist};

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
    let (source, target) = orgs();
    let mapping = propose(&source, &target, &key());
    preview(&Inputs {
        source: &source,
        target: &target,
        mapping: &mapping,
        key: &key(),
        owners: None,
        records,
        targets,
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
    assert_eq!(p.rows[0].body["Name"], json!(awkward));
    assert_eq!(
        p.rows[0].body["Description"].as_str().unwrap().len(),
        32_000
    );
    assert_eq!(p.rows[0].body["Source_Id__c"], json!(id(1)));
    // An update lists only what changes, target value → new value.
    let changes = &p.rows[1].changes;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (changes[0].before.clone(), changes[0].after.clone()),
        (json!("Old name"), json!("Renamed"))
    );
    assert_eq!(
        p.rows[1].target_id.as_ref().map(|t| t.to_string()),
        Some(tid(2))
    );
    // Blocked, in words.
    let why = |n: usize| p.rows[n].problems.join(" ");
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
    let depth: Vec<(&str, u32)> = p.rows.iter().map(|r| (r.name.as_str(), r.depth)).collect();
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
    assert_eq!(p.rows[0].body["Parent"], json!({"Source_Id__c": id(1)}));
    assert_eq!(p.rows[3].body["Parent"], json!({"Source_Id__c": id(9)}));
    assert!(p.rows[3]
        .changes
        .iter()
        .any(|c| c.label == "Parent Account" && c.after == json!("Copied Before")));
    assert!(!p.rows[4].body.contains_key("Parent"));
    assert_eq!(p.rows[4].outcome, Outcome::Insert);
    assert!(
        p.rows[4].notes[0].contains("Lost Parent Ltd"),
        "{:?}",
        p.rows[4].notes
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
    assert_eq!(p.rows[6].outcome, Outcome::Blocked);
    assert!(p.rows[6].problems[0].contains("parent account is blocked"));
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
    });
    assert_eq!(p.rows[0].body["OwnerId"], json!(target_jane.id.to_string()));
    assert_eq!(p.rows[1].body["OwnerId"], json!(admin.id.to_string()));
    let owner_change = p.rows[1]
        .changes
        .iter()
        .find(|c| c.field == "OwnerId")
        .unwrap();
    assert_eq!(owner_change.after, json!("admin (admin@x.com)"));
}
