//! Apex REST (`/services/apexrest/<urlMapping>`): the console's raw call, answer shown as is.

use crate::client::Client;
use crate::error::Error;
use crate::transport::{HttpResponse, Method, Transport};

/// Normalises a user-typed Apex REST path to `/services/apexrest/...`, refusing anything that
/// would leave that tree: `..` in any form a browser resolves as a path step, a full URL.
pub fn apex_path(path: &str) -> Result<String, Error> {
    let p = path.trim();
    let p = p.strip_prefix("/services/apexrest").unwrap_or(p);
    let p = p.trim_start_matches('/');
    // Encoded slashes too: a URL mapping has none, and a server might decode one into a step.
    let route = p
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let encoded_slash = route.contains("%2f") || route.contains("%5c");
    if p.is_empty() || p.contains("://") || encoded_slash || !crate::client::stays_put(p) {
        return Err(Error::InvalidInput {
            what: "Apex REST path",
            message: format!(
                "“{path}” is not a path under /services/apexrest/; enter the class's URL mapping, e.g. arrify/v1/accounts"
            ),
        });
    }
    Ok(format!("/services/apexrest/{p}"))
}

impl<T: Transport> Client<T> {
    /// Calls a custom Apex REST endpoint and returns its answer whatever the status (only a
    /// network failure or an ended session is an error). `body` is sent as JSON when given.
    ///
    /// ```no_run
    /// # async fn demo<T: salesforce::transport::Transport>(client: salesforce::client::Client<T>) -> Result<(), salesforce::error::Error> {
    /// use salesforce::transport::Method;
    /// let resp = client.apex_rest(Method::Get, "arrify/v1/accounts", None).await?;
    /// println!("{} {}", resp.status, resp.body);
    /// # Ok(()) }
    /// ```
    pub async fn apex_rest(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<HttpResponse, Error> {
        let path = apex_path(path)?;
        let body =
            body.filter(|b| !b.trim().is_empty() && !matches!(method, Method::Get | Method::Head));
        self.send_raw(method, &path, body, &[]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apex_paths_stay_under_apexrest() {
        assert_eq!(
            apex_path("arrify/v1/accounts").unwrap(),
            "/services/apexrest/arrify/v1/accounts"
        );
        assert_eq!(
            apex_path("/services/apexrest/createAccountRecord").unwrap(),
            "/services/apexrest/createAccountRecord"
        );
        assert_eq!(
            apex_path("/Account/1?x=1").unwrap(),
            "/services/apexrest/Account/1?x=1"
        );
        // Every spelling a browser's URL parser turns into a step up (WHATWG URL: `%2e` is a
        // dot, `\` a slash, tabs and newlines are dropped), and encoded slashes a server may decode.
        for escape in [
            "../data/v67.0/limits",
            "./x",
            "a/%2e%2e/data/v67.0/limits",
            "a/%2E%2E/data",
            "a/.%2e/data",
            "a/%2e./data",
            "a/%2E/b",
            "a\\..\\data",
            "a/.\t./data",
            "a/.\n./data",
            "a%2f..%2fdata",
            "a%5c..%5cdata",
            "a/..?x=1",
        ] {
            assert!(apex_path(escape).is_err(), "{escape:?} was let through");
        }
        // Dots inside a segment are ordinary.
        assert!(apex_path("v1.2/accounts..old/.well").is_ok());
        assert!(apex_path("https://evil.example.com/x").is_err());
        assert!(apex_path("  ").is_err());
    }
}
