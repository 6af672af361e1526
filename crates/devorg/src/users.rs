//! The org's users: the admin (`--username`/`--password`), the users declared with `--user` or in
//! the org file, or else a few deterministic extra users picked by `--seed`. Users are fixed for
//! the life of the org (no API writes to User, as the README says), so ids index them cheaply.
//! User fields follow the object reference:
//! <https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_user.htm>

use serde::Deserialize;
use serde_json::Value;

use crate::ids::IdGen;

/// One user of the org.
#[derive(Clone)]
pub struct OrgUser {
    /// 18-character user id (`005…`).
    pub id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// `IsActive`: only active users can log in or own records.
    pub active: bool,
    password: String,
}

impl OrgUser {
    /// `Name`: FirstName LastName, as Salesforce composes it.
    pub fn name(&self) -> String {
        match self.first_name.as_str() {
            "" => self.last_name.clone(),
            first => format!("{first} {}", self.last_name),
        }
    }

    /// The value of a User field as the REST API prints it (`Null` for fields devorg lacks).
    pub fn field_value(&self, field: &str) -> Value {
        match field.to_ascii_lowercase().as_str() {
            "id" => Value::String(self.id.clone()),
            "username" => Value::String(self.username.clone()),
            "firstname" if self.first_name.is_empty() => Value::Null,
            "firstname" => Value::String(self.first_name.clone()),
            "lastname" => Value::String(self.last_name.clone()),
            "name" => Value::String(self.name()),
            "email" => Value::String(self.email.clone()),
            "isactive" => Value::Bool(self.active),
            "usertype" => Value::String("Standard".into()),
            _ => Value::Null,
        }
    }

    /// The password, for devorg's start-up banner (a development org prints its logins).
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Whether `password` is this user's (compared in constant time).
    pub fn password_matches(&self, password: &str) -> bool {
        crate::oauth::constant_time_eq(password.as_bytes(), self.password.as_bytes())
    }
}

impl std::fmt::Debug for OrgUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password stays out of logs and test output.
        f.debug_struct("OrgUser")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("name", &self.name())
            .field("email", &self.email)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// A user to create, from `--user` or the org file's `users`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserSpec {
    pub username: String,
    /// Defaults to the admin's `--password`.
    #[serde(default)]
    pub password: Option<String>,
    /// Defaults to the username.
    #[serde(default)]
    pub email: Option<String>,
    /// Default first and last names come from the username's local part (`sam.jones` → Sam Jones).
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl UserSpec {
    /// Parses `USERNAME:PASSWORD[:OPTION]...`, each OPTION being `inactive`, `email=ADDRESS`,
    /// `first=NAME`, `last=NAME`, or a bare address (an email). Neither username nor password may
    /// contain `:`.
    pub fn parse(text: &str) -> Result<UserSpec, String> {
        let mut parts = text.split(':');
        let username = parts.next().unwrap_or_default().trim().to_string();
        let password = parts
            .next()
            .ok_or("expected USERNAME:PASSWORD[:email=…][:first=…][:last=…][:inactive]")?
            .to_string();
        let mut spec = UserSpec {
            username,
            password: Some(password),
            email: None,
            first_name: None,
            last_name: None,
            active: true,
        };
        for option in parts {
            match option.split_once('=') {
                None if option == "inactive" => spec.active = false,
                None if option.contains('@') => spec.email = Some(option.to_string()),
                Some(("email", v)) => spec.email = Some(v.to_string()),
                Some(("first", v)) => spec.first_name = Some(v.to_string()),
                Some(("last", v)) => spec.last_name = Some(v.to_string()),
                _ => {
                    return Err(format!(
                        "unknown user option {option:?} (expected inactive, email=…, first=… or last=…)"
                    ))
                }
            }
        }
        spec.check()?;
        Ok(spec)
    }

    /// What Salesforce requires of a user: an email-shaped username and email, a last name.
    pub fn check(&self) -> Result<(), String> {
        if !looks_like_email(&self.username) {
            return Err(format!(
                "username {:?} must look like an email address",
                self.username
            ));
        }
        if let Some(email) = &self.email {
            if !looks_like_email(email) {
                return Err(format!("email {email:?} is not an email address"));
            }
        }
        if self.password.as_deref() == Some("") {
            return Err(format!("user {} has an empty password", self.username));
        }
        if self.last_name.as_deref() == Some("") {
            return Err(format!("user {} has an empty last name", self.username));
        }
        Ok(())
    }

    fn build(&self, id: String, default_password: &str) -> OrgUser {
        let local = self.username.split('@').next().unwrap_or_default();
        let words: Vec<String> = local
            .split(['.', '_', '-'])
            .filter(|w| !w.is_empty())
            .map(capitalise)
            .collect();
        let (first, last) = match words.as_slice() {
            [] => (String::new(), "User".to_string()),
            [only] => (String::new(), only.clone()),
            [first, rest @ ..] => (first.clone(), rest.join(" ")),
        };
        OrgUser {
            id,
            username: self.username.clone(),
            first_name: self.first_name.clone().unwrap_or(first),
            last_name: self.last_name.clone().unwrap_or(last),
            email: self
                .email
                .clone()
                .unwrap_or_else(|| self.username.to_lowercase()),
            active: self.active,
            password: self
                .password
                .clone()
                .unwrap_or_else(|| default_password.to_string()),
        }
    }
}

/// Salesforce's minimum for Username and Email: something@domain.
pub fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The person in every org that has the default users (same name and email, another username),
/// so owner matching by email finds someone between two default orgs.
const EVERY_ORG: (&str, &str) = ("Riley", "Chen");

/// People the seed picks the other default users from.
const PEOPLE: &[(&str, &str)] = &[
    ("Morgan", "Lee"),
    ("Priya", "Shah"),
    ("Diego", "Alvarez"),
    ("Hannah", "Schmidt"),
    ("Kenji", "Watanabe"),
    ("Amara", "Okafor"),
    ("Lucas", "Martin"),
    ("Sofia", "Rossi"),
];

/// The users an org gets when none are declared: one in every org, one active and one inactive
/// picked by `seed`. Usernames are in the admin's domain; emails at example.com.
pub fn default_extra_users(admin_username: &str, seed: u64) -> Vec<UserSpec> {
    let domain = admin_username
        .split_once('@')
        .map_or("devorg.local", |(_, d)| d);
    let n = PEOPLE.len() as u64;
    let person = |(first, last): (&str, &str), active: bool| {
        let local = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
        UserSpec {
            username: format!("{local}@{domain}"),
            password: None,
            email: Some(format!("{local}@example.com")),
            first_name: Some(first.to_string()),
            last_name: Some(last.to_string()),
            active,
        }
    };
    vec![
        person(EVERY_ORG, true),
        person(PEOPLE[(seed.wrapping_mul(2) % n) as usize], true),
        person(PEOPLE[((seed.wrapping_mul(2) + 1) % n) as usize], false),
    ]
}

/// The org's users, admin first, each with a new id; an error names a duplicate username.
pub fn build_users(
    admin_username: &str,
    admin_password: &str,
    others: &[UserSpec],
    ids: &mut IdGen,
) -> Result<Vec<OrgUser>, String> {
    let admin = UserSpec {
        username: admin_username.to_string(),
        password: Some(admin_password.to_string()),
        email: Some(admin_username.to_string()),
        first_name: Some("Devorg".into()),
        last_name: Some("Admin".into()),
        active: true,
    };
    let mut users: Vec<OrgUser> = Vec::with_capacity(others.len() + 1);
    for spec in std::iter::once(&admin).chain(others) {
        spec.check()?;
        // Usernames are unique (and compared without case) across Salesforce.
        if users
            .iter()
            .any(|u| u.username.eq_ignore_ascii_case(&spec.username))
        {
            return Err(format!("username {} is declared twice", spec.username));
        }
        users.push(spec.build(ids.next_id("005"), admin_password));
    }
    Ok(users)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_takes_options_in_any_order() {
        let u = UserSpec::parse("sam.jones@x.local:pw:inactive:email=sam@example.com").unwrap();
        assert_eq!(u.username, "sam.jones@x.local");
        assert_eq!(u.password.as_deref(), Some("pw"));
        assert_eq!(u.email.as_deref(), Some("sam@example.com"));
        assert!(!u.active);
        let u = UserSpec::parse("a@x:pw:a@example.com:first=Ann:last=Lee").unwrap();
        assert_eq!(
            (u.email.as_deref(), u.first_name.as_deref(), u.active),
            (Some("a@example.com"), Some("Ann"), true)
        );
        assert!(UserSpec::parse("nobody").is_err());
        assert!(UserSpec::parse("notanemail:pw").is_err());
        assert!(UserSpec::parse("a@x:pw:admin").is_err());
        assert!(UserSpec::parse("a@x:").is_err());
    }

    #[test]
    fn names_come_from_the_username_unless_given() {
        let mut ids = IdGen::new("abc");
        let specs = [
            UserSpec::parse("sam.jones@x:pw").unwrap(),
            UserSpec::parse("ops@x:pw").unwrap(),
        ];
        let users = build_users("admin@x", "secret", &specs, &mut ids).unwrap();
        assert_eq!(users[0].name(), "Devorg Admin");
        assert_eq!(users[1].name(), "Sam Jones");
        assert_eq!(users[1].email, "sam.jones@x");
        assert_eq!(users[2].name(), "Ops");
        assert!(users[2].password_matches("pw") && !users[2].password_matches("secret"));
        assert!(users.iter().all(|u| u.id.starts_with("005abc")));
        assert!(!format!("{users:?}").contains("secret"));
    }

    #[test]
    fn usernames_are_unique_without_case() {
        let mut ids = IdGen::new("abc");
        let specs = [UserSpec::parse("ADMIN@x:pw").unwrap()];
        assert!(build_users("admin@x", "pw", &specs, &mut ids).is_err());
    }

    #[test]
    fn default_users_follow_the_seed_and_share_one_person() {
        let a = default_extra_users("admin@devorg.local", 0);
        let b = default_extra_users("admin@target.devorg.local", 2);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].email, b[0].email, "one person is in every org");
        assert_ne!(a[0].username, b[0].username);
        assert!(a[0].username.ends_with("@devorg.local"));
        assert_ne!(a[1].email, b[1].email, "the others follow the seed");
        assert!(a[1].active && !a[2].active);
        assert_eq!(a, default_extra_users("admin@devorg.local", 0));
    }
}
