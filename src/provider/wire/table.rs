//! Table bodies (reference §7.3): the table object, `{table, extraData}`, create and patch.
//!
//! Owns: [`ClayTable`] (fields and views included; `views` and the older `gridViews` both read),
//! [`TableEnvelope`], [`TableSummary`] for lists, [`CreateTableRequest`], [`PatchTableRequest`],
//! and the auto-run setting's two spellings (`AUTO_RUN_ON`, `autoRun`).
//! Must not know: HTTP.

use serde::{Deserialize, Serialize};

use super::field::ClayField;
use super::view::ClayView;
use super::workspace::WorkspaceId;

/// The `tableSettings` key Clay's own clients set for auto-run.
pub const AUTO_RUN_ON: &str = "AUTO_RUN_ON";
/// The camelCase auto-run key also seen (reference §7.3; relation to `AUTO_RUN_ON` unknown).
pub const AUTO_RUN_CAMEL: &str = "autoRun";

/// A table as `GET /v3/tables/{t}` returns it under `table`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "RawTable")]
pub struct ClayTable {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// `spreadsheet`, `company`, `people`, `jobs`.
    pub table_type: Option<String>,
    pub workspace_id: Option<WorkspaceId>,
    pub workbook_id: Option<String>,
    pub first_view_id: Option<String>,
    /// Schemaless; `PATCH` merges keys into it.
    pub table_settings: serde_json::Map<String, serde_json::Value>,
    pub field_group_map: serde_json::Value,
    pub fields: Vec<ClayField>,
    /// From `views`, or `gridViews` when `views` is absent or empty.
    pub views: Vec<ClayView>,
    pub created_at: Option<String>,
    pub deleted_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTable {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(rename = "type", default)]
    table_type: Option<String>,
    #[serde(default)]
    workspace_id: Option<WorkspaceId>,
    #[serde(default)]
    workbook_id: Option<String>,
    #[serde(default)]
    first_view_id: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    table_settings: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    field_group_map: serde_json::Value,
    #[serde(default, deserialize_with = "super::null_as_default")]
    fields: Vec<ClayField>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    views: Vec<ClayView>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    grid_views: Vec<ClayView>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    deleted_at: Option<String>,
}

impl From<RawTable> for ClayTable {
    fn from(raw: RawTable) -> Self {
        let views = if raw.views.is_empty() {
            raw.grid_views
        } else {
            raw.views
        };
        ClayTable {
            id: raw.id,
            name: raw.name,
            description: raw.description,
            table_type: raw.table_type,
            workspace_id: raw.workspace_id,
            workbook_id: raw.workbook_id,
            first_view_id: raw.first_view_id,
            table_settings: raw.table_settings,
            field_group_map: raw.field_group_map,
            fields: raw.fields,
            views,
            created_at: raw.created_at,
            deleted_at: raw.deleted_at,
        }
    }
}

impl ClayTable {
    pub fn field(&self, field_id: &str) -> Option<&ClayField> {
        self.fields.iter().find(|field| field.id == field_id)
    }

    pub fn field_named(&self, name: &str) -> Option<&ClayField> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// Auto-run as Clay reports it: `AUTO_RUN_ON` wins, `autoRun` is the fallback; `None` when
    /// neither key is a boolean.
    pub fn auto_run(&self) -> Option<bool> {
        self.table_settings
            .get(AUTO_RUN_ON)
            .and_then(serde_json::Value::as_bool)
            .or_else(|| {
                self.table_settings
                    .get(AUTO_RUN_CAMEL)
                    .and_then(serde_json::Value::as_bool)
            })
    }

    /// The view to read records through: `firstViewId`, else the first view.
    pub fn default_view_id(&self) -> Option<&str> {
        self.first_view_id
            .as_deref()
            .or_else(|| self.views.first().map(|view| view.id.as_str()))
    }
}

/// `GET /v3/tables/{t}` when only the fields matter (a field's read-back): views and the rest are
/// skipped without being decoded.
#[derive(Debug, Clone, Deserialize)]
pub struct TableFieldsEnvelope {
    pub table: TableFields,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TableFields {
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub fields: Vec<ClayField>,
}

/// `{table, extraData}` from table get, create and (sometimes) patch.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableEnvelope {
    pub table: ClayTable,
    #[serde(default)]
    pub extra_data: TableExtraData,
}

/// `extraData` after a create: the implicit workbook and the auto-created rows.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableExtraData {
    #[serde(default)]
    pub newly_created_workbook: Option<super::workbook::ClayWorkbook>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub initial_record_ids: Vec<serde_json::Value>,
}

/// A table answer that may or may not be wrapped in `{table}` (PATCH, DELETE).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TableAnswer {
    Wrapped(Box<TableEnvelope>),
    Bare(Box<ClayTable>),
}

impl TableAnswer {
    pub fn into_table(self) -> ClayTable {
        match self {
            TableAnswer::Wrapped(envelope) => envelope.table,
            TableAnswer::Bare(table) => *table,
        }
    }
}

/// One entry of `GET /v3/workspaces/{ws}/tables` or `GET /v3/workbooks/{wb}/tables`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableSummary {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type", default)]
    pub table_type: Option<String>,
    #[serde(default)]
    pub workbook_id: Option<String>,
    #[serde(default)]
    pub first_view_id: Option<String>,
    #[serde(default)]
    pub deleted_at: Option<String>,
}

/// A list that is `{results:[...]}` or a bare array.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TableList {
    Results { results: Vec<TableSummary> },
    Tables { tables: Vec<TableSummary> },
    Bare(Vec<TableSummary>),
}

impl TableList {
    pub fn into_vec(self) -> Vec<TableSummary> {
        match self {
            TableList::Results { results: list }
            | TableList::Tables { tables: list }
            | TableList::Bare(list) => list,
        }
    }
}

/// `GET /v3/tables/{t}/count`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableCount {
    pub table_total_records_count: u64,
}

/// `POST /v3/tables`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTableRequest {
    pub workspace_id: WorkspaceId,
    #[serde(rename = "type")]
    pub table_type: String,
    pub name: String,
    /// Omitted: Clay creates a workbook named like the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workbook_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `no_views`, `basic_source`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

/// `PATCH /v3/tables/{t}`. Unset keys are not sent; `table_settings` keys merge into Clay's.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatchTableRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workbook_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table_settings: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_group_map: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_settings: Option<serde_json::Value>,
}
