//! `--tls`: https with certificates made at start, so clients that insist on https (or a page served
//! over https) can use the org. Each run makes a CA and a server certificate for `localhost`,
//! `127.0.0.1` and `::1` signed by it; the CA certificate goes to a PEM file for clients to trust
//! (`REQUESTS_CA_BUNDLE`, `NODE_EXTRA_CA_CERTS`, `reqwest::Certificate::from_pem`). Neither private
//! key leaves memory, and the CA is name-constrained to those three names, so trusting it cannot
//! vouch for any other site even if it lingers in a trust store.
//! Served with rustls on the `ring` provider (aws-lc would need cmake to build).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, Days, NaiveDate};
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose, NameConstraints,
};
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// The names the server certificate (and so the org over https) answers to.
pub const NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// This run's TLS: the acceptor for connections and the CA certificate clients should trust.
pub struct LocalTls {
    pub acceptor: TlsAcceptor,
    /// PEM of the CA that signed the server certificate.
    pub ca_pem: String,
}

/// Where the CA certificate goes when `--tls-cert-out` is not given: the system temp directory,
/// named for the port so two orgs never overwrite each other's file.
pub fn default_cert_path(port: u16) -> PathBuf {
    std::env::temp_dir().join(format!("devorg-{port}-ca.pem"))
}

fn tls_error(err: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("devorg: cannot set up TLS: {err}"))
}

/// Valid from yesterday (clock skew) for a year: short enough for platforms that cap the lifetime
/// of certificates from user-trusted CAs (Apple: 825 days).
fn set_validity(params: &mut CertificateParams) {
    // Months and days always fit a u8.
    let at = |day: NaiveDate| rcgen::date_time_ymd(day.year(), day.month() as u8, day.day() as u8);
    let today = chrono::Utc::now().date_naive();
    params.not_before = at(today - Days::new(1));
    params.not_after = at(today + Days::new(365));
}

/// Makes this run's CA and server certificate and the rustls acceptor serving it (HTTP/1.1 only).
pub fn generate() -> io::Result<LocalTls> {
    let ca_key = KeyPair::generate().map_err(tls_error)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.distinguished_name
        .push(DnType::CommonName, "devorg local CA (one run only)");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("localhost".into()),
            GeneralSubtree::IpAddress(CidrSubnet::from_addr_prefix(
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                32,
            )),
            GeneralSubtree::IpAddress(CidrSubnet::from_addr_prefix(
                IpAddr::V6(Ipv6Addr::LOCALHOST),
                128,
            )),
        ],
        excluded_subtrees: vec![],
    });
    set_validity(&mut ca);
    let ca_cert = ca.self_signed(&ca_key).map_err(tls_error)?;

    let server_key = KeyPair::generate().map_err(tls_error)?;
    let mut server = CertificateParams::new(NAMES.map(String::from).to_vec()).map_err(tls_error)?;
    server.distinguished_name.push(DnType::CommonName, "devorg");
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.use_authority_key_identifier_extension = true;
    set_validity(&mut server);
    let server_cert = server
        .signed_by(&server_key, &ca_cert, &ca_key)
        .map_err(tls_error)?;

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_no_client_auth()
        .with_single_cert(vec![server_cert.der().clone()], key)
        .map_err(tls_error)?;
    // devorg serves HTTP/1.1 only (connection faults close one connection = one request).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(LocalTls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_pem: ca_cert.pem(),
    })
}

/// Writes `pem` to `path` whole or not at all (a temp file renamed over it), so a client reading
/// the file while devorg starts never sees half a certificate.
pub fn write_pem(path: &Path, pem: &str) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "devorg-ca.pem".into());
    let partial = path.with_file_name(format!(".{name}.{}.partial", std::process::id()));
    std::fs::write(&partial, pem)?;
    std::fs::rename(&partial, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })
}
