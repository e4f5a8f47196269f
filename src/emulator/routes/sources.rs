//! Webhook sources: created through `PATCH /v3/tables/{t}` `sourceSettings.addSource` (§12.2
//! option A), listed, read, deleted, and fed by `POST /v3/sources/webhook/{slug}` (no auth).
//! One JSON body = one row; its payload sits in the table's `source` column.

use serde_json::{Value, json};

use super::tables::{after_insert, new_record};
use crate::emulator::errors::{ApiError, HandlerResult, Reply};
use crate::emulator::router::{ApiRequest, Context, Params};
use crate::emulator::store::{Field, Source, Store, iso_time};

pub fn add_webhook_source(
    store: &mut Store,
    table_id: &str,
    add_source: &Value,
    now_ms: u64,
) -> Result<(), ApiError> {
    let source = add_source
        .get("source")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let name = source
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("Webhook")
        .to_string();
    let type_settings = source
        .get("typeSettings")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let slug_text = type_settings
        .get("urlSlugText")
        .and_then(Value::as_str)
        .unwrap_or("Pull in data from a Webhook");
    let slug_base: String = slug_text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let source_id = store.ids.id("s_");
    let field_id = store.ids.id("f_");
    let slug = format!("{slug_base}-{}", store.ids.uuid());
    let now = iso_time(now_ms);
    let table = store.table_mut(table_id)?;
    let field_name = add_source
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("Webhook")
        .to_string();
    table.fields.insert(
        field_id.clone(),
        Field {
            id: field_id.clone(),
            name: field_name,
            field_type: "source".into(),
            description: Value::Null,
            type_settings: json!({"sourceIds": [source_id], "canCreateRecords": true}),
            system: false,
            created_at: now.clone(),
            updated_at: now,
            deleted_at: None,
        },
    );
    for view in table.views.values_mut() {
        let order = crate::emulator::store::Table::next_field_order(view);
        view.fields.insert(
            field_id.clone(),
            json!({"order": order, "isVisible": true, "width": 200}),
        );
    }
    store.sources.insert(
        source_id.clone(),
        Source {
            id: source_id,
            name,
            source_type: "webhook".into(),
            type_settings,
            table_id: table_id.to_string(),
            field_id,
            slug,
            num_source_records: 0,
            deleted_at: None,
            auth_token: None,
        },
    );
    Ok(())
}

fn source_json(store: &Store, source: &Source) -> Value {
    let mut state = json!({"numSourceRecords": source.num_source_records});
    if !source.slug.is_empty() {
        state["url"] = json!(format!(
            "https://api.clay.com/v3/sources/webhook/{}",
            source.slug
        ));
    }
    json!({
        "id": source.id,
        "workspaceId": store.workspace_id,
        "name": source.name,
        "type": source.source_type,
        "typeSettings": source.type_settings,
        "dataFieldId": source.field_id,
        "state": state,
        "sourceSubscriptions": [{"tableId": source.table_id, "fieldId": source.field_id}],
        "deletedAt": source.deleted_at,
    })
}

pub fn list(context: &mut Context<'_>, _: &Params, request: &ApiRequest) -> HandlerResult {
    let store = &*context.store;
    let table_id = request.query.get("tableId");
    let sources: Vec<Value> = store
        .sources
        .values()
        .filter(|source| source.deleted_at.is_none())
        .filter(|source| table_id.is_none_or(|table_id| &source.table_id == table_id))
        .map(|source| source_json(store, source))
        .collect();
    Ok(Reply::ok(Value::Array(sources)))
}

fn source_not_found(source_id: &str) -> ApiError {
    ApiError::not_found(format!("Source {source_id} not found"))
}

pub fn get(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    let store = &*context.store;
    let source = store
        .sources
        .get(params.get("sourceId"))
        .ok_or_else(|| source_not_found(params.get("sourceId")))?;
    Ok(Reply::ok(source_json(store, source)))
}

/// `PATCH /v3/sources/{s}` `{name?, typeSettings?}`: what is given replaces what was there,
/// `typeSettings` whole (no merge); an empty body changes nothing and returns the source.
pub fn update(context: &mut Context<'_>, params: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json()?;
    let source_id = params.get("sourceId");
    let store = &mut *context.store;
    let source = store
        .sources
        .get_mut(source_id)
        .filter(|source| source.deleted_at.is_none())
        .ok_or_else(|| source_not_found(source_id))?;
    if let Some(name) = body.get("name").and_then(Value::as_str) {
        source.name = name.to_string();
    }
    if let Some(settings) = body.get("typeSettings") {
        if !settings.is_object() {
            return Err(ApiError::bad_request("typeSettings must be an object"));
        }
        source.type_settings = settings.clone();
    }
    let source = source.clone();
    Ok(Reply::ok(source_json(store, &source)))
}

/// `POST /v3/sources/webhook/auth-token/{s}`: a new token (replacing any earlier one), shown
/// in this answer only; from now on the source's URL takes only posts carrying it.
pub fn create_auth_token(
    context: &mut Context<'_>,
    params: &Params,
    _: &ApiRequest,
) -> HandlerResult {
    let source_id = params.get("sourceId");
    let token = format!("cwa_{}", context.store.ids.uuid().replace('-', ""));
    let source = context
        .store
        .sources
        .get_mut(source_id)
        .filter(|source| source.deleted_at.is_none())
        .ok_or_else(|| source_not_found(source_id))?;
    if source.source_type != "webhook" {
        return Err(ApiError::bad_request(format!(
            "Source {source_id} is not a webhook source"
        )));
    }
    source.auth_token = Some(token.clone());
    Ok(Reply::ok(json!({ "token": token })))
}

pub fn delete(context: &mut Context<'_>, params: &Params, _: &ApiRequest) -> HandlerResult {
    let now = iso_time(context.now_ms);
    let source_id = params.get("sourceId");
    let source = context
        .store
        .sources
        .get_mut(source_id)
        .ok_or_else(|| source_not_found(source_id))?;
    source.deleted_at = Some(now);
    Ok(Reply::ok(json!({"success": true})))
}

pub fn ingest_webhook(
    context: &mut Context<'_>,
    params: &Params,
    request: &ApiRequest,
) -> HandlerResult {
    let payload = request.json()?;
    let slug = params.get("slug");
    let Some(source) = context
        .store
        .sources
        .values_mut()
        .find(|s| s.slug == slug && s.deleted_at.is_none())
    else {
        return Err(ApiError::not_found("Webhook not found"));
    };
    if let Some(token) = &source.auth_token
        && request.webhook_auth.as_deref() != Some(token.as_str())
    {
        return Err(ApiError::unauthorized());
    }
    source.num_source_records += 1;
    let (table_id, field_id) = (source.table_id.clone(), source.field_id.clone());
    let record_id = context.store.ids.id("r_");
    let now_ms = context.now_ms;
    let table = context.store.table_mut(&table_id)?;
    let mut record = new_record(record_id.clone(), now_ms);
    record.cells.entry(field_id).or_default().value = payload;
    table.records.insert(record_id.clone(), record);
    after_insert(context, &table_id, std::slice::from_ref(&record_id));
    Ok(Reply::ok(json!({"success": true})))
}
