//! Copying and syncing accounts from one org (the source) into another (the target), as plain
//! Rust: nothing here talks to an org or a browser, so all of it is tested natively.
//!
//! The steps, each a module: [`fields`] (what a target field accepts), [`mapping`] (which source
//! field feeds which target field, proposed and checked), [`key`] (how a source record finds its
//! target record: a target External ID field), [`owners`] (source owners to target users),
//! [`preview`] (every record's Insert / Update / Unchanged / Blocked, nothing written) and
//! [`plan`] (the target read and the write calls, parents before children, 200 per call) and
//! [`run`] (the calls made, resumable after a reload, through a [`run::Writer`] such as
//! [`rest_writer::RestUpsert`], or through Bulk API 2.0 jobs by [`bulk`]); [`watermark`] (where the last full sync got to) and [`kept`]
//! (a run as the browser keeps it, versioned).

pub mod bulk;
pub mod fields;
pub mod kept;
pub mod key;
pub mod mapping;
pub mod owners;
pub mod pair;
pub mod plan;
pub mod preview;
pub mod read;
pub mod record_types;
pub mod report;
pub mod rest_writer;
pub mod run;
pub mod watermark;

#[cfg(test)]
mod testing;
