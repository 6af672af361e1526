//! The app's pages: home (sign-in or the signed-in view) and the setup guide.

pub mod home;
pub mod setup_guide;
pub mod sign_in;
pub mod signed_in;
