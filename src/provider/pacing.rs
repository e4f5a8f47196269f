//! Client-side pacing: how fast clayform sends requests to Clay.
//!
//! Clay publishes no rate limit for `/v3` and none was observed (reference §5), so a fixed
//! limit would only slow every apply down for a limit that may not exist. The default is
//! therefore *adaptive*: requests go as fast as the caller's concurrency allows (`--parallelism`
//! bounds it) until Clay first answers 429; from then on, for the rest of the process, every
//! request is paced at a polite rate. Any 429 also holds *all* requests (not only the one that
//! failed) until its `Retry-After` has passed, so a throttled client backs off as a whole
//! instead of each in-flight request finding out on its own.
//!
//! `CLAY_REQUESTS_PER_SECOND=N` fixes the pace at N from the start; `0` turns pacing off (the
//! hold after a 429 still applies).
//!
//! Owns: the limiter and the hold. Must not know: HTTP, routes, retries (the client tells it
//! about a 429 and asks it before every attempt).

use std::num::NonZeroU32;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tokio::time::Instant;

/// How a client paces its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// No limit (a 429 still holds every request until its `Retry-After`).
    Off,
    /// At most this many requests per second, from the first request.
    Fixed(NonZeroU32),
    /// No limit until Clay answers 429, then this many requests per second.
    Adaptive { after_throttle: NonZeroU32 },
}

impl Pacing {
    /// The default: adaptive, 10 requests per second once Clay has throttled.
    pub const DEFAULT: Pacing = Pacing::Adaptive {
        after_throttle: NonZeroU32::new(10).expect("non-zero"),
    };

    /// From `CLAY_REQUESTS_PER_SECOND`: `0` is off, `N` fixed.
    pub fn from_rate(rate: u32) -> Pacing {
        NonZeroU32::new(rate).map_or(Pacing::Off, Pacing::Fixed)
    }
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing::DEFAULT
    }
}

/// Hold after a 429 that came without `Retry-After`.
const DEFAULT_HOLD: Duration = Duration::from_secs(1);

/// The shared pacing state of a client and its clones.
pub(crate) struct Pacer {
    pacing: Pacing,
    /// Set once: at construction for `Fixed`, at the first 429 for `Adaptive`.
    limiter: OnceLock<Limiter>,
    /// No request starts before this instant (the latest `Retry-After` seen).
    hold_until: Mutex<Option<Instant>>,
}

impl Pacer {
    pub(crate) fn new(pacing: Pacing) -> Pacer {
        let limiter = OnceLock::new();
        if let Pacing::Fixed(rate) = pacing {
            let _ = limiter.set(Limiter::per_second(rate));
        }
        Pacer {
            pacing,
            limiter,
            hold_until: Mutex::new(None),
        }
    }

    /// Wait until a request may start: past any hold, then through the limiter if one is on.
    pub(crate) async fn ready(&self) {
        loop {
            let hold = *self.hold_until.lock().expect("pacer mutex");
            match hold {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                // A later 429 may have moved the hold while this one slept: look again.
                _ => break,
            }
        }
        if let Some(limiter) = self.limiter.get() {
            limiter.until_ready().await;
        }
    }

    /// Clay answered 429: hold every request for `retry_after` (or a second), and switch an
    /// adaptive pacer to its polite rate.
    pub(crate) fn throttled(&self, retry_after: Option<Duration>) {
        let until = Instant::now() + retry_after.unwrap_or(DEFAULT_HOLD);
        {
            let mut hold = self.hold_until.lock().expect("pacer mutex");
            if hold.is_none_or(|current| current < until) {
                *hold = Some(until);
            }
        }
        if let Pacing::Adaptive { after_throttle } = self.pacing
            && self
                .limiter
                .set(Limiter::per_second(after_throttle))
                .is_ok()
        {
            tracing::warn!(
                requests_per_second = after_throttle.get(),
                "Clay answered 429: pacing requests from now on (set CLAY_REQUESTS_PER_SECOND \
                 to choose the rate)"
            );
        }
    }

    /// Whether requests are being paced now.
    pub(crate) fn is_limiting(&self) -> bool {
        self.limiter.get().is_some()
    }
}

/// At most `rate` requests per second, in bursts of up to `rate`: the generic cell rate
/// algorithm, on tokio's clock (so paused-time tests see it). Each caller reserves the next slot
/// under a mutex, then sleeps until it may go; nobody holds the mutex while sleeping.
struct Limiter {
    interval: Duration,
    /// How far ahead of now the reserved slots may run before a caller has to wait.
    tolerance: Duration,
    /// The theoretical arrival time of the next request.
    next: Mutex<Option<Instant>>,
}

impl Limiter {
    fn per_second(rate: NonZeroU32) -> Limiter {
        let interval = Duration::from_secs(1) / rate.get();
        Limiter {
            interval,
            tolerance: interval * (rate.get() - 1),
            next: Mutex::new(None),
        }
    }

    async fn until_ready(&self) {
        let now = Instant::now();
        let start = {
            let mut next = self.next.lock().expect("limiter mutex");
            let start = next.map_or(now, |next| next.max(now));
            *next = Some(start + self.interval);
            start
        };
        if start > now + self.tolerance {
            tokio::time::sleep_until(start - self.tolerance).await;
        }
    }
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("pacing", &self.pacing)
            .field("limiting", &self.is_limiting())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn adaptive_pacing_is_unlimited_until_a_429_then_paced() {
        let pacer = Pacer::new(Pacing::Adaptive {
            after_throttle: NonZeroU32::new(2).unwrap(),
        });
        let started = Instant::now();
        for _ in 0..50 {
            pacer.ready().await;
        }
        assert_eq!(started.elapsed(), Duration::ZERO, "no limit before a 429");
        assert!(!pacer.is_limiting());

        pacer.throttled(Some(Duration::from_secs(3)));
        assert!(pacer.is_limiting());
        let held = Instant::now();
        pacer.ready().await;
        assert!(
            held.elapsed() >= Duration::from_secs(3),
            "held for Retry-After"
        );
        // Then at most 2 per second (burst of 2 first).
        let paced = Instant::now();
        for _ in 0..5 {
            pacer.ready().await;
        }
        assert!(
            paced.elapsed() >= Duration::from_millis(1400),
            "{:?}",
            paced.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn off_still_holds_after_a_429_and_never_limits() {
        let pacer = Pacer::new(Pacing::Off);
        pacer.throttled(None);
        let held = Instant::now();
        pacer.ready().await;
        assert!(held.elapsed() >= DEFAULT_HOLD);
        assert!(!pacer.is_limiting());
        let after = Instant::now();
        for _ in 0..50 {
            pacer.ready().await;
        }
        assert_eq!(after.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_shorter_retry_after_never_shortens_a_longer_hold() {
        let pacer = Pacer::new(Pacing::Off);
        pacer.throttled(Some(Duration::from_secs(5)));
        pacer.throttled(Some(Duration::from_secs(1)));
        let held = Instant::now();
        pacer.ready().await;
        assert!(held.elapsed() >= Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_fixed_rate_allows_a_burst_then_spaces_requests() {
        let pacer = Pacer::new(Pacing::Fixed(NonZeroU32::new(4).unwrap()));
        let started = Instant::now();
        let mut at = Vec::new();
        for _ in 0..6 {
            pacer.ready().await;
            at.push(started.elapsed().as_millis());
        }
        assert_eq!(at, [0, 0, 0, 0, 250, 500]);
    }

    #[test]
    fn rates_map_to_pacing() {
        assert_eq!(Pacing::from_rate(0), Pacing::Off);
        assert_eq!(
            Pacing::from_rate(25),
            Pacing::Fixed(NonZeroU32::new(25).unwrap())
        );
    }
}
