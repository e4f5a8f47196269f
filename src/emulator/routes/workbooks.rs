//! Workbooks and the workspace resource delete (clay-api.md §7.1, §7.2).
//!
//! `DELETE /v3/workbooks/{wb}` is deliberately not routed (JX's probe: 404); see `emulator/mod.rs`.

use serde_json::Value;

use super::{check_workspace, string_field, string_list};
use crate::emulator::errors::{ApiError, HandlerResult, Reply};
use crate::emulator::render::{table_json, workbook_json};
use crate::emulator::router::{ApiRequest, Context, Params};
use crate::emulator::store::{Store, Workbook, iso_time};

pub fn new_workbook(store: &mut Store, name: &str, parent_folder_id: Value, now_ms: u64) -> String {
    let id = store.ids.id("wb_");
    store.workbooks.insert(
        id.clone(),
        Workbook {
            id: id.clone(),
            name: name.to_string(),
            parent_folder_id,
            created_at: iso_time(now_ms),
            updated_at: iso_time(now_ms),
            deleted_at: None,
        },
    );
    id
}

pub fn create(context: &mut Context<'_>, _: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json_object()?;
    let mut missing = Vec::new();
    if string_field(&body, "name").is_none() {
        missing.push("name");
    }
    if body.get("workspaceId").is_none() {
        missing.push("workspaceId");
    }
    if !missing.is_empty() {
        return Err(ApiError::missing_body_fields(&missing));
    }
    let name = string_field(&body, "name").unwrap_or_default();
    let parent = body.get("parentFolderId").cloned().unwrap_or(Value::Null);
    let id = new_workbook(context.store, name, parent, context.now_ms);
    let workbook = context.store.workbook(&id)?;
    Ok(Reply::ok(workbook_json(context.store, workbook)))
}

pub fn list(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    check_workspace(context, params.get("workspaceId"))?;
    let store = &*context.store;
    let workbooks: Vec<Value> = store
        .workbooks
        .values()
        .filter(|workbook| workbook.deleted_at.is_none())
        .map(|workbook| workbook_json(store, workbook))
        .collect();
    Ok(Reply::ok(Value::Array(workbooks)))
}

pub fn get(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    check_workspace(context, params.get("workspaceId"))?;
    let workbook = context.store.workbook(params.get("workbookId"))?;
    Ok(Reply::ok(workbook_json(context.store, workbook)))
}

pub fn tables(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    let workbook_id = params.get("workbookId");
    let store = &*context.store;
    store.workbook(workbook_id)?;
    let tables: Vec<Value> = store
        .tables
        .values()
        .filter(|table| table.deleted_at.is_none() && table.workbook_id == workbook_id)
        .map(|table| table_json(store, table, true))
        .collect();
    Ok(Reply::ok(Value::Array(tables)))
}

/// Soft delete of tables and workbooks (a workbook takes its tables with it); answers 204.
pub fn delete_resources(
    context: &mut Context<'_>,
    params: &Params,
    request: &ApiRequest,
) -> HandlerResult {
    check_workspace(context, params.get("workspaceId"))?;
    let body = request.json_object()?;
    let deleted_at = Some(iso_time(context.now_ms));
    let workbook_ids = string_list(&body, "workbookIds").unwrap_or_default();
    let table_ids = string_list(&body, "tableIds").unwrap_or_default();
    for workbook_id in &workbook_ids {
        if let Some(workbook) = context.store.workbooks.get_mut(workbook_id) {
            workbook.deleted_at.clone_from(&deleted_at);
        }
    }
    for table in context.store.tables.values_mut() {
        if table_ids.contains(&table.id) || workbook_ids.contains(&table.workbook_id) {
            table.deleted_at.clone_from(&deleted_at);
        }
    }
    Ok(Reply::no_content())
}
