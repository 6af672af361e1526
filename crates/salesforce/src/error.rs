//! The crate's one error type: Salesforce's own error bodies kept intact, OAuth errors, network
//! failures and undecodable answers — plus [`Error::user_message`], the one place that turns them
//! into words a person can act on, and [`map_response`], the one place every HTTP answer is judged.

use serde::{Deserialize, Deserializer, Serialize};

use crate::transport::{HttpResponse, TransportError};

/// One entry of Salesforce's REST error array, `{"errorCode","message","fields"}`. sObject
/// Collections call the code `statusCode`; both spellings land here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    #[serde(rename = "errorCode", alias = "statusCode")]
    pub error_code: String,
    #[serde(default)]
    pub message: String,
    /// Field API names the error is about (may be empty).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub fields: Vec<String>,
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// Everything that can go wrong talking to an org.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No HTTP answer at all: unreachable host, or (in a browser) a CORS block.
    #[error("could not reach {host} ({url}): {detail}")]
    Network {
        host: String,
        url: String,
        detail: String,
    },
    /// The REST API answered with its error array.
    #[error("HTTP {status} on {path}: {}", summary(errors))]
    Api {
        status: u16,
        path: String,
        errors: Vec<ApiError>,
    },
    /// An OAuth endpoint answered `{"error","error_description"}`.
    #[error("OAuth error {error} (HTTP {status}): {}", description.as_deref().unwrap_or(""))]
    OAuth {
        status: u16,
        error: String,
        description: Option<String>,
    },
    /// The org sent the browser back with `?error=…` instead of a code (e.g. the user chose Deny).
    #[error("sign-in refused: {error}: {}", description.as_deref().unwrap_or(""))]
    AuthorizationDenied {
        error: String,
        description: Option<String>,
    },
    /// The callback's `state` matches no pending login kept by this tab (used twice, opened in
    /// another tab, older than 15 minutes, or forged).
    #[error("no pending sign-in for this callback's state")]
    UnknownLoginState,
    /// The page was opened with an OAuth error whose `state` matches no sign-in this tab started:
    /// its words are not the org's, so none of them is shown.
    #[error("a sign-in error this tab did not ask for")]
    UnrequestedAnswer,
    /// The access token expired and refreshing it failed: the app must sign out, showing `reason`.
    #[error("session ended: {reason}")]
    SessionEnded { reason: String },
    /// An error status whose body is not a Salesforce error (an HTML error page, a proxy's text).
    #[error("HTTP {status} on {path}: {body}")]
    Http {
        status: u16,
        path: String,
        body: String,
    },
    /// A success status whose body could not be read as expected.
    #[error("could not read the answer of {path} (HTTP {status}): {detail}; body: {body}")]
    Decode {
        status: u16,
        path: String,
        body: String,
        detail: String,
    },
    /// Input refused before sending anything (a malformed id, URL, field name…).
    #[error("invalid {what}: {message}")]
    InvalidInput { what: &'static str, message: String },
}

fn summary(errors: &[ApiError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.error_code, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Bodies kept in errors are cut so an HTML error page does not flood the screen.
const BODY_LIMIT: usize = 2000;

/// What an error holds instead of the body of an OAuth endpoint's answer.
const NOT_KEPT: &str = "[not kept: answers of the OAuth endpoints carry tokens]";

/// The OAuth endpoints (`/services/oauth2/token`, `…/revoke`, `…/userinfo`…): their answers hold
/// access and refresh tokens, so no error keeps their bodies.
fn carries_tokens(path: &str) -> bool {
    crate::client::path_only(path).starts_with("/services/oauth2/")
}

/// What an error keeps of an answer's body from `path`: nothing of an OAuth endpoint's, else the
/// body clipped.
fn kept_body(path: &str, body: &str) -> String {
    if carries_tokens(path) {
        NOT_KEPT.to_string()
    } else {
        clip(body)
    }
}

pub(crate) fn clip(body: &str) -> String {
    if body.len() <= BODY_LIMIT {
        body.to_string()
    } else {
        let mut end = BODY_LIMIT;
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}… [{} bytes in all]", &body[..end], body.len())
    }
}

impl Error {
    /// A network error for `url` (the host is named in the message a person sees).
    pub fn network(err: TransportError) -> Error {
        let parsed = url::Url::parse(&err.url).ok();
        let host = parsed
            .as_ref()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            })
            .unwrap_or_else(|| err.url.clone());
        let url = parsed
            .map(|u| format!("{}{}", u.origin().ascii_serialization(), u.path()))
            .unwrap_or(err.url);
        Error::Network {
            host,
            url,
            detail: err.detail,
        }
    }

    /// A body that could not be decoded, with the path it came from. Answers of the OAuth
    /// endpoints hold tokens, so neither their body nor the decoder's detail (which may quote a
    /// value) is kept: an error's text is shown on screen and may be copied into a ticket.
    pub fn decode(path: &str, resp: &HttpResponse, detail: impl ToString) -> Error {
        let detail = if carries_tokens(path) {
            "not the JSON expected".to_string()
        } else {
            detail.to_string()
        };
        Error::Decode {
            status: resp.status,
            path: path.to_string(),
            body: kept_body(path, &resp.body),
            detail,
        }
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::OAuth { status, .. }
            | Error::Http { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Salesforce's first `errorCode` (REST) or OAuth `error`.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Api { errors, .. } => errors.first().map(|e| e.error_code.as_str()),
            Error::OAuth { error, .. } | Error::AuthorizationDenied { error, .. } => {
                Some(error.as_str())
            }
            _ => None,
        }
    }

    /// True for `INVALID_SESSION_ID`: the access token expired or was revoked. Not every 401:
    /// an Apex REST class may answer 401 itself.
    pub fn is_invalid_session(&self) -> bool {
        matches!(self, Error::Api { .. }) && self.error_code() == Some("INVALID_SESSION_ID")
    }

    /// `(field API name, message)` pairs, so a form can show each message beside its field.
    /// Errors naming no field are returned with an empty field name.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        match self {
            Error::Api { errors, .. } => errors
                .iter()
                .flat_map(|e| {
                    if e.fields.is_empty() {
                        vec![(String::new(), e.message.clone())]
                    } else {
                        e.fields
                            .iter()
                            .map(|f| (f.clone(), e.message.clone()))
                            .collect()
                    }
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// What went wrong, in words a person can act on.
    ///
    /// ```
    /// use salesforce::error::{ApiError, Error};
    /// let err = Error::Api { status: 401, path: "/services/data/v67.0/query".into(), errors: vec![ApiError {
    ///     error_code: "INVALID_SESSION_ID".into(), message: "Session expired or invalid".into(), fields: vec![] }] };
    /// assert_eq!(err.user_message(), "Your session expired; sign in again.");
    /// ```
    pub fn user_message(&self) -> String {
        match self {
            Error::Network { host, .. } => format!(
                "Could not reach {host}. Check the URL, your network, and that this page's origin is on the org's CORS allowlist (Setup → CORS)."
            ),
            Error::Api { status, errors, .. } => api_message(*status, errors),
            Error::OAuth {
                error, description, ..
            } => oauth_message(error, description.as_deref()),
            Error::AuthorizationDenied { error, description } => {
                if error == "access_denied" || error == "access-denied" {
                    "You chose not to allow OrgBridge access to the org, so you are not signed in. Sign in again and choose Allow to continue.".to_string()
                } else {
                    oauth_message(error, description.as_deref())
                }
            }
            Error::UnrequestedAnswer => "OrgBridge ignored a sign-in answer this tab did not ask for: its state matches no sign-in started here (an old, reused or forged link), so nothing it says is shown. Start the sign-in again if you meant to sign in.".to_string(),
            Error::UnknownLoginState => "This sign-in link was already used or was opened in another tab; start the sign-in again.".to_string(),
            // The reason already says what ended and what to do ("…; sign in again.").
            Error::SessionEnded { reason } => reason.clone(),
            Error::Http { status, .. } if *status >= 500 => format!(
                "The org had a problem answering (HTTP {status}). Try again in a moment."
            ),
            Error::Http { status: 403, .. } => "The org refused the request (HTTP 403). If this page's origin is not on the org's CORS allowlist, ask an admin to add it (Setup → CORS).".to_string(),
            Error::Http { status: 404, path, .. } => format!(
                "The org has no {path}. Check that the URL points at a Salesforce org."
            ),
            Error::Http { status, path, .. } => format!(
                "The org answered {path} with HTTP {status}, which OrgBridge did not expect."
            ),
            Error::Decode { path, .. } => format!(
                "The org's answer to {path} could not be read. Check that the URL points at a Salesforce org; the details below show what came back."
            ),
            Error::InvalidInput { message, .. } => message.clone(),
        }
    }
}

fn api_message(status: u16, errors: &[ApiError]) -> String {
    let Some(first) = errors.first() else {
        return format!("The org refused the request (HTTP {status}).");
    };
    let msg = first.message.trim();
    match first.error_code.as_str() {
        "INVALID_SESSION_ID" => "Your session expired; sign in again.".to_string(),
        "REQUEST_LIMIT_EXCEEDED" => format!(
            "The org has used its daily API allowance ({msg}). Wait until it resets, or ask an admin to raise the limit."
        ),
        "MALFORMED_QUERY" | "INVALID_FIELD" | "INVALID_QUERY_FILTER_OPERATOR" => {
            format!("The query is not valid: {msg}")
        }
        "NOT_FOUND" => "That record or resource does not exist; it may have been deleted, or you may not have access to it.".to_string(),
        "ENTITY_IS_DELETED" => "That record has been deleted.".to_string(),
        "INVALID_TYPE" => format!("The org does not know this object: {msg}"),
        "INSUFFICIENT_ACCESS" | "INSUFFICIENT_ACCESS_OR_READONLY" | "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY" => {
            format!("You do not have permission to do this: {msg}")
        }
        "API_DISABLED_FOR_ORG" | "API_CURRENTLY_DISABLED" => format!(
            "The API is not enabled for this org or user ({msg}). Ask an admin to grant the \"API Enabled\" permission."
        ),
        "INVALID_QUERY_LOCATOR" => "The list expired on the server; reload it.".to_string(),
        // Validation-type errors: Salesforce's message is written for the person who typed the data.
        _ if errors.len() > 1 => errors
            .iter()
            .map(|e| e.message.trim().to_string())
            .collect::<Vec<_>>()
            .join(" "),
        _ if !msg.is_empty() => msg.to_string(),
        code => format!("The org refused the request ({code}, HTTP {status})."),
    }
}

fn oauth_message(error: &str, description: Option<&str>) -> String {
    let desc = description.unwrap_or("").trim();
    match error {
        "invalid_grant" if desc.contains("refresh") => {
            "Your session ended (the org revoked or expired its refresh token); sign in again.".to_string()
        }
        "invalid_grant" if desc.contains("verifier") => {
            "The org could not verify this sign-in (PKCE code verifier mismatch); start the sign-in again.".to_string()
        }
        "invalid_grant" if desc.contains("authorization code") || desc.contains("code") => {
            "The sign-in code expired or was already used; start the sign-in again.".to_string()
        }
        "invalid_grant" => format!("The org refused the sign-in ({desc}); start the sign-in again."),
        "invalid_client_id" => "The org does not recognise the consumer key. Copy the Consumer Key of the org's External Client App into the sign-in form.".to_string(),
        "invalid_client" => "The org rejected the client credentials. For a browser app, turn off \"Require Secret for Web Server Flow\" (and for refresh) in the External Client App's OAuth settings.".to_string(),
        "redirect_uri_mismatch" | "redirect_uri_missing" => "The org does not accept this page as a callback URL. Add this page's exact address to the External Client App's Callback URL list.".to_string(),
        "invalid_scope" => "The org's app does not allow the requested scopes. Add \"api\" and \"refresh_token\" to the External Client App's OAuth scopes.".to_string(),
        "inactive_user" => "Your Salesforce user is inactive; ask an admin to activate it.".to_string(),
        "inactive_org" => "This org is inactive or locked; contact its admin.".to_string(),
        "rate_limit_exceeded" => "Too many sign-in attempts; wait a few minutes and try again.".to_string(),
        "invalid_app_access" | "user_not_approved" => "Your user is not allowed to use this app; ask an admin to give your profile or permission set access to the External Client App.".to_string(),
        "oauth_flow_disabled" | "unsupported_grant_type" => "The org's app does not allow this sign-in flow; enable the Authorization Code (web server) flow with PKCE in the External Client App.".to_string(),
        "immediate_unsuccessful" => "You are not signed in to the org yet; sign in again.".to_string(),
        "invalid_token" | "unsupported_token_type" => "The org no longer knows this token (it was already revoked or expired).".to_string(),
        "invalid_request" if !desc.is_empty() => format!("The org rejected the sign-in request: {desc}."),
        _ if !desc.is_empty() => format!("Sign-in failed: {desc} ({error})."),
        _ => format!("Sign-in failed ({error})."),
    }
}

#[derive(Deserialize)]
struct OAuthBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Judges one HTTP answer: 2xx passes through; anything else becomes the matching [`Error`] —
/// Salesforce's REST error array, an OAuth error (JSON or urlencoded), or the raw body.
///
/// ```
/// use salesforce::{error::{map_response, Error}, transport::HttpResponse};
/// let resp = HttpResponse { status: 403, headers: vec![],
///     body: r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#.into() };
/// let err = map_response("/services/data/v67.0/query", resp).unwrap_err();
/// assert_eq!(err.error_code(), Some("REQUEST_LIMIT_EXCEEDED"));
/// assert!(err.user_message().contains("daily API allowance"));
/// ```
pub fn map_response(path: &str, resp: HttpResponse) -> Result<HttpResponse, Error> {
    if resp.is_success() {
        return Ok(resp);
    }
    Err(error_from_body(path, &resp))
}

/// The error an unsuccessful response stands for (see [`map_response`]).
pub fn error_from_body(path: &str, resp: &HttpResponse) -> Error {
    let body = resp.body.trim();
    if let Ok(errors) = serde_json::from_str::<Vec<ApiError>>(body) {
        if !errors.is_empty() {
            return Error::Api {
                status: resp.status,
                path: path.to_string(),
                errors,
            };
        }
    }
    // A single error object appears on some endpoints instead of the array.
    if let Ok(single) = serde_json::from_str::<ApiError>(body) {
        return Error::Api {
            status: resp.status,
            path: path.to_string(),
            errors: vec![single],
        };
    }
    if let Ok(o) = serde_json::from_str::<OAuthBody>(body) {
        return Error::OAuth {
            status: resp.status,
            error: o.error,
            description: o.error_description,
        };
    }
    // The revoke endpoint has been seen answering urlencoded `error=…&error_description=…`.
    if body.starts_with("error=") {
        let mut error = None;
        let mut description = None;
        for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
            match k.as_ref() {
                "error" => error = Some(v.into_owned()),
                "error_description" => description = Some(v.into_owned()),
                _ => {}
            }
        }
        if let Some(error) = error {
            return Error::OAuth {
                status: resp.status,
                error,
                description,
            };
        }
    }
    Error::Http {
        status: resp.status,
        path: path.to_string(),
        body: kept_body(path, body),
    }
}

/// Decodes a success body as `T`, or a [`Error::Decode`] carrying the raw body and path.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    path: &str,
    resp: &HttpResponse,
) -> Result<T, Error> {
    serde_json::from_str(&resp.body).map_err(|e| Error::decode(path, resp, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.into(),
        }
    }

    #[test]
    fn rest_error_array_keeps_code_message_and_fields() {
        let err = map_response(
            "/services/data/v67.0/sobjects/Account",
            resp(400, r#"[{"message":"Required fields are missing: [Name]","errorCode":"REQUIRED_FIELD_MISSING","fields":["Name"]}]"#),
        )
        .unwrap_err();
        assert_eq!(err.error_code(), Some("REQUIRED_FIELD_MISSING"));
        assert_eq!(err.status(), Some(400));
        assert_eq!(
            err.field_errors(),
            vec![(
                "Name".to_string(),
                "Required fields are missing: [Name]".to_string()
            )]
        );
        assert_eq!(err.user_message(), "Required fields are missing: [Name]");
    }

    #[test]
    fn null_fields_and_collection_status_code_are_understood() {
        let errs: Vec<ApiError> = serde_json::from_str(
            r#"[{"statusCode":"DUPLICATES_DETECTED","message":"Use one of these records?","fields":null}]"#,
        )
        .unwrap();
        assert_eq!(errs[0].error_code, "DUPLICATES_DETECTED");
        assert!(errs[0].fields.is_empty());
    }

    #[test]
    fn session_and_limit_errors_say_what_to_do() {
        let expired = map_response(
            "/q",
            resp(
                401,
                r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
            ),
        )
        .unwrap_err();
        assert!(expired.is_invalid_session());
        assert_eq!(
            expired.user_message(),
            "Your session expired; sign in again."
        );
        let limit = map_response("/q", resp(403, r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#)).unwrap_err();
        assert!(!limit.is_invalid_session());
        assert!(limit
            .user_message()
            .starts_with("The org has used its daily API allowance"));
    }

    #[test]
    fn malformed_query_shows_the_orgs_message() {
        let err = map_response(
            "/q",
            resp(
                400,
                r#"[{"message":"unexpected token: q","errorCode":"MALFORMED_QUERY"}]"#,
            ),
        )
        .unwrap_err();
        assert_eq!(
            err.user_message(),
            "The query is not valid: unexpected token: q"
        );
    }

    #[test]
    fn oauth_errors_json_and_urlencoded() {
        let err = map_response(
            "/services/oauth2/token",
            resp(
                400,
                r#"{"error":"invalid_grant","error_description":"expired authorization code"}"#,
            ),
        )
        .unwrap_err();
        assert_eq!(err.error_code(), Some("invalid_grant"));
        assert!(err.user_message().contains("expired or was already used"));
        let err = map_response(
            "/services/oauth2/token",
            resp(
                400,
                r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#,
            ),
        )
        .unwrap_err();
        assert!(err.user_message().contains("sign in again"));
        let err = map_response("/services/oauth2/revoke", resp(400, "error=unsupported_token_type&error_description=this%20token%20type%20is%20not%20supported")).unwrap_err();
        assert_eq!(
            err,
            Error::OAuth {
                status: 400,
                error: "unsupported_token_type".into(),
                description: Some("this token type is not supported".into())
            }
        );
        let err = map_response(
            "/services/oauth2/token",
            resp(
                400,
                r#"{"error":"invalid_client_id","error_description":"client identifier invalid"}"#,
            ),
        )
        .unwrap_err();
        assert!(err.user_message().contains("consumer key"));
    }

    #[test]
    fn html_error_pages_keep_the_raw_body_and_path() {
        let err =
            map_response("/services/data/", resp(502, "<html>Bad gateway</html>")).unwrap_err();
        assert_eq!(
            err,
            Error::Http {
                status: 502,
                path: "/services/data/".into(),
                body: "<html>Bad gateway</html>".into()
            }
        );
        assert!(err.user_message().contains("Try again"));
        let long = "x".repeat(5000);
        match map_response("/p", resp(500, &long)).unwrap_err() {
            Error::Http { body, .. } => {
                assert!(body.len() < 2100 && body.ends_with("[5000 bytes in all]"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn network_errors_name_the_host_and_cors() {
        let err = Error::network(TransportError::new(
            "https://acme.my.salesforce.com/services/data/?q=secret",
            "Failed to fetch",
        ));
        assert_eq!(err.user_message(), "Could not reach acme.my.salesforce.com. Check the URL, your network, and that this page's origin is on the org's CORS allowlist (Setup → CORS).");
        assert!(!format!("{err}").contains("secret"));
    }

    /// Every way an OAuth endpoint's answer can fail to be read: no error's Display or Debug may
    /// show a token that was in it.
    #[test]
    fn no_error_from_an_oauth_endpoint_shows_a_token() {
        const ACCESS: &str = "00Dx0000000BV7z!AQ8AQSECRETACCESS";
        const REFRESH: &str = "5Aep861SECRETREFRESH";
        let answers = [
            // A success whose shape is off: a missing field, a wrong type, cut short.
            (
                200,
                format!(r#"{{"access_token":"{ACCESS}","refresh_token":"{REFRESH}"}}"#),
            ),
            (
                200,
                format!(
                    r#"{{"access_token":"{ACCESS}","refresh_token":"{REFRESH}","instance_url":7}}"#
                ),
            ),
            (
                200,
                format!(r#"{{"access_token":["{ACCESS}"],"instance_url":"{REFRESH}"}}"#),
            ),
            (
                200,
                format!(
                    r#"{{"access_token":"{ACCESS}","refresh_token":"{REFRESH}","instance_url":"#
                ),
            ),
            (
                200,
                format!("access_token={ACCESS}&refresh_token={REFRESH}"),
            ),
            // An error status with a body that is not an OAuth error (a proxy echoing the request).
            (
                500,
                format!("<html>token={ACCESS} refresh={REFRESH}</html>"),
            ),
            (401, format!("refresh_token={REFRESH}")),
        ];
        for (status, body) in answers {
            let resp = HttpResponse {
                status,
                headers: vec![],
                body,
            };
            let token = crate::oauth::parse_token_response(resp.clone()).unwrap_err();
            // userinfo's fields all have defaults: some of these bodies read as an empty user.
            let userinfo = crate::oauth::parse_userinfo(resp.clone()).err();
            let revoke = map_response("/services/oauth2/revoke", resp.clone())
                .and_then(|r| decode_json::<Vec<ApiError>>("/services/oauth2/revoke", &r))
                .unwrap_err();
            for err in [Some(token), userinfo, Some(revoke)].into_iter().flatten() {
                let shown = format!("{err} {err:?} {}", err.user_message());
                assert!(
                    !shown.contains("SECRETACCESS") && !shown.contains("SECRETREFRESH"),
                    "{shown}"
                );
            }
        }
    }

    #[test]
    fn denied_access_is_explained() {
        for code in ["access_denied", "access-denied"] {
            let err = Error::AuthorizationDenied {
                error: code.into(),
                description: Some("end-user denied authorization".into()),
            };
            assert!(err.user_message().contains("choose Allow"));
        }
        assert!(Error::UnknownLoginState
            .user_message()
            .contains("another tab"));
    }
}
