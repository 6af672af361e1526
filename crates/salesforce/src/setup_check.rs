//! Diagnosis for the setup guide's "Check" button. The app runs the probes from the browser
//! (where CORS is real); this module turns what they returned into findings that name exactly
//! what an admin must configure. Pure: no I/O.

use crate::oauth::OrgLogin;
use crate::transport::{HttpRequest, HttpResponse, Method};

/// What one probe got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// The probe was not run.
    NotRun,
    /// No readable answer: the host is unreachable or the browser blocked it (CORS).
    NoAnswer,
    /// An answer the page could read.
    Answered { status: u16, body: String },
}

impl ProbeOutcome {
    /// From a transport result: any HTTP answer counts as answered.
    pub fn from_result<E>(result: &Result<HttpResponse, E>) -> ProbeOutcome {
        match result {
            Ok(r) => ProbeOutcome::Answered {
                status: r.status,
                body: r.body.clone(),
            },
            Err(_) => ProbeOutcome::NoAnswer,
        }
    }
}

/// Everything the Check button learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probes {
    /// This page's origin, e.g. `https://intranet.example.com`.
    pub page_origin: String,
    /// This page's URL as used for `redirect_uri`.
    pub redirect_uri: String,
    /// A `no-cors` request to the org host: did anything answer at all (opaque responses count)?
    pub host_reachable: bool,
    /// `GET /services/data/` with CORS ([`versions_probe`]).
    pub versions: ProbeOutcome,
    /// A deliberately invalid token exchange with CORS ([`token_probe`]).
    pub token: ProbeOutcome,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Ok,
    Warning,
    Problem,
}

/// One line of the check's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// Short title ("CORS allowlist").
    pub topic: &'static str,
    /// What to do, in full.
    pub message: String,
}

/// `GET /services/data/` on the org: readable from the page only if its origin is allowlisted.
pub fn versions_probe(login: &OrgLogin) -> HttpRequest {
    crate::oauth::versions_request(&login.login_url)
}

/// A token exchange with a made-up code: the org's error tells whether the token endpoint has
/// CORS (any readable answer), and whether it knows the consumer key and callback URL.
pub fn token_probe(login: &OrgLogin) -> HttpRequest {
    HttpRequest::new(Method::Post, login.login_url.join("/services/oauth2/token"))
        .header("Accept", "application/json")
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "orgbridge-setup-check"),
            ("client_id", &login.consumer_key),
            ("redirect_uri", &login.redirect_uri),
            (
                "code_verifier",
                "orgbridge-setup-check-orgbridge-setup-check-0123",
            ),
        ])
}

fn oauth_error(body: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()?
        .get("error")?
        .as_str()
        .map(str::to_string)
}

/// Turns probe results into findings, most serious first.
///
/// ```
/// use salesforce::{oauth::OrgLogin, setup_check::*, types::InstanceUrl};
/// let login = OrgLogin::new(InstanceUrl::parse("https://acme.my.salesforce.com").unwrap(), "key", "https://intranet.example.com/orgbridge/");
/// let probes = Probes { page_origin: "https://intranet.example.com".into(), redirect_uri: login.redirect_uri.clone(),
///     host_reachable: true, versions: ProbeOutcome::NoAnswer, token: ProbeOutcome::NotRun };
/// let findings = diagnose(&login, &probes);
/// assert!(findings[0].message.contains("https://intranet.example.com"));
/// ```
pub fn diagnose(login: &OrgLogin, probes: &Probes) -> Vec<Finding> {
    let mut out = Vec::new();
    let host = login.login_url.host();
    let origin = &probes.page_origin;
    let mut push = |severity, topic, message: String| {
        out.push(Finding {
            severity,
            topic,
            message,
        })
    };

    if login.login_url.is_generic_login_host() {
        push(
            Severity::Problem,
            "Org URL",
            format!("{host} never allows a browser page to exchange sign-in codes. Use the org's My Domain URL (Setup → My Domain, e.g. https://yourcompany.my.salesforce.com) instead."),
        );
    }

    if !probes.host_reachable {
        push(
            Severity::Problem,
            "Org URL",
            format!("Nothing answered at {host}. Check the URL for typos and that this computer can reach the org (VPN, proxy)."),
        );
        return most_severe_first(out);
    }

    let rest_ok = match &probes.versions {
        ProbeOutcome::Answered { status, .. } if (200..300).contains(status) => {
            push(
                Severity::Ok,
                "CORS allowlist",
                format!("{origin} is on the org's CORS allowlist: the REST API answers this page."),
            );
            true
        }
        ProbeOutcome::Answered { status, .. } => {
            push(
                Severity::Problem,
                "Org URL",
                format!("{host} answered /services/data/ with HTTP {status}: it does not look like a Salesforce org URL. Use the My Domain URL."),
            );
            false
        }
        ProbeOutcome::NoAnswer => {
            push(
                Severity::Problem,
                "CORS allowlist",
                format!("The org blocks this page. In Setup → CORS → Allowed Origins List, add a new entry with Origin URL Pattern {origin}"),
            );
            false
        }
        ProbeOutcome::NotRun => false,
    };

    match &probes.token {
        ProbeOutcome::NotRun => {}
        ProbeOutcome::NoAnswer => {
            let extra = if rest_ok {
                " The REST API answers this page, so the allowlist is right; only this setting is missing."
            } else {
                " (This also needs the allowlist entry above.)"
            };
            push(
                Severity::Problem,
                "CORS for OAuth endpoints",
                format!("The token endpoint does not answer this page, so sign-in cannot finish. In Setup → CORS, check \"Enable CORS for OAuth endpoints\".{extra}"),
            );
        }
        ProbeOutcome::Answered { status, body } => {
            push(
                Severity::Ok,
                "CORS for OAuth endpoints",
                "The token endpoint answers this page (\"Enable CORS for OAuth endpoints\" is on)."
                    .into(),
            );
            match oauth_error(body).as_deref() {
                Some("invalid_client_id") => push(
                    Severity::Problem,
                    "Consumer key",
                    format!("The org does not know consumer key “{}”. Copy the Consumer Key from the External Client App's OAuth settings.", login.consumer_key),
                ),
                Some("redirect_uri_mismatch") => push(
                    Severity::Problem,
                    "Callback URL",
                    format!("The External Client App does not list this page as a callback. Add {} to its Callback URL.", probes.redirect_uri),
                ),
                Some("invalid_client") => push(
                    Severity::Problem,
                    "Client secret",
                    "The External Client App requires a secret. Turn off \"Require Secret for Web Server Flow\" and \"Require Secret for Refresh Token Flow\"; keep \"Require Proof Key for Code Exchange (PKCE)\" on.".into(),
                ),
                // The made-up code was judged: the key (and, where checked first, the callback) passed.
                Some("invalid_grant") => push(
                    Severity::Ok,
                    "Consumer key",
                    format!("The org knows consumer key “{}”.", login.consumer_key),
                ),
                Some(other) => push(
                    Severity::Warning,
                    "Token endpoint",
                    format!("The token endpoint answered “{other}” (HTTP {status}) to a test request; check the External Client App's OAuth settings."),
                ),
                None => push(
                    Severity::Warning,
                    "Token endpoint",
                    format!("The token endpoint answered HTTP {status} with something other than an OAuth error; check the org URL."),
                ),
            }
        }
    }
    most_severe_first(out)
}

/// Problems first, then warnings, then what is fine, each in the order found. Three passes rather
/// than a stable sort: the check runs on the sign-in screen, whose wasm would carry a sort routine
/// for this alone.
fn most_severe_first(found: Vec<Finding>) -> Vec<Finding> {
    [Severity::Problem, Severity::Warning, Severity::Ok]
        .into_iter()
        .flat_map(|severity| {
            found
                .iter()
                .filter(move |f| f.severity == severity)
                .cloned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::InstanceUrl;

    fn login(url: &str) -> OrgLogin {
        OrgLogin::new(
            InstanceUrl::parse(url).unwrap(),
            "key1",
            "https://intra.example.com/ob/",
        )
    }

    fn probes(versions: ProbeOutcome, token: ProbeOutcome) -> Probes {
        Probes {
            page_origin: "https://intra.example.com".into(),
            redirect_uri: "https://intra.example.com/ob/".into(),
            host_reachable: true,
            versions,
            token,
        }
    }

    fn answered(status: u16, body: &str) -> ProbeOutcome {
        ProbeOutcome::Answered {
            status,
            body: body.into(),
        }
    }

    #[test]
    fn rest_works_but_token_endpoint_blocked_names_the_setting() {
        let f = diagnose(
            &login("https://acme.my.salesforce.com"),
            &probes(answered(200, "[]"), ProbeOutcome::NoAnswer),
        );
        assert_eq!(f[0].severity, Severity::Problem);
        assert_eq!(f[0].topic, "CORS for OAuth endpoints");
        assert!(f[0].message.contains("Enable CORS for OAuth endpoints"));
        assert!(f[0].message.contains("only this setting is missing"));
    }

    #[test]
    fn blocked_rest_names_the_origin_to_allowlist() {
        let f = diagnose(
            &login("https://acme.my.salesforce.com"),
            &probes(ProbeOutcome::NoAnswer, ProbeOutcome::NotRun),
        );
        assert_eq!(f.len(), 1);
        assert!(f[0]
            .message
            .ends_with("Origin URL Pattern https://intra.example.com"));
    }

    #[test]
    fn consumer_key_and_callback_problems_are_named() {
        let f = diagnose(
            &login("https://acme.my.salesforce.com"),
            &probes(
                answered(200, "[]"),
                answered(
                    400,
                    r#"{"error":"invalid_client_id","error_description":"client identifier invalid"}"#,
                ),
            ),
        );
        assert!(f.iter().any(|x| x.topic == "Consumer key"
            && x.severity == Severity::Problem
            && x.message.contains("key1")));
        let f = diagnose(
            &login("https://acme.my.salesforce.com"),
            &probes(
                answered(200, "[]"),
                answered(400, r#"{"error":"redirect_uri_mismatch"}"#),
            ),
        );
        assert!(f[0]
            .message
            .contains("Add https://intra.example.com/ob/ to its Callback URL"));
        let f = diagnose(
            &login("https://acme.my.salesforce.com"),
            &probes(
                answered(200, "[]"),
                answered(400, r#"{"error":"invalid_grant"}"#),
            ),
        );
        assert!(f.iter().all(|x| x.severity == Severity::Ok), "{f:?}");
    }

    #[test]
    fn generic_login_host_and_unreachable_host() {
        let f = diagnose(
            &login("https://login.salesforce.com"),
            &probes(answered(200, "[]"), ProbeOutcome::NoAnswer),
        );
        assert!(f
            .iter()
            .any(|x| x.topic == "Org URL" && x.message.contains("My Domain")));
        let mut p = probes(ProbeOutcome::NoAnswer, ProbeOutcome::NoAnswer);
        p.host_reachable = false;
        let f = diagnose(&login("https://typo.my.salesforce.com"), &p);
        assert_eq!(f.len(), 1);
        assert!(f[0]
            .message
            .starts_with("Nothing answered at typo.my.salesforce.com"));
    }
}
