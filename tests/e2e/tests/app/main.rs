//! End-to-end tests of the release build in headless Chromium against devorg: one binary, one
//! module per area (zero-to-production's layout). Each test gets its own org, site and browser.

mod bad_paths;
mod devorg_param;
mod embedding;
mod framing;
mod parts;
mod session;
mod setup_guide;
mod sign_in;
