//! The setup probes, run from this browser (where CORS is real) and judged by the client crate's
//! `setup_check`: used by the setup guide's "Check" button, before leaving for the org's login
//! page, and to explain a token exchange that got no answer.

use salesforce::oauth::OrgLogin;
use salesforce::setup_check::{self, Finding, ProbeOutcome, Probes, Severity};
use salesforce::transport::Transport;
use salesforce::types::InstanceUrl;

use crate::error::AppError;
use crate::settings::{page_origin, redirect_uri};
use crate::transport::{host_reachable, FetchTransport};

/// Which probes to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Reachability and the REST API's CORS (no OAuth request): before signing in.
    Quick,
    /// Also a deliberately invalid token exchange: consumer key, callback URL, OAuth CORS.
    Full,
}

/// Runs the probes against `login` and returns the findings, most serious first.
pub async fn probe(transport: &impl Transport, login: &OrgLogin, depth: Depth) -> Vec<Finding> {
    let reachable = host_reachable(&login.login_url.join("/services/data/")).await;
    let mut probes = Probes {
        page_origin: page_origin(),
        redirect_uri: login.redirect_uri.clone(),
        host_reachable: reachable,
        versions: ProbeOutcome::NotRun,
        token: ProbeOutcome::NotRun,
    };
    if reachable {
        probes.versions =
            ProbeOutcome::from_result(&transport.send(setup_check::versions_probe(login)).await);
        if depth == Depth::Full {
            probes.token =
                ProbeOutcome::from_result(&transport.send(setup_check::token_probe(login)).await);
        }
    }
    setup_check::diagnose(login, &probes)
}

/// The first problem among `findings`, as the words to show.
pub fn first_problem(findings: &[Finding]) -> Option<String> {
    findings
        .iter()
        .find(|f| f.severity == Severity::Problem)
        .map(|f| f.message.clone())
}

/// The "Check" button: probes `org_url` with `consumer_key` for this page.
pub async fn check(org_url: String, consumer_key: String) -> Result<Vec<Finding>, AppError> {
    let url = InstanceUrl::parse(&org_url)?;
    if consumer_key.trim().is_empty() {
        return Err(AppError::Setup(
            "Enter the consumer key to check (from the org's External Client App).".into(),
        ));
    }
    let login = OrgLogin::new(url, consumer_key, redirect_uri());
    Ok(probe(&FetchTransport, &login, Depth::Full).await)
}
