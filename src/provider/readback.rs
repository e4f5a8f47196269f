//! Verifying a write by reading it back: Clay often answers 200 and silently does less.
//!
//! Owns: the comparison between what the client sent (a field body, table settings) and what a
//! fresh read of the table shows, and the wording of the resulting complaint ("Clay accepted
//! field `Score` but dropped `typeSettings.formulaText` ..."). Compares only what matters: name,
//! type, `actionKey`, formulas (normalised), the bindings sent, the run condition, the data type,
//! and table settings keys the client set.
//! Must not know: HTTP (callers fetch the table and turn the complaint into a `ClayError`).

use serde_json::Value;

use super::translate::formula::normalize_formula;
use super::wire::field::ClayField;
use super::wire::table::ClayTable;

/// What a field write asked for.
#[derive(Debug, Clone, Copy)]
pub struct SentField<'a> {
    pub name: Option<&'a str>,
    pub field_type: Option<&'a str>,
    pub type_settings: Option<&'a Value>,
}

/// Problems found comparing a sent field body with the stored field; empty when it matches.
pub fn field_differences(sent: SentField<'_>, stored: &ClayField) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(name) = sent.name
        && stored.name != name
    {
        problems.push(format!("renamed it to `{}`", stored.name));
    }
    if let Some(settings) = sent.type_settings {
        settings_differences(settings, &stored.type_settings, &mut problems);
    }
    // Last: a wrong type is usually the consequence of a dropped setting named above.
    if let Some(field_type) = sent.field_type
        && !field_type_matches(field_type, sent.type_settings, stored)
    {
        problems.push(format!(
            "stored it as type `{}` instead of `{field_type}`",
            stored.field_type
        ));
    }
    problems
}

fn settings_differences(settings: &Value, stored_settings: &Value, problems: &mut Vec<String>) {
    for key in [
        "actionKey",
        "actionPackageId",
        "formulaType",
        "authAccountId",
    ] {
        compare_exact(settings, stored_settings, key, problems);
    }
    if let Some(sent_type) = settings.pointer("/dataTypeSettings/type") {
        match stored_settings.pointer("/dataTypeSettings/type") {
            Some(stored_type) if stored_type == sent_type => {}
            Some(stored_type) => problems.push(format!(
                "changed `typeSettings.dataTypeSettings.type` from {sent_type} to {stored_type}"
            )),
            None => problems.push("dropped `typeSettings.dataTypeSettings`".to_owned()),
        }
    }
    for key in ["formulaText", "conditionalRunFormulaText"] {
        compare_formula(settings, stored_settings, key, problems);
    }
    if settings.get("runAsButton") == Some(&Value::Bool(true))
        && stored_settings.get("runAsButton") != Some(&Value::Bool(true))
    {
        problems.push("dropped `typeSettings.runAsButton`".to_owned());
    }
    compare_bindings(settings, stored_settings, problems);
}

/// The sentence for a field whose read-back differs.
pub fn describe_field_problems(field_name: &str, problems: &[String]) -> String {
    format!(
        "Clay accepted field `{field_name}` but {}",
        problems.join("; ")
    )
}

/// Problems found comparing a table write with the stored table.
pub fn table_differences(
    sent_name: Option<&str>,
    sent_settings: Option<&serde_json::Map<String, Value>>,
    stored: &ClayTable,
) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(name) = sent_name
        && stored.name != name
    {
        problems.push(format!("renamed it to `{}`", stored.name));
    }
    for (key, value) in sent_settings.into_iter().flatten() {
        match stored.table_settings.get(key) {
            Some(stored_value) if stored_value == value => {}
            Some(stored_value) => problems.push(format!(
                "stored `tableSettings.{key}` as {stored_value} instead of {value}"
            )),
            None => problems.push(format!("dropped `tableSettings.{key}`")),
        }
    }
    problems
}

pub fn describe_table_problems(table_name: &str, problems: &[String]) -> String {
    format!(
        "Clay accepted table `{table_name}` but {}",
        problems.join("; ")
    )
}

/// Clay may store a url/email column as `text` + `dataTypeSettings`, and promotes a text column
/// with a formula to `formula`.
fn field_type_matches(sent: &str, settings: Option<&Value>, stored: &ClayField) -> bool {
    let stored_type = stored.field_type.as_str();
    if sent == stored_type {
        return true;
    }
    let has_formula = settings.is_some_and(|settings| settings.get("formulaText").is_some());
    match (sent, stored_type) {
        ("url" | "email", "text") => true,
        ("text", "formula") => has_formula,
        _ => false,
    }
}

fn compare_exact(sent: &Value, stored: &Value, key: &str, problems: &mut Vec<String>) {
    let Some(sent_value) = sent.get(key).filter(|value| !value.is_null()) else {
        return;
    };
    match stored.get(key) {
        Some(stored_value) if stored_value == sent_value => {}
        Some(Value::Null) | None => problems.push(format!("dropped `typeSettings.{key}`")),
        Some(stored_value) => problems.push(format!(
            "changed `typeSettings.{key}` from {sent_value} to {stored_value}"
        )),
    }
}

fn compare_formula(sent: &Value, stored: &Value, key: &str, problems: &mut Vec<String>) {
    let Some(sent_text) = sent.get(key).and_then(Value::as_str) else {
        return;
    };
    match stored.get(key).and_then(Value::as_str) {
        Some(stored_text) if normalize_formula(stored_text) == normalize_formula(sent_text) => {}
        Some(stored_text) => problems.push(format!(
            "changed `typeSettings.{key}` from `{sent_text}` to `{stored_text}`"
        )),
        None => {
            let why = if key == "formulaText" && sent.get("formulaType").is_none() {
                " (a formula without `formulaType` is silently ignored)"
            } else {
                ""
            };
            problems.push(format!("dropped `typeSettings.{key}`{why}"));
        }
    }
}

fn compare_bindings(sent: &Value, stored: &Value, problems: &mut Vec<String>) {
    let Some(sent_bindings) = sent.get("inputsBinding").and_then(Value::as_array) else {
        return;
    };
    let stored_bindings = stored
        .get("inputsBinding")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for binding in sent_bindings {
        let Some(name) = binding.get("name").and_then(Value::as_str) else {
            continue;
        };
        let is_set = binding.get("formulaText").is_some() || binding.get("formulaMap").is_some();
        let stored_binding = stored_bindings
            .iter()
            .find(|candidate| candidate.get("name").and_then(Value::as_str) == Some(name));
        let Some(stored_binding) = stored_binding else {
            if is_set {
                problems.push(format!("dropped the `{name}` input binding"));
            }
            continue;
        };
        if let Some(text) = binding.get("formulaText").and_then(Value::as_str) {
            match stored_binding.get("formulaText").and_then(Value::as_str) {
                Some(stored_text) if normalize_formula(stored_text) == normalize_formula(text) => {}
                Some(stored_text) => problems.push(format!(
                    "changed the `{name}` input from `{text}` to `{stored_text}`"
                )),
                None => problems.push(format!("dropped the value of the `{name}` input")),
            }
        }
        if let Some(map) = binding.get("formulaMap").and_then(Value::as_object) {
            let stored_map = stored_binding.get("formulaMap").and_then(Value::as_object);
            for (key, text) in map {
                let stored_text = stored_map
                    .and_then(|stored_map| stored_map.get(key))
                    .and_then(Value::as_str);
                let sent_text = text.as_str().unwrap_or_default();
                match stored_text {
                    Some(stored_text)
                        if normalize_formula(stored_text) == normalize_formula(sent_text) => {}
                    Some(stored_text) => problems.push(format!(
                        "changed `{name}.{key}` from `{sent_text}` to `{stored_text}`"
                    )),
                    None => problems.push(format!("dropped `{name}.{key}`")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field(value: Value) -> ClayField {
        serde_json::from_value(value).expect("field")
    }

    #[test]
    fn a_dropped_formula_is_named_with_the_reason() {
        let sent = json!({"formulaText": "{{f_a}} + 1", "dataTypeSettings": {"type": "number"}});
        let stored = field(json!({"id": "f_s", "name": "Score", "type": "text",
            "typeSettings": {"dataTypeSettings": {"type": "number"}}}));
        let problems = field_differences(
            SentField {
                name: Some("Score"),
                field_type: Some("formula"),
                type_settings: Some(&sent),
            },
            &stored,
        );
        let message = describe_field_problems("Score", &problems);
        assert!(
            message.contains(
                "dropped `typeSettings.formulaText` (a formula without `formulaType` is \
                 silently ignored)"
            ),
            "{message}"
        );
    }

    #[test]
    fn minified_formulas_and_bindings_match() {
        let sent = json!({"actionKey": "http-api-v2", "formulaText": "{{f_a}} + \"x\"",
            "inputsBinding": [{"name": "url", "formulaText": "\"https://x\" + {{f_a}}"},
                              {"name": "body"}]});
        let stored = field(json!({"id": "f_s", "name": "Call", "type": "action",
            "typeSettings": {"actionKey": "http-api-v2", "formulaText": "{{f_a}}+\"x\"",
              "inputsBinding": [{"name": "url", "formulaText": "\"https://x\"+{{f_a}}"}]}}));
        let problems = field_differences(
            SentField {
                name: Some("Call"),
                field_type: Some("action"),
                type_settings: Some(&sent),
            },
            &stored,
        );
        assert!(problems.is_empty(), "{problems:?}");
    }
}
