//! The org's OAuth grants: authorization codes (single use, 15 minutes, with their PKCE challenge),
//! access tokens (expire after the session timeout) and refresh tokens (valid until revoked).
//! Plain data behind one mutex in `AppState`; the HTTP handlers live in `oauth`.
//!
//! Nothing here grows without bound: expired codes and access tokens are swept (at most once a
//! minute, as grants are issued), and each app keeps at most [`MAX_GRANTS_PER_APP_USER`] live access
//! tokens and refresh tokens per user, evicting the oldest.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use rand::distributions::Alphanumeric;
use rand::Rng;

/// How long an authorization code can be redeemed (Salesforce: 15 minutes).
pub const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// How many live access tokens, and separately refresh tokens, one app keeps for one user; the
/// next one evicts the oldest. Salesforce is reported to keep five approvals per app and user
/// (README, deviations); devorg keeps more so a test suite signing in many times keeps its sessions.
pub const MAX_GRANTS_PER_APP_USER: usize = 100;

/// How often issuing a grant also sweeps the expired ones.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

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
    /// Access and refresh tokens of each (app, user), oldest first, for the per-app cap.
    access_order: IssueOrder,
    refresh_order: IssueOrder,
    /// When issuing a grant next sweeps the expired ones (`None`: at the first issue).
    next_sweep: Option<Instant>,
}

/// Token values per (client id, user id) in the order they were issued.
#[derive(Debug, Default)]
struct IssueOrder(HashMap<(String, String), VecDeque<String>>);

impl IssueOrder {
    /// Records `token` for `session`'s app and user; returns the oldest token when that makes
    /// more than [`MAX_GRANTS_PER_APP_USER`].
    fn push(&mut self, session: &Session, token: &str) -> Option<String> {
        let key = (session.client_id.clone(), session.user_id.clone());
        let tokens = self.0.entry(key).or_default();
        tokens.push_back(token.to_string());
        (tokens.len() > MAX_GRANTS_PER_APP_USER)
            .then(|| tokens.pop_front())
            .flatten()
    }

    /// Forgets tokens for which `keep` is false.
    fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.0.retain(|_, tokens| {
            tokens.retain(|t| keep(t));
            !tokens.is_empty()
        });
    }
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

/// A refresh token shaped like Salesforce's: `5Aep861` and letters, digits, `.` and `_`, with no
/// `<org id>!` prefix (that is an access token's shape). The sf CLI's `force://` auth URLs only
/// accept such characters in the token.
fn random_refresh_token(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
    let mut rng = rand::thread_rng();
    let tail: String = (0..len)
        .map(|_| char::from(CHARS[rng.gen_range(0..CHARS.len())]))
        .collect();
    format!("5Aep861{tail}")
}

impl Tokens {
    /// Stores a new authorization code and returns it.
    pub fn issue_code(&mut self, org_id: &str, code: AuthCode) -> String {
        self.sweep_if_due(code.issued);
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
        self.sweep_if_due(now);
        let value = random_token(org_id, 96);
        if let Some(oldest) = self.access_order.push(&session, &value) {
            self.access.remove(&oldest);
        }
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
    pub fn issue_refresh(&mut self, session: Session) -> String {
        let value = random_refresh_token(80);
        if let Some(oldest) = self.refresh_order.push(&session, &value) {
            self.revoke(&oldest);
        }
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
            self.access_order.retain(|t| t != token);
            return true;
        }
        if self.refresh.remove(token).is_some() {
            self.refresh_order.retain(|t| t != token);
            self.access
                .retain(|_, grant| grant.refresh.as_deref() != Some(token));
            self.forget_missing();
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
        self.forget_missing();
    }

    /// How many grants are stored (tests check that they stay bounded).
    pub fn counts(&self) -> TokenCounts {
        TokenCounts {
            codes: self.codes.len(),
            access: self.access.len(),
            refresh: self.refresh.len(),
        }
    }

    /// Drops codes that can no longer be redeemed and access tokens past their expiry, as of `now`.
    /// (Refresh tokens stay valid until revoked, as the org's default refresh token policy.)
    pub fn sweep(&mut self, now: Instant) {
        self.codes
            .retain(|_, code| now.duration_since(code.issued) < CODE_LIFETIME);
        self.access.retain(|_, grant| now < grant.expires);
        self.forget_missing();
    }

    fn sweep_if_due(&mut self, now: Instant) {
        if self.next_sweep.is_none_or(|due| now >= due) {
            self.sweep(now);
            self.next_sweep = Some(now + SWEEP_EVERY);
        }
    }

    /// Drops the issue order of tokens that are no longer stored.
    fn forget_missing(&mut self) {
        let (access, refresh) = (&self.access, &self.refresh);
        self.access_order.retain(|t| access.contains_key(t));
        self.refresh_order.retain(|t| refresh.contains_key(t));
    }
}

/// The number of stored grants of each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenCounts {
    pub codes: usize,
    pub access: usize,
    pub refresh: usize,
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
        let refresh = t.issue_refresh(session());
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

    #[test]
    fn issuing_sweeps_expired_grants_and_caps_each_app_and_user() {
        let mut t = Tokens::default();
        let now = Instant::now();
        let minute = Duration::from_secs(60);
        let short = t.issue_access(ORG, session(), minute, None, now);
        // Issued after the sweep interval, past the first token's expiry: that one is gone.
        let later = now + SWEEP_EVERY + minute;
        let kept = t.issue_access(ORG, session(), minute, None, later);
        assert_eq!(t.validate(&short, later), Err(TokenError::Unknown));
        assert_eq!(t.counts().access, 1);
        // The refresh cap revokes the oldest refresh token and the access tokens issued from it.
        let oldest = t.issue_refresh(session());
        let child = t.issue_access(ORG, session(), minute, Some(&oldest), later);
        for _ in 0..MAX_GRANTS_PER_APP_USER {
            t.issue_refresh(session());
        }
        assert!(t.refresh_session(&oldest).is_none());
        assert_eq!(t.validate(&child, later), Err(TokenError::Unknown));
        assert_eq!(t.validate(&kept, later), Ok(session()));
        assert_eq!(t.counts().refresh, MAX_GRANTS_PER_APP_USER);
        // Another app's tokens have their own allowance.
        let other = Session {
            client_id: "devorg-integration".into(),
            ..session()
        };
        let theirs = t.issue_access(ORG, other.clone(), minute, None, later);
        for _ in 0..MAX_GRANTS_PER_APP_USER {
            t.issue_access(ORG, session(), minute, None, later);
        }
        assert_eq!(t.validate(&theirs, later), Ok(other));
        assert_eq!(t.validate(&kept, later), Err(TokenError::Unknown));
    }
}
