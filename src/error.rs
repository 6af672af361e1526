//! The app's one error type: what stopped a sign-in or a check, from the org or the client
//! (`salesforce::Error`), from the setup probes, or from the browser. [`AppError::message`] is
//! the one place it becomes words (the client's errors through `Error::user_message`).

use salesforce::error::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppError {
    /// The org answered with an error, or could not be reached, or refused what was sent.
    Org(Error),
    /// A setup probe found what the org is missing for this page; the finding says it in words.
    Setup(String),
    /// The browser would not do it (a pop-up blocked, a page it would not open); says what.
    Browser(String),
    /// The org sent the page back with neither a code nor an error.
    NoSignInResult,
    /// One of two orgs on screen failed ("source" or "target"): the words name which.
    InOrg { side: &'static str, error: Error },
}

impl AppError {
    /// What went wrong, in words a person can act on.
    pub fn message(&self) -> String {
        match self {
            AppError::Org(e) => e.user_message(),
            AppError::Setup(finding) | AppError::Browser(finding) => finding.clone(),
            AppError::NoSignInResult => {
                "The org sent this page back without a sign-in result. Start again.".into()
            }
            AppError::InOrg { side, error } => format!("The {side} org: {}", error.user_message()),
        }
    }
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        AppError::Org(e)
    }
}

impl From<orgbridge_sync::read::ReadError> for AppError {
    fn from(e: orgbridge_sync::read::ReadError) -> Self {
        AppError::InOrg {
            side: e.side.name(),
            error: e.error,
        }
    }
}

impl From<orgbridge_sync::read::ReadFailure> for AppError {
    fn from(f: orgbridge_sync::read::ReadFailure) -> Self {
        match f {
            orgbridge_sync::read::ReadFailure::Org(e) => e.into(),
            // The browser could not hold the preview: its words say how to split the copy.
            orgbridge_sync::read::ReadFailure::TooBig(why) => AppError::Browser(why),
        }
    }
}

/// Lets `ErrorAlert` (whose message is a `String`) take an `AppError` as it is: shown in its words.
impl From<AppError> for String {
    fn from(e: AppError) -> Self {
        e.message()
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}
