//! Latency of the REST API at 100,000 accounts, through the router in-process (no sockets):
//! a 2,000-record query page (first page from the Name index, the same query with a WHERE clause that
//! makes devorg sort all 100,000, and a `nextRecordsUrl` page) and a 200-record sObject
//! Collections upsert. Prints medians; goals are ≤ 50 ms per page and ≤ 20 ms per upsert (release).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use devorg::{AppState, Config};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const ACCOUNTS: usize = 100_000;
const RUNS: usize = 15;

/// Sends one request; returns the status, the parsed body, and the wall and CPU time until the
/// body's last byte (parsing the JSON afterwards is the client's cost, not the org's).
async fn call(
    router: &axum::Router,
    req: Request<Body>,
) -> (StatusCode, Value, Duration, Duration) {
    let (wall, cpu) = (Instant::now(), thread_cpu());
    let resp = router.clone().oneshot(req).await.expect("router answers");
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let times = (wall.elapsed(), thread_cpu().saturating_sub(cpu));
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        times.0,
        times.1,
    )
}

/// CPU time of this thread (Linux `schedstat`), so the figures mean something on a busy 2-core
/// machine where wall time mostly measures other processes.
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .map_or(Duration::ZERO, Duration::from_nanos)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Median wall and CPU time of a series of calls.
#[derive(Default)]
struct Series {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Series {
    fn push(&mut self, wall: Duration, cpu: Duration) {
        self.wall.push(wall);
        self.cpu.push(cpu);
    }
    fn report(self, what: &str, goal_ms: u64) {
        let (wall, cpu) = (median(self.wall), median(self.cpu));
        println!("{what:<52} median wall {wall:>10.2?}  cpu {cpu:>10.2?}  (goal ≤ {goal_ms} ms)");
    }
}

/// `RUNS` GETs of one query page of 2,000 records; their times and the page's `nextRecordsUrl`.
async fn pages(router: &axum::Router, auth: &str, uri: &str) -> (Series, String) {
    let mut series = Series::default();
    let mut next_url = String::new();
    for _ in 0..RUNS {
        let req = Request::get(uri)
            .header("Authorization", auth)
            .body(Body::empty())
            .unwrap();
        let (status, body, wall, cpu) = call(router, req).await;
        series.push(wall, cpu);
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["records"].as_array().map(Vec::len), Some(2000));
        next_url = body["nextRecordsUrl"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    }
    (series, next_url)
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let started = Instant::now();
        let state = AppState::new(Config {
            accounts: ACCOUNTS,
            api_limit: 10_000_000,
            ..Config::default()
        });
        println!("seeded {ACCOUNTS} accounts in {:?}", started.elapsed());
        let token = state.issue_test_token();
        let auth = format!("Bearer {token}");
        let soql = "SELECT Id, Name, Type, Industry, BillingCity, BillingState, Phone, Website, AnnualRevenue, \
                    NumberOfEmployees, External_Id__c, Owner.Name FROM Account ORDER BY Name";
        let q: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
        let query_uri = format!("/services/data/v60.0/query?q={q}");

        let router = devorg::app(state.clone());
        let (first, next_url) = pages(&router, &auth, &query_uri).await;
        // With a WHERE clause the Name index does not apply: filter, then sort what matched.
        let filtered = soql.replace(" ORDER BY", " WHERE Name != 'zzz' ORDER BY");
        let q: String = url::form_urlencoded::byte_serialize(filtered.as_bytes()).collect();
        let (sorted, _) = pages(&router, &auth, &format!("/services/data/v60.0/query?q={q}")).await;
        let (next, _) = pages(&router, &auth, &next_url).await;

        let mut upserts = Series::default();
        for run in 0..RUNS {
            // Half the batch updates seeded accounts, half creates new ones.
            let records: Vec<Value> = (0..200)
                .map(|i| {
                    let ext = if i % 2 == 0 {
                        format!("EXT-{:06}", 1 + run * 200 + i)
                    } else {
                        format!("BENCH-{run}-{i}")
                    };
                    json!({"attributes": {"type": "Account"}, "External_Id__c": ext, "Name": format!("Bench {run} {i}"), "Phone": "(415) 555-0100"})
                })
                .collect();
            let body = json!({"allOrNone": false, "records": records}).to_string();
            let req = Request::patch("/services/data/v60.0/composite/sobjects/Account/External_Id__c")
                .header("Authorization", &auth)
                .header("Content-Type", "application/json")
                .body(Body::from(body))
                .unwrap();
            let (status, body, wall, cpu) = call(&router, req).await;
            upserts.push(wall, cpu);
            assert_eq!(status, StatusCode::OK);
            assert!(body.as_array().expect("results").iter().all(|r| r["success"] == true));
        }

        first.report("query first page (2,000 rows, ORDER BY Name)", 50);
        sorted.report("  same with WHERE matching all (sorts 100,000)", 50);
        next.report("query nextRecordsUrl page (2,000 rows)", 50);
        upserts.report("collections upsert (200 records)", 20);
    });
}
