//! Clay's error body and the emulator's replies.
//!
//! Owns `{type, message, details:{pathParameterErrors, headerErrors, queryParameterErrors,
//! bodyErrors}}` (clay-api.md §4.2) and the small `Reply` type route handlers return.
//! Knows nothing about routes or the store.

use serde_json::{Value, json};
use thiserror::Error;

#[derive(Debug, Clone, Error)]
#[error("{status} {kind}: {message}")]
pub struct ApiError {
    pub status: u16,
    pub kind: &'static str,
    pub message: String,
    pub body_errors: Vec<Value>,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: 400,
            kind: "BadRequest",
            message: message.into(),
            body_errors: vec![],
        }
    }

    /// A zod-style validation failure naming each missing body field.
    pub fn missing_body_fields(fields: &[&str]) -> Self {
        let message = format!(
            "Invalid request parameter(s): {}",
            fields
                .iter()
                .map(|f| format!("Field \"{f}\" - Required"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let body_errors = fields
            .iter()
            .map(|field| {
                json!({"code": "invalid_type", "expected": "string", "received": "undefined",
                       "path": [field], "message": "Required"})
            })
            .collect();
        ApiError {
            status: 400,
            kind: "BadRequest",
            message,
            body_errors,
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError {
            status: 404,
            kind: "NotFound",
            message: message.into(),
            body_errors: vec![],
        }
    }

    pub fn no_matching_url(method: &str, path: &str) -> Self {
        ApiError {
            status: 404,
            kind: "NoMatchingURL",
            message: format!("No matching URL for {method} {path}"),
            body_errors: vec![],
        }
    }

    pub fn unauthorized() -> Self {
        ApiError {
            status: 401,
            kind: "Unauthorized",
            message: "You must be logged in".into(),
            body_errors: vec![],
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError {
            status: 403,
            kind: "Forbidden",
            message: message.into(),
            body_errors: vec![],
        }
    }

    pub fn field_name_exists(name: &str) -> Self {
        ApiError {
            status: 400,
            kind: "FieldNameAlreadyExists",
            message: format!("Field with name \"{name}\" already exists"),
            body_errors: vec![],
        }
    }

    pub fn body(&self) -> Value {
        json!({
            "type": self.kind,
            "message": self.message,
            "details": {
                "pathParameterErrors": [],
                "headerErrors": [],
                "queryParameterErrors": [],
                "bodyErrors": self.body_errors,
            }
        })
    }
}

/// What a route handler answers: a status and a JSON body (`None` for 204).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Reply {
            status: 200,
            body: Some(body),
        }
    }

    pub fn no_content() -> Self {
        Reply {
            status: 204,
            body: None,
        }
    }
}

pub type HandlerResult = Result<Reply, ApiError>;
