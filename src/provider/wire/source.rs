//! Source bodies (reference §12): source objects, the webhook `addSource` settings, and the
//! find-companies / find-people (`create-cpj-table`) request and answer.
//!
//! Owns: [`ClaySource`], [`CpjTableRequest`], [`CpjTableAnswer`].
//! Must not know: HTTP.

use serde::{Deserialize, Serialize};

use super::workspace::WorkspaceId;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaySource {
    pub id: String,
    #[serde(default)]
    pub workspace_id: Option<WorkspaceId>,
    #[serde(default)]
    pub name: String,
    /// `webhook`, `manual`, `v3-action`, `companies`, `people`.
    #[serde(rename = "type", default)]
    pub source_type: Option<String>,
    #[serde(default)]
    pub type_settings: serde_json::Value,
    #[serde(default)]
    pub data_field_id: Option<String>,
    /// `{url?, numSourceRecords, ...}`.
    #[serde(default)]
    pub state: serde_json::Value,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub source_subscriptions: Vec<SourceSubscription>,
    #[serde(default)]
    pub deleted_at: Option<String>,
}

impl ClaySource {
    /// The inbound URL of a webhook source (`state.url`).
    pub fn webhook_url(&self) -> Option<&str> {
        self.state.get("url").and_then(serde_json::Value::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceSubscription {
    #[serde(default)]
    pub table_id: Option<String>,
    #[serde(default)]
    pub field_id: Option<String>,
}

/// A source answer that may be wrapped in `{source}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SourceAnswer {
    Wrapped { source: Box<ClaySource> },
    Bare(Box<ClaySource>),
}

impl SourceAnswer {
    pub fn into_source(self) -> ClaySource {
        match self {
            SourceAnswer::Wrapped { source } | SourceAnswer::Bare(source) => *source,
        }
    }
}

/// `GET /v3/sources?tableId=`: a bare array (or `{results}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SourceList {
    Bare(Vec<ClaySource>),
    Results { results: Vec<ClaySource> },
}

impl SourceList {
    pub fn into_vec(self) -> Vec<ClaySource> {
        match self {
            SourceList::Bare(list) | SourceList::Results { results: list } => list,
        }
    }
}

/// `POST /v3/sources/create-cpj-table`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CpjTableRequest {
    /// Sent as a string, as the reference's example does.
    pub workspace_id: String,
    pub workbook_name: String,
    pub workbook_id: Option<String>,
    pub cpj_config: serde_json::Value,
}

/// `{tableId, viewId, workbookId, sourceId, isNewTable}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CpjTableAnswer {
    pub table_id: String,
    #[serde(default)]
    pub view_id: Option<String>,
    #[serde(default)]
    pub workbook_id: Option<String>,
    #[serde(default)]
    pub source_id: Option<String>,
    #[serde(default)]
    pub is_new_table: Option<bool>,
}
