//! Command-line flags of devorg; `Config::default()` is exactly what `devorg` with no flags runs.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::org_file::OrgSpec;
use crate::users::UserSpec;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "devorg",
    about = "A local Salesforce-compatible org: OAuth 2.0 (PKCE), REST API, CORS and limits"
)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,

    /// Origin allowed by the org's CORS allowlist (repeatable).
    #[arg(
        long = "allowed-origin",
        value_name = "ORIGIN",
        default_values = ["http://127.0.0.1:8080", "http://localhost:8080"]
    )]
    pub allowed_origins: Vec<String>,

    /// Callback URL registered on the public PKCE app `orgbridge-local` (repeatable).
    #[arg(
        long = "redirect-uri",
        value_name = "URL",
        default_values = ["http://127.0.0.1:8080/", "http://localhost:8080/"]
    )]
    pub redirect_uris: Vec<String>,

    /// Username of the org's admin, its first user.
    #[arg(long, default_value = "admin@devorg.local")]
    pub username: String,

    /// Password of the org's admin (and of the other users unless they say otherwise).
    #[arg(long, default_value = "devorg")]
    pub password: String,

    /// Another user of the org (repeatable): `USERNAME:PASSWORD[:OPTION]...`, each OPTION being
    /// `inactive`, `email=ADDRESS`, `first=NAME` or `last=NAME` (a bare address is the email).
    /// Declared users (here or in --org-file) replace the default extra users (one in every org,
    /// one active and one inactive picked by --seed).
    #[arg(long = "user", value_name = "USER", value_parser = UserSpec::parse)]
    pub users: Vec<UserSpec>,

    /// An org file, JSON: `{"users": [{"username", "password", "email", "firstName", "lastName",
    /// "active"}], "account": {"remove": ["Legacy_Number__c"], "fields": [{"name": "Source_Id__c",
    /// "type": "Text", "length": 18, "externalId": true, "unique": true}], "recordTypes":
    /// [{"developerName": "Customer", "name": "Customer", "active": true, "default": true}]}}`
    /// (kinds Text, TextArea, LongTextArea, Picklist, Number, Checkbox, Date, Email, Phone, Url;
    /// see crates/devorg/README.md). Without it the org has the built-in Account (no record types
    /// but Master).
    #[arg(long = "org-file", value_name = "PATH", value_parser = OrgSpec::from_flag)]
    pub org: Option<OrgSpec>,

    /// Number of deterministic, realistic accounts to seed.
    #[arg(long, default_value_t = 200)]
    pub accounts: usize,

    /// Which deterministic accounts: another seed gives other names, cities and industries (the
    /// first few awkward names, such as O'Reilly Media, are in every org). Two devorgs with
    /// different seeds are a source and a target org with different data.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Lifetime of access tokens, in seconds (the org's session timeout).
    #[arg(
        long = "token-lifetime",
        value_name = "SECONDS",
        default_value_t = 7200
    )]
    pub token_lifetime_secs: u64,

    /// Turn off Setup → CORS → "Enable CORS for OAuth endpoints" (token and revoke get no CORS headers).
    #[arg(long)]
    pub no_oauth_cors: bool,

    /// Leave `Sforce-Limit-Info` out of CORS `Access-Control-Expose-Headers` (whether Salesforce
    /// exposes it is not documented), so a browser cannot read it and must ask `/limits`.
    #[arg(long)]
    pub no_expose_limit_info: bool,

    /// Daily API request allowance (DailyApiRequests Max).
    #[arg(long, default_value_t = 15000)]
    pub api_limit: u64,

    /// Latency added to every API and OAuth call (not the login pages or admin API), in milliseconds.
    #[arg(long = "latency", value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// How long a client may take to send a request's headers (also how long an idle keep-alive
    /// connection stays open), in milliseconds; then the connection is closed.
    #[arg(
        long = "header-read-timeout",
        value_name = "MS",
        default_value_t = 30_000
    )]
    pub header_read_timeout_ms: u64,

    /// Most connections served at once; further connections are closed as soon as they are accepted.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_connections: usize,

    /// Serve https with a certificate for 127.0.0.1, localhost and ::1 made at start (instance_url
    /// becomes https://…); the CA to trust is written to `--tls-cert-out`.
    #[arg(long)]
    pub tls: bool,

    /// Where `--tls` writes the PEM certificate clients should trust (default: devorg-<port>-ca.pem
    /// in the system temp directory).
    #[arg(long, value_name = "PATH")]
    pub tls_cert_out: Option<PathBuf>,
}

/// Why a configuration cannot make an org.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A user that Salesforce would refuse, or a username declared twice.
    #[error("{0}")]
    Users(String),
    #[error(transparent)]
    OrgFile(#[from] crate::org_file::OrgFileError),
}

impl Default for Config {
    fn default() -> Self {
        Config::parse_from(["devorg"])
    }
}

/// Client id of the public PKCE app (no secret) the OrgBridge web app signs in with.
pub const PKCE_CLIENT_ID: &str = "orgbridge-local";
/// Client id and secret of the integration app for the client-credentials flow.
pub const INTEGRATION_CLIENT_ID: &str = "devorg-integration";
pub const INTEGRATION_CLIENT_SECRET: &str = "devorg-secret";
