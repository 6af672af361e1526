//! The client against devorg started in-process on port 0: one test binary, areas as modules.

#[path = "../common/mod.rs"]
mod common;

mod bulk;
mod oauth;
mod rest;
mod setup_check;
