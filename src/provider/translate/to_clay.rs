//! Model column → the body of `POST /v3/tables/{t}/fields`.
//!
//! Owns: [`column_to_field`] for every column kind, the full binding lists of the built-in
//! actions (`use-ai`, `http-api-v2`, lookups, `route-row`), the double-encoded JSON Schema of AI
//! outputs, and [`cpj_basic_field`].
//! Must not know: HTTP, or how ids were obtained (the [`ClayNames`] resolver knows).

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::data_type::{data_type_settings, formula_type, input_field_type};
use super::formula::{quote_literal, rewrite_references, template_to_formula};
use super::{
    ClayNames, HTTP_ACTION_KEY, LOOKUP_ROW_ACTION_KEY, LOOKUP_ROWS_ACTION_KEY,
    ROUTE_ROW_ACTION_KEY, ROUTE_ROW_PACKAGE_ID, ResolvedAction, TranslateError, USE_AI_ACTION_KEY,
    USE_AI_PACKAGE_ID, UTILITY_PACKAGE_ID,
};
use crate::model::{
    Ai, Column, ColumnKind, DataType, Enrichment, Http, InputValue, Lookup, OutputSchema,
    OutputType, SendTo, UseCase,
};
use crate::provider::wire::field::CreateFieldRequest;

/// Every input of `use-ai`, in Clay's order (reference §8.2).
pub(super) const USE_AI_INPUTS: &[&str] = &[
    "useCase",
    "prompt",
    "model",
    "answerSchemaType",
    "systemPrompt",
    "metaprompt",
    "temperature",
    "topP",
    "maxTokens",
    "maxCostInCents",
    "reasoningLevel",
    "reasoningBudget",
    "jsonMode",
    "stopSequence",
    "runBudget",
    "tableExamples",
    "claygentId",
    "claygentFieldMapping",
    "contextDocumentIds",
    "browserbaseContextId",
    "mcpSettings",
    "_metadata",
    "width",
    "height",
    "aspectRatio",
    "referenceImageURL",
];
pub(super) const HTTP_INPUTS: &[&str] = &[
    "method",
    "url",
    "queryString",
    "body",
    "headers",
    "fieldPaths",
    "removeNull",
    "returnResponseMetadata",
    "followRedirects",
    "followRedirectsOptions|maxRedirects",
    "responseTimeout",
    "shouldRetry",
    "retryOptions|maxRetries",
    "retryOptions|statusCodesToRetry",
    "retryOptions|errorCodesToRetry",
];
pub(super) const LOOKUP_INPUTS: &[&str] = &[
    "tableId",
    "fields|targetColumn",
    "fields|filterOperator",
    "fields|rowValue",
    "fields|limit",
];
pub(super) const ROUTE_ROW_INPUTS: &[&str] = &[
    "tableId",
    "rowData",
    "type",
    "nestedData",
    "listData",
    "isUpsertDisabled",
];

/// The use case a model gets when the spec names none: Clay's own models only run as web
/// research (reference §8.3).
pub(super) fn default_use_case(model: Option<&str>) -> UseCase {
    match model {
        Some(model) if model.starts_with("clay-") => UseCase::WebResearch,
        _ => UseCase::Content,
    }
}

/// Builds the create body for `column`. `action` is required for enrichment columns (the
/// catalog's resolution of the alias or key) and ignored otherwise.
pub fn column_to_field(
    column: &Column,
    names: &dyn ClayNames,
    action: Option<&ResolvedAction>,
) -> Result<CreateFieldRequest, TranslateError> {
    let context = Context {
        column: column.name.text.as_str(),
        names,
    };
    if column.run_if.is_some() && !column.kind.is_action() {
        return Err(TranslateError::RunIfNeedsAction {
            column: context.column.to_owned(),
        });
    }
    let (field_type, type_settings) = match &column.kind {
        ColumnKind::Input => {
            let data_type = column.data_type.clone().unwrap_or(DataType::Text);
            (
                input_field_type(&data_type),
                json!({ "dataTypeSettings": data_type_settings(&data_type) }),
            )
        }
        ColumnKind::Formula { formula } => {
            let formula_text = context.rewrite(&formula.text)?;
            ("formula", context.formula_settings(column, formula_text))
        }
        ColumnKind::FromSource { path } => {
            let source =
                names
                    .source_field_id()
                    .ok_or_else(|| TranslateError::MissingSourceField {
                        column: context.column.to_owned(),
                    })?;
            let segments = path_segments(&path.text);
            let formula_text = format!("{{{{{source}}}}}{}", optional_chain(&segments));
            let mut settings = context.formula_settings(column, formula_text);
            if segments.len() > 1 {
                settings["mappedResultPath"] = json!(segments);
            }
            ("formula", settings)
        }
        ColumnKind::Enrichment(enrichment) => {
            let action = action.ok_or_else(|| TranslateError::MissingResolvedAction {
                column: context.column.to_owned(),
            })?;
            let bindings = context.enrichment_bindings(enrichment, action)?;
            let mut settings = context.action_settings(
                column,
                &action.action_key,
                &action.package_id,
                bindings,
            )?;
            if let Some(account) = &enrichment.auth_account {
                settings["authAccountId"] = json!(account);
            }
            ("action", settings)
        }
        ColumnKind::Ai(ai) => {
            let bindings = context.ai_bindings(ai)?;
            let settings =
                context.action_settings(column, USE_AI_ACTION_KEY, USE_AI_PACKAGE_ID, bindings)?;
            ("action", settings)
        }
        ColumnKind::Lookup(lookup) => {
            let key = if lookup.multiple {
                LOOKUP_ROWS_ACTION_KEY
            } else {
                LOOKUP_ROW_ACTION_KEY
            };
            let bindings = context.lookup_bindings(lookup)?;
            (
                "action",
                context.action_settings(column, key, UTILITY_PACKAGE_ID, bindings)?,
            )
        }
        ColumnKind::SendTo(send_to) => {
            let bindings = context.send_to_bindings(send_to)?;
            let settings = context.action_settings(
                column,
                ROUTE_ROW_ACTION_KEY,
                ROUTE_ROW_PACKAGE_ID,
                bindings,
            )?;
            ("action", settings)
        }
        ColumnKind::Http(http) => {
            let bindings = context.http_bindings(http)?;
            (
                "action",
                context.action_settings(column, HTTP_ACTION_KEY, UTILITY_PACKAGE_ID, bindings)?,
            )
        }
    };
    Ok(CreateFieldRequest {
        name: column.name.text.clone(),
        field_type: field_type.to_owned(),
        type_settings,
        description: column.description.clone(),
        active_view_id: None,
    })
}

/// A find-companies/people `basicFields` entry for a `from_source` column:
/// `{name, dataType, formulaText: "{{source}}.a.b"}` (reference §12.3). `None` for other kinds.
pub fn cpj_basic_field(column: &Column) -> Option<Value> {
    let ColumnKind::FromSource { path } = &column.kind else {
        return None;
    };
    let data_type = column.data_type.as_ref().map_or("text", DataType::keyword);
    Some(json!({
        "name": column.name.text,
        "dataType": data_type,
        "formulaText": format!("{{{{source}}}}.{}", path.text),
    }))
}

pub(super) fn path_segments(path: &str) -> Vec<String> {
    path.split('.')
        .filter(|segment| !segment.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `?.a?.[0]?.["b c"]` for `a.0.b c`.
fn optional_chain(segments: &[String]) -> String {
    segments
        .iter()
        .map(|segment| {
            if !segment.is_empty() && segment.chars().all(|c| c.is_ascii_digit()) {
                format!("?.[{segment}]")
            } else if is_identifier(segment) {
                format!("?.{segment}")
            } else {
                format!("?.[{}]", quote_literal(segment))
            }
        })
        .collect()
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_' || first == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

struct Context<'a> {
    column: &'a str,
    names: &'a dyn ClayNames,
}

impl Context<'_> {
    /// `{{Name}}` → `{{f_id}}` through the resolver.
    fn rewrite(&self, text: &str) -> Result<String, TranslateError> {
        rewrite_references(text, |name| self.names.field_id(name)).map_err(|name| {
            TranslateError::UnresolvedColumn {
                column: self.column.to_owned(),
                name,
            }
        })
    }

    /// A template value as a binding formula (see the module docs of `translate`).
    fn template_formula(&self, text: &str) -> Result<String, TranslateError> {
        let rewritten = self.rewrite(text)?;
        if !rewritten.contains("{{") && is_bare_scalar(rewritten.trim()) {
            return Ok(rewritten.trim().to_owned());
        }
        Ok(template_to_formula(&rewritten))
    }

    fn formula_settings(&self, column: &Column, formula_text: String) -> Value {
        let data_type = column.data_type.clone().unwrap_or(DataType::Text);
        json!({
            "formulaText": formula_text,
            "formulaType": formula_type(&data_type),
            "dataTypeSettings": data_type_settings(&data_type),
        })
    }

    fn action_settings(
        &self,
        column: &Column,
        action_key: &str,
        package_id: &str,
        bindings: Vec<Value>,
    ) -> Result<Value, TranslateError> {
        let data_type = column.data_type.clone().unwrap_or(DataType::Json);
        let mut settings = json!({
            "actionKey": action_key,
            "actionPackageId": package_id,
            "actionVersion": 1,
            "dataTypeSettings": data_type_settings(&data_type),
            "inputsBinding": bindings,
            "runAsButton": column.run_as_button,
        });
        if let Some(run_if) = &column.run_if {
            settings["conditionalRunFormulaText"] = json!(self.rewrite(&run_if.text)?);
        }
        Ok(settings)
    }

    fn template_map(
        &self,
        map: &IndexMap<String, crate::model::Template>,
    ) -> Result<Map<String, Value>, TranslateError> {
        map.iter()
            .map(|(key, template)| Ok((key.clone(), json!(self.template_formula(&template.text)?))))
            .collect()
    }

    fn enrichment_bindings(
        &self,
        enrichment: &Enrichment,
        action: &ResolvedAction,
    ) -> Result<Vec<Value>, TranslateError> {
        for input in enrichment.inputs.keys() {
            let known = action.parameters.iter().any(|parameter| {
                parameter.spec_name == input.text || parameter.clay_name == input.text
            });
            if !known || input.text == "value" {
                return Err(TranslateError::UnknownInput {
                    column: self.column.to_owned(),
                    input: input.text.clone(),
                    action: action.action_key.clone(),
                });
            }
        }
        let mut bindings = Vec::with_capacity(action.parameters.len());
        for parameter in &action.parameters {
            // Clay silently drops a binding named `value` (reference §8.1).
            if parameter.clay_name == "value" {
                continue;
            }
            let value = enrichment.inputs.iter().find(|(name, _)| {
                name.text == parameter.spec_name || name.text == parameter.clay_name
            });
            let binding = match value {
                None => bare(&parameter.clay_name),
                Some((_, InputValue::Template(template))) => {
                    text_binding(&parameter.clay_name, self.template_formula(&template.text)?)
                }
                Some((_, InputValue::Map(map))) => {
                    map_binding(&parameter.clay_name, self.template_map(map)?)
                }
            };
            bindings.push(binding);
        }
        Ok(bindings)
    }

    fn ai_bindings(&self, ai: &Ai) -> Result<Vec<Value>, TranslateError> {
        let model = ai
            .model
            .as_ref()
            .map(|model| model.text.clone())
            .or_else(|| self.names.default_ai_model());
        let use_case = ai
            .use_case
            .unwrap_or_else(|| default_use_case(model.as_deref()));
        let mut set: IndexMap<&str, Value> = IndexMap::new();
        set.insert(
            "useCase",
            text_binding("useCase", quote_literal(use_case.clay_value())),
        );
        set.insert(
            "prompt",
            text_binding(
                "prompt",
                template_to_formula(&self.rewrite(&ai.prompt.text)?),
            ),
        );
        if let Some(model) = &model {
            set.insert("model", text_binding("model", quote_literal(model)));
        }
        if let Some(output) = &ai.output {
            set.insert(
                "answerSchemaType",
                map_binding("answerSchemaType", answer_schema(output)),
            );
        }
        if let Some(system_prompt) = &ai.system_prompt {
            set.insert(
                "systemPrompt",
                text_binding(
                    "systemPrompt",
                    template_to_formula(&self.rewrite(&system_prompt.text)?),
                ),
            );
        }
        if let Some(temperature) = ai.temperature {
            set.insert(
                "temperature",
                text_binding("temperature", temperature.to_string()),
            );
        }
        if let Some(cents) = ai.max_cost_cents {
            set.insert(
                "maxCostInCents",
                text_binding("maxCostInCents", cents.to_string()),
            );
        }
        Ok(in_order(USE_AI_INPUTS, set))
    }

    fn lookup_bindings(&self, lookup: &Lookup) -> Result<Vec<Value>, TranslateError> {
        let table_id = self.table_id(&lookup.table.text)?;
        let target = self
            .names
            .table_field_id(&lookup.table.text, &lookup.match_column.text)
            .ok_or_else(|| TranslateError::UnresolvedTableColumn {
                column: self.column.to_owned(),
                table: lookup.table.text.clone(),
                target: lookup.match_column.text.clone(),
            })?;
        let mut set: IndexMap<&str, Value> = IndexMap::new();
        set.insert("tableId", text_binding("tableId", quote_literal(&table_id)));
        set.insert(
            "fields|targetColumn",
            text_binding("fields|targetColumn", quote_literal(&target)),
        );
        set.insert(
            "fields|filterOperator",
            text_binding("fields|filterOperator", quote_literal(&lookup.operator)),
        );
        set.insert(
            "fields|rowValue",
            text_binding(
                "fields|rowValue",
                self.template_formula(&lookup.value.text)?,
            ),
        );
        if let Some(limit) = lookup.limit {
            set.insert(
                "fields|limit",
                text_binding("fields|limit", limit.to_string()),
            );
        }
        Ok(in_order(LOOKUP_INPUTS, set))
    }

    fn send_to_bindings(&self, send_to: &SendTo) -> Result<Vec<Value>, TranslateError> {
        let table_id = self.table_id(&send_to.table.text)?;
        let mut row_data = Map::new();
        for (target, template) in &send_to.fields {
            row_data.insert(
                target.text.clone(),
                json!(self.template_formula(&template.text)?),
            );
        }
        let mut set: IndexMap<&str, Value> = IndexMap::new();
        set.insert("tableId", text_binding("tableId", quote_literal(&table_id)));
        set.insert("rowData", map_binding("rowData", row_data));
        Ok(in_order(ROUTE_ROW_INPUTS, set))
    }

    fn http_bindings(&self, http: &Http) -> Result<Vec<Value>, TranslateError> {
        let mut set: IndexMap<&str, Value> = IndexMap::new();
        set.insert(
            "method",
            text_binding("method", quote_literal(&http.method.to_uppercase())),
        );
        set.insert(
            "url",
            text_binding("url", self.template_formula(&http.url.text)?),
        );
        if !http.query.is_empty() {
            set.insert(
                "queryString",
                map_binding("queryString", self.template_map(&http.query)?),
            );
        }
        if let Some(body) = &http.body {
            set.insert(
                "body",
                text_binding("body", self.template_formula(&body.text)?),
            );
        }
        if !http.headers.is_empty() {
            set.insert(
                "headers",
                map_binding("headers", self.template_map(&http.headers)?),
            );
        }
        if !http.field_paths.is_empty() {
            let paths = serde_json::to_string(&http.field_paths).unwrap_or_default();
            set.insert(
                "fieldPaths",
                text_binding("fieldPaths", quote_literal(&paths)),
            );
        }
        Ok(in_order(HTTP_INPUTS, set))
    }

    fn table_id(&self, table: &str) -> Result<String, TranslateError> {
        self.names
            .table_id(table)
            .ok_or_else(|| TranslateError::UnresolvedTable {
                column: self.column.to_owned(),
                table: table.to_owned(),
            })
    }
}

/// The JSON-Schema form of `answerSchemaType`: the schema is JSON-encoded, then encoded again as
/// a string literal (reference §8.3).
fn answer_schema(output: &OutputSchema) -> Map<String, Value> {
    let mut properties = Map::new();
    for (name, output_type) in &output.fields {
        let property = match output_type {
            OutputType::Enum(values) => json!({ "type": "string", "enum": values }),
            other => json!({ "type": other.keyword() }),
        };
        properties.insert(name.text.clone(), property);
    }
    let required: Vec<&str> = output
        .fields
        .keys()
        .map(|name| name.text.as_str())
        .collect();
    let schema = json!({ "type": "object", "properties": properties, "required": required });
    let mut map = Map::new();
    map.insert("type".into(), json!(quote_literal("json")));
    map.insert("jsonType".into(), json!(quote_literal("JSONSchema")));
    map.insert(
        "jsonSchema".into(),
        json!(quote_literal(&schema.to_string())),
    );
    map
}

fn is_bare_scalar(text: &str) -> bool {
    text == "true"
        || text == "false"
        || (!text.is_empty()
            && text.parse::<f64>().is_ok_and(f64::is_finite)
            && !text.starts_with('+'))
}

fn bare(name: &str) -> Value {
    json!({ "name": name })
}

fn text_binding(name: &str, formula_text: String) -> Value {
    json!({ "name": name, "formulaText": formula_text })
}

fn map_binding(name: &str, map: Map<String, Value>) -> Value {
    json!({ "name": name, "formulaMap": map })
}

/// The full parameter list: set bindings in place, the rest bare.
fn in_order(order: &[&str], mut set: IndexMap<&str, Value>) -> Vec<Value> {
    let mut bindings: Vec<Value> = order
        .iter()
        .map(|name| set.shift_remove(*name).unwrap_or_else(|| bare(name)))
        .collect();
    bindings.extend(set.into_values());
    bindings
}
