//! sObject Tree (`POST /services/data/vXX.X/composite/tree/{SObject}`, what `sf data import tree`
//! sends): record trees created in one transaction — every record, or none (HTTP 400 naming the
//! record that failed). Up to 200 records across all trees, five levels deep; results list roots
//! first, then each level, in request order. Account's only child relationship here is
//! `ChildAccounts` (a child gets its parent's id in `ParentId`); other objects (Contacts, …) do not
//! exist in devorg.
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobject_tree.htm>
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/responses_composite_sobject_tree.htm>

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::auth::Authed;
use super::{parse_json, writable_type, ApiVersion};
use crate::error::{json_response, ApiError};
use crate::store::{now_ms, DmlError};
use crate::AppState;

/// Most records one request may carry, across all trees.
pub const MAX_RECORDS: usize = 200;
/// Deepest tree (a root is level 1).
pub const MAX_DEPTH: usize = 5;
/// Account's child relationship to itself (`ParentId`).
const CHILD_ACCOUNTS: &str = "ChildAccounts";

/// One record of a tree, flattened.
struct Node {
    reference_id: String,
    fields: Map<String, Value>,
    /// Position of the parent node in the flattened list.
    parent: Option<usize>,
    level: usize,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("INVALID_INPUT", message)
}

/// Flattens `records` (at `level`, under `parent`) into `nodes`, checking their attributes.
fn flatten(
    records: &[Value],
    object: &str,
    parent: Option<usize>,
    level: usize,
    nodes: &mut Vec<Node>,
) -> Result<(), ApiError> {
    if level > MAX_DEPTH {
        return Err(invalid(format!(
            "sObject trees can be at most {MAX_DEPTH} levels deep"
        )));
    }
    for record in records {
        let Value::Object(map) = record else {
            return Err(ApiError::json_parser(
                "Cannot deserialize instance of SObject from a value that is not an object",
            ));
        };
        let attributes = map.get("attributes").and_then(Value::as_object);
        let type_name = attributes
            .and_then(|a| a.get("type"))
            .and_then(Value::as_str);
        let reference_id = attributes
            .and_then(|a| a.get("referenceId"))
            .and_then(Value::as_str);
        let (Some(type_name), Some(reference_id)) = (type_name, reference_id) else {
            return Err(invalid(
                "Each record needs attributes with its type and a referenceId",
            ));
        };
        if !type_name.eq_ignore_ascii_case(object) {
            return Err(invalid(format!(
                "The record with referenceId {reference_id} is of type {type_name}, not {object}"
            )));
        }
        let mut fields = Map::new();
        let mut children: Option<&Vec<Value>> = None;
        for (key, value) in map {
            match value.get("records").and_then(Value::as_array) {
                Some(nested) if key.eq_ignore_ascii_case(CHILD_ACCOUNTS) => children = Some(nested),
                // Any other nested list names a child relationship Account does not have here;
                // the store refuses it as an unknown field.
                _ if key == "attributes" => {}
                _ => {
                    fields.insert(key.clone(), value.clone());
                }
            }
        }
        nodes.push(Node {
            reference_id: reference_id.to_string(),
            fields,
            parent,
            level,
        });
        if nodes.len() > MAX_RECORDS {
            return Err(too_many());
        }
        let me = nodes.len() - 1;
        if let Some(children) = children {
            flatten(children, "Account", Some(me), level + 1, nodes)?;
        }
    }
    Ok(())
}

fn too_many() -> ApiError {
    invalid(format!(
        "An sObject tree request can hold at most {MAX_RECORDS} records"
    ))
}

/// The failure body: `{"hasErrors": true, "results": [{referenceId, errors}]}`.
fn failed(results: Vec<(String, DmlError)>) -> Response {
    let results: Vec<Value> = results
        .into_iter()
        .map(|(reference_id, e)| json!({"referenceId": reference_id, "errors": [e.to_item()]}))
        .collect();
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({"hasErrors": true, "results": results}),
    )
}

/// `POST /composite/tree/{SObject}`: 201 with every record's id, or 400 and nothing saved.
pub async fn sobject_tree(
    Authed(session): Authed,
    State(state): State<AppState>,
    Path((version, sobject)): Path<(String, String)>,
    super::Body(body): super::Body,
) -> Result<Response, ApiError> {
    ApiVersion::parse(&version)?;
    let obj = writable_type(&state.schema, &sobject, &Method::POST)?;
    let records = match parse_json(&body)? {
        Value::Object(mut map) => match map.remove("records") {
            Some(Value::Array(records)) => records,
            _ => return Err(invalid("The request body needs a records array")),
        },
        _ => {
            return Err(ApiError::json_parser(
                "Cannot deserialize instance of SObjectTreeRequest from START_ARRAY value [",
            ))
        }
    };
    let mut nodes = vec![];
    flatten(&records, obj.name, None, 1, &mut nodes)?;
    // Documented: a duplicated reference ID fails the request with one result per instance.
    let duplicates: Vec<(String, DmlError)> = nodes
        .iter()
        .filter(|n| {
            nodes
                .iter()
                .filter(|m| m.reference_id == n.reference_id)
                .count()
                > 1
        })
        .map(|n| {
            (
                n.reference_id.clone(),
                DmlError::new(
                    "INVALID_INPUT",
                    format!(
                        "Duplicate ReferenceId provided in the request: {}",
                        n.reference_id
                    ),
                ),
            )
        })
        .collect();
    if !duplicates.is_empty() {
        return Ok(failed(duplicates));
    }
    let now = now_ms();
    let mut store = state.store.write();
    let by = store.user_index(&session.user_id);
    let mut ids: Vec<Option<String>> = vec![None; nodes.len()];
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    // Roots first, then each level, each in request order (a stable sort keeps it).
    order.sort_by_key(|&i| nodes[i].level);
    let mut log = vec![];
    let mut results = vec![];
    for i in order {
        let node = &nodes[i];
        let mut fields = node.fields.clone();
        if let Some(parent) = node.parent {
            let parent_id = ids[parent].clone().expect("parents are created first");
            fields.insert("ParentId".into(), Value::String(parent_id));
        }
        match store.insert_by(by, &fields, now) {
            Ok((id, undo)) => {
                log.push(undo);
                results.push(json!({"referenceId": node.reference_id, "id": id}));
                ids[i] = Some(id);
            }
            Err(e) => {
                store.rollback(log);
                return Ok(failed(vec![(node.reference_id.clone(), e)]));
            }
        }
    }
    Ok(json_response(
        StatusCode::CREATED,
        &json!({"hasErrors": false, "results": results}),
    ))
}
