//! Small building blocks shared by the pages: alerts, busy indicators.

pub mod alert;
pub mod busy;
