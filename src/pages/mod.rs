//! The app's pages: home (the signed-in orgs and the sign-in) and the setup guide.

pub mod home;
pub mod org_bar;
pub mod setup_guide;
pub mod sign_in;
pub mod signed_in;
