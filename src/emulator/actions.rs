//! A small fixture of Clay actions (clay-api.md §8.2) and their deterministic fake results.
//!
//! Owns what an enrichment "returns" in the emulator: email finders answer `first.last@domain`,
//! company enrichment an object, `use-ai` an object with the answer schema's keys plus Clay's own,
//! `http-api-v2` a `Status Code: 200` preview. A seeded fraction ends in realistic errors.
//! Knows nothing about the store or HTTP: it takes evaluated inputs and returns an outcome.

use serde_json::{Map, Value, json};

use super::formula::{domain_of, to_js_string};
use super::store::RunOutcome;

pub struct ActionDefinition {
    pub key: &'static str,
    pub package_id: &'static str,
    pub display_name: &'static str,
    pub package_name: &'static str,
    /// `(name, optional)`
    pub inputs: &'static [(&'static str, bool)],
}

const CLAY: &str = "4299091f-3cd3-4d68-b198-0143575f471d";
const MIXRANK: &str = "e251a70e-46d7-4f3a-b3ef-a211ad3d8bd2";
const LEADMAGIC: &str = "edb58209-a62d-42be-992a-e41b87eeacc2";

pub const ACTIONS: &[ActionDefinition] = &[
    ActionDefinition {
        key: "use-ai",
        package_id: "67ba01e9-1898-4e7d-afe7-7ebe24819a57",
        display_name: "Use AI and Claygent",
        package_name: "Clay AI",
        inputs: &[
            ("useCase", false),
            ("prompt", false),
            ("model", false),
            ("answerSchemaType", true),
            ("systemPrompt", true),
            ("temperature", true),
            ("maxCostInCents", true),
            ("_metadata", true),
        ],
    },
    ActionDefinition {
        key: "http-api-v2",
        package_id: CLAY,
        display_name: "HTTP API",
        package_name: "Clay",
        inputs: &[
            ("method", false),
            ("url", false),
            ("queryString", true),
            ("body", true),
            ("headers", true),
            ("returnResponseMetadata", true),
        ],
    },
    ActionDefinition {
        key: "normalize-company-name",
        package_id: "6c973999-fb78-4a5a-8d99-d2fee5b73878",
        display_name: "Normalize Company Name",
        package_name: "Clay",
        inputs: &[("companyName", false), ("titleCase", true)],
    },
    ActionDefinition {
        key: "enrich-company-with-mixrank-v2",
        package_id: MIXRANK,
        display_name: "Enrich Company",
        package_name: "Clay",
        inputs: &[("company_identifier", false)],
    },
    ActionDefinition {
        key: "enrich-person-with-mixrank-v2",
        package_id: MIXRANK,
        display_name: "Enrich Person",
        package_name: "Clay",
        inputs: &[("person_identifier", false), ("email", true)],
    },
    ActionDefinition {
        key: "leadmagic-find-work-email",
        package_id: LEADMAGIC,
        display_name: "Find Work Email",
        package_name: "LeadMagic",
        inputs: &[("name", false), ("domain", false)],
    },
    ActionDefinition {
        key: "leadmagic-validate-email",
        package_id: LEADMAGIC,
        display_name: "Validate Email",
        package_name: "LeadMagic",
        inputs: &[("email", false)],
    },
    ActionDefinition {
        key: "leadmagic-enrich-company",
        package_id: LEADMAGIC,
        display_name: "Enrich Company",
        package_name: "LeadMagic",
        inputs: &[("domain", false)],
    },
    ActionDefinition {
        key: "prospeo-find-work-email-v2",
        package_id: "48a31bbb-63e6-4461-8a62-d88bb2cd6b0f",
        display_name: "Find Work Email",
        package_name: "Prospeo",
        inputs: &[("full_name", false), ("company_domain", false)],
    },
    ActionDefinition {
        key: "findymail-find-work-email",
        package_id: "9515bb04-4267-4074-94eb-653545c3c38f",
        display_name: "Find Work Email",
        package_name: "Findymail",
        inputs: &[("full_name", false), ("company_domain", false)],
    },
    ActionDefinition {
        key: "find-email-v2",
        package_id: "9cfc7721-5c91-423b-a0b0-4cc1f42c6089",
        display_name: "Find Email",
        package_name: "Hunter",
        inputs: &[("full_name", false), ("domain", false)],
    },
    ActionDefinition {
        key: "validate-email",
        package_id: "8f0d2dc0-a6b4-4b84-9aad-a330b4a4586a",
        display_name: "Validate Email",
        package_name: "ZeroBounce",
        inputs: &[("email", false)],
    },
    ActionDefinition {
        key: "google-company-to-domain",
        package_id: "3282a1c7-6bb0-497e-a34b-32268e104e55",
        display_name: "Company Name to Domain",
        package_name: "Google",
        inputs: &[("query", false)],
    },
    ActionDefinition {
        key: "scrape-website",
        package_id: CLAY,
        display_name: "Scrape Website",
        package_name: "Clay",
        inputs: &[("url", false)],
    },
    ActionDefinition {
        key: "route-row",
        package_id: "b1ab3d5d-b0db-4b30-9251-3f32d8b103c1",
        display_name: "Send table data",
        package_name: "Clay",
        inputs: &[("tableId", false), ("rowData", false), ("type", true)],
    },
];

pub fn definition(action_key: &str) -> Option<&'static ActionDefinition> {
    ACTIONS.iter().find(|action| action.key == action_key)
}

/// `actionDefinition` as Clay adds it on read (§8.1).
pub fn definition_json(action: &ActionDefinition) -> Value {
    json!({
        "key": action.key,
        "displayName": action.display_name,
        "description": format!("{} (emulated)", action.display_name),
        "package": {"id": action.package_id, "displayName": action.package_name, "icon": null},
        "inputParameterSchema": action.inputs.iter().map(|(name, optional)| json!({
            "name": name, "type": "text", "description": name, "optional": optional,
        })).collect::<Vec<_>>(),
        "outputParameterSchema": [],
        "rateLimitRules": null,
    })
}

fn is_blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(text)) => text.trim().is_empty(),
        _ => false,
    }
}

fn text_input(inputs: &Map<String, Value>, names: &[&str]) -> String {
    names
        .iter()
        .find_map(|name| inputs.get(*name).filter(|value| !is_blank(Some(value))))
        .map(to_js_string)
        .unwrap_or_default()
}

fn success(value: Value, full_value: Value) -> RunOutcome {
    RunOutcome {
        status: "SUCCESS".into(),
        value,
        full_value: Some(full_value),
        error: None,
    }
}

fn failure(status: &str, message: &str) -> RunOutcome {
    RunOutcome {
        status: status.into(),
        value: Value::Null,
        full_value: None,
        error: Some(message.into()),
    }
}

/// The result of running `action_key` on one row. `hash` is stable per (seed, record, field, run).
pub fn fake_result(
    action_key: &str,
    inputs: &Map<String, Value>,
    hash: u64,
    error_rate: f64,
) -> RunOutcome {
    #[allow(clippy::cast_precision_loss)]
    let roll = (hash % 10_000) as f64 / 10_000.0;
    if roll < error_rate {
        return match (hash / 10_000) % 3 {
            0 if action_key.contains("email") => RunOutcome {
                status: "SUCCESS_NO_DATA".into(),
                value: Value::Null,
                full_value: None,
                error: None,
            },
            0 | 1 => failure("ERROR_BAD_REQUEST", "Provider returned 400: bad request"),
            _ => failure("ERROR_ACTION_RUNTIME_ERROR", "Provider timed out"),
        };
    }
    if action_key.contains("find") && action_key.contains("email") {
        return find_email(inputs);
    }
    if action_key.contains("validate-email") {
        let email = text_input(inputs, &["email"]);
        return success(
            json!("valid"),
            json!({"email": email, "status": "valid", "isCatchAll": false}),
        );
    }
    if action_key.contains("enrich-company") {
        let identifier = text_input(inputs, &["company_identifier", "domain"]);
        let domain = domain_of(&identifier);
        let name = company_name_from_domain(&domain);
        return success(
            json!(format!("✅ {name}")),
            json!({"name": name, "domain": domain, "industry": "Software Development",
                   "employee_count": 50 + hash % 450, "linkedin_url":
                   format!("https://www.linkedin.com/company/{}", domain.split('.').next().unwrap_or_default()),
                   "description": format!("{name} builds software."), "country": "United States"}),
        );
    }
    if action_key.contains("enrich-person") {
        let identifier = text_input(inputs, &["person_identifier", "email"]);
        return success(
            json!("✅ Person found"),
            json!({"profile": identifier, "title": "Head of Growth", "seniority": "director"}),
        );
    }
    match action_key {
        "use-ai" => use_ai(inputs, hash),
        "http-api-v2" => {
            let url = text_input(inputs, &["url"]);
            let method = text_input(inputs, &["method"]);
            success(
                json!("Status Code: 200"),
                json!({"ok": true, "url": url, "method": if method.is_empty() { "GET".into() } else { method },
                       "emulated": true}),
            )
        }
        "normalize-company-name" => {
            let name = text_input(inputs, &["companyName"]);
            let normalized = name
                .trim()
                .trim_end_matches(", Inc.")
                .trim_end_matches(" Inc.")
                .trim_end_matches(" LLC")
                .to_string();
            success(
                json!(normalized.clone()),
                json!({"normalized_company_name": normalized}),
            )
        }
        "google-company-to-domain" => {
            let query = text_input(inputs, &["query"]);
            let slug: String = query
                .to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            let domain = format!("{slug}.com");
            success(json!(domain.clone()), json!({"domain": domain}))
        }
        _ => success(
            json!("✅ Done"),
            json!({"inputs": inputs, "emulated": true}),
        ),
    }
}

fn company_name_from_domain(domain: &str) -> String {
    let stem = domain.split('.').next().unwrap_or_default();
    let mut characters = stem.chars();
    characters
        .next()
        .map(|first| first.to_uppercase().chain(characters).collect())
        .unwrap_or_default()
}

fn find_email(inputs: &Map<String, Value>) -> RunOutcome {
    let mut name = text_input(inputs, &["full_name", "name"]);
    if name.is_empty() {
        name = format!(
            "{} {}",
            text_input(inputs, &["first_name"]),
            text_input(inputs, &["last_name"])
        );
    }
    let domain = domain_of(&text_input(
        inputs,
        &["domain", "company_domain", "website"],
    ));
    let parts: Vec<String> = name
        .split_whitespace()
        .map(|part| {
            part.to_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect()
        })
        .filter(|part: &String| !part.is_empty())
        .collect();
    if parts.is_empty() || domain.is_empty() {
        return RunOutcome {
            status: "SUCCESS_NO_DATA".into(),
            value: Value::Null,
            full_value: None,
            error: None,
        };
    }
    let local = match parts.as_slice() {
        [only] => only.clone(),
        [first, .., last] => format!("{first}.{last}"),
        [] => String::new(),
    };
    let email = format!("{local}@{domain}");
    success(
        json!(email.clone()),
        json!({"email": email, "status": "valid", "confidence": 0.92}),
    )
}

/// Keys of the answer schema (`answerSchemaType`: the Fields form or the JSON Schema form).
fn answer_schema(inputs: &Map<String, Value>) -> Vec<(String, String)> {
    let Some(schema) = inputs.get("answerSchemaType").and_then(Value::as_object) else {
        return vec![];
    };
    let decode = |value: Option<&Value>| -> Option<Value> {
        let mut value = value?.clone();
        // Clay double-encodes: a JSON string holding JSON (possibly twice).
        for _ in 0..2 {
            if let Value::String(text) = &value {
                value = serde_json::from_str(text).ok()?;
            }
        }
        Some(value)
    };
    let properties = decode(schema.get("fields")).or_else(|| {
        decode(schema.get("jsonSchema")).and_then(|schema| schema.get("properties").cloned())
    });
    properties
        .and_then(|properties| properties.as_object().cloned())
        .map(|properties| {
            properties
                .iter()
                .map(|(key, spec)| {
                    let kind = spec.get("type").and_then(Value::as_str).unwrap_or("string");
                    (key.clone(), kind.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

fn use_ai(inputs: &Map<String, Value>, hash: u64) -> RunOutcome {
    let model = text_input(inputs, &["model"]);
    let use_case = text_input(inputs, &["useCase"]);
    if model.starts_with("clay-") && use_case != "claygent" {
        return failure("ERROR_BAD_REQUEST", "Model does not support Use AI");
    }
    let mut answer = Map::new();
    for (key, kind) in answer_schema(inputs) {
        let value = match kind.as_str() {
            "number" | "integer" => json!(1 + hash % 10),
            "boolean" => json!(hash.is_multiple_of(2)),
            "array" => json!([]),
            "object" => json!({}),
            _ => json!(format!("Emulated {key}")),
        };
        answer.insert(key, value);
    }
    if answer.is_empty() {
        answer.insert("response".into(), json!("Emulated answer"));
    }
    for (key, value) in [
        ("reasoning", json!("Emulated reasoning")),
        ("confidence", json!("high")),
        ("stepsTaken", json!(["Read the prompt", "Answered"])),
        ("totalInputTokens", json!(420)),
        ("totalOutputTokens", json!(64)),
        ("timeTakenInSeconds", json!(1.2)),
        ("totalCostToAIProvider", json!(0.0004)),
        ("forcedToFinishEarlyBecauseOfCost", json!(false)),
    ] {
        answer.entry(key).or_insert(value);
    }
    success(json!("Response"), Value::Object(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_finder_builds_first_dot_last() {
        let inputs =
            json!({"full_name": "Ada Byron Lovelace", "company_domain": "https://www.acme.com/"});
        let outcome = fake_result(
            "prospeo-find-work-email-v2",
            inputs.as_object().unwrap(),
            1,
            0.0,
        );
        assert_eq!(outcome.value, json!("ada.lovelace@acme.com"));
    }

    #[test]
    fn use_ai_answers_with_schema_keys_and_clay_keys() {
        let inputs = json!({"model": "gpt-4.1-mini", "useCase": "use-ai", "answerSchemaType": {
            "type": "json", "jsonType": "Fields",
            "fields": "{\"score\":{\"type\":\"number\"},\"why\":{\"type\":\"string\"}}"}});
        let outcome = fake_result("use-ai", inputs.as_object().unwrap(), 3, 0.0);
        let full = outcome.full_value.unwrap();
        assert_eq!(full["score"], json!(4));
        assert!(full.get("why").is_some() && full.get("totalInputTokens").is_some());
    }
}
