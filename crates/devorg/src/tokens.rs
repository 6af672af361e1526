//! The org's OAuth grants: authorization codes (single use, 15 minutes, with their PKCE challenge),
//! access tokens (expire after the session timeout) and refresh tokens (valid until revoked).
//! Plain data behind one mutex in `AppState`; the HTTP handlers live in `oauth`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::distributions::Alphanumeric;
use rand::Rng;

/// How long an authorization code can be redeemed (Salesforce: 15 minutes).
pub const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Who a valid access token acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: String,
    pub client_id: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub scopes: Vec<String>,
    pub user_id: String,
    pub issued: Instant,
}

#[derive(Debug, Clone)]
struct AccessGrant {
    session: Session,
    expires: Instant,
    /// The refresh token it was issued from, so revoking that one revokes this too.
    refresh: Option<String>,
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Unknown,
    Expired,
}

#[derive(Debug, Default)]
pub struct Tokens {
    codes: HashMap<String, AuthCode>,
    access: HashMap<String, AccessGrant>,
    refresh: HashMap<String, Session>,
}

/// An opaque token shaped like Salesforce's: `<org id>!<random>`.
fn random_token(org_id: &str, len: usize) -> String {
    let tail: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect();
    format!("{}!{tail}", &org_id[..15])
}

impl Tokens {
    /// Stores a new authorization code and returns it.
    pub fn issue_code(&mut self, org_id: &str, code: AuthCode) -> String {
        let value = random_token(org_id, 60);
        self.codes.insert(value.clone(), code);
        value
    }

    /// Takes a code out (codes are single-use): `None` when unknown, already used or expired.
    pub fn redeem_code(&mut self, code: &str, now: Instant) -> Option<AuthCode> {
        let grant = self.codes.remove(code)?;
        (now.duration_since(grant.issued) < CODE_LIFETIME).then_some(grant)
    }

    /// A new access token for `session`, valid for `lifetime`.
    pub fn issue_access(
        &mut self,
        org_id: &str,
        session: Session,
        lifetime: Duration,
        refresh: Option<&str>,
        now: Instant,
    ) -> String {
        let value = random_token(org_id, 96);
        self.access.insert(
            value.clone(),
            AccessGrant {
                session,
                expires: now + lifetime,
                refresh: refresh.map(str::to_string),
            },
        );
        value
    }

    /// A new refresh token for `session`.
    pub fn issue_refresh(&mut self, org_id: &str, session: Session) -> String {
        let value = random_token(org_id, 80);
        self.refresh.insert(value.clone(), session);
        value
    }

    /// The session behind a refresh token, if it has not been revoked.
    pub fn refresh_session(&self, refresh: &str) -> Option<Session> {
        self.refresh.get(refresh).cloned()
    }

    /// Checks a bearer token.
    pub fn validate(&self, token: &str, now: Instant) -> Result<Session, TokenError> {
        let grant = self.access.get(token).ok_or(TokenError::Unknown)?;
        if now >= grant.expires {
            return Err(TokenError::Expired);
        }
        Ok(grant.session.clone())
    }

    /// Revokes an access or refresh token; revoking a refresh token also revokes its access tokens.
    /// Returns false when the token is unknown.
    pub fn revoke(&mut self, token: &str) -> bool {
        if self.access.remove(token).is_some() {
            return true;
        }
        if self.refresh.remove(token).is_some() {
            self.access
                .retain(|_, grant| grant.refresh.as_deref() != Some(token));
            return true;
        }
        false
    }

    /// Makes every access token expired now (refresh tokens keep working): a session timeout.
    pub fn expire_all_access(&mut self, now: Instant) {
        for grant in self.access.values_mut() {
            grant.expires = now;
        }
    }

    /// Revokes every access and refresh token.
    pub fn revoke_all(&mut self) {
        self.access.clear();
        self.refresh.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "00Dabc000000001AAA";

    fn session() -> Session {
        Session {
            user_id: "005abc000000001AAA".into(),
            client_id: "orgbridge-local".into(),
            scopes: vec!["api".into()],
        }
    }

    #[test]
    fn codes_are_single_use_and_expire() {
        let mut t = Tokens::default();
        let now = Instant::now();
        let code = AuthCode {
            client_id: "c".into(),
            redirect_uri: "r".into(),
            code_challenge: None,
            scopes: vec![],
            user_id: "u".into(),
            issued: now,
        };
        let c1 = t.issue_code(ORG, code.clone());
        assert!(t.redeem_code(&c1, now).is_some());
        assert!(t.redeem_code(&c1, now).is_none());
        let c2 = t.issue_code(ORG, code);
        assert!(t.redeem_code(&c2, now + CODE_LIFETIME).is_none());
    }

    #[test]
    fn access_tokens_expire_and_revoke_with_their_refresh_token() {
        let mut t = Tokens::default();
        let now = Instant::now();
        let refresh = t.issue_refresh(ORG, session());
        let access = t.issue_access(ORG, session(), Duration::from_secs(60), Some(&refresh), now);
        assert!(access.starts_with("00Dabc000000001!"));
        assert_eq!(t.validate(&access, now), Ok(session()));
        assert_eq!(
            t.validate(&access, now + Duration::from_secs(60)),
            Err(TokenError::Expired)
        );
        assert!(t.revoke(&refresh));
        assert_eq!(t.validate(&access, now), Err(TokenError::Unknown));
        assert!(t.refresh_session(&refresh).is_none());
        assert!(!t.revoke(&refresh));
    }
}
