//! Versions (`GET /services/data/`) and Resources by Version (`GET /services/data/vXX.X/`).
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_discoveryresource.htm>

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::auth::Authed;
use super::{ApiVersion, NEWEST_VERSION, OLDEST_VERSION};
use crate::error::{json_response, ApiError};
use crate::AppState;

/// The release that introduced API version `v`: 60.0 = Spring '24, 61.0 = Summer '24, 62.0 = Winter '25, …
pub fn release_label(v: u32) -> String {
    let offset = v as i64 - 60;
    let season = offset.rem_euclid(3);
    let year = 24 + offset.div_euclid(3) + i64::from(season == 2);
    let name = ["Spring", "Summer", "Winter"][season as usize];
    format!("{name} '{year:02}")
}

/// `GET /services/data/`: every version served, oldest first; no session needed.
pub async fn versions() -> Response {
    let list: Vec<Value> = (OLDEST_VERSION..=NEWEST_VERSION)
        .map(|v| {
            json!({"label": release_label(v), "url": format!("/services/data/v{v}.0"), "version": format!("{v}.0")})
        })
        .collect();
    json_response(StatusCode::OK, &list)
}

/// Every resource Salesforce lists at `/services/data/vXX.X/` (in the doc's order), from the example response of
/// "List Available REST Resources" (API 66.0,
/// <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_discoveryresource.htm>).
/// devorg serves only some of them (see the README); the others answer 404 as Salesforce does in an
/// org without that feature. `identity` is not under the version: see [`version_resources`].
pub const RESOURCES: &[&str] = &[
    "tooling",
    "metadata",
    "eclair",
    "folders",
    "prechatForms",
    "contact-tracing",
    "jsonxform",
    "chatter",
    "payments",
    "tabs",
    "appMenu",
    "quickActions",
    "queryAll",
    "commerce",
    "wave",
    "iot",
    "analytics",
    "search",
    "smartdatadiscovery",
    "identity",
    "composite",
    "parameterizedSearch",
    "fingerprint",
    "theme",
    "nouns",
    "domino",
    "event",
    "serviceTemplates",
    "recent",
    "connect",
    "licensing",
    "limits",
    "process",
    "dedupe",
    "async-queries",
    "query",
    "localizedvalue",
    "mobile",
    "emailConnect",
    "consent",
    "tokenizer",
    "compactLayouts",
    "async",
    "sobjects",
    "actions",
    "support",
];

/// `GET /services/data/vXX.X/`: Salesforce's whole list at every version, each as
/// `/services/data/vXX.X/<name>`, and `identity` as the session user's identity URL
/// (`<instance_url>/id/<org id>/<user id>`), which clients such as the SFDMU plugin read to connect.
pub async fn version_resources(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    let base = v.base();
    let mut map = Map::new();
    for name in RESOURCES {
        let url = match *name {
            "identity" => format!(
                "{}/id/{}/{}",
                state.base_url(),
                state.org.org_id,
                session.user_id
            ),
            _ => format!("{base}/{name}"),
        };
        map.insert(name.to_string(), Value::String(url));
    }
    // Bulk API 2.0 (ingest jobs from 41.0).
    if v.0 >= super::bulk::INGEST_SINCE {
        map.insert("jobs".into(), Value::String(format!("{base}/jobs")));
    }
    Ok(json_response(StatusCode::OK, &map))
}

#[cfg(test)]
mod tests {
    use super::release_label;

    #[test]
    fn labels_follow_salesforce_releases() {
        assert_eq!(release_label(31), "Summer '14");
        assert_eq!(release_label(60), "Spring '24");
        assert_eq!(release_label(62), "Winter '25");
        assert_eq!(release_label(67), "Summer '26");
    }
}
