//! Rows: insert, upsert, list by view, ids, bulk fetch, single read, asynchronous updates,
//! delete (clay-api.md §9).

use serde_json::{Map, Value, json};

use super::string_list;
use super::tables::{after_insert, new_record};
use crate::emulator::cells::{ExternalContent, render_record};
use crate::emulator::config::OffsetMode;
use crate::emulator::errors::{ApiError, HandlerResult, Reply};
use crate::emulator::router::{ApiRequest, Context, Params};
use crate::emulator::runs::write_cells;
use crate::emulator::store::{PendingUpdate, Table};

/// Clay accepts 500 rows per insert call (JX).
const MAXIMUM_RECORDS_PER_INSERT: usize = 500;
const DEFAULT_PAGE_SIZE: usize = 100;

pub fn insert(context: &mut Context<'_>, params: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json_object()?;
    let Some(records) = body.get("records").and_then(Value::as_array) else {
        return Err(ApiError::bad_request("records Required"));
    };
    if records.len() > MAXIMUM_RECORDS_PER_INSERT {
        return Err(ApiError::bad_request(format!(
            "Invalid request parameter(s): Field \"records\" - Array must contain at most {MAXIMUM_RECORDS_PER_INSERT} element(s)"
        )));
    }
    let table_id = params.get("tableId");
    context.store.table(table_id)?;
    let now_ms = context.now_ms;
    let mut inserted = Vec::new();
    for record in records {
        let client_id = record
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty());
        let record_id = match client_id {
            Some(id) => id.to_string(),
            None => context.store.ids.id("r_"),
        };
        let cells = record
            .get("cells")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let table = context.store.table_mut(table_id)?;
        // A reused id replaces the row, like the upsert route (DN).
        table
            .records
            .insert(record_id.clone(), new_record(record_id.clone(), now_ms));
        write_cells(table, &record_id, &cells, now_ms);
        inserted.push(record_id);
    }
    after_insert(context, table_id, &inserted);
    let table = context.store.table(table_id)?;
    let rendered: Vec<Value> = inserted
        .iter()
        .filter_map(|id| table.records.get(id))
        .map(|record| render_record(table, record, now_ms, &ExternalContent::None))
        .collect();
    Ok(Reply::ok(json!({"records": rendered})))
}

/// `POST /v3/tables/{t}/records/{id}` creates or blanks the row with that id (DN, SF).
pub fn upsert_one(
    context: &mut Context<'_>,
    params: &Params,
    request: &ApiRequest,
) -> HandlerResult {
    let body = request.json_object()?;
    let table_id = params.get("tableId");
    let record_id = params.get("recordId").to_string();
    let now_ms = context.now_ms;
    let table = context.store.table_mut(table_id)?;
    table
        .records
        .insert(record_id.clone(), new_record(record_id.clone(), now_ms));
    let cells = body
        .get("cells")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    write_cells(table, &record_id, &cells, now_ms);
    after_insert(context, table_id, std::slice::from_ref(&record_id));
    let table = context.store.table(table_id)?;
    Ok(Reply::ok(render_record(
        table,
        table.record(&record_id)?,
        now_ms,
        &ExternalContent::None,
    )))
}

fn query_number(request: &ApiRequest, key: &str) -> Result<Option<usize>, ApiError> {
    match request.query.get(key) {
        None => Ok(None),
        Some(text) => text.trim().parse::<usize>().map(Some).map_err(|_| {
            ApiError::bad_request(format!(
                "Invalid request parameter(s): Field '{key}' - Expected number, received nan"
            ))
        }),
    }
}

/// Rows of a view in table order, cut by the view's own `limit`.
fn view_record_ids(table: &Table, view_id: &str) -> Result<Vec<String>, ApiError> {
    let view = table.view(view_id)?;
    let view_limit = view
        .limit
        .as_u64()
        .and_then(|limit| usize::try_from(limit).ok());
    Ok(table
        .records
        .keys()
        .take(view_limit.unwrap_or(usize::MAX))
        .cloned()
        .collect())
}

pub fn list_view(
    context: &mut Context<'_>,
    params: &Params,
    request: &ApiRequest,
) -> HandlerResult {
    let limit = query_number(request, "limit")?.unwrap_or(DEFAULT_PAGE_SIZE);
    let offset = query_number(request, "offset")?.unwrap_or(0);
    let table = context.store.table(params.get("tableId"))?;
    let ids = view_record_ids(table, params.get("viewId"))?;
    let skip = match context.config.offset_mode {
        OffsetMode::Ignored => 0,
        OffsetMode::Honoured => offset,
    };
    let results: Vec<Value> = ids
        .iter()
        .skip(skip)
        .take(limit)
        .filter_map(|id| table.records.get(id))
        .map(|record| render_record(table, record, context.now_ms, &ExternalContent::None))
        .collect();
    Ok(Reply::ok(json!({"results": results})))
}

pub fn view_ids(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    let table = context.store.table(params.get("tableId"))?;
    Ok(Reply::ok(
        json!({"results": view_record_ids(table, params.get("viewId"))?}),
    ))
}

pub fn bulk_fetch(
    context: &mut Context<'_>,
    params: &Params,
    request: &ApiRequest,
) -> HandlerResult {
    let body = request.json_object()?;
    let record_ids = string_list(&body, "recordIds").unwrap_or_default();
    if record_ids.is_empty() {
        return Err(ApiError::bad_request(
            "Invalid request parameter(s): Field \"recordIds\" - Array must contain at least 1 element(s)",
        ));
    }
    let external_ids = string_list(&body, "includeExternalContentFieldIds").unwrap_or_default();
    let table = context.store.table(params.get("tableId"))?;
    let external = ExternalContent::Fields(&external_ids);
    let results: Vec<Value> = record_ids
        .iter()
        .filter_map(|id| table.records.get(id))
        .map(|record| render_record(table, record, context.now_ms, &external))
        .collect();
    Ok(Reply::ok(json!({"results": results})))
}

pub fn get_one(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    let table = context.store.table(params.get("tableId"))?;
    let record = table.record(params.get("recordId"))?;
    Ok(Reply::ok(render_record(
        table,
        record,
        context.now_ms,
        &ExternalContent::All,
    )))
}

fn enqueue(context: &mut Context<'_>, table_id: &str, record_id: &str, cells: Map<String, Value>) {
    context.store.pending_updates.push(PendingUpdate {
        apply_at_ms: context.now_ms + context.config.run_speed.record_update_delay_ms,
        table_id: table_id.to_string(),
        record_id: record_id.to_string(),
        cells,
    });
}

/// Asynchronous: acknowledged now, visible `record_update_delay_ms` later (§9.3).
pub fn patch_many(
    context: &mut Context<'_>,
    params: &Params,
    request: &ApiRequest,
) -> HandlerResult {
    let body = request.json_object()?;
    let table_id = params.get("tableId");
    context.store.table(table_id)?;
    let Some(records) = body.get("records").and_then(Value::as_array) else {
        return Err(ApiError::bad_request("records Required"));
    };
    let updates: Vec<(String, Map<String, Value>)> = records
        .iter()
        .filter_map(|record| {
            let id = record.get("id").and_then(Value::as_str)?;
            let cells = record
                .get("cells")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            Some((id.to_string(), cells))
        })
        .collect();
    for (record_id, cells) in updates {
        enqueue(context, table_id, &record_id, cells);
    }
    Ok(Reply::ok(
        json!({"records": [], "extraData": {"message": "Record updates enqueued"}}),
    ))
}

/// Accepts both bodies seen in the wild: `{cells:{...}}` (MS) and the raw cells map (ZP).
pub fn patch_one(
    context: &mut Context<'_>,
    params: &Params,
    request: &ApiRequest,
) -> HandlerResult {
    let body = request.json_object()?;
    let table_id = params.get("tableId");
    let record_id = params.get("recordId");
    context.store.table(table_id)?.record(record_id)?;
    let cells = match body.get("cells") {
        Some(Value::Object(cells)) => cells.clone(),
        _ => body,
    };
    enqueue(context, table_id, record_id, cells);
    Ok(Reply::ok(json!({"message": "Record updates enqueued"})))
}

pub fn delete_many(
    context: &mut Context<'_>,
    params: &Params,
    request: &ApiRequest,
) -> HandlerResult {
    let body = request.json_object()?;
    let Some(record_ids) = string_list(&body, "recordIds") else {
        return Err(ApiError::missing_body_fields(&["recordIds"]));
    };
    let table = context.store.table_mut(params.get("tableId"))?;
    for record_id in &record_ids {
        table.records.shift_remove(record_id);
    }
    Ok(Reply::ok(Value::Object(Map::new())))
}

pub fn delete_one(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    let table = context.store.table_mut(params.get("tableId"))?;
    let record_id = params.get("recordId");
    table.record(record_id)?;
    table.records.shift_remove(record_id);
    Ok(Reply::ok(Value::Object(Map::new())))
}
