//! OrgBridge's screen logic, free of the browser and of Leptos, so it builds natively and its tests
//! run with `cargo test`: the web app (`src/`) only renders what these functions decide.

pub mod accounts;
pub mod cells;
pub mod progress;
pub mod route;
