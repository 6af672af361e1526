//! Deterministic, realistic accounts to seed the org with. (stub)
