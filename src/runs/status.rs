//! `clayform status`: where every managed column of a workbook stands, from Clay.
//!
//! Owns: the status report ([`WorkbookStatus`] → [`TableStatus`] → [`ColumnStatus`]), its
//! versioned JSON form, and reading it: one `count` and one `runstatus` call per table.
//! Must not know: Clay's JSON (the provider decodes it), printing, the state file format.

use serde::Serialize;

use super::RunsError;
use super::counts::{RunState, StatusCounts};
use super::managed::{ManagedTable, ManagedWorkbook};
use crate::provider::ClayClient;

/// The version of the JSON `clayform status --format json` prints. Bumped on any breaking change
/// (a key renamed or removed, a meaning changed); adding keys is not breaking.
pub const STATUS_FORMAT_VERSION: u32 = 1;

/// Every workbook `status` looked at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    pub format_version: u32,
    pub workbooks: Vec<WorkbookStatus>,
}

impl StatusReport {
    pub fn new(workbooks: Vec<WorkbookStatus>) -> StatusReport {
        StatusReport {
            format_version: STATUS_FORMAT_VERSION,
            workbooks,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkbookStatus {
    pub workbook: String,
    pub workspace_id: u64,
    /// Clay's id; `null` when the workbook was never applied.
    pub workbook_id: Option<String>,
    /// Whether state has the workbook (false: `clayform apply` has not created it yet).
    pub applied: bool,
    pub tables: Vec<TableStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableStatus {
    pub table: String,
    pub table_id: String,
    /// Rows in Clay now.
    pub rows: u64,
    /// Where a webhook source receives rows.
    pub webhook_url: Option<String>,
    /// Managed columns that run (enrichment, AI, lookup, send_to, http), in column order.
    pub columns: Vec<ColumnStatus>,
    /// Other managed columns (inputs, `from_source`, formulas): they have no run status.
    pub other_columns: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnStatus {
    pub column: String,
    pub field_id: String,
    pub kind: String,
    pub run_state: RunState,
    /// `SUCCESS` cells ÷ rows; `null` for a table without rows.
    pub fill_rate: Option<f64>,
    pub success: u64,
    pub no_data: u64,
    pub run_condition_not_met: u64,
    pub in_progress: u64,
    /// Error status → cells (not counting run condition not met).
    pub errors: StatusCounts,
    /// Every status Clay reported, as Clay names it.
    pub counts: StatusCounts,
    /// Clay's `runstatus` did not list the column: it was deleted in Clay (or never reached it).
    pub missing_in_clay: bool,
}

impl ColumnStatus {
    pub fn new(
        column: &super::managed::ManagedColumn,
        counts: Option<StatusCounts>,
        rows: u64,
    ) -> ColumnStatus {
        let missing_in_clay = counts.is_none();
        let counts = counts.unwrap_or_default();
        let success = counts.get(super::counts::SUCCESS);
        #[allow(clippy::cast_precision_loss, reason = "row counts are far below 2^52")]
        let fill_rate = (rows > 0).then(|| success as f64 / rows as f64);
        let mut errors = StatusCounts::new();
        for (status, count) in counts.errors() {
            errors.add(status, count);
        }
        ColumnStatus {
            column: column.name.clone(),
            field_id: column.field_id.clone(),
            kind: column.kind.clone(),
            run_state: RunState::of(&counts, rows),
            fill_rate,
            success,
            no_data: counts.get(super::counts::SUCCESS_NO_DATA),
            run_condition_not_met: counts.get(super::counts::RUN_CONDITION_NOT_MET),
            in_progress: counts.in_progress(),
            errors,
            counts,
            missing_in_clay,
        }
    }
}

/// A workbook state does not have: listed, with nothing read from Clay.
pub fn not_applied(workbook: &str, workspace_id: u64) -> WorkbookStatus {
    WorkbookStatus {
        workbook: workbook.to_string(),
        workspace_id,
        workbook_id: None,
        applied: false,
        tables: Vec::new(),
    }
}

/// Read the status of every managed table of `workbook`. `clay` must carry the workbook's
/// workspace id (`runstatus` is workspace-scoped).
pub async fn read_status(
    clay: &ClayClient,
    workbook: &ManagedWorkbook,
) -> Result<WorkbookStatus, RunsError> {
    let mut tables = Vec::with_capacity(workbook.tables.len());
    for table in &workbook.tables {
        tables.push(read_table_status(clay, table).await?);
    }
    Ok(WorkbookStatus {
        workbook: workbook.name.clone(),
        workspace_id: workbook.workspace_id,
        workbook_id: workbook.workbook_id.clone(),
        applied: true,
        tables,
    })
}

async fn read_table_status(
    clay: &ClayClient,
    table: &ManagedTable,
) -> Result<TableStatus, RunsError> {
    let rows = clay
        .count_records(&table.table_id)
        .await
        .map_err(|source| {
            RunsError::clay(format!("cannot count the rows of `{}`", table.name), source)
        })?;
    let by_field = super::execute::field_counts(clay, table).await?;
    let columns = table
        .action_columns()
        .map(|column| ColumnStatus::new(column, by_field.get(&column.field_id).cloned(), rows))
        .collect();
    Ok(TableStatus {
        table: table.name.clone(),
        table_id: table.table_id.clone(),
        rows,
        webhook_url: table.webhook_url.clone(),
        columns,
        other_columns: table.columns.iter().filter(|c| !c.is_action()).count(),
    })
}
