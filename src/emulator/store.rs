//! The emulator's in-memory data: workbooks, tables, fields, views, records, queued updates.
//!
//! Owns the shapes the emulator keeps (its own structs over `serde_json::Value`, never the
//! provider's wire types) and lookups that answer Clay's `NotFound` messages. Knows nothing about
//! HTTP; rendering to Clay's JSON lives in `render.rs` and `cells.rs`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::errors::ApiError;
use super::ids::SeededGenerator;

pub const USER_ID: u64 = 412_907;
pub const USER_EMAIL: &str = "emulator@clayform.dev";
pub const CREATED_AT_FIELD_ID: &str = "f_created_at";
pub const UPDATED_AT_FIELD_ID: &str = "f_updated_at";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Store {
    pub workspace_id: u64,
    pub seed: u64,
    pub ids: SeededGenerator,
    pub workbooks: IndexMap<String, Workbook>,
    pub tables: IndexMap<String, Table>,
    pub pending_updates: Vec<PendingUpdate>,
    #[serde(default)]
    pub sources: IndexMap<String, Source>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Workbook {
    pub id: String,
    pub name: String,
    pub parent_folder_id: Value,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Table {
    pub id: String,
    pub name: String,
    pub description: Value,
    pub table_type: String,
    pub workbook_id: String,
    pub table_settings: Map<String, Value>,
    pub field_group_map: Value,
    pub first_view_id: Option<String>,
    /// Includes soft-deleted fields: their names stay reserved.
    pub fields: IndexMap<String, Field>,
    pub views: IndexMap<String, View>,
    pub records: IndexMap<String, Record>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
    /// Fields whose next `runstatus` read answers `"_pending"` (set by a run call).
    pub pending_runstatus: Vec<String>,
    /// Whether any cell has an unsettled run; lets `settle` skip idle tables.
    pub has_pending_runs: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Field {
    pub id: String,
    pub name: String,
    pub field_type: String,
    pub description: Value,
    pub type_settings: Value,
    /// `f_created_at` / `f_updated_at`: locked against delete and edits.
    pub system: bool,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

impl Field {
    pub fn is_live(&self) -> bool {
        self.deleted_at.is_none()
    }

    pub fn action_key(&self) -> Option<&str> {
        self.type_settings.get("actionKey").and_then(Value::as_str)
    }

    pub fn formula_text(&self) -> Option<&str> {
        self.type_settings
            .get("formulaText")
            .and_then(Value::as_str)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct View {
    pub id: String,
    pub name: String,
    pub description: Value,
    pub order: String,
    /// field id -> `{order, isVisible, width}`
    pub fields: Map<String, Value>,
    pub filter: Value,
    pub sort: Value,
    pub limit: Value,
    pub type_settings: Value,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub cells: IndexMap<String, StoredCell>,
    /// field id -> `[{time, runId}]`
    pub run_history: IndexMap<String, Vec<Value>>,
    pub created_at: String,
    pub updated_at: String,
    pub created_at_ms: u64,
}

/// One stored cell. Plain cells use `value`; action cells keep their run and last outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoredCell {
    pub value: Value,
    /// The value was sent wrapped as `{value: ...}`: Clay flags `coercionErrorCode: INVALID_VALUE`.
    pub invalid_value: bool,
    pub run: Option<CellRun>,
    pub outcome: Option<RunOutcome>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CellRun {
    pub run_id: String,
    pub queued_at_ms: u64,
    pub started_at_ms: u64,
    pub finished_at_ms: u64,
    pub forced: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunOutcome {
    pub status: String,
    pub value: Value,
    pub full_value: Option<Value>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingUpdate {
    pub apply_at_ms: u64,
    pub table_id: String,
    pub record_id: String,
    pub cells: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Source {
    pub id: String,
    pub name: String,
    pub source_type: String,
    pub type_settings: Value,
    pub table_id: String,
    pub field_id: String,
    pub slug: String,
    pub num_source_records: u64,
    pub deleted_at: Option<String>,
    /// A webhook source's auth token, once `POST /v3/sources/webhook/auth-token/{s}` made one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_token: Option<String>,
}

impl Store {
    pub fn new(workspace_id: u64, seed: u64) -> Self {
        Store {
            workspace_id,
            seed,
            ids: SeededGenerator::new(seed),
            workbooks: IndexMap::new(),
            tables: IndexMap::new(),
            pending_updates: Vec::new(),
            sources: IndexMap::new(),
        }
    }

    pub fn table(&self, table_id: &str) -> Result<&Table, ApiError> {
        self.tables
            .get(table_id)
            .filter(|table| table.deleted_at.is_none())
            .ok_or_else(|| table_not_found(table_id))
    }

    pub fn table_mut(&mut self, table_id: &str) -> Result<&mut Table, ApiError> {
        self.tables
            .get_mut(table_id)
            .filter(|table| table.deleted_at.is_none())
            .ok_or_else(|| table_not_found(table_id))
    }

    /// A live table and the id generator, borrowed together (handlers need both at once).
    pub fn table_and_ids(
        &mut self,
        table_id: &str,
    ) -> Result<(&mut Table, &mut SeededGenerator), ApiError> {
        let table = self
            .tables
            .get_mut(table_id)
            .filter(|table| table.deleted_at.is_none())
            .ok_or_else(|| table_not_found(table_id))?;
        Ok((table, &mut self.ids))
    }

    pub fn workbook(&self, workbook_id: &str) -> Result<&Workbook, ApiError> {
        self.workbooks
            .get(workbook_id)
            .filter(|workbook| workbook.deleted_at.is_none())
            .ok_or_else(|| ApiError::not_found(format!("Workbook {workbook_id} does not exist")))
    }
}

pub fn table_not_found(table_id: &str) -> ApiError {
    ApiError::not_found(format!("Table {table_id} does not exist"))
}

impl Table {
    pub fn live_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.values().filter(|field| field.is_live())
    }

    pub fn live_field(&self, field_id: &str) -> Result<&Field, ApiError> {
        self.fields
            .get(field_id)
            .filter(|field| field.is_live())
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "Field {field_id} does not exist in table {}",
                    self.id
                ))
            })
    }

    pub fn view(&self, view_id: &str) -> Result<&View, ApiError> {
        self.views
            .get(view_id)
            .ok_or_else(|| ApiError::not_found(format!("View {view_id} does not exist")))
    }

    pub fn record(&self, record_id: &str) -> Result<&Record, ApiError> {
        self.records
            .get(record_id)
            .ok_or_else(|| ApiError::not_found(format!("Record {record_id} was not found")))
    }

    pub fn auto_run_on(&self) -> bool {
        self.table_settings
            .get("AUTO_RUN_ON")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The next fractional order string after every existing view field (`"a"`, `"b"`, ... `"z"`,
    /// `"za"`, ...): lexicographic like Clay's, owned by the server.
    pub fn next_field_order(view: &View) -> String {
        let last = view
            .fields
            .values()
            .filter_map(|entry| entry.get("order").and_then(Value::as_str))
            .max()
            .map(str::to_string);
        next_order_after(last.as_deref())
    }
}

pub fn next_order_after(last: Option<&str>) -> String {
    match last {
        None => "a".to_string(),
        Some(text) => {
            let mut characters: Vec<char> = text.chars().collect();
            match characters.last().copied() {
                Some(last_char) if last_char < 'z' => {
                    let length = characters.len();
                    characters[length - 1] =
                        char::from(u8::try_from(last_char).unwrap_or(b'y') + 1);
                    characters.into_iter().collect()
                }
                _ => format!("{text}a"),
            }
        }
    }
}

/// ISO-8601 with milliseconds, as Clay writes timestamps.
pub fn iso_time(milliseconds: u64) -> String {
    let milliseconds = i64::try_from(milliseconds).unwrap_or(i64::MAX);
    chrono::DateTime::from_timestamp_millis(milliseconds)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An order key that sorts right after `after_field` in `view` and before the field that follows
/// it (`moving` itself is ignored), the way Clay's fractional order strings work (reference §10:
/// `"x"`, `"xi"`, `"y"`).
pub fn order_after(view: &View, after_field: &str, moving: &str) -> Option<String> {
    let after = view
        .fields
        .get(after_field)?
        .get("order")?
        .as_str()?
        .to_string();
    let next = view
        .fields
        .iter()
        .filter(|(id, _)| id.as_str() != moving && id.as_str() != after_field)
        .filter_map(|(_, entry)| entry.get("order").and_then(Value::as_str))
        .filter(|order| *order > after.as_str())
        .min();
    Some(key_between(&after, next))
}

/// A key `k` with `low < k < high`. Keys are printable ASCII above `0`; no key this returns ends
/// in `0`, so there is always room below every key.
pub fn key_between(low: &str, high: Option<&str>) -> String {
    match high.and_then(|high| high.strip_prefix(low)) {
        // `high` extends `low`: go below `high`'s next character.
        Some(rest) => match rest.bytes().next() {
            Some(next) if next > b'1' => format!("{low}{}", char::from(b'0' + (next - b'0') / 2)),
            // Next is `1` (or `0`): `0` then anything sorts below it and above `low`.
            Some(b'1') => format!("{low}0m"),
            Some(_) => key_between(&format!("{low}0"), high),
            None => format!("{low}m"),
        },
        // `low` is not a prefix of `high`: they differ where `low` is smaller, so anything that
        // extends `low` stays below `high`.
        None => format!("{low}m"),
    }
}

#[cfg(test)]
mod order_tests {
    use super::key_between;

    #[test]
    fn keys_fall_strictly_between() {
        for (low, high) in [
            ("a", Some("b")),
            ("x", Some("xi")),
            ("x", Some("x0a")),
            ("b", None),
            ("", Some("a")),
        ] {
            let key = key_between(low, high);
            assert!(key.as_str() > low, "{key} > {low}");
            if let Some(high) = high {
                assert!(key.as_str() < high, "{key} < {high}");
            }
        }
    }

    #[test]
    fn repeated_insertion_after_the_same_key_keeps_order() {
        // Insert after "a" again and again, each time before the previous insertion.
        let mut next = "b".to_string();
        for _ in 0..20 {
            let key = key_between("a", Some(&next));
            assert!(key.as_str() > "a" && key < next, "{key}");
            next = key;
        }
    }
}
