//! Everything one org holds while it runs, shared by all handlers.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Mutex, RwLock};

use crate::config::Config;
use crate::faults::Faults;
use crate::ids::{self, IdGen};
use crate::limits::ApiUsage;
use crate::store::Store;
use crate::tokens::{Session, Tokens};

/// The org's identity and its one user.
#[derive(Debug, Clone)]
pub struct Org {
    /// 18-character organization id (`00D…`).
    pub org_id: String,
    pub user: OrgUser,
}

#[derive(Debug, Clone)]
pub struct OrgUser {
    /// 18-character user id (`005…`).
    pub id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

impl OrgUser {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// Cheap to clone: all handlers share one `Inner`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub org: Org,
    /// Scheme, host and port clients reach this org at (`instance_url`); set once the port is bound.
    pub base_url: RwLock<String>,
    pub store: RwLock<Store>,
    pub tokens: Mutex<Tokens>,
    pub faults: Faults,
    pub usage: ApiUsage,
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
    /// A fresh org: new org id, its user, and `config.accounts` seeded accounts.
    pub fn new(config: Config) -> Self {
        let mut ids = IdGen::new(&ids::random_org_tag());
        let org = Org {
            org_id: ids.next_id("00D"),
            user: OrgUser {
                id: ids.next_id("005"),
                username: config.username.clone(),
                first_name: "Devorg".into(),
                last_name: "Admin".into(),
                email: config.username.clone(),
            },
        };
        let store = Store::seeded(&config, &org, ids);
        let base_url = format!("http://{}", config.addr);
        AppState(Arc::new(Inner {
            usage: ApiUsage::new(config.api_limit),
            faults: Faults::new(&config),
            oauth: crate::oauth::OAuthState::default(),
            base_url: RwLock::new(base_url),
            store: RwLock::new(store),
            tokens: Mutex::new(Tokens::default()),
            org,
            config,
        }))
    }

    pub fn base_url(&self) -> String {
        self.base_url.read().clone()
    }

    /// Mints an access token for the org's user without the OAuth dance (tests and benches).
    pub fn issue_test_token(&self) -> String {
        let session = Session {
            user_id: self.org.user.id.clone(),
            client_id: crate::config::PKCE_CLIENT_ID.to_string(),
            scopes: vec!["api".into(), "refresh_token".into()],
        };
        let lifetime = self.faults.token_lifetime();
        self.tokens
            .lock()
            .issue_access(&self.org.org_id, session, lifetime, None, Instant::now())
    }
}
