//! Enrichment runs: scheduling cells, and settling them lazily by time.
//!
//! Owns the run lifecycle of §11: a scheduled cell is `QUEUED`, then `RUNNING`, then settles to
//! `SUCCESS` / `SUCCESS_NO_DATA` / `ERROR_*` when a request arrives after its finish time. Settling
//! on read (instead of a background task) keeps results deterministic and the state file simple.
//! Also applies queued record updates, which are asynchronous in Clay (§9.3).
//! Knows nothing about HTTP.

use serde_json::{Map, Value, json};

use super::actions;
use super::cells::RowValues;
use super::config::RunSpeed;
use super::field_settings::dependencies;
use super::formula::{evaluate_text, truthy};
use super::ids::{SeededGenerator, stable_hash};
use super::store::{CellRun, Field, PendingUpdate, Record, RunOutcome, Store, Table, iso_time};

/// Rows of one run call beyond this start together (keeps huge runs from taking forever).
const MAXIMUM_STAGGERED_ROWS: u64 = 50;

pub struct RunRequest<'a> {
    pub field_ids: &'a [String],
    pub record_ids: &'a [String],
    pub forced: bool,
}

/// Whether a field is an action column that runs (not a button-only column when auto-running).
pub fn is_action(field: &Field) -> bool {
    field.is_live() && field.field_type == "action"
}

fn runs_automatically(field: &Field) -> bool {
    is_action(field)
        && field
            .type_settings
            .get("runAsButton")
            .and_then(Value::as_bool)
            != Some(true)
}

/// Schedules the cells of `request` starting at `now_ms`. Without `forced`, cells already
/// `SUCCESS` are skipped; with it, the old value is cleared first (a failed re-run loses it).
/// Returns how many cells were scheduled.
pub fn schedule(
    table: &mut Table,
    request: &RunRequest<'_>,
    now_ms: u64,
    speed: RunSpeed,
    ids: &mut SeededGenerator,
) -> usize {
    let action_field_ids: Vec<String> = request
        .field_ids
        .iter()
        .filter(|id| table.fields.get(id.as_str()).is_some_and(is_action))
        .cloned()
        .collect();
    let mut scheduled = 0;
    let mut row_index: u64 = 0;
    for record_id in request.record_ids {
        let Some(record) = table.records.get_mut(record_id) else {
            continue;
        };
        let started_at_ms =
            now_ms + speed.queued_ms + speed.stagger_ms * row_index.min(MAXIMUM_STAGGERED_ROWS);
        row_index += 1;
        for field_id in &action_field_ids {
            let cell = record.cells.entry(field_id.clone()).or_default();
            let already_succeeded =
                cell.run.is_none() && cell.outcome.as_ref().is_some_and(|o| o.status == "SUCCESS");
            if already_succeeded && !request.forced {
                continue;
            }
            if request.forced {
                cell.outcome = None;
            }
            cell.run = Some(CellRun {
                run_id: ids.id("run_"),
                queued_at_ms: now_ms,
                started_at_ms,
                finished_at_ms: started_at_ms + speed.running_ms,
                forced: request.forced,
            });
            scheduled += 1;
        }
    }
    if scheduled > 0 {
        table.has_pending_runs = true;
    }
    scheduled
}

/// Auto-run (`AUTO_RUN_ON`): every automatically running action column on `record_ids`.
pub fn auto_run_records(
    table: &mut Table,
    record_ids: &[String],
    now_ms: u64,
    speed: RunSpeed,
    ids: &mut SeededGenerator,
) {
    if !table.auto_run_on() {
        return;
    }
    let field_ids: Vec<String> = table
        .fields
        .values()
        .filter(|field| runs_automatically(field))
        .map(|f| f.id.clone())
        .collect();
    schedule(
        table,
        &RunRequest {
            field_ids: &field_ids,
            record_ids,
            forced: false,
        },
        now_ms,
        speed,
        ids,
    );
}

/// Auto-run of one new or changed column on every row: what burns credits without a run call.
pub fn auto_run_field(
    table: &mut Table,
    field_id: &str,
    now_ms: u64,
    speed: RunSpeed,
    ids: &mut SeededGenerator,
) {
    let runs = table.fields.get(field_id).is_some_and(runs_automatically);
    if !table.auto_run_on() || !runs {
        return;
    }
    let record_ids: Vec<String> = table.records.keys().cloned().collect();
    let field_ids = vec![field_id.to_string()];
    schedule(
        table,
        &RunRequest {
            field_ids: &field_ids,
            record_ids: &record_ids,
            forced: true,
        },
        now_ms,
        speed,
        ids,
    );
}

/// Switching auto-run on back-fills: every action cell that never ran runs now (§7.3).
pub fn backfill_stale_cells(
    table: &mut Table,
    now_ms: u64,
    speed: RunSpeed,
    ids: &mut SeededGenerator,
) {
    let field_ids: Vec<String> = table
        .fields
        .values()
        .filter(|field| runs_automatically(field))
        .map(|f| f.id.clone())
        .collect();
    for field_id in field_ids {
        let stale_records: Vec<String> = table
            .records
            .values()
            .filter(|record| {
                record
                    .cells
                    .get(&field_id)
                    .is_none_or(|cell| cell.run.is_none() && cell.outcome.is_none())
            })
            .map(|record| record.id.clone())
            .collect();
        let single = vec![field_id.clone()];
        schedule(
            table,
            &RunRequest {
                field_ids: &single,
                record_ids: &stale_records,
                forced: false,
            },
            now_ms,
            speed,
            ids,
        );
    }
}

pub struct SettleSettings {
    pub now_ms: u64,
    pub speed: RunSpeed,
    pub cell_error_rate: f64,
}

/// Brings the store up to `now`: applies due record updates, then settles finished runs in
/// finish-time order (so a chain sees its upstream results).
pub fn settle(store: &mut Store, settings: &SettleSettings) {
    apply_due_updates(store, settings);
    let seed = store.seed.to_string();
    for table in store.tables.values_mut() {
        if !table.has_pending_runs {
            continue;
        }
        let mut due: Vec<(u64, String, String)> = Vec::new();
        let mut still_pending = false;
        for record in table.records.values() {
            for (field_id, cell) in &record.cells {
                if let Some(run) = &cell.run {
                    if run.finished_at_ms <= settings.now_ms {
                        due.push((run.finished_at_ms, record.id.clone(), field_id.clone()));
                    } else {
                        still_pending = true;
                    }
                }
            }
        }
        due.sort();
        for (finished_at_ms, record_id, field_id) in due {
            settle_cell(
                table,
                &record_id,
                &field_id,
                finished_at_ms,
                &seed,
                settings.cell_error_rate,
            );
        }
        table.has_pending_runs = still_pending;
    }
}

fn settle_cell(
    table: &mut Table,
    record_id: &str,
    field_id: &str,
    finished_at_ms: u64,
    seed: &str,
    error_rate: f64,
) {
    let outcome = {
        let (Some(record), Some(field)) =
            (table.records.get(record_id), table.fields.get(field_id))
        else {
            return;
        };
        let run_id = record
            .cells
            .get(field_id)
            .and_then(|cell| cell.run.as_ref())
            .map(|run| run.run_id.clone())
            .unwrap_or_default();
        let hash = stable_hash(&[seed, record_id, field_id, &run_id]);
        if field.is_live() {
            compute_outcome(table, record, field, hash, error_rate)
        } else {
            None
        }
    };
    let Some(record) = table.records.get_mut(record_id) else {
        return;
    };
    let Some(cell) = record.cells.get_mut(field_id) else {
        return;
    };
    let Some(run) = cell.run.take() else { return };
    if let Some(outcome) = outcome {
        if outcome.status != "ERROR_RUN_CONDITION_NOT_MET" {
            record
                .run_history
                .entry(field_id.to_string())
                .or_default()
                .push(json!({"time": finished_at_ms, "runId": run.run_id}));
        }
        cell.outcome = Some(outcome);
    }
}

/// The result of one cell run: run condition, blank required inputs, then the fake provider.
fn compute_outcome(
    table: &Table,
    record: &Record,
    field: &Field,
    hash: u64,
    error_rate: f64,
) -> Option<RunOutcome> {
    let row = RowValues::new(table, record);
    let settings = &field.type_settings;
    if let Some(condition) = settings
        .get("conditionalRunFormulaText")
        .and_then(Value::as_str)
        && !condition.trim().is_empty()
    {
        let passes = evaluate_text(condition, &row).is_ok_and(|value| truthy(&value));
        if !passes {
            return Some(RunOutcome {
                status: "ERROR_RUN_CONDITION_NOT_MET".into(),
                value: Value::Null,
                full_value: None,
                error: Some("Run condition not met".into()),
            });
        }
    }
    let action_key = field.action_key().unwrap_or_default();
    let definition = actions::definition(action_key);
    let mut inputs = Map::new();
    for binding in settings
        .get("inputsBinding")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = binding.get("name").and_then(Value::as_str) else {
            continue;
        };
        let value = if let Some(text) = binding.get("formulaText").and_then(Value::as_str) {
            evaluate_text(text, &row).unwrap_or(Value::Null)
        } else if let Some(map) = binding.get("formulaMap").and_then(Value::as_object) {
            Value::Object(
                map.iter()
                    .map(|(key, text)| {
                        let value = text.as_str().map_or(Value::Null, |text| {
                            evaluate_text(text, &row).unwrap_or(Value::Null)
                        });
                        (key.clone(), value)
                    })
                    .collect(),
            )
        } else {
            continue;
        };
        let optional = match definition {
            Some(definition) => definition
                .inputs
                .iter()
                .any(|(input, optional)| *input == name && *optional),
            None => binding
                .get("optional")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        };
        let blank = match &value {
            Value::Null => true,
            Value::String(text) => text.trim().is_empty(),
            _ => false,
        };
        if blank && !optional {
            return Some(RunOutcome {
                status: "ERROR_BLANK_TOKEN".into(),
                value: Value::Null,
                full_value: None,
                error: Some(format!("Required input \"{name}\" is blank")),
            });
        }
        inputs.insert(name.to_string(), value);
    }
    Some(actions::fake_result(action_key, &inputs, hash, error_rate))
}

fn apply_due_updates(store: &mut Store, settings: &SettleSettings) {
    if store.pending_updates.is_empty() {
        return;
    }
    let (due, waiting): (Vec<PendingUpdate>, Vec<PendingUpdate>) =
        std::mem::take(&mut store.pending_updates)
            .into_iter()
            .partition(|update| update.apply_at_ms <= settings.now_ms);
    store.pending_updates = waiting;
    for update in due {
        let Some(table) = store.tables.get_mut(&update.table_id) else {
            continue;
        };
        let changed = write_cells(table, &update.record_id, &update.cells, update.apply_at_ms);
        if changed.is_empty() || !table.auto_run_on() {
            continue;
        }
        // Auto-run re-runs action columns whose inputs changed.
        let dependants: Vec<String> = table
            .fields
            .values()
            .filter(|field| runs_automatically(field))
            .filter(|field| {
                let inputs = dependencies(&field.type_settings).input_field_ids;
                inputs.iter().any(|id| changed.contains(id))
            })
            .map(|field| field.id.clone())
            .collect();
        let record_ids = vec![update.record_id.clone()];
        schedule(
            table,
            &RunRequest {
                field_ids: &dependants,
                record_ids: &record_ids,
                forced: true,
            },
            update.apply_at_ms.max(settings.now_ms),
            settings.speed,
            &mut store.ids,
        );
    }
}

/// Writes user cells into a row: only live, writable fields (unknown ids are dropped silently);
/// `{value: ...}` wrappers are kept as coercion errors. Returns the field ids written.
pub fn write_cells(
    table: &mut Table,
    record_id: &str,
    cells: &Map<String, Value>,
    at_ms: u64,
) -> Vec<String> {
    let writable: Vec<String> = cells
        .keys()
        .filter(|field_id| {
            table.fields.get(*field_id).is_some_and(|field| {
                field.is_live()
                    && !field.system
                    && !matches!(field.field_type.as_str(), "formula" | "action")
            })
        })
        .cloned()
        .collect();
    let Some(record) = table.records.get_mut(record_id) else {
        return vec![];
    };
    for field_id in &writable {
        let value = cells.get(field_id).cloned().unwrap_or(Value::Null);
        let wrapped = value
            .as_object()
            .is_some_and(|object| object.len() == 1 && object.contains_key("value"));
        let cell = record.cells.entry(field_id.clone()).or_default();
        cell.invalid_value = wrapped;
        cell.value = value;
    }
    if !writable.is_empty() {
        record.updated_at = iso_time(at_ms);
    }
    writable
}
