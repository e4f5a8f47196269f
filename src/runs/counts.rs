//! Cell status counts of one column (reference §11.2, §11.3) and what they mean.
//!
//! Owns: the classification of Clay's cell statuses (done, no data, gated by `run_if`, in
//! progress, an error of some kind), a column's run state, and the arithmetic on counts.
//! Must not know: HTTP, Clay's JSON shape (the provider hands over status/count pairs), printing.

use std::collections::BTreeMap;

use serde::Serialize;

/// Ran, and a value is present.
pub const SUCCESS: &str = "SUCCESS";
/// Ran, and the provider found nothing (not an error).
pub const SUCCESS_NO_DATA: &str = "SUCCESS_NO_DATA";
/// The column's `run_if` excluded the row (Clay calls it an error; clayform does not).
pub const RUN_CONDITION_NOT_MET: &str = "ERROR_RUN_CONDITION_NOT_MET";

/// Statuses of cells that are not finished yet.
const IN_PROGRESS: [&str; 5] = ["QUEUED", "RUNNING", "PENDING", "RETRY", "AWAITING_CALLBACK"];

/// What a cell status means for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    Success,
    NoData,
    RunConditionNotMet,
    InProgress,
    /// Every other status: `ERROR_*`, `FAILED`, `CANCELLED`, and anything Clay adds later.
    Error,
}

/// Classify one of Clay's cell statuses. Unknown statuses count as errors, so that a new failure
/// mode is never reported as success.
pub fn classify(status: &str) -> StatusClass {
    match status {
        SUCCESS => StatusClass::Success,
        SUCCESS_NO_DATA => StatusClass::NoData,
        RUN_CONDITION_NOT_MET => StatusClass::RunConditionNotMet,
        other if IN_PROGRESS.contains(&other) => StatusClass::InProgress,
        _ => StatusClass::Error,
    }
}

/// How many cells of one column have each status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct StatusCounts(BTreeMap<String, u64>);

impl StatusCounts {
    pub fn new() -> StatusCounts {
        StatusCounts::default()
    }

    /// Counts from Clay's `[{status, count}]` pairs (repeated statuses add up).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, u64)>) -> StatusCounts {
        let mut counts = StatusCounts::new();
        for (status, count) in pairs {
            counts.add(status, count);
        }
        counts
    }

    pub fn add(&mut self, status: &str, count: u64) {
        if count > 0 {
            *self.0.entry(status.to_string()).or_default() += count;
        }
    }

    pub fn get(&self, status: &str) -> u64 {
        self.0.get(status).copied().unwrap_or(0)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0
            .iter()
            .map(|(status, count)| (status.as_str(), *count))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every cell that has a status.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// Cells of one class.
    pub fn of_class(&self, class: StatusClass) -> u64 {
        self.iter()
            .filter(|(status, _)| classify(status) == class)
            .map(|(_, count)| count)
            .sum()
    }

    pub fn in_progress(&self) -> u64 {
        self.of_class(StatusClass::InProgress)
    }

    /// Error statuses and their counts (not `ERROR_RUN_CONDITION_NOT_MET`).
    pub fn errors(&self) -> impl Iterator<Item = (&str, u64)> {
        self.iter()
            .filter(|(status, _)| classify(status) == StatusClass::Error)
    }

    pub fn error_total(&self) -> u64 {
        self.of_class(StatusClass::Error)
    }

    /// Finished cells (every status that is not in progress).
    pub fn finished(&self) -> u64 {
        self.total() - self.in_progress()
    }

    /// `self - other` per status, never below zero.
    #[must_use]
    pub fn saturating_sub(&self, other: &StatusCounts) -> StatusCounts {
        let mut result = StatusCounts::new();
        for (status, count) in self.iter() {
            result.add(status, count.saturating_sub(other.get(status)));
        }
        result
    }

    /// `self + other` per status.
    #[must_use]
    pub fn plus(&self, other: &StatusCounts) -> StatusCounts {
        let mut result = self.clone();
        for (status, count) in other.iter() {
            result.add(status, count);
        }
        result
    }
}

/// Where a column stands, from its counts and the table's row count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// No cell of the column has ever run.
    NeverRun,
    /// Some cells are queued or running.
    Running,
    /// Some rows have never run (rows added since, or a partial run).
    Pending,
    /// Every row has a finished status.
    Complete,
}

impl RunState {
    pub fn of(counts: &StatusCounts, rows: u64) -> RunState {
        if counts.is_empty() {
            RunState::NeverRun
        } else if counts.in_progress() > 0 {
            RunState::Running
        } else if counts.finished() < rows {
            RunState::Pending
        } else {
            RunState::Complete
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RunState::NeverRun => "never run",
            RunState::Running => "running",
            RunState::Pending => "pending",
            RunState::Complete => "complete",
        }
    }
}

/// A short, readable name for a status: `ERROR_OUT_OF_CREDITS` → `out of credits`.
pub fn status_label(status: &str) -> String {
    match status {
        SUCCESS => "success".to_string(),
        SUCCESS_NO_DATA => "no data".to_string(),
        RUN_CONDITION_NOT_MET => "run condition not met".to_string(),
        other => other
            .strip_prefix("ERROR_")
            .unwrap_or(other)
            .to_lowercase()
            .replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified_with_unknown_ones_as_errors() {
        assert_eq!(classify("SUCCESS"), StatusClass::Success);
        assert_eq!(classify("SUCCESS_NO_DATA"), StatusClass::NoData);
        assert_eq!(
            classify("ERROR_RUN_CONDITION_NOT_MET"),
            StatusClass::RunConditionNotMet
        );
        assert_eq!(classify("RETRY"), StatusClass::InProgress);
        assert_eq!(classify("ERROR_OUT_OF_CREDITS"), StatusClass::Error);
        assert_eq!(classify("SOMETHING_NEW"), StatusClass::Error);
    }

    #[test]
    fn run_state_follows_counts_and_rows() {
        let none = StatusCounts::new();
        assert_eq!(RunState::of(&none, 5), RunState::NeverRun);
        let running = StatusCounts::from_pairs([("SUCCESS", 2), ("QUEUED", 3)]);
        assert_eq!(RunState::of(&running, 5), RunState::Running);
        let partial = StatusCounts::from_pairs([("SUCCESS", 2), ("ERROR_BAD_REQUEST", 1)]);
        assert_eq!(RunState::of(&partial, 5), RunState::Pending);
        assert_eq!(RunState::of(&partial, 3), RunState::Complete);
    }

    #[test]
    fn subtraction_never_goes_below_zero_and_drops_empty_statuses() {
        let after = StatusCounts::from_pairs([("SUCCESS", 5), ("ERROR_BAD_REQUEST", 1)]);
        let before = StatusCounts::from_pairs([("SUCCESS", 7)]);
        let difference = after.saturating_sub(&before);
        assert_eq!(difference.get("SUCCESS"), 0);
        assert_eq!(difference.total(), 1);
        assert_eq!(difference.iter().count(), 1);
    }

    #[test]
    fn labels_are_readable() {
        assert_eq!(status_label("ERROR_OUT_OF_CREDITS"), "out of credits");
        assert_eq!(status_label("SUCCESS_NO_DATA"), "no data");
        assert_eq!(status_label("CANCELLED"), "cancelled");
    }
}
