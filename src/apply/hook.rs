//! Progress through a hook: the executor emits events; the command-line layer renders them
//! (bars on a terminal, plain lines otherwise, JSON lines with `--json`).

use std::time::Duration;

use serde::Serialize;

use crate::plan::Action;
use crate::state::Address;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ApplyEvent {
    /// Before the first mutating call of a step.
    PreApply { address: Address, action: Action },
    /// The step's calls succeeded and were read back.
    PostApply {
        address: Address,
        action: Action,
        #[serde(serialize_with = "millis")]
        elapsed: Duration,
    },
    Failed {
        address: Address,
        action: Action,
        error: String,
    },
    /// Not attempted because a step it depends on failed.
    Skipped {
        address: Address,
        action: Action,
        because: Address,
    },
    /// State was checkpointed at this serial.
    PostStateUpdate { serial: u64 },
}

fn millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}

/// Receives apply events. Implementations must be cheap: they run on the executor's task.
pub trait ApplyHook: Send + Sync {
    fn event(&self, event: &ApplyEvent);
}

/// A hook that ignores everything.
pub struct NoHook;

impl ApplyHook for NoHook {
    fn event(&self, _event: &ApplyEvent) {}
}

/// A hook that records events, for tests and summaries.
#[derive(Default)]
pub struct RecordingHook {
    pub events: std::sync::Mutex<Vec<ApplyEvent>>,
}

impl ApplyHook for RecordingHook {
    fn event(&self, event: &ApplyEvent) {
        self.events.lock().expect("hook mutex").push(event.clone());
    }
}
