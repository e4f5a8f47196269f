//! Columns: create, patch, delete, bulk delete, with Clay's rules (clay-api.md §7.4, §8.1).
//!
//! There is no `GET .../fields` route: column definitions come from `GET /v3/tables/{t}`.

use serde_json::{Map, Value, json};

use super::{string_field, string_list};
use crate::emulator::errors::{ApiError, HandlerResult, Reply};
use crate::emulator::field_settings::sanitize_type_settings;
use crate::emulator::render::field_json;
use crate::emulator::router::{ApiRequest, Context, Params};
use crate::emulator::runs::auto_run_field;
use crate::emulator::store::{Field, Table, iso_time};

/// Names stay reserved after a soft delete (§7.4), so deleted fields count too.
fn name_taken(table: &Table, name: &str, except_field_id: Option<&str>) -> bool {
    table
        .fields
        .values()
        .any(|field| field.name == name && Some(field.id.as_str()) != except_field_id)
}

fn has_data_type_settings(type_settings: &Value) -> bool {
    type_settings
        .get("dataTypeSettings")
        .is_some_and(Value::is_object)
}

pub fn create(context: &mut Context<'_>, params: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json_object()?;
    let table_id = params.get("tableId");
    context.store.table(table_id)?;
    let missing: Vec<&str> = ["name", "type"]
        .into_iter()
        .filter(|key| string_field(&body, key).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::missing_body_fields(&missing));
    }
    let name = string_field(&body, "name").unwrap_or_default().to_string();
    let field_type = string_field(&body, "type").unwrap_or_default().to_string();
    let type_settings = body
        .get("typeSettings")
        .cloned()
        .unwrap_or_else(|| json!({}));
    // Source columns carry `{sourceIds, canCreateRecords}` instead (§12.2 option C).
    if field_type != "source" && !has_data_type_settings(&type_settings) {
        return Err(ApiError::bad_request("Missing data type settings"));
    }
    if name_taken(context.store.table(table_id)?, &name, None) {
        return Err(ApiError::field_name_exists(&name));
    }
    let now_ms = context.now_ms;
    let now = iso_time(now_ms);
    let field_id = context.store.ids.id("f_");
    let field = Field {
        id: field_id.clone(),
        name,
        field_type,
        description: body.get("description").cloned().unwrap_or(Value::Null),
        type_settings: sanitize_type_settings(&type_settings),
        system: false,
        created_at: now.clone(),
        updated_at: now,
        deleted_at: None,
    };
    let speed = context.config.run_speed;
    let store = &mut *context.store;
    let (table, ids) = store.table_and_ids(table_id)?;
    table.fields.insert(field_id.clone(), field);
    add_field_to_views(table, &field_id, body.get("viewSettings"));
    table.updated_at = iso_time(now_ms);
    auto_run_field(table, &field_id, now_ms, speed, ids);
    let table = store.table(table_id)?;
    Ok(Reply::ok(
        json!({"field": field_json(table, &table.fields[&field_id])}),
    ))
}

/// New columns join every view at the end (or after `viewSettings.{view}.afterFieldId`).
fn add_field_to_views(table: &mut Table, field_id: &str, view_settings: Option<&Value>) {
    for view in table.views.values_mut() {
        let after = view_settings
            .and_then(|settings| settings.get(&view.id))
            .and_then(|settings| settings.get("afterFieldId"))
            .and_then(Value::as_str);
        let order = after
            .and_then(|after| crate::emulator::store::order_after(view, after, field_id))
            .unwrap_or_else(|| Table::next_field_order(view));
        view.fields.insert(
            field_id.to_string(),
            json!({"order": order, "isVisible": true, "width": 200}),
        );
    }
}

pub fn patch(context: &mut Context<'_>, params: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json_object()?;
    let table_id = params.get("tableId");
    let field_id = params.get("fieldId");
    let table = context.store.table(table_id)?;
    let field = table.live_field(field_id)?;
    if field.system {
        return Err(ApiError::forbidden(
            "You do not have the proper access for this field",
        ));
    }
    if let Some(new_type) = string_field(&body, "type")
        && new_type != field.field_type
    {
        return Err(ApiError::bad_request("Cannot change field type"));
    }
    let mut promoted_type: Option<&str> = None;
    let new_settings = match body.get("typeSettings") {
        None => None,
        Some(type_settings) => {
            if !has_data_type_settings(type_settings) && field.field_type != "source" {
                return Err(ApiError::bad_request(
                    "Missing data type settings in type settings",
                ));
            }
            if field.field_type == "action"
                && type_settings.get("actionKey") != field.type_settings.get("actionKey")
            {
                return Err(ApiError::bad_request("Cannot change actionKey"));
            }
            // CC: a text column given `formulaText` + `formulaType` becomes a formula column.
            if field.field_type != "formula"
                && field.field_type != "action"
                && type_settings.get("formulaText").is_some()
                && type_settings.get("formulaType").is_some()
            {
                promoted_type = Some("formula");
            }
            // Replaced whole, never merged (§7.4).
            Some(sanitize_type_settings(type_settings))
        }
    };
    if let Some(name) = string_field(&body, "name")
        && name_taken(table, name, Some(field_id))
    {
        return Err(ApiError::field_name_exists(name));
    }
    let now_ms = context.now_ms;
    let speed = context.config.run_speed;
    let store = &mut *context.store;
    let (table, ids) = store.table_and_ids(table_id)?;
    let Some(field) = table.fields.get_mut(field_id) else {
        return Err(ApiError::not_found(format!(
            "Field {field_id} does not exist"
        )));
    };
    if let Some(name) = string_field(&body, "name") {
        field.name = name.to_string();
    }
    if let Some(description) = body.get("description") {
        field.description = description.clone();
    }
    // `inputFieldIds`, `lockSettings`, `isLocked`: accepted and ignored.
    let settings_changed = new_settings
        .as_ref()
        .is_some_and(|settings| *settings != field.type_settings);
    if let Some(settings) = new_settings {
        field.type_settings = settings;
    }
    if let Some(promoted) = promoted_type {
        field.field_type = promoted.to_string();
    }
    field.updated_at = iso_time(now_ms);
    if settings_changed {
        // A changed enrichment on an auto-run table re-runs on every row.
        auto_run_field(table, field_id, now_ms, speed, ids);
    }
    let table = store.table(table_id)?;
    Ok(Reply::ok(
        json!({"field": field_json(table, &table.fields[field_id])}),
    ))
}

fn soft_delete(table: &mut Table, field_id: &str, now: &str) -> Result<(), ApiError> {
    let Some(field) = table
        .fields
        .get_mut(field_id)
        .filter(|field| field.is_live())
    else {
        return Err(ApiError::not_found(format!(
            "Field {field_id} does not exist in table {}",
            table.id
        )));
    };
    if field.system {
        return Err(ApiError::forbidden(
            "You do not have the proper access for this field",
        ));
    }
    field.deleted_at = Some(now.to_string());
    for view in table.views.values_mut() {
        view.fields.remove(field_id);
    }
    Ok(())
}

pub fn delete(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    let now = iso_time(context.now_ms);
    let table = context.store.table_mut(params.get("tableId"))?;
    soft_delete(table, params.get("fieldId"), &now)?;
    Ok(Reply::ok(Value::Object(Map::new())))
}

pub fn delete_many(
    context: &mut Context<'_>,
    params: &Params,
    request: &ApiRequest,
) -> HandlerResult {
    let body = request.json_object()?;
    let Some(field_ids) = string_list(&body, "fieldIds") else {
        return Err(ApiError::missing_body_fields(&["fieldIds"]));
    };
    let now = iso_time(context.now_ms);
    let table = context.store.table_mut(params.get("tableId"))?;
    for field_id in &field_ids {
        table.live_field(field_id)?;
    }
    for field_id in &field_ids {
        soft_delete(table, field_id, &now)?;
    }
    Ok(Reply::ok(Value::Object(Map::new())))
}
