//! Hostile input through the routes, in-process (no sockets): whatever a client sends, the org answers
//! with Salesforce's error and keeps running — no stack overflow, no unbounded lock or memory.

mod platform_support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use platform_support::*;

const V: &str = "/services/data/v60.0";

/// Runs `test` on a fresh thread with the default 2 MB test stack and a current-thread runtime, so
/// a handler that recurses without bound really overflows (and aborts the test binary) instead of
/// living on a bigger stack by luck.
fn on_default_stack<F>(test: impl FnOnce() -> F + Send + 'static)
where
    F: std::future::Future<Output = ()>,
{
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(test())
        })
        .unwrap()
        .join()
        .unwrap();
}

/// `GET /query?q=` with the statement written raw: `(`, `)`, `'` and `=` are legal in a query string
/// and `+` is a space, so deep nesting fits in the URI (the `http` crate caps a URI at 64 KiB).
async fn query(app: &axum::Router, token: &str, soql: &str) -> Reply {
    let raw = soql.replace(' ', "+");
    send(app, get_bearer(&format!("{V}/query?q={raw}"), token)).await
}

fn only_error(reply: &Reply) -> (String, String) {
    let body = reply.json();
    let items = body.as_array().expect("an error array");
    assert_eq!(items.len(), 1, "{body}");
    (
        items[0]["errorCode"].as_str().unwrap().to_string(),
        items[0]["message"].as_str().unwrap().to_string(),
    )
}

#[test]
fn deeply_nested_conditions_are_malformed_not_a_crash() {
    on_default_stack(|| async {
        let (state, app) = org();
        let token = state.issue_test_token();
        let depth = 30_000;
        let parens = format!(
            "SELECT Id FROM Account WHERE {}Name = 'x'{}",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let nots = format!(
            "SELECT Id FROM Account WHERE {}Name = 'x'",
            "NOT ".repeat(15_000)
        );
        for soql in [parens, nots] {
            assert!(soql.len() < 65_000);
            let reply = query(&app, &token, &soql).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
            let (code, message) = only_error(&reply);
            assert_eq!(code, "MALFORMED_QUERY");
            assert!(message.contains("nested"), "{message}");
        }
        // Reasonable nesting still works, and the org is still up.
        let soql = format!(
            "SELECT Id FROM Account WHERE {}Name != null{}",
            "(NOT ".repeat(20),
            ")".repeat(20)
        );
        let reply = query(&app, &token, &soql).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    });
}

/// Salesforce's documented SOQL statement limit. Over GET the URI limit comes first (64 KiB here,
/// 16,384 bytes at Salesforce), so this is checked where every statement goes: `soql::parse`.
#[test]
fn statements_longer_than_100000_characters_are_malformed() {
    let head = "SELECT Id FROM Account WHERE Name != ";
    // Counted in characters, not bytes: 'é' is two bytes.
    let fill = 100_000 - head.chars().count() - 2;
    let at_limit = format!("{head}'{}'", "é".repeat(fill));
    assert_eq!(at_limit.chars().count(), 100_000);
    assert!(devorg::soql::parse(&at_limit).is_ok());

    let over = format!("{head}'{}'", "é".repeat(fill + 1));
    let err = devorg::soql::parse(&over).unwrap_err();
    assert_eq!(err.error_code(), "MALFORMED_QUERY");
    assert!(err.message().contains("100,000"), "{}", err.message());
    // Refused before any work: garbage that long gets the length error, not a syntax error.
    let err = devorg::soql::parse(&"(".repeat(100_001)).unwrap_err();
    assert!(err.message().contains("100,000"), "{}", err.message());
}

fn accounts_in_store(state: &devorg::AppState) -> usize {
    state.store.read().accounts().count()
}

fn apex_rows(n: usize) -> String {
    let rows: Vec<serde_json::Value> = (0..n)
        .map(|i| serde_json::json!({"Name": format!("Bulk {i}"), "Industry": "Energy"}))
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// Apex's DML row governor limit: 10,000 rows a transaction. The 10,001st row throws a
/// `System.LimitException`, which Apex code cannot catch, so the class's own "Failure" never
/// runs and Apex REST answers 500 APEX_ERROR — decided before the store's write lock is taken.
#[test]
fn create_account_record_refuses_more_than_10000_rows_without_locking_the_store() {
    let (state, app) = org();
    let token = state.issue_test_token();
    let before = accounts_in_store(&state);
    let request = |rows: usize| {
        axum::http::Request::post("/services/apexrest/createAccountRecord")
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "application/json")
            .body(axum::body::Body::from(apex_rows(rows)))
            .unwrap()
    };

    // A reader holds the store throughout: a handler that wanted the write lock would hang.
    let reader = state.store.read();
    let (tx, rx) = std::sync::mpsc::channel();
    let (app2, req) = (app.clone(), request(10_001));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _ = tx.send(rt.block_on(send(&app2, req)));
    });
    let reply = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("answered without waiting for the store's write lock");
    drop(reader);
    assert_eq!(
        reply.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        reply.body
    );
    let (code, message) = only_error(&reply);
    assert_eq!(code, "APEX_ERROR");
    assert!(
        message.starts_with(
            "System.LimitException: Too many DML rows: 10001\n\nClass.createAccountRecord.createAccount: line "
        ),
        "{message}"
    );
    assert_eq!(accounts_in_store(&state), before, "nothing inserted");

    // The limit itself is fine, in one transaction.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let reply = rt.block_on(send(&app, request(10_000)));
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json(), "Success");
    assert_eq!(accounts_in_store(&state), before + 10_000);
}

fn client_credentials() -> Request<Body> {
    form_post(
        "/services/oauth2/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", devorg::config::INTEGRATION_CLIENT_ID),
            ("client_secret", devorg::config::INTEGRATION_CLIENT_SECRET),
        ],
    )
}

/// A client that asks for a token before every call (or a loop gone wrong) must not grow the
/// org's memory: each app and user keeps at most `MAX_GRANTS_PER_APP_USER` live access tokens,
/// the oldest evicted first.
#[tokio::test]
async fn a_client_credentials_loop_keeps_the_token_store_bounded() {
    let (state, app) = org();
    let mut first = None;
    let mut last = String::new();
    for _ in 0..50_000 {
        let reply = send(&app, client_credentials()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        last = reply.json()["access_token"].as_str().unwrap().to_string();
        first.get_or_insert_with(|| last.clone());
    }
    let counts = state.tokens.lock().counts();
    assert!(
        counts.access <= devorg::tokens::MAX_GRANTS_PER_APP_USER,
        "{counts:?}"
    );
    let limits = |token: &str| send(&app, get_bearer(&format!("{V}/limits"), token));
    assert_eq!(limits(&last).await.status, StatusCode::OK);
    assert_eq!(
        limits(first.as_deref().unwrap()).await.status,
        StatusCode::UNAUTHORIZED,
        "the oldest token was evicted"
    );
}

/// Codes nobody redeemed and access tokens past their lifetime are dropped by a sweep; refresh
/// tokens (valid until revoked) stay.
#[tokio::test]
async fn expired_codes_and_access_tokens_are_swept() {
    let (state, app) = org();
    let (_, challenge) = pkce_pair("sweep");
    let _unredeemed = code_for(&app, &challenge, "api refresh_token").await;
    let tokens = sign_in(&app).await;
    let counts = || {
        let c = state.tokens.lock().counts();
        (c.codes, c.access, c.refresh)
    };
    assert_eq!(counts(), (1, 1, 1));
    let later = std::time::Instant::now()
        + devorg::tokens::CODE_LIFETIME
        + std::time::Duration::from_secs(state.config.token_lifetime_secs);
    state.tokens.lock().sweep(later);
    assert_eq!(counts(), (0, 0, 1), "codes, access, refresh");
    // The refresh token still gets a new access token.
    let reply = send(
        &app,
        form_post(
            "/services/oauth2/token",
            &[
                ("grant_type", "refresh_token"),
                ("client_id", CLIENT_ID),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ],
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}
