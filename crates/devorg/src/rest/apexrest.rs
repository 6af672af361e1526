//! Apex REST (`/services/apexrest/...`): the two classes the admin guides OrgBridge replaces deploy,
//! behaving as their Apex code does. Any other mapping → 404 NOT_FOUND "Could not find a match for URL".
//! <https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_rest_intro.htm>
//!
//! - `createAccountRecord` (`@RestResource(urlMapping='/createAccountRecord/*')`, seed 003): POST a
//!   JSON array of `{Name, Description, Type, Industry}`; inserts them all in one DML statement and
//!   returns the JSON string `"Success"`, or `"Failure"` when the insert throws (200 either way). A
//!   body that is not such an array throws outside the try block: 500 APEX_ERROR `System.JSONException`.
//!   More than 10,000 rows exceeds Apex's DML row governor limit: a `System.LimitException`, which no
//!   `catch` can handle, so 500 APEX_ERROR instead of `"Failure"`.
//! - `arrify/v1/accounts` (`urlMapping='/arrify/v1/accounts'`, seed 004): POST `{"Name": …}`; returns
//!   `{success, accountId, accountName, message, errorDetails}` with 201, 400 (empty body / no Name)
//!   or 500 (DML or other exception).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::auth::Authed;
use crate::error::{json_response, ApiError};
use crate::store::now_ms;
use crate::tokens::Session;
use crate::AppState;

/// Any method on `/services/apexrest/{path}`.
pub async fn apex_rest(
    Authed(session): Authed,
    State(state): State<AppState>,
    method: Method,
    Path(path): Path<String>,
    super::Body(body): super::Body,
) -> Result<Response, ApiError> {
    let mapping = format!("/{path}");
    let target =
        if mapping == "/createAccountRecord" || mapping.starts_with("/createAccountRecord/") {
            "create"
        } else if mapping == "/arrify/v1/accounts" {
            "arrify"
        } else {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("Could not find a match for URL {mapping}"),
            ));
        };
    if method != Method::POST {
        // Each class only defines @HttpPost.
        return Err(super::method_not_allowed("POST"));
    }
    Ok(match target {
        "create" => create_account_record(&state, &session, &body),
        _ => arrify_accounts(&state, &session, &body),
    })
}

/// Apex's governor limit on rows processed by DML in one transaction ("Total number of records
/// processed as a result of DML statements": 10,000).
/// <https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_gov_limits.htm>
pub const MAX_DML_ROWS: usize = 10_000;

fn apex_error(message: String) -> Response {
    json_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        &json!([{"errorCode": "APEX_ERROR", "message": message}]),
    )
}

/// `createAccountRecord.createAccount()`.
fn create_account_record(state: &AppState, session: &Session, body: &Bytes) -> Response {
    // JSON.deserialize(jsonString, List<responseWrapper>.class): unknown keys are ignored,
    // the four wrapper fields must be strings (or null).
    let text = String::from_utf8_lossy(body);
    let items: Vec<Value> = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(items)) => items,
        Ok(other) => {
            let kind = if other.is_object() { "START_OBJECT" } else { "a scalar" };
            return apex_error(format!(
                "System.JSONException: Expected List<createAccountRecord.responseWrapper> but found {kind}\n\nClass.System.JSON.deserialize: line 15, column 1\nClass.createAccountRecord.createAccount: line 13, column 1"
            ));
        }
        Err(e) => {
            return apex_error(format!(
                "System.JSONException: {e}\n\nClass.System.JSON.deserialize: line 15, column 1\nClass.createAccountRecord.createAccount: line 13, column 1"
            ))
        }
    };
    let mut records = Vec::with_capacity(items.len());
    for item in &items {
        let Value::Object(obj) = item else {
            return apex_error(
                "System.JSONException: Expected createAccountRecord.responseWrapper but found a scalar".into(),
            );
        };
        let mut fields = Map::new();
        for name in ["Name", "Description", "Type", "Industry"] {
            // Apex JSON property matching is case-insensitive.
            let value = obj
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null);
            if !(value.is_string() || value.is_null()) {
                return apex_error(format!(
                    "System.JSONException: Illegal value for primitive: {name}"
                ));
            }
            fields.insert(name.to_string(), value);
        }
        records.push(fields);
    }
    if records.is_empty() {
        // Nothing inserted: successCheck never becomes true.
        return json_response(StatusCode::OK, &"Failure");
    }
    if records.len() > MAX_DML_ROWS {
        // Apex counts the rows as the DML runs and stops at the first one over; Salesforce's
        // message names that row's count, 10,001, whatever the list's size. Decided before the
        // write lock, so an oversized request never holds the store.
        return apex_error(format!(
            "System.LimitException: Too many DML rows: {}\n\nClass.createAccountRecord.createAccount: line 24, column 1",
            MAX_DML_ROWS + 1
        ));
    }
    // `Insert accList` is one DML statement: all records or none, at most MAX_DML_ROWS of them,
    // so the write lock is held for a bounded time.
    let mut store = state.store.write();
    let by = store.user_index(&session.user_id);
    let now = now_ms();
    let mut log = vec![];
    for fields in &records {
        match store.insert_by(by, fields, now) {
            Ok((_, undo)) => log.push(undo),
            Err(_) => {
                store.rollback(log);
                return json_response(StatusCode::OK, &"Failure");
            }
        }
    }
    json_response(StatusCode::OK, &"Success")
}

/// `ArrifyAccountsApi.createAccount()`.
fn arrify_accounts(state: &AppState, session: &Session, body: &Bytes) -> Response {
    let reply = |status: StatusCode,
                 success: bool,
                 id: Option<String>,
                 name: Option<String>,
                 message: String,
                 details: Option<&str>| {
        json_response(
            status,
            &json!({"success": success, "accountId": id, "accountName": name, "message": message, "errorDetails": details}),
        )
    };
    let text = String::from_utf8_lossy(body);
    if text.trim().is_empty() {
        return reply(
            StatusCode::BAD_REQUEST,
            false,
            None,
            None,
            "Request body is empty".into(),
            None,
        );
    }
    let stack = "Class.ArrifyAccountsApi.createAccount: line 23, column 1";
    // (Map<String, Object>) JSON.deserializeUntyped(requestBody): a non-object is a TypeException.
    let map = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            false,
            None,
            None,
            "Unexpected error: Invalid conversion from runtime type List<ANY> to Map<String,ANY>"
                .into(),
            Some(stack),
        ),
        Err(e) => {
            return reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                false,
                None,
                None,
                format!("Unexpected error: {e}"),
                Some(stack),
            )
        }
    };
    // containsKey is case-sensitive on an untyped map; (String) on a non-string throws.
    let name = match map.get("Name") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            let kind = match other {
                Value::Number(_) => "Decimal",
                Value::Bool(_) => "Boolean",
                Value::Array(_) => "List<ANY>",
                _ => "Map<String,ANY>",
            };
            return reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                false,
                None,
                None,
                format!("Unexpected error: Invalid conversion from runtime type {kind} to String"),
                Some(stack),
            );
        }
    };
    let Some(name) = name.filter(|n| !n.trim().is_empty()) else {
        return reply(
            StatusCode::BAD_REQUEST,
            false,
            None,
            None,
            "Account Name is required".into(),
            None,
        );
    };
    let mut fields = Map::new();
    fields.insert("Name".into(), Value::String(name.clone()));
    let mut store = state.store.write();
    let by = store.user_index(&session.user_id);
    match store.insert_by(by, &fields, now_ms()) {
        Ok((id, _)) => reply(
            StatusCode::CREATED,
            true,
            Some(id),
            Some(name),
            "Account created successfully".into(),
            None,
        ),
        Err(e) => reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            false,
            None,
            None,
            format!("Database error: {}", e.message),
            Some("Class.ArrifyAccountsApi.createAccount: line 36, column 1"),
        ),
    }
}
