//! Parsed values the rest of the crate can trust: record ids, API versions, instance URLs, field
//! names, and the OAuth secrets (whose `Debug` never prints them).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::Error;

const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

fn invalid(what: &'static str, message: impl Into<String>) -> Error {
    Error::InvalidInput {
        what,
        message: message.into(),
    }
}

/// A Salesforce record id in its 18-character case-safe form.
///
/// ```
/// use salesforce::types::RecordId;
/// let id = RecordId::parse("001D000000IqhSL").unwrap();
/// assert_eq!(id.as_str(), "001D000000IqhSLIAZ");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RecordId(String);

impl RecordId {
    /// Accepts a 15-character (case-sensitive) or 18-character id and returns the 18-character form.
    /// An 18-character id whose suffix does not match its first 15 characters is rejected: it was
    /// mistyped or truncated and would silently address another record.
    pub fn parse(text: &str) -> Result<RecordId, Error> {
        let text = text.trim();
        if !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid(
                "record id",
                format!("“{text}” is not a record id: ids contain only letters and digits"),
            ));
        }
        match text.len() {
            15 => Ok(RecordId(format!("{text}{}", case_safe_suffix(text)))),
            18 => {
                let suffix = case_safe_suffix(&text[..15]);
                if suffix.eq_ignore_ascii_case(&text[15..]) {
                    Ok(RecordId(format!("{}{suffix}", &text[..15])))
                } else {
                    Err(invalid(
                        "record id",
                        format!("“{text}” is not a valid record id (its last 3 characters do not match the first 15)"),
                    ))
                }
            }
            n => Err(invalid(
                "record id",
                format!("“{text}” is not a record id: ids have 15 or 18 characters, this has {n}"),
            )),
        }
    }

    /// The 18-character id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 3-character key prefix naming the object type (`001` = Account).
    pub fn key_prefix(&self) -> &str {
        &self.0[..3]
    }

    /// The 15-character case-sensitive form.
    pub fn to_15(&self) -> &str {
        &self.0[..15]
    }
}

/// The 3-character suffix that makes a 15-character id case-insensitively unique: each character
/// encodes which of 5 characters are upper case.
pub fn case_safe_suffix(id15: &str) -> String {
    id15.as_bytes()
        .chunks(5)
        .map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            SUFFIX[bits] as char
        })
        .collect()
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RecordId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        RecordId::parse(s)
    }
}

impl<'de> Deserialize<'de> for RecordId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RecordId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A REST API version such as `67.0`; ordered numerically so the newest can be picked.
///
/// ```
/// use salesforce::types::ApiVersion;
/// let v = ApiVersion::parse("v67.0").unwrap();
/// assert_eq!(v.to_string(), "67.0");
/// assert_eq!(v.path_segment(), "v67.0");
/// assert!(ApiVersion::parse("9.0").unwrap() < ApiVersion::parse("10.0").unwrap());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiVersion {
    major: u16,
    minor: u16,
}

impl ApiVersion {
    /// Parses `67.0` or `v67.0`.
    pub fn parse(text: &str) -> Result<ApiVersion, Error> {
        let t = text.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        let bad = || {
            invalid(
                "API version",
                format!("“{text}” is not an API version such as 67.0"),
            )
        };
        let (major, minor) = t.split_once('.').ok_or_else(bad)?;
        Ok(ApiVersion {
            major: major.parse().map_err(|_| bad())?,
            minor: minor.parse().map_err(|_| bad())?,
        })
    }

    /// `v67.0`, as used in `/services/data/v67.0/…`.
    pub fn path_segment(&self) -> String {
        format!("v{self}")
    }

    /// The major version number (67 for `67.0`).
    pub fn major(&self) -> u16 {
        self.major
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for ApiVersion {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        ApiVersion::parse(s)
    }
}

impl Serialize for ApiVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ApiVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ApiVersion::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The base URL of an org (login host, My Domain, instance): `https://…`, or `http://` only for a
/// local host, because tokens must never travel in clear text to anything else. Stored without a
/// trailing slash; an Experience Cloud site may keep its path prefix.
///
/// ```
/// use salesforce::types::InstanceUrl;
/// let url = InstanceUrl::parse("https://acme.my.salesforce.com/").unwrap();
/// assert_eq!(url.join("/services/data/"), "https://acme.my.salesforce.com/services/data/");
/// assert!(InstanceUrl::parse("http://acme.my.salesforce.com").is_err());
/// assert!(InstanceUrl::parse("http://127.0.0.1:8787").is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct InstanceUrl(String);

impl InstanceUrl {
    /// Parses and normalises an org URL. A bare host (`acme.my.salesforce.com`) gets `https://`.
    pub fn parse(text: &str) -> Result<InstanceUrl, Error> {
        let t = text.trim();
        if t.is_empty() {
            return Err(invalid(
                "org URL",
                "Enter the org's URL, for example https://yourcompany.my.salesforce.com",
            ));
        }
        let with_scheme = if t.contains("://") {
            t.to_string()
        } else {
            format!("https://{t}")
        };
        // Salesforce hosts are ASCII; the app's URL parser has no Unicode (IDNA) tables to convert
        // an internationalised name, so say so rather than fail with a parser message.
        if !with_scheme.is_ascii() {
            return Err(invalid(
                "org URL",
                format!("“{t}” contains non-ASCII characters; Salesforce org URLs are plain ASCII (for an internationalised domain, enter its xn-- form)"),
            ));
        }
        let url = url::Url::parse(&with_scheme).map_err(|e| {
            invalid("org URL", format!("“{t}” is not a URL ({e}); enter something like https://yourcompany.my.salesforce.com"))
        })?;
        let host = url.host_str().unwrap_or_default().to_string();
        match url.scheme() {
            "https" => {}
            "http" if is_local_host(&host) => {}
            "http" => {
                return Err(invalid(
                    "org URL",
                    format!("“{t}” uses http://; Salesforce requires https:// (http is allowed only for localhost)"),
                ))
            }
            other => {
                return Err(invalid(
                    "org URL",
                    format!("“{t}” uses {other}://; an org URL starts with https://"),
                ))
            }
        }
        if host.is_empty() {
            return Err(invalid("org URL", format!("“{t}” has no host name")));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(
                "org URL",
                format!("“{t}” has a query or fragment; enter just the org's address"),
            ));
        }
        let mut s = url.to_string();
        while s.ends_with('/') {
            s.pop();
        }
        Ok(InstanceUrl(s))
    }

    /// The URL without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host name (for messages such as "Could not reach acme.my.salesforce.com").
    pub fn host(&self) -> String {
        url::Url::parse(&self.0)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            })
            .unwrap_or_else(|| self.0.clone())
    }

    /// The origin (`scheme://host[:port]`), as a browser would send it.
    pub fn origin(&self) -> String {
        url::Url::parse(&self.0)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| self.0.clone())
    }

    /// Appends an absolute path (`/services/…`) or returns `path` unchanged if it is already a URL.
    pub fn join(&self, path: &str) -> String {
        if path.starts_with("https://") || path.starts_with("http://") {
            path.to_string()
        } else if path.starts_with('/') {
            format!("{}{path}", self.0)
        } else {
            format!("{}/{path}", self.0)
        }
    }

    /// True for login.salesforce.com / test.salesforce.com, whose OAuth endpoints never answer CORS
    /// requests from a browser (only My Domain hosts do).
    pub fn is_generic_login_host(&self) -> bool {
        let host = self.host().to_ascii_lowercase();
        host == "login.salesforce.com" || host == "test.salesforce.com"
    }
}

fn is_local_host(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1")
}

impl fmt::Display for InstanceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for InstanceUrl {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        InstanceUrl::parse(s)
    }
}

impl<'de> Deserialize<'de> for InstanceUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        InstanceUrl::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Checks an API name (object or field: `Account`, `Ext_Id__c`, `ns__Field__c`, `Owner.Name` when
/// `allow_dots`). Names go into URL paths and SOQL, so anything else is refused.
pub(crate) fn check_api_name(
    what: &'static str,
    name: &str,
    allow_dots: bool,
) -> Result<(), Error> {
    let ok_part = |p: &str| {
        let mut chars = p.chars();
        matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let ok = if allow_dots {
        !name.is_empty() && name.split('.').all(ok_part)
    } else {
        ok_part(name)
    };
    if ok {
        Ok(())
    } else {
        Err(invalid(
            what,
            format!("“{name}” is not a valid {what}: use the API name, letters, digits and _ only (e.g. Name, Ext_Id__c)"),
        ))
    }
}

/// The API name of a field marked External ID (or `Id`), used in upsert URLs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ExternalIdField(String);

impl ExternalIdField {
    /// Accepts an API name such as `Ext_Id__c`.
    pub fn parse(text: &str) -> Result<ExternalIdField, Error> {
        let t = text.trim();
        check_api_name("external ID field", t, false)?;
        Ok(ExternalIdField(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ExternalIdField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ExternalIdField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ExternalIdField::parse(&s).map_err(serde::de::Error::custom)
    }
}

macro_rules! secret {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }
            /// The secret itself: only for putting it on the wire.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        // Secrets never reach logs or panic messages.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret!(
    /// An OAuth access token (a Salesforce session id). Its `Debug` is redacted.
    AccessToken
);
secret!(
    /// An OAuth refresh token. Its `Debug` is redacted.
    RefreshToken
);
secret!(
    /// An authorization code from the callback, valid once for 15 minutes. Its `Debug` is redacted.
    AuthorizationCode
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_id_15_becomes_18_with_case_safe_suffix() {
        // Salesforce's documented example id.
        let id = RecordId::parse("001D000000IqhSL").unwrap();
        assert_eq!(id.as_str(), "001D000000IqhSLIAZ");
        assert_eq!(id.to_15(), "001D000000IqhSL");
        assert_eq!(id.key_prefix(), "001");
    }

    #[test]
    fn record_id_18_suffix_is_checked_case_insensitively() {
        assert_eq!(
            RecordId::parse("001D000000IqhSLiaz").unwrap().as_str(),
            "001D000000IqhSLIAZ"
        );
        let err = RecordId::parse("001D000000IqhSLAAA").unwrap_err();
        assert!(
            err.user_message().contains("do not match"),
            "{}",
            err.user_message()
        );
    }

    #[test]
    fn record_id_rejects_wrong_length_and_symbols() {
        assert!(RecordId::parse("001D0000")
            .unwrap_err()
            .user_message()
            .contains("15 or 18"));
        assert!(RecordId::parse("001D000000Iq/SL").is_err());
        assert!(RecordId::parse("001D000000IqhSL'").is_err());
    }

    #[test]
    fn record_ids_differing_only_in_case_are_different_records() {
        let a = RecordId::parse("001D000000IqhSL").unwrap();
        let b = RecordId::parse("001D000000IQHSL").unwrap();
        assert_ne!(a, b);
        assert_ne!(a.as_str().to_lowercase(), b.as_str().to_lowercase());
    }

    #[test]
    fn api_versions_order_numerically() {
        let mut v: Vec<ApiVersion> = ["9.0", "67.0", "10.0", "v66.0"]
            .iter()
            .map(|s| ApiVersion::parse(s).unwrap())
            .collect();
        v.sort();
        assert_eq!(v.last().unwrap().to_string(), "67.0");
        assert_eq!(v[0].to_string(), "9.0");
        assert!(ApiVersion::parse("latest").is_err());
        assert!(ApiVersion::parse("67").is_err());
    }

    #[test]
    fn instance_url_requires_https_except_localhost() {
        assert_eq!(
            InstanceUrl::parse("acme.my.salesforce.com")
                .unwrap()
                .as_str(),
            "https://acme.my.salesforce.com"
        );
        assert!(InstanceUrl::parse("http://localhost:8787/").is_ok());
        assert!(InstanceUrl::parse("http://[::1]:8787").is_ok());
        let err = InstanceUrl::parse("https://bücher.my.salesforce.com").unwrap_err();
        assert!(
            err.user_message().contains("non-ASCII"),
            "{}",
            err.user_message()
        );
        assert!(InstanceUrl::parse("https://xn--bcher-kva.my.salesforce.com").is_ok());
        let err = InstanceUrl::parse("http://acme.my.salesforce.com").unwrap_err();
        assert!(err.user_message().contains("https://"));
        assert!(InstanceUrl::parse("ftp://x").is_err());
        assert!(InstanceUrl::parse("").is_err());
        assert!(InstanceUrl::parse("https://a.com/?code=1").is_err());
    }

    #[test]
    fn instance_url_keeps_site_path_and_knows_generic_hosts() {
        let site = InstanceUrl::parse("https://acme.my.site.com/partners/").unwrap();
        assert_eq!(
            site.join("/services/oauth2/token"),
            "https://acme.my.site.com/partners/services/oauth2/token"
        );
        assert_eq!(site.origin(), "https://acme.my.site.com");
        assert!(InstanceUrl::parse("https://login.salesforce.com")
            .unwrap()
            .is_generic_login_host());
        assert!(!site.is_generic_login_host());
        assert_eq!(
            InstanceUrl::parse("http://127.0.0.1:8787").unwrap().host(),
            "127.0.0.1:8787"
        );
    }

    #[test]
    fn external_id_field_is_an_api_name() {
        assert_eq!(
            ExternalIdField::parse(" Ext_Id__c ").unwrap().as_str(),
            "Ext_Id__c"
        );
        assert!(ExternalIdField::parse("Ext/../Id").is_err());
        assert!(ExternalIdField::parse("1abc").is_err());
        assert!(ExternalIdField::parse("").is_err());
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let t = AccessToken::new("00Dx!SECRET");
        assert_eq!(format!("{t:?}"), "AccessToken([redacted])");
        assert_eq!(t.secret(), "00Dx!SECRET");
        let r = RefreshToken::new("5Aep!SECRET");
        assert!(!format!("{r:?}").contains("SECRET"));
    }
}
