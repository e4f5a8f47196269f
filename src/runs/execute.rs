//! Running columns: select, estimate, submit in batches, poll until every cell has finished.
//!
//! Owns: turning a selection (table, columns, rows) into Clay ids and record ids, what a run will
//! execute (cells already `SUCCESS` are skipped by Clay unless forced), `PATCH …/run` in batches of
//! at most [`RUN_BATCH`] record ids, and polling `runstatus` (one call per table per poll, with a
//! deadline) until no selected cell is queued, running, pending or retrying.
//!
//! How outcomes of *this* run are told apart from the rest of the table: `runstatus` counts every
//! cell of a column. Cells outside the selection don't change during the run, so this run's
//! outcomes are the counts after it, less the counts outside the selection before it, less the
//! cells it skipped (already `SUCCESS`, not forced). When only some rows are selected, their cells
//! are read once before the run (bulk fetch) to know how they stood.
//!
//! Must not know: printing (events go to a [`RunHook`]), Clay's JSON, the state file format.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::RunsError;
use super::counts::{SUCCESS, StatusClass, StatusCounts};
use super::estimate::{ColumnEstimate, RunEstimate};
use super::hook::{RunEvent, RunHook};
use super::managed::{ManagedColumn, ManagedTable, ManagedWorkbook};
use crate::catalog::Catalog;
use crate::cost::{Amounts, row_price};
use crate::model::{Client, Column, Workbook};
use crate::provider::ClayClient;
use crate::provider::wire::run::RunRecords;

/// Record ids per `PATCH …/run` call.
pub const RUN_BATCH: usize = 500;
/// Polls in a row with nothing in progress before the counts are trusted even though they don't
/// account for every submitted cell (Clay may have skipped cells it was asked to run).
const QUIET_POLLS: u32 = 3;

/// One workbook to run: its spec (kinds, `run_if`, prices) and what state says exists in Clay.
#[derive(Clone, Copy)]
pub struct RunTarget<'a> {
    pub workbook: &'a Workbook,
    pub managed: &'a ManagedWorkbook,
    pub catalog: &'a Catalog,
    pub client: Option<&'a Client>,
}

/// Which cells to run.
#[derive(Debug, Clone, Default)]
pub struct RunSelection {
    /// One table by name; `None`: every table.
    pub table: Option<String>,
    /// Columns by name; empty: every action column of the selected tables.
    pub columns: Vec<String>,
    /// Exactly these columns, by table and name, each forced or not (what `apply --run` picks:
    /// new columns run where they never ran, changed ones re-run everywhere). When not empty,
    /// `table` and `columns` are ignored.
    pub only: Vec<ColumnChoice>,
    pub rows: RowSelection,
}

/// One column picked by table and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnChoice {
    pub table: String,
    pub column: String,
    /// Re-run cells that already succeeded, whatever [`RunOptions::force`] says.
    pub force: bool,
}

/// Which rows to run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RowSelection {
    /// Every row, relying on Clay to skip cells that already succeeded (`forceRun: false`), so
    /// only cells that never ran, failed or were gated run. With `force`, every row re-runs.
    #[default]
    NotYetSucceeded,
    /// The first N rows (in the order of the table's "All rows" view).
    First(u64),
    /// Every row.
    All,
}

#[derive(Debug, Clone)]
pub struct RunOptions {
    /// `forceRun: true`: re-run cells that already succeeded (Clay clears them first).
    pub force: bool,
    /// Run even when the estimate exceeds a budget.
    pub allow_over_budget: bool,
    /// The first wait between polls; it grows to `max_poll_interval`.
    pub poll_interval: Duration,
    pub max_poll_interval: Duration,
    /// Stop waiting after this long (the cells keep running in Clay).
    pub timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            force: false,
            allow_over_budget: false,
            poll_interval: Duration::from_millis(250),
            max_poll_interval: Duration::from_secs(3),
            timeout: Duration::from_secs(60 * 60),
        }
    }
}

/// A run read and estimated, not started: what [`execute_run`] will submit.
#[derive(Debug, Clone)]
pub struct PreparedRun {
    pub workbook: String,
    pub force: bool,
    pub estimate: RunEstimate,
    tables: Vec<PreparedTable>,
}

#[derive(Debug, Clone)]
struct PreparedTable {
    name: String,
    table_id: String,
    record_ids: Vec<String>,
    columns: Vec<PreparedColumn>,
}

#[derive(Debug, Clone)]
struct PreparedColumn {
    name: String,
    field_id: String,
    kind: String,
    per_row: Amounts,
    upper_bound: bool,
    /// Cells this run will execute.
    scheduled: u64,
    /// Counts of cells outside the selection, before the run (they stay as they are).
    outside_before: StatusCounts,
    /// Selected cells Clay will skip (already `SUCCESS`, not forced).
    skipped_success: u64,
    /// Sent with `forceRun: true`.
    force: bool,
}

impl PreparedRun {
    /// Whether the run would execute no cell at all.
    pub fn is_empty(&self) -> bool {
        self.estimate.cells() == 0
    }
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReport {
    pub workbook: String,
    pub force: bool,
    pub tables: Vec<TableRunReport>,
    pub estimated: Amounts,
    /// The catalog's per-row price × the cells that ran (Clay reports no per-cell cost).
    pub actual: Amounts,
    /// The deadline passed with cells still in progress (they go on in Clay).
    pub timed_out: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRunReport {
    pub table: String,
    /// Records submitted to `PATCH …/run`.
    pub records: usize,
    pub columns: Vec<ColumnRunReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnRunReport {
    pub column: String,
    pub kind: String,
    /// Cells this run executed or was asked to.
    pub scheduled: u64,
    /// Where this run's cells ended (or stand, after a timeout), by Clay status.
    pub outcomes: StatusCounts,
    /// Cells that ran: every finished outcome but "run condition not met".
    pub ran: u64,
    pub estimated: Amounts,
    pub actual: Amounts,
    pub upper_bound: bool,
}

impl ColumnRunReport {
    /// Cells that ended in an error (not counting "run condition not met" and "no data").
    pub fn errors(&self) -> u64 {
        self.outcomes.error_total()
    }
}

impl RunReport {
    pub fn errors(&self) -> u64 {
        self.columns().map(ColumnRunReport::errors).sum()
    }

    pub fn columns(&self) -> impl Iterator<Item = &ColumnRunReport> {
        self.tables.iter().flat_map(|t| &t.columns)
    }

    /// No cell failed and none is still running.
    pub fn succeeded(&self) -> bool {
        !self.timed_out && self.errors() == 0
    }
}

/// Select, estimate, check budgets, run and wait: the whole of `clayform run` for one workbook.
/// Over budget without `allow_over_budget`, nothing is submitted and
/// [`RunsError::OverBudget`] is returned. `clay` must carry the workbook's workspace id.
pub async fn run_columns(
    clay: &ClayClient,
    target: &RunTarget<'_>,
    selection: &RunSelection,
    options: &RunOptions,
    hook: &dyn RunHook,
) -> Result<RunReport, RunsError> {
    let prepared = prepare_run(clay, target, selection, options).await?;
    hook.event(&RunEvent::Estimated(&prepared.estimate));
    if prepared.estimate.over_budget() && !options.allow_over_budget {
        return Err(RunsError::OverBudget {
            estimate: Box::new(prepared.estimate),
        });
    }
    execute_run(clay, &prepared, options, hook).await
}

/// Resolve the selection to Clay ids and rows, and estimate the run. Reads Clay; writes nothing.
pub async fn prepare_run(
    clay: &ClayClient,
    target: &RunTarget<'_>,
    selection: &RunSelection,
    options: &RunOptions,
) -> Result<PreparedRun, RunsError> {
    let chosen = choose_columns(target, selection)?;
    let mut tables = Vec::with_capacity(chosen.len());
    let mut estimates = Vec::new();
    for (managed_table, columns) in chosen {
        let prepared =
            prepare_table(clay, target, managed_table, &columns, selection, options).await?;
        for column in &prepared.columns {
            let rows_selected = prepared.record_ids.len() as u64;
            estimates.push(ColumnEstimate {
                table: prepared.name.clone(),
                column: column.name.clone(),
                kind: column.kind.clone(),
                rows_selected,
                cells: column.scheduled,
                per_row: column.per_row,
                total: column.per_row.times(column.scheduled),
                upper_bound: column.upper_bound,
            });
        }
        tables.push(prepared);
    }
    let estimate = RunEstimate::new(target.workbook, target.client, options.force, estimates);
    Ok(PreparedRun {
        workbook: target.managed.name.clone(),
        force: options.force,
        estimate,
        tables,
    })
}

/// A managed table and the selected action columns in it, each with its spec column and whether
/// it is forced.
type ChosenTable<'t> = (&'t ManagedTable, Vec<(&'t ManagedColumn, &'t Column, bool)>);

/// The columns named by [`RunSelection::only`]: each must be an applied action column.
fn choose_listed<'t>(
    target: &RunTarget<'t>,
    only: &[ColumnChoice],
) -> Result<Vec<ChosenTable<'t>>, RunsError> {
    let mut chosen: Vec<ChosenTable<'t>> = Vec::new();
    for choice in only {
        let Some(spec_table) = target.workbook.table(&choice.table) else {
            return Err(RunsError::UnknownTable {
                workbook: target.workbook.name.text.clone(),
                table: choice.table.clone(),
                known: target
                    .workbook
                    .tables
                    .iter()
                    .map(|t| t.name.text.clone())
                    .collect(),
                applied: true,
            });
        };
        let Some(spec_column) = spec_table.column(&choice.column) else {
            return Err(RunsError::UnknownColumn {
                column: choice.column.clone(),
                known: spec_table
                    .columns
                    .iter()
                    .filter(|c| c.kind.is_action())
                    .map(|c| c.name.text.clone())
                    .collect(),
            });
        };
        if !spec_column.kind.is_action() {
            return Err(RunsError::NotAnActionColumn {
                table: choice.table.clone(),
                column: choice.column.clone(),
                kind: spec_column.kind.keyword().to_string(),
            });
        }
        let managed_table =
            target
                .managed
                .table(&choice.table)
                .ok_or_else(|| RunsError::TableNotApplied {
                    table: choice.table.clone(),
                })?;
        let managed_column =
            managed_table
                .column(&choice.column)
                .ok_or_else(|| RunsError::ColumnNotApplied {
                    table: choice.table.clone(),
                    column: choice.column.clone(),
                })?;
        let entry = (managed_column, spec_column, choice.force);
        match chosen
            .iter_mut()
            .find(|(t, _)| t.name == managed_table.name)
        {
            Some((_, columns)) => columns.push(entry),
            None => chosen.push((managed_table, vec![entry])),
        }
    }
    if chosen.is_empty() {
        return Err(RunsError::NothingSelected);
    }
    Ok(chosen)
}

/// The managed tables and action columns the selection names, each with its spec column.
fn choose_columns<'t>(
    target: &RunTarget<'t>,
    selection: &RunSelection,
) -> Result<Vec<ChosenTable<'t>>, RunsError> {
    if !selection.only.is_empty() {
        return choose_listed(target, &selection.only);
    }
    let workbook = target.workbook;
    let spec_tables: Vec<&crate::model::Table> = match &selection.table {
        Some(name) => vec![workbook.table(name).ok_or_else(|| {
            RunsError::UnknownTable {
                workbook: workbook.name.text.clone(),
                table: name.clone(),
                known: workbook
                    .tables
                    .iter()
                    .map(|t| t.name.text.clone())
                    .collect(),
                applied: true,
            }
        })?],
        None => workbook.tables.iter().collect(),
    };
    let mut chosen = Vec::new();
    let mut known_action_columns = Vec::new();
    for spec_table in &spec_tables {
        let name = spec_table.name.as_str();
        let managed = target.managed.table(name);
        let mut columns = Vec::new();
        for column in &spec_table.columns {
            if !column.kind.is_action() {
                continue;
            }
            known_action_columns.push(column.name.text.clone());
            let wanted = selection.columns.is_empty()
                || selection.columns.iter().any(|c| c == column.name.as_str());
            if !wanted {
                continue;
            }
            let managed_column = managed.and_then(|t| t.column(column.name.as_str()));
            match (managed, managed_column) {
                (None, _) if selection.table.is_some() || !selection.columns.is_empty() => {
                    return Err(RunsError::TableNotApplied {
                        table: name.to_string(),
                    });
                }
                (None, _) => {}
                (Some(_), None) => {
                    return Err(RunsError::ColumnNotApplied {
                        table: name.to_string(),
                        column: column.name.text.clone(),
                    });
                }
                (Some(_), Some(managed_column)) => columns.push((managed_column, column, false)),
            }
        }
        if let (Some(managed), false) = (managed, columns.is_empty()) {
            chosen.push((managed, columns));
        }
    }
    for wanted in &selection.columns {
        let is_action = known_action_columns.iter().any(|c| c == wanted);
        if is_action {
            continue;
        }
        let other = spec_tables
            .iter()
            .find_map(|t| t.column(wanted).map(|c| (t.name.text.clone(), c)));
        return Err(match other {
            Some((table, column)) => RunsError::NotAnActionColumn {
                table,
                column: wanted.clone(),
                kind: column.kind.keyword().to_string(),
            },
            None => RunsError::UnknownColumn {
                column: wanted.clone(),
                known: known_action_columns,
            },
        });
    }
    if chosen.is_empty() {
        return Err(RunsError::NothingSelected);
    }
    Ok(chosen)
}

async fn prepare_table(
    clay: &ClayClient,
    target: &RunTarget<'_>,
    table: &ManagedTable,
    columns: &[(&ManagedColumn, &Column, bool)],
    selection: &RunSelection,
    options: &RunOptions,
) -> Result<PreparedTable, RunsError> {
    let context = |what: &str| format!("cannot {what} `{}`", table.name);
    let live = clay
        .get_table(&table.table_id)
        .await
        .map_err(|source| RunsError::clay(context("read table"), source))?
        .table;
    let view_id = live
        .views
        .iter()
        .find(|v| v.name == "All rows")
        .map(|v| v.id.clone())
        .or(live.first_view_id.clone())
        .or_else(|| live.views.first().map(|v| v.id.clone()))
        .ok_or_else(|| RunsError::NoView {
            table: table.name.clone(),
        })?;
    let all_ids = clay
        .record_ids(&table.table_id, &view_id)
        .await
        .map_err(|source| RunsError::clay(context("list the rows of table"), source))?;
    let total_rows = all_ids.len();
    let record_ids: Vec<String> = match selection.rows {
        RowSelection::First(n) => all_ids
            .into_iter()
            .take(usize::try_from(n).unwrap_or(usize::MAX))
            .collect(),
        RowSelection::All | RowSelection::NotYetSucceeded => all_ids,
    };
    let before = field_counts(clay, table).await?;
    // Only a partial selection needs its own cells read: otherwise "outside" is empty.
    let selected_before: HashMap<String, StatusCounts> = if record_ids.len() < total_rows {
        let field_ids: Vec<&str> = columns
            .iter()
            .map(|(c, _, _)| c.field_id.as_str())
            .collect();
        let records = clay
            .bulk_fetch_records(&table.table_id, &record_ids, &[])
            .await
            .map_err(|source| {
                RunsError::clay(context("read the selected rows of table"), source)
            })?;
        let mut counts: HashMap<String, StatusCounts> = HashMap::new();
        for record in &records {
            for field_id in &field_ids {
                if let Some(status) = record.cells.get(*field_id).and_then(|c| c.status()) {
                    counts
                        .entry((*field_id).to_string())
                        .or_default()
                        .add(status, 1);
                }
            }
        }
        counts
    } else {
        before.clone()
    };
    let prepared_columns = columns
        .iter()
        .map(|(managed, spec, forced)| {
            let force = options.force || *forced;
            let table_before = before.get(&managed.field_id).cloned().unwrap_or_default();
            let selected = selected_before
                .get(&managed.field_id)
                .cloned()
                .unwrap_or_default();
            let skipped_success = if force { 0 } else { selected.get(SUCCESS) };
            let price = row_price(&spec.kind, target.catalog, target.client);
            PreparedColumn {
                name: managed.name.clone(),
                field_id: managed.field_id.clone(),
                kind: managed.kind.clone(),
                per_row: price.amounts,
                upper_bound: spec.run_if.is_some(),
                scheduled: (record_ids.len() as u64).saturating_sub(skipped_success),
                outside_before: table_before.saturating_sub(&selected),
                skipped_success,
                force,
            }
        })
        .collect();
    Ok(PreparedTable {
        name: table.name.clone(),
        table_id: table.table_id.clone(),
        record_ids,
        columns: prepared_columns,
    })
}

/// Status counts per field id of one table: one `runstatus` call (waiting out `"_pending"`).
pub(crate) async fn field_counts(
    clay: &ClayClient,
    table: &ManagedTable,
) -> Result<HashMap<String, StatusCounts>, RunsError> {
    let answer = clay.run_status(&table.table_id).await.map_err(|source| {
        RunsError::clay(
            format!("cannot read the run status of table `{}`", table.name),
            source,
        )
    })?;
    Ok(answer
        .iter()
        .map(|(field_id, counts)| {
            let counts =
                StatusCounts::from_pairs(counts.iter().map(|c| (c.status.as_str(), c.count)));
            (field_id.clone(), counts)
        })
        .collect())
}

/// Submit the prepared run and wait until every cell it scheduled has finished (or the deadline
/// passes). Does not check budgets: [`run_columns`] does, before calling this.
pub async fn execute_run(
    clay: &ClayClient,
    prepared: &PreparedRun,
    options: &RunOptions,
    hook: &dyn RunHook,
) -> Result<RunReport, RunsError> {
    let started = Instant::now();
    let mut waiting: Vec<usize> = Vec::new();
    for (index, table) in prepared.tables.iter().enumerate() {
        let scheduled = || table.columns.iter().filter(|c| c.scheduled > 0);
        if scheduled().next().is_none() || table.record_ids.is_empty() {
            continue;
        }
        // `forceRun` is per call: forced and unforced columns go in separate calls.
        for force in [false, true] {
            let field_ids: Vec<String> = scheduled()
                .filter(|c| c.force == force)
                .map(|c| c.field_id.clone())
                .collect();
            if field_ids.is_empty() {
                continue;
            }
            for batch in table.record_ids.chunks(RUN_BATCH) {
                clay.run_fields(
                    &table.table_id,
                    &field_ids,
                    RunRecords::RecordIds(batch.to_vec()),
                    force,
                )
                .await
                .map_err(|source| {
                    RunsError::clay(
                        format!("cannot run columns of table `{}`", table.name),
                        source,
                    )
                })?;
            }
        }
        let names: Vec<String> = table
            .columns
            .iter()
            .filter(|c| c.scheduled > 0)
            .map(|c| c.name.clone())
            .collect();
        hook.event(&RunEvent::Submitted {
            table: &table.name,
            columns: &names,
            records: table.record_ids.len(),
        });
        waiting.push(index);
    }

    let mut outcomes: Vec<Vec<StatusCounts>> = prepared
        .tables
        .iter()
        .map(|t| vec![StatusCounts::new(); t.columns.len()])
        .collect();
    let mut quiet_polls = vec![0_u32; prepared.tables.len()];
    let mut interval = options.poll_interval;
    let mut timed_out = false;
    while !waiting.is_empty() {
        let mut still_waiting = Vec::new();
        for &index in &waiting {
            let table = &prepared.tables[index];
            let managed = ManagedTable {
                name: table.name.clone(),
                table_id: table.table_id.clone(),
                webhook_url: None,
                columns: Vec::new(),
            };
            let after = field_counts(clay, &managed).await?;
            let mut in_progress = 0;
            let mut accounted = true;
            for (column_index, column) in table.columns.iter().enumerate() {
                let now = after.get(&column.field_id).cloned().unwrap_or_default();
                let mut skipped = StatusCounts::new();
                skipped.add(SUCCESS, column.skipped_success);
                let own = now
                    .saturating_sub(&column.outside_before)
                    .saturating_sub(&skipped);
                in_progress += own.in_progress();
                if own.finished() < column.scheduled {
                    accounted = false;
                }
                hook.event(&RunEvent::Progress {
                    table: &table.name,
                    column: &column.name,
                    scheduled: column.scheduled,
                    outcomes: &own,
                });
                outcomes[index][column_index] = own;
            }
            if in_progress == 0 {
                quiet_polls[index] += 1;
            } else {
                quiet_polls[index] = 0;
            }
            if in_progress == 0 && (accounted || quiet_polls[index] >= QUIET_POLLS) {
                hook.event(&RunEvent::TableFinished { table: &table.name });
            } else {
                still_waiting.push(index);
            }
        }
        waiting = still_waiting;
        if waiting.is_empty() {
            break;
        }
        if started.elapsed() + interval > options.timeout {
            timed_out = true;
            break;
        }
        tokio::time::sleep(interval).await;
        interval = (interval * 3 / 2).min(options.max_poll_interval);
    }

    Ok(report(prepared, outcomes, timed_out))
}

fn report(prepared: &PreparedRun, outcomes: Vec<Vec<StatusCounts>>, timed_out: bool) -> RunReport {
    let mut estimated = Amounts::ZERO;
    let mut actual = Amounts::ZERO;
    let tables = prepared
        .tables
        .iter()
        .zip(outcomes)
        .map(|(table, outcomes)| TableRunReport {
            table: table.name.clone(),
            records: table.record_ids.len(),
            columns: table
                .columns
                .iter()
                .zip(outcomes)
                .map(|(column, outcomes)| {
                    // Gated rows finish without running the action.
                    let ran =
                        outcomes.finished() - outcomes.of_class(StatusClass::RunConditionNotMet);
                    let column_estimate = column.per_row.times(column.scheduled);
                    let column_actual = column.per_row.times(ran);
                    estimated += column_estimate;
                    actual += column_actual;
                    ColumnRunReport {
                        column: column.name.clone(),
                        kind: column.kind.clone(),
                        scheduled: column.scheduled,
                        outcomes,
                        ran,
                        estimated: column_estimate,
                        actual: column_actual,
                        upper_bound: column.upper_bound,
                    }
                })
                .collect(),
        })
        .collect();
    RunReport {
        workbook: prepared.workbook.clone(),
        force: prepared.force,
        tables,
        estimated,
        actual,
        timed_out,
    }
}
