//! Clay's JSON for workbooks, tables, fields and views (clay-api.md §7, §10).
//!
//! Owns the read shapes, including what Clay adds on read: `actionDefinition`, derived
//! `inputFieldIds`/`conditionalRunFieldIds`/`delayFieldIds`, `settingsError`, lock settings of
//! system fields. Knows nothing about HTTP or how the data was written.

use serde_json::{Value, json};

use super::actions;
use super::field_settings::{dependencies, settings_errors};
use super::store::{Field, Store, Table, USER_EMAIL, USER_ID, View, Workbook};

pub fn workbook_json(store: &Store, workbook: &Workbook) -> Value {
    json!({
        "id": workbook.id,
        "name": workbook.name,
        "workspaceId": store.workspace_id,
        "ownerId": USER_ID,
        "description": null,
        "parentFolderId": workbook.parent_folder_id,
        // `settings.isAutoRun` is accepted on create and never persisted (§7.2).
        "settings": {},
        "createdAt": workbook.created_at,
        "updatedAt": workbook.updated_at,
        "deletedAt": workbook.deleted_at,
    })
}

pub fn table_json(store: &Store, table: &Table, with_fields_and_views: bool) -> Value {
    let mut value = json!({
        "id": table.id,
        "workspaceId": store.workspace_id,
        "createdByUserId": USER_ID,
        "name": table.name,
        "description": table.description,
        "type": table.table_type,
        "icon": null,
        "parentFolderId": null,
        "workbookId": table.workbook_id,
        "tableSettings": table.table_settings,
        "fieldGroupMap": table.field_group_map,
        "defaultAccess": "edit",
        "ownerId": USER_ID,
        "owner": {"id": USER_ID, "email": USER_EMAIL, "fullName": "Emulator User"},
        "isSandbox": false,
        "isHiddenFromNavigation": false,
        "abilities": {"canUpdate": true, "canUpdateFromSandbox": true, "canDelete": true},
        "firstViewId": table.first_view_id,
        "createdAt": table.created_at,
        "updatedAt": table.updated_at,
        "deletedAt": table.deleted_at,
    });
    if with_fields_and_views {
        value["fields"] = table
            .live_fields()
            .map(|field| field_json(table, field))
            .collect();
        value["views"] = table.views.values().map(view_json).collect();
    }
    value
}

fn filter_operators(field: &Field) -> Value {
    let text = [
        "EQUAL",
        "NOT_EQUAL",
        "CONTAIN",
        "CONTAIN_ANY",
        "NOT_CONTAIN",
        "NOT_CONTAIN_ANY",
        "EMPTY",
        "NOT_EMPTY",
    ];
    let number = [
        "GREATER_THAN",
        "GREATER_THAN_OR_EQUAL",
        "LESS_THAN",
        "LESS_THAN_OR_EQUAL",
    ];
    let action = [
        "HAS_ERROR",
        "NOT_ERRORED",
        "RESULTS",
        "NO_RESULTS",
        "HAS_NOT_RUN",
        "QUEUED",
        "AWAITING_CALLBACK",
        "RETRY",
        "RUN_CONDITION_NOT_MET",
        "IS_STALE",
        "IS_RUNNING",
        "IS_NOT_RUNNING",
    ];
    let data_type = field
        .type_settings
        .pointer("/dataTypeSettings/type")
        .and_then(Value::as_str);
    let mut operators: Vec<&str> = text.to_vec();
    if field.field_type == "number" || data_type == Some("number") {
        operators.extend(number);
    }
    if field.field_type == "action" {
        operators.extend(action);
    }
    operators
        .into_iter()
        .map(|operator| json!({"operator": operator, "needsValue": !operator.contains("EMPTY")}))
        .collect()
}

pub fn field_json(table: &Table, field: &Field) -> Value {
    let derived = dependencies(&field.type_settings);
    let mut value = json!({
        "id": field.id,
        "tableId": table.id,
        "name": field.name,
        "type": field.field_type,
        "description": field.description,
        "typeSettings": field.type_settings,
        "supportedFilterOperators": filter_operators(field),
        "isSortable": true,
        "isLocked": field.system,
        "isExtractedField": false,
        "extractedField": null,
        "groupId": null,
        "inputFieldIds": derived.input_field_ids,
        "conditionalRunFieldIds": derived.conditional_run_field_ids,
        "delayFieldIds": derived.delay_field_ids,
        "createdAt": field.created_at,
        "updatedAt": field.updated_at,
    });
    if field.system {
        value["lockSettings"] =
            json!({"lockDelete": true, "lockUpdateCells": true, "lockUpdateSettings": true});
    }
    if let Some(definition) = field.action_key().and_then(actions::definition) {
        value["actionDefinition"] = actions::definition_json(definition);
    }
    let errors = settings_errors(table, &field.type_settings);
    if !errors.is_empty() {
        value["settingsError"] = Value::Array(errors);
    }
    value
}

pub fn view_json(view: &View) -> Value {
    json!({
        "id": view.id,
        "name": view.name,
        "description": view.description,
        "order": view.order,
        "fields": view.fields,
        "sort": view.sort,
        "filter": view.filter,
        "limit": view.limit,
        "offset": null,
        "typeSettings": view.type_settings,
    })
}
