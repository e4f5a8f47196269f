//! Field (column) bodies (reference §7.4, §8.1): the field object, create/patch bodies, and the
//! `{field}` vs bare-field answer.
//!
//! Owns: [`ClayField`] and [`FieldAnswer`], [`CreateFieldRequest`], [`PatchFieldRequest`].
//! `typeSettings` stays JSON so a patch can send the whole object back with every unknown key.
//! Must not know: HTTP or the spec model (see `translate`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClayField {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// `text`, `number`, `url`, `formula`, `action`, `source`, ...
    #[serde(rename = "type", default)]
    pub field_type: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub type_settings: serde_json::Value,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub input_field_ids: Vec<String>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub conditional_run_field_ids: Vec<String>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub settings_error: Vec<SettingsError>,
    #[serde(default)]
    pub action_definition: Option<ActionDefinition>,
    #[serde(default)]
    pub lock_settings: Option<serde_json::Value>,
    #[serde(default)]
    pub is_extracted_field: Option<bool>,
    #[serde(default)]
    pub extracted_field: Option<serde_json::Value>,
    #[serde(default)]
    pub group_id: Option<String>,
}

impl ClayField {
    /// A string key of `typeSettings` (`actionKey`, `formulaText`, ...).
    pub fn type_setting_str(&self, key: &str) -> Option<&str> {
        self.type_settings
            .get(key)
            .and_then(serde_json::Value::as_str)
    }

    pub fn action_key(&self) -> Option<&str> {
        self.type_setting_str("actionKey")
    }

    /// System fields (`f_created_at`, `f_updated_at`) are locked against delete and update.
    pub fn is_system(&self) -> bool {
        self.lock_settings
            .as_ref()
            .and_then(|lock| lock.get("lockDelete"))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false)
            || self.id == "f_created_at"
            || self.id == "f_updated_at"
    }
}

/// `settingsError[]`: `{type: "INVALID_FORMULA_MISSING_INPUT_FIELD", message}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SettingsError {
    #[serde(rename = "type", default)]
    pub error_type: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// `actionDefinition` on action fields (server-added).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionDefinition {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub input_parameter_schema: Vec<ActionParameterSchema>,
    #[serde(default)]
    pub output_parameter_schema: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ActionParameterSchema {
    pub name: String,
    #[serde(rename = "type", default)]
    pub parameter_type: Option<serde_json::Value>,
    #[serde(default)]
    pub optional: Option<bool>,
}

/// Field create/patch answer: `{field: {...}}` or the bare field.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum FieldAnswer {
    Wrapped { field: Box<ClayField> },
    Bare(Box<ClayField>),
}

impl FieldAnswer {
    pub fn into_field(self) -> ClayField {
        match self {
            FieldAnswer::Wrapped { field } | FieldAnswer::Bare(field) => *field,
        }
    }
}

/// `POST /v3/tables/{t}/fields`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateFieldRequest {
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: String,
    pub type_settings: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Required by some probes; the client fills it with the table's first view when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_view_id: Option<String>,
}

/// `PATCH /v3/tables/{t}/fields/{f}`. `type_settings`, when sent, is the **whole** object.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatchFieldRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_settings: Option<serde_json::Value>,
}
