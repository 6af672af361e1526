//! OAuth web-server flow with PKCE against devorg: sign-in, bad paths, refresh, revoke.

use futures::future::join_all;
use salesforce::oauth::{
    begin_login, begin_login_with, finish_login, parse_token_response, save_pending, token_request,
    Callback,
};
use salesforce::storage::{KeyValueStore, MemoryStore};
use salesforce::transport::Transport;
use salesforce::{Client, Error};

use crate::common::*;

#[tokio::test]
async fn full_pkce_sign_in_gives_a_working_session() {
    let org = spawn_org().await;
    let session = sign_in(&org).await;
    assert_eq!(session.user.username, "admin@devorg.local");
    assert!(!session.user.name.is_empty());
    assert!(
        session.refresh_token.is_some(),
        "refresh_token scope granted"
    );
    assert_eq!(session.instance_url.as_str(), org.url);
    // The version is the newest devorg lists, not a constant.
    let versions = Reqwest::new()
        .send(salesforce::oauth::versions_request(&session.instance_url))
        .await
        .unwrap();
    assert_eq!(
        salesforce::oauth::parse_newest_version(versions).unwrap(),
        session.api_version
    );
    let client = Client::new(Reqwest::new(), session);
    let page = client
        .query("SELECT Id, Name FROM Account", None)
        .await
        .unwrap();
    assert!(page.total_size > 0);
}

#[tokio::test]
async fn a_callback_used_twice_or_in_another_tab_is_refused() {
    let org = spawn_org().await;
    let store = MemoryStore::new();
    let (url, pending) = begin_login(&org_login(&org), now_ms());
    save_pending(&store, &pending);
    let callback = authorize(&org, &url, true).await;
    let again = callback.clone();
    finish_login(&Reqwest::new(), &store, callback, now_ms())
        .await
        .unwrap()
        .unwrap();
    let err = finish_login(&Reqwest::new(), &store, again.clone(), now_ms())
        .await
        .unwrap_err();
    assert_eq!(err, Error::UnknownLoginState);
    assert_eq!(
        err.user_message(),
        "This sign-in link was already used or was opened in another tab; start the sign-in again."
    );
    // Another tab has its own (empty) storage: same answer.
    let other_tab = MemoryStore::new();
    assert_eq!(
        finish_login(&Reqwest::new(), &other_tab, again, now_ms()).await,
        Err(Error::UnknownLoginState)
    );
}

#[tokio::test]
async fn denying_access_says_so_and_clears_the_pending_login() {
    let org = spawn_org().await;
    let store = MemoryStore::new();
    let (url, pending) = begin_login(&org_login(&org), now_ms());
    save_pending(&store, &pending);
    let callback = authorize(&org, &url, false).await;
    assert!(matches!(&callback, Callback::Error { error, .. } if error == "access_denied"));
    let err = finish_login(&Reqwest::new(), &store, callback, now_ms())
        .await
        .unwrap_err();
    assert!(
        err.user_message().contains("choose Allow"),
        "{}",
        err.user_message()
    );
    assert!(store.keys().is_empty(), "verifier removed");
}

#[tokio::test]
async fn a_reused_code_and_a_wrong_verifier_are_refused_with_words() {
    let org = spawn_org().await;
    let t = Reqwest::new();
    let login = org_login(&org);
    let (url, pending) = begin_login(&login, now_ms());
    let Callback::Code { code, state } = authorize(&org, &url, true).await else {
        panic!("expected a code")
    };
    // Same state, different verifier: what an attacker holding only the code would send.
    let (_, forged) = begin_login_with(
        &login,
        oauth2::PkceCodeVerifier::new("x".repeat(64)),
        state,
        now_ms(),
    );
    let err =
        parse_token_response(t.send(token_request(&forged, &code)).await.unwrap()).unwrap_err();
    assert_eq!(err.error_code(), Some("invalid_grant"));
    assert!(
        err.user_message().contains("start the sign-in again"),
        "{}",
        err.user_message()
    );

    let (url, pending2) = begin_login(&login, now_ms());
    let Callback::Code { code, .. } = authorize(&org, &url, true).await else {
        panic!("expected a code")
    };
    parse_token_response(t.send(token_request(&pending2, &code)).await.unwrap()).unwrap();
    let err =
        parse_token_response(t.send(token_request(&pending2, &code)).await.unwrap()).unwrap_err();
    assert_eq!(err.error_code(), Some("invalid_grant"));
    assert_eq!(
        err.user_message(),
        "The sign-in code expired or was already used; start the sign-in again."
    );
    drop(pending);
}

#[tokio::test]
async fn a_wrong_consumer_key_is_named() {
    let org = spawn_org().await;
    let mut login = org_login(&org);
    login.consumer_key = "not-a-key".into();
    let (_, pending) = begin_login(&login, now_ms());
    let resp = Reqwest::new()
        .send(token_request(
            &pending,
            &salesforce::types::AuthorizationCode::new("x"),
        ))
        .await
        .unwrap();
    let err = parse_token_response(resp).unwrap_err();
    assert!(err.user_message().contains("consumer key"), "{err:?}");
}

#[tokio::test]
async fn an_unreachable_org_names_its_host() {
    // Bind then drop a listener: a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let org = spawn_org().await;
    let mut session = sign_in(&org).await;
    session.instance_url =
        salesforce::types::InstanceUrl::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let client = Client::new(Reqwest::new(), session);
    let err = client.limits().await.unwrap_err();
    assert!(matches!(err, Error::Network { .. }));
    assert!(
        err.user_message()
            .starts_with(&format!("Could not reach 127.0.0.1:{port}. Check the URL")),
        "{}",
        err.user_message()
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_for_concurrent_calls() {
    let org = spawn_org().await;
    let session = sign_in(&org).await;
    let old_token = session.access_token.clone();
    let client = Client::new(Reqwest::new(), session);
    let events = Events::default();
    events.attach(&client);
    admin(&org, "tokens/expire", serde_json::json!({})).await;

    let calls = (0..5).map(|_| client.query("SELECT Id FROM Account LIMIT 1", None));
    for result in join_all(calls).await {
        assert_eq!(result.unwrap().records.len(), 1);
    }
    assert_eq!(events.refreshes(), 1, "one refresh shared by five calls");
    assert_ne!(
        client.session().access_token,
        old_token,
        "the new token is kept"
    );
    assert!(events.ended().is_empty());
}

#[tokio::test]
async fn a_revoked_refresh_token_ends_the_session_with_a_reason() {
    let org = spawn_org().await;
    let client = Client::new(Reqwest::new(), sign_in(&org).await);
    let events = Events::default();
    events.attach(&client);
    admin(&org, "tokens/revoke", serde_json::json!({})).await;

    let err = client
        .query("SELECT Id FROM Account", None)
        .await
        .unwrap_err();
    let Error::SessionEnded { reason } = &err else {
        panic!("expected SessionEnded, got {err:?}")
    };
    assert!(reason.contains("sign in again"), "{reason}");
    assert_eq!(events.ended(), vec![reason.clone()]);
    // Later calls fail the same way without asking the org again.
    let again = client.limits().await.unwrap_err();
    assert!(matches!(again, Error::SessionEnded { .. }));
    assert_eq!(events.ended().len(), 1);
}

#[tokio::test]
async fn sign_out_revokes_the_tokens() {
    let org = spawn_org().await;
    let session = sign_in(&org).await;
    salesforce::oauth::revoke(&Reqwest::new(), &session)
        .await
        .unwrap();
    // Revoking twice is still a successful sign-out.
    salesforce::oauth::revoke(&Reqwest::new(), &session)
        .await
        .unwrap();
    let client = Client::new(Reqwest::new(), session);
    assert!(matches!(
        client.limits().await,
        Err(Error::SessionEnded { .. })
    ));
}
