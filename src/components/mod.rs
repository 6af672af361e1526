//! Small building blocks shared by the pages: alerts, busy indicators, the one way a screen shows
//! what it fetches, a form field and the grid of them, the link that opens an account.

pub mod account_link;
pub mod alert;
pub mod busy;
pub mod fetched;
pub mod field_control;
