//! What Clay does to a column's `typeSettings`: silent drops, formula minification, the
//! dependency ids it derives, and the `settingsError`s it reports.
//!
//! Owns the rules of clay-api.md §7.4 and §8.1 that operate on one `typeSettings` object.
//! Knows a table only to check which referenced fields still exist.

use serde_json::{Value, json};

use super::formula::{compile, minify, referenced_field_ids};
use super::store::Table;

/// Clay's save-time rewrite of a column's settings. Returns the settings as stored.
///
/// - `formulaText` is dropped unless `formulaType` is present (the gatekeeper, §7.4);
/// - bindings named `value` are dropped (§8.1); `actionKey:"ai"` drops every binding (§8.3);
/// - every formula (column formula, binding `formulaText`, `formulaMap` values, run condition,
///   delay formula) is minified.
pub fn sanitize_type_settings(type_settings: &Value) -> Value {
    let Some(settings) = type_settings.as_object() else {
        return json!({});
    };
    let mut settings = settings.clone();
    if settings.contains_key("formulaText") && !settings.contains_key("formulaType") {
        settings.remove("formulaText");
    }
    if let Some(Value::String(text)) = settings.get("formulaText") {
        settings.insert("formulaText".into(), Value::String(minify(text)));
    }
    if let Some(Value::String(text)) = settings.get("conditionalRunFormulaText") {
        settings.insert(
            "conditionalRunFormulaText".into(),
            Value::String(minify(text)),
        );
    }
    if let Some(Value::Object(delay)) = settings.get_mut("delaySettings")
        && let Some(Value::String(text)) = delay.get("delayFormulaText")
    {
        let minified = minify(text);
        delay.insert("delayFormulaText".into(), Value::String(minified));
    }
    let drop_all_bindings = settings.get("actionKey").and_then(Value::as_str) == Some("ai");
    if let Some(Value::Array(bindings)) = settings.get_mut("inputsBinding") {
        if drop_all_bindings {
            bindings.clear();
        }
        bindings.retain(|binding| binding.get("name").and_then(Value::as_str) != Some("value"));
        for binding in bindings.iter_mut() {
            let Some(binding) = binding.as_object_mut() else {
                continue;
            };
            if let Some(Value::String(text)) = binding.get("formulaText") {
                let minified = minify(text);
                binding.insert("formulaText".into(), Value::String(minified));
            }
            if let Some(Value::Object(map)) = binding.get_mut("formulaMap") {
                for value in map.values_mut() {
                    if let Value::String(text) = value {
                        *value = Value::String(minify(text));
                    }
                }
            }
        }
    }
    Value::Object(settings)
}

/// Every formula in the settings with a label naming where it sits (for `settingsError`).
/// The run condition and delay are kept apart: they feed other dependency lists.
pub struct FormulaSites {
    pub inputs: Vec<(String, String)>,
    pub run_condition: Option<String>,
    pub delay: Option<String>,
}

pub fn formula_sites(type_settings: &Value) -> FormulaSites {
    let mut inputs = Vec::new();
    if let Some(text) = type_settings.get("formulaText").and_then(Value::as_str) {
        inputs.push(("formula".to_string(), text.to_string()));
    }
    for binding in type_settings
        .get("inputsBinding")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = binding
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("input")
            .to_string();
        if let Some(text) = binding.get("formulaText").and_then(Value::as_str) {
            inputs.push((name.clone(), text.to_string()));
        }
        if let Some(map) = binding.get("formulaMap").and_then(Value::as_object) {
            for (key, value) in map {
                if let Some(text) = value.as_str() {
                    inputs.push((format!("{name}.{key}"), text.to_string()));
                }
            }
        }
    }
    FormulaSites {
        inputs,
        run_condition: type_settings
            .get("conditionalRunFormulaText")
            .and_then(Value::as_str)
            .map(str::to_string),
        delay: type_settings
            .pointer("/delaySettings/delayFormulaText")
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

pub struct Dependencies {
    pub input_field_ids: Vec<String>,
    pub conditional_run_field_ids: Vec<String>,
    pub delay_field_ids: Vec<String>,
}

fn union(lists: impl IntoIterator<Item = Vec<String>>) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for id in lists.into_iter().flatten() {
        if !all.contains(&id) {
            all.push(id);
        }
    }
    all
}

/// Dependencies as Clay derives them. The run condition's references are also input
/// dependencies (JX: "and run condition"), so a change to a gating column re-runs on auto-run.
pub fn dependencies(type_settings: &Value) -> Dependencies {
    let sites = formula_sites(type_settings);
    let conditional = sites
        .run_condition
        .as_deref()
        .map(referenced_field_ids)
        .unwrap_or_default();
    let inputs = union(
        sites
            .inputs
            .iter()
            .map(|(_, text)| referenced_field_ids(text))
            .chain(std::iter::once(conditional.clone())),
    );
    Dependencies {
        input_field_ids: inputs,
        conditional_run_field_ids: conditional,
        delay_field_ids: sites
            .delay
            .as_deref()
            .map(referenced_field_ids)
            .unwrap_or_default(),
    }
}

/// `settingsError` entries for a column of `table`: references to fields that are missing or
/// deleted, and formulas that do not parse. Empty when the settings are sound.
pub fn settings_errors(table: &Table, type_settings: &Value) -> Vec<Value> {
    let sites = formula_sites(type_settings);
    let mut errors = Vec::new();
    let all_sites = sites
        .inputs
        .iter()
        .cloned()
        .chain(
            sites
                .run_condition
                .map(|text| ("conditionalRunFormulaText".to_string(), text)),
        )
        .chain(
            sites
                .delay
                .map(|text| ("delayFormulaText".to_string(), text)),
        );
    for (label, text) in all_sites {
        for field_id in referenced_field_ids(&text) {
            let exists = table
                .fields
                .get(&field_id)
                .is_some_and(|field| field.is_live());
            if !exists {
                errors.push(json!({
                    "type": "INVALID_FORMULA_MISSING_INPUT_FIELD",
                    "message": format!("Settings contains deleted column for \"{label}\" input"),
                    "fieldId": field_id,
                }));
            }
        }
        if let Err(message) = compile(&text) {
            errors.push(json!({
                "type": "INVALID_FORMULA_PARSING_FAILED",
                "message": format!("Failed to parse formula for \"{label}\": {message}"),
            }));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_without_formula_type_is_dropped() {
        let stored = sanitize_type_settings(&json!({"formulaText": "1", "dataTypeSettings": {}}));
        assert!(stored.get("formulaText").is_none());
    }

    #[test]
    fn value_bindings_are_dropped_and_formulas_minified() {
        let stored = sanitize_type_settings(&json!({"actionKey": "x", "inputsBinding": [
            {"name": "value", "formulaText": "{{f_a}}"},
            {"name": "prompt", "formulaText": "\"Hi \" + {{f_a}} + \"\""}]}));
        assert_eq!(
            stored["inputsBinding"],
            json!([{"name": "prompt", "formulaText": "\"Hi \"+{{f_a}}"}])
        );
    }

    #[test]
    fn dependencies_come_from_every_formula_site() {
        let dependencies = dependencies(&json!({
            "inputsBinding": [{"name": "a", "formulaText": "{{f_a}}"},
                              {"name": "h", "formulaMap": {"X": "{{f_b}}"}}],
            "conditionalRunFormulaText": "!!{{f_c}}"}));
        assert_eq!(dependencies.input_field_ids, vec!["f_a", "f_b", "f_c"]);
        assert_eq!(dependencies.conditional_run_field_ids, vec!["f_c"]);
    }
}
