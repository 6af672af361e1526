//! `devorg`: serves one local Salesforce-compatible org until Ctrl-C, and prints how to reach it.

use clap::Parser;
use devorg::config::{INTEGRATION_CLIENT_ID, INTEGRATION_CLIENT_SECRET, PKCE_CLIENT_ID};

#[tokio::main]
async fn main() {
    let config = devorg::Config::parse();
    let addr = config.addr;
    let org = match devorg::spawn(config).await {
        Ok(org) => org,
        Err(err) if err.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!("devorg: {err}");
            std::process::exit(2);
        }
        Err(err) => {
            eprintln!("devorg: cannot listen on {addr}: {err} (is another devorg running? try --addr 127.0.0.1:0)");
            std::process::exit(1);
        }
    };
    let state = &org.state;
    let config = &state.config;
    let url = &org.url;
    let redirect = config
        .redirect_uris
        .first()
        .map(String::as_str)
        .unwrap_or("");
    // A fixed example verifier, so the printed URL can be tried by hand (curl or a browser).
    let verifier = "devorg-example-code-verifier-0123456789abcdefghij";
    let challenge = devorg::oauth::pkce_s256(verifier);
    let authorize = url::Url::parse_with_params(
        &format!("{url}/services/oauth2/authorize"),
        &[
            ("response_type", "code"),
            ("client_id", PKCE_CLIENT_ID),
            ("redirect_uri", redirect),
            ("code_challenge", challenge.as_str()),
            ("state", "example"),
        ],
    )
    .map(|u| u.to_string())
    .unwrap_or_default();
    println!("devorg: a local Salesforce-compatible org is running");
    println!("  org URL (instance_url):  {url}");
    println!("  org id:                  {}", state.org.org_id);
    println!(
        "  user (admin):            {} / password {}",
        config.username, config.password
    );
    for user in state.org.users.iter().skip(1) {
        let status = if user.active { "" } else { " (inactive)" };
        println!(
            "    also:                  {} / password {} ({}){status}",
            user.username,
            user.password(),
            user.name()
        );
    }
    println!("  public PKCE app:         client_id {PKCE_CLIENT_ID} (no secret)");
    println!(
        "    callback URLs:         {}",
        config.redirect_uris.join(", ")
    );
    println!("  integration app:         client_id {INTEGRATION_CLIENT_ID}, secret {INTEGRATION_CLIENT_SECRET}");
    println!(
        "  CORS allowed origins:    {}",
        config.allowed_origins.join(", ")
    );
    println!(
        "  CORS for OAuth endpoints: {}",
        if config.no_oauth_cors { "off" } else { "on" }
    );
    println!("  accounts seeded:         {}", config.accounts);
    let custom: Vec<&str> = state
        .schema
        .account
        .fields
        .iter()
        .filter(|f| f.custom)
        .map(|f| f.name.as_str())
        .collect();
    println!("  Account custom fields:   {}", custom.join(", "));
    let record_types: Vec<String> = state
        .schema
        .account
        .record_types
        .iter()
        .map(|t| {
            let mut shown = format!("{} {}", t.developer_name, t.id);
            if t.default {
                shown.push_str(" (default)");
            }
            if !t.active {
                shown.push_str(" (inactive)");
            }
            shown
        })
        .collect();
    if !record_types.is_empty() {
        println!("  Account record types:    {}", record_types.join(", "));
    }
    println!("  authorize URL:           {authorize}");
    println!("    (its code_verifier:    {verifier})");
    println!("  REST API:                {url}/services/data/");
    println!("  admin API (loopback):    {url}/__devorg/state");
    if let Some(cert) = &org.tls_cert_path {
        let cert = cert.display();
        println!("  TLS CA certificate:      {cert} (new every start; trust it, e.g.)");
        println!("    curl --cacert {cert} {url}/services/data/");
        println!("    REQUESTS_CA_BUNDLE={cert} python …   (simple_salesforce, requests)");
        println!("    NODE_EXTRA_CA_CERTS={cert} node …    (jsforce, the sf CLI)");
    }
    println!("Press Ctrl-C to stop.");
    if let Err(err) = tokio::signal::ctrl_c().await {
        eprintln!("devorg: cannot wait for Ctrl-C ({err}); stopping");
    }
    println!("devorg: stopped");
}
