//! Find Companies / Find People ("cpj") sources: `POST /v3/sources/create-cpj-table` (§12.3) and
//! `POST /v3/sources`, which refuses these types with 404 "Invalid subscriptions".
//!
//! Owns the request's validation, the table, source, `source` column and basic-field columns it
//! creates, and filling the table with fake search results (`fake_data`). Listing, reading and
//! deleting sources are shared with webhook sources (`sources.rs`).
//! Must not know: the provider's types, or how fake records are invented.
//!
//! # Decisions where the reference is silent
//!
//! - **Validation** is zod-like and comes first: a 400 names every missing or invalid key
//!   (`workspaceId`, `cpjConfig`, `cpjConfig.type` ∈ {companies, people},
//!   `cpjConfig.typeSettings`, `.actionKey`, `.inputs`, `.inputs.limit`, each basic field's
//!   `name` and `formulaText`). An `actionKey` other than the mixrank source of that type is a
//!   400 too. Then existence: another workspace is 403, a missing workbook/table 404.
//! - **Table name**: Clay's key for it is unknown (one client sends `tableName` top-level). The
//!   emulator reads `tableName` top-level, then `cpjConfig.tableName`, then falls back to
//!   `typeSettings.name` ("Find companies"). Clients should read the table back.
//! - **Table type** is `clientSettings.tableType` when it is `company` or `people`, otherwise the
//!   singular of `cpjConfig.type`. New cpj tables get the two system fields, the five default
//!   views and `AUTO_RUN_ON: true`, but **no blank row**: the search fills them.
//! - **`assignedFieldId`** (sent by MS/NM as `f_companies_search`) becomes the source column's id
//!   when it starts with `f_` and is free in the table — an inference from its name.
//! - **Basic fields** become formula columns (`formulaType: "text"`, `dataTypeSettings.type` =
//!   `dataType`), minified like any formula; `{{source}}.a.b` is rewritten to `{{f_src}}?.a?.b`.
//!   In a reused table (`destinationTableId`), a basic field whose name already exists is skipped.
//!   `isDedupeField: true` sets `tableSettings.DEDUPE_FIELD_ID`.
//! - **Rows**: unless `typeSettings.disableTriggerOnCreate` is true, `min(limit, 50_000)` fake
//!   records are added at once (no run to poll), each in the source column. People scoped to a
//!   company table (`inputs.company_table_id`) get `inputs.limit_per_company` (default 3) people
//!   per resolved company row, up to `limit`. A row resolves when its source record, or a column
//!   named like `domain`/`website`/`name`, has a value.
//! - **"None of the company table rows resolved"** is answered after the table, its columns and
//!   the source were created, which stay behind as orphans, as CC reports for Clay.
//! - **`POST /v3/sources`** for other types answers 400: the emulator creates webhook sources
//!   only through `PATCH /v3/tables/{t}` (§12.2 option A).

use serde_json::{Map, Value, json};

use super::tables::{NewTable, after_insert, new_record, new_table};
use super::workbooks::new_workbook;
use crate::emulator::cells::RowValues;
use crate::emulator::errors::{ApiError, HandlerResult, Reply};
use crate::emulator::fake_data::{
    CompanyIdentity, CompanySearch, PeopleSearch, fake_companies, fake_people, search_seed,
};
use crate::emulator::field_settings::sanitize_type_settings;
use crate::emulator::formula::{FieldValues, domain_of, to_js_string};
use crate::emulator::router::{ApiRequest, Context, Params};
use crate::emulator::store::{Field, Source, Store, Table, iso_time};

pub const COMPANIES_ACTION_KEY: &str = "find-lists-of-companies-with-mixrank-source";
pub const PEOPLE_ACTION_KEY: &str = "find-lists-of-people-with-mixrank-source";
/// Clay imports at most this many rows per search (§12.3).
pub const MAXIMUM_IMPORTED_ROWS: u64 = 50_000;
/// People per company row when the request does not say (`limit_per_company`).
const DEFAULT_PEOPLE_PER_COMPANY: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SearchKind {
    Companies,
    People,
}

impl SearchKind {
    fn source_type(self) -> &'static str {
        match self {
            SearchKind::Companies => "companies",
            SearchKind::People => "people",
        }
    }

    fn table_type(self) -> &'static str {
        match self {
            SearchKind::Companies => "company",
            SearchKind::People => "people",
        }
    }

    fn action_key(self) -> &'static str {
        match self {
            SearchKind::Companies => COMPANIES_ACTION_KEY,
            SearchKind::People => PEOPLE_ACTION_KEY,
        }
    }

    fn default_name(self) -> &'static str {
        match self {
            SearchKind::Companies => "Find companies",
            SearchKind::People => "Find people",
        }
    }
}

/// One zod issue: a path into the body and a message.
struct BodyIssue {
    path: Vec<Value>,
    message: String,
    code: &'static str,
}

impl BodyIssue {
    fn required(path: &[&str]) -> Self {
        BodyIssue {
            path: path.iter().map(|segment| json!(segment)).collect(),
            message: "Required".into(),
            code: "invalid_type",
        }
    }

    fn dotted_path(&self) -> String {
        self.path
            .iter()
            .map(|segment| match segment {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".")
    }
}

fn validation_error(issues: &[BodyIssue]) -> ApiError {
    let mut error = ApiError::bad_request(format!(
        "Invalid request parameter(s): {}",
        issues
            .iter()
            .map(|issue| format!("Field \"{}\" - {}", issue.dotted_path(), issue.message))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    error.body_errors = issues
        .iter()
        .map(|issue| json!({"code": issue.code, "path": issue.path, "message": issue.message}))
        .collect();
    error
}

fn is_present(value: Option<&Value>) -> bool {
    value.is_some_and(|value| !value.is_null())
}

/// A number, or a string holding one (Clay coerces); `None` for anything else.
fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// The request after validation.
struct CpjRequest {
    kind: SearchKind,
    type_settings: Map<String, Value>,
    inputs: Map<String, Value>,
    limit: u64,
    basic_fields: Vec<Map<String, Value>>,
    table_type: &'static str,
}

fn validate(body: &Map<String, Value>) -> Result<CpjRequest, ApiError> {
    let mut issues = Vec::new();
    if !is_present(body.get("workspaceId")) {
        issues.push(BodyIssue::required(&["workspaceId"]));
    }
    let config = body.get("cpjConfig").and_then(Value::as_object);
    let Some(config) = config else {
        issues.push(BodyIssue::required(&["cpjConfig"]));
        return Err(validation_error(&issues));
    };
    let kind = match config.get("type") {
        None | Some(Value::Null) => {
            issues.push(BodyIssue::required(&["cpjConfig", "type"]));
            None
        }
        Some(Value::String(text)) if text == "companies" => Some(SearchKind::Companies),
        Some(Value::String(text)) if text == "people" => Some(SearchKind::People),
        Some(other) => {
            issues.push(BodyIssue {
                path: vec![json!("cpjConfig"), json!("type")],
                message: format!(
                    "Invalid enum value. Expected 'companies' | 'people', received {other}"
                ),
                code: "invalid_enum_value",
            });
            None
        }
    };
    let type_settings = config.get("typeSettings").and_then(Value::as_object);
    let mut inputs = None;
    match type_settings {
        None => issues.push(BodyIssue::required(&["cpjConfig", "typeSettings"])),
        Some(settings) => {
            if settings.get("actionKey").and_then(Value::as_str).is_none() {
                issues.push(BodyIssue::required(&[
                    "cpjConfig",
                    "typeSettings",
                    "actionKey",
                ]));
            }
            match settings.get("inputs").and_then(Value::as_object) {
                None => issues.push(BodyIssue::required(&[
                    "cpjConfig",
                    "typeSettings",
                    "inputs",
                ])),
                Some(found) => {
                    match found.get("limit") {
                        None | Some(Value::Null) => issues.push(BodyIssue::required(&[
                            "cpjConfig",
                            "typeSettings",
                            "inputs",
                            "limit",
                        ])),
                        Some(limit) if number_of(limit).is_none_or(|n| n < 0.0) => {
                            issues.push(BodyIssue {
                                path: ["cpjConfig", "typeSettings", "inputs", "limit"]
                                    .iter()
                                    .map(|segment| json!(segment))
                                    .collect(),
                                message: "Expected number, received nan".into(),
                                code: "invalid_type",
                            });
                        }
                        Some(_) => {}
                    }
                    inputs = Some(found);
                }
            }
        }
    }
    let mut basic_fields = Vec::new();
    match config.get("basicFields") {
        None | Some(Value::Null) => {}
        Some(Value::Array(entries)) => {
            for (index, entry) in entries.iter().enumerate() {
                let entry = entry.as_object().cloned().unwrap_or_default();
                for key in ["name", "formulaText"] {
                    if entry.get(key).and_then(Value::as_str).is_none() {
                        issues.push(BodyIssue {
                            path: vec![
                                json!("cpjConfig"),
                                json!("basicFields"),
                                json!(index),
                                json!(key),
                            ],
                            message: "Required".into(),
                            code: "invalid_type",
                        });
                    }
                }
                basic_fields.push(entry);
            }
        }
        Some(_) => issues.push(BodyIssue {
            path: vec![json!("cpjConfig"), json!("basicFields")],
            message: "Expected array".into(),
            code: "invalid_type",
        }),
    }
    let (Some(kind), Some(type_settings), Some(inputs), true) =
        (kind, type_settings, inputs, issues.is_empty())
    else {
        return Err(validation_error(&issues));
    };
    let action_key = type_settings
        .get("actionKey")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if action_key != kind.action_key() {
        return Err(ApiError::bad_request(format!(
            "Action {action_key} cannot source a {} table",
            kind.source_type()
        )));
    }
    let limit = inputs.get("limit").and_then(number_of).unwrap_or(0.0);
    let table_type = match config
        .get("clientSettings")
        .and_then(|settings| settings.get("tableType"))
        .and_then(Value::as_str)
    {
        Some("company") => "company",
        Some("people") => "people",
        _ => kind.table_type(),
    };
    Ok(CpjRequest {
        kind,
        type_settings: type_settings.clone(),
        inputs: inputs.clone(),
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked non-negative above; fractions round down"
        )]
        limit: limit.floor() as u64,
        basic_fields,
        table_type,
    })
}

fn nonempty_string<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key)
        .and_then(Value::as_str)
        .filter(|text| !text.trim().is_empty())
}

fn string_list(inputs: &Map<String, Value>, key: &str) -> Vec<String> {
    match inputs.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(text) if !text.trim().is_empty() => Some(text.clone()),
                Value::Number(number) => Some(number.to_string()),
                _ => None,
            })
            .collect(),
        Some(Value::String(text)) if !text.trim().is_empty() => vec![text.clone()],
        _ => Vec::new(),
    }
}

/// `POST /v3/sources/create-cpj-table`.
pub fn create_cpj_table(
    context: &mut Context<'_>,
    _: &Params,
    request: &ApiRequest,
) -> HandlerResult {
    let body = request.json_object()?;
    let request_settings = validate(&body)?;
    let workspace_matches = body
        .get("workspaceId")
        .and_then(|value| match value {
            Value::Number(number) => number.as_u64(),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        })
        .is_some_and(|id| id == context.store.workspace_id);
    if !workspace_matches {
        return Err(ApiError::forbidden(
            "You do not have access to this workspace",
        ));
    }
    let config = body
        .get("cpjConfig")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let destination_table_id = nonempty_string(&config, "destinationTableId")
        .or_else(|| nonempty_string(&body, "destinationTableId"))
        .map(str::to_string);
    let workbook_id = nonempty_string(&body, "workbookId").map(str::to_string);
    let company_table_id = match request_settings.kind {
        SearchKind::People => {
            nonempty_string(&request_settings.inputs, "company_table_id").map(str::to_string)
        }
        SearchKind::Companies => None,
    };
    // Existence checks before anything is created.
    if let Some(table_id) = &destination_table_id {
        context.store.table(table_id)?;
    } else if let Some(workbook_id) = &workbook_id {
        context.store.workbook(workbook_id)?;
    }
    if let Some(table_id) = &company_table_id {
        context.store.table(table_id)?;
    }

    let now_ms = context.now_ms;
    let store = &mut *context.store;
    let kind = request_settings.kind;
    let (table_id, is_new_table) = match destination_table_id {
        Some(table_id) => (table_id, false),
        None => {
            let workbook_id = match workbook_id {
                Some(workbook_id) => workbook_id,
                None => {
                    let name =
                        nonempty_string(&body, "workbookName").unwrap_or(kind.default_name());
                    new_workbook(store, name, Value::Null, now_ms)
                }
            };
            let table_name = nonempty_string(&body, "tableName")
                .or_else(|| nonempty_string(&config, "tableName"))
                .or_else(|| nonempty_string(&request_settings.type_settings, "name"))
                .unwrap_or(kind.default_name())
                .to_string();
            let table_id = new_cpj_table(
                store,
                &workbook_id,
                &table_name,
                request_settings.table_type,
                now_ms,
            );
            (table_id, true)
        }
    };
    let source_name = nonempty_string(&request_settings.type_settings, "name")
        .unwrap_or(kind.default_name())
        .to_string();
    let source_id = store.ids.id("s_");
    let source_field_id = add_source_field(
        store,
        &table_id,
        &source_name,
        &source_id,
        nonempty_string(&body, "assignedFieldId"),
        now_ms,
    )?;
    add_basic_fields(
        store,
        &table_id,
        &source_field_id,
        &request_settings.basic_fields,
        now_ms,
    )?;
    store.sources.insert(
        source_id.clone(),
        Source {
            id: source_id.clone(),
            name: source_name,
            source_type: kind.source_type().into(),
            type_settings: Value::Object(request_settings.type_settings.clone()),
            table_id: table_id.clone(),
            field_id: source_field_id.clone(),
            // Only webhook sources have an inbound URL; an empty slug never matches one.
            slug: String::new(),
            num_source_records: 0,
            deleted_at: None,
            auth_token: None,
        },
    );

    let disabled = request_settings
        .type_settings
        .get("disableTriggerOnCreate")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if !disabled {
        let records = search_results(store, &request_settings, company_table_id.as_deref())?;
        let record_ids = fill_table(store, &table_id, &source_field_id, records, now_ms)?;
        if let Some(source) = store.sources.get_mut(&source_id) {
            source.num_source_records = record_ids.len() as u64;
        }
        after_insert(context, &table_id, &record_ids);
    }
    let table = context.store.table(&table_id)?;
    Ok(Reply::ok(json!({
        "tableId": table_id,
        "viewId": table.first_view_id,
        "workbookId": table.workbook_id,
        "sourceId": source_id,
        "isNewTable": is_new_table,
    })))
}

/// A table like `POST /v3/tables` makes, without the blank row.
fn new_cpj_table(
    store: &mut Store,
    workbook_id: &str,
    name: &str,
    table_type: &str,
    now_ms: u64,
) -> String {
    let table = new_table(
        store,
        NewTable {
            name,
            description: Value::Null,
            table_type,
            workbook_id,
            with_views: true,
        },
        &iso_time(now_ms),
    );
    let table_id = table.id.clone();
    store.tables.insert(table_id.clone(), table);
    table_id
}

/// Adds `field` to the table and at the end of every view.
fn insert_field(table: &mut Table, field: Field) {
    for view in table.views.values_mut() {
        let order = Table::next_field_order(view);
        view.fields.insert(
            field.id.clone(),
            json!({"order": order, "isVisible": true, "width": 200}),
        );
    }
    table.fields.insert(field.id.clone(), field);
}

fn add_source_field(
    store: &mut Store,
    table_id: &str,
    source_name: &str,
    source_id: &str,
    assigned_field_id: Option<&str>,
    now_ms: u64,
) -> Result<String, ApiError> {
    let now = iso_time(now_ms);
    let (table, ids) = store.table_and_ids(table_id)?;
    let field_id = match assigned_field_id {
        Some(id) if id.starts_with("f_") && !table.fields.contains_key(id) => id.to_string(),
        _ => ids.id("f_"),
    };
    let mut name = source_name.to_string();
    let mut suffix = 2;
    while table.fields.values().any(|field| field.name == name) {
        name = format!("{source_name} ({suffix})");
        suffix += 1;
    }
    insert_field(
        table,
        Field {
            id: field_id.clone(),
            name,
            field_type: "source".into(),
            description: Value::Null,
            type_settings: json!({"sourceIds": [source_id], "canCreateRecords": true}),
            system: false,
            created_at: now.clone(),
            updated_at: now,
            deleted_at: None,
        },
    );
    table.updated_at = iso_time(now_ms);
    Ok(field_id)
}

/// `{{source}}.a.b` → `{{f_src}}?.a?.b` (and a bare `{{source}}` → `{{f_src}}`).
pub fn rewrite_source_placeholder(formula: &str, source_field_id: &str) -> String {
    let mut rewritten = String::with_capacity(formula.len() + 16);
    let mut rest = formula;
    while let Some(start) = rest.find("{{") {
        rewritten.push_str(&rest[..start]);
        let after_braces = &rest[start + 2..];
        let Some(end) = after_braces.find("}}") else {
            rewritten.push_str(&rest[start..]);
            return rewritten;
        };
        if after_braces[..end].trim() != "source" {
            rewritten.push_str(&rest[start..start + 2 + end + 2]);
            rest = &after_braces[end + 2..];
            continue;
        }
        rewritten.push_str(&format!("{{{{{source_field_id}}}}}"));
        let mut path = &after_braces[end + 2..];
        // Each `.segment` of the path becomes `?.segment`.
        while let Some(after_dot) = path.strip_prefix('.') {
            let length = after_dot
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(after_dot.len());
            if length == 0 {
                break;
            }
            rewritten.push_str("?.");
            rewritten.push_str(&after_dot[..length]);
            path = &after_dot[length..];
        }
        rest = path;
    }
    rewritten.push_str(rest);
    rewritten
}

fn add_basic_fields(
    store: &mut Store,
    table_id: &str,
    source_field_id: &str,
    basic_fields: &[Map<String, Value>],
    now_ms: u64,
) -> Result<(), ApiError> {
    let now = iso_time(now_ms);
    let (table, ids) = store.table_and_ids(table_id)?;
    for entry in basic_fields {
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let formula = entry
            .get("formulaText")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if table.fields.values().any(|field| field.name == name) {
            continue;
        }
        let data_type = entry
            .get("dataType")
            .and_then(Value::as_str)
            .unwrap_or("text");
        let field_id = ids.id("f_");
        let type_settings = sanitize_type_settings(&json!({
            "formulaText": rewrite_source_placeholder(formula, source_field_id),
            "formulaType": "text",
            "dataTypeSettings": {"type": data_type},
        }));
        insert_field(
            table,
            Field {
                id: field_id.clone(),
                name: name.to_string(),
                field_type: "formula".into(),
                description: Value::Null,
                type_settings,
                system: false,
                created_at: now.clone(),
                updated_at: now.clone(),
                deleted_at: None,
            },
        );
        if entry.get("isDedupeField").and_then(Value::as_bool) == Some(true) {
            table
                .table_settings
                .insert("DEDUPE_FIELD_ID".into(), json!(field_id));
        }
    }
    Ok(())
}

/// The fake search's records for a validated request.
fn search_results(
    store: &Store,
    request: &CpjRequest,
    company_table_id: Option<&str>,
) -> Result<Vec<Value>, ApiError> {
    let limit = usize::try_from(request.limit.min(MAXIMUM_IMPORTED_ROWS)).unwrap_or(0);
    let seed = search_seed(
        store.seed,
        request.kind.source_type(),
        &Value::Object(request.inputs.clone()),
    );
    let inputs = &request.inputs;
    match request.kind {
        SearchKind::Companies => {
            let search = CompanySearch {
                industries: string_list(inputs, "industries"),
                locations: string_list(inputs, "locations"),
                sizes: string_list(inputs, "sizes"),
                description_keywords: string_list(inputs, "description_keywords"),
            };
            Ok(fake_companies(seed, &search, limit))
        }
        SearchKind::People => {
            let search = PeopleSearch {
                job_titles: string_list(inputs, "job_title_keywords"),
                seniorities: string_list(inputs, "job_title_seniority_levels"),
                locations: string_list(inputs, "locations"),
            };
            let companies = match company_table_id {
                Some(table_id) => {
                    let companies = resolved_companies(store.table(table_id)?);
                    if companies.is_empty() {
                        return Err(ApiError::bad_request(
                            "None of the company table rows resolved",
                        ));
                    }
                    companies
                }
                None => Vec::new(),
            };
            let per_company = inputs
                .get("limit_per_company")
                .and_then(number_of)
                .filter(|count| *count >= 1.0)
                .map_or(DEFAULT_PEOPLE_PER_COMPANY, |count| {
                    #[allow(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        reason = "at least 1, checked above"
                    )]
                    let count = count.floor() as usize;
                    count
                });
            Ok(fake_people(seed, &search, &companies, per_company, limit))
        }
    }
}

/// The companies a company table's rows stand for, in row order; rows without any company data
/// (such as Clay's blank first row) are skipped.
fn resolved_companies(table: &Table) -> Vec<CompanyIdentity> {
    let mut companies = Vec::new();
    for record in table.records.values() {
        let row = RowValues::new(table, record);
        let mut name = String::new();
        let mut domain = String::new();
        for field in table.live_fields() {
            let value = row.field_value(&field.id);
            if field.field_type == "source" {
                if let Some(found) = value.get("name").and_then(Value::as_str) {
                    name = found.to_string();
                }
                if let Some(found) = value.get("domain").and_then(Value::as_str) {
                    domain = found.to_string();
                }
                continue;
            }
            if value.is_null() || field.system {
                continue;
            }
            let text = to_js_string(&value);
            let lowered = field.name.to_lowercase();
            if domain.is_empty() && (lowered.contains("domain") || lowered.contains("website")) {
                domain = domain_of(&text);
            } else if name.is_empty() && lowered.contains("name") {
                name = text;
            }
        }
        if !name.trim().is_empty() || !domain.trim().is_empty() {
            companies.push(CompanyIdentity { name, domain });
        }
    }
    companies
}

fn fill_table(
    store: &mut Store,
    table_id: &str,
    source_field_id: &str,
    records: Vec<Value>,
    now_ms: u64,
) -> Result<Vec<String>, ApiError> {
    let (table, ids) = store.table_and_ids(table_id)?;
    let mut record_ids = Vec::with_capacity(records.len());
    for payload in records {
        let record_id = ids.id("r_");
        let mut record = new_record(record_id.clone(), now_ms);
        record
            .cells
            .entry(source_field_id.to_string())
            .or_default()
            .value = payload;
        table.records.insert(record_id.clone(), record);
        record_ids.push(record_id);
    }
    table.updated_at = iso_time(now_ms);
    Ok(record_ids)
}

/// `POST /v3/sources`: Clay refuses find-companies/people sources here (§12.3).
pub fn create_source(_: &mut Context<'_>, _: &Params, request: &ApiRequest) -> HandlerResult {
    let body = request.json_object()?;
    let missing: Vec<&str> = ["workspaceId", "type"]
        .into_iter()
        .filter(|key| !is_present(body.get(*key)))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::missing_body_fields(&missing));
    }
    match body.get("type").and_then(Value::as_str) {
        Some("companies" | "people") => Err(ApiError::not_found("Invalid subscriptions")),
        _ => Err(ApiError::bad_request(
            "The emulator creates webhook sources through PATCH /v3/tables/{t} sourceSettings.addSource",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_placeholder_becomes_an_optional_chain_on_the_source_field() {
        assert_eq!(
            rewrite_source_placeholder("{{source}}.domain", "f_src"),
            "{{f_src}}?.domain"
        );
        assert_eq!(
            rewrite_source_placeholder("UPPER({{ source }}.location.city) + {{f_x}}", "f_s"),
            "UPPER({{f_s}}?.location?.city) + {{f_x}}"
        );
        assert_eq!(rewrite_source_placeholder("{{source}}", "f_s"), "{{f_s}}");
        assert_eq!(rewrite_source_placeholder("\"{{\"", "f_s"), "\"{{\"");
    }
}
