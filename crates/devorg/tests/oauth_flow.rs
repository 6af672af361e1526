//! The whole web server flow with PKCE over real HTTP, as a browser and the OrgBridge app drive it:
//! authorize page → login form → Allow → callback with code → token exchange with the verifier →
//! userinfo → refresh → revoke; plus the ways it must fail (wrong verifier, reused code, wrong
//! redirect_uri, expired session).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use devorg::{Config, RunningOrg};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};

const CLIENT_ID: &str = "orgbridge-local";
const REDIRECT: &str = "http://127.0.0.1:8080/";

async fn start() -> (RunningOrg, Client) {
    let org = devorg::spawn(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        accounts: 3,
        ..Config::default()
    })
    .await
    .expect("devorg starts on a free port");
    // Redirects are not followed: the test plays the browser and reads each Location itself.
    let client = Client::builder().redirect(Policy::none()).build().unwrap();
    (org, client)
}

fn pkce() -> (String, String) {
    use rand::distributions::{Alphanumeric, DistString};
    let verifier = Alphanumeric.sample_string(&mut rand::thread_rng(), 64);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn hidden_pending(html: &str) -> String {
    let marker = "name=\"pending\" value=\"";
    let start = html.find(marker).expect("hidden pending field") + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_string()
}

fn query_param(location: &str, key: &str) -> Option<String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// Browser part: opens the authorize URL, logs in, clicks Allow; returns the callback URL.
async fn browser_login(org: &RunningOrg, client: &Client, challenge: &str, state: &str) -> String {
    let authorize = url::Url::parse_with_params(
        &format!("{}/services/oauth2/authorize", org.url),
        &[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("scope", "api refresh_token"),
            ("state", state),
        ],
    )
    .unwrap();
    let page = client.get(authorize).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"pw\"") && html.contains(">Log In</button>"));
    let pending = hidden_pending(&html);

    let wrong = client
        .post(format!("{}/services/oauth2/authorize/login", org.url))
        .form(&[
            ("pending", pending.as_str()),
            ("username", "admin@devorg.local"),
            ("pw", "nope"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(wrong.contains("Please check your username and password"));

    let approval = client
        .post(format!("{}/services/oauth2/authorize/login", org.url))
        .form(&[
            ("pending", pending.as_str()),
            ("username", "admin@devorg.local"),
            ("pw", "devorg"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(approval.contains(">Allow</button>"));
    let callback = client
        .post(format!("{}/services/oauth2/authorize/approve", org.url))
        .form(&[("pending", pending.as_str()), ("decision", "allow")])
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), StatusCode::FOUND);
    callback.headers()["location"].to_str().unwrap().to_string()
}

async fn token_request(
    org: &RunningOrg,
    client: &Client,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let resp = client
        .post(format!("{}/services/oauth2/token", org.url))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

async fn exchange(
    org: &RunningOrg,
    client: &Client,
    code: &str,
    verifier: &str,
    redirect: &str,
) -> (StatusCode, Value) {
    token_request(
        org,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", CLIENT_ID),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ],
    )
    .await
}

async fn userinfo(org: &RunningOrg, client: &Client, token: &str) -> reqwest::Response {
    client
        .get(format!("{}/services/oauth2/userinfo", org.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// An authenticated REST call: `GET /services/data/v67.0/limits`.
async fn rest_limits(org: &RunningOrg, client: &Client, token: &str) -> reqwest::Response {
    client
        .get(format!("{}/services/data/v67.0/limits", org.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn whole_pkce_flow_over_http() {
    let (org, client) = start().await;
    let (verifier, challenge) = pkce();
    let callback = browser_login(&org, &client, &challenge, "st-1").await;
    assert!(callback.starts_with(REDIRECT));
    assert_eq!(query_param(&callback, "state").as_deref(), Some("st-1"));
    let code = query_param(&callback, "code").expect("code in callback");

    let (status, tokens) = exchange(&org, &client, &code, &verifier, REDIRECT).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["instance_url"], org.url);
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let me = userinfo(&org, &client, access).await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["preferred_username"], "admin@devorg.local");
    assert_eq!(me["organization_id"], org.state.org.org_id);

    // The token works on the REST API at instance_url, which counts the call.
    let limits = rest_limits(&org, &client, access).await;
    assert_eq!(limits.status(), StatusCode::OK);
    assert_eq!(limits.headers()["sforce-limit-info"], "api-usage=1/15000");

    let (status, refreshed) = token_request(
        &org,
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", CLIENT_ID),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let new_access = refreshed["access_token"].as_str().unwrap();
    assert_eq!(
        userinfo(&org, &client, new_access).await.status(),
        StatusCode::OK
    );

    let revoke = client
        .post(format!("{}/services/oauth2/revoke", org.url))
        .form(&[("token", refresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::OK);
    assert_eq!(
        userinfo(&org, &client, new_access).await.status(),
        StatusCode::FORBIDDEN
    );
    let (status, err) = token_request(
        &org,
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", CLIENT_ID),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error_description"], "expired access/refresh token");
}

#[tokio::test]
async fn wrong_verifier_reused_code_and_wrong_redirect_uri_fail() {
    let (org, client) = start().await;
    let (verifier, challenge) = pkce();

    let code = query_param(&browser_login(&org, &client, &challenge, "a").await, "code").unwrap();
    let (status, err) = exchange(
        &org,
        &client,
        &code,
        "the-wrong-verifier-0000000000000000000000000000",
        REDIRECT,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        err,
        serde_json::json!({"error": "invalid_grant", "error_description": "invalid code verifier"})
    );

    let code = query_param(&browser_login(&org, &client, &challenge, "b").await, "code").unwrap();
    let (status, _) = exchange(&org, &client, &code, &verifier, REDIRECT).await;
    assert_eq!(status, StatusCode::OK);
    let (status, err) = exchange(&org, &client, &code, &verifier, REDIRECT).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error_description"], "expired authorization code");

    let code = query_param(&browser_login(&org, &client, &challenge, "c").await, "code").unwrap();
    let (status, err) = exchange(&org, &client, &code, &verifier, "http://localhost:8080/").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["error"], "redirect_uri_mismatch");

    // A callback URL that is not registered never gets a redirect.
    let page = client
        .get(format!(
            "{}/services/oauth2/authorize?response_type=code&client_id={CLIENT_ID}&redirect_uri=https%3A%2F%2Fevil.example%2F&code_challenge={challenge}",
            org.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(page.headers().get("location").is_none());
}

#[tokio::test]
async fn expired_session_is_refused_until_refreshed() {
    let (org, client) = start().await;
    let (verifier, challenge) = pkce();
    let code = query_param(&browser_login(&org, &client, &challenge, "x").await, "code").unwrap();
    let (_, tokens) = exchange(&org, &client, &code, &verifier, REDIRECT).await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        userinfo(&org, &client, access).await.status(),
        StatusCode::OK
    );

    let expire = client
        .post(format!("{}/__devorg/tokens/expire", org.url))
        .send()
        .await
        .unwrap();
    assert_eq!(expire.status(), StatusCode::OK);
    let refused = userinfo(&org, &client, access).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(refused.text().await.unwrap(), "Bad_OAuth_Token");
    let rest = rest_limits(&org, &client, access).await;
    assert_eq!(rest.status(), StatusCode::UNAUTHORIZED);
    let body: Value = rest.json().await.unwrap();
    assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
    assert_eq!(body[0]["message"], "Session expired or invalid");

    let (status, refreshed) = token_request(
        &org,
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ("client_id", CLIENT_ID),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let new_access = refreshed["access_token"].as_str().unwrap();
    assert_eq!(
        userinfo(&org, &client, new_access).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        rest_limits(&org, &client, new_access).await.status(),
        StatusCode::OK
    );
}
