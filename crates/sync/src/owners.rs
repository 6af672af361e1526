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
}

/// What reads the users of an org.
pub const USERS_SOQL: &str =
    "SELECT Id, Username, Email, Name, IsActive FROM User ORDER BY Username";

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

/// Usernames are unique across Salesforce, so a sandbox copies `jane@acme.com` as
/// `jane@acme.com.uat`: the same person.
fn same_username(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    let suffixed = |long: &str, short: &str| {
        long.strip_prefix(short)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|s| !s.is_empty() && !s.contains(['.', '@']))
    };
    a == b || suffixed(&a, &b) || suffixed(&b, &a)
}

/// Matches `source` owners to active `target` users; unmatched ones go to `default`.
pub fn match_owners(source: &[User], target: &[User], default: &User) -> Owners {
    let active: Vec<&User> = target.iter().filter(|u| u.active).collect();
    let matches: Vec<OwnerMatch> = source
        .iter()
        .map(|s| {
            let by_name = active
                .iter()
                .find(|t| same_username(&s.username, &t.username));
            let by_email = || {
                active
                    .iter()
                    .find(|t| !s.email.is_empty() && t.email.eq_ignore_ascii_case(&s.email))
            };
            let (target, how) = match (by_name, by_email()) {
                (Some(t), _) => ((*t).clone(), How::Username),
                (None, Some(t)) => ((*t).clone(), How::Email),
                (None, None) => (default.clone(), How::Default),
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
    }
}
