//! End-to-end tests of the Accounts screens: the release build in headless Chromium against devorg,
//! each test asserting what the page shows and what the org then holds. One binary, one module per
//! area; `bench` is the 100,000-account benchmark (ignored by default: `benches/accounts.sh`).

mod accessibility;
mod bench;
mod bulk;
mod console;
mod csv_bench;
mod csv_export;
mod csv_import;
mod faults;
mod first_load_bench;
mod list;
mod orgs;
mod page;
mod records;
mod routes;
mod session;
mod sync;
mod sync_bench;
mod sync_bulk;
mod sync_safety;
