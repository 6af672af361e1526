//! The write step through the REST API: sObject Collections upserts by the key field, 200
//! records per call, `allOrNone` false (one refused record does not stop the other 199).

use salesforce::error::Error;
use salesforce::rest::{Record, UpsertItem};
use salesforce::transport::Transport;
use salesforce::types::ExternalIdField;
use salesforce::Client;

use crate::run::Writer;

pub struct RestUpsert<'a, T: Transport> {
    pub client: &'a Client<T>,
    pub sobject: &'a str,
    pub key: ExternalIdField,
}

impl<T: Transport> Writer for RestUpsert<'_, T> {
    async fn write(&self, records: Vec<Record>) -> Result<Vec<UpsertItem>, Error> {
        self.client
            .upsert_collection(self.sobject, &self.key, &records, false)
            .await
    }
}
