//! The HTML pages of the authorize flow: login form, approval page and error page. Plain HTML
//! with inline CSS (no scripts), labelled inputs and buttons so they work with screen readers and
//! with tests that find elements by role and accessible name.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
 font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#eef3f8;color:#181818}
main{width:100%;max-width:400px;margin:24px;background:#fff;border-radius:8px;
 box-shadow:0 2px 12px rgba(0,0,0,.12);padding:32px}
.brand{font-weight:700;font-size:1.6rem;color:#0b5cab;text-align:center;margin:0 0 4px}
.sub{text-align:center;color:#555;margin:0 0 24px;font-size:.9rem}
h1{font-size:1.25rem;margin:0 0 16px}
label{display:block;font-size:.85rem;color:#3e3e3c;margin:12px 0 4px}
input[type=text],input[type=password],input[type=email]{width:100%;padding:10px 12px;font-size:1rem;
 border:1px solid #c9c9c9;border-radius:4px}
input:focus,button:focus{outline:2px solid #0176d3;outline-offset:1px}
button{width:100%;margin-top:20px;padding:11px;font-size:1rem;border-radius:4px;cursor:pointer;
 border:1px solid #0176d3;background:#0176d3;color:#fff}
button.secondary{background:#fff;color:#0176d3}
.row{display:flex;gap:12px}.row button{flex:1}
.error{background:#fde8e8;border:1px solid #ea001e;color:#8e030f;padding:10px 12px;border-radius:4px;
 margin:0 0 12px;font-size:.9rem}
ul{padding-left:20px;margin:8px 0}
code{background:#f3f3f3;padding:1px 4px;border-radius:3px;word-break:break-all}
footer{margin-top:24px;text-align:center;font-size:.75rem;color:#706e6b}
"#;

/// A complete page around `body`, with headers that keep it out of caches and frames.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} | devorg</title><link rel=\"icon\" href=\"data:,\"><style>{STYLE}</style></head>\
         <body><main><p class=\"brand\">devorg</p><p class=\"sub\">Local Salesforce-compatible org</p>\
         {body}<footer>devorg — a local stand-in for a Salesforce org</footer></main></body></html>",
        title = escape(title),
    );
    let mut resp = (status, Html(html)).into_response();
    let headers = resp.headers_mut();
    // Login and consent pages must never be cached or framed (clickjacking).
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
        ),
    );
    resp
}

/// The login form. Field names `username` and `pw` are those of Salesforce's own login page.
pub fn login(pending_id: &str, username: &str, app_label: &str, error: Option<&str>) -> Response {
    let error_html = error
        .map(|e| {
            format!(
                "<p class=\"error\" role=\"alert\" id=\"error\">{}</p>",
                escape(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>Log in to devorg</h1>{error_html}\
         <p>{app} wants to access your org.</p>\
         <form method=\"post\" action=\"/services/oauth2/authorize/login\">\
         <input type=\"hidden\" name=\"pending\" value=\"{pending}\">\
         <label for=\"username\">Username</label>\
         <input type=\"text\" id=\"username\" name=\"username\" value=\"{username}\" autocomplete=\"username\" required{focus_user}>\
         <label for=\"password\">Password</label>\
         <input type=\"password\" id=\"password\" name=\"pw\" autocomplete=\"current-password\" required{focus_pw}>\
         <button type=\"submit\" id=\"Login\">Log In</button></form>",
        app = escape(app_label),
        pending = escape(pending_id),
        username = escape(username),
        // Focus the first empty field, so a known username goes straight to the password.
        focus_user = if username.is_empty() { " autofocus" } else { "" },
        focus_pw = if username.is_empty() { "" } else { " autofocus" },
    );
    // Salesforce answers a failed login with 200 and the form again.
    page(StatusCode::OK, "Login", &body)
}

/// What each scope lets the app do, as the approval page lists it.
fn describe_scope(scope: &str) -> &'static str {
    match scope {
        "api" => "Manage user data via APIs (api)",
        "refresh_token" | "offline_access" => {
            "Perform requests at any time (refresh_token, offline_access)"
        }
        "id" | "profile" | "email" | "address" | "phone" => {
            "Access the identity URL service (id, profile, email, address, phone)"
        }
        "openid" => "Access unique user identifiers (openid)",
        "web" => "Manage user data via Web browsers (web)",
        "full" => "Full access (full)",
        _ => "Unknown access",
    }
}

/// The approval page: Allow / Deny.
pub fn approve(pending_id: &str, app_label: &str, username: &str, scopes: &[String]) -> Response {
    let mut items: Vec<&str> = scopes.iter().map(|s| describe_scope(s)).collect();
    items.dedup();
    let list: String = items
        .iter()
        .map(|i| format!("<li>{}</li>", escape(i)))
        .collect();
    let body = format!(
        "<h1>Allow Access?</h1>\
         <p><strong>{app}</strong> is asking to:</p><ul>{list}</ul>\
         <p>Signed in as <code>{user}</code>. Do you want to allow access?</p>\
         <form method=\"post\" action=\"/services/oauth2/authorize/approve\">\
         <input type=\"hidden\" name=\"pending\" value=\"{pending}\">\
         <div class=\"row\">\
         <button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button>\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button></div></form>",
        app = escape(app_label),
        user = escape(username),
        pending = escape(pending_id),
    );
    page(StatusCode::OK, "Allow Access?", &body)
}

/// An error page shown instead of redirecting (the redirect target cannot be trusted).
pub fn error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = format!(
        "<h1>We can't sign you in</h1>\
         <p class=\"error\" role=\"alert\"><strong>error={code}</strong>: {desc}</p>\
         <p>Go back to the app and start signing in again. If this keeps happening, check the \
         app's client id and callback URL against devorg's (printed when it starts).</p>",
        code = escape(error),
        desc = escape(description),
    );
    page(status, "Error", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
