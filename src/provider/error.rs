//! The provider's error type: one failed Clay call (or a write Clay silently shortened), with the
//! context a user needs to act on it.
//!
//! Owns: [`ClayError`] (method, path, attempts, time spent, and what went wrong) and
//! [`ClayErrorKind`]. Clay's own error body `{type, message, details}` maps to
//! [`ClayErrorKind::Api`].
//! Must not know: credentials (they never reach this file: paths carry no query string and every
//! server-provided text is scrubbed by the client before it lands here), retry timing policy.

use std::fmt;
use std::time::Duration;

/// A failed call to Clay, or a call Clay accepted but did not fully honour.
#[derive(Debug, thiserror::Error)]
#[error("{method} {path}: {kind}{}", AttemptsSuffix(*attempts, *elapsed))]
pub struct ClayError {
    /// `GET`, `POST`, ... (or `READ-BACK` for the verification after a write).
    pub method: String,
    /// The path under the origin (`/v3/tables/t_1/fields`), never with a query string.
    pub path: String,
    /// Requests sent (1 when nothing was retried).
    pub attempts: u32,
    /// Wall time from the first attempt to giving up.
    pub elapsed: Duration,
    /// Boxed to keep `Result<_, ClayError>` small.
    pub kind: Box<ClayErrorKind>,
}

/// Writes ` (after 3 attempts in 1.2s)` only when something was retried.
struct AttemptsSuffix(u32, Duration);

impl fmt::Display for AttemptsSuffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 > 1 {
            write!(f, " (after {} attempts in {:.1?})", self.0, self.1)
        } else {
            Ok(())
        }
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClayErrorKind {
    /// Clay answered with an error status; `clay_type` is the body's `type` (`BadRequest`,
    /// `NotFound`, `FieldNameAlreadyExists`, ...) when the body had one.
    #[error("Clay answered {status}{}: {message}", clay_type.as_deref().map(|t| format!(" {t}")).unwrap_or_default())]
    Api {
        status: u16,
        clay_type: Option<String>,
        message: String,
        details: Option<serde_json::Value>,
    },
    #[error("the request timed out")]
    Timeout,
    #[error("could not connect to Clay: {detail}")]
    Connect { detail: String },
    /// The connection failed after the request was sent: Clay may or may not have acted on it.
    #[error("the connection dropped before Clay answered: {detail}")]
    ConnectionDropped { detail: String },
    #[error("could not read Clay's answer (status {status}): {detail}")]
    Decode { status: u16, detail: String },
    /// A write returned success but reading it back shows Clay did less than asked.
    #[error("{0}")]
    SilentlyDropped(String),
    /// A write returned success but the object is missing on read-back.
    #[error("Clay accepted {what} but it is missing when read back")]
    MissingAfterWrite { what: String },
    /// `runstatus` kept answering `"_pending"`.
    #[error("run status for table `{table_id}` stayed `_pending` after {polls} polls")]
    RunStatusPending { table_id: String, polls: u32 },
    /// The answer parsed but lacks what the operation needs (e.g. no workspace id in `GET /v3`).
    #[error("{0}")]
    UnexpectedResponse(String),
    /// The client was asked for something it can't do with its configuration.
    #[error("{0}")]
    Usage(String),
}

impl ClayError {
    pub fn new(method: impl Into<String>, path: impl Into<String>, kind: ClayErrorKind) -> Self {
        ClayError {
            method: method.into(),
            path: path.into(),
            attempts: 1,
            elapsed: Duration::ZERO,
            kind: Box::new(kind),
        }
    }

    /// The HTTP status Clay answered with, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self.kind.as_ref() {
            ClayErrorKind::Api { status, .. } | ClayErrorKind::Decode { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// Clay's error `type` (`NotFound`, `FieldNameAlreadyExists`, ...).
    pub fn clay_type(&self) -> Option<&str> {
        match self.kind.as_ref() {
            ClayErrorKind::Api { clay_type, .. } => clay_type.as_deref(),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404) && self.clay_type() != Some("NoMatchingURL")
    }

    /// True when the request may have been carried out even though no success came back
    /// (timeout, dropped connection, or a 5xx after the body was sent). A create that fails like
    /// this must be looked up before it is re-sent.
    pub fn is_ambiguous(&self) -> bool {
        match self.kind.as_ref() {
            ClayErrorKind::Timeout | ClayErrorKind::ConnectionDropped { .. } => true,
            ClayErrorKind::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_method_path_status_and_type() {
        let error = ClayError {
            method: "POST".into(),
            path: "/v3/tables/t_1/fields".into(),
            attempts: 3,
            elapsed: Duration::from_millis(1500),
            kind: Box::new(ClayErrorKind::Api {
                status: 400,
                clay_type: Some("FieldNameAlreadyExists".into()),
                message: "Field name already exists".into(),
                details: None,
            }),
        };
        assert_eq!(
            error.to_string(),
            "POST /v3/tables/t_1/fields: Clay answered 400 FieldNameAlreadyExists: \
             Field name already exists (after 3 attempts in 1.5s)"
        );
        assert!(!error.is_ambiguous());
    }
}
