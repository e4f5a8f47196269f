//! Running action columns on rows (`clayform run`) and reading where they stand
//! (`clayform status`), against Clay.
//!
//! Owns: which columns and rows a run selects, the estimate and budget check before it
//! (`estimate`), the `PATCH …/run` calls in batches and the `runstatus` polling until every
//! selected cell has finished (`execute`), the outcome and status reports, and the progress hook
//! (`hook`). `managed` reads the ids it needs out of state; `counts` knows Clay's cell statuses.
//! Must not know: printing or terminals (progress goes through [`RunHook`]), Clay's JSON (the
//! provider decodes it), the state file format, argument parsing.
//!
//! Entry points: [`prepare_run`] → [`execute_run`] (what `run` and `apply --run` call, showing the
//! estimate in between), or both at once with [`run_columns`]; [`read_status`] for `status`.

pub mod counts;
mod estimate;
mod execute;
mod hook;
pub mod managed;
mod status;

use crate::provider::ClayError;

pub use counts::{RunState, StatusClass, StatusCounts, classify, status_label};
pub use estimate::{ColumnEstimate, RunEstimate};
pub use execute::{
    ColumnChoice, ColumnRunReport, PreparedRun, RowSelection, RunOptions, RunReport, RunSelection,
    RunTarget, TableRunReport, execute_run, prepare_run, run_columns,
};
pub use hook::{NoProgress, RunEvent, RunHook};
pub use managed::{ACTION_KINDS, ManagedColumn, ManagedTable, ManagedWorkbook};
pub use status::{
    ColumnStatus, STATUS_FORMAT_VERSION, StatusReport, TableStatus, WorkbookStatus, not_applied,
    read_status,
};

/// Why a run or a status read could not be done.
#[derive(Debug, thiserror::Error)]
pub enum RunsError {
    #[error("{context}")]
    Clay {
        context: String,
        #[source]
        source: ClayError,
    },
    #[error(
        "workbook `{workbook}` has no table `{table}`{}\n\nhint: tables: {}",
        if *.applied { "" } else { " in state" },
        known.join(", ")
    )]
    UnknownTable {
        workbook: String,
        table: String,
        known: Vec<String>,
        applied: bool,
    },
    #[error(
        "no table of the selection has a column `{column}`\n\nhint: columns that run: {}",
        if known.is_empty() { "none".to_string() } else { known.join(", ") }
    )]
    UnknownColumn { column: String, known: Vec<String> },
    #[error(
        "column `{column}` of `{table}` is a {kind} column, which does not run\n\nhint: only \
         enrichment, ai, lookup, send_to and http columns run"
    )]
    NotAnActionColumn {
        table: String,
        column: String,
        kind: String,
    },
    #[error(
        "column `{column}` of `{table}` is not in Clay yet\n\nhint: run `clayform apply` first"
    )]
    ColumnNotApplied { table: String, column: String },
    #[error("table `{table}` is not in Clay yet\n\nhint: run `clayform apply` first")]
    TableNotApplied { table: String },
    #[error("the selection has no columns that run (enrichment, ai, lookup, send_to, http)")]
    NothingSelected,
    #[error("table `{table}` has no view to list its rows through")]
    NoView { table: String },
    #[error(
        "the run would exceed a budget of workbook `{}`\n\nhint: run fewer rows (`--rows N`) or \
         columns (`--columns`), raise the budget, or pass `--allow-over-budget`",
        estimate.workbook
    )]
    OverBudget { estimate: Box<RunEstimate> },
}

impl RunsError {
    pub(crate) fn clay(context: impl Into<String>, source: ClayError) -> RunsError {
        RunsError::Clay {
            context: context.into(),
            source,
        }
    }
}
