//! A write failure as Salesforce describes it (`statusCode`, `message`, `fields`), before it is
//! wrapped for the REST (`errorCode`) or collections (`statusCode`) shape.

use serde_json::Value;

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq)]
pub struct DmlError {
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<String>,
}

impl DmlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        DmlError {
            code,
            message: message.into(),
            fields: vec![],
        }
    }

    /// Names the field the error is about.
    pub fn on(mut self, field: &str) -> Self {
        self.fields = vec![field.to_string()];
        self
    }

    pub fn not_found() -> Self {
        DmlError::new("NOT_FOUND", "The requested resource does not exist")
    }

    pub fn deleted() -> Self {
        DmlError::new("ENTITY_IS_DELETED", "entity is deleted")
    }

    /// The REST API error for a single-record call: 404 for missing or deleted records, else 400.
    pub fn to_api(&self) -> ApiError {
        let status = match self.code {
            "NOT_FOUND" | "ENTITY_IS_DELETED" => axum::http::StatusCode::NOT_FOUND,
            _ => axum::http::StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, self.code, self.message.clone()).with_fields(self.fields.clone())
    }

    /// The per-item error object of sObject Collections: `{statusCode, message, fields}`.
    pub fn to_item(&self) -> Value {
        serde_json::json!({"statusCode": self.code, "message": self.message, "fields": self.fields})
    }
}
