//! Every GET resource answers the same with and without a trailing slash, as Salesforce's do
//! (simple_salesforce asks for `limits/`), in-process (no sockets).

mod platform_support;

use axum::http::StatusCode;
use platform_support::*;

const V: &str = "/services/data/v60.0";

/// `path` and `path/` (a `?query` kept after the slash) answer with the same status.
async fn same_with_slash(app: &axum::Router, path: &str, token: &str) -> StatusCode {
    let (bare, query) = path.split_once('?').map_or((path, ""), |(p, q)| (p, q));
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let plain = send(app, from_loopback(get_bearer(path, token))).await;
    let slashed = send(
        app,
        from_loopback(get_bearer(&format!("{bare}/{query}"), token)),
    )
    .await;
    assert_eq!(
        plain.status, slashed.status,
        "{path}: {} vs {}/: {}",
        plain.body, bare, slashed.body
    );
    plain.status
}

#[tokio::test]
async fn every_get_resource_answers_with_and_without_a_trailing_slash() {
    let (state, app) = org();
    let token = state.issue_test_token();
    let account = state.store.read().accounts().next().unwrap().id.clone();
    let (org_id, user_id) = (state.org.org_id.clone(), state.org.admin().id.clone());
    let authorize = authorize_uri(&[
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("code_challenge", &pkce_pair("slash").1),
    ]);
    let ok = [
        "/services/data".to_string(),
        V.to_string(),
        format!("{V}/limits"),
        format!("{V}/sobjects"),
        format!("{V}/sobjects/Account"),
        format!("{V}/sobjects/Account/describe"),
        format!("{V}/sobjects/User/describe"),
        format!("{V}/sobjects/Account/{account}"),
        format!("{V}/sobjects/Account/{account}?fields=Name"),
        format!("{V}/sobjects/Account/External_Id__c/EXT-000001"),
        format!("{V}/query?q=SELECT+Id+FROM+Account"),
        format!("{V}/queryAll?q=SELECT+Id+FROM+Account"),
        format!("{V}/composite/sobjects/Account?ids={account}&fields=Name"),
        "/services/oauth2/userinfo".to_string(),
        format!("/id/{org_id}/{user_id}"),
        "/.well-known/openid-configuration".to_string(),
        authorize,
        "/__devorg/state".to_string(),
    ];
    for path in &ok {
        assert_eq!(
            same_with_slash(&app, path, &token).await,
            StatusCode::OK,
            "{path}"
        );
    }
    // Errors are the same errors.
    for (path, status) in [
        (format!("{V}/nothing"), StatusCode::NOT_FOUND),
        (
            format!("{V}/query/01gnotalocator-2000"),
            StatusCode::BAD_REQUEST,
        ),
        (format!("{V}/sobjects/Contact"), StatusCode::NOT_FOUND),
        (
            "/services/data/v20.0/limits".to_string(),
            StatusCode::NOT_FOUND,
        ),
        (
            "/services/apexrest/createAccountRecord".to_string(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            "/services/apexrest/no/such/class".to_string(),
            StatusCode::NOT_FOUND,
        ),
    ] {
        assert_eq!(same_with_slash(&app, &path, &token).await, status, "{path}");
    }
}
