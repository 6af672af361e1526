//! Versions (`GET /services/data/`) and Resources by Version (`GET /services/data/vXX.X/`).
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_discoveryresource.htm>

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::auth::Authed;
use super::{ApiVersion, NEWEST_VERSION, OLDEST_VERSION};
use crate::error::{json_response, ApiError};

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

/// `GET /services/data/vXX.X/`: the resources this org offers at that version.
pub async fn version_resources(
    _auth: Authed,
    Path(version): Path<String>,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    let base = v.base();
    let mut map = Map::new();
    for name in ["limits", "sobjects", "query", "queryAll", "composite"] {
        map.insert(name.to_string(), Value::String(format!("{base}/{name}")));
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
