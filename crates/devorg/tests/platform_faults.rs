//! Route tests for the loopback admin API, injected faults and the API allowance
//! (`Sforce-Limit-Info`, REQUEST_LIMIT_EXCEEDED); one socket test for the dropped connection.

mod platform_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use devorg::Config;
use platform_support::*;
use serde_json::json;

const REST: &str = "/services/data/v67.0/limits";

#[tokio::test]
async fn admin_api_answers_only_loopback_peers_without_origin() {
    let (_, app) = org();
    let mut no_peer = admin_post("/__devorg/tokens/revoke", json!({}));
    no_peer.extensions_mut().remove::<ConnectInfo<SocketAddr>>();
    assert_eq!(send(&app, no_peer).await.status, StatusCode::FORBIDDEN);

    let mut remote = admin_post("/__devorg/tokens/revoke", json!({}));
    let peer: SocketAddr = "192.168.1.20:40000".parse().unwrap();
    remote.extensions_mut().insert(ConnectInfo(peer));
    let reply = send(&app, remote).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.body.contains("loopback"));

    let mut from_page = admin_post("/__devorg/tokens/revoke", json!({}));
    from_page
        .headers_mut()
        .insert("origin", "http://127.0.0.1:8080".parse().unwrap());
    assert_eq!(send(&app, from_page).await.status, StatusCode::FORBIDDEN);

    let state = send(&app, from_loopback(get("/__devorg/state"))).await;
    assert_eq!(state.status, StatusCode::OK);
    assert_eq!(state.json()["token_lifetime_secs"], 7200);
}

#[tokio::test]
async fn fail_next_requests_with_503_then_recover() {
    let (state, app) = org();
    let token = state.issue_test_token();
    let set = send(&app, admin_post("/__devorg/fail-next", json!({"count": 2}))).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    // The admin API itself is never faulted.
    assert_eq!(
        send(&app, from_loopback(get("/__devorg/state")))
            .await
            .status,
        StatusCode::OK
    );

    let first = send(&app, get_bearer(REST, &token)).await;
    assert_eq!(first.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(first.json()[0]["errorCode"], "SERVER_UNAVAILABLE");
    let second = send(
        &app,
        form_post("/services/oauth2/token", &[("grant_type", "refresh_token")]),
    )
    .await;
    assert_eq!(second.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(second.json()["error"], "temporarily_unavailable");
    let third = send(&app, get_bearer(REST, &token)).await;
    assert_ne!(third.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn in_process_drop_is_marked_and_bad_admin_input_is_rejected() {
    let (_, app) = org();
    send(
        &app,
        admin_post("/__devorg/fail-next", json!({"count": 1, "mode": "drop"})),
    )
    .await;
    let reply = send(&app, get(REST)).await;
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY);
    assert_eq!(reply.header("x-devorg-fault"), Some("dropped"));

    let bad_mode = send(
        &app,
        admin_post(
            "/__devorg/fail-next",
            json!({"count": 1, "mode": "explode"}),
        ),
    )
    .await;
    assert!(bad_mode.status.is_client_error());
    let unknown_field = send(&app, admin_post("/__devorg/latency", json!({"millis": 5}))).await;
    assert!(unknown_field.status.is_client_error());
}

#[tokio::test]
async fn expire_and_revoke_all_tokens() {
    let (_, app) = org();
    let json = sign_in(&app).await;
    let access = json["access_token"].as_str().unwrap();
    let refresh = json["refresh_token"].as_str().unwrap();
    assert_eq!(
        send(&app, admin_post("/__devorg/tokens/expire", json!({})))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, get_bearer("/services/oauth2/userinfo", access))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let refresh_req = || {
        form_post(
            "/services/oauth2/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("client_id", CLIENT_ID),
            ],
        )
    };
    let refreshed = send(&app, refresh_req()).await;
    assert_eq!(refreshed.status, StatusCode::OK);

    send(&app, admin_post("/__devorg/tokens/revoke", json!({}))).await;
    let after = send(&app, refresh_req()).await;
    assert_eq!(after.json()["error"], "invalid_grant");
    let new_access = refreshed.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        send(&app, get_bearer("/services/oauth2/userinfo", &new_access))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn token_lifetime_changes_at_runtime_and_reset_restores_it() {
    let (state, app) = org();
    send(
        &app,
        admin_post("/__devorg/token-lifetime", json!({"seconds": 0})),
    )
    .await;
    let token = sign_in(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        send(&app, get_bearer("/services/oauth2/userinfo", &token))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let reset = send(&app, admin_post("/__devorg/reset", json!({}))).await;
    assert_eq!(reset.json()["token_lifetime_secs"], 7200);
    let token = state.issue_test_token();
    assert_eq!(
        send(&app, get_bearer("/services/oauth2/userinfo", &token))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn latency_delays_api_calls_but_not_the_admin_api() {
    let (state, app) = org_with(Config {
        latency_ms: 150,
        ..small_config()
    });
    let token = state.issue_test_token();
    let start = Instant::now();
    send(&app, get_bearer("/services/oauth2/userinfo", &token)).await;
    assert!(start.elapsed() >= Duration::from_millis(150));

    // With a minute of latency, the admin API still answers at once (well inside the timeout).
    send(&app, admin_post("/__devorg/latency", json!({"ms": 60_000}))).await;
    let admin = tokio::time::timeout(
        Duration::from_secs(10),
        send(&app, from_loopback(get("/__devorg/state"))),
    )
    .await
    .expect("the admin API is never delayed");
    assert_eq!(admin.json()["latency_ms"], 60_000);
    send(&app, admin_post("/__devorg/latency", json!({"ms": 0}))).await;
    assert_eq!(state.faults.latency(), Duration::ZERO);
}

#[tokio::test]
async fn preflights_are_neither_faulted_nor_counted() {
    let (state, app) = org();
    let token = state.issue_test_token();
    send(&app, admin_post("/__devorg/fail-next", json!({"count": 1}))).await;
    let preflight = axum::http::Request::builder()
        .method("OPTIONS")
        .uri(REST)
        .header("origin", APP_ORIGIN)
        .header("access-control-request-method", "GET")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(send(&app, preflight).await.status, StatusCode::OK);
    assert_eq!(state.usage.used(), 0);
    let actual = send(&app, get_bearer(REST, &token)).await;
    assert_eq!(actual.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn every_counted_call_carries_api_usage_and_the_limit_is_enforced() {
    let (state, app) = org_with(Config {
        api_limit: 2,
        ..small_config()
    });
    let token = state.issue_test_token();
    // A call without a valid session is not counted (but still shows the usage).
    let anonymous = send(&app, get(REST)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.header("sforce-limit-info"), Some("api-usage=0/2"));
    let first = send(&app, get_bearer(REST, &token)).await;
    assert_eq!(first.header("sforce-limit-info"), Some("api-usage=1/2"));
    let apex = send(
        &app,
        get_bearer("/services/apexrest/createAccountRecord", &token),
    )
    .await;
    assert_eq!(apex.header("sforce-limit-info"), Some("api-usage=2/2"));
    // Not counted: the versions list and OAuth.
    let versions = send(&app, get("/services/data/")).await;
    assert_eq!(versions.header("sforce-limit-info"), None);
    assert_eq!(
        send(&app, get_bearer("/services/oauth2/userinfo", &token))
            .await
            .header("sforce-limit-info"),
        None
    );

    let over = send(&app, get_bearer(REST, &token)).await;
    assert_eq!(over.status, StatusCode::FORBIDDEN);
    assert_eq!(over.header("sforce-limit-info"), Some("api-usage=2/2"));
    assert_eq!(
        over.json(),
        json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
    );
    send(&app, admin_post("/__devorg/reset", json!({}))).await;
    assert_eq!(state.usage.used(), 0);
    assert_ne!(
        send(&app, get_bearer(REST, &token)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn exhaust_and_set_api_usage_from_the_admin_api() {
    let (state, app) = org();
    let token = state.issue_test_token();
    let reply = send(&app, admin_post("/__devorg/api-usage/exhaust", json!({}))).await;
    assert_eq!(
        reply.json()["api_usage"],
        json!({"used": 15000, "max": 15000})
    );
    assert_eq!(
        send(&app, get_bearer(REST, &token)).await.json()[0]["errorCode"],
        "REQUEST_LIMIT_EXCEEDED"
    );
    send(
        &app,
        admin_post("/__devorg/api-usage", json!({"used": 10, "max": 100})),
    )
    .await;
    let ok = send(&app, get_bearer(REST, &token)).await;
    assert_eq!(ok.header("sforce-limit-info"), Some("api-usage=11/100"));
}

#[tokio::test]
async fn collection_failures_are_stored_for_the_next_collections_call() {
    let (state, app) = org();
    let reply = send(
        &app,
        admin_post("/__devorg/collection-failures", json!({"indexes": [0, 2]})),
    )
    .await;
    assert_eq!(reply.json()["collection_failures"], json!([0, 2]));
    assert_eq!(state.faults.take_collection_failures(), vec![0, 2]);
    assert!(state.faults.take_collection_failures().is_empty());
}

#[tokio::test]
async fn a_dropped_connection_gives_no_http_response() {
    let org = devorg::spawn(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..small_config()
    })
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let set = client
        .post(format!("{}/__devorg/fail-next", org.url))
        .json(&json!({"count": 1, "mode": "drop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let err = client
        .get(format!("{}{REST}", org.url))
        .send()
        .await
        .expect_err("the connection is closed without a response");
    assert!(!err.is_status(), "{err}");
    // The org keeps serving afterwards.
    let versions = client
        .get(format!("{}/.well-known/openid-configuration", org.url))
        .send()
        .await
        .unwrap();
    assert_eq!(versions.status(), 200);
}

#[tokio::test]
async fn drop_after_write_does_the_write_and_cuts_its_answer_short() {
    let org = devorg::spawn(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..small_config()
    })
    .await
    .unwrap();
    let before = org.state.store.read().len();
    let client = reqwest::Client::new();
    let set = client
        .post(format!("{}/__devorg/fail-next", org.url))
        .json(&json!({"count": 1, "mode": "drop_after_write"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let err = client
        .post(format!("{}/services/data/v60.0/sobjects/Account/", org.url))
        .bearer_auth(org.state.issue_test_token())
        .json(&json!({"Name": "Written, never told"}))
        .send()
        .await
        .expect("the head of the answer arrives")
        .text()
        .await
        .expect_err("the answer is cut short");
    assert!(!err.is_status(), "{err}");
    assert_eq!(
        org.state.store.read().len(),
        before + 1,
        "the account was created"
    );
}
