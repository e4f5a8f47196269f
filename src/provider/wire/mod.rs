//! Serde types for Clay's v3 JSON, as the reference (`clay-api.md`) records it.
//!
//! Owns: the shape of every request and response body the provider sends or reads. Every type
//! ignores unknown fields, and every place where the reference records two readings accepts both
//! (see the provider's module docs for the list). Schemaless blobs (`typeSettings`,
//! `tableSettings`, cell values) stay `serde_json::Value` so a read-modify-write loses nothing.
//! Must not know: HTTP, retries, or the spec model.

pub mod error_body;
pub mod field;
pub mod record;
pub mod run;
pub mod source;
pub mod table;
pub mod view;
pub mod workbook;
pub mod workspace;

use serde::{Deserialize, Deserializer};

/// An id Clay may send as a string or a number (record ids "of any shape"); kept as text.
pub fn id_of_any_shape<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(match value {
        serde_json::Value::String(text) => text,
        other => other.to_string(),
    })
}

/// Like [`id_of_any_shape`] for optional ids; `null` is `None`.
pub fn optional_id_of_any_shape<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(match value {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(text)) => Some(text),
        Some(other) => Some(other.to_string()),
    })
}

/// `null` (or a missing key, with `#[serde(default)]`) becomes the type's default.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
