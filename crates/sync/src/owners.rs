//! Owners: each source owner matched to an active target user by Username (a sandbox's
//! `.suffix` aside), then by Email; owners with no match go to a default the person picks.

use std::collections::HashMap;

use salesforce::rest::Record;
use salesforce::types::RecordId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A user as the sync needs one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: RecordId,
    pub username: String,
    pub email: String,
    pub name: String,
    pub active: bool,
    /// A full licence user (`UserType` `Standard`): not a portal, guest or automated user, who
    /// cannot own accounts in the target.
    #[serde(default = "yes")]
    pub standard: bool,
}

fn yes() -> bool {
    true
}

/// What reads the users of an org.
pub const USERS_SOQL: &str =
    "SELECT Id, Username, Email, Name, IsActive, UserType FROM User ORDER BY Username";

impl User {
    pub fn from_record(r: &Record) -> Option<User> {
        let text = |f: &str| {
            r.get(f)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Some(User {
            id: RecordId::parse(r.get("Id")?.as_str()?).ok()?,
            username: text("Username"),
            email: text("Email"),
            name: text("Name"),
            active: r.get("IsActive").and_then(Value::as_bool).unwrap_or(false),
            // An org that does not say is taken as Standard.
            standard: r
                .get("UserType")
                .and_then(Value::as_str)
                .is_none_or(|t| t == "Standard"),
        })
    }

    /// "Jane Doe (jane@acme.com)".
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.username)
    }
}

/// How a source owner found its target user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Username,
    Email,
    /// No active target user matched: the default.
    Default,
}

/// One source owner and the target user its records go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerMatch {
    pub source: User,
    pub target: User,
    pub how: How,
}

/// Every source owner's target user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owners {
    pub matches: Vec<OwnerMatch>,
    by_source: HashMap<RecordId, usize>,
    names: HashMap<RecordId, String>,
}

/// A Username without a sandbox's suffix: usernames are unique across Salesforce, so a sandbox
/// copies `jane@acme.com` as `jane@acme.com.uat`, the same person. The last `.part` after the
/// `@` comes off (`None` when there is none).
fn unsuffixed(username: &str) -> Option<&str> {
    let (rest, suffix) = username.rsplit_once('.')?;
    (rest.contains('@') && !suffix.is_empty() && !suffix.contains('@')).then_some(rest)
}

/// Whether two usernames are the same person's: equal, or one is the other and a sandbox suffix.
#[cfg(test)]
fn same_username(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    a == b || unsuffixed(&a) == Some(b.as_str()) || unsuffixed(&b) == Some(a.as_str())
}

/// The target users an owner can go to, indexed once: active, full licence users, by Username
/// (as it is and without a sandbox suffix) and by Email, the first of each kept (users come
/// ordered by Username).
struct Candidates<'a> {
    by_username: HashMap<String, &'a User>,
    by_unsuffixed: HashMap<String, &'a User>,
    by_email: HashMap<String, &'a User>,
}

impl<'a> Candidates<'a> {
    fn of(users: &'a [User]) -> Candidates<'a> {
        let mut c = Candidates {
            by_username: HashMap::new(),
            by_unsuffixed: HashMap::new(),
            by_email: HashMap::new(),
        };
        for u in users.iter().filter(|u| u.active && u.standard) {
            let name = u.username.to_ascii_lowercase();
            if let Some(short) = unsuffixed(&name) {
                c.by_unsuffixed.entry(short.to_string()).or_insert(u);
            }
            c.by_username.entry(name).or_insert(u);
            if !u.email.is_empty() {
                c.by_email.entry(u.email.to_ascii_lowercase()).or_insert(u);
            }
        }
        c
    }

    fn find(&self, source: &User) -> Option<(&'a User, How)> {
        let name = source.username.to_ascii_lowercase();
        let by_name = self
            .by_username
            .get(&name)
            .or_else(|| self.by_unsuffixed.get(&name))
            .or_else(|| unsuffixed(&name).and_then(|short| self.by_username.get(short)));
        if let Some(u) = by_name {
            return Some((u, How::Username));
        }
        (!source.email.is_empty())
            .then(|| self.by_email.get(&source.email.to_ascii_lowercase()))
            .flatten()
            .map(|u| (*u, How::Email))
    }
}

/// Matches `source` owners to active standard `target` users; unmatched ones go to `default`.
/// Each source owner is one look-up: 10,000 owners against 10,000 users is not 10⁸ comparisons.
pub fn match_owners(source: &[User], target: &[User], default: &User) -> Owners {
    let candidates = Candidates::of(target);
    let matches: Vec<OwnerMatch> = source
        .iter()
        .map(|s| {
            let (target, how) = match candidates.find(s) {
                Some((t, how)) => (t.clone(), how),
                None => (default.clone(), How::Default),
            };
            OwnerMatch {
                source: s.clone(),
                target,
                how,
            }
        })
        .collect();
    let by_source = matches
        .iter()
        .enumerate()
        .map(|(i, m)| (m.source.id.clone(), i))
        .collect();
    let names = target
        .iter()
        .chain([default])
        .map(|u| (u.id.clone(), u.label()))
        .collect();
    Owners {
        matches,
        by_source,
        names,
    }
}

impl Owners {
    /// The target user a record owned by `source_owner` goes to (`None` for an owner not among
    /// the source users matched).
    pub fn target_for(&self, source_owner: &str) -> Option<&User> {
        let id = RecordId::parse(source_owner).ok()?;
        self.by_source.get(&id).map(|&i| &self.matches[i].target)
    }

    /// A target user's label, for the preview ("Jane Doe (jane@acme.com)").
    pub fn name_of(&self, target_user: &str) -> Option<&str> {
        let id = RecordId::parse(target_user).ok()?;
        self.names.get(&id).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn user(n: u32, username: &str, email: &str, active: bool) -> User {
        User {
            id: RecordId::parse(&format!("005000000000{n:03}")).unwrap(),
            username: username.into(),
            email: email.into(),
            name: username.split('@').next().unwrap().into(),
            active,
            standard: true,
        }
    }

    #[test]
    fn owners_match_by_username_then_email_else_the_default() {
        let source = [
            user(1, "jane@acme.com", "jane@acme.com", true),
            user(2, "raj@acme.com", "raj@acme.com", true),
            user(3, "old@acme.com", "old@acme.com", true),
            user(4, "kim@acme.com", "", true),
        ];
        let target = [
            user(11, "jane@acme.com.uat", "other@acme.com", true),
            user(12, "raj.k@acme-support.com", "RAJ@acme.com", true),
            user(13, "old@acme.com.uat", "old@acme.com", false),
            user(14, "admin@support.com", "admin@support.com", true),
        ];
        let owners = match_owners(&source, &target, &target[3]);
        let how: Vec<(How, &str)> = owners
            .matches
            .iter()
            .map(|m| (m.how, m.target.username.as_str()))
            .collect();
        assert_eq!(
            how,
            [
                (How::Username, "jane@acme.com.uat"),
                (How::Email, "raj.k@acme-support.com"),
                (How::Default, "admin@support.com"),
                (How::Default, "admin@support.com"),
            ],
            "an inactive user is never an owner"
        );
        assert_eq!(
            owners
                .target_for(source[1].id.as_str())
                .map(|u| u.username.as_str()),
            Some("raj.k@acme-support.com")
        );
        assert_eq!(owners.target_for("005000000000999"), None);
        assert!(!same_username("jane@acme.com", "jane@acme.com.uat.x"));
        assert!(!same_username("jane@acme.co", "jane@acme.com"));
        assert!(same_username("Jane@Acme.com.UAT", "jane@acme.com"));
    }

    #[test]
    fn only_active_standard_users_own_records_and_many_owners_match_quickly() {
        let source = [user(1, "jane@acme.com", "jane@acme.com", true)];
        let portal = User {
            standard: false,
            ..user(11, "jane@acme.com.uat", "jane@acme.com", true)
        };
        let admin = user(12, "admin@acme.com.uat", "admin@acme.com", true);
        let owners = match_owners(&source, &[portal, admin.clone()], &admin);
        assert_eq!(
            owners.matches[0].how,
            How::Default,
            "a portal user never owns"
        );
        // 20,000 owners against 20,000 users: one look-up each (well under a second, where
        // comparing every pair would take minutes).
        let n = 20_000u32;
        let many = |suffix: &str| -> Vec<User> {
            (0..n)
                .map(|i| User {
                    id: RecordId::parse(&format!("005{i:012}")).unwrap(),
                    username: format!("user{i}@acme.com{suffix}"),
                    email: format!("user{i}@acme.com"),
                    name: format!("User {i}"),
                    active: true,
                    standard: true,
                })
                .collect()
        };
        let started = std::time::Instant::now();
        let owners = match_owners(&many(""), &many(".uat"), &admin);
        assert!(owners.matches.iter().all(|m| m.how == How::Username));
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }
}
