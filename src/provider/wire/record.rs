//! Record (row) bodies (reference §9): records, cells with metadata and external content, and the
//! insert, bulk-fetch, patch and delete bodies.
//!
//! Owns: [`ClayRecord`], [`ClayCell`], the request bodies, and the two readings of the
//! single-record PATCH body ([`SingleRecordPatch`]). Cell values are any JSON.
//! Must not know: HTTP.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClayRecord {
    #[serde(deserialize_with = "super::id_of_any_shape")]
    pub id: String,
    #[serde(default)]
    pub table_id: Option<String>,
    /// Field id → cell.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub cells: IndexMap<String, ClayCell>,
    #[serde(default)]
    pub record_metadata: serde_json::Value,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// One cell: `{value, metadata?, externalContent?}`. A cell that arrives as a bare JSON value
/// (no such keys) is read as its value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClayCell {
    pub value: serde_json::Value,
    pub metadata: Option<CellMetadata>,
    /// `{fullValue, status?, error?}` for action cells.
    pub external_content: Option<serde_json::Value>,
}

impl ClayCell {
    /// The full value of an action cell when present, else the (preview) value.
    pub fn full_value(&self) -> &serde_json::Value {
        self.external_content
            .as_ref()
            .and_then(|content| content.get("fullValue"))
            .unwrap_or(&self.value)
    }

    /// `metadata.status`, falling back to `externalContent.status`.
    pub fn status(&self) -> Option<&str> {
        self.metadata
            .as_ref()
            .and_then(|metadata| metadata.status.as_deref())
            .or_else(|| {
                self.external_content
                    .as_ref()
                    .and_then(|content| content.get("status"))
                    .and_then(serde_json::Value::as_str)
            })
    }
}

impl<'de> Deserialize<'de> for ClayCell {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let is_cell_object = value.as_object().is_some_and(|map| {
            map.contains_key("value")
                || map.contains_key("metadata")
                || map.contains_key("externalContent")
        });
        if !is_cell_object {
            return Ok(ClayCell {
                value,
                metadata: None,
                external_content: None,
            });
        }
        let mut map = match value {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        let metadata = match map.remove("metadata") {
            None | Some(serde_json::Value::Null) => None,
            Some(raw) => Some(serde_json::from_value(raw).map_err(serde::de::Error::custom)?),
        };
        Ok(ClayCell {
            value: map.remove("value").unwrap_or(serde_json::Value::Null),
            metadata,
            external_content: map
                .remove("externalContent")
                .filter(|content| !content.is_null()),
        })
    }
}

/// `cells[f].metadata`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CellMetadata {
    /// `SUCCESS`, `ERROR_*`, `QUEUED`, `RUNNING`, ...
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub is_stale: Option<bool>,
    /// `TABLE_AUTO_RUN_OFF`, ...
    #[serde(default)]
    pub stale_reason: Option<String>,
    #[serde(default)]
    pub is_preview: Option<bool>,
    #[serde(default)]
    pub is_coerced: Option<bool>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A record to insert: optional client-chosen id, cells keyed by field id (plain JSON values).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NewRecord {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub cells: IndexMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InsertRecordsRequest<'a> {
    pub records: &'a [NewRecord],
}

/// `{records:[...]}` from insert (and `{records:[], extraData}` from bulk patch).
#[derive(Debug, Clone, Deserialize)]
pub struct RecordsAnswer {
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub records: Vec<ClayRecord>,
}

/// `{results:[...]}` from view listing and bulk fetch (a bare array is accepted too).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RecordList {
    Results { results: Vec<ClayRecord> },
    Records { records: Vec<ClayRecord> },
    Bare(Vec<ClayRecord>),
}

impl RecordList {
    pub fn into_vec(self) -> Vec<ClayRecord> {
        match self {
            RecordList::Results { results: list }
            | RecordList::Records { records: list }
            | RecordList::Bare(list) => list,
        }
    }
}

/// `{results:["r_...", ...]}` from `.../records/ids`; ids of any shape.
#[derive(Debug, Clone, Deserialize)]
pub struct RecordIdList {
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub results: Vec<serde_json::Value>,
}

impl RecordIdList {
    /// The ids as text, without the stray `"search"` placeholder an old note reports.
    pub fn into_ids(self) -> Vec<String> {
        self.results
            .into_iter()
            .filter_map(|value| match value {
                serde_json::Value::String(text) if text == "search" => None,
                serde_json::Value::String(text) => Some(text),
                serde_json::Value::Null => None,
                other => Some(other.to_string()),
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkFetchRequest<'a> {
    pub record_ids: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub include_external_content_field_ids: &'a [String],
}

/// One entry of `PATCH /v3/tables/{t}/records` (`id`, not `recordId`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordPatch {
    pub id: String,
    pub cells: IndexMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BulkPatchRequest<'a> {
    pub records: &'a [RecordPatch],
}

/// The body of `PATCH /v3/tables/{t}/records/{r}`: a raw cells map (ZP, live-tested) or
/// `{cells: {...}}` (MS). The client sends the raw map; both read back to the same cells.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleRecordPatch {
    pub cells: IndexMap<String, serde_json::Value>,
}

impl<'de> Deserialize<'de> for SingleRecordPatch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = IndexMap::<String, serde_json::Value>::deserialize(deserializer)?;
        if map.len() == 1
            && let Some(serde_json::Value::Object(cells)) = map.get("cells")
        {
            let cells = cells.clone().into_iter().collect();
            return Ok(SingleRecordPatch { cells });
        }
        map.shift_remove("cells");
        Ok(SingleRecordPatch { cells: map })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteRecordsRequest<'a> {
    pub record_ids: &'a [String],
}
