//! Everything that can stop a draft: configuration, the Anthropic API, the model's answer, the
//! cache and the prompt templates.
//!
//! Owns: [`DraftError`] and [`ApiError`], their wording (lowercase, names in backticks, a `hint:`
//! after a blank line) and the context they carry (URL, attempts, time spent).
//! Must not know: how errors are printed, or the API key (no variant holds it; messages that come
//! from the server are redacted before they get here).

use std::path::PathBuf;
use std::time::Duration;

/// A failure talking to Anthropic's Messages API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(
        "`ANTHROPIC_API_KEY` is not set\n\nhint: create a key at https://console.anthropic.com and export ANTHROPIC_API_KEY=..."
    )]
    MissingKey,
    #[error(
        "Anthropic rejected the API key (HTTP {status}): {message}\n\nhint: check `ANTHROPIC_API_KEY` and that the key's workspace can use the model"
    )]
    Auth { status: u16, message: String },
    #[error(
        "the Anthropic spend limit is reached (HTTP 429): {message}\n\nhint: not retried — retrying can't succeed until the limit is raised in the Anthropic console"
    )]
    SpendLimit { message: String },
    #[error("model `{model}` is not available: {message}")]
    ModelNotFound { model: String, message: String },
    #[error(
        "Anthropic answered HTTP {status} ({error_type}) for `{url}` after {attempts} attempt(s) in {elapsed:.1?}: {message}"
    )]
    Status {
        url: String,
        status: u16,
        error_type: String,
        message: String,
        attempts: u32,
        elapsed: Duration,
    },
    #[error("cannot reach `{url}` after {attempts} attempt(s) in {elapsed:.1?}: {reason}")]
    Transport {
        url: String,
        attempts: u32,
        elapsed: Duration,
        reason: String,
    },
    #[error("unexpected answer from `{url}`: {reason}")]
    Decode { url: String, reason: String },
    #[error("no Claude Opus model is listed by `{url}` to fall back to")]
    NoFallbackModel { url: String },
}

/// A failure of `clayform draft` other than "the spec never became valid" (that is an outcome,
/// not an error: the last draft and its diagnostics are worth showing).
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(
        "Claude declined the request (stop reason `refusal`)\n\nhint: rephrase the request as a description of a Clay workbook"
    )]
    Refused,
    #[error(
        "Claude's answer was cut off at the output limit (stop reason `max_tokens`, {max_tokens} tokens)\n\nhint: ask for a smaller workbook, or split it into several specs"
    )]
    Truncated { max_tokens: u32 },
    #[error("cannot render the prompt template `{template}`: {reason}")]
    Template { template: String, reason: String },
    #[error("cannot use the draft cache `{}`: {reason}", path.display())]
    Cache { path: PathBuf, reason: String },
    #[error("`--max-rounds` must be at least 1")]
    NoRounds,
}
