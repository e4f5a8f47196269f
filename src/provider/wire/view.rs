//! Grid view bodies (reference §10).
//!
//! Owns: [`ClayView`] and the create, patch, filter, sort and field-settings bodies.
//! Must not know: HTTP.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClayView {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub table_id: Option<String>,
    #[serde(default)]
    pub order: Option<String>,
    /// Field id → order, visibility, width.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub fields: IndexMap<String, ViewFieldSettings>,
    #[serde(default)]
    pub filter: serde_json::Value,
    #[serde(default)]
    pub sort: serde_json::Value,
    #[serde(default)]
    pub limit: Option<serde_json::Value>,
    /// `preconfiguredType` for Clay's default views.
    #[serde(default)]
    pub type_settings: serde_json::Value,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewFieldSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_visible: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<serde_json::Value>,
}

/// A view answer that may be wrapped in `{view}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ViewAnswer {
    Wrapped { view: Box<ClayView> },
    Bare(Box<ClayView>),
}

impl ViewAnswer {
    pub fn into_view(self) -> ClayView {
        match self {
            ViewAnswer::Wrapped { view } | ViewAnswer::Bare(view) => *view,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateViewRequest {
    pub name: String,
    #[serde(rename = "type")]
    pub view_type: String,
}

/// `PATCH /v3/tables/{t}/views/{v}`: only name and limit stick (filter/sort here are dropped).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PatchViewRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

/// `PATCH .../filter`: `{items:[{fieldId, type, value?}], combinationMode}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewFilter {
    pub items: Vec<ViewFilterItem>,
    /// `AND` or `OR`.
    pub combination_mode: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewFilterItem {
    pub field_id: String,
    /// The operator (`EQUAL`, `NOT_EMPTY`, `HAS_ERROR`, ...).
    #[serde(rename = "type")]
    pub operator: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
}

/// `PATCH .../sort`: `{items:[{fieldId, direction}]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewSort {
    pub items: Vec<ViewSortItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewSortItem {
    pub field_id: String,
    /// `ASC` or `DESC`.
    pub direction: String,
}

/// Where to move a field in a view (`PATCH .../fields/{f}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ViewFieldPosition {
    AfterFieldId(String),
    BeforeFieldId(String),
}
