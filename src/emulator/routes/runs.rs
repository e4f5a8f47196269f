//! `PATCH /v3/tables/{t}/run` and the run-status poll (clay-api.md §11).

use serde_json::{Map, Value, json};

use super::{check_workspace, string_list};
use crate::emulator::cells::action_cell_status;
use crate::emulator::errors::{ApiError, HandlerResult, Reply};
use crate::emulator::router::{ApiRequest, Context, Params};
use crate::emulator::runs::{RunRequest, is_action, schedule};
use crate::emulator::store::Table;

/// Above this many records Clay reports `BULK` instead of `INDIVIDUAL` (DN saw batches of 437).
const INDIVIDUAL_RUN_LIMIT: usize = 100;

/// The records a `runRecords` object selects; `None` for shapes Clay ignores (→ `NONE`).
fn selected_records(table: &Table, run_records: &Map<String, Value>) -> Option<Vec<String>> {
    if let Some(record_ids) = string_list(run_records, "recordIds") {
        return Some(record_ids);
    }
    let view_records = |view_id: &str, count: Option<usize>| -> Option<Vec<String>> {
        let view = table.views.get(view_id)?;
        let view_limit = view
            .limit
            .as_u64()
            .and_then(|limit| usize::try_from(limit).ok());
        let take = count
            .unwrap_or(usize::MAX)
            .min(view_limit.unwrap_or(usize::MAX));
        Some(table.records.keys().take(take).cloned().collect())
    };
    if let Some(top) = run_records
        .get("viewIdTopRecords")
        .and_then(Value::as_object)
    {
        let view_id = top.get("viewId").and_then(Value::as_str)?;
        let count = top
            .get("numRecords")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok());
        return view_records(view_id, count);
    }
    if let Some(view_id) = run_records.get("viewId").and_then(Value::as_str) {
        return view_records(view_id, None);
    }
    None
}

pub fn run(context: &mut Context<'_>, params: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json_object()?;
    let mut missing = Vec::new();
    if !body.get("fieldIds").is_some_and(Value::is_array) {
        missing.push("fieldIds");
    }
    if !body.get("runRecords").is_some_and(Value::is_object) {
        missing.push("runRecords");
    }
    if !missing.is_empty() {
        let message = missing
            .iter()
            .map(|key| format!("Field {key} - Required"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ApiError::bad_request(message));
    }
    let field_ids = string_list(&body, "fieldIds").unwrap_or_default();
    let forced = body
        .get("forceRun")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let table_id = params.get("tableId");
    let table = context.store.table(table_id)?;
    let run_records = body
        .get("runRecords")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let record_ids = selected_records(table, &run_records).unwrap_or_default();
    if record_ids.is_empty() || field_ids.is_empty() {
        return Ok(Reply::ok(json!({"runMode": "NONE"})));
    }
    let now_ms = context.now_ms;
    let speed = context.config.run_speed;
    let store = &mut *context.store;
    let (table, ids) = store.table_and_ids(table_id)?;
    let request = RunRequest {
        field_ids: &field_ids,
        record_ids: &record_ids,
        forced,
    };
    schedule(table, &request, now_ms, speed, ids);
    for field_id in &field_ids {
        if table.fields.get(field_id).is_some_and(is_action)
            && !table.pending_runstatus.contains(field_id)
        {
            table.pending_runstatus.push(field_id.clone());
        }
    }
    // `recordCount` is the number submitted, not the number that will execute (JX).
    let run_mode = if record_ids.len() > INDIVIDUAL_RUN_LIMIT {
        "BULK"
    } else {
        "INDIVIDUAL"
    };
    Ok(Reply::ok(
        json!({"recordCount": record_ids.len(), "runMode": run_mode}),
    ))
}

/// `{statusCountsByField:{f:[{status,count}]}}` for every action column: `[]` if it never ran,
/// and `"_pending"` on the first poll after a run call (Clay computes it lazily, §11.3).
pub fn run_status(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    check_workspace(context, params.get("workspaceId"))?;
    let now_ms = context.now_ms;
    let table = context.store.table_mut(params.get("tableId"))?;
    let pending = std::mem::take(&mut table.pending_runstatus);
    let mut by_field = Map::new();
    for field in table.live_fields().filter(|field| is_action(field)) {
        if pending.contains(&field.id) {
            by_field.insert(field.id.clone(), json!("_pending"));
            continue;
        }
        let mut counts: Vec<(String, u64)> = Vec::new();
        for record in table.records.values() {
            let Some(status) = record
                .cells
                .get(&field.id)
                .and_then(|cell| action_cell_status(cell, now_ms))
            else {
                continue;
            };
            match counts.iter_mut().find(|(known, _)| known == status) {
                Some((_, count)) => *count += 1,
                None => counts.push((status.to_string(), 1)),
            }
        }
        by_field.insert(
            field.id.clone(),
            counts
                .into_iter()
                .map(|(status, count)| json!({"status": status, "count": count}))
                .collect(),
        );
    }
    Ok(Reply::ok(json!({"statusCountsByField": by_field})))
}
