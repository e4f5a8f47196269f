//! Tables: create (with system fields, five views, a blank row, auto-run on), read, patch
//! (`tableSettings` merged), delete, list, count (clay-api.md §7.3).

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::workbooks::new_workbook;
use super::{check_workspace, string_field};
use crate::emulator::errors::{ApiError, HandlerResult, Reply};
use crate::emulator::render::{table_json, workbook_json};
use crate::emulator::router::{ApiRequest, Context, Params};
use crate::emulator::runs::{auto_run_records, backfill_stale_cells};
use crate::emulator::store::{
    CREATED_AT_FIELD_ID, Field, Record, Store, Table, UPDATED_AT_FIELD_ID, View, iso_time,
    next_order_after,
};

const DEFAULT_VIEWS: [(&str, Option<&str>); 5] = [
    ("Default view", None),
    ("All rows", Some("all-rows")),
    ("Fully enriched rows", Some("fully-enriched-rows")),
    ("Errored rows", Some("errored-rows")),
    ("De-duped rows", Some("deduped-rows")),
];

fn system_field(id: &str, name: &str, now: &str) -> Field {
    Field {
        id: id.to_string(),
        name: name.to_string(),
        field_type: "date".to_string(),
        description: Value::Null,
        type_settings: json!({"dataTypeSettings": {"type": "date"}}),
        system: true,
        created_at: now.to_string(),
        updated_at: now.to_string(),
        deleted_at: None,
    }
}

/// What a new table is made from.
pub struct NewTable<'a> {
    pub name: &'a str,
    pub description: Value,
    pub table_type: &'a str,
    pub workbook_id: &'a str,
    /// Clay's five default views (`template: "no_views"` makes none).
    pub with_views: bool,
}

/// A table as Clay creates it: auto-run on, the two locked system date columns, and the default
/// views. The caller adds rows and stores it.
pub fn new_table(store: &mut Store, new: NewTable<'_>, now: &str) -> Table {
    let mut table = Table {
        id: store.ids.id("t_"),
        name: new.name.to_string(),
        description: new.description,
        table_type: new.table_type.to_string(),
        workbook_id: new.workbook_id.to_string(),
        table_settings: Map::from_iter([
            ("AUTO_RUN_ON".to_string(), json!(true)),
            ("HAS_SCHEDULED_RUNS".to_string(), json!(false)),
        ]),
        field_group_map: json!({}),
        first_view_id: None,
        fields: IndexMap::new(),
        views: IndexMap::new(),
        records: IndexMap::new(),
        created_at: now.to_string(),
        updated_at: now.to_string(),
        deleted_at: None,
        pending_runstatus: Vec::new(),
        has_pending_runs: false,
    };
    for (id, field_name) in [
        (CREATED_AT_FIELD_ID, "Created At"),
        (UPDATED_AT_FIELD_ID, "Updated At"),
    ] {
        table
            .fields
            .insert(id.to_string(), system_field(id, field_name, now));
    }
    if new.with_views {
        let mut order: Option<String> = None;
        for (view_name, preconfigured) in DEFAULT_VIEWS {
            let view_order = next_order_after(order.as_deref());
            let view = new_view(
                &table,
                store.ids.id("gv_"),
                view_name,
                view_order.clone(),
                preconfigured,
            );
            order = Some(view_order);
            table.views.insert(view.id.clone(), view);
        }
        table.first_view_id = table.views.keys().next().cloned();
    }
    table
}

/// A view listing every live field of `table` in order.
pub fn new_view(
    table: &Table,
    id: String,
    name: &str,
    order: String,
    preconfigured: Option<&str>,
) -> View {
    let mut fields = Map::new();
    let mut field_order: Option<String> = None;
    for field in table.live_fields() {
        let next = next_order_after(field_order.as_deref());
        fields.insert(
            field.id.clone(),
            json!({"order": next, "isVisible": true, "width": 200}),
        );
        field_order = Some(next);
    }
    View {
        id,
        name: name.to_string(),
        description: Value::Null,
        order,
        fields,
        filter: Value::Null,
        sort: Value::Null,
        limit: Value::Null,
        type_settings: preconfigured.map_or(json!({}), |kind| json!({"preconfiguredType": kind})),
    }
}

pub fn new_record(id: String, now_ms: u64) -> Record {
    Record {
        id,
        cells: IndexMap::new(),
        run_history: IndexMap::new(),
        created_at: iso_time(now_ms),
        updated_at: iso_time(now_ms),
        created_at_ms: now_ms,
    }
}

pub fn create(context: &mut Context<'_>, _: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json_object()?;
    let missing: Vec<&str> = ["workspaceId", "type", "name"]
        .into_iter()
        .filter(|key| body.get(*key).is_none_or(Value::is_null))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::missing_body_fields(&missing));
    }
    let name = string_field(&body, "name").unwrap_or_default().to_string();
    let table_type = string_field(&body, "type")
        .unwrap_or("spreadsheet")
        .to_string();
    let now_ms = context.now_ms;
    let now = iso_time(now_ms);
    let store = &mut *context.store;
    let mut extra_data = Map::new();
    let workbook_id = match string_field(&body, "workbookId") {
        Some(workbook_id) => {
            store.workbook(workbook_id)?;
            workbook_id.to_string()
        }
        None => {
            // Without a workbook Clay creates one named like the table.
            let workbook_id = new_workbook(store, &name, Value::Null, now_ms);
            let workbook = store.workbook(&workbook_id)?;
            extra_data.insert(
                "newlyCreatedWorkbook".into(),
                workbook_json(store, workbook),
            );
            workbook_id
        }
    };
    // `template: "no_views"` (MS, CC) creates the table without views; the caller adds one.
    let mut table = new_table(
        store,
        NewTable {
            name: &name,
            description: body.get("description").cloned().unwrap_or(Value::Null),
            table_type: &table_type,
            workbook_id: &workbook_id,
            with_views: string_field(&body, "template") != Some("no_views"),
        },
        &now,
    );
    let table_id = table.id.clone();
    if context.config.auto_blank_row {
        let record_id = store.ids.id("r_");
        table
            .records
            .insert(record_id.clone(), new_record(record_id.clone(), now_ms));
        extra_data.insert("initialRecordIds".into(), json!([record_id]));
    }
    store.tables.insert(table_id.clone(), table);
    let table = store.table(&table_id)?;
    Ok(Reply::ok(
        json!({"table": table_json(store, table, true), "extraData": extra_data}),
    ))
}

pub fn get(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    let store = &*context.store;
    let table = store.table(params.get("tableId"))?;
    Ok(Reply::ok(
        json!({"table": table_json(store, table, true), "extraData": {}}),
    ))
}

pub fn patch(context: &mut Context<'_>, params: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json_object()?;
    let table_id = params.get("tableId");
    if let Some(workbook_id) = string_field(&body, "workbookId") {
        context.store.workbook(workbook_id)?;
    }
    let now_ms = context.now_ms;
    let speed = context.config.run_speed;
    let store = &mut *context.store;
    let table = store
        .tables
        .get_mut(table_id)
        .filter(|table| table.deleted_at.is_none());
    let Some(table) = table else {
        return Err(crate::emulator::store::table_not_found(table_id));
    };
    let was_auto_run = table.auto_run_on();
    if let Some(name) = string_field(&body, "name") {
        table.name = name.to_string();
    }
    if let Some(description) = body.get("description") {
        table.description = description.clone();
    }
    if let Some(workbook_id) = string_field(&body, "workbookId") {
        table.workbook_id = workbook_id.to_string();
    }
    if let Some(Value::Object(settings)) = body.get("tableSettings") {
        // Merged, schemaless: keys accumulate and `null` is stored, not deleted (§7.3).
        for (key, value) in settings {
            table.table_settings.insert(key.clone(), value.clone());
        }
        // Server-controlled.
        table
            .table_settings
            .insert("HAS_SCHEDULED_RUNS".into(), json!(false));
    }
    if let Some(Value::Object(groups)) = body.get("fieldGroupMap")
        && let Value::Object(existing) = &mut table.field_group_map
    {
        for (key, value) in groups {
            existing.insert(key.clone(), value.clone());
        }
    }
    table.updated_at = iso_time(now_ms);
    if !was_auto_run && table.auto_run_on() {
        backfill_stale_cells(table, now_ms, speed, &mut store.ids);
    }
    if let Some(add_source) = body
        .get("sourceSettings")
        .and_then(|settings| settings.get("addSource"))
        .cloned()
    {
        super::sources::add_webhook_source(store, table_id, &add_source, now_ms)?;
    }
    let table = store.table(table_id)?;
    Ok(Reply::ok(
        json!({"table": table_json(store, table, true), "extraData": {}}),
    ))
}

pub fn delete(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    let now = iso_time(context.now_ms);
    let table = context.store.table_mut(params.get("tableId"))?;
    table.deleted_at = Some(now);
    let store = &*context.store;
    let table = &store.tables[params.get("tableId")];
    Ok(Reply::ok(table_json(store, table, false)))
}

pub fn list(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    check_workspace(context, params.get("workspaceId"))?;
    let store = &*context.store;
    let results: Vec<Value> = store
        .tables
        .values()
        .filter(|table| table.deleted_at.is_none())
        .map(|table| table_json(store, table, false))
        .collect();
    Ok(Reply::ok(json!({"results": results})))
}

pub fn count(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    let table = context.store.table(params.get("tableId"))?;
    Ok(Reply::ok(
        json!({"tableTotalRecordsCount": table.records.len()}),
    ))
}

/// Inserted rows run on auto-run tables (shared with records and webhook ingestion).
pub fn after_insert(context: &mut Context<'_>, table_id: &str, record_ids: &[String]) {
    let speed = context.config.run_speed;
    let now_ms = context.now_ms;
    let store = &mut *context.store;
    if let Some(table) = store.tables.get_mut(table_id) {
        auto_run_records(table, record_ids, now_ms, speed, &mut store.ids);
    }
}
