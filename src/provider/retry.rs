//! When and how long to wait before trying a Clay call again.
//!
//! Owns: [`RetryPolicy`] (bounded exponential backoff with jitter, configurable down to
//! milliseconds for tests), [`RequestSafety`] (which failures a request may be retried after),
//! the classification of one attempt's failure, and `Retry-After` parsing (seconds or HTTP date).
//! Must not know: URLs, bodies, credentials, or how a request is sent.

use std::time::{Duration, SystemTime};

use backon::ExponentialBuilder;

use super::error::ClayErrorKind;

/// Bounds on retrying. Every limit holds: whichever is reached first ends the retries.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The first backoff delay; each later one doubles, with jitter.
    pub min_delay: Duration,
    /// The longest single computed backoff delay.
    pub max_delay: Duration,
    /// The longest total time spent on one call, waits included. A `Retry-After` that would end
    /// past it ends the retries instead.
    pub max_total_time: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_total_time: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    pub(crate) fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .with_total_delay(Some(self.max_total_time))
            .with_jitter()
    }
}

/// Whether re-sending a request after an unclear outcome could do something twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestSafety {
    /// GET, and PATCH/DELETE that set a state: retried after any transient failure.
    Idempotent,
    /// A create: retried only when Clay surely did not act (429, connection refused). A timeout,
    /// a dropped connection or a 5xx is returned as an ambiguous error for the caller to resolve
    /// by looking the object up.
    NotIdempotent,
}

/// Whether a failed attempt should be tried again.
pub(crate) fn is_retryable(kind: &ClayErrorKind, safety: RequestSafety) -> bool {
    match kind {
        // Rejected before any work was done, or never sent.
        ClayErrorKind::Api { status: 429, .. } | ClayErrorKind::Connect { .. } => true,
        ClayErrorKind::Api { status, .. } => {
            safety == RequestSafety::Idempotent
                && matches!(status, 408 | 500 | 502 | 503 | 504 | 529)
        }
        ClayErrorKind::Timeout | ClayErrorKind::ConnectionDropped { .. } => {
            safety == RequestSafety::Idempotent
        }
        _ => false,
    }
}

/// Parses `Retry-After`: delta-seconds or an HTTP date (RFC 7231 IMF-fixdate, which RFC 2822
/// parsing accepts). A date in the past means "now".
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>()
        && seconds.is_finite()
        && seconds >= 0.0
    {
        return Some(Duration::from_secs_f64(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let when = SystemTime::from(date);
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(
            parse_retry_after("3", SystemTime::now()),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after("0.25", SystemTime::now()),
            Some(Duration::from_millis(250))
        );
    }

    #[test]
    fn retry_after_as_http_date() {
        let now = SystemTime::from(
            chrono::DateTime::parse_from_rfc3339("2015-10-21T07:27:58Z").expect("date"),
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn creates_are_not_retried_after_an_ambiguous_failure() {
        let unavailable = ClayErrorKind::Api {
            status: 503,
            clay_type: None,
            message: String::new(),
            details: None,
        };
        assert!(is_retryable(&unavailable, RequestSafety::Idempotent));
        assert!(!is_retryable(&unavailable, RequestSafety::NotIdempotent));
        assert!(!is_retryable(
            &ClayErrorKind::Timeout,
            RequestSafety::NotIdempotent
        ));
        let throttled = ClayErrorKind::Api {
            status: 429,
            clay_type: None,
            message: String::new(),
            details: None,
        };
        assert!(is_retryable(&throttled, RequestSafety::NotIdempotent));
        let bad_request = ClayErrorKind::Api {
            status: 400,
            clay_type: Some("BadRequest".into()),
            message: String::new(),
            details: None,
        };
        assert!(!is_retryable(&bad_request, RequestSafety::Idempotent));
    }
}
