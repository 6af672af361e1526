//! The REST client: sends calls with the session's Bearer token, judges every answer in one place,
//! refreshes an expired token once (concurrent calls share that one refresh), and tracks the org's
//! API usage from `Sforce-Limit-Info`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{decode_json, map_response, Error};
use crate::oauth::{parse_token_response, refresh_request};
use crate::session::Session;
use crate::transport::{HttpRequest, HttpResponse, Method, Transport};

/// The org's API usage in the current 24 hours, from `Sforce-Limit-Info: api-usage=N/M` or `/limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiUsage {
    pub used: u64,
    pub max: u64,
}

impl ApiUsage {
    /// Parses a `Sforce-Limit-Info` value such as `api-usage=18/5000; per-app-api-usage=17/250(appName=x)`.
    ///
    /// ```
    /// use salesforce::client::ApiUsage;
    /// assert_eq!(ApiUsage::from_header("api-usage=18/5000"), Some(ApiUsage { used: 18, max: 5000 }));
    /// ```
    pub fn from_header(value: &str) -> Option<ApiUsage> {
        value.split(';').find_map(|part| {
            let (name, rest) = part.trim().split_once('=')?;
            if name.trim() != "api-usage" {
                return None;
            }
            let (used, max) = rest.trim().split_once('/')?;
            Some(ApiUsage {
                used: used.trim().parse().ok()?,
                max: max.trim().parse().ok()?,
            })
        })
    }

    /// From the `/limits` resource's `DailyApiRequests`.
    pub fn from_limits(limits: &BTreeMap<String, Limit>) -> Option<ApiUsage> {
        let daily = limits.get("DailyApiRequests")?;
        Some(ApiUsage {
            used: daily.max.saturating_sub(daily.remaining),
            max: daily.max,
        })
    }

    /// Remaining calls.
    pub fn remaining(&self) -> u64 {
        self.max.saturating_sub(self.used)
    }
}

/// One entry of `/limits`: `{"Max":5000,"Remaining":4980}` (old orgs sent numbers as strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    #[serde(rename = "Max", deserialize_with = "number_or_string")]
    pub max: u64,
    #[serde(rename = "Remaining", deserialize_with = "number_or_string")]
    pub remaining: u64,
}

fn number_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Num(u64),
        Signed(i64),
        Text(String),
    }
    match N::deserialize(d)? {
        N::Num(n) => Ok(n),
        N::Signed(n) => Ok(n.max(0) as u64),
        N::Text(s) => s.trim().parse().map_err(serde::de::Error::custom),
    }
}

/// What the client tells the app as it works.
// Events are rare (a refresh per session timeout), so the unboxed Session costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// The access token was refreshed: persist this session.
    SessionRefreshed(Session),
    /// The session could not be refreshed: sign out showing `reason`.
    SessionEnded { reason: String },
    /// A response reported the org's API usage.
    ApiUsage(ApiUsage),
}

type Observer = Arc<dyn Fn(&ClientEvent) + Send + Sync>;

struct State {
    session: Session,
    /// Bumped by every successful refresh: a caller whose 401 came from an older generation
    /// knows the token was already replaced and just retries.
    generation: u64,
    ended: Option<String>,
    usage: Option<ApiUsage>,
}

struct Shared {
    state: Mutex<State>,
    /// Held across the one refresh in flight; waiters re-check the generation afterwards.
    refresh: futures::lock::Mutex<()>,
    /// Everyone told about events (the session keeper, each screen showing the budget), by id.
    observers: Mutex<Vec<(u64, Observer)>>,
    next_observer: std::sync::atomic::AtomicU64,
}

/// What [`Client::subscribe`] returns: hand it to [`Client::unsubscribe`] to stop being told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscription(u64);

/// A REST client for one signed-in org. Cheap to clone (clones share the session and the refresh).
///
/// ```no_run
/// # async fn demo<T: salesforce::transport::Transport>(transport: T, session: salesforce::session::Session) -> Result<(), salesforce::error::Error> {
/// use salesforce::client::Client;
/// let client = Client::new(transport, session);
/// client.subscribe(|event| println!("{event:?}"));
/// let page = client.query("SELECT Id, Name FROM Account ORDER BY Name", Some(2000)).await?;
/// println!("{} of {}", page.records.len(), page.total_size);
/// # Ok(()) }
/// ```
pub struct Client<T> {
    transport: T,
    shared: Arc<Shared>,
}

impl<T: Clone> Clone for Client<T> {
    fn clone(&self) -> Self {
        Client {
            transport: self.transport.clone(),
            shared: self.shared.clone(),
        }
    }
}

fn lock<X>(m: &Mutex<X>) -> MutexGuard<'_, X> {
    // The state stays consistent even if a panic interrupted a holder (single assignments only).
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<T: Transport> Client<T> {
    /// A client for `session`, sending through `transport`.
    pub fn new(transport: T, session: Session) -> Self {
        Client {
            transport,
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    session,
                    generation: 0,
                    ended: None,
                    usage: None,
                }),
                refresh: futures::lock::Mutex::new(()),
                observers: Mutex::new(Vec::new()),
                next_observer: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }

    /// Tells `f` about every event from now on: refreshes, the end of the session and API usage.
    /// Any number may listen.
    pub fn subscribe(&self, f: impl Fn(&ClientEvent) + Send + Sync + 'static) -> Subscription {
        let id = self
            .shared
            .next_observer
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lock(&self.shared.observers).push((id, Arc::new(f)));
        Subscription(id)
    }

    /// Stops telling a subscriber (a screen that went away).
    pub fn unsubscribe(&self, subscription: Subscription) {
        lock(&self.shared.observers).retain(|(id, _)| *id != subscription.0);
    }

    fn notify(&self, event: ClientEvent) {
        // Called with no lock held, so an observer may call back into the client.
        let observers: Vec<Observer> = lock(&self.shared.observers)
            .iter()
            .map(|(_, f)| f.clone())
            .collect();
        for f in observers {
            f(&event);
        }
    }

    /// The current session (with the latest access token).
    pub fn session(&self) -> Session {
        lock(&self.shared.state).session.clone()
    }

    /// Ends the session for a sign-out and returns it with its newest tokens, to revoke: a refresh
    /// in flight is waited for (its tokens are the ones that must die), and from now on nothing is
    /// sent, refreshed or reported, so a late answer cannot bring the session back.
    pub async fn close(&self) -> Session {
        let _one_at_a_time = self.shared.refresh.lock().await;
        let mut st = lock(&self.shared.state);
        st.ended
            .get_or_insert_with(|| "You signed out of this org.".to_string());
        st.session.clone()
    }

    /// The API usage last reported by the org, if any response carried it.
    pub fn api_usage(&self) -> Option<ApiUsage> {
        lock(&self.shared.state).usage
    }

    /// Why the session ended, once a refresh has failed.
    pub fn ended(&self) -> Option<String> {
        lock(&self.shared.state).ended.clone()
    }

    /// The transport (for requests that need no session, such as the setup probes).
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// `/services/data/vXX.X` + `rest` (e.g. `"/sobjects/Account/describe"`).
    pub fn data_path(&self, rest: &str) -> String {
        format!("{}{rest}", lock(&self.shared.state).session.data_path())
    }

    /// Sends one authenticated call and returns the org's answer whatever its status (the Apex
    /// REST console shows it as is). `path` is absolute on the instance (`/services/…`) or a full
    /// URL on the instance's origin; the token is never sent anywhere else.
    /// An expired token is refreshed once and the call repeated; network failures and a failed
    /// refresh are errors.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Result<HttpResponse, Error> {
        let mut retried = false;
        loop {
            let (req, generation) = {
                let st = lock(&self.shared.state);
                if let Some(reason) = &st.ended {
                    return Err(Error::SessionEnded {
                        reason: reason.clone(),
                    });
                }
                if !stays_put(path) {
                    return Err(Error::InvalidInput {
                        what: "path",
                        message: format!(
                            "“{path}” has a step (“.”, “..”, “\\”) that would send the call somewhere else; OrgBridge does not send it"
                        ),
                    });
                }
                let url = st.session.instance_url.join(path);
                let origin = st.session.instance_url.origin();
                if !url.starts_with(&format!("{origin}/")) {
                    return Err(Error::InvalidInput {
                        what: "path",
                        message: format!(
                            "“{path}” is not on the signed-in org ({origin}); OrgBridge sends your token only there"
                        ),
                    });
                }
                let mut req = HttpRequest::new(method, url).header(
                    "Authorization",
                    format!("Bearer {}", st.session.access_token.secret()),
                );
                // JSON unless the caller asks for something else (Bulk results are CSV).
                if !headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("accept"))
                {
                    req = req.header("Accept", "application/json");
                }
                for (k, v) in headers {
                    req = req.header(k, *v);
                }
                if let Some(body) = &body {
                    if !headers
                        .iter()
                        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                    {
                        req = req.header("Content-Type", "application/json");
                    }
                    req.body = Some(body.clone());
                }
                (req, st.generation)
            };
            let resp = self.transport.send(req).await.map_err(Error::network)?;
            let usage = match resp
                .header("Sforce-Limit-Info")
                .and_then(ApiUsage::from_header)
            {
                Some(usage) => Some(usage),
                // A browser may not be allowed to read the header (the org's CORS answer decides):
                // count this call on top of the last `/limits` reading, so the figure still moves.
                None if resp.status != 401 && counts_against_limit(path) => {
                    lock(&self.shared.state).usage.map(|u| ApiUsage {
                        used: (u.used + 1).min(u.max),
                        ..u
                    })
                }
                None => None,
            };
            if let Some(usage) = usage {
                lock(&self.shared.state).usage = Some(usage);
                self.notify(ClientEvent::ApiUsage(usage));
            }
            // Only Salesforce's own "session expired" answer means the token is stale. Any other
            // 401 (an Apex class setting its own status, a proxy) may follow a write the org
            // already made: sending it again could write twice.
            if resp.status == 401 && !retried && says_session_expired(&resp) {
                retried = true;
                self.refresh_after(generation).await?;
                continue;
            }
            return Ok(resp);
        }
    }

    /// Refreshes the token unless another caller already did since `seen_generation`.
    async fn refresh_after(&self, seen_generation: u64) -> Result<(), Error> {
        let _one_at_a_time = self.shared.refresh.lock().await;
        let req = {
            let st = lock(&self.shared.state);
            if let Some(reason) = &st.ended {
                return Err(Error::SessionEnded {
                    reason: reason.clone(),
                });
            }
            if st.generation != seen_generation {
                return Ok(());
            }
            match &st.session.refresh_token {
                Some(rt) => refresh_request(&st.session.login_url, &st.session.consumer_key, rt),
                None => {
                    drop(st);
                    return Err(self.end_session(
                        "Your session expired and this sign-in has no refresh token; sign in again.".into(),
                    ));
                }
            }
        };
        // A network failure leaves the session as is: the next call may try again.
        let resp = self.transport.send(req).await.map_err(Error::network)?;
        match parse_token_response(resp) {
            Ok(tokens) => {
                let session = {
                    let mut st = lock(&self.shared.state);
                    // Closed meanwhile (only `close` sets this outside a refresh): keep nothing.
                    if let Some(reason) = &st.ended {
                        return Err(Error::SessionEnded {
                            reason: reason.clone(),
                        });
                    }
                    st.session.apply_refresh(tokens);
                    st.generation += 1;
                    st.session.clone()
                };
                self.notify(ClientEvent::SessionRefreshed(session));
                Ok(())
            }
            // A server-side failure (5xx) says nothing about the refresh token: keep the session.
            Err(e) if e.status().is_some_and(|s| s >= 500) => Err(e),
            // The OAuth error already says what happened and what to do ("sign in again").
            Err(e) => Err(self.end_session(e.user_message())),
        }
    }

    fn end_session(&self, reason: String) -> Error {
        lock(&self.shared.state).ended = Some(reason.clone());
        self.notify(ClientEvent::SessionEnded {
            reason: reason.clone(),
        });
        Error::SessionEnded { reason }
    }

    /// Sends a call and maps any non-2xx answer to an [`Error`].
    pub async fn send_checked(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> Result<HttpResponse, Error> {
        let resp = self
            .send_raw(method, path, body.map(|b| b.to_string()), headers)
            .await?;
        map_response(&path_only(path), resp)
    }

    /// Sends a call and decodes a successful JSON answer as `R`.
    pub async fn send_json<R: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<R, Error> {
        let resp = self.send_checked(method, path, body, &[]).await?;
        decode_json(&path_only(path), &resp)
    }

    /// The org's limits (`/limits`); also updates [`Client::api_usage`] from `DailyApiRequests`,
    /// for when the browser cannot read `Sforce-Limit-Info`.
    pub async fn limits(&self) -> Result<BTreeMap<String, Limit>, Error> {
        let path = self.data_path("/limits");
        let limits: BTreeMap<String, Limit> = self.send_json(Method::Get, &path, None).await?;
        if let Some(usage) = ApiUsage::from_limits(&limits) {
            lock(&self.shared.state).usage = Some(usage);
            self.notify(ClientEvent::ApiUsage(usage));
        }
        Ok(limits)
    }
}

/// True when a browser would send `path` (the part before `?`) to the resource it names: no
/// segment is a dot step in any spelling the WHATWG URL parser resolves (`.`, `..`, `%2e`, `.%2E`…),
/// no `\` (read as `/`), and no tab or newline (dropped, so `.\t.` becomes `..`). An encoded
/// slash (`%2F`) stays as it is: external ID values may hold one.
pub(crate) fn stays_put(path: &str) -> bool {
    // Of a full URL, the text after its host, as typed (a URL parser would already resolve steps).
    let path = match path.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => path,
    };
    let route = path.split(['?', '#']).next().unwrap_or_default();
    let lower = route.to_ascii_lowercase();
    if route.chars().any(|c| c.is_control() || c == '\\') {
        return false;
    }
    !lower
        .split('/')
        .map(|seg| seg.replace("%2e", "."))
        .any(|seg| seg == "." || seg == "..")
}

/// True for the REST API's `401 [{"errorCode":"INVALID_SESSION_ID",…}]`.
fn says_session_expired(resp: &HttpResponse) -> bool {
    crate::error::error_from_body("", resp).is_invalid_session()
}

/// Whether a call to `path` counts against the org's daily API allowance: REST and Apex REST calls
/// do; the versions list (`/services/data/`) and the OAuth endpoints do not.
fn counts_against_limit(path: &str) -> bool {
    let p = path_only(path);
    p.contains("/services/apexrest/")
        || p.split("/services/data/")
            .nth(1)
            .is_some_and(|rest| !rest.is_empty())
}

/// The path part of a path-or-URL, without the query (which may hold user data), for errors.
pub(crate) fn path_only(path: &str) -> String {
    let p = match url::Url::parse(path) {
        Ok(u) => u.path().to_string(),
        Err(_) => path.to_string(),
    };
    p.split('?').next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::UserInfo;
    use crate::transport::TransportError;
    use crate::types::{AccessToken, ApiVersion, InstanceUrl, RefreshToken};

    /// A scripted org: accepts one access token; the token endpoint hands out the next one.
    #[derive(Default)]
    struct FakeOrg {
        valid: Mutex<String>,
        refresh_calls: Mutex<u32>,
        refresh_status: Mutex<u16>,
        requests: Mutex<Vec<String>>,
    }

    impl Transport for FakeOrg {
        async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
            lock(&self.requests).push(req.url.clone());
            let reply = |status: u16, body: &str| HttpResponse {
                status,
                headers: vec![("Sforce-Limit-Info".into(), "api-usage=7/100".into())],
                body: body.into(),
            };
            if req.url.ends_with("/services/oauth2/token") {
                let n = {
                    let mut calls = lock(&self.refresh_calls);
                    *calls += 1;
                    *calls
                };
                // Let the other callers run into their own 401s while this refresh is in flight.
                for _ in 0..10 {
                    tokio::task::yield_now().await;
                }
                let status = *lock(&self.refresh_status);
                if status != 200 {
                    return Ok(reply(
                        status,
                        r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#,
                    ));
                }
                let token = format!("T{}", n + 1);
                *lock(&self.valid) = token.clone();
                return Ok(reply(
                    200,
                    &format!(
                        r#"{{"access_token":"{token}","instance_url":"https://acme.my.salesforce.com","id":"x","issued_at":"5"}}"#
                    ),
                ));
            }
            let bearer = format!("Bearer {}", lock(&self.valid));
            if req.header_value("Authorization") == Some(bearer.as_str()) {
                Ok(reply(200, r#"{"totalSize":0,"done":true,"records":[]}"#))
            } else {
                Ok(reply(
                    401,
                    r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
                ))
            }
        }
    }

    fn session(refresh: bool) -> Session {
        let url = InstanceUrl::parse("https://acme.my.salesforce.com").unwrap();
        Session {
            access_token: AccessToken::new("T1"),
            refresh_token: refresh.then(|| RefreshToken::new("R")),
            instance_url: url.clone(),
            login_url: url,
            consumer_key: "key".into(),
            identity_url: String::new(),
            user: UserInfo::default(),
            api_version: ApiVersion::parse("67.0").unwrap(),
            issued_at_ms: None,
        }
    }

    fn expired_org(refresh_status: u16) -> Arc<FakeOrg> {
        let org = Arc::new(FakeOrg::default());
        *lock(&org.valid) = "T0".into();
        *lock(&org.refresh_status) = refresh_status;
        org
    }

    /// An org whose answers carry no readable `Sforce-Limit-Info`, as a browser sees an org that
    /// does not expose the header through CORS.
    struct QuietOrg;

    impl Transport for QuietOrg {
        async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
            let body = if req.url.ends_with("/limits") {
                r#"{"DailyApiRequests":{"Max":100,"Remaining":90}}"#
            } else {
                r#"{"totalSize":0,"done":true,"records":[]}"#
            };
            Ok(HttpResponse {
                status: 200,
                headers: vec![],
                body: body.into(),
            })
        }
    }

    #[tokio::test]
    async fn without_the_limit_header_own_calls_count_on_top_of_the_last_limits_reading() {
        let client = Client::new(Arc::new(QuietOrg), session(false));
        let q = || client.query("SELECT Id FROM Account", None);
        q().await.unwrap();
        assert_eq!(client.api_usage(), None, "nothing is known before /limits");
        client.limits().await.unwrap();
        assert_eq!(client.api_usage(), Some(ApiUsage { used: 10, max: 100 }));
        q().await.unwrap();
        q().await.unwrap();
        assert_eq!(client.api_usage(), Some(ApiUsage { used: 12, max: 100 }));
        // The versions list is free.
        client
            .send_raw(Method::Get, "/services/data/", None, &[])
            .await
            .unwrap();
        assert_eq!(client.api_usage(), Some(ApiUsage { used: 12, max: 100 }));
    }

    #[tokio::test]
    async fn concurrent_calls_share_one_refresh() {
        let org = expired_org(200);
        let client = Client::new(org.clone(), session(true));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        client.subscribe(move |e| lock(&sink).push(e.clone()));
        let calls = (0..10).map(|_| client.query("SELECT Id FROM Account", None));
        for r in futures::future::join_all(calls).await {
            r.unwrap();
        }
        assert_eq!(*lock(&org.refresh_calls), 1);
        assert_eq!(client.session().access_token.secret(), "T2");
        assert_eq!(client.session().issued_at_ms, Some(5));
        let refreshed = lock(&seen)
            .iter()
            .filter(|e| matches!(e, ClientEvent::SessionRefreshed(_)))
            .count();
        assert_eq!(refreshed, 1);
        assert_eq!(client.api_usage(), Some(ApiUsage { used: 7, max: 100 }));
    }

    /// An Apex class that answers 401 itself, after doing its work.
    #[derive(Default)]
    struct OwnUnauthorized {
        requests: Mutex<Vec<String>>,
    }

    impl Transport for OwnUnauthorized {
        async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
            lock(&self.requests).push(format!("{} {}", req.method, req.url));
            Ok(HttpResponse {
                status: 401,
                headers: vec![],
                body: r#"{"message":"not your account"}"#.into(),
            })
        }
    }

    #[tokio::test]
    async fn only_invalid_session_is_refreshed_and_retried_never_another_401() {
        let org = Arc::new(OwnUnauthorized::default());
        let client = Client::new(org.clone(), session(true));
        let resp = client
            .apex_rest(Method::Post, "createAccountRecord", Some("[]".into()))
            .await
            .unwrap();
        assert_eq!(resp.status, 401);
        assert_eq!(
            *lock(&org.requests),
            ["POST https://acme.my.salesforce.com/services/apexrest/createAccountRecord"],
            "sent once, no refresh"
        );
        assert_eq!(client.ended(), None);
    }

    #[tokio::test]
    async fn closing_during_a_refresh_returns_the_new_tokens_and_nothing_is_sent_after() {
        let org = expired_org(200);
        let client = Client::new(org.clone(), session(true));
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        client.subscribe(move |e| lock(&sink).push(e.clone()));
        let call = client.query("SELECT Id FROM Account", None);
        let close = async {
            // Let the call run into its 401 and start the refresh first.
            tokio::task::yield_now().await;
            let closed = client.close().await;
            (closed, lock(&events).len())
        };
        let (_call_in_flight, (closed, events_at_close)) = futures::future::join(call, close).await;
        assert_eq!(*lock(&org.refresh_calls), 1, "the refresh was in flight");
        assert_eq!(
            closed.access_token.secret(),
            "T2",
            "the newest token is the one to revoke"
        );
        assert_eq!(lock(&events).len(), events_at_close, "no event after close");
        let requests = lock(&org.requests).len();
        assert!(client.query("SELECT Id FROM Account", None).await.is_err());
        assert_eq!(
            lock(&org.requests).len(),
            requests,
            "nothing sent after close"
        );
    }

    #[tokio::test]
    async fn every_subscriber_hears_each_event_until_it_unsubscribes() {
        let client = Client::new(expired_org(200), session(true));
        let (a, b) = (Arc::new(Mutex::new(0)), Arc::new(Mutex::new(0)));
        let (sa, sb) = (a.clone(), b.clone());
        client.subscribe(move |e| {
            if matches!(e, ClientEvent::ApiUsage(_)) {
                *lock(&sa) += 1
            }
        });
        let second = client.subscribe(move |e| {
            if matches!(e, ClientEvent::ApiUsage(_)) {
                *lock(&sb) += 1
            }
        });
        client.query("SELECT Id FROM Account", None).await.unwrap();
        let heard = *lock(&a);
        assert!(heard >= 1);
        assert_eq!(*lock(&b), heard);
        client.unsubscribe(second);
        client.query("SELECT Id FROM Account", None).await.unwrap();
        assert!(*lock(&a) > heard);
        assert_eq!(*lock(&b), heard, "no event after unsubscribing");
    }

    #[tokio::test]
    async fn a_rejected_refresh_ends_the_session_once() {
        let org = expired_org(400);
        let client = Client::new(org.clone(), session(true));
        let calls = (0..3).map(|_| client.query("SELECT Id FROM Account", None));
        for r in futures::future::join_all(calls).await {
            assert!(matches!(r, Err(Error::SessionEnded { .. })), "{r:?}");
        }
        assert_eq!(*lock(&org.refresh_calls), 1);
        assert!(client.ended().unwrap().contains("sign in again"));
    }

    #[tokio::test]
    async fn a_server_error_during_refresh_keeps_the_session() {
        let org = expired_org(503);
        let client = Client::new(org.clone(), session(true));
        let err = client
            .query("SELECT Id FROM Account", None)
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(503));
        assert_eq!(client.ended(), None);
        *lock(&org.refresh_status) = 200;
        client.query("SELECT Id FROM Account", None).await.unwrap();
    }

    #[tokio::test]
    async fn no_refresh_token_means_sign_in_again() {
        let client = Client::new(expired_org(200), session(false));
        let err = client
            .query("SELECT Id FROM Account", None)
            .await
            .unwrap_err();
        assert!(
            err.user_message().contains("no refresh token"),
            "{}",
            err.user_message()
        );
    }

    #[tokio::test]
    async fn the_token_is_never_sent_to_another_host() {
        let org = expired_org(200);
        let client = Client::new(org.clone(), session(true));
        for url in [
            "https://evil.example.com/services/data/",
            "https://acme.my.salesforce.com.evil.example/x",
        ] {
            let err = client
                .send_raw(Method::Get, url, None, &[])
                .await
                .unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { what: "path", .. }),
                "{err:?}"
            );
        }
        assert!(lock(&org.requests).is_empty());
    }

    #[tokio::test]
    async fn a_path_with_steps_is_never_sent() {
        let org = expired_org(200);
        let client = Client::new(org.clone(), session(true));
        for path in [
            "/services/data/v67.0/sobjects/Account/Ext__c/..",
            "/services/apexrest/a/%2E%2E/%2e%2e/data/v67.0/limits",
            "https://acme.my.salesforce.com/services/apexrest/../data/v67.0/limits",
            "/services/apexrest/a\\..\\b",
        ] {
            let err = client
                .send_raw(Method::Get, path, None, &[])
                .await
                .unwrap_err();
            assert!(
                matches!(err, Error::InvalidInput { what: "path", .. }),
                "{path}: {err:?}"
            );
        }
        assert!(lock(&org.requests).is_empty());
    }

    #[test]
    fn limit_info_header_variants() {
        assert_eq!(
            ApiUsage::from_header("api-usage=18/5000")
                .unwrap()
                .remaining(),
            4982
        );
        assert_eq!(
            ApiUsage::from_header("api-usage=25/5000; per-app-api-usage=17/250(appName=sample)"),
            Some(ApiUsage {
                used: 25,
                max: 5000
            })
        );
        assert_eq!(
            ApiUsage::from_header("per-app-api-usage=17/250(appName=x); api-usage=3/15000"),
            Some(ApiUsage {
                used: 3,
                max: 15000
            })
        );
        assert_eq!(ApiUsage::from_header("api-usage=garbage"), None);
    }

    #[test]
    fn limits_accept_numbers_and_strings() {
        let limits: BTreeMap<String, Limit> = serde_json::from_str(
            r#"{"DailyApiRequests":{"Max":"5000","Remaining":"4980"},"DataStorageMB":{"Max":5,"Remaining":5}}"#,
        )
        .unwrap();
        assert_eq!(
            ApiUsage::from_limits(&limits),
            Some(ApiUsage {
                used: 20,
                max: 5000
            })
        );
    }

    #[test]
    fn error_paths_drop_the_query() {
        assert_eq!(
            path_only("/services/data/v67.0/query?q=SELECT+secret"),
            "/services/data/v67.0/query"
        );
        assert_eq!(
            path_only("https://x.my.salesforce.com/services/data/?a=1"),
            "/services/data/"
        );
    }
}
