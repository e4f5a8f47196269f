//! The JSON Schemas of spec files and project files, and checking a node tree against them.
//!
//! Owns: generating both schemas from the AST types (schemars, draft 2020-12), compiling them
//! once, and turning every schema violation into a diagnostic at its exact span: CF101 unknown
//! key (at the key), CF102 wrong type or value (at the value), CF103 missing key (at the parent's
//! key). Reports all violations at once.
//! Must not know: files on disk, semantic rules (those are `validate`'s).

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use serde_json::Value;

use super::ast::WorkbookSpec;
use super::node::{SpanIndex, escape};
use super::project_ast::ProjectSpec;
use crate::diagnostics::{Diagnostic, DiagnosticKind, did_you_mean};

/// Which file a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    Workbook,
    Project,
}

fn generator() -> schemars::SchemaGenerator {
    SchemaSettings::draft2020_12().into_generator()
}

/// The JSON Schema as a value.
pub fn schema(kind: SchemaKind) -> &'static Value {
    static WORKBOOK: OnceLock<Value> = OnceLock::new();
    static PROJECT: OnceLock<Value> = OnceLock::new();
    match kind {
        SchemaKind::Workbook => WORKBOOK.get_or_init(|| {
            let mut value =
                serde_json::to_value(generator().into_root_schema_for::<WorkbookSpec>())
                    .unwrap_or_default();
            strip_null(&mut value);
            value
        }),
        SchemaKind::Project => PROJECT.get_or_init(|| {
            let mut value = serde_json::to_value(generator().into_root_schema_for::<ProjectSpec>())
                .unwrap_or_default();
            strip_null(&mut value);
            value
        }),
    }
}

/// Optional keys are omitted, never `null`: drop the `null` alternative schemars adds for
/// `Option` fields, so `description: ~` is a CF102 instead of silently meaning "absent".
fn strip_null(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            let single = match map.get_mut("anyOf") {
                Some(Value::Array(options)) => {
                    options.retain(|o| o.get("type").and_then(Value::as_str) != Some("null"));
                    (options.len() == 1).then(|| options.remove(0))
                }
                _ => None,
            };
            if let Some(Value::Object(inner)) = single {
                map.remove("anyOf");
                for (key, value) in inner {
                    map.entry(key).or_insert(value);
                }
            }
            for child in map.values_mut() {
                strip_null(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

/// The JSON Schema as pretty-printed text, as committed in `schemas/`.
pub fn schema_text(kind: SchemaKind) -> String {
    let mut text = serde_json::to_string_pretty(schema(kind)).unwrap_or_default();
    text.push('\n');
    text
}

fn validator(kind: SchemaKind) -> Option<&'static jsonschema::Validator> {
    static WORKBOOK: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    static PROJECT: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    let cell = match kind {
        SchemaKind::Workbook => &WORKBOOK,
        SchemaKind::Project => &PROJECT,
    };
    cell.get_or_init(|| jsonschema::validator_for(schema(kind)).ok())
        .as_ref()
}

/// The outcome of checking one instance: a diagnostic per violation, and where each violation
/// is (for an unknown key, the path to that key), for [`super::recover`].
#[derive(Debug, Default)]
pub struct SchemaReport {
    pub diagnostics: Vec<Diagnostic>,
    pub locations: Vec<Vec<String>>,
}

/// Every schema violation of `instance`, at its span.
pub fn check(kind: SchemaKind, instance: &Value, spans: &SpanIndex) -> SchemaReport {
    let Some(validator) = validator(kind) else {
        return SchemaReport::default();
    };
    let mut report = SchemaReport::default();
    for error in validator.iter_errors(instance) {
        let segments = segments(&error);
        match error.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected }
            | jsonschema::error::ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                for key in unexpected {
                    let mut location = segments.clone();
                    location.push(key.clone());
                    report.locations.push(location);
                }
            }
            _ => report.locations.push(segments.clone()),
        }
        report
            .diagnostics
            .extend(diagnose(kind, &error, &segments, spans));
    }
    report.diagnostics.sort_by_key(|d| (d.span.start, d.code()));
    report
        .diagnostics
        .dedup_by(|a, b| a.span == b.span && a.kind == b.kind);
    report
}

/// The instance path of `error` as unescaped segments.
fn segments(error: &jsonschema::ValidationError<'_>) -> Vec<String> {
    error
        .instance_path()
        .iter()
        .map(|segment| match segment {
            jsonschema::paths::LocationSegment::Property(p) => p.to_string(),
            jsonschema::paths::LocationSegment::Index(i) => i.to_string(),
        })
        .collect()
}

fn diagnose(
    kind: SchemaKind,
    error: &jsonschema::ValidationError<'_>,
    segments: &[String],
    spans: &SpanIndex,
) -> Vec<Diagnostic> {
    use jsonschema::error::ValidationErrorKind as K;
    let path = error.instance_path().as_str().to_string();
    let context = describe(segments);
    match error.kind() {
        K::AdditionalProperties { unexpected } | K::UnevaluatedProperties { unexpected } => {
            let allowed = allowed_keys(kind, segments);
            unexpected
                .iter()
                .map(|key| {
                    let pointer = format!("{path}/{}", escape(key));
                    let mut diagnostic = Diagnostic::new(
                        DiagnosticKind::UnknownKey {
                            key: key.clone(),
                            context: context.clone(),
                        },
                        spans.key(&pointer),
                    )
                    .with_primary_label("not allowed here");
                    let help =
                        did_you_mean(key, allowed.iter().map(String::as_str)).or_else(|| {
                            (!allowed.is_empty()).then(|| {
                                format!(
                                    "allowed keys: {}",
                                    allowed
                                        .iter()
                                        .map(|k| format!("`{k}`"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            })
                        });
                    if let Some(help) = help {
                        diagnostic = diagnostic.with_help(help);
                    }
                    diagnostic
                })
                .collect()
        }
        K::Required { property } => {
            let key = property.as_str().unwrap_or_default().to_string();
            let span = if path.is_empty() {
                spans.value("")
            } else {
                spans.key(&path)
            };
            vec![
                Diagnostic::new(
                    DiagnosticKind::MissingKey {
                        key: key.clone(),
                        context,
                    },
                    span,
                )
                .with_help(format!("add `{key}:`")),
            ]
        }
        other => {
            let mut help = None;
            let message = match other {
                K::AnyOf { .. } | K::OneOfNotValid { .. } => {
                    format!("expected {}", expected_forms(kind, segments))
                }
                K::Enum { options } => {
                    let allowed: Vec<&str> = options
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    let found = match error.instance().as_ref() {
                        Value::String(s) => format!("`{s}`"),
                        other => format!("`{other}`"),
                    };
                    help = error
                        .instance()
                        .as_str()
                        .and_then(|s| did_you_mean(s, allowed.iter().copied()));
                    format!(
                        "{found} is not one of {}",
                        allowed
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
                _ => value_message(error),
            };
            let diagnostic = Diagnostic::new(
                DiagnosticKind::InvalidValue {
                    path: display_path(segments),
                    message,
                },
                spans.value(&path),
            )
            .with_primary_label("invalid value");
            vec![match help {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            }]
        }
    }
}

fn value_message(error: &jsonschema::ValidationError<'_>) -> String {
    let scalar = !matches!(
        error.instance().as_ref(),
        Value::Array(_) | Value::Object(_)
    );
    let text = if scalar {
        error.to_string()
    } else {
        error.masked_with("the value").to_string()
    };
    lowercase_first(text.trim_end_matches('.'))
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_uppercase() && !text.starts_with("\"") => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_string(),
    }
}

/// `tables.Companies.columns.Email.type` for a pointer's segments (`the file` for the root).
pub fn display_path(segments: &[String]) -> String {
    if segments.is_empty() {
        "the file".into()
    } else {
        segments.join(".")
    }
}

/// A human name for the map at `segments` ("column `Email`", "table `Companies`").
fn describe(segments: &[String]) -> String {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    match s.as_slice() {
        [] => "the spec".into(),
        ["tables", table] => format!("table `{table}`"),
        ["tables", table, "source"] => format!("the source of table `{table}`"),
        ["tables", _, "columns", column] => format!("column `{column}`"),
        ["tables", _, "columns", column, key] => format!("`{key}` of column `{column}`"),
        ["tables", _, "columns", column, key, sub] => {
            format!("`{key}.{sub}` of column `{column}`")
        }
        ["clients", client] => format!("client `{client}`"),
        _ => format!("`{}`", segments.join(".")),
    }
}

/// The subschema that describes the instance at `segments`, following `$ref`s.
fn subschema<'a>(root: &'a Value, segments: &[String]) -> Option<&'a Value> {
    let mut current = resolve(root, root)?;
    for segment in segments {
        current = step(root, current, segment)?;
    }
    Some(current)
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    let mut schema = schema;
    for _ in 0..16 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference.strip_prefix('#')?;
                schema = root.pointer(pointer)?;
            }
            None => return Some(schema),
        }
    }
    None
}

fn step<'a>(root: &'a Value, schema: &'a Value, segment: &str) -> Option<&'a Value> {
    if let Some(found) = schema
        .get("properties")
        .and_then(|p| p.get(segment))
        .or_else(|| schema.get("additionalProperties").filter(|v| v.is_object()))
        .or_else(|| schema.get("items").filter(|v| v.is_object()))
    {
        return resolve(root, found);
    }
    for combinator in ["anyOf", "oneOf"] {
        if let Some(options) = schema.get(combinator).and_then(Value::as_array) {
            for option in options {
                let option = resolve(root, option)?;
                if let Some(found) = step(root, option, segment) {
                    return Some(found);
                }
            }
        }
    }
    None
}

/// Keys allowed in the map at `segments`, in schema order.
fn allowed_keys(kind: SchemaKind, segments: &[String]) -> Vec<String> {
    let root = schema(kind);
    subschema(root, segments)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

/// "a string or a list of strings" for the alternatives at `segments`.
fn expected_forms(kind: SchemaKind, segments: &[String]) -> String {
    let root = schema(kind);
    let Some(schema) = subschema(root, segments) else {
        return "one of the allowed forms".into();
    };
    let options = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array);
    let Some(options) = options else {
        return "one of the allowed forms".into();
    };
    let forms: Vec<String> = options
        .iter()
        .filter_map(|option| resolve(root, option))
        .map(form_name)
        .collect();
    forms.join(" or ")
}

fn form_name(schema: &Value) -> String {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .map(|v| format!("`{}`", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(", ");
    }
    if let Some(value) = schema.get("const").and_then(Value::as_str) {
        return format!("`{value}`");
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => "a string".into(),
        Some("number") => "a number".into(),
        Some("integer") => "an integer".into(),
        Some("boolean") => "a boolean".into(),
        Some("array") => "a list".into(),
        Some("object") => match schema
            .get("properties")
            .and_then(Value::as_object)
            .and_then(|p| p.keys().next())
        {
            Some(key) => format!("a map with `{key}`"),
            None => "a map".into(),
        },
        _ => "a value".into(),
    }
}
