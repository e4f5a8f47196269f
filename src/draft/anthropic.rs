//! A thin client for Anthropic's Messages API: `POST /v1/messages` and `GET /v1/models`.
//!
//! Owns: the headers (`x-api-key`, `anthropic-version: 2023-06-01`), timeouts, retries with
//! exponential backoff and jitter on 408/429/5xx/529 and transport errors (honouring
//! `retry-after`), the spend-limit 429 that must not be retried, and classifying error bodies
//! (`{type: "error", error: {type, message}}`) into [`ApiError`].
//! Must not know: workbook specs, prompts or the repair loop. Request and response bodies are
//! plain `serde_json::Value`s so unknown content blocks pass through untouched.
//! Invariant: the API key goes into one header and nowhere else; server messages are redacted.

use std::fmt;
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::Value;

use super::error::ApiError;

/// The Messages API version clayform speaks.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
/// The public API origin.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";

/// The API key. `Debug` never shows it.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// `None` for an empty key.
    pub fn new(key: String) -> Option<ApiKey> {
        let key = key.trim().to_string();
        (!key.is_empty()).then_some(ApiKey(key))
    }

    /// `text` with every occurrence of the key replaced, for anything a server echoes back.
    pub fn redact(&self, text: &str) -> String {
        text.replace(&self.0, "[redacted]")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff; doubled on each retry, with jitter.
    pub base_delay: Duration,
    /// No single wait is longer than this (also caps `retry-after`).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(1000),
            max_delay: Duration::from_secs(60),
        }
    }
}

/// Where and how to reach the API.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub base_url: String,
    pub api_key: ApiKey,
    /// Whole-request timeout (a large spec takes Claude a while to write).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
}

/// One model of `GET /v1/models`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    pub id: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct AnthropicClient {
    http: reqwest::Client,
    settings: ClientSettings,
}

/// What a failed attempt means for the next one.
enum Attempt {
    Done(Value),
    Retry {
        error: ApiError,
        after: Option<Duration>,
    },
    Fail(ApiError),
}

impl AnthropicClient {
    pub fn new(settings: ClientSettings) -> Result<AnthropicClient, ApiError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            .user_agent(concat!("clayform/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ApiError::Transport {
                url: settings.base_url.clone(),
                attempts: 0,
                elapsed: Duration::ZERO,
                reason: error.to_string(),
            })?;
        Ok(AnthropicClient { http, settings })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.base_url.trim_end_matches('/'))
    }

    /// `POST /v1/messages` with `body`; the response body on success.
    pub async fn create_message(&self, body: &Value) -> Result<Value, ApiError> {
        let url = self.url("/v1/messages");
        let model = body
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        self.send(&url, Some(&model), || self.http.post(&url).json(body))
            .await
    }

    /// `GET /v1/models`: every model the key can use (first page, up to 1000).
    pub async fn list_models(&self) -> Result<Vec<ModelInfo>, ApiError> {
        let url = self.url("/v1/models?limit=1000");
        let body = self.send(&url, None, || self.http.get(&url)).await?;
        let Some(data) = body.get("data").and_then(Value::as_array) else {
            return Err(ApiError::Decode {
                url,
                reason: "no `data` list".into(),
            });
        };
        Ok(data
            .iter()
            .filter_map(|model| {
                Some(ModelInfo {
                    id: model.get("id")?.as_str()?.to_string(),
                    created_at: model
                        .get("created_at")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                })
            })
            .collect())
    }

    async fn send(
        &self,
        url: &str,
        model: Option<&str>,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Value, ApiError> {
        let started = Instant::now();
        let policy = self.settings.retry;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let request = build()
                .header("x-api-key", &self.settings.api_key.0)
                .header("anthropic-version", ANTHROPIC_VERSION);
            let outcome = match request.send().await {
                Ok(response) => self.classify(url, model, response, attempts, started).await,
                Err(error) => Attempt::Retry {
                    error: ApiError::Transport {
                        url: url.to_string(),
                        attempts,
                        elapsed: started.elapsed(),
                        reason: self.settings.api_key.redact(&transport_reason(&error)),
                    },
                    after: None,
                },
            };
            match outcome {
                Attempt::Done(body) => return Ok(body),
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry { error, after } => {
                    if attempts > policy.max_retries {
                        return Err(error);
                    }
                    tokio::time::sleep(backoff(&policy, attempts, after)).await;
                }
            }
        }
    }

    async fn classify(
        &self,
        url: &str,
        model: Option<&str>,
        response: reqwest::Response,
        attempts: u32,
        started: Instant,
    ) -> Attempt {
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|secs| secs.is_finite() && *secs >= 0.0)
            .map(Duration::from_secs_f64);
        let text = match response.text().await {
            Ok(text) => text,
            Err(error) => {
                return Attempt::Retry {
                    error: ApiError::Transport {
                        url: url.to_string(),
                        attempts,
                        elapsed: started.elapsed(),
                        reason: transport_reason(&error),
                    },
                    after: None,
                };
            }
        };
        if (200..300).contains(&status) {
            return match serde_json::from_str(&text) {
                Ok(body) => Attempt::Done(body),
                Err(error) => Attempt::Fail(ApiError::Decode {
                    url: url.to_string(),
                    reason: format!("the body is not JSON: {error}"),
                }),
            };
        }
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let error_type = body
            .pointer("/error/type")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string();
        let message = self.settings.api_key.redact(
            body.pointer("/error/message")
                .and_then(Value::as_str)
                .unwrap_or_else(|| text.trim()),
        );
        let message: String = message.chars().take(500).collect();
        if status == 429 && is_spend_limit(&body, &message) {
            return Attempt::Fail(ApiError::SpendLimit { message });
        }
        if status == 401 || status == 403 {
            return Attempt::Fail(ApiError::Auth { status, message });
        }
        if let Some(model) = model
            && is_model_not_found(status, &error_type, &message, model)
        {
            return Attempt::Fail(ApiError::ModelNotFound {
                model: model.to_string(),
                message,
            });
        }
        let error = ApiError::Status {
            url: url.to_string(),
            status,
            error_type,
            message,
            attempts,
            elapsed: started.elapsed(),
        };
        if matches!(status, 408 | 429 | 500..=599) {
            Attempt::Retry {
                error,
                after: retry_after,
            }
        } else {
            Attempt::Fail(error)
        }
    }
}

/// A 429 that retrying can't fix: the organisation's spend limit.
fn is_spend_limit(body: &Value, message: &str) -> bool {
    body.pointer("/error/details/error_code")
        .and_then(Value::as_str)
        == Some("enforced_spend_limit_reached")
        || message.to_lowercase().contains("spend limit")
}

/// 404 `not_found_error`, or a 400 `invalid_request_error` about the model.
fn is_model_not_found(status: u16, error_type: &str, message: &str, model: &str) -> bool {
    let lower = message.to_lowercase();
    match (status, error_type) {
        (404, "not_found_error") => true,
        // About the model, and saying it is gone: "prompt is too long for model X" is not.
        (400, "invalid_request_error") => {
            (lower.contains("model") || message.contains(model))
                && [
                    "not found",
                    "does not exist",
                    "retired",
                    "deprecated",
                    "unknown",
                    "not available",
                    "not supported",
                    "invalid model",
                ]
                .iter()
                .any(|phrase| lower.contains(phrase))
        }
        _ => false,
    }
}

fn transport_reason(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_string()
    } else if error.is_connect() {
        format!("connection failed: {error}")
    } else {
        error.to_string()
    }
}

/// The wait before retry number `attempts`: `retry-after` when the server sent one, otherwise
/// `base · 2^(attempts-1)` with jitter (50–100 %), capped.
fn backoff(policy: &RetryPolicy, attempts: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(after) = retry_after {
        return after.min(policy.max_delay);
    }
    let exponent = attempts.saturating_sub(1).min(16);
    let full = policy.base_delay.saturating_mul(1 << exponent);
    let jitter = rand::rng().random_range(0.5..=1.0);
    full.mul_f64(jitter).min(policy.max_delay)
}

/// The newest Opus model (by `created_at`, then id), other than `excluded`.
pub fn newest_opus<'a>(models: &'a [ModelInfo], excluded: &str) -> Option<&'a ModelInfo> {
    models
        .iter()
        .filter(|m| m.id.contains("opus") && m.id != excluded)
        .max_by(|a, b| {
            let time = |m: &ModelInfo| chrono::DateTime::parse_from_rfc3339(&m.created_at).ok();
            time(a)
                .cmp(&time(b))
                .then_with(|| a.created_at.cmp(&b.created_at))
                .then_with(|| a.id.cmp(&b.id))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_opus_wins_by_creation_time() {
        let models = vec![
            ModelInfo {
                id: "claude-opus-4-6".into(),
                created_at: "2026-02-01T00:00:00Z".into(),
            },
            ModelInfo {
                id: "claude-sonnet-5".into(),
                created_at: "2026-10-01T00:00:00Z".into(),
            },
            ModelInfo {
                id: "claude-opus-5".into(),
                created_at: "2026-09-01T00:00:00+00:00".into(),
            },
        ];
        assert_eq!(
            newest_opus(&models, "claude-opus-4-5").map(|m| m.id.as_str()),
            Some("claude-opus-5")
        );
        assert_eq!(newest_opus(&models[1..2], "x"), None);
    }

    #[test]
    fn spend_limit_is_recognised_by_code_or_message() {
        let body = serde_json::json!({"error": {"details": {"error_code": "enforced_spend_limit_reached"}}});
        assert!(is_spend_limit(&body, "rate limited"));
        assert!(is_spend_limit(
            &Value::Null,
            "You have reached your spend limit"
        ));
        assert!(!is_spend_limit(&Value::Null, "rate limited"));
    }

    #[test]
    fn backoff_grows_and_honours_retry_after() {
        let policy = RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        let first = backoff(&policy, 1, None);
        let third = backoff(&policy, 3, None);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
        assert_eq!(
            backoff(&policy, 1, Some(Duration::from_secs(30))),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn only_a_gone_model_counts_as_not_found() {
        let model = "claude-opus-4-5";
        assert!(is_model_not_found(
            404,
            "not_found_error",
            "model: x",
            model
        ));
        assert!(is_model_not_found(
            400,
            "invalid_request_error",
            "model `claude-opus-4-5` has been retired",
            model
        ));
        assert!(!is_model_not_found(
            400,
            "invalid_request_error",
            "prompt is too long for model claude-opus-4-5",
            model
        ));
        assert!(!is_model_not_found(
            500,
            "api_error",
            "model not found",
            model
        ));
    }

    #[test]
    fn the_key_is_never_in_debug_output() {
        let key = ApiKey::new("fake-anthropic-secret".into()).unwrap();
        assert!(!format!("{key:?}").contains("secret"));
        assert_eq!(
            key.redact("bad key fake-anthropic-secret"),
            "bad key [redacted]"
        );
    }
}
