//! The emulator's settings: what a test, a benchmark or `clayform emulate` can choose.
//!
//! Owns defaults and the knobs; knows nothing about HTTP or the store.

use std::path::PathBuf;

/// How `offset` on `GET .../views/{v}/records` behaves; the sources conflict (clay-api.md §9.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OffsetMode {
    /// JX and DN §3: `offset` is accepted and ignored, the first page comes back again.
    #[default]
    Ignored,
    /// DN §7 and BL: `offset` skips rows.
    Honoured,
}

/// How fast enrichment runs and queued record updates progress.
///
/// A cell run is `QUEUED` for `queued_ms`, `RUNNING` for `running_ms`, then settles. Each further
/// row of one run call starts `stagger_ms` later (capped at 50 rows) so progress is visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSpeed {
    pub queued_ms: u64,
    pub running_ms: u64,
    pub stagger_ms: u64,
    /// Delay before an enqueued `PATCH .../records` becomes visible.
    pub record_update_delay_ms: u64,
}

impl RunSpeed {
    /// For tests: a cell settles within about 30 ms.
    pub const FAST: RunSpeed = RunSpeed {
        queued_ms: 10,
        running_ms: 20,
        stagger_ms: 1,
        record_update_delay_ms: 15,
    };
    /// For demos: progress is visible to a human watching `clayform run`.
    pub const DEMO: RunSpeed = RunSpeed {
        queued_ms: 600,
        running_ms: 1500,
        stagger_ms: 40,
        record_update_delay_ms: 300,
    };
}

impl Default for RunSpeed {
    fn default() -> Self {
        RunSpeed::FAST
    }
}

#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Added to every request.
    pub latency_ms: u64,
    /// Up to this much more, drawn per request (seeded): real networks don't answer in the
    /// order they were asked, so concurrent requests arrive out of order.
    pub jitter_ms: u64,
    /// Probability (0..=1) that a request gets an injected fault.
    pub fault_rate: f64,
    /// Seeds ids, fault injection and fake enrichment results.
    pub seed: u64,
    /// Load from and save to this file (atomically, after every mutating request).
    pub state_file: Option<PathBuf>,
    pub workspace_id: u64,
    pub offset_mode: OffsetMode,
    pub run_speed: RunSpeed,
    /// Clay adds one blank row to a new table (CC: counts show N+1).
    pub auto_blank_row: bool,
    /// Fraction of enrichment cells that end in a realistic error or no data (seeded).
    pub cell_error_rate: f64,
    /// How many recent requests `/__emulator/stats` keeps.
    pub request_log_size: usize,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            latency_ms: 0,
            jitter_ms: 0,
            fault_rate: 0.0,
            seed: 0,
            state_file: None,
            workspace_id: 1_080_480,
            offset_mode: OffsetMode::Ignored,
            run_speed: RunSpeed::FAST,
            auto_blank_row: true,
            cell_error_rate: 0.05,
            request_log_size: 200,
        }
    }
}
