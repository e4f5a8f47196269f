//! Cell data types ⇄ Clay's `type` and `typeSettings.dataTypeSettings`.
//!
//! Owns: the mapping of [`DataType`] to a field `type` for plain columns, to
//! `dataTypeSettings`, and back. Must not know: HTTP.

use serde_json::{Value, json};

use crate::model::DataType;

/// The field `type` of a plain input column.
pub fn input_field_type(data_type: &DataType) -> &'static str {
    match data_type {
        DataType::Text | DataType::Json => "text",
        DataType::Number | DataType::Percent => "number",
        DataType::Url => "url",
        DataType::Email => "email",
        DataType::Boolean => "boolean",
        DataType::Date => "date",
        DataType::Select { .. } | DataType::MultiSelect { .. } => "select",
        DataType::Currency { .. } => "currency",
    }
}

/// `formulaType` for a formula producing `data_type` (`text` for url/email, reference §7.4).
pub fn formula_type(data_type: &DataType) -> &'static str {
    match data_type {
        DataType::Number | DataType::Percent | DataType::Currency { .. } => "number",
        _ => "text",
    }
}

/// `dataTypeSettings` for a data type; select options get fresh UUIDs.
pub fn data_type_settings(data_type: &DataType) -> Value {
    let options = |options: &[String]| -> Value {
        options
            .iter()
            .map(|text| json!({ "id": uuid::Uuid::new_v4().to_string(), "text": text, "color": "gray" }))
            .collect()
    };
    match data_type {
        DataType::Select { options: list } => {
            json!({ "type": "select", "options": options(list) })
        }
        DataType::MultiSelect { options: list } => {
            json!({ "type": "multiselect", "options": options(list) })
        }
        DataType::Currency { code } => json!({ "type": "currency", "currencyCode": code }),
        other => json!({ "type": other.keyword() }),
    }
}

/// The data type a field declares: `dataTypeSettings.type`, else the field `type`.
pub fn data_type_from_field(field_type: &str, type_settings: &Value) -> Option<DataType> {
    let settings = type_settings.get("dataTypeSettings");
    let keyword = settings
        .and_then(|settings| settings.get("type"))
        .and_then(Value::as_str)
        .unwrap_or(field_type);
    let options = || -> Vec<String> {
        settings
            .and_then(|settings| settings.get("options"))
            .and_then(Value::as_array)
            .map(|options| {
                options
                    .iter()
                    .filter_map(|option| option.get("text").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    Some(match keyword {
        "text" => DataType::Text,
        "number" => DataType::Number,
        "url" => DataType::Url,
        "email" => DataType::Email,
        "boolean" => DataType::Boolean,
        "date" => DataType::Date,
        "json" => DataType::Json,
        "percent" => DataType::Percent,
        "select" => DataType::Select { options: options() },
        "multiselect" => DataType::MultiSelect { options: options() },
        "currency" => DataType::Currency {
            code: settings
                .and_then(|settings| settings.get("currencyCode"))
                .and_then(Value::as_str)
                .unwrap_or("USD")
                .to_owned(),
        },
        _ => return None,
    })
}
