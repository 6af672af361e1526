//! The org's records (Accounts, the User) and their indexes. (stub)

use crate::config::Config;
use crate::ids::IdGen;
use crate::state::Org;

#[derive(Debug)]
pub struct Store {
    pub ids: IdGen,
}

impl Store {
    pub fn seeded(_config: &Config, _org: &Org, ids: IdGen) -> Self {
        Store { ids }
    }
}
