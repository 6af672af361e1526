//! The org over real sockets (`devorg::spawn` on port 0): which `Host` it answers, slow or
//! half-sent requests, and how many connections it serves at once.

use std::net::SocketAddr;
use std::time::Duration;

use devorg::{Config, RunningOrg};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous bound on anything a test waits for; reaching it is the failure.
const PATIENCE: Duration = Duration::from_secs(20);

async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> RunningOrg {
    let mut config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        accounts: 3,
        ..Config::default()
    };
    tweak(&mut config);
    devorg::spawn(config).await.expect("devorg starts")
}

/// Everything the server sends until it closes the connection (a reset counts as closed).
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let read = tokio::time::timeout(PATIENCE, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server never closed the connection");
    String::from_utf8_lossy(&out).into_owned()
}

/// Sends `head` (request line and headers, without the blank line) with `Connection: close`
/// and returns the whole response.
async fn raw(addr: SocketAddr, head: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("{head}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    read_until_closed(&mut stream).await
}

/// `GET /services/data` in plain HTTP/1.1, as the org's own host names it.
async fn versions_over_plain_http(org: &RunningOrg) -> String {
    let host = format!("127.0.0.1:{}", org.addr.port());
    raw(
        org.addr,
        &format!("GET /services/data HTTP/1.1\r\nHost: {host}"),
    )
    .await
}

fn status_line(response: &str) -> &str {
    response.lines().next().unwrap_or("")
}

#[tokio::test]
async fn only_requests_for_the_orgs_own_host_are_served() {
    let org = spawn_with(|_| {}).await;
    let port = org.addr.port();
    let token = org.state.issue_test_token();
    let limits = "GET /services/data/v60.0/limits HTTP/1.1";
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let reply = raw(
            org.addr,
            &format!("{limits}\r\nHost: {host}\r\nAuthorization: Bearer {token}"),
        )
        .await;
        assert_eq!(status_line(&reply), "HTTP/1.1 200 OK", "{host}: {reply}");
    }
    let used = org.state.usage.used();
    // A DNS-rebinding page reaches 127.0.0.1 under its own name; a wrong port is another server.
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost:{}", port.wrapping_add(1)),
        "localhost".to_string(),
    ] {
        let reply = raw(
            org.addr,
            &format!("{limits}\r\nHost: {host}\r\nAuthorization: Bearer {token}"),
        )
        .await;
        assert_eq!(
            status_line(&reply),
            "HTTP/1.1 421 Misdirected Request",
            "{host}: {reply}"
        );
        assert!(!reply.contains("DailyApiRequests"), "{reply}");
    }
    // An absolute-form target names the host too.
    let reply = raw(
        org.addr,
        &format!("GET http://evil.example:{port}/services/data HTTP/1.1\r\nHost: 127.0.0.1:{port}"),
    )
    .await;
    assert_eq!(status_line(&reply), "HTTP/1.1 421 Misdirected Request");
    // No host at all: HTTP/1.1 requires one (hyper answers an HTTP/1.0 request in 1.0).
    let reply = raw(org.addr, "GET /services/data HTTP/1.1").await;
    assert_eq!(status_line(&reply), "HTTP/1.1 400 Bad Request", "{reply}");
    let reply = raw(org.addr, "GET /services/data HTTP/1.0").await;
    assert_eq!(status_line(&reply), "HTTP/1.0 400 Bad Request", "{reply}");
    assert_eq!(
        org.state.usage.used(),
        used,
        "refused requests never reach the org"
    );
}

#[tokio::test]
async fn a_client_that_stops_halfway_through_its_headers_is_disconnected() {
    let org = spawn_with(|c| c.header_read_timeout_ms = 200).await;
    let mut stream = TcpStream::connect(org.addr).await.unwrap();
    let half = format!(
        "GET /services/data HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Slow: abc",
        org.addr.port()
    );
    stream.write_all(half.as_bytes()).await.unwrap();
    read_until_closed(&mut stream).await;
    // The org still answers everyone else.
    let reply = versions_over_plain_http(&org).await;
    assert_eq!(status_line(&reply), "HTTP/1.1 200 OK");
}

/// One keep-alive request on `stream`, so the server has certainly taken the connection.
async fn request_on(stream: &mut TcpStream, port: u16) -> String {
    let request = format!("GET /services/data HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    let n = tokio::time::timeout(PATIENCE, stream.read(&mut buf))
        .await
        .expect("a response")
        .unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test]
async fn connections_beyond_the_cap_are_closed_and_the_cap_frees_up() {
    let org = spawn_with(|c| c.max_connections = 2).await;
    let port = org.addr.port();
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(org.addr).await.unwrap();
        assert!(request_on(&mut stream, port)
            .await
            .starts_with("HTTP/1.1 200"));
        held.push(stream);
    }
    let mut third = TcpStream::connect(org.addr).await.unwrap();
    let reply = request_on(&mut third, port).await;
    assert_eq!(reply, "", "the third connection is closed unanswered");
    // Once a held connection closes its slot is free again (the server notices asynchronously,
    // so try until the deadline).
    drop(held.pop());
    let served = tokio::time::timeout(PATIENCE, async {
        loop {
            let mut stream = TcpStream::connect(org.addr).await.unwrap();
            if request_on(&mut stream, port)
                .await
                .starts_with("HTTP/1.1 200")
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(served.is_ok(), "a freed slot serves a new connection");
}

/// A temp file path no other test uses.
fn temp_pem(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("devorg-test-{}-{name}.pem", std::process::id()))
}

/// Removes the certificate file when the test ends.
struct TempPem(std::path::PathBuf);

impl Drop for TempPem {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn spawn_tls(name: &str) -> (RunningOrg, reqwest::Client, TempPem) {
    let path = temp_pem(name);
    let org = spawn_with(|c| {
        c.tls = true;
        c.tls_cert_out = Some(path.clone());
    })
    .await;
    assert_eq!(org.tls_cert_path.as_deref(), Some(path.as_path()));
    let pem = std::fs::read(&path).expect("the certificate is written where asked");
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    (org, trusting, TempPem(path))
}

async fn client_credentials_token(client: &reqwest::Client, url: &str) -> serde_json::Value {
    let reply = client
        .post(format!("{url}/services/oauth2/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", devorg::config::INTEGRATION_CLIENT_ID),
            ("client_secret", devorg::config::INTEGRATION_CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("https token call");
    assert_eq!(reply.status(), 200);
    reply.json().await.unwrap()
}

#[tokio::test]
async fn tls_serves_the_org_over_https_to_a_client_trusting_its_certificate() {
    let (org, client, _pem) = spawn_tls("trusted").await;
    let port = org.addr.port();
    assert_eq!(org.url, format!("https://127.0.0.1:{port}"));
    let token = client_credentials_token(&client, &org.url).await;
    assert_eq!(token["instance_url"], org.url);
    let access = token["access_token"].as_str().unwrap();
    for base in [org.url.clone(), format!("https://localhost:{port}")] {
        let reply = client
            .get(format!("{base}/services/data/v60.0/query"))
            .query(&[("q", "SELECT Name FROM Account")])
            .bearer_auth(access)
            .send()
            .await
            .expect("https query");
        assert_eq!(reply.status(), 200, "{base}");
        let body: serde_json::Value = reply.json().await.unwrap();
        assert_eq!(body["totalSize"], 3);
    }
    // Connection faults work the same: the next call's connection is dropped, then all is well.
    let reply = client
        .post(format!("{}/__devorg/fail-next", org.url))
        .json(&serde_json::json!({"count": 1, "mode": "drop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let limits = format!("{}/services/data/v60.0/limits", org.url);
    let dropped = client.get(&limits).bearer_auth(access).send().await;
    assert!(dropped.is_err(), "{dropped:?}");
    let reply = client
        .get(&limits)
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_certificate_cannot_connect() {
    let (org, trusting, _pem) = spawn_tls("untrusted").await;
    // No roots at all, and the roots of another devorg (each start makes its own CA).
    let (_other, trusts_other, _other_pem) = spawn_tls("other").await;
    for client in [reqwest::Client::new(), trusts_other] {
        let err = client
            .get(format!("{}/services/data", org.url))
            .send()
            .await
            .expect_err("an untrusted certificate is refused");
        assert!(err.is_connect(), "{err:?}");
    }
    // Plain http to the https port gets no org either.
    let reply = versions_over_plain_http(&org).await;
    assert!(!reply.contains("Summer '26"), "{reply}");
    let reply = trusting
        .get(format!("{}/services/data", org.url))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
}
