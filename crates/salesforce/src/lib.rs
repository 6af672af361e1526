//! OrgBridge's Salesforce client: OAuth 2.0 web-server flow with PKCE and the REST API, with no UI
//! and no browser bindings, so it builds for wasm32 and the host and is tested natively.
//!
//! - [`transport`]: requests as data behind the [`Transport`] trait the app implements.
//! - [`oauth`]: authorize URL, pending logins per `state`, callback, token/refresh/revoke/userinfo.
//! - [`session`] and [`client`]: a signed-in [`Session`] and the REST
//!   [`Client`] with transparent single-flight token refresh and API usage.
//! - [`rest`]: describe, query paging, record CRUD, upsert, sObject Collections, Apex REST.
//! - [`soql`]: queries built from user text with escaping.
//! - [`setup_check`]: the setup guide's diagnosis.
//! - [`error`]: the one error type and the words shown to people.

pub mod client;
pub mod error;
pub mod oauth;
pub mod rest;
pub mod session;
pub mod setup_check;
pub mod soql;
pub mod storage;
pub mod transport;
pub mod types;

pub use client::{ApiUsage, Client, ClientEvent};
pub use error::Error;
pub use session::{Session, UserInfo};
pub use transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};
