//! Clay's error body: `{type, message, details}` (reference §4.2).
//!
//! Owns: the lenient parse of an error answer. Must not know: statuses or retries.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, Default)]
pub struct ClayErrorBody {
    /// `BadRequest`, `NotFound`, `NoMatchingURL`, `Unauthorized`, `Forbidden`,
    /// `FieldNameAlreadyExists`, `InternalServerError`, ...
    #[serde(rename = "type", default)]
    pub error_type: Option<String>,
    /// Usually a string; kept as JSON because some routes answer `{success:false, message}` or
    /// nest it.
    #[serde(default)]
    pub message: Option<serde_json::Value>,
    /// `{pathParameterErrors, headerErrors, queryParameterErrors, bodyErrors}` from validation.
    #[serde(default)]
    pub details: Option<serde_json::Value>,
    /// Webhook routes answer 429 with `retryAfter` in the body.
    #[serde(rename = "retryAfter", default)]
    pub retry_after: Option<serde_json::Value>,
}

impl ClayErrorBody {
    pub fn message_text(&self) -> String {
        match &self.message {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(serde_json::Value::Null) | None => String::from("(no message)"),
            Some(other) => other.to_string(),
        }
    }
}
