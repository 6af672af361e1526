//! Everything one org holds while it runs, shared by all handlers.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Mutex, RwLock};

use crate::config::{Config, ConfigError};
use crate::faults::Faults;
use crate::ids::{self, IdGen};
use crate::limits::ApiUsage;
use crate::schema::Schema;
use crate::store::Store;
use crate::tokens::{Session, Tokens};
use crate::users::{self, OrgUser, UserSpec};

/// The org's identity and its users (the admin first).
#[derive(Debug, Clone)]
pub struct Org {
    /// 18-character organization id (`00D…`).
    pub org_id: String,
    pub users: Arc<[OrgUser]>,
}

impl Org {
    /// The admin: the first user, whom `--username` names.
    pub fn admin(&self) -> &OrgUser {
        &self.users[0]
    }

    /// The user with this 15- or 18-character id.
    pub fn user(&self, id: &str) -> Option<&OrgUser> {
        let id = ids::normalize(id)?;
        self.users.iter().find(|u| u.id == id)
    }

    /// The user with this username (usernames compare without case).
    pub fn user_named(&self, username: &str) -> Option<&OrgUser> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }
}

/// Cheap to clone: all handlers share one `Inner`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub org: Org,
    /// The org's objects (Account as its org file makes it); the store holds the same.
    pub schema: Arc<Schema>,
    /// Scheme, host and port clients reach this org at (`instance_url`); set once the port is bound.
    pub base_url: RwLock<String>,
    pub store: RwLock<Store>,
    pub tokens: Mutex<Tokens>,
    pub faults: Faults,
    pub usage: ApiUsage,
    /// Bulk API 2.0 jobs and the bulk allowances they use.
    pub bulk: crate::rest::bulk::BulkJobs,
    /// Pending authorize requests and the org's token-signing key.
    pub oauth: crate::oauth::OAuthState,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// A fresh org: new org id, its users, and `config.accounts` seeded accounts.
    ///
    /// # Panics
    /// When the configuration is inconsistent (see [`AppState::try_new`]).
    pub fn new(config: Config) -> Self {
        Self::try_new(config).unwrap_or_else(|e| panic!("devorg configuration: {e}"))
    }

    /// A fresh org, or why the configuration cannot make one (a username declared twice, …).
    pub fn try_new(config: Config) -> Result<Self, ConfigError> {
        let mut ids = IdGen::new(&ids::random_org_tag());
        let org_id = ids.next_id("00D");
        let spec = config.org.as_ref();
        let declared: Vec<UserSpec> = spec
            .map(|o| o.users.clone())
            .unwrap_or_default()
            .into_iter()
            .chain(config.users.iter().cloned())
            .collect();
        let others = if declared.is_empty() {
            users::default_extra_users(&config.username, config.seed)
        } else {
            declared
        };
        let users = users::build_users(&config.username, &config.password, &others, &mut ids)
            .map_err(ConfigError::Users)?;
        let org = Org {
            org_id,
            users: users.into(),
        };
        let schema = Arc::new(match spec {
            // Record type ids carry the org's tag, as every id of the org does.
            Some(spec) => spec.account.schema(&org.org_id[3..6])?,
            None => Schema::builtin(),
        });
        let store = Store::seeded(&config, &org, schema.clone(), ids);
        let base_url = format!("http://{}", config.addr);
        Ok(AppState(Arc::new(Inner {
            usage: ApiUsage::new(config.api_limit),
            bulk: Default::default(),
            faults: Faults::new(&config),
            oauth: crate::oauth::OAuthState::default(),
            base_url: RwLock::new(base_url),
            store: RwLock::new(store),
            tokens: Mutex::new(Tokens::default()),
            org,
            schema,
            config,
        })))
    }

    pub fn base_url(&self) -> String {
        self.base_url.read().clone()
    }

    /// Mints an access token for the org's admin without the OAuth dance (tests and benches).
    pub fn issue_test_token(&self) -> String {
        let admin = self.org.admin().id.clone();
        self.issue_test_token_for(&admin)
            .expect("the admin is a user")
    }

    /// Mints an access token for the user with this id or username, active or not (`None`: no
    /// such user), as if they had signed in to the public app.
    pub fn issue_test_token_for(&self, user: &str) -> Option<String> {
        let user = self.org.user(user).or_else(|| self.org.user_named(user))?;
        let session = Session {
            user_id: user.id.clone(),
            client_id: crate::config::PKCE_CLIENT_ID.to_string(),
            scopes: vec!["api".into(), "refresh_token".into()],
        };
        let lifetime = self.faults.token_lifetime();
        Some(self.tokens.lock().issue_access(
            &self.org.org_id,
            session,
            lifetime,
            None,
            Instant::now(),
        ))
    }
}
