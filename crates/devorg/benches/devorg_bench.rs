//! Latency of the REST API at 100,000 accounts, through the router in-process (no sockets):
//! a 2,000-record query page (first page and a `nextRecordsUrl` page) and a 200-record sObject
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

async fn call(state: &AppState, req: Request<Body>) -> (StatusCode, Value) {
    let resp = devorg::app(state.clone()).oneshot(req).await.expect("router answers");
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
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

        let mut first = vec![];
        let mut next_url = String::new();
        for _ in 0..RUNS {
            let req = Request::get(&query_uri).header("Authorization", &auth).body(Body::empty()).unwrap();
            let t = Instant::now();
            let (status, body) = call(&state, req).await;
            first.push(t.elapsed());
            assert_eq!(status, StatusCode::OK);
            assert_eq!(body["records"].as_array().map(Vec::len), Some(2000));
            next_url = body["nextRecordsUrl"].as_str().expect("more pages").to_string();
        }
        let mut next = vec![];
        for _ in 0..RUNS {
            let req = Request::get(&next_url).header("Authorization", &auth).body(Body::empty()).unwrap();
            let t = Instant::now();
            let (status, body) = call(&state, req).await;
            next.push(t.elapsed());
            assert_eq!(status, StatusCode::OK);
            assert_eq!(body["records"].as_array().map(Vec::len), Some(2000));
        }

        let mut upserts = vec![];
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
            let t = Instant::now();
            let (status, body) = call(&state, req).await;
            upserts.push(t.elapsed());
            assert_eq!(status, StatusCode::OK);
            assert!(body.as_array().expect("results").iter().all(|r| r["success"] == true));
        }

        let (p1, p2, up) = (median(first), median(next), median(upserts));
        println!("query first page (2,000 of {ACCOUNTS}, ORDER BY Name): median {p1:?}  (goal ≤ 50 ms)");
        println!("query nextRecordsUrl page (2,000):                  median {p2:?}  (goal ≤ 50 ms)");
        println!("collections upsert (200 records):                  median {up:?}  (goal ≤ 20 ms)");
    });
}
