//! Grid views: create, read, patch (`filter`/`sort` silently dropped), `/filter`, `/sort`,
//! `/fields`, `/fields/{f}`, delete (never the last one) (clay-api.md §10).

use serde_json::{Map, Value, json};

use super::string_field;
use super::tables::new_view;
use crate::emulator::errors::{ApiError, HandlerResult, Reply};
use crate::emulator::render::view_json;
use crate::emulator::router::{ApiRequest, Context, Params};
use crate::emulator::store::{Table, View, next_order_after};

fn view_mut<'a>(table: &'a mut Table, view_id: &str) -> Result<&'a mut View, ApiError> {
    table
        .views
        .get_mut(view_id)
        .ok_or_else(|| ApiError::not_found(format!("View {view_id} does not exist")))
}

pub fn create(context: &mut Context<'_>, params: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json_object()?;
    let Some(name) = string_field(&body, "name").map(str::to_string) else {
        return Err(ApiError::missing_body_fields(&["name"]));
    };
    let table_id = params.get("tableId");
    let view_id = context.store.ids.id("gv_");
    let table = context.store.table_mut(table_id)?;
    let last_order = table.views.values().map(|view| view.order.clone()).max();
    let view = new_view(
        table,
        view_id.clone(),
        &name,
        next_order_after(last_order.as_deref()),
        None,
    );
    table.views.insert(view_id.clone(), view);
    if table.first_view_id.is_none() {
        table.first_view_id = Some(view_id.clone());
    }
    Ok(Reply::ok(view_json(&table.views[&view_id])))
}

pub fn get(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    let table = context.store.table(params.get("tableId"))?;
    Ok(Reply::ok(view_json(table.view(params.get("viewId"))?)))
}

pub fn patch(context: &mut Context<'_>, params: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json_object()?;
    let table = context.store.table_mut(params.get("tableId"))?;
    let view = view_mut(table, params.get("viewId"))?;
    if let Some(name) = string_field(&body, "name") {
        view.name = name.to_string();
    }
    if let Some(description) = body.get("description") {
        view.description = description.clone();
    }
    if let Some(limit) = body.get("limit") {
        view.limit = limit.clone();
    }
    // `filter` and `sort` in this body are silently dropped (JX, CC): they have their own routes.
    Ok(Reply::ok(view_json(view)))
}

pub fn filter(context: &mut Context<'_>, params: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json_object()?;
    let table = context.store.table_mut(params.get("tableId"))?;
    let view = view_mut(table, params.get("viewId"))?;
    view.filter = json!({
        "items": body.get("items").cloned().unwrap_or_else(|| json!([])),
        "combinationMode": body.get("combinationMode").cloned().unwrap_or_else(|| json!("AND")),
    });
    Ok(Reply::ok(view_json(view)))
}

pub fn sort(context: &mut Context<'_>, params: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json_object()?;
    let table = context.store.table_mut(params.get("tableId"))?;
    let view = view_mut(table, params.get("viewId"))?;
    view.sort = json!({"items": body.get("items").cloned().unwrap_or_else(|| json!([]))});
    Ok(Reply::ok(view_json(view)))
}

fn merge_view_field(view: &mut View, field_id: &str, settings: &Map<String, Value>) {
    let Some(Value::Object(entry)) = view.fields.get_mut(field_id) else {
        return;
    };
    for key in ["isVisible", "width"] {
        if let Some(value) = settings.get(key) {
            entry.insert(key.to_string(), value.clone());
        }
    }
}

pub fn fields_bulk(
    context: &mut Context<'_>,
    params: &Params,
    request: &ApiRequest,
) -> HandlerResult {
    let body = request.json_object()?;
    let table = context.store.table_mut(params.get("tableId"))?;
    let view = view_mut(table, params.get("viewId"))?;
    for (field_id, settings) in &body {
        if let Some(settings) = settings.as_object() {
            merge_view_field(view, field_id, settings);
        }
    }
    Ok(Reply::ok(view_json(view)))
}

pub fn field_one(
    context: &mut Context<'_>,
    params: &Params,
    request: &ApiRequest,
) -> HandlerResult {
    let body = request.json_object()?;
    let field_id = params.get("fieldId");
    let table = context.store.table_mut(params.get("tableId"))?;
    table.live_field(field_id)?;
    let view = view_mut(table, params.get("viewId"))?;
    merge_view_field(view, field_id, &body);
    let order_of = |view: &View, id: &str| {
        view.fields
            .get(id)
            .and_then(|entry| entry.get("order"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let new_order = if let Some(after) = string_field(&body, "afterFieldId") {
        crate::emulator::store::order_after(view, after, field_id)
    } else if let Some(before) = string_field(&body, "beforeFieldId") {
        // Just below `before`: between the field before it and it.
        order_of(view, before).map(|before_order| {
            let below = view
                .fields
                .iter()
                .filter(|(id, _)| id.as_str() != field_id)
                .filter_map(|(_, entry)| entry.get("order").and_then(Value::as_str))
                .filter(|order| *order < before_order.as_str())
                .max()
                .unwrap_or("");
            crate::emulator::store::key_between(below, Some(&before_order))
        })
    } else {
        None
    };
    if let (Some(order), Some(Value::Object(entry))) = (new_order, view.fields.get_mut(field_id)) {
        entry.insert("order".into(), json!(order));
    }
    Ok(Reply::ok(view_json(view)))
}

pub fn delete(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    let table = context.store.table_mut(params.get("tableId"))?;
    let view_id = params.get("viewId");
    table.view(view_id)?;
    if table.views.len() == 1 {
        return Err(ApiError::bad_request(
            "Cannot delete the last view of a table",
        ));
    }
    table.views.shift_remove(view_id);
    if table.first_view_id.as_deref() == Some(view_id) {
        table.first_view_id = table.views.keys().next().cloned();
    }
    Ok(Reply::ok(Value::Object(Map::new())))
}
