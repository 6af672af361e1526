//! A signed-in session: tokens, where the org lives, who the user is, and the API version in use.
//! Serializable so the app can keep it in `sessionStorage`.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::oauth::{
    parse_newest_version, parse_userinfo, userinfo_request, versions_request, TokenResponse,
};
use crate::transport::Transport;
use crate::types::{AccessToken, ApiVersion, InstanceUrl, RefreshToken};

/// The signed-in user, from the userinfo endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserInfo {
    #[serde(default)]
    pub user_id: String,
    #[serde(default)]
    pub organization_id: String,
    /// The Salesforce username (`preferred_username` in userinfo).
    #[serde(default, alias = "preferred_username")]
    pub username: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
}

/// Everything needed to call an org as the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub access_token: AccessToken,
    /// Present when the `refresh_token` scope was granted.
    pub refresh_token: Option<RefreshToken>,
    /// Base URL for REST calls (from the token response).
    pub instance_url: InstanceUrl,
    /// The host whose token endpoint issued the tokens; refresh and revoke go there too.
    pub login_url: InstanceUrl,
    /// The consumer key, needed to refresh.
    pub consumer_key: String,
    /// Identity URL (`…/id/<orgId>/<userId>`).
    pub identity_url: String,
    pub user: UserInfo,
    /// The newest version the org offered at sign-in.
    pub api_version: ApiVersion,
    /// When the access token was issued (ms since the epoch), if the org said.
    pub issued_at_ms: Option<u64>,
}

impl Session {
    /// Builds a session from a token response: reads userinfo and the newest API version.
    pub async fn from_tokens(
        transport: &impl Transport,
        tokens: TokenResponse,
        login_url: InstanceUrl,
        consumer_key: String,
    ) -> Result<Session, Error> {
        let instance_url = InstanceUrl::parse(&tokens.instance_url)?;
        let info = transport
            .send(userinfo_request(&instance_url, &tokens.access_token))
            .await
            .map_err(Error::network)?;
        let user = parse_userinfo(info)?;
        let versions = transport
            .send(versions_request(&instance_url))
            .await
            .map_err(Error::network)?;
        let api_version = parse_newest_version(versions)?;
        let issued_at_ms = tokens.issued_at_ms();
        Ok(Session {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            instance_url,
            login_url,
            consumer_key,
            identity_url: tokens.id,
            user,
            api_version,
            issued_at_ms,
        })
    }

    /// Applies a refresh answer: a new access token, and a new refresh token if the org rotates them.
    pub fn apply_refresh(&mut self, tokens: TokenResponse) {
        self.issued_at_ms = tokens.issued_at_ms().or(self.issued_at_ms);
        self.access_token = tokens.access_token;
        if let Some(rt) = tokens.refresh_token {
            self.refresh_token = Some(rt);
        }
        if let Ok(url) = InstanceUrl::parse(&tokens.instance_url) {
            self.instance_url = url;
        }
    }

    /// `/services/data/vXX.X` for this session's version.
    pub fn data_path(&self) -> String {
        format!("/services/data/{}", self.api_version.path_segment())
    }

    /// `<org id>/<user id>`: one user of one org. The app keeps, names and routes each signed-in
    /// org (and its drafts) by it.
    pub fn org_key(&self) -> String {
        format!("{}/{}", self.org_id(), self.user.user_id)
    }

    /// True when the org is a sandbox, as its hosts say: a sandbox's My Domain is
    /// `<name>--<sandbox>.sandbox.my.salesforce.com`, and its generic login host test.salesforce.com.
    pub fn is_sandbox(&self) -> bool {
        let sandbox_host = |url: &InstanceUrl| {
            let host = url.host().to_ascii_lowercase();
            host.ends_with(".sandbox.my.salesforce.com") || host == "test.salesforce.com"
        };
        sandbox_host(&self.instance_url) || sandbox_host(&self.login_url)
    }

    /// The org id from userinfo, or from the identity URL.
    pub fn org_id(&self) -> &str {
        if !self.user.organization_id.is_empty() {
            return &self.user.organization_id;
        }
        self.identity_url.rsplit('/').nth(1).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_round_trips_through_json_and_hides_tokens_in_debug() {
        let s = Session {
            access_token: AccessToken::new("00Dx!ACCESS"),
            refresh_token: Some(RefreshToken::new("5Aep!REFRESH")),
            instance_url: InstanceUrl::parse("https://acme.my.salesforce.com").unwrap(),
            login_url: InstanceUrl::parse("https://acme.my.salesforce.com").unwrap(),
            consumer_key: "key".into(),
            identity_url: "https://login.salesforce.com/id/00Dx0000000BV7z/005x0000001S2b9".into(),
            user: UserInfo {
                username: "a@b.c".into(),
                ..Default::default()
            },
            api_version: ApiVersion::parse("67.0").unwrap(),
            issued_at_ms: Some(1),
        };
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Session>(&json).unwrap(), s);
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("ACCESS") && !dbg.contains("REFRESH"), "{dbg}");
        assert_eq!(s.org_id(), "00Dx0000000BV7z");
        assert!(!s.is_sandbox());
        let mut sandbox = s.clone();
        sandbox.instance_url =
            InstanceUrl::parse("https://acme--uat.sandbox.my.salesforce.com").unwrap();
        assert!(sandbox.is_sandbox());
        let mut via_test = s.clone();
        via_test.login_url = InstanceUrl::parse("https://test.salesforce.com").unwrap();
        assert!(via_test.is_sandbox());
        assert_eq!(s.data_path(), "/services/data/v67.0");
    }

    #[test]
    fn userinfo_reads_oidc_names() {
        let u: UserInfo = serde_json::from_str(r#"{"sub":"x","user_id":"005x","organization_id":"00Dx","preferred_username":"admin@devorg.local","name":"Ada Admin","email":"a@x"}"#).unwrap();
        assert_eq!(u.username, "admin@devorg.local");
        assert_eq!(u.name, "Ada Admin");
    }
}
