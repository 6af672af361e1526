//! The org's daily API allowance: counts REST calls, adds `Sforce-Limit-Info`, and refuses calls
//! past the limit with REQUEST_LIMIT_EXCEEDED. (stub)

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;

use crate::AppState;

#[derive(Debug)]
pub struct ApiUsage {
    pub max: AtomicU64,
    pub used: AtomicU64,
}

impl ApiUsage {
    pub fn new(max: u64) -> Self {
        ApiUsage {
            max: AtomicU64::new(max),
            used: AtomicU64::new(0),
        }
    }

    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    pub fn max(&self) -> u64 {
        self.max.load(Ordering::Relaxed)
    }
}

pub fn layer(routes: Router<AppState>, _state: AppState) -> Router<AppState> {
    routes
}
