//! Route tests (no sockets) for CORS: the REST allowlist with 403 for other origins, the
//! preflight, and the OAuth endpoints' own rules including `--no-oauth-cors`.

mod platform_support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use devorg::Config;
use platform_support::*;

const REST: &str = "/services/data/v67.0/limits";
const OTHER_ORIGIN: &str = "https://evil.example";

fn preflight(path: &str, origin: &str, method: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri(path)
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header(
            "access-control-request-headers",
            "authorization,content-type,sforce-query-options",
        )
        .body(Body::empty())
        .unwrap()
}

fn with_origin(mut req: Request<Body>, origin: &str) -> Request<Body> {
    req.headers_mut().insert("origin", origin.parse().unwrap());
    req
}

fn assert_no_cors(reply: &Reply) {
    for (name, _) in reply.headers.iter() {
        assert!(
            !name.as_str().starts_with("access-control-"),
            "unexpected {name}"
        );
    }
}

#[tokio::test]
async fn rest_preflight_from_an_allowlisted_origin() {
    let (_, app) = org();
    for origin in [APP_ORIGIN, "http://localhost:8080"] {
        let reply = send(&app, preflight(REST, origin, "PATCH")).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header("access-control-allow-origin"), Some(origin));
        assert_eq!(
            reply.header("access-control-allow-methods"),
            Some("HEAD, GET, POST, PUT, PATCH, DELETE")
        );
        assert_eq!(
            reply.header("access-control-allow-headers"),
            Some("authorization,content-type,sforce-query-options")
        );
        assert_eq!(reply.header("access-control-max-age"), Some("86400"));
        assert_eq!(reply.header("vary"), Some("Origin"));
    }
}

#[tokio::test]
async fn rest_from_another_origin_is_refused_with_403() {
    let (state, app) = org();
    let token = state.issue_test_token();
    let pre = send(&app, preflight(REST, OTHER_ORIGIN, "GET")).await;
    assert_eq!(pre.status, StatusCode::FORBIDDEN);
    assert_no_cors(&pre);
    let actual = send(&app, with_origin(get_bearer(REST, &token), OTHER_ORIGIN)).await;
    assert_eq!(actual.status, StatusCode::FORBIDDEN);
    assert_no_cors(&actual);
    let apex = send(
        &app,
        preflight(
            "/services/apexrest/createAccountRecord",
            OTHER_ORIGIN,
            "POST",
        ),
    )
    .await;
    assert_eq!(apex.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn rest_from_an_allowlisted_origin_exposes_the_limit_header() {
    let (state, app) = org();
    let token = state.issue_test_token();
    let reply = send(&app, with_origin(get_bearer(REST, &token), APP_ORIGIN)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
    assert_eq!(
        reply.header("access-control-expose-headers"),
        Some("Sforce-Limit-Info")
    );
    assert!(reply.header("sforce-limit-info").is_some());
}

#[tokio::test]
async fn no_expose_limit_info_keeps_the_header_from_browsers() {
    let (state, app) = org_with(Config {
        no_expose_limit_info: true,
        ..small_config()
    });
    let token = state.issue_test_token();
    let reply = send(&app, with_origin(get_bearer(REST, &token), APP_ORIGIN)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
    assert_eq!(reply.header("access-control-expose-headers"), None);
    // Sent all the same: only a browser's script cannot read it.
    assert!(reply.header("sforce-limit-info").is_some());
}

#[tokio::test]
async fn native_clients_without_origin_pass_untouched() {
    let (state, app) = org();
    let reply = send(&app, get_bearer(REST, &state.issue_test_token())).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_no_cors(&reply);
}

#[tokio::test]
async fn custom_allowlist_with_a_wildcard_pattern() {
    let (state, app) = org_with(Config {
        allowed_origins: vec!["https://*.example.com".into()],
        ..small_config()
    });
    let token = state.issue_test_token();
    let ok = send(
        &app,
        with_origin(get_bearer(REST, &token), "https://app.example.com"),
    )
    .await;
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let default_origin = send(&app, with_origin(get_bearer(REST, &token), APP_ORIGIN)).await;
    assert_eq!(default_origin.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn discovery_is_open_to_any_origin() {
    let (_, app) = org();
    let reply = send(
        &app,
        with_origin(get("/.well-known/openid-configuration"), OTHER_ORIGIN),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(OTHER_ORIGIN)
    );
    let pre = send(
        &app,
        preflight("/.well-known/openid-configuration", OTHER_ORIGIN, "GET"),
    )
    .await;
    assert_eq!(pre.status, StatusCode::OK);
}

#[tokio::test]
async fn userinfo_only_for_allowlisted_origins() {
    let (_, app) = org();
    let token = sign_in(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let ok = send(
        &app,
        with_origin(get_bearer("/services/oauth2/userinfo", &token), APP_ORIGIN),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.header("access-control-allow-origin"), Some(APP_ORIGIN));
    let other = send(
        &app,
        with_origin(
            get_bearer("/services/oauth2/userinfo", &token),
            OTHER_ORIGIN,
        ),
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_no_cors(&other);
    assert_eq!(
        send(
            &app,
            preflight("/services/oauth2/userinfo", APP_ORIGIN, "GET")
        )
        .await
        .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn token_and_revoke_have_cors_while_oauth_cors_is_on() {
    let (_, app) = org();
    for path in ["/services/oauth2/token", "/services/oauth2/revoke"] {
        let pre = send(&app, preflight(path, APP_ORIGIN, "POST")).await;
        assert_eq!(pre.status, StatusCode::OK, "{path}");
        assert_eq!(pre.header("access-control-allow-origin"), Some(APP_ORIGIN));
        assert_eq!(
            send(&app, preflight(path, OTHER_ORIGIN, "POST"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
    let reply = send(
        &app,
        with_origin(
            form_post("/services/oauth2/token", &[("grant_type", "password")]),
            APP_ORIGIN,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
}

#[tokio::test]
async fn no_oauth_cors_turns_token_and_revoke_cors_off() {
    let (_, app) = org_with(Config {
        no_oauth_cors: true,
        ..small_config()
    });
    for path in ["/services/oauth2/token", "/services/oauth2/revoke"] {
        let pre = send(&app, preflight(path, APP_ORIGIN, "POST")).await;
        assert_no_cors(&pre);
        assert_ne!(pre.status, StatusCode::OK, "{path}");
    }
    // The request itself still runs (a browser just cannot read the answer).
    let reply = send(
        &app,
        with_origin(
            form_post(
                "/services/oauth2/token",
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", "devorg-integration"),
                    ("client_secret", "devorg-secret"),
                ],
            ),
            APP_ORIGIN,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_no_cors(&reply);
    // REST and userinfo are unaffected by the OAuth switch.
    assert_eq!(
        send(&app, preflight(REST, APP_ORIGIN, "GET")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn authorize_and_identity_url_never_get_cors() {
    let (state, app) = org();
    let reply = send(
        &app,
        with_origin(get("/services/oauth2/authorize?client_id=x"), APP_ORIGIN),
    )
    .await;
    assert_no_cors(&reply);
    let id = format!("/id/{}/{}", state.org.org_id, state.org.admin().id);
    let reply = send(
        &app,
        with_origin(get_bearer(&id, &state.issue_test_token()), APP_ORIGIN),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_no_cors(&reply);
}
