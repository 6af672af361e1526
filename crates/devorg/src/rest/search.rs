//! Search (`GET /search?q=<SOSL>`) and Parameterized Search (`GET /parameterizedSearch?q=text&
//! sobject=Account&Account.fields=Id,Name&Account.limit=10&in=NAME&overallLimit=n`): Accounts (live
//! ones) and Users whose text fields hold every word of the term. From API 37.0 the answer is
//! `{"searchRecords": [...]}`; before, the bare array (the API 35.0/36.0 guides show the array,
//! the 37.0 guide the object). Records come per object in RETURNING order, each object's in
//! creation order (Salesforce orders by relevance).
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_search.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_search.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_search_parameterized_get.htm>

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::auth::Authed;
use super::{project, ApiVersion, Target};
use crate::error::{json_response, ApiError};
use crate::schema::{FieldType, SObject};
use crate::sosl::{self, Returning, Scope, Search, SoslError};
use crate::store::Store;
use crate::AppState;

/// The version from which the answer is `{"searchRecords": …}`.
const SEARCH_RECORDS_SINCE: u32 = 37;
/// Parameterized Search exists from API 36.0.
const PARAMETERIZED_SINCE: u32 = 36;
/// Salesforce returns at most 2,000 search results.
const MAX_RESULTS: usize = 2000;
/// What a search without RETURNING looks in.
const SEARCHABLE: [&str; 2] = ["Account", "User"];

fn sosl_error(e: SoslError) -> ApiError {
    ApiError::bad_request(e.code, e.message)
}

/// `GET /search?q=FIND {…} …`
pub async fn search(
    _auth: Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    let q = params.get("q").map(String::as_str).unwrap_or_default();
    let search = sosl::parse(q).map_err(sosl_error)?;
    let records = run(&state, &search, v)?;
    Ok(if v.0 >= SEARCH_RECORDS_SINCE {
        json_response(StatusCode::OK, &json!({"searchRecords": records}))
    } else {
        json_response(StatusCode::OK, &records)
    })
}

/// `GET /parameterizedSearch?q=text…`: the same search built from URL parameters.
pub async fn parameterized_search(
    _auth: Authed,
    State(state): State<AppState>,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let v = ApiVersion::parse(&version)?;
    if v.0 < PARAMETERIZED_SINCE {
        return Err(ApiError::not_found());
    }
    let Some(q) = params.get("q").filter(|q| !q.trim().is_empty()) else {
        return Err(ApiError::bad_request(
            "MISSING_ARGUMENT",
            "Missing argument: q",
        ));
    };
    // The text is plain: SOSL's reserved characters carry no meaning here.
    let escaped: String = q
        .chars()
        .flat_map(|c| {
            let reserved = "&|!{}[]()^~:\\\"'+-".contains(c);
            reserved.then_some('\\').into_iter().chain([c])
        })
        .collect();
    let words = sosl::words(&escaped).map_err(sosl_error)?;
    let scope = match params.get("in").map(|s| s.to_ascii_uppercase()).as_deref() {
        None | Some("ALL") => Scope::All,
        Some("NAME") => Scope::Name,
        Some("EMAIL") => Scope::Email,
        Some("PHONE") => Scope::Phone,
        Some(other) => {
            return Err(ApiError::bad_request(
                "INVALID_SEARCH_SCOPE",
                format!("Invalid search scope: {other}"),
            ))
        }
    };
    let number = |key: &str| -> Result<Option<usize>, ApiError> {
        params
            .get(key)
            .map(|n| {
                n.parse::<usize>().map_err(|_| {
                    ApiError::bad_request("INVALID_PARAMETER_VALUE", format!("Invalid {key}: {n}"))
                })
            })
            .transpose()
    };
    let mut returning = vec![];
    if let Some(object) = params.get("sobject") {
        returning.push(Returning {
            object: object.clone(),
            fields: params
                .get(&format!("{object}.fields"))
                .map(|f| {
                    f.split(',')
                        .map(str::trim)
                        .filter(|f| !f.is_empty())
                        .map(|f| f.split('.').map(str::to_string).collect())
                        .collect()
                })
                .unwrap_or_default(),
            limit: number(&format!("{object}.limit"))?,
        });
    }
    let search = Search {
        words,
        scope,
        returning,
        limit: number("overallLimit")?,
    };
    let records = run(&state, &search, v)?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"searchRecords": records}),
    ))
}

/// The records a search finds, printed with their requested fields.
fn run(state: &AppState, search: &Search, v: ApiVersion) -> Result<Vec<Value>, ApiError> {
    let schema = &state.schema;
    let returning: Vec<Returning> = if search.returning.is_empty() {
        SEARCHABLE
            .iter()
            .map(|o| Returning {
                object: o.to_string(),
                fields: vec![],
                limit: None,
            })
            .collect()
    } else {
        search.returning.clone()
    };
    let store = state.store.read();
    let overall = search.limit.unwrap_or(MAX_RESULTS).min(MAX_RESULTS);
    let mut out = vec![];
    for r in &returning {
        let obj = match schema.object(&r.object) {
            Some(obj) if SEARCHABLE.contains(&obj.name) => obj,
            _ => {
                return Err(ApiError::bad_request(
                    "INVALID_TYPE",
                    format!("sObject type '{}' is not supported.", r.object),
                ))
            }
        };
        let mut paths = vec![];
        for field in &r.fields {
            let (canonical, _) = schema.resolve_path(obj, field).ok_or_else(|| {
                ApiError::bad_request(
                    "INVALID_FIELD",
                    format!(
                        "No such column '{}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
                        field.join("."),
                        obj.name
                    ),
                )
            })?;
            if !paths.contains(&canonical) {
                paths.push(canonical);
            }
        }
        if paths.is_empty() {
            paths.push(vec!["Id".to_string()]);
        }
        let fields = searched_fields(obj, search.scope);
        let room = overall.saturating_sub(out.len());
        let limit = r.limit.unwrap_or(room).min(room);
        let found = matching(&store, obj, &fields, search);
        out.extend(
            found
                .into_iter()
                .take(limit)
                .map(|t| project(&store, t, &paths, v)),
        );
    }
    Ok(out)
}

/// The fields a scope looks in: every text field, the name, email or phone fields.
fn searched_fields(obj: &SObject, scope: Scope) -> Vec<&str> {
    obj.fields
        .iter()
        .filter(|f| match scope {
            Scope::All => f.ftype.is_text(),
            Scope::Name => f.name_field,
            Scope::Email => f.ftype == FieldType::Email,
            Scope::Phone => f.ftype == FieldType::Phone,
        })
        .map(|f| f.name.as_str())
        .collect()
}

/// Records of `obj` where every word matches one of `fields`.
fn matching<'a>(
    store: &'a Store,
    obj: &SObject,
    fields: &[&str],
    search: &Search,
) -> Vec<Target<'a>> {
    let hit = |text: &dyn Fn(&str) -> Value| {
        search.words.iter().all(|w| {
            fields
                .iter()
                .any(|f| text(f).as_str().is_some_and(|s| w.matches(s)))
        })
    };
    match obj.name {
        "User" => store
            .users
            .iter()
            .filter(|u| hit(&|f| u.field_value(f)))
            .map(Target::User)
            .collect(),
        _ => store
            .accounts()
            .filter(|r| !r.deleted)
            .filter(|r| {
                hit(&|f| {
                    obj.field(f)
                        .map(|field| store.account_value(r, field))
                        .unwrap_or(Value::Null)
                })
            })
            .map(Target::Account)
            .collect(),
    }
}
