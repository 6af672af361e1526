//! The write step through the REST API: sObject Collections upserts by the key field and
//! deletes, 200 records per call, `allOrNone` false (one refused record does not stop the other
//! 199); the conflict check through a Collections retrieve (ids in the body, 2,000 per call).

use salesforce::error::Error;
use salesforce::rest::{Record, UpsertItem};
use salesforce::transport::Transport;
use salesforce::types::{ExternalIdField, RecordId};
use salesforce::Client;
use serde_json::Value;

use crate::run::{Stamp, Writer};

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

    async fn delete(&self, ids: Vec<RecordId>) -> Result<Vec<Result<(), String>>, Error> {
        Ok(self
            .client
            .delete_collection(&ids)
            .await?
            .into_iter()
            .map(|r| {
                r.map_err(|errors| {
                    errors
                        .iter()
                        .map(|e| e.message.clone())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
            })
            .collect())
    }

    async fn stamps(&self, ids: Vec<RecordId>) -> Result<Vec<Option<Stamp>>, Error> {
        let text = |r: &Record, f: &str| {
            r.get(f)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Ok(self
            .client
            .retrieve_collection(
                self.sobject,
                &ids,
                &["Id", "SystemModstamp", "LastModifiedById"],
            )
            .await?
            .into_iter()
            .map(|r| {
                r.map(|r| Stamp {
                    modstamp: text(&r, "SystemModstamp"),
                    by: text(&r, "LastModifiedById"),
                })
            })
            .collect())
    }

    fn user(&self) -> String {
        self.client.session().user.user_id
    }
}
