//! `draft`: a request in a sentence → a workbook spec that passes the compiler, written by Claude
//! with the compiler in the loop.
//!
//! Owns: the repair loop ([`run`]): ask Claude (tool use, the workbook JSON Schema as the tool's
//! input schema, `tool_choice` forcing the tool), compile every proposal with the same front end
//! as `validate`, send every finding back as an error `tool_result`, stop at the first valid spec
//! or after `max_rounds`; the model fallback when the requested model is retired; the response
//! cache. Progress is reported through a hook ([`DraftEvent`]), never printed.
//! Must not know: the command line, where the result is written, Clay's API or the state: a draft
//! never applies and never touches state. The model can only produce a workbook spec.

pub mod anthropic;
pub mod cache;
pub mod compile;
pub mod error;
pub mod prompt;

use serde_json::{Map, Value, json};

use crate::model::Client;
use crate::spec::schema::{SchemaKind, schema};
use anthropic::{AnthropicClient, newest_opus};
use cache::ResponseCache;
use compile::{CompileContext, Compiled, Finding, compile, malformed_input};
pub use error::{ApiError, DraftError};

/// The one tool Claude may call.
pub const TOOL_NAME: &str = "submit_workbook_spec";
/// The model drafts use unless `--model` or `CLAYFORM_DRAFT_MODEL` say otherwise.
pub const DEFAULT_MODEL: &str = "claude-opus-4-5";
/// Output limit per answer: room for a large spec.
pub const MAX_TOKENS: u32 = 16_000;

/// What to draft.
#[derive(Debug, Clone)]
pub struct DraftSettings {
    /// The person's request, sent as data in the user message.
    pub request: String,
    /// The text of the spec being edited (`--edit`).
    pub existing: Option<String>,
    /// The client whose defaults the prompt carries.
    pub client: Option<Client>,
    pub model: String,
    pub max_rounds: u32,
    pub max_tokens: u32,
}

/// Progress of a draft, for the command line to show.
#[derive(Debug, Clone, PartialEq)]
pub enum DraftEvent {
    /// A request is about to be sent (or answered from the cache).
    Asking {
        round: u32,
        model: String,
        cached: bool,
    },
    /// The model is retired or unknown; another one is used from now on.
    ModelFallback { from: String, to: String },
    /// Claude answered with text; it is asked to call the tool.
    NoToolCall { round: u32 },
    /// The tool input was not a spec object.
    MalformedInput { round: u32 },
    /// The proposal compiled with errors; they go back to Claude.
    Rejected {
        round: u32,
        errors: usize,
        warnings: usize,
    },
    /// The proposal is valid.
    Accepted { round: u32, warnings: usize },
}

/// How a draft ended (errors that stop it early are [`DraftError`]s instead).
#[derive(Debug, Clone)]
pub struct DraftOutcome {
    /// The last proposal compiled (valid when [`Self::valid`]); `None` when Claude never
    /// submitted a spec object.
    pub compiled: Option<Compiled>,
    /// The findings of the last round.
    pub findings: Vec<Finding>,
    pub valid: bool,
    /// The model that answered last.
    pub model: String,
    pub rounds: u32,
}

/// The tool Claude must call: its input schema is the generated workbook schema, nothing else.
pub fn tool_definition() -> Value {
    json!({
        "name": TOOL_NAME,
        "description": "Submit the complete clayform workbook spec. The input is the spec itself \
                        (the JSON form of the YAML file). clayform compiles it and answers with \
                        every problem found, or accepts it.",
        "input_schema": schema(SchemaKind::Workbook),
    })
}

/// The request body of one call.
pub fn request_body(
    settings: &DraftSettings,
    model: &str,
    system: &str,
    messages: &[Value],
) -> Value {
    json!({
        "model": model,
        "max_tokens": settings.max_tokens,
        "system": system,
        "messages": messages,
        "tools": [tool_definition()],
        "tool_choice": {"type": "tool", "name": TOOL_NAME},
    })
}

/// Draft a spec: ask, compile, repair, up to `max_rounds` answers.
pub async fn run(
    client: &AnthropicClient,
    cache: Option<&ResponseCache>,
    settings: &DraftSettings,
    context: &CompileContext,
    hook: &mut dyn FnMut(DraftEvent),
) -> Result<DraftOutcome, DraftError> {
    if settings.max_rounds == 0 {
        return Err(DraftError::NoRounds);
    }
    let system = prompt::system_prompt(TOOL_NAME, &context.catalog, settings.client.as_ref())?;
    let first = prompt::user_message(
        TOOL_NAME,
        &settings.request,
        settings.existing.as_deref(),
        settings.client.as_ref().map(|c| c.name.text.as_str()),
    )?;
    let mut messages = vec![json!({"role": "user", "content": first})];
    let mut model = settings.model.clone();
    let mut fell_back = false;
    let mut last: Option<Compiled> = None;
    let mut findings = Vec::new();
    for round in 1..=settings.max_rounds {
        let mut body = request_body(settings, &model, &system, &messages);
        let cached = cache.and_then(|c| c.get(&body));
        hook(DraftEvent::Asking {
            round,
            model: model.clone(),
            cached: cached.is_some(),
        });
        let response = match cached {
            Some(response) => response,
            None => {
                let response = loop {
                    match client.create_message(&body).await {
                        Err(ApiError::ModelNotFound { .. }) if !fell_back => {
                            fell_back = true;
                            let models = client.list_models().await?;
                            let newest = newest_opus(&models, &model).ok_or_else(|| {
                                ApiError::NoFallbackModel {
                                    url: "/v1/models".into(),
                                }
                            })?;
                            hook(DraftEvent::ModelFallback {
                                from: model.clone(),
                                to: newest.id.clone(),
                            });
                            model = newest.id.clone();
                            body = request_body(settings, &model, &system, &messages);
                        }
                        other => break other?,
                    }
                };
                let stop = response.get("stop_reason").and_then(Value::as_str);
                if let Some(cache) = cache
                    && !matches!(stop, Some("refusal" | "max_tokens"))
                {
                    cache.put(&body, &response)?;
                }
                response
            }
        };
        let content = response
            .get("content")
            .cloned()
            .unwrap_or_else(|| Value::Array(Vec::new()));
        match response.get("stop_reason").and_then(Value::as_str) {
            Some("refusal") => return Err(DraftError::Refused),
            Some("max_tokens") => {
                return Err(DraftError::Truncated {
                    max_tokens: settings.max_tokens,
                });
            }
            _ => {}
        }
        let tool_uses: Vec<&Value> = content
            .as_array()
            .map(|blocks| {
                blocks
                    .iter()
                    .filter(|b| b.get("type").and_then(Value::as_str) == Some("tool_use"))
                    .collect()
            })
            .unwrap_or_default();
        let Some(call) = tool_uses
            .iter()
            .find(|b| b.get("name").and_then(Value::as_str) == Some(TOOL_NAME))
            .copied()
        else {
            hook(DraftEvent::NoToolCall { round });
            messages.push(json!({"role": "assistant", "content": content}));
            let mut reply = other_tool_results(&tool_uses, None);
            reply.push(json!({"type": "text", "text": prompt::CALL_THE_TOOL}));
            messages.push(json!({"role": "user", "content": reply}));
            continue;
        };
        let call_id = call.get("id").and_then(Value::as_str).unwrap_or_default();
        let (feedback, yaml) = match spec_object(call.get("input")) {
            Err(reason) => {
                hook(DraftEvent::MalformedInput { round });
                findings = vec![malformed_input(&reason)];
                (findings.clone(), None)
            }
            Ok(spec) => {
                let compiled = compile(&spec, context);
                findings.clone_from(&compiled.findings);
                let (errors, warnings) = (compiled.error_count(), compiled.warning_count());
                if errors == 0 {
                    hook(DraftEvent::Accepted { round, warnings });
                    return Ok(DraftOutcome {
                        compiled: Some(compiled),
                        findings,
                        valid: true,
                        model,
                        rounds: round,
                    });
                }
                hook(DraftEvent::Rejected {
                    round,
                    errors,
                    warnings,
                });
                let yaml = compiled.yaml.clone();
                last = Some(compiled);
                (findings.clone(), Some(yaml))
            }
        };
        let text = prompt::repair_message(TOOL_NAME, &feedback, yaml.as_deref())?;
        messages.push(json!({"role": "assistant", "content": content}));
        let mut reply = vec![json!({
            "type": "tool_result",
            "tool_use_id": call_id,
            "is_error": true,
            "content": text,
        })];
        reply.extend(other_tool_results(&tool_uses, Some(call_id)));
        messages.push(json!({"role": "user", "content": reply}));
    }
    Ok(DraftOutcome {
        compiled: last,
        findings,
        valid: false,
        model,
        rounds: settings.max_rounds,
    })
}

/// Results for tool calls other than the one answered (every `tool_use` needs a `tool_result`).
fn other_tool_results(tool_uses: &[&Value], answered: Option<&str>) -> Vec<Value> {
    tool_uses
        .iter()
        .filter_map(|b| b.get("id").and_then(Value::as_str))
        .filter(|id| Some(*id) != answered)
        .map(|id| {
            json!({
                "type": "tool_result",
                "tool_use_id": id,
                "is_error": true,
                "content": format!("only `{TOOL_NAME}` is available; call it with the complete spec"),
            })
        })
        .collect()
}

/// The spec object of a tool call: the input itself, a JSON string of it, or `{spec: {...}}`.
fn spec_object(input: Option<&Value>) -> Result<Map<String, Value>, String> {
    let value = match input {
        None => return Err("the tool call has no input".into()),
        Some(Value::String(text)) => serde_json::from_str::<Value>(text)
            .map_err(|error| format!("a string that is not JSON ({error})"))?,
        Some(value) => value.clone(),
    };
    match value {
        Value::Object(mut map) => {
            if !map.contains_key("workbook")
                && map.len() == 1
                && let Some(Value::Object(inner)) = map.remove("spec")
            {
                return Ok(inner);
            }
            Ok(map)
        }
        Value::Null => Err("null".into()),
        Value::Array(_) => Err("a list, not an object".into()),
        other => Err(format!("`{other}`, not an object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tool_schema_is_the_generated_workbook_schema() {
        let tool = tool_definition();
        assert_eq!(tool["name"], TOOL_NAME);
        assert_eq!(&tool["input_schema"], schema(SchemaKind::Workbook));
    }

    #[test]
    fn tool_input_is_an_object_a_json_string_or_wrapped() {
        let spec = json!({"workbook": "W", "tables": {}});
        assert!(spec_object(Some(&spec)).is_ok());
        assert!(spec_object(Some(&Value::String(spec.to_string()))).is_ok());
        let wrapped = json!({"spec": spec});
        assert_eq!(
            spec_object(Some(&wrapped)).unwrap().get("workbook"),
            Some(&json!("W"))
        );
        assert!(spec_object(Some(&json!([1]))).is_err());
        assert!(spec_object(Some(&json!("not json {"))).is_err());
        assert!(spec_object(None).is_err());
    }
}
