//! Run bodies (reference §11): `PATCH /v3/tables/{t}/run` and the `runstatus` answer.
//!
//! Owns: [`RunRequest`], [`RunRecords`], [`RunAnswer`], and [`RunStatusAnswer`] whose per-field
//! value is a list of counts or the string `"_pending"`.
//! Must not know: HTTP or polling.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRequest {
    pub field_ids: Vec<String>,
    pub run_records: RunRecords,
    pub force_run: bool,
    pub caller_name: String,
}

/// Which rows to run. Empty lists and `{all:true}` make Clay answer `runMode: "NONE"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RunRecords {
    #[serde(rename = "recordIds")]
    RecordIds(Vec<String>),
    #[serde(rename = "viewIdTopRecords")]
    ViewTopRecords {
        #[serde(rename = "viewId")]
        view_id: String,
        #[serde(rename = "numRecords", skip_serializing_if = "Option::is_none")]
        num_records: Option<u64>,
    },
    #[serde(rename = "viewId")]
    View(String),
}

/// `{recordCount, runMode}`; `runMode: "NONE"` means nothing ran.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunAnswer {
    #[serde(default)]
    pub record_count: Option<u64>,
    #[serde(default)]
    pub run_mode: Option<String>,
}

/// `GET /v3/workspaces/{ws}/tables/{t}/fields/runstatus`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunStatusAnswer {
    #[serde(default)]
    pub status_counts_by_field: FieldRunStatuses,
}

/// The whole map, or `"_pending"` for all of it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum FieldRunStatuses {
    ByField(IndexMap<String, FieldRunStatus>),
    Pending(String),
}

impl Default for FieldRunStatuses {
    fn default() -> Self {
        FieldRunStatuses::ByField(IndexMap::new())
    }
}

/// Counts per status for one field, or `"_pending"` while Clay computes them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum FieldRunStatus {
    Counts(Vec<StatusCount>),
    Pending(String),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StatusCount {
    pub status: String,
    #[serde(default)]
    pub count: u64,
}

impl RunStatusAnswer {
    pub fn is_pending(&self) -> bool {
        match &self.status_counts_by_field {
            FieldRunStatuses::Pending(_) => true,
            FieldRunStatuses::ByField(map) => map
                .values()
                .any(|status| matches!(status, FieldRunStatus::Pending(_))),
        }
    }

    /// Field id → counts, once nothing is pending.
    pub fn counts(&self) -> IndexMap<String, Vec<StatusCount>> {
        match &self.status_counts_by_field {
            FieldRunStatuses::Pending(_) => IndexMap::new(),
            FieldRunStatuses::ByField(map) => map
                .iter()
                .filter_map(|(field_id, status)| match status {
                    FieldRunStatus::Counts(counts) => Some((field_id.clone(), counts.clone())),
                    FieldRunStatus::Pending(_) => None,
                })
                .collect(),
        }
    }
}
