//! A live Clay field → a spec-level column description.
//!
//! Owns: [`field_to_column`] and [`LiveColumn`]: `{{f_…}}` turned back into `{{Name}}`, quoted
//! literals unquoted, concatenations turned back into templates, the double-encoded output
//! schema decoded, and the column kind recognised from `type` and `actionKey`.
//! Must not know: HTTP.

use indexmap::IndexMap;
use serde_json::Value;

use super::data_type::data_type_from_field;
use super::formula::{formula_to_template, rewrite_references, unquote_literal};
use super::to_clay::default_use_case;
use super::{
    ClayIds, HTTP_ACTION_KEY, LOOKUP_ROW_ACTION_KEY, LOOKUP_ROWS_ACTION_KEY, ROUTE_ROW_ACTION_KEY,
    ResolvedAction, TranslateError, USE_AI_ACTION_KEY, template_from_text,
};
use crate::model::{
    Ai, ColumnKind, DataType, Enrichment, Http, InputValue, Lookup, Name, OutputSchema, OutputType,
    SendTo, Template, UseCase,
};
use crate::provider::wire::field::ClayField;
use crate::source::Span;

/// What a live field means at the spec level (no spans: it was read, not written).
#[derive(Debug, Clone, PartialEq)]
pub struct LiveColumn {
    pub name: String,
    pub kind: ColumnKind,
    /// `None` for a computed column whose type is the default (`text` formulas, `json` actions).
    pub data_type: Option<DataType>,
    pub description: Option<String>,
    pub run_if: Option<Template>,
    pub run_as_button: bool,
}

/// Reads a live field. `action` (when the caller has the catalog's entry for the field's action
/// key) maps Clay input names back to spec input names; without it, Clay's names are used.
pub fn field_to_column(
    field: &ClayField,
    ids: &dyn ClayIds,
    action: Option<&ResolvedAction>,
) -> Result<LiveColumn, TranslateError> {
    let reader = Reader { field, ids };
    let settings = &field.type_settings;
    let declared = data_type_from_field(&field.field_type, settings);
    let action_key = field.action_key();
    let (kind, default_type) = match action_key {
        Some(USE_AI_ACTION_KEY) => (ColumnKind::Ai(reader.ai()?), DataType::Json),
        Some(HTTP_ACTION_KEY) => (ColumnKind::Http(reader.http()?), DataType::Json),
        Some(key @ (LOOKUP_ROW_ACTION_KEY | LOOKUP_ROWS_ACTION_KEY)) => (
            ColumnKind::Lookup(reader.lookup(key == LOOKUP_ROWS_ACTION_KEY)?),
            DataType::Json,
        ),
        Some(ROUTE_ROW_ACTION_KEY) => (ColumnKind::SendTo(reader.send_to()?), DataType::Json),
        Some(key) => (
            ColumnKind::Enrichment(reader.enrichment(key, action)?),
            DataType::Json,
        ),
        None => match field.type_setting_str("formulaText") {
            Some(formula) => match reader.source_path(formula) {
                Some(path) => (ColumnKind::FromSource { path: name(&path) }, DataType::Text),
                None => (
                    ColumnKind::Formula {
                        formula: template_from_text(&reader.names(formula)?),
                    },
                    DataType::Text,
                ),
            },
            None => (ColumnKind::Input, DataType::Text),
        },
    };
    let data_type = match (&kind, declared) {
        (ColumnKind::Input, declared) => Some(declared.unwrap_or(DataType::Text)),
        (_, Some(declared)) if declared == default_type => None,
        (_, declared) => declared,
    };
    let run_if = match field.type_setting_str("conditionalRunFormulaText") {
        Some(text) if !text.trim().is_empty() => Some(template_from_text(&reader.names(text)?)),
        _ => None,
    };
    Ok(LiveColumn {
        name: field.name.clone(),
        kind,
        data_type,
        description: field.description.clone().filter(|text| !text.is_empty()),
        run_if,
        run_as_button: settings
            .get("runAsButton")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

fn name(text: &str) -> Name {
    Name::new(text, Span::default())
}

struct Reader<'a> {
    field: &'a ClayField,
    ids: &'a dyn ClayIds,
}

impl Reader<'_> {
    fn unreadable(&self, problem: impl Into<String>) -> TranslateError {
        TranslateError::Unreadable {
            field: self.field.name.clone(),
            problem: problem.into(),
        }
    }

    /// `{{f_id}}` → `{{Name}}`.
    fn names(&self, text: &str) -> Result<String, TranslateError> {
        rewrite_references(text, |id| {
            if id == "source" {
                return Some("source".to_owned());
            }
            self.ids.field_name(id)
        })
        .map_err(|field_id| TranslateError::UnknownFieldId {
            field: self.field.name.clone(),
            field_id,
        })
    }

    /// A binding formula back to a template: concatenations and literals decode; a bare number
    /// or boolean stays as written; any other expression is kept as text with names.
    fn template(&self, formula: &str) -> Result<Template, TranslateError> {
        let text = formula_to_template(formula).unwrap_or_else(|| formula.trim().to_owned());
        Ok(template_from_text(&self.names(&text)?))
    }

    fn bindings(&self) -> IndexMap<String, &Value> {
        self.field
            .type_settings
            .get("inputsBinding")
            .and_then(Value::as_array)
            .map(|bindings| {
                bindings
                    .iter()
                    .filter_map(|binding| {
                        let name = binding.get("name")?.as_str()?;
                        let is_set = binding.get("formulaText").is_some()
                            || binding.get("formulaMap").is_some();
                        is_set.then(|| (name.to_owned(), binding))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn text_input<'b>(&self, bindings: &'b IndexMap<String, &Value>, key: &str) -> Option<&'b str> {
        bindings.get(key)?.get("formulaText")?.as_str()
    }

    fn literal_input(&self, bindings: &IndexMap<String, &Value>, key: &str) -> Option<String> {
        let text = self.text_input(bindings, key)?;
        unquote_literal(text).or_else(|| Some(text.trim().to_owned()))
    }

    fn map_input(
        &self,
        bindings: &IndexMap<String, &Value>,
        key: &str,
    ) -> Result<IndexMap<String, Template>, TranslateError> {
        let Some(map) = bindings
            .get(key)
            .and_then(|binding| binding.get("formulaMap"))
            .and_then(Value::as_object)
        else {
            return Ok(IndexMap::new());
        };
        map.iter()
            .map(|(key, value)| {
                Ok((
                    key.clone(),
                    self.template(value.as_str().unwrap_or_default())?,
                ))
            })
            .collect()
    }

    /// The path of a `from_source` formula: `{{f_source}}?.a?.b` or `{{source}}.a.b`.
    fn source_path(&self, formula: &str) -> Option<String> {
        let trimmed = formula.trim();
        let rest = trimmed.strip_prefix("{{")?;
        let close = rest.find("}}")?;
        let field_id = rest[..close].trim();
        if field_id != "source" && !self.ids.is_source_field(field_id) {
            return None;
        }
        let segments = parse_chain(&rest[close + 2..])?;
        (!segments.is_empty()).then(|| segments.join("."))
    }

    fn enrichment(
        &self,
        action_key: &str,
        action: Option<&ResolvedAction>,
    ) -> Result<Enrichment, TranslateError> {
        let mut inputs = IndexMap::new();
        for (clay_name, binding) in self.bindings() {
            let spec_name = action
                .and_then(|action| {
                    action
                        .parameters
                        .iter()
                        .find(|parameter| parameter.clay_name == clay_name)
                })
                .map_or(clay_name.clone(), |parameter| parameter.spec_name.clone());
            let value = if binding.get("formulaMap").is_some() {
                InputValue::Map(self.map_input(&self.bindings(), &clay_name)?)
            } else {
                let text = binding
                    .get("formulaText")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                InputValue::Template(self.template(text)?)
            };
            inputs.insert(name(&spec_name), value);
        }
        Ok(Enrichment {
            action: name(action_key),
            inputs,
            auth_account: self
                .field
                .type_setting_str("authAccountId")
                .map(str::to_owned),
        })
    }

    fn ai(&self) -> Result<Ai, TranslateError> {
        let bindings = self.bindings();
        let model = self.literal_input(&bindings, "model");
        let use_case = match self.literal_input(&bindings, "useCase").as_deref() {
            Some("claygent") => Some(UseCase::WebResearch),
            Some("use-ai") => Some(UseCase::Content),
            _ => None,
        }
        .filter(|use_case| *use_case != default_use_case(model.as_deref()));
        let prompt = self
            .text_input(&bindings, "prompt")
            .ok_or_else(|| self.unreadable("the `use-ai` column has no prompt"))?;
        let system_prompt = self
            .text_input(&bindings, "systemPrompt")
            .map(|text| self.template(text))
            .transpose()?;
        let number = |key: &str| {
            self.literal_input(&bindings, key)
                .and_then(|text| text.parse::<f64>().ok())
        };
        Ok(Ai {
            model: model.as_deref().map(name),
            prompt: self.template(prompt)?,
            system_prompt,
            use_case,
            output: self.answer_schema(&bindings)?,
            temperature: number("temperature"),
            max_cost_cents: number("maxCostInCents"),
        })
    }

    fn answer_schema(
        &self,
        bindings: &IndexMap<String, &Value>,
    ) -> Result<Option<OutputSchema>, TranslateError> {
        let Some(map) = bindings
            .get("answerSchemaType")
            .and_then(|binding| binding.get("formulaMap"))
        else {
            return Ok(None);
        };
        let Some(encoded) = map.get("jsonSchema").and_then(Value::as_str) else {
            return Err(self.unreadable("`answerSchemaType` is not in the JSON Schema form"));
        };
        let schema_text = unquote_literal(encoded).unwrap_or_else(|| encoded.to_owned());
        let schema: Value = serde_json::from_str(&schema_text)
            .map_err(|error| self.unreadable(format!("the output schema is not JSON: {error}")))?;
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .ok_or_else(|| self.unreadable("the output schema has no `properties`"))?;
        let mut fields = IndexMap::new();
        for (key, property) in properties {
            let output_type = match property.get("enum").and_then(Value::as_array) {
                Some(values) => OutputType::Enum(
                    values
                        .iter()
                        .map(|value| {
                            value
                                .as_str()
                                .map_or_else(|| value.to_string(), str::to_owned)
                        })
                        .collect(),
                ),
                None => match property.get("type").and_then(Value::as_str) {
                    Some("number") => OutputType::Number,
                    Some("integer") => OutputType::Integer,
                    Some("boolean") => OutputType::Boolean,
                    Some("array") => OutputType::Array,
                    Some("object") => OutputType::Object,
                    _ => OutputType::String,
                },
            };
            fields.insert(name(key), output_type);
        }
        Ok(Some(OutputSchema {
            fields,
            span: Span::default(),
        }))
    }

    fn other_table(
        &self,
        bindings: &IndexMap<String, &Value>,
    ) -> Result<(String, Name), TranslateError> {
        let table_id = self
            .literal_input(bindings, "tableId")
            .ok_or_else(|| self.unreadable("no `tableId` input"))?;
        let table_name = self
            .ids
            .table_name(&table_id)
            .ok_or_else(|| self.unreadable(format!("table `{table_id}` is unknown")))?;
        Ok((table_id, name(&table_name)))
    }

    fn lookup(&self, multiple: bool) -> Result<Lookup, TranslateError> {
        let bindings = self.bindings();
        let (table_id, table) = self.other_table(&bindings)?;
        let target_id = self
            .literal_input(&bindings, "fields|targetColumn")
            .ok_or_else(|| self.unreadable("no `fields|targetColumn` input"))?;
        let match_column = self
            .ids
            .table_field_name(&table_id, &target_id)
            .ok_or_else(|| {
                self.unreadable(format!(
                    "field `{target_id}` of `{}` is unknown",
                    table.text
                ))
            })?;
        let value = self
            .text_input(&bindings, "fields|rowValue")
            .map(|text| self.template(text))
            .transpose()?
            .unwrap_or_else(|| template_from_text(""));
        Ok(Lookup {
            table,
            match_column: name(&match_column),
            value,
            operator: self
                .literal_input(&bindings, "fields|filterOperator")
                .unwrap_or_else(|| "EQUAL".to_owned()),
            multiple,
            limit: self
                .literal_input(&bindings, "fields|limit")
                .and_then(|text| text.parse().ok()),
        })
    }

    fn send_to(&self) -> Result<SendTo, TranslateError> {
        let bindings = self.bindings();
        let (_, table) = self.other_table(&bindings)?;
        let fields = self
            .map_input(&bindings, "rowData")?
            .into_iter()
            .map(|(key, template)| (name(&key), template))
            .collect();
        Ok(SendTo { table, fields })
    }

    fn http(&self) -> Result<Http, TranslateError> {
        let bindings = self.bindings();
        let url = self
            .text_input(&bindings, "url")
            .ok_or_else(|| self.unreadable("the HTTP column has no `url`"))?;
        let field_paths = self
            .literal_input(&bindings, "fieldPaths")
            .and_then(|text| serde_json::from_str::<Vec<String>>(&text).ok())
            .unwrap_or_default();
        Ok(Http {
            method: self
                .literal_input(&bindings, "method")
                .unwrap_or_else(|| "GET".to_owned()),
            url: self.template(url)?,
            headers: self.map_input(&bindings, "headers")?,
            query: self.map_input(&bindings, "queryString")?,
            body: self
                .text_input(&bindings, "body")
                .map(|text| self.template(text))
                .transpose()?,
            field_paths,
        })
    }
}

/// Parses `?.a?.[0]?.["b c"]` or `.a.b` into segments; `None` when anything else follows.
fn parse_chain(text: &str) -> Option<Vec<String>> {
    let mut segments = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        rest = rest
            .strip_prefix("?.")
            .or_else(|| rest.strip_prefix('.'))
            .unwrap_or(rest);
        if let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']')?;
            let key = inner[..close].trim();
            let segment = if key.starts_with('"') {
                unquote_literal(key)?
            } else if key.chars().all(|c| c.is_ascii_digit()) && !key.is_empty() {
                key.to_owned()
            } else {
                return None;
            };
            segments.push(segment);
            rest = &inner[close + 1..];
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            segments.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    Some(segments)
}
