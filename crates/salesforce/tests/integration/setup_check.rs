//! The setup check's probes run through a browser-like transport against devorg configured right
//! and wrong; the findings must name what to fix.

use salesforce::oauth::{begin_login, finish_login, save_pending, OrgLogin};
use salesforce::setup_check::{
    diagnose, token_probe, versions_probe, Finding, ProbeOutcome, Probes, Severity,
};
use salesforce::storage::MemoryStore;
use salesforce::transport::Transport;
use salesforce::Client;

use crate::common::*;

const APP_ORIGIN: &str = "http://127.0.0.1:8080";

async fn check(login: &OrgLogin, origin: &str) -> Vec<Finding> {
    let browser = BrowserLike::new(origin);
    let versions = browser.send(versions_probe(login)).await;
    let token = browser.send(token_probe(login)).await;
    let probes = Probes {
        page_origin: origin.into(),
        redirect_uri: login.redirect_uri.clone(),
        // A no-cors fetch would succeed: devorg is up.
        host_reachable: true,
        versions: ProbeOutcome::from_result(&versions),
        token: ProbeOutcome::from_result(&token),
    };
    diagnose(login, &probes)
}

fn problems(findings: &[Finding]) -> Vec<(&'static str, String)> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Problem)
        .map(|f| (f.topic, f.message.clone()))
        .collect()
}

#[tokio::test]
async fn a_correctly_configured_org_passes() {
    let org = spawn_org().await;
    let findings = check(&org_login(&org), APP_ORIGIN).await;
    assert!(problems(&findings).is_empty(), "{findings:?}");
    assert!(findings
        .iter()
        .any(|f| f.topic == "Consumer key" && f.severity == Severity::Ok));
}

#[tokio::test]
async fn an_origin_missing_from_the_allowlist_is_named() {
    let org = spawn_org().await;
    let findings = check(&org_login(&org), "http://intranet.example:9000").await;
    let p = problems(&findings);
    assert!(
        p.iter().any(|(t, m)| *t == "CORS allowlist"
            && m.ends_with("Origin URL Pattern http://intranet.example:9000")),
        "{p:?}"
    );
}

#[tokio::test]
async fn oauth_endpoints_without_cors_name_the_setting() {
    let org = spawn_with(|c| c.no_oauth_cors = true).await;
    let p = problems(&check(&org_login(&org), APP_ORIGIN).await);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].0, "CORS for OAuth endpoints");
    assert!(p[0].1.contains("\"Enable CORS for OAuth endpoints\""));
    assert!(p[0].1.contains("only this setting is missing"));
}

#[tokio::test]
async fn a_wrong_consumer_key_is_found() {
    let org = spawn_org().await;
    let mut login = org_login(&org);
    login.consumer_key = "typo-key".into();
    let p = problems(&check(&login, APP_ORIGIN).await);
    assert!(
        p.iter()
            .any(|(t, m)| *t == "Consumer key" && m.contains("typo-key")),
        "{p:?}"
    );
}

#[tokio::test]
async fn sign_in_and_api_calls_work_from_an_allowlisted_page() {
    let org = spawn_org().await;
    let browser = BrowserLike::new(APP_ORIGIN);
    let store = MemoryStore::new();
    let (url, pending) = begin_login(&org_login(&org), now_ms());
    save_pending(&store, &pending);
    let callback = authorize(&org, &url, true).await;
    let session = finish_login(&browser, &store, callback, now_ms())
        .await
        .unwrap()
        .unwrap();
    let client = Client::new(browser, session);
    client
        .query("SELECT Id FROM Account LIMIT 1", None)
        .await
        .unwrap();
    // Readable only because devorg exposes Sforce-Limit-Info to scripts.
    assert!(client.api_usage().is_some());

    // The same session from a page whose origin is not allowlisted: a network error naming the host.
    let blocked = Client::new(
        BrowserLike::new("http://elsewhere.example"),
        client.session(),
    );
    let err = blocked
        .query("SELECT Id FROM Account", None)
        .await
        .unwrap_err();
    assert!(
        err.user_message().contains("CORS allowlist"),
        "{}",
        err.user_message()
    );
}
