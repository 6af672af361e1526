//! Browser-only pieces, tested in headless Chromium (`cargo test -p orgbridge --target
//! wasm32-unknown-unknown`): storage, callback handling and the auth state machine. The org is a
//! scripted transport, so each test states exactly what the org answered.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::collections::VecDeque;

use leptos::prelude::*;
use orgbridge::auth::{self, flow, AuthState, SignInRequest, SignedOutReason};
use orgbridge::settings::{OrgKind, Prefs};
use orgbridge::storage::{self, ClientStorage, Key, PREFIX};
use salesforce::oauth::{self, parse_callback, OrgLogin};
use salesforce::storage::KeyValueStore;
use salesforce::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use salesforce::types::InstanceUrl;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Answers requests from a script, in order, and records what was asked.
#[derive(Default)]
struct Scripted {
    answers: RefCell<VecDeque<Result<HttpResponse, TransportError>>>,
    asked: RefCell<Vec<HttpRequest>>,
}

impl Scripted {
    fn new(answers: Vec<Result<HttpResponse, TransportError>>) -> Self {
        Scripted {
            answers: RefCell::new(answers.into()),
            asked: RefCell::default(),
        }
    }
}

impl Transport for Scripted {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let url = req.url.clone();
        self.asked.borrow_mut().push(req);
        self.answers
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| Err(TransportError::new(url, "no scripted answer")))
    }
}

fn ok(status: u16, body: &str) -> Result<HttpResponse, TransportError> {
    Ok(HttpResponse {
        status,
        headers: vec![],
        body: body.into(),
    })
}

const ORG: &str = "http://127.0.0.1:8787";

fn token_body() -> String {
    format!(
        r#"{{"access_token":"00D000000000001!AT","refresh_token":"RT1","instance_url":"{ORG}","id":"{ORG}/id/00D000000000001AAA/005000000000001AAA","token_type":"Bearer","issued_at":"1700000000000","scope":"api refresh_token"}}"#
    )
}

const USERINFO: &str = r#"{"sub":"x","user_id":"005000000000001AAA","organization_id":"00D000000000001AAA","preferred_username":"admin@devorg.local","name":"Ada Admin","email":"admin@devorg.local"}"#;
const VERSIONS: &str = r#"[{"label":"Spring '26","url":"/services/data/v66.0","version":"66.0"},{"label":"Summer '26","url":"/services/data/v67.0","version":"67.0"}]"#;

/// A pending login saved the way the app saves one; returns its state.
fn pending_login() -> String {
    let login = OrgLogin::new(
        InstanceUrl::parse(ORG).unwrap(),
        "orgbridge-local",
        orgbridge::settings::redirect_uri(),
    );
    let (_, pending) = oauth::begin_login(&login, flow::now_ms());
    oauth::save_pending(&ClientStorage, &pending);
    pending.state
}

/// The sessions this tab keeps, whatever their keys.
fn stored_sessions() -> Vec<salesforce::session::Session> {
    let store = session_storage();
    (0..store.length().unwrap())
        .filter_map(|i| store.key(i).unwrap())
        .filter(|k| k.starts_with(&format!("{PREFIX}session.")))
        .filter_map(|k| serde_json::from_str(&store.get_item(&k).unwrap()?).ok())
        .collect()
}

fn session_storage() -> web_sys::Storage {
    web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
}

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

// ---- storage ----

#[wasm_bindgen_test]
fn keys_are_prefixed_and_kept_in_the_right_area() {
    storage::clear_all();
    storage::set(Key::Session("00DA/005A"), "s");
    storage::set(Key::Orgs, "o");
    storage::set(Key::Prefs, "p");
    assert_eq!(
        session_storage()
            .get_item(&format!("{PREFIX}session.00DA/005A"))
            .unwrap()
            .as_deref(),
        Some("s")
    );
    assert_eq!(
        local_storage()
            .get_item(&format!("{PREFIX}prefs"))
            .unwrap()
            .as_deref(),
        Some("p")
    );
    assert_eq!(
        session_storage()
            .get_item(&format!("{PREFIX}prefs"))
            .unwrap(),
        None,
        "prefs never in session storage"
    );
    assert_eq!(
        local_storage()
            .get_item(&format!("{PREFIX}session.00DA/005A"))
            .unwrap(),
        None,
        "tokens never in local storage"
    );
    assert_eq!(
        session_storage()
            .get_item(&format!("{PREFIX}orgs"))
            .unwrap()
            .as_deref(),
        Some("o")
    );
    storage::remove(Key::Session("00DA/005A"));
    assert_eq!(storage::get(Key::Session("00DA/005A")), None);
    storage::clear_all();
}

#[wasm_bindgen_test]
fn clearing_leaves_the_host_pages_keys_alone() {
    session_storage().set_item("host.key", "mine").unwrap();
    storage::set(Key::DevorgUrl, "http://127.0.0.1:1");
    storage::clear_all();
    assert_eq!(storage::get(Key::DevorgUrl), None);
    assert_eq!(
        session_storage().get_item("host.key").unwrap().as_deref(),
        Some("mine")
    );
    session_storage().remove_item("host.key").unwrap();
}

#[wasm_bindgen_test]
fn unreadable_json_counts_as_absent() {
    storage::set(Key::Prefs, "{not json");
    assert_eq!(Prefs::load(), Prefs::default());
    storage::clear_all();
}

#[wasm_bindgen_test]
fn prefs_remember_the_consumer_key_per_org() {
    storage::clear_all();
    let mut prefs = Prefs::load();
    assert_eq!(prefs.kind, OrgKind::Devorg);
    assert_eq!(prefs.consumer_key(OrgKind::Devorg), "orgbridge-local");
    assert_eq!(prefs.consumer_key(OrgKind::Production), "");
    prefs.remember(
        OrgKind::MyDomain,
        "https://acme.my.salesforce.com",
        " 3MVGkey ",
    );
    prefs.save();
    let loaded = Prefs::load();
    assert_eq!(loaded.kind, OrgKind::MyDomain);
    assert_eq!(loaded.my_domain_url, "https://acme.my.salesforce.com");
    assert_eq!(loaded.consumer_key(OrgKind::MyDomain), "3MVGkey");
    assert_eq!(loaded.consumer_key(OrgKind::Devorg), "orgbridge-local");
    storage::clear_all();
}

#[wasm_bindgen_test]
fn pending_logins_live_in_session_storage_under_their_state() {
    storage::clear_all();
    let a = pending_login();
    let b = pending_login();
    assert_ne!(a, b);
    let keys = ClientStorage.keys();
    assert_eq!(keys.len(), 2, "{keys:?}");
    for state in [&a, &b] {
        let name = format!("{PREFIX}client.{}{state}", oauth::PENDING_KEY_PREFIX);
        assert!(
            session_storage().get_item(&name).unwrap().is_some(),
            "{name} missing"
        );
    }
    assert!(oauth::take_pending(&ClientStorage, &a, flow::now_ms()).is_ok());
    assert_eq!(ClientStorage.keys().len(), 1);
    // Fifteen minutes later the other one is swept.
    assert_eq!(
        oauth::sweep_pending(&ClientStorage, flow::now_ms() + 16 * 60 * 1000),
        1
    );
    assert!(ClientStorage.keys().is_empty());
}

// ---- callback handling ----

#[wasm_bindgen_test]
async fn a_code_is_exchanged_once_and_the_session_kept_for_the_tab() {
    storage::clear_all();
    let state = pending_login();
    let org = Scripted::new(vec![
        ok(200, &token_body()),
        ok(200, USERINFO),
        ok(200, VERSIONS),
    ]);
    let callback = parse_callback(&format!("?code=aPrx%3D%3D&state={state}"));
    let session = flow::complete(&org, callback.clone(), flow::now_ms())
        .await
        .unwrap();
    assert_eq!(session.user.name, "Ada Admin");
    assert_eq!(session.api_version.to_string(), "67.0");
    let (url, form) = {
        let asked = org.asked.borrow();
        (asked[0].url.clone(), asked[0].body.clone().unwrap())
    };
    assert_eq!(url, format!("{ORG}/services/oauth2/token"));
    assert!(
        form.contains("code=aPrx%3D%3D") && form.contains("code_verifier="),
        "{form}"
    );
    assert!(!form.contains("client_secret"));
    // Kept by whoever enters it (`Auth::enter`), not by the exchange itself.
    assert!(stored_sessions().is_empty());
    assert!(
        ClientStorage.keys().is_empty(),
        "the verifier is gone after use"
    );

    // The same callback a second time (reload, back button) finds no verifier.
    let again = flow::complete(&Scripted::default(), callback, flow::now_ms())
        .await
        .unwrap_err()
        .message();
    assert!(
        again.contains("already used or was opened in another tab"),
        "{again}"
    );
    storage::clear_all();
}

#[wasm_bindgen_test]
async fn a_state_from_another_tab_or_a_forged_one_is_refused_without_calling_the_org() {
    storage::clear_all();
    pending_login();
    let org = Scripted::default();
    let err = flow::complete(
        &org,
        parse_callback("?code=abc&state=forged"),
        flow::now_ms(),
    )
    .await
    .unwrap_err()
    .message();
    assert!(err.contains("start the sign-in again"), "{err}");
    assert!(
        org.asked.borrow().is_empty(),
        "no token request for an unknown state"
    );
    storage::clear_all();
}

#[wasm_bindgen_test]
async fn a_callback_without_state_is_refused() {
    let err = flow::complete(
        &Scripted::default(),
        parse_callback("?code=abc"),
        flow::now_ms(),
    )
    .await
    .unwrap_err()
    .message();
    assert!(err.contains("state matches no sign-in"), "{err}");
}

#[wasm_bindgen_test]
async fn denying_access_says_so_and_drops_the_pending_login() {
    storage::clear_all();
    let state = pending_login();
    let query = format!(
        "?error=access_denied&error_description=end-user+denied+authorization&state={state}"
    );
    let err = flow::complete(&Scripted::default(), parse_callback(&query), flow::now_ms())
        .await
        .unwrap_err()
        .message();
    assert!(err.contains("chose not to allow"), "{err}");
    assert!(ClientStorage.keys().is_empty());
}

#[wasm_bindgen_test]
async fn an_expired_or_reused_code_asks_to_start_again() {
    storage::clear_all();
    let state = pending_login();
    let org = Scripted::new(vec![ok(
        400,
        r#"{"error":"invalid_grant","error_description":"expired authorization code"}"#,
    )]);
    let err = flow::complete(
        &org,
        parse_callback(&format!("?code=old&state={state}")),
        flow::now_ms(),
    )
    .await
    .unwrap_err()
    .message();
    assert!(err.contains("expired or was already used"), "{err}");
    assert!(stored_sessions().is_empty());
}

#[wasm_bindgen_test]
async fn a_token_endpoint_without_cors_is_named() {
    storage::clear_all();
    // devorg is not running in this test: the probes' no-cors request to 127.0.0.1:9 fails too,
    // so the diagnosis is "nothing answered" — the point is that the user gets the probe's words.
    let login_url = "http://127.0.0.1:9";
    let login = OrgLogin::new(
        InstanceUrl::parse(login_url).unwrap(),
        "orgbridge-local",
        orgbridge::settings::redirect_uri(),
    );
    let (_, pending) = oauth::begin_login(&login, flow::now_ms());
    oauth::save_pending(&ClientStorage, &pending);
    let org = Scripted::new(vec![Err(TransportError::new(
        format!("{login_url}/services/oauth2/token"),
        "Failed to fetch",
    ))]);
    let err = flow::complete(
        &org,
        parse_callback(&format!("?code=c&state={}", pending.state)),
        flow::now_ms(),
    )
    .await
    .unwrap_err()
    .message();
    assert!(err.contains("Nothing answered at 127.0.0.1:9"), "{err}");
}

#[wasm_bindgen_test]
fn popup_messages_are_recognised_and_others_ignored() {
    use orgbridge::auth::popup::CallbackMessage;
    let sent = serde_json::to_string(&CallbackMessage::new("?code=a&state=b")).unwrap();
    assert_eq!(
        CallbackMessage::from_data(&sent).unwrap().query,
        "?code=a&state=b"
    );
    assert_eq!(
        CallbackMessage::from_data(r#"{"kind":"other","query":"?code=a"}"#),
        None
    );
    assert_eq!(CallbackMessage::from_data("hello"), None);
}

#[wasm_bindgen_test]
fn the_redirect_uri_is_the_page_without_query_or_fragment() {
    let uri = orgbridge::settings::redirect_uri();
    let location = web_sys::window().unwrap().location();
    assert_eq!(
        uri,
        format!(
            "{}{}",
            location.origin().unwrap(),
            location.pathname().unwrap()
        )
    );
    assert!(!uri.contains('?') && !uri.contains('#'));
}

// ---- the auth state machine ----

/// A reactive owner for the auth context, with Leptos' task executor running (as `mount` does).
fn reactive_owner() -> Owner {
    // Initialising twice (one test after another) is refused harmlessly.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    Owner::new()
}

/// A whole sign-in against a scripted org: token, userinfo, versions.
async fn sign_in_through(auth: auth::Auth) {
    let state = pending_login();
    let org = Scripted::new(vec![
        ok(200, &token_body()),
        ok(200, USERINFO),
        ok(200, VERSIONS),
    ]);
    auth.finish_with(org, parse_callback(&format!("?code=c&state={state}")))
        .await;
}

/// A sign-in to a second org (another org id and user) against a scripted org.
async fn sign_in_to_another_org(auth: auth::Auth) {
    let state = pending_login();
    let token = token_body()
        .replace("00D000000000001", "00D000000000002")
        .replace("005000000000001", "005000000000002");
    let userinfo = USERINFO
        .replace("00D000000000001", "00D000000000002")
        .replace("005000000000001", "005000000000002")
        .replace("admin@devorg.local", "admin@target.devorg.local");
    let org = Scripted::new(vec![ok(200, &token), ok(200, &userinfo), ok(200, VERSIONS)]);
    auth.finish_with(org, parse_callback(&format!("?code=c2&state={state}")))
        .await;
}

#[wasm_bindgen_test]
async fn signing_in_then_out_moves_through_every_state() {
    storage::clear_all();
    let owner = reactive_owner();
    let auth = owner.with(auth::provide_auth);
    assert!(matches!(
        auth.state.get_untracked(),
        AuthState::Idle { reason: None }
    ));
    assert!(auth.orgs.get_untracked().is_empty());

    sign_in_through(auth).await;
    let Some(signed_in) = auth.active_org() else {
        panic!("expected signed in, got {:?}", auth.state.get_untracked());
    };
    assert_eq!(signed_in.profile.name, "Ada Admin");
    assert_eq!(signed_in.profile.username, "admin@devorg.local");
    assert_eq!(signed_in.profile.org, "00D000000000001AAA");
    assert_eq!(signed_in.profile.api_version, "67.0");
    assert_eq!(stored_sessions().len(), 1);

    // The same org and user signing in again is the same entry, not a second one.
    sign_in_through(auth).await;
    assert_eq!(auth.orgs.get_untracked().len(), 1);
    let signed_in = auth.active_org().unwrap();

    // Sign-out revokes the refresh token, forgets the session and says so.
    let org = Scripted::new(vec![ok(200, "")]);
    auth.sign_out_with(signed_in.key.clone(), &org).await;
    assert!(matches!(
        auth.state.get_untracked(),
        AuthState::Idle {
            reason: Some(SignedOutReason::UserSignedOut(_))
        }
    ));
    assert!(auth.orgs.get_untracked().is_empty());
    assert_eq!(auth.active.get_untracked(), None);
    let revoke = org.asked.borrow()[0].clone();
    assert_eq!(revoke.url, format!("{ORG}/services/oauth2/revoke"));
    assert_eq!(revoke.body.as_deref(), Some("token=RT1"));
    assert!(stored_sessions().is_empty());
    drop(owner);
}

#[wasm_bindgen_test]
async fn a_failed_exchange_is_a_failure_with_words_and_start_again_leaves_it() {
    storage::clear_all();
    let owner = reactive_owner();
    let auth = owner.with(auth::provide_auth);
    let state = pending_login();
    auth.finish_with(
        Scripted::default(),
        parse_callback(&format!("?error=access_denied&state={state}")),
    )
    .await;
    match auth.state.get_untracked() {
        AuthState::Failed(error) => assert!(error.message().contains("choose Allow"), "{error}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    auth.start_again();
    assert!(matches!(
        auth.state.get_untracked(),
        AuthState::Idle { reason: None }
    ));
    drop(owner);
}

#[wasm_bindgen_test]
async fn stored_sessions_are_resumed_and_a_revoked_refresh_token_ends_only_that_org() {
    storage::clear_all();
    let first = reactive_owner();
    let auth = first.with(auth::provide_auth);
    sign_in_through(auth).await;
    sign_in_to_another_org(auth).await;
    assert_eq!(auth.orgs.get_untracked().len(), 2);
    let other_key = auth.active.get_untracked().unwrap();
    drop(first);

    // A new page load in the same tab resumes both orgs from storage, the last one active.
    let owner = reactive_owner();
    let auth = owner.with(auth::provide_auth);
    let orgs = auth.orgs.get_untracked();
    assert_eq!(orgs.len(), 2, "{orgs:?}");
    assert_eq!(
        auth.active.get_untracked().as_deref(),
        Some(other_key.as_str())
    );
    let signed_in = orgs[0].clone();
    assert_eq!(signed_in.login.consumer_key, "orgbridge-local");

    // The first org has revoked the refresh token: a call gets 401, the refresh invalid_grant.
    let scripted = Scripted::new(vec![
        ok(
            401,
            r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
        ),
        ok(
            400,
            r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#,
        ),
    ]);
    let client = salesforce::client::Client::new(&scripted, signed_in.client.session());
    auth::Auth::watch(&client, signed_in.key.clone(), signed_in.ended);
    let err = client
        .send_raw(
            salesforce::transport::Method::Get,
            "/services/data/v67.0/limits",
            None,
            &[],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, salesforce::error::Error::SessionEnded { .. }));
    // Still on its screens (what was typed stays), with the reason to sign in again.
    assert_eq!(auth.orgs.get_untracked().len(), 2);
    let reason = signed_in.ended.get_untracked().expect("the session ended");
    assert!(reason.contains("sign in again"), "{reason}");
    // Only that org's session is forgotten; the other one is untouched.
    let kept = stored_sessions();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].org_key(), other_key);
    assert_eq!(orgs[1].ended.get_untracked(), None);
    drop(owner);
}

#[wasm_bindgen_test]
async fn a_revoke_that_fails_at_sign_out_is_said_not_hidden() {
    storage::clear_all();
    let owner = reactive_owner();
    let auth = owner.with(auth::provide_auth);
    sign_in_through(auth).await;
    sign_in_to_another_org(auth).await;
    let key = auth.orgs.get_untracked()[0].key.clone();
    let org = Scripted::new(vec![ok(
        503,
        r#"{"error":"temporarily_unavailable","error_description":"down"}"#,
    )]);
    auth.sign_out_with(key, &org).await;
    match auth.state.get_untracked() {
        AuthState::Idle {
            reason: Some(SignedOutReason::RevokeFailed(message)),
        } => assert!(!message.is_empty()),
        other => panic!("expected a failed revoke, got {other:?}"),
    }
    // Forgotten here all the same; the other org is still signed in, and now shown.
    let left = auth.orgs.get_untracked();
    assert_eq!(left.len(), 1);
    assert_eq!(auth.active.get_untracked(), Some(left[0].key.clone()));
    assert_eq!(stored_sessions().len(), 1);
    drop(owner);
}

#[wasm_bindgen_test]
fn drafts_are_kept_per_org_user_and_form_and_dropped_when_untouched() {
    use orgbridge::drafts;
    storage::clear_all();
    drafts::keep("00DA/005A", "create", &"typed".to_string(), &String::new());
    drafts::keep(
        "00DA/005A",
        "console.body",
        &"{}".to_string(),
        &String::new(),
    );
    drafts::keep(
        "00DB/005B",
        "create",
        &"other org".to_string(),
        &String::new(),
    );
    assert_eq!(
        drafts::load::<String>("00DA/005A", "create").as_deref(),
        Some("typed")
    );
    assert_eq!(
        session_storage()
            .get_item("orgbridge.draft.00DA/005A/create")
            .unwrap()
            .as_deref(),
        Some("\"typed\"")
    );
    assert!(local_storage()
        .get_item("orgbridge.draft.00DA/005A/create")
        .unwrap()
        .is_none());
    // Back to what the form started with: nothing to keep.
    drafts::keep("00DA/005A", "create", &String::new(), &String::new());
    assert_eq!(drafts::load::<String>("00DA/005A", "create"), None);
    drafts::clear_scope("00DA/005A");
    assert_eq!(drafts::load::<String>("00DA/005A", "console.body"), None);
    assert_eq!(
        drafts::load::<String>("00DB/005B", "create").as_deref(),
        Some("other org")
    );
    storage::clear_all();
}

#[wasm_bindgen_test]
async fn a_bound_draft_is_restored_and_follows_every_change() {
    use orgbridge::drafts;
    storage::clear_all();
    drafts::keep(
        "00DA/005A",
        "upsert.value",
        &"EXT-1".to_string(),
        &String::new(),
    );
    let owner = reactive_owner();
    let value = owner.with(|| {
        let value = RwSignal::new(String::new());
        drafts::bind("00DA/005A", "upsert.value", value, String::new());
        value
    });
    assert_eq!(value.get_untracked(), "EXT-1");
    value.set("EXT-2".into());
    // Effects run on the next tick.
    any_spawner::Executor::tick().await;
    assert_eq!(
        drafts::load::<String>("00DA/005A", "upsert.value").as_deref(),
        Some("EXT-2")
    );
    drop(owner);
    storage::clear_all();
}

#[wasm_bindgen_test]
async fn an_unusable_org_url_fails_before_leaving_the_page() {
    let err = flow::begin(
        &Scripted::default(),
        &SignInRequest {
            login_url: "ftp://x".into(),
            consumer_key: "k".into(),
        },
    )
    .await
    .unwrap_err()
    .message();
    assert!(!err.is_empty());
}

/// A copy run kept in IndexedDB, in chunks of rows and a small progress record per wave, comes
/// back as it was kept, only while unfinished, with its own progress only; it is gone, every
/// record of it, once forgotten.
#[wasm_bindgen_test]
async fn a_copy_run_is_kept_in_indexeddb_until_it_finishes_or_is_forgotten() {
    use orgbridge::sync::kept::{self, Plan, Restored};
    use orgbridge_sync::key::{KeyFrom, MatchKey};
    use orgbridge_sync::preview::{Outcome, Preview, Row};
    use orgbridge_sync::run::{Engine, RecordResult, RunState, Status};

    let source = "00D000000000001AAA/005000000000001AAA";
    let pair = kept::pair(source, "00D000000000002AAA/005000000000002AAA");
    kept::forget(&pair).await;
    assert_eq!(kept::unfinished(&pair).await, Restored::Nothing);
    // 4,500 rows: three chunks.
    let rows = (0..4_500)
        .map(|n| Row {
            source_id: salesforce::types::RecordId::parse(&format!("001{n:012}")).unwrap(),
            name: format!("Acme {n}"),
            key: Some(format!("K{n}")),
            target_id: None,
            target_stamp: None,
            outcome: Outcome::Insert,
            changes: vec![],
            problems: vec![],
            notes: vec![],
            body: Default::default(),
            depth: 0,
        })
        .collect();
    let preview = Preview {
        rows,
        missing_parents: vec![],
        watermark: Some("2026-12-01T10:00:00.000+0000".into()),
    };
    let key = MatchKey {
        target: "Source_Id__c".into(),
        from: KeyFrom::SourceId,
    };
    let plan = Plan::new(
        "run-a".into(),
        &preview,
        key.clone(),
        Engine::Rest,
        1.0,
        None,
    );
    let mut keeper = kept::keep_plan(&pair, &plan, &preview).await.unwrap();
    let mut state = RunState::new(&preview);
    for b in 0..3 {
        for r in state.batches[b].batch.rows.clone() {
            state.results[r] = Some(RecordResult::Failed("refused".into()));
        }
        state.batches[b].status = Status::Done;
    }
    state.batches[3].status = Status::Sent;
    state.calls = 3;
    let write = keeper.next(&state).expect("a wave to keep");
    kept::keep(&pair, &write).await.unwrap();
    keeper.kept(write);
    match kept::unfinished(&pair).await {
        Restored::Run(run) => {
            assert!(run.state == state, "the state as kept");
            assert!(run.preview == preview, "every chunk of rows");
            assert_eq!(run.plan, plan);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(kept::pairs_with(source).await, vec![pair.clone()]);
    assert!(kept::pairs_with("00D000000000009AAA/005000000000009AAA")
        .await
        .is_empty());

    // A new run of the pair starts: A's progress is never B's.
    let b = Plan::new("run-b".into(), &preview, key, Engine::Rest, 2.0, None);
    let mut b_keeper = kept::keep_plan(&pair, &b, &preview).await.unwrap();
    match kept::unfinished(&pair).await {
        Restored::Run(run) => {
            assert_eq!(run.plan.run_id, "run-b");
            assert_eq!(run.state.calls, 0);
            assert_eq!(run.state.batches[0].status, Status::Waiting);
            assert!(run.state.results.iter().all(Option::is_none));
        }
        other => panic!("{other:?}"),
    }

    let mut done = RunState::new(&preview);
    for b in &mut done.batches {
        b.status = Status::Done;
    }
    done.results[0] = Some(RecordResult::Failed("refused".into()));
    let write = b_keeper.next(&done).unwrap();
    kept::keep(&pair, &write).await.unwrap();
    b_keeper.kept(write);
    assert_eq!(
        kept::unfinished(&pair).await,
        Restored::Nothing,
        "a finished run is not offered"
    );
    assert!(!kept::has_plan(&pair).await, "and not kept");
    kept::keep_plan(&pair, &b, &preview).await.unwrap();
    kept::forget(&pair).await;
    assert!(!kept::has_plan(&pair).await);
    assert_eq!(kept::unfinished(&pair).await, Restored::Nothing);
}
