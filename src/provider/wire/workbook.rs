//! Workbook bodies (reference §7.2) and the resource-delete body (§7.1).
//!
//! Owns: [`ClayWorkbook`], the three list envelopes Clay is seen to use, and
//! [`DeleteResourcesRequest`]. Must not know: HTTP.

use serde::{Deserialize, Serialize};

use super::workspace::WorkspaceId;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClayWorkbook {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub workspace_id: Option<WorkspaceId>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub parent_folder_id: Option<String>,
    #[serde(default)]
    pub settings: serde_json::Value,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub deleted_at: Option<String>,
}

/// `GET /v3/workspaces/{ws}/workbooks`: a bare array, or `{workbooks}` / `{results}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum WorkbookList {
    Bare(Vec<ClayWorkbook>),
    Workbooks { workbooks: Vec<ClayWorkbook> },
    Results { results: Vec<ClayWorkbook> },
}

impl WorkbookList {
    pub fn into_vec(self) -> Vec<ClayWorkbook> {
        match self {
            WorkbookList::Bare(list)
            | WorkbookList::Workbooks { workbooks: list }
            | WorkbookList::Results { results: list } => list,
        }
    }
}

/// `POST /v3/workbooks`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateWorkbookRequest {
    pub name: String,
    pub workspace_id: WorkspaceId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_folder_id: Option<String>,
}

/// `DELETE /v3/workspaces/{ws}/resources/` (soft delete unless `is_permanent_delete`).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteResourcesRequest {
    pub table_ids: Vec<String>,
    pub workbook_ids: Vec<String>,
    pub folder_ids: Vec<String>,
    pub is_permanent_delete: bool,
}
