//! The REST API under `/services/data/` and Apex REST under `/services/apexrest/`, one module per
//! Salesforce resource. Shared here: the API version in the path, JSON bodies with Salesforce's
//! parser errors, and how a record is printed (with its `attributes`).
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_list.htm>

pub mod apexrest;
pub mod auth;
pub mod bulk;
pub mod collections;
pub mod describe;
pub mod limits;
pub mod query;
pub mod query_columns;
pub mod record_count;
pub mod search;
pub mod sobject;
pub mod tree;
pub mod upsert;
pub mod versions;

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, MethodRouter};
use axum::Router;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::record_types::RecordType;
use crate::schema::{SObject, Schema};
use crate::store::{Record, Related, Store};
use crate::users::OrgUser;
use crate::AppState;

/// Oldest and newest API versions this org serves (Salesforce retired 30.0 and older in 2025;
/// Summer '26 = 67.0 is the newest GA release).
pub const OLDEST_VERSION: u32 = 31;
pub const NEWEST_VERSION: u32 = 67;

/// Largest request body accepted. Salesforce documents no single REST body limit here; 10 MB keeps a
/// runaway client from exhausting memory (see the README's deviations).
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// The REST routes, each once: `app` trims a trailing slash before routing.
pub fn router() -> Router<AppState> {
    let data = "/services/data/{version}";
    Router::new()
        .route("/services/data", get(versions::versions))
        .route(data, only_get(get(versions::version_resources)))
        .route(&format!("{data}/limits"), only_get(get(limits::limits)))
        .route(
            &format!("{data}/limits/recordCount"),
            only_get(get(record_count::record_count)),
        )
        .route(
            &format!("{data}/sobjects"),
            only_get(get(describe::describe_global)),
        )
        .route(
            &format!("{data}/sobjects/{{sobject}}"),
            get(describe::sobject_basic_info)
                .post(sobject::sobject_create)
                .fallback(|| not_allowed("GET,HEAD,POST")),
        )
        .route(
            &format!("{data}/sobjects/{{sobject}}/describe"),
            only_get(get(describe::sobject_describe)),
        )
        .route(
            &format!("{data}/sobjects/{{sobject}}/{{id}}"),
            get(sobject::sobject_get)
                .patch(sobject::sobject_update)
                .delete(sobject::sobject_delete)
                .post(sobject::sobject_post_override)
                .fallback(|| not_allowed("GET,PATCH,DELETE,HEAD")),
        )
        .route(
            &format!("{data}/sobjects/{{sobject}}/{{field}}/{{*value}}"),
            get(upsert::sobject_get_by_external_id)
                .patch(upsert::sobject_upsert_by_external_id)
                .post(upsert::sobject_upsert_post)
                .delete(upsert::sobject_delete_by_external_id)
                .fallback(|| not_allowed("GET,PATCH,DELETE,HEAD")),
        )
        .route(&format!("{data}/query"), only_get(get(query::query)))
        .route(
            &format!("{data}/query/{{locator}}"),
            only_get(get(query::query_more)),
        )
        .route(&format!("{data}/queryAll"), only_get(get(query::query_all)))
        .route(
            &format!("{data}/queryAll/{{locator}}"),
            only_get(get(query::query_more)),
        )
        .route(
            &format!("{data}/composite/sobjects"),
            post(collections::collections_create)
                .patch(collections::collections_update)
                .delete(collections::collections_delete)
                .fallback(|| not_allowed("POST,PATCH,DELETE")),
        )
        .route(
            &format!("{data}/composite/sobjects/{{sobject}}"),
            get(collections::collections_retrieve)
                .post(collections::collections_retrieve_post)
                .fallback(|| not_allowed("GET,POST")),
        )
        .route(
            &format!("{data}/composite/sobjects/{{sobject}}/{{field}}"),
            axum::routing::patch(collections::collections_upsert).fallback(|| not_allowed("PATCH")),
        )
        .route(&format!("{data}/search"), only_get(get(search::search)))
        .route(
            &format!("{data}/parameterizedSearch"),
            only_get(get(search::parameterized_search)),
        )
        .route(
            &format!("{data}/composite/tree/{{sobject}}"),
            post(tree::sobject_tree).fallback(|| not_allowed("POST")),
        )
        .merge(bulk::router())
        .route(&format!("{data}/{{*rest}}"), any(unknown_resource))
        .route("/services/apexrest/{*path}", any(apexrest::apex_rest))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

fn only_get(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(|| not_allowed("GET,HEAD"))
}

/// 405 with Salesforce's body for a method the resource does not support.
async fn not_allowed(allowed: &'static str) -> ApiError {
    method_not_allowed(allowed)
}

pub fn method_not_allowed(allowed: &str) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!("HTTP Method not allowed. Allowed are {allowed}"),
    )
}

/// Any other path under a version: 404 NOT_FOUND (after the session check, as Salesforce does).
async fn unknown_resource(
    _auth: auth::Authed,
    axum::extract::Path((version, _rest)): axum::extract::Path<(String, String)>,
) -> ApiError {
    match ApiVersion::parse(&version) {
        Ok(_) => ApiError::not_found(),
        Err(e) => e,
    }
}

/// An API version this org serves, from the `vXX.X` path segment (or the `latest` alias).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion(pub u32);

impl ApiVersion {
    /// `v60.0` → 60; `latest` → the newest version; anything else → 404 NOT_FOUND as Salesforce answers.
    pub fn parse(segment: &str) -> Result<ApiVersion, ApiError> {
        if segment == "latest" {
            return Ok(ApiVersion(NEWEST_VERSION));
        }
        segment
            .strip_prefix('v')
            .and_then(|v| v.strip_suffix(".0"))
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|v| (OLDEST_VERSION..=NEWEST_VERSION).contains(v))
            .map(ApiVersion)
            .ok_or_else(ApiError::not_found)
    }

    /// `60.0`
    pub fn number(self) -> String {
        format!("{}.0", self.0)
    }

    /// `/services/data/v60.0`
    pub fn base(self) -> String {
        format!("/services/data/v{}.0", self.0)
    }
}

/// A request body, refused with Salesforce's error array (not axum's plain text) when too large.
pub struct Body(pub Bytes);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        Bytes::from_request(req, state).await.map(Body).map_err(|e| {
            ApiError::new(
                e.status(),
                "JSON_PARSER_ERROR",
                format!("The request body could not be read: {e} (devorg accepts at most {MAX_BODY_BYTES} bytes)"),
            )
        })
    }
}

/// Parses a request body as JSON, with Salesforce's `JSON_PARSER_ERROR` wording on failure.
pub fn parse_json(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        // What Salesforce's JSON reader says about an empty body.
        return Err(ApiError::json_parser(
            "No content to map to Object due to end of input",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        let what = e.to_string();
        let what = what.split(" at line ").next().unwrap_or(&what).to_string();
        ApiError::json_parser(format!(
            "{what} at [line:{}, column:{}]",
            e.line(),
            e.column()
        ))
    })
}

/// A JSON body that must be an object (one record).
pub fn parse_record_body(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match parse_json(body)? {
        Value::Object(map) => Ok(map),
        Value::Array(_) => Err(ApiError::json_parser(
            "Cannot deserialize instance of SObject from START_ARRAY value [ or request may be missing a required field at [line:1, column:1]",
        )),
        other => Err(ApiError::json_parser(format!(
            "Cannot deserialize instance of SObject from VALUE value {other} or request may be missing a required field at [line:1, column:1]"
        ))),
    }
}

/// The object named in the URL; only objects this org has, else 404 NOT_FOUND.
pub fn sobject_type<'a>(schema: &'a Schema, name: &str) -> Result<&'a SObject, ApiError> {
    schema.object(name).ok_or_else(ApiError::not_found)
}

/// The object named in the URL, which must be Account for writes (User and RecordType are
/// read-only here).
pub fn writable_type<'a>(
    schema: &'a Schema,
    name: &str,
    method: &Method,
) -> Result<&'a SObject, ApiError> {
    let obj = sobject_type(schema, name)?;
    if obj.name != "Account" {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_TYPE_FOR_OPERATION",
            format!("entity type {} does not support {method}", obj.name),
        ));
    }
    Ok(obj)
}

/// Something a relationship path can land on.
#[derive(Clone, Copy)]
pub enum Target<'a> {
    Account(&'a Record),
    User(&'a OrgUser),
    RecordType(&'a RecordType),
}

/// A record as the REST API prints it: `attributes` first, then the requested paths in order, with
/// relationship paths (`Owner.Name`) nested as objects that have their own `attributes`, or `null`.
pub fn project(
    store: &Store,
    target: Target<'_>,
    paths: &[Vec<String>],
    version: ApiVersion,
) -> Value {
    let mut out = Map::with_capacity(paths.len() + 1);
    let (type_name, id) = match target {
        Target::Account(rec) => ("Account", rec.id.as_str()),
        Target::User(user) => ("User", user.id.as_str()),
        Target::RecordType(t) => ("RecordType", t.id.as_str()),
    };
    out.insert(
        "attributes".into(),
        serde_json::json!({"type": type_name, "url": format!("{}/sobjects/{type_name}/{id}", version.base())}),
    );
    let mut i = 0;
    while i < paths.len() {
        let head = &paths[i][0];
        if paths[i].len() == 1 {
            let value = match target {
                Target::Account(rec) => store
                    .schema
                    .account
                    .field(head)
                    .map(|f| store.account_value(rec, f))
                    .unwrap_or(Value::Null),
                Target::User(user) => user.field_value(head),
                Target::RecordType(t) => store.record_type_value(t, &paths[i]),
            };
            out.insert(head.clone(), value);
            i += 1;
            continue;
        }
        // Gather every path under this relationship so they share one nested object.
        let tails: Vec<Vec<String>> = paths[i..]
            .iter()
            .filter(|p| p.len() > 1 && p[0] == *head)
            .map(|p| p[1..].to_vec())
            .collect();
        if !out.contains_key(head) {
            let related = match target {
                Target::Account(rec) => store.related(rec, head).map(|r| match r {
                    Related::User(user) => Target::User(user),
                    Related::Account(a) => Target::Account(a),
                    Related::RecordType(t) => Target::RecordType(t),
                }),
                // A record type's creator and last modifier: the admin, who made them all.
                Target::RecordType(_)
                    if head.eq_ignore_ascii_case("CreatedBy")
                        || head.eq_ignore_ascii_case("LastModifiedBy") =>
                {
                    Some(Target::User(&store.users[0]))
                }
                Target::User(_) | Target::RecordType(_) => None,
            };
            let value = related
                .map(|t| project(store, t, &tails, version))
                .unwrap_or(Value::Null);
            out.insert(head.clone(), value);
        }
        i += 1;
    }
    Value::Object(out)
}

/// All field names of an object, as one-segment paths (record GET without `fields`).
pub fn all_paths(obj: &SObject) -> Vec<Vec<String>> {
    obj.fields
        .iter()
        .map(|f| vec![f.name.to_string()])
        .collect()
}

/// A 204 No Content.
pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
