//! The HTTP client for Clay's v3 API: configuration, authentication headers, rate limiting,
//! retries, and turning one HTTP exchange into a typed value or a [`ClayError`].
//!
//! Owns: [`ClayClientConfig`] (explicit values, or [`ClayClientConfig::from_env`]) and
//! [`ClayClient`]. The per-resource operations (`workbooks.rs`, `tables.rs`, ...) are `impl
//! ClayClient` blocks built on [`ClayClient::call`].
//! Must not know: what a workbook or a field is, or any model type. Credentials never leave
//! this file except as a sensitive header; every server text that reaches an error is scrubbed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime};

use backon::Retryable;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use serde::de::DeserializeOwned;

use super::auth::Credentials;
use super::error::{ClayError, ClayErrorKind};
use super::pacing::{Pacer, Pacing};
use super::retry::{RequestSafety, RetryPolicy, is_retryable, parse_retry_after};
use super::wire::error_body::ClayErrorBody;
use super::wire::workspace::WorkspaceId;

/// The origin used when `CLAY_API_URL` is unset.
pub const DEFAULT_API_URL: &str = "https://api.clay.com";

/// Everything a [`ClayClient`] needs. Build it explicitly (tests) or from the environment.
#[derive(Debug, Clone)]
pub struct ClayClientConfig {
    /// The origin, e.g. `https://api.clay.com`; every path starts with `/v3` below it.
    pub api_url: String,
    pub credentials: Credentials,
    /// `CLAY_WORKSPACE_ID`; `None` until discovered or configured.
    pub workspace_id: Option<WorkspaceId>,
    pub retry: RetryPolicy,
    /// Client-side pacing (see [`Pacing`]): adaptive by default. Clay publishes no limit
    /// (reference §5), so this is politeness, not a contract.
    pub pacing: Pacing,
    /// Per-request timeout (connect + send + read).
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// How long to wait before asking `runstatus` again after a first `"_pending"` answer; the
    /// wait doubles after each further one, up to four times this (reference §11.3: Clay asks
    /// for 1–4 s).
    pub runstatus_pending_wait: Duration,
    /// How many `runstatus` calls before giving up on `"_pending"`.
    pub runstatus_max_polls: u32,
}

/// Why a configuration could not be built from the environment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientConfigError {
    #[error(
        "no Clay credentials: set `CLAY_API_KEY` (or `CLAY_SESSION_COOKIE`)\n\nhint: create a key \
         in Clay under Settings → Account → API keys"
    )]
    MissingCredentials,
    #[error("`CLAY_WORKSPACE_ID` must be a number, found `{0}`")]
    InvalidWorkspaceId(String),
    #[error("`CLAY_REQUESTS_PER_SECOND` must be a whole number (0 turns pacing off), found `{0}`")]
    InvalidRequestsPerSecond(String),
    #[error("`CLAY_API_URL` must start with `http://` or `https://`, found `{0}`")]
    InvalidApiUrl(String),
    #[error("could not build the HTTP client: {0}")]
    HttpClient(String),
}

impl ClayClientConfig {
    /// A configuration with default retry, pacing and timeouts.
    pub fn new(api_url: impl Into<String>, credentials: Credentials) -> Self {
        ClayClientConfig {
            api_url: api_url.into(),
            credentials,
            workspace_id: None,
            retry: RetryPolicy::default(),
            pacing: Pacing::DEFAULT,
            request_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            runstatus_pending_wait: Duration::from_secs(1),
            runstatus_max_polls: 15,
        }
    }

    /// Reads `CLAY_API_URL`, `CLAY_API_KEY` / `CLAY_SESSION_COOKIE`, `CLAY_WORKSPACE_ID` and
    /// `CLAY_REQUESTS_PER_SECOND` (client-side pacing: `N` requests per second, `0` off; unset,
    /// unlimited until Clay answers 429 and then 10 per second). The API key
    /// wins when both credentials are set.
    pub fn from_env() -> Result<Self, ClientConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Self::from_env`] over any variable lookup (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ClientConfigError> {
        let non_empty = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let api_url = non_empty("CLAY_API_URL").unwrap_or_else(|| DEFAULT_API_URL.to_owned());
        if !(api_url.starts_with("http://") || api_url.starts_with("https://")) {
            return Err(ClientConfigError::InvalidApiUrl(api_url));
        }
        let credentials = if let Some(key) = non_empty("CLAY_API_KEY") {
            Credentials::api_key(key.trim())
        } else if let Some(cookie) = non_empty("CLAY_SESSION_COOKIE") {
            Credentials::session_cookie(cookie.trim())
        } else {
            return Err(ClientConfigError::MissingCredentials);
        };
        let workspace_id = match non_empty("CLAY_WORKSPACE_ID") {
            Some(text) => Some(
                text.trim()
                    .parse::<u64>()
                    .map(WorkspaceId)
                    .map_err(|_| ClientConfigError::InvalidWorkspaceId(text))?,
            ),
            None => None,
        };
        let mut config = ClayClientConfig::new(api_url, credentials);
        config.workspace_id = workspace_id;
        if let Some(text) = non_empty("CLAY_REQUESTS_PER_SECOND") {
            let rate = text
                .trim()
                .parse::<u32>()
                .map_err(|_| ClientConfigError::InvalidRequestsPerSecond(text))?;
            config.pacing = Pacing::from_rate(rate);
        }
        Ok(config)
    }
}

/// A client for Clay's v3 API. Cheap to clone; clones share the connection pool and pacing.
#[derive(Clone, Debug)]
pub struct ClayClient {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    http: reqwest::Client,
    /// Origin without a trailing slash.
    origin: String,
    credentials: Credentials,
    workspace_id: Option<WorkspaceId>,
    retry: RetryPolicy,
    pacer: Arc<Pacer>,
    runstatus_pending_wait: Duration,
    runstatus_max_polls: u32,
}

impl std::fmt::Debug for ClientInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClayClient")
            .field("origin", &self.origin)
            .field("credentials", &self.credentials)
            .field("workspace_id", &self.workspace_id)
            .finish_non_exhaustive()
    }
}

/// One failed attempt, before it becomes a [`ClayError`].
struct AttemptFailure {
    kind: ClayErrorKind,
    retry_after: Option<Duration>,
}

impl ClayClient {
    pub fn new(config: ClayClientConfig) -> Result<Self, ClientConfigError> {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let (auth_name, auth_value) = config
            .credentials
            .header()
            .ok_or(ClientConfigError::MissingCredentials)?;
        headers.insert(auth_name, auth_value);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("clayform/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ClientConfigError::HttpClient(error.without_url().to_string()))?;
        Ok(ClayClient {
            inner: Arc::new(ClientInner {
                http,
                origin: config.api_url.trim_end_matches('/').to_owned(),
                credentials: config.credentials,
                workspace_id: config.workspace_id,
                retry: config.retry,
                pacer: Arc::new(Pacer::new(config.pacing)),
                runstatus_pending_wait: config.runstatus_pending_wait,
                runstatus_max_polls: config.runstatus_max_polls.max(1),
            }),
        })
    }

    /// The configured (or discovered and set) workspace.
    pub fn workspace_id(&self) -> Option<WorkspaceId> {
        self.inner.workspace_id
    }

    /// A client for another workspace, sharing this one's connections and pacing.
    pub fn with_workspace_id(&self, workspace_id: WorkspaceId) -> Self {
        let inner = &self.inner;
        ClayClient {
            inner: Arc::new(ClientInner {
                http: inner.http.clone(),
                origin: inner.origin.clone(),
                credentials: inner.credentials.clone(),
                workspace_id: Some(workspace_id),
                retry: inner.retry.clone(),
                pacer: inner.pacer.clone(),
                runstatus_pending_wait: inner.runstatus_pending_wait,
                runstatus_max_polls: inner.runstatus_max_polls,
            }),
        }
    }

    pub(crate) fn require_workspace_id(&self, operation: &str) -> Result<WorkspaceId, ClayError> {
        self.inner.workspace_id.ok_or_else(|| {
            ClayError::new(
                operation,
                "/v3",
                ClayErrorKind::Usage(
                    "no workspace id: set `CLAY_WORKSPACE_ID` or the client's `workspace`".into(),
                ),
            )
        })
    }

    pub(crate) fn max_attempts(&self) -> u32 {
        self.inner.retry.max_attempts
    }

    pub(crate) fn runstatus_pending_wait(&self) -> Duration {
        self.inner.runstatus_pending_wait
    }

    pub(crate) fn runstatus_max_polls(&self) -> u32 {
        self.inner.runstatus_max_polls
    }

    /// Sends one request (retrying as `safety` allows) and decodes the JSON answer as `T`.
    /// `path` is relative to `/v3` and carries no query string; `query` pairs are added to the
    /// URL but never to errors or logs.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        safety: RequestSafety,
    ) -> Result<T, ClayError> {
        let full_path = format!("/v3{path}");
        let url = format!("{}{}", self.inner.origin, full_path);
        let started = Instant::now();
        let attempts = AtomicU32::new(0);
        let max_total_time = self.inner.retry.max_total_time;
        let (method_ref, url_ref, attempts_ref) = (&method, url.as_str(), &attempts);
        let outcome = (move || async move {
            attempts_ref.fetch_add(1, Ordering::Relaxed);
            self.attempt(method_ref, url_ref, query, body).await
        })
        .retry(self.inner.retry.backoff())
        .sleep(tokio::time::sleep)
        .when(|failure: &AttemptFailure| is_retryable(&failure.kind, safety))
        .adjust(|failure: &AttemptFailure, computed: Option<Duration>| {
            let computed = computed?;
            let wait = failure.retry_after.unwrap_or(computed);
            (started.elapsed() + wait <= max_total_time).then_some(wait)
        })
        .notify(|failure: &AttemptFailure, wait: Duration| {
            tracing::warn!(
                method = %method,
                path = %full_path,
                error = %failure.kind,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "retrying Clay call"
            );
        })
        .await;
        let attempts = attempts.load(Ordering::Relaxed).max(1);
        let error = |kind: ClayErrorKind| ClayError {
            method: method.to_string(),
            path: full_path.clone(),
            attempts,
            elapsed: started.elapsed(),
            kind: Box::new(kind),
        };
        let (status, bytes) = outcome.map_err(|failure| error(failure.kind))?;
        tracing::debug!(method = %method, path = %full_path, status, attempts, "Clay call done");
        decode_json(&bytes).map_err(|detail| {
            error(ClayErrorKind::Decode {
                status,
                detail: self.inner.credentials.scrub(&detail),
            })
        })
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<(u16, Vec<u8>), AttemptFailure> {
        self.inner.pacer.ready().await;
        let mut request = self.inner.http.request(method.clone(), url);
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(serde_json::to_vec(body).unwrap_or_default());
        }
        let response = request
            .send()
            .await
            .map_err(|error| self.transport_failure(&error))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        let bytes = response
            .bytes()
            .await
            .map_err(|error| self.transport_failure(&error))?;
        if (200..300).contains(&status) {
            return Ok((status, bytes.to_vec()));
        }
        if status == 429 {
            self.inner.pacer.throttled(retry_after);
        }
        Err(AttemptFailure {
            kind: self.api_failure(status, &bytes),
            retry_after,
        })
    }

    fn transport_failure(&self, error: &reqwest::Error) -> AttemptFailure {
        // `without_url` keeps the query string (and anything in it) out of the text.
        let detail = describe_transport_error(error);
        let detail = self.inner.credentials.scrub(&detail);
        let kind = if error.is_timeout() {
            ClayErrorKind::Timeout
        } else if error.is_connect() {
            ClayErrorKind::Connect { detail }
        } else {
            ClayErrorKind::ConnectionDropped { detail }
        };
        AttemptFailure {
            kind,
            retry_after: None,
        }
    }

    fn api_failure(&self, status: u16, bytes: &[u8]) -> ClayErrorKind {
        let scrub = |text: &str| self.inner.credentials.scrub(text);
        match serde_json::from_slice::<ClayErrorBody>(bytes) {
            Ok(body) => ClayErrorKind::Api {
                status,
                clay_type: body.error_type.as_deref().map(scrub),
                message: scrub(&body.message_text()),
                details: body
                    .details
                    .map(|details| scrub_json(&details, &self.inner.credentials)),
            },
            Err(_) => {
                let text = String::from_utf8_lossy(bytes);
                let text: String = text.trim().chars().take(200).collect();
                ClayErrorKind::Api {
                    status,
                    clay_type: None,
                    message: scrub(&text),
                    details: None,
                }
            }
        }
    }
}

fn scrub_json(value: &serde_json::Value, credentials: &Credentials) -> serde_json::Value {
    let text = value.to_string();
    let scrubbed = credentials.scrub(&text);
    if scrubbed == text {
        value.clone()
    } else {
        serde_json::Value::String(scrubbed)
    }
}

/// The error chain of a transport failure, without the URL.
fn describe_transport_error(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut parts = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    if parts.is_empty() {
        "transport error".to_owned()
    } else {
        parts.join(": ")
    }
}

/// Empty bodies (HTTP 204) decode as JSON `null`.
fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let trimmed = bytes.iter().all(u8::is_ascii_whitespace);
    let bytes: &[u8] = if trimmed { b"null" } else { bytes };
    serde_json::from_slice(bytes).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::num::NonZeroU32;

    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn config_from_environment_defaults_the_origin() {
        let config = ClayClientConfig::from_lookup(lookup(&[
            ("CLAY_API_KEY", "clay_user_x"),
            ("CLAY_WORKSPACE_ID", "1080480"),
        ]))
        .expect("config");
        assert_eq!(config.api_url, DEFAULT_API_URL);
        assert_eq!(config.credentials, Credentials::api_key("clay_user_x"));
        assert_eq!(config.workspace_id, Some(WorkspaceId(1_080_480)));
    }

    #[test]
    fn pacing_comes_from_the_environment_and_zero_turns_it_off() {
        let with = |rate: &str| {
            ClayClientConfig::from_lookup(lookup(&[
                ("CLAY_API_KEY", "k"),
                ("CLAY_REQUESTS_PER_SECOND", rate),
            ]))
        };
        assert_eq!(
            with("25").unwrap().pacing,
            Pacing::Fixed(NonZeroU32::new(25).unwrap())
        );
        assert_eq!(with("0").unwrap().pacing, Pacing::Off);
        assert_eq!(
            with("fast").err(),
            Some(ClientConfigError::InvalidRequestsPerSecond("fast".into()))
        );
        let default = ClayClientConfig::from_lookup(lookup(&[("CLAY_API_KEY", "k")])).unwrap();
        assert_eq!(
            default.pacing,
            Pacing::Adaptive {
                after_throttle: NonZeroU32::new(10).unwrap()
            }
        );
    }

    #[test]
    fn config_uses_the_cookie_when_there_is_no_key() {
        let config = ClayClientConfig::from_lookup(lookup(&[
            ("CLAY_API_URL", "http://127.0.0.1:9"),
            ("CLAY_SESSION_COOKIE", "s%3Aabc"),
        ]))
        .expect("config");
        assert_eq!(config.api_url, "http://127.0.0.1:9");
        assert_eq!(config.credentials, Credentials::session_cookie("s%3Aabc"));
    }

    #[test]
    fn config_errors_are_specific() {
        assert_eq!(
            ClayClientConfig::from_lookup(lookup(&[])).err(),
            Some(ClientConfigError::MissingCredentials)
        );
        assert_eq!(
            ClayClientConfig::from_lookup(lookup(&[
                ("CLAY_API_KEY", "k"),
                ("CLAY_WORKSPACE_ID", "acme")
            ]))
            .err(),
            Some(ClientConfigError::InvalidWorkspaceId("acme".into()))
        );
    }
}
