//! REST API resources as methods on [`Client`](crate::client::Client): describe, query with paging,
//! record CRUD and upsert, sObject Collections, Bulk API 2.0 ingest jobs, and raw Apex REST calls.

pub mod apex;
pub mod bulk;
pub mod collections;
pub mod describe;
pub mod query;
pub mod records;

/// A record as Salesforce returns it: field API name → JSON value (plus `attributes`).
pub type Record = serde_json::Map<String, serde_json::Value>;

pub use bulk::{BulkOperation, JobInfo, JobResults, JobState};
pub use collections::{
    CollectionResult, CollectionWrite, RecordOutcome, UpsertItem, COLLECTION_LIMIT,
};
pub use describe::{FieldDescribe, PicklistValue, RecordTypeInfo, SObjectDescribe};
pub use query::QueryPage;
pub use records::UpsertOutcome;
