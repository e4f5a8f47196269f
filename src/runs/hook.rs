//! Progress of a run, as events: the estimate, each table's submission, each poll's counts.
//!
//! Owns: [`RunHook`] and [`RunEvent`]. The command line renders them (bars on a terminal, plain
//! lines otherwise); `apply --run` can render them its own way.
//! Must not know: how events are shown.

use super::counts::StatusCounts;
use super::estimate::RunEstimate;

/// Something that happened during a run.
#[derive(Debug)]
pub enum RunEvent<'a> {
    /// Before anything runs: what the run will cost, and the budgets it was checked against.
    Estimated(&'a RunEstimate),
    /// `PATCH …/run` calls for one table were accepted.
    Submitted {
        table: &'a str,
        columns: &'a [String],
        records: usize,
    },
    /// One poll of one column: the cells this run scheduled (`scheduled`) and where they stand.
    Progress {
        table: &'a str,
        column: &'a str,
        scheduled: u64,
        outcomes: &'a StatusCounts,
    },
    /// Every selected cell of the table has finished.
    TableFinished { table: &'a str },
}

/// Receives run events. Called from the task that runs; keep it quick.
pub trait RunHook: Send + Sync {
    fn event(&self, event: &RunEvent<'_>);
}

/// A hook that ignores every event.
pub struct NoProgress;

impl RunHook for NoProgress {
    fn event(&self, _: &RunEvent<'_>) {}
}
