//! Route tests (no sockets) for the OAuth endpoints: authorize pages and redirects, the token
//! grants and their errors, revoke, userinfo, the identity URL and discovery.

mod platform_support;

use axum::http::StatusCode;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use devorg::Config;
use platform_support::*;

fn authorize(params: &[(&str, &str)]) -> axum::http::Request<axum::body::Body> {
    get(&authorize_uri(params))
}

fn base_params(challenge: &str) -> Vec<(&str, &str)> {
    vec![
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("code_challenge", challenge),
        ("state", "xyz 1"),
    ]
}

#[tokio::test]
async fn unknown_client_or_callback_shows_an_error_page_and_never_redirects() {
    let (_, app) = org();
    let (_, challenge) = pkce_pair("a");
    let cases: [(&[(&str, &str)], &str); 3] = [
        (
            &[
                ("response_type", "code"),
                ("client_id", "nope"),
                ("redirect_uri", REDIRECT),
            ],
            "invalid_client_id",
        ),
        (
            &[
                ("response_type", "code"),
                ("client_id", CLIENT_ID),
                ("redirect_uri", "https://evil.example/"),
                ("code_challenge", &challenge),
            ],
            "redirect_uri_mismatch",
        ),
        (
            &[("response_type", "code"), ("client_id", CLIENT_ID)],
            "redirect_uri_missing",
        ),
    ];
    for (params, error) in cases {
        let reply = send(&app, authorize(params)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{error}");
        assert_eq!(reply.header("location"), None, "{error}");
        assert!(reply
            .header("content-type")
            .unwrap()
            .starts_with("text/html"));
        assert!(reply.body.contains(error), "{error}: {}", reply.body);
    }
}

#[tokio::test]
async fn bad_parameters_redirect_back_with_an_error_and_the_state() {
    let (_, app) = org();
    let (_, challenge) = pkce_pair("b");
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            [
                base_params(&challenge),
                vec![("code_challenge_method", "plain")],
            ]
            .concat(),
            "invalid_request",
        ),
        (
            base_params("")
                .into_iter()
                .filter(|(k, _)| *k != "code_challenge")
                .collect(),
            "invalid_request",
        ),
        (
            [base_params(&challenge), vec![("scope", "api chatter_api")]].concat(),
            "invalid_scope",
        ),
        (
            base_params(&challenge)
                .into_iter()
                .map(|(k, v)| {
                    if k == "response_type" {
                        (k, "token")
                    } else {
                        (k, v)
                    }
                })
                .collect(),
            "unsupported_response_type",
        ),
    ];
    for (params, error) in cases {
        let reply = send(&app, authorize(&params)).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{error}: {}", reply.body);
        assert!(reply.header("location").unwrap().starts_with(REDIRECT));
        assert_eq!(reply.location_param("error").as_deref(), Some(error));
        assert_eq!(reply.location_param("state").as_deref(), Some("xyz 1"));
        assert!(reply.location_param("code").is_none());
    }
}

#[tokio::test]
async fn login_page_is_a_labelled_form_and_a_wrong_password_shows_it_again() {
    let (_, app) = org();
    let (_, challenge) = pkce_pair("c");
    let params = [
        base_params(&challenge),
        vec![("login_hint", "admin@devorg.local")],
    ]
    .concat();
    let page = send(&app, authorize(&params)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let html = &page.body;
    assert!(html.contains("<form method=\"post\""));
    assert!(html.contains("<label for=\"username\">Username</label>"));
    assert!(html.contains("id=\"username\" name=\"username\" value=\"admin@devorg.local\""));
    assert!(html.contains("<label for=\"password\">Password</label>"));
    assert!(html.contains("id=\"password\" name=\"pw\""));
    assert!(html.contains(">Log In</button>"));
    let pending = pending_id(html);

    let wrong = send(
        &app,
        form_post(
            "/services/oauth2/authorize/login",
            &[
                ("pending", &pending),
                ("username", "admin@devorg.local"),
                ("pw", "wrong"),
            ],
        ),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.body.contains("role=\"alert\""));
    assert!(wrong
        .body
        .contains("Please check your username and password"));
    assert!(wrong.body.contains("name=\"pw\""));
    assert!(!wrong.body.contains(">Allow</button>"));

    let ok = send(
        &app,
        form_post(
            "/services/oauth2/authorize/login",
            &[
                ("pending", &pending),
                ("username", "ADMIN@devorg.local"),
                ("pw", "devorg"),
            ],
        ),
    )
    .await;
    assert!(ok.body.contains(">Allow</button>"), "{}", ok.body);
    assert!(ok.body.contains(">Deny</button>"));
    assert!(ok.body.contains("Manage user data via APIs"));
}

#[tokio::test]
async fn approving_without_logging_in_or_twice_is_refused() {
    let (_, app) = org();
    let (_, challenge) = pkce_pair("d");
    let page = send(&app, authorize(&base_params(&challenge))).await;
    let pending = pending_id(&page.body);
    let early = send(
        &app,
        form_post(
            "/services/oauth2/authorize/approve",
            &[("pending", &pending), ("decision", "allow")],
        ),
    )
    .await;
    assert_eq!(early.status, StatusCode::FORBIDDEN);
    assert_eq!(early.header("location"), None);

    let reply = authorize_and_allow(&app, &challenge, "api", "st").await;
    assert_eq!(reply.status, StatusCode::FOUND);
    let unknown = send(
        &app,
        form_post(
            "/services/oauth2/authorize/approve",
            &[("pending", "made-up"), ("decision", "allow")],
        ),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body.contains("expired or was already used"));
}

#[tokio::test]
async fn deny_redirects_with_access_denied_and_allow_with_code_and_state() {
    let (_, app) = org();
    let (_, challenge) = pkce_pair("e");
    let page = send(&app, authorize(&base_params(&challenge))).await;
    let pending = pending_id(&page.body);
    send(
        &app,
        form_post(
            "/services/oauth2/authorize/login",
            &[
                ("pending", &pending),
                ("username", "admin@devorg.local"),
                ("pw", "devorg"),
            ],
        ),
    )
    .await;
    let denied = send(
        &app,
        form_post(
            "/services/oauth2/authorize/approve",
            &[("pending", &pending), ("decision", "deny")],
        ),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FOUND);
    assert!(denied.header("location").unwrap().contains(
        "error=access_denied&error_description=end-user+denied+authorization&state=xyz+1"
    ));

    let allowed = authorize_and_allow(&app, &challenge, "api", "state/with?odd&chars").await;
    assert_eq!(allowed.status, StatusCode::FOUND);
    assert_eq!(
        allowed.location_param("state").as_deref(),
        Some("state/with?odd&chars")
    );
    assert!(allowed.location_param("code").is_some());
}

#[tokio::test]
async fn token_response_has_salesforce_fields() {
    let (state, app) = org();
    let json = sign_in(&app).await;
    let base = state.base_url();
    let org_id = &state.org.org_id;
    assert!(json["access_token"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}!", &org_id[..15])));
    assert!(json["refresh_token"].as_str().is_some());
    assert_eq!(json["instance_url"], base);
    assert_eq!(
        json["id"],
        format!("{base}/id/{org_id}/{}", state.org.admin().id)
    );
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["scope"], "api refresh_token");
    let issued_at = json["issued_at"].as_str().expect("issued_at is a string");
    assert!(issued_at.len() >= 13 && issued_at.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        STANDARD
            .decode(json["signature"].as_str().unwrap())
            .unwrap()
            .len(),
        32
    );
    assert!(json.get("expires_in").is_none());
}

/// Salesforce's refresh tokens are not access tokens: no `<org id>!` prefix, `5Aep861…` with
/// letters, digits, `.` and `_` (the REST API guide's web server flow example:
/// `5Aep8614iLM.Dq661ePDmPEgaAW9Oh_L3JKkDpB4xReb54_pZebnUG0h6Sb4KUVDpNtWEofWM39yg==`). The sf CLI
/// relies on it: `sf org login sfdx-url` takes `force://<clientId>:<secret>:<refreshToken>@<host>`
/// and its pattern for the token, `[a-zA-Z0-9._-]+={0,2}`, refuses a `!`.
#[tokio::test]
async fn refresh_tokens_are_shaped_like_salesforce_s() {
    let (_, app) = org();
    let json = sign_in(&app).await;
    let refresh = json["refresh_token"].as_str().unwrap();
    assert!(refresh.starts_with("5Aep861"), "{refresh}");
    assert!(
        refresh.len() >= 80
            && refresh
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_'),
        "{refresh}"
    );
    assert_ne!(refresh, json["access_token"].as_str().unwrap());
}

#[tokio::test]
async fn no_refresh_token_without_the_scope() {
    let (_, app) = org();
    let (verifier, challenge) = pkce_pair("f");
    let code = code_for(&app, &challenge, "api").await;
    let json = exchange(&app, &code, &verifier).await.json();
    assert!(json["access_token"].is_string());
    assert!(json.get("refresh_token").is_none());
    assert_eq!(json["scope"], "api");
}

fn assert_oauth_error(reply: &Reply, error: &str, description: &str) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(
        reply.json(),
        serde_json::json!({"error": error, "error_description": description})
    );
}

#[tokio::test]
async fn code_exchange_errors() {
    let (_, app) = org();
    let (verifier, challenge) = pkce_pair("g");

    let code = code_for(&app, &challenge, "api").await;
    let wrong = exchange(
        &app,
        &code,
        "not-the-verifier-but-long-enough-to-look-real-123",
    )
    .await;
    assert_oauth_error(&wrong, "invalid_grant", "invalid code verifier");
    // A failed attempt uses the code up.
    let after = exchange(&app, &code, &verifier).await;
    assert_oauth_error(&after, "invalid_grant", "expired authorization code");

    let code = code_for(&app, &challenge, "api").await;
    let missing = send(
        &app,
        form_post(
            "/services/oauth2/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", CLIENT_ID),
                ("redirect_uri", REDIRECT),
            ],
        ),
    )
    .await;
    assert_oauth_error(&missing, "invalid_grant", "invalid code verifier");

    let code = code_for(&app, &challenge, "api").await;
    assert_eq!(
        exchange(&app, &code, &verifier).await.status,
        StatusCode::OK
    );
    let reused = exchange(&app, &code, &verifier).await;
    assert_oauth_error(&reused, "invalid_grant", "expired authorization code");

    let code = code_for(&app, &challenge, "api").await;
    let other_redirect = send(
        &app,
        form_post(
            "/services/oauth2/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", CLIENT_ID),
                ("redirect_uri", "http://localhost:8080/"),
                ("code_verifier", &verifier),
            ],
        ),
    )
    .await;
    assert_oauth_error(
        &other_redirect,
        "redirect_uri_mismatch",
        "redirect_uri must match configuration",
    );

    let unknown = exchange(&app, "00Dnotacode", &verifier).await;
    assert_oauth_error(&unknown, "invalid_grant", "expired authorization code");
}

#[tokio::test]
async fn client_and_grant_type_errors() {
    let (_, app) = org();
    let unknown_client = send(
        &app,
        form_post(
            "/services/oauth2/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", "x"),
                ("client_id", "nope"),
            ],
        ),
    )
    .await;
    assert_oauth_error(
        &unknown_client,
        "invalid_client_id",
        "client identifier invalid",
    );

    let public_with_secret = send(
        &app,
        form_post(
            "/services/oauth2/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", "x"),
                ("client_id", CLIENT_ID),
                ("client_secret", "guess"),
            ],
        ),
    )
    .await;
    assert_oauth_error(
        &public_with_secret,
        "invalid_client",
        "invalid client credentials",
    );

    for grant in ["password", ""] {
        let reply = send(
            &app,
            form_post("/services/oauth2/token", &[("grant_type", grant)]),
        )
        .await;
        assert_oauth_error(&reply, "unsupported_grant_type", "grant type not supported");
    }
    let not_a_form = send(&app, form_post("/services/oauth2/token", &[])).await;
    assert_oauth_error(
        &not_a_form,
        "unsupported_grant_type",
        "grant type not supported",
    );
}

#[tokio::test]
async fn refresh_token_grant_and_revocation() {
    let (_, app) = org();
    let json = sign_in(&app).await;
    let refresh = json["refresh_token"].as_str().unwrap();
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
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    let refreshed = refreshed.json();
    let new_access = refreshed["access_token"].as_str().unwrap();
    assert_ne!(new_access, json["access_token"].as_str().unwrap());
    assert!(refreshed.get("refresh_token").is_none());
    assert_eq!(
        send(&app, get_bearer("/services/oauth2/userinfo", new_access))
            .await
            .status,
        StatusCode::OK
    );

    let revoked = send(
        &app,
        form_post("/services/oauth2/revoke", &[("token", refresh)]),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(revoked.body, "");
    // Revoking the refresh token revoked the access tokens issued from it.
    let userinfo = send(&app, get_bearer("/services/oauth2/userinfo", new_access)).await;
    assert_eq!(userinfo.status, StatusCode::FORBIDDEN);
    assert_oauth_error(
        &send(&app, refresh_req()).await,
        "invalid_grant",
        "expired access/refresh token",
    );
}

#[tokio::test]
async fn client_credentials_grant() {
    let (state, app) = org();
    let ok = send(
        &app,
        form_post(
            "/services/oauth2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "devorg-integration"),
                ("client_secret", "devorg-secret"),
            ],
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let json = ok.json();
    assert!(json.get("refresh_token").is_none());
    assert_eq!(json["instance_url"], state.base_url());
    // signature = base64(HMAC-SHA256(secret, id + issued_at)).
    let message = format!(
        "{}{}",
        json["id"].as_str().unwrap(),
        json["issued_at"].as_str().unwrap()
    );
    let expected = STANDARD.encode(devorg::oauth::hmac_sha256(
        b"devorg-secret",
        message.as_bytes(),
    ));
    assert_eq!(json["signature"], expected);
    let token = json["access_token"].as_str().unwrap();
    let me = send(&app, get_bearer("/services/oauth2/userinfo", token)).await;
    assert_eq!(me.json()["preferred_username"], "admin@devorg.local");

    let basic = axum::http::Request::post("/services/oauth2/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .header(
            "authorization",
            format!(
                "Basic {}",
                STANDARD.encode("devorg-integration:devorg-secret")
            ),
        )
        .body(axum::body::Body::from("grant_type=client_credentials"))
        .unwrap();
    assert_eq!(send(&app, basic).await.status, StatusCode::OK);

    let bad_secret = send(
        &app,
        form_post(
            "/services/oauth2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "devorg-integration"),
                ("client_secret", "wrong"),
            ],
        ),
    )
    .await;
    assert_oauth_error(&bad_secret, "invalid_client", "invalid client credentials");
    let public = send(
        &app,
        form_post(
            "/services/oauth2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
            ],
        ),
    )
    .await;
    assert_oauth_error(&public, "invalid_client", "invalid client credentials");
}

#[tokio::test]
async fn revoke_access_token_by_post_and_get_and_unknown_tokens() {
    let (_, app) = org();
    let token = sign_in(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        send(
            &app,
            form_post("/services/oauth2/revoke", &[("token", &token)])
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, get_bearer("/services/oauth2/userinfo", &token))
            .await
            .body,
        "Bad_OAuth_Token"
    );

    let token = sign_in(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let uri = format!(
        "/services/oauth2/revoke?{}",
        encode_form(&[("token", &token)])
    );
    assert_eq!(send(&app, get(&uri)).await.status, StatusCode::OK);

    for body in [vec![("token", token.as_str())], vec![]] {
        let reply = send(&app, form_post("/services/oauth2/revoke", &body)).await;
        assert_oauth_error(
            &reply,
            "unsupported_token_type",
            "this token type is not supported",
        );
    }
}

#[tokio::test]
async fn userinfo_and_identity_url_describe_the_user() {
    let (state, app) = org();
    let json = sign_in(&app).await;
    let token = json["access_token"].as_str().unwrap();
    let base = state.base_url();
    let user = state.org.admin();

    let info = send(
        &app,
        get_bearer("/services/oauth2/userinfo?version=60.0", token),
    )
    .await;
    assert_eq!(info.status, StatusCode::OK);
    let info = info.json();
    assert_eq!(info["sub"], json["id"]);
    assert_eq!(info["user_id"], user.id);
    assert_eq!(info["organization_id"], state.org.org_id);
    assert_eq!(info["preferred_username"], "admin@devorg.local");
    assert_eq!(info["name"], "Devorg Admin");
    assert_eq!(info["urls"]["rest"], format!("{base}/services/data/v60.0/"));

    let id_path = json["id"]
        .as_str()
        .unwrap()
        .strip_prefix(&base)
        .unwrap()
        .to_string();
    let identity = send(&app, get_bearer(&id_path, token)).await;
    assert_eq!(identity.status, StatusCode::OK);
    let identity = identity.json();
    assert_eq!(identity["username"], "admin@devorg.local");
    assert_eq!(identity["display_name"], "Devorg Admin");
    assert_eq!(identity["user_type"], "STANDARD");
    assert_eq!(
        identity["urls"]["query"],
        format!("{base}/services/data/v{{version}}/query/")
    );
    let latest = send(
        &app,
        get_bearer(&format!("{id_path}?version=latest"), token),
    )
    .await
    .json();
    assert_eq!(
        latest["urls"]["sobjects"],
        format!("{base}/services/data/v67.0/sobjects/")
    );

    let other_user = format!("/id/{}/005000000000000AAA", state.org.org_id);
    assert_eq!(
        send(&app, get_bearer(&other_user, token)).await.status,
        StatusCode::NOT_FOUND
    );
    let missing = send(&app, get("/services/oauth2/userinfo")).await;
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (StatusCode::FORBIDDEN, "Missing_OAuth_Token")
    );
    let bad = send(&app, get_bearer(&id_path, "00Dfake!token")).await;
    assert_eq!(
        (bad.status, bad.body.as_str()),
        (StatusCode::FORBIDDEN, "Bad_OAuth_Token")
    );
}

#[tokio::test]
async fn access_tokens_expire_after_the_configured_lifetime() {
    let (_, app) = org_with(Config {
        token_lifetime_secs: 0,
        ..small_config()
    });
    let json = sign_in(&app).await;
    let token = json["access_token"].as_str().unwrap();
    assert_eq!(
        send(&app, get_bearer("/services/oauth2/userinfo", token))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The refresh token outlives the session.
    let refreshed = send(
        &app,
        form_post(
            "/services/oauth2/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", json["refresh_token"].as_str().unwrap()),
                ("client_id", CLIENT_ID),
            ],
        ),
    )
    .await;
    assert_eq!(refreshed.status, StatusCode::OK);
}

#[tokio::test]
async fn discovery_document_lists_the_endpoints() {
    let (state, app) = org();
    let reply = send(&app, get("/.well-known/openid-configuration")).await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    let base = state.base_url();
    assert_eq!(doc["issuer"], base);
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{base}/services/oauth2/authorize")
    );
    assert_eq!(
        doc["token_endpoint"],
        format!("{base}/services/oauth2/token")
    );
    assert_eq!(
        doc["revocation_endpoint"],
        format!("{base}/services/oauth2/revoke")
    );
    assert_eq!(
        doc["userinfo_endpoint"],
        format!("{base}/services/oauth2/userinfo")
    );
}
