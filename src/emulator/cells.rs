//! What a row looks like: each cell's visible value and metadata at a given moment, and the
//! values formulas see.
//!
//! Owns the read side of cells (§9.2, §11.2): formula cells computed on read, action cells
//! `QUEUED`/`RUNNING` by time, stale markers when auto-run is off, coercion errors.
//! Knows nothing about HTTP; never mutates the store.

use std::cell::Cell;

use serde_json::{Map, Value, json};

use super::formula::{FieldValues, cell_value_of_formula_result, evaluate_text};
use super::store::{CREATED_AT_FIELD_ID, Field, Record, StoredCell, Table, UPDATED_AT_FIELD_ID};

/// Formula columns referencing formula columns recurse; a cycle must end somewhere.
const MAXIMUM_FORMULA_DEPTH: usize = 24;

/// The values formulas see for one row: plain values, action results' full objects, and other
/// formula columns computed on the fly.
pub struct RowValues<'a> {
    pub table: &'a Table,
    pub record: &'a Record,
    depth: Cell<usize>,
}

impl<'a> RowValues<'a> {
    pub fn new(table: &'a Table, record: &'a Record) -> Self {
        RowValues {
            table,
            record,
            depth: Cell::new(0),
        }
    }
}

impl FieldValues for RowValues<'_> {
    fn field_value(&self, field_id: &str) -> Value {
        let Some(field) = self
            .table
            .fields
            .get(field_id)
            .filter(|field| field.is_live())
        else {
            return Value::Null;
        };
        match field.id.as_str() {
            CREATED_AT_FIELD_ID => return Value::String(self.record.created_at.clone()),
            UPDATED_AT_FIELD_ID => return Value::String(self.record.updated_at.clone()),
            _ => {}
        }
        if field.field_type == "formula" {
            if self.depth.get() >= MAXIMUM_FORMULA_DEPTH {
                return Value::Null;
            }
            self.depth.set(self.depth.get() + 1);
            let value = formula_result(self, field).ok().unwrap_or(Value::Null);
            self.depth.set(self.depth.get() - 1);
            return value;
        }
        let Some(cell) = self.record.cells.get(field_id) else {
            return Value::Null;
        };
        if field.field_type == "action" {
            return cell
                .outcome
                .as_ref()
                .filter(|outcome| outcome.status == "SUCCESS")
                .map(|outcome| {
                    outcome
                        .full_value
                        .clone()
                        .unwrap_or_else(|| outcome.value.clone())
                })
                .unwrap_or(Value::Null);
        }
        if cell.invalid_value {
            Value::Null
        } else {
            cell.value.clone()
        }
    }
}

/// A formula column's value for the row (raw, before booleans become strings).
fn formula_result(row: &RowValues<'_>, field: &Field) -> Result<Value, String> {
    match field.formula_text() {
        Some(text) => evaluate_text(text, row),
        None => Ok(Value::Null),
    }
}

/// Which action cells carry `externalContent` (Clay includes it on single-record reads and for
/// `includeExternalContentFieldIds` in bulk fetch).
pub enum ExternalContent<'a> {
    None,
    All,
    Fields(&'a [String]),
}

impl ExternalContent<'_> {
    fn includes(&self, field_id: &str) -> bool {
        match self {
            ExternalContent::None => false,
            ExternalContent::All => true,
            ExternalContent::Fields(ids) => ids.iter().any(|id| id == field_id),
        }
    }
}

pub fn render_record(
    table: &Table,
    record: &Record,
    now_ms: u64,
    external: &ExternalContent<'_>,
) -> Value {
    let row = RowValues::new(table, record);
    let mut cells = Map::new();
    for field in table.live_fields() {
        if let Some(cell) = render_cell(&row, field, now_ms, external) {
            cells.insert(field.id.clone(), cell);
        }
    }
    let run_history: Map<String, Value> = record
        .run_history
        .iter()
        .map(|(field_id, entries)| (field_id.clone(), Value::Array(entries.clone())))
        .collect();
    json!({
        "id": record.id,
        "tableId": table.id,
        "cells": cells,
        "recordMetadata": {"runHistory": run_history, "preprocessingMarkerMax": {}},
        "createdAt": record.created_at,
        "updatedAt": record.updated_at,
        "deletedBy": null,
        "dedupeValue": null,
    })
}

fn render_cell(
    row: &RowValues<'_>,
    field: &Field,
    now_ms: u64,
    external: &ExternalContent<'_>,
) -> Option<Value> {
    let record = row.record;
    match field.id.as_str() {
        CREATED_AT_FIELD_ID => {
            return Some(json!({"value": record.created_at, "metadata": {"isCoerced": true}}));
        }
        UPDATED_AT_FIELD_ID => {
            return Some(json!({"value": record.updated_at, "metadata": {"isCoerced": true}}));
        }
        _ => {}
    }
    match field.field_type.as_str() {
        "formula" => {
            field.formula_text()?;
            Some(match formula_result(row, field) {
                Ok(Value::Null) => return None,
                Ok(value) => json!({"value": cell_value_of_formula_result(value),
                                     "metadata": {"status": "SUCCESS"}}),
                Err(message) => json!({"value": null, "metadata": {
                    "status": "ERROR_INVALID_FORMULA", "errorMessage": "Error evaluating formula",
                    "errorDetails": message}}),
            })
        }
        "action" => render_action_cell(
            row.table,
            field,
            record.cells.get(&field.id),
            now_ms,
            external,
        ),
        _ => {
            let cell = record.cells.get(&field.id)?;
            if cell.invalid_value {
                return Some(
                    json!({"value": null, "metadata": {"coercionErrorCode": "INVALID_VALUE"}}),
                );
            }
            if field.field_type == "source" && !cell.value.is_null() {
                // Source cells read as a preview; the payload is only reachable from formulas.
                return Some(
                    json!({"value": format!("Received {}", record.created_at.get(..10).unwrap_or_default()),
                                   "metadata": {"isPreview": true}}),
                );
            }
            Some(json!({"value": cell.value}))
        }
    }
}

fn render_action_cell(
    table: &Table,
    field: &Field,
    cell: Option<&StoredCell>,
    now_ms: u64,
    external: &ExternalContent<'_>,
) -> Option<Value> {
    let stale = || json!({"value": null, "metadata": {"isStale": true, "staleReason": "TABLE_AUTO_RUN_OFF"}});
    let Some(cell) = cell else {
        return (!table.auto_run_on()).then(stale);
    };
    if let Some(run) = &cell.run {
        let status = if now_ms < run.started_at_ms {
            "QUEUED"
        } else {
            "RUNNING"
        };
        let previous = if run.forced {
            Value::Null
        } else {
            cell.outcome
                .as_ref()
                .map_or(Value::Null, |o| o.value.clone())
        };
        return Some(json!({"value": previous, "metadata": {"status": status}}));
    }
    let Some(outcome) = &cell.outcome else {
        return (!table.auto_run_on()).then(stale);
    };
    let mut metadata = json!({"status": outcome.status});
    if outcome.status == "SUCCESS" && outcome.full_value.is_some() {
        metadata["isPreview"] = json!(true);
    }
    let mut rendered = json!({"value": outcome.value, "metadata": metadata});
    if external.includes(&field.id) {
        let mut content = json!({"status": outcome.status});
        if let Some(full_value) = &outcome.full_value {
            content["fullValue"] = full_value.clone();
        }
        if let Some(error) = &outcome.error {
            content["error"] = json!(error);
        }
        rendered["externalContent"] = content;
    }
    Some(rendered)
}

/// The status a cell of an action field shows now (for `runstatus`); `None` if never run.
pub fn action_cell_status(cell: &StoredCell, now_ms: u64) -> Option<&str> {
    if let Some(run) = &cell.run {
        return Some(if now_ms < run.started_at_ms {
            "QUEUED"
        } else {
            "RUNNING"
        });
    }
    cell.outcome.as_ref().map(|outcome| outcome.status.as_str())
}
