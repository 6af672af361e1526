//! What the copy screens share, as a context: the two orgs, their Account describes, the
//! choices (which accounts, the key, the mapping, owners), the preview made and the run.

use std::sync::Arc;

use leptos::prelude::*;
use orgbridge_sync::key::{KeyFacts, MatchKey};
use orgbridge_sync::mapping::Mapping;
use orgbridge_sync::owners::Owners;
use orgbridge_sync::plan::Calls;
use orgbridge_sync::preview::Preview;
use orgbridge_sync::run::RunState;
use orgbridge_sync::watermark::LastSync;
use salesforce::rest::SObjectDescribe;
use serde::{Deserialize, Serialize};

use crate::auth::SignedIn;
use crate::storage::{self, Key};

/// Which source accounts a run takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    All,
    /// What the source's account list shows now (its search and WHERE clause).
    AsListed,
    /// The rows selected in the source's account list.
    Selected,
    /// Changed since the last sync of this pair.
    Changed,
}

/// What is remembered per pair of orgs (by org ids, in this browser; no account data, no
/// secrets): the key, the mapping, and where the last full sync got to. (An older version's
/// `watermark`, which any run could move, is not read.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub key: Option<MatchKey>,
    pub mapping: Option<Mapping>,
    #[serde(default)]
    pub last_sync: Option<LastSync>,
    /// Records to write from which a run goes through Bulk API 2.0 (`None`: the default).
    #[serde(default)]
    pub bulk_from: Option<usize>,
}

impl Saved {
    fn name(source_org: &str, target_org: &str) -> String {
        format!("{source_org}>{target_org}")
    }

    pub fn load(source_org: &str, target_org: &str) -> Saved {
        storage::get_json(Key::SyncPair(&Saved::name(source_org, target_org))).unwrap_or_default()
    }

    pub fn store(&self, source_org: &str, target_org: &str) {
        storage::set_json(Key::SyncPair(&Saved::name(source_org, target_org)), self);
    }
}

/// A preview, with what it was made of.
pub struct Made {
    pub preview: Preview,
    /// The key and mapping it was made with.
    pub key: MatchKey,
    pub mapping: Mapping,
    /// The watermark its run leaves if it writes every record (a preview of every account).
    pub leaves: Option<LastSync>,
    pub owners: Option<Owners>,
    /// The target's users, for the default owner.
    pub target_users: Vec<orgbridge_sync::owners::User>,
    /// Calls the preview took, and the calls the run will take.
    pub calls: (Calls, Calls),
    /// `Date.now()` when made: a run needs a preview under 15 minutes old.
    pub at_ms: f64,
    /// Its run as kept in the browser (its plan, and what of it is kept), once started: Resume
    /// and Re-run failures only carry on that run rather than start another.
    pub kept: std::sync::Mutex<Option<(orgbridge_sync::kept::Plan, orgbridge_sync::kept::Keeper)>>,
}

/// How old a preview may be when its run starts.
pub const FRESH_MS: f64 = 15.0 * 60.0 * 1000.0;

#[derive(Clone, Copy)]
pub struct SyncCtx {
    pub source: StoredValue<Arc<SignedIn>>,
    pub target: StoredValue<Arc<SignedIn>>,
    pub described: StoredValue<(Arc<SObjectDescribe>, Arc<SObjectDescribe>)>,
    pub which: RwSignal<Which>,
    pub key: RwSignal<Option<MatchKey>>,
    pub mapping: RwSignal<Mapping>,
    pub owners: RwSignal<bool>,
    /// Who gets the records of owners with no match in the target (`None`: the person).
    pub default_owner: RwSignal<Option<salesforce::types::RecordId>>,
    /// Parents the person chose to copy too, beside the accounts chosen.
    pub also: RwSignal<Vec<salesforce::types::RecordId>>,
    pub made: RwSignal<Option<Arc<Made>>>,
    pub run: RwSignal<Option<RunState>>,
    pub saved: RwSignal<Saved>,
    /// How many records hold a value in each candidate key field, in both orgs.
    pub facts: StoredValue<KeyFacts>,
    /// Also delete in the target what was deleted in the source since the last sync.
    pub deletions: RwSignal<bool>,
    /// The rows still to write of a run resumed too long after its preview: previewed again
    /// (by their source ids) instead of the choice of accounts.
    pub rest_of: RwSignal<Option<Vec<salesforce::types::RecordId>>>,
    /// Why this browser could not keep the run (quota, private mode): said on screen, and the
    /// run goes on only if the person chooses to write without a resume.
    pub unkept: RwSignal<Option<String>>,
}

impl SyncCtx {
    pub fn org_ids(&self) -> (String, String) {
        (
            self.source.with_value(|s| s.profile.org.clone()),
            self.target.with_value(|t| t.profile.org.clone()),
        )
    }

    /// Keeps the choices for this pair of orgs.
    pub fn remember(&self) {
        let (s, t) = self.org_ids();
        let mut saved = self.saved.get_untracked();
        saved.key = self.key.get_untracked();
        saved.mapping = Some(self.mapping.get_untracked());
        saved.store(&s, &t);
        self.saved.set(saved);
    }

    /// Forgets the preview (a choice changed, so it no longer says what a run would do) and a
    /// finished run's results with it; a run under way stays on screen.
    pub fn changed(&self) {
        if self
            .run
            .with_untracked(|r| r.as_ref().is_some_and(|r| !r.finished()))
        {
            return;
        }
        self.run.set(None);
        self.made.set(None);
        self.rest_of.set(None);
    }
}

pub fn use_sync() -> SyncCtx {
    expect_context::<SyncCtx>()
}

/// How an org is named wherever two are on screen: its label, user and org id.
pub fn org_name(org: &SignedIn) -> String {
    let look = org.look.get_untracked();
    let mut name = if look.label.is_empty() {
        format!("{} · {}", org.profile.username, org.profile.org)
    } else {
        format!(
            "{} · {} · {}",
            look.label, org.profile.username, org.profile.org
        )
    };
    if org.sandbox {
        name.push_str(" (sandbox)");
    }
    name
}

/// The short name: its label, else its username.
pub fn org_short(org: &SignedIn) -> String {
    let look = org.look.get_untracked();
    if look.label.is_empty() {
        org.profile.username.clone()
    } else {
        look.label
    }
}
