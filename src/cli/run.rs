//! `clayform run PATH [--table T] [--columns A,B] [--rows N | --all] [--force]
//! [--allow-over-budget]`: run action columns of applied workbooks on rows, with live progress.
//!
//! Order: load the specs, find each workbook's ids in state (not applied → error), read what
//! the run would execute and estimate it, check every budget of every workbook before anything
//! runs (over budget → exit 1 unless `--allow-over-budget`), then run and wait, showing progress
//! on stderr (a bar per column on a terminal, plain lines otherwise). The outcome table and the
//! actual vs estimated cost go to stdout. Exit 1 when any cell ended in an error.
//! Must not know: Clay's JSON, the state file format; the work itself is `runs`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::{GlobalArgs, RunArgs};
use super::clay::{Connection, Targets, connect, project_root, runtime};
use super::plan::backend;
use super::project::{Loaded, load};
use super::status::{error_summary, write_table};
use crate::cost::{Amounts, BudgetState, trim_number};
use crate::diagnostics::DiagnosticKind;
use crate::engine::{WorkbookPlan, reruns};
use crate::plan::{Action, Plan};
use crate::provider::{ClayClient, WorkspaceId};
use crate::runs::{
    ColumnChoice, ManagedWorkbook, PreparedRun, RowSelection, RunEstimate, RunEvent, RunHook,
    RunOptions, RunReport, RunSelection, RunTarget, RunsError, StatusCounts, execute_run,
    prepare_run,
};
use crate::state::{ObjectPath, ResourceKind, StateBackend};

/// How long `run` waits for cells to finish, in seconds (the cells go on in Clay after it).
const TIMEOUT_VARIABLE: &str = "CLAYFORM_RUN_TIMEOUT";

pub fn run(global: &GlobalArgs, args: RunArgs) -> anyhow::Result<u8> {
    let loaded = match load_for_run(global, std::slice::from_ref(&args.path))? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let selection = RunSelection {
        table: args.table.clone(),
        columns: args
            .columns
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect(),
        only: Vec::new(),
        rows: match (args.rows, args.all) {
            (Some(rows), _) => RowSelection::First(rows),
            (None, true) => RowSelection::All,
            (None, false) => RowSelection::NotYetSucceeded,
        },
    };
    let options = RunOptions {
        force: args.force,
        allow_over_budget: args.allow_over_budget,
        timeout: timeout_from_env()?,
        ..RunOptions::default()
    };
    let backend = backend(&loaded)?;
    let connection = connect(&project_root(&loaded))?;
    let runtime = runtime()?;
    let targets = runtime.block_on(Targets::resolve(&loaded, &connection.client))?;

    // Every workbook the selection touches, with its ids from state.
    let mut chosen = Vec::new();
    for index in 0..loaded.workbooks.len() {
        let target = targets.target(&loaded, index);
        if let Some(table) = &selection.table
            && target.workbook.table(table).is_none()
        {
            continue;
        }
        let state = backend
            .load(&target.state_key())
            .with_context(|| format!("cannot read the state of `{}`", target.name()))?;
        let Some(state) = state else {
            bail!(
                "workbook `{}` has not been applied yet: there is nothing to run\n\nhint: run \
                 `clayform apply` first",
                target.name()
            );
        };
        chosen.push((
            target,
            ManagedWorkbook::from_state(&state, Some(target.workbook)),
        ));
    }
    if chosen.is_empty() {
        let table = selection.table.as_deref().unwrap_or_default();
        bail!(
            "no workbook in `{}` has a table `{table}`",
            args.path.display()
        );
    }

    // Read and estimate everything first: nothing runs unless every workbook is within budget.
    let mut prepared: Vec<(PreparedRun, ClayClient)> = Vec::new();
    for (target, managed) in &chosen {
        let clay = connection
            .client
            .with_workspace_id(WorkspaceId(target.workspace_id));
        let run_target = RunTarget {
            workbook: target.workbook,
            managed,
            catalog: target.catalog,
            client: target.client,
        };
        let run = runtime
            .block_on(prepare_run(&clay, &run_target, &selection, &options))
            .with_context(|| format!("cannot prepare the run of `{}`", target.name()))?;
        eprint!("{}", render_estimate(&run.estimate));
        prepared.push((run, clay));
    }
    if let Some((over, _)) = prepared.iter().find(|(run, _)| run.estimate.over_budget())
        && !options.allow_over_budget
    {
        return Err(RunsError::OverBudget {
            estimate: Box::new(over.estimate.clone()),
        }
        .into());
    }

    runtime.block_on(execute_prepared(&prepared, &options))
}

/// `apply --run`: after a successful apply, run the action columns its plans created, replaced
/// or changed in a way that alters their results (`engine::reruns`, the rule behind the plan's
/// cost lines). New columns run where they never ran; changed ones re-run on every row
/// (`forceRun`), which is what the plan's "re-runs N rows" said. The estimate is shown and the
/// budgets checked first, as `run` does; over budget, nothing runs and apply still succeeded.
pub(super) async fn run_applied(
    connection: &Connection,
    loaded: &Loaded,
    backend: &StateBackend,
    plans: &[WorkbookPlan],
) -> anyhow::Result<u8> {
    let targets = Targets::resolve(loaded, &connection.client).await?;
    let options = RunOptions {
        timeout: timeout_from_env()?,
        ..RunOptions::default()
    };
    let mut prepared = Vec::new();
    for (index, planned) in plans.iter().enumerate() {
        let target = targets.target(loaded, index);
        let only = applied_columns(&target, &planned.plan);
        if only.is_empty() {
            continue;
        }
        let Some(state) = backend
            .load(&target.state_key())
            .with_context(|| format!("cannot read the state of `{}`", target.name()))?
        else {
            continue;
        };
        let managed = ManagedWorkbook::from_state(&state, Some(target.workbook));
        let clay = connection
            .client
            .with_workspace_id(WorkspaceId(target.workspace_id));
        let run_target = RunTarget {
            workbook: target.workbook,
            managed: &managed,
            catalog: target.catalog,
            client: target.client,
        };
        let selection = RunSelection {
            only,
            ..RunSelection::default()
        };
        let run = prepare_run(&clay, &run_target, &selection, &options)
            .await
            .with_context(|| format!("cannot prepare the run of `{}`", target.name()))?;
        eprint!("\n{}", render_estimate(&run.estimate));
        prepared.push((run, clay));
    }
    if prepared.is_empty() {
        eprintln!("\n--run: no new or changed enrichment or AI column to run.");
        return Ok(super::EXIT_OK);
    }
    if prepared.iter().any(|(run, _)| run.estimate.over_budget()) {
        eprintln!(
            "error: the run is over budget, so nothing was run (the apply itself succeeded)\n\n\
             hint: `clayform run --allow-over-budget` runs it anyway"
        );
        return Ok(super::EXIT_ERROR);
    }
    execute_prepared(&prepared, &options).await
}

/// The new, replaced and changed action columns of an applied plan, changed ones forced.
fn applied_columns(target: &crate::engine::Target<'_>, plan: &Plan) -> Vec<ColumnChoice> {
    plan.changes
        .iter()
        .filter(|change| change.kind == ResourceKind::Column && reruns(change))
        .filter_map(|change| {
            let ObjectPath::Column { table, column } = &change.address.path else {
                return None;
            };
            let spec = target.workbook.table(table)?.column(column)?;
            spec.kind.is_action().then(|| ColumnChoice {
                table: table.clone(),
                column: column.clone(),
                force: change.action == Action::Update,
            })
        })
        .collect()
}

/// Run what was prepared, one workbook after another, with progress on stderr and the outcome
/// tables on stdout. Exit 1 when a cell ended in an error or the wait timed out.
async fn execute_prepared(
    prepared: &[(PreparedRun, ClayClient)],
    options: &RunOptions,
) -> anyhow::Result<u8> {
    let mut out = String::new();
    let mut failed = false;
    for (run, clay) in prepared {
        if run.is_empty() {
            eprintln!(
                "nothing to run in `{}`: every selected cell already succeeded\n\nhint: pass \
                 `--force` to run them again",
                run.workbook
            );
            continue;
        }
        let hook = Progress::new();
        let report = execute_run(clay, run, options, &hook)
            .await
            .with_context(|| format!("the run of `{}` failed", run.workbook))?;
        hook.finish();
        render_report(&mut out, &report);
        if report.timed_out {
            eprintln!(
                "error: cells of `{}` were still running after {}s; they go on in Clay\n\nhint: \
                 `clayform status` shows where they stand; {TIMEOUT_VARIABLE} sets the wait",
                run.workbook,
                options.timeout.as_secs()
            );
        }
        failed |= !report.succeeded();
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(if failed {
        super::EXIT_ERROR
    } else {
        super::EXIT_OK
    })
}

/// Load the specs and stop at errors, like every command — except that the spec's whole-workbook
/// budget check (CF401, CF402) does not stop `run` or `status`: a run's own estimate, from the
/// rows it will really run, is checked against the same budgets before anything runs, and
/// `status` only reads.
pub(super) fn load_for_run(
    global: &GlobalArgs,
    paths: &[PathBuf],
) -> anyhow::Result<Result<Loaded, u8>> {
    let mut loaded = load(global, paths)?;
    loaded.diagnostics.retain(|d| {
        !matches!(
            d.kind,
            DiagnosticKind::BudgetExceeded { .. } | DiagnosticKind::BudgetNearlyExceeded { .. }
        )
    });
    if !loaded.diagnostics.is_empty() {
        let options = super::diagnostics::RenderOptions {
            color: super::render::use_color(),
            ..Default::default()
        };
        let text = super::diagnostics::render_human(&loaded.sources, &loaded.diagnostics, options);
        eprint!("{text}");
    }
    if loaded.error_count() > 0 {
        eprintln!(
            "{}",
            super::diagnostics::summary(&loaded.diagnostics, loaded.spec_files)
        );
        return Ok(Err(super::EXIT_ERROR));
    }
    Ok(Ok(loaded))
}

fn timeout_from_env() -> anyhow::Result<Duration> {
    let Ok(text) = std::env::var(TIMEOUT_VARIABLE) else {
        return Ok(RunOptions::default().timeout);
    };
    let seconds: u64 = text
        .trim()
        .parse()
        .with_context(|| format!("{TIMEOUT_VARIABLE} must be whole seconds, found `{text}`"))?;
    Ok(Duration::from_secs(seconds))
}

fn le(upper_bound: bool) -> &'static str {
    if upper_bound { "≤" } else { "" }
}

fn number(value: f64) -> String {
    trim_number((value * 10.0).round() / 10.0)
}

fn amounts(value: Amounts, upper_bound: bool) -> String {
    format!(
        "{mark}{} actions, {mark}{} data credits",
        number(value.actions),
        number(value.data_credits),
        mark = le(upper_bound)
    )
}

/// The estimate and the budgets, before anything runs (stderr).
fn render_estimate(estimate: &RunEstimate) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "run of `{}`{}: {} cell{} to run, {} (from the catalog's prices)",
        estimate.workbook,
        if estimate.force { " (forced)" } else { "" },
        estimate.cells(),
        if estimate.cells() == 1 { "" } else { "s" },
        amounts(estimate.total, estimate.upper_bound),
    );
    for column in &estimate.columns {
        let _ = writeln!(
            out,
            "  {}.{}: {} of {} rows, {}",
            column.table,
            column.column,
            column.cells,
            column.rows_selected,
            amounts(column.total, column.upper_bound)
        );
    }
    for budget in &estimate.budgets {
        let verdict = match budget.state {
            BudgetState::Ok => "ok",
            BudgetState::Near => "warning: at 90% or more",
            BudgetState::Over => "error: over budget",
        };
        let _ = writeln!(
            out,
            "  budget {}: {}{} of {} {} `{}` — {verdict}",
            budget.scope,
            le(budget.upper_bound),
            number(budget.estimated),
            trim_number(budget.limit),
            budget.unit.label(),
            budget.setting,
        );
    }
    if estimate.upper_bound {
        out.push_str("  ≤ an upper bound: `run_if`-gated columns are counted on every row\n");
    }
    out
}

/// The outcome table of one workbook (stdout).
fn render_report(out: &mut String, report: &RunReport) {
    let _ = writeln!(
        out,
        "run of `{}`{}",
        report.workbook,
        if report.force { " (forced)" } else { "" }
    );
    for table in &report.tables {
        let _ = writeln!(
            out,
            "  table `{}`: {} row{} submitted",
            table.table,
            table.records,
            if table.records == 1 { "" } else { "s" }
        );
        let headers = [
            "column",
            "kind",
            "cells",
            "success",
            "no data",
            "not met",
            "running",
            "errors",
            "actions",
            "data credits",
        ];
        let rows: Vec<Vec<String>> = table
            .columns
            .iter()
            .map(|column| {
                let o = &column.outcomes;
                vec![
                    column.column.clone(),
                    column.kind.clone(),
                    column.scheduled.to_string(),
                    o.get(crate::runs::counts::SUCCESS).to_string(),
                    o.get(crate::runs::counts::SUCCESS_NO_DATA).to_string(),
                    o.get(crate::runs::counts::RUN_CONDITION_NOT_MET)
                        .to_string(),
                    o.in_progress().to_string(),
                    error_summary(o.errors()),
                    format!(
                        "{} / {}{}",
                        number(column.actual.actions),
                        le(column.upper_bound),
                        number(column.estimated.actions)
                    ),
                    format!(
                        "{} / {}{}",
                        number(column.actual.data_credits),
                        le(column.upper_bound),
                        number(column.estimated.data_credits)
                    ),
                ]
            })
            .collect();
        write_table(out, "    ", &headers, &rows, &[2, 3, 4, 5, 6, 8, 9]);
    }
    let upper_bound = report.columns().any(|c| c.upper_bound);
    let _ = writeln!(
        out,
        "cost: {} actual, {} estimated",
        amounts(report.actual, false),
        amounts(report.estimated, upper_bound)
    );
    out.push_str(
        "  actual = cells that ran × the catalog's per-row price (Clay does not report what each \
         cell cost); gated rows (not met) are not counted\n",
    );
    let errors = report.errors();
    if errors > 0 {
        let _ = writeln!(
            out,
            "{errors} cell{} ended in an error",
            if errors == 1 { "" } else { "s" }
        );
    }
    out.push('\n');
}

/// Progress on stderr: a bar per column on a terminal, plain lines (at most one every few
/// seconds per column, and the last one) otherwise.
struct Progress {
    bars: Option<MultiProgress>,
    state: Mutex<HashMap<String, ColumnProgress>>,
}

struct ColumnProgress {
    bar: Option<ProgressBar>,
    last_line: Option<Instant>,
    last_finished: Option<u64>,
}

/// How often a plain progress line repeats for a column that moves.
const LINE_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    fn new() -> Progress {
        let terminal = std::io::stderr().is_terminal();
        Progress {
            bars: terminal.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
            state: Mutex::new(HashMap::new()),
        }
    }

    fn finish(&self) {
        let state = self.state.lock().expect("progress mutex");
        for column in state.values() {
            if let Some(bar) = &column.bar {
                bar.finish();
            }
        }
    }
}

fn progress_text(scheduled: u64, outcomes: &StatusCounts) -> String {
    let queued = outcomes.get("QUEUED");
    let running = outcomes.in_progress() - queued;
    let mut parts = vec![
        format!("{}/{scheduled} done", outcomes.finished()),
        format!("queued {queued}"),
        format!("running {running}"),
        format!("success {}", outcomes.get(crate::runs::counts::SUCCESS)),
    ];
    let no_data = outcomes.get(crate::runs::counts::SUCCESS_NO_DATA);
    if no_data > 0 {
        parts.push(format!("no data {no_data}"));
    }
    let not_met = outcomes.get(crate::runs::counts::RUN_CONDITION_NOT_MET);
    if not_met > 0 {
        parts.push(format!("not met {not_met}"));
    }
    if outcomes.error_total() > 0 {
        parts.push(format!("errors: {}", error_summary(outcomes.errors())));
    }
    parts.join(", ")
}

impl RunHook for Progress {
    fn event(&self, event: &RunEvent<'_>) {
        match event {
            RunEvent::Estimated(_) => {}
            RunEvent::Submitted {
                table,
                columns,
                records,
            } => {
                let line = format!(
                    "{table}: running {} on {records} row{}",
                    columns.join(", "),
                    if *records == 1 { "" } else { "s" }
                );
                match &self.bars {
                    Some(bars) => {
                        let _ = bars.println(line);
                    }
                    None => eprintln!("{line}"),
                }
            }
            RunEvent::Progress {
                table,
                column,
                scheduled,
                outcomes,
            } => {
                let key = format!("{table}.{column}");
                let mut state = self.state.lock().expect("progress mutex");
                let entry = state.entry(key.clone()).or_insert_with(|| ColumnProgress {
                    bar: self.bars.as_ref().map(|bars| {
                        let bar = bars.add(ProgressBar::new(*scheduled));
                        bar.set_style(
                            ProgressStyle::with_template("{prefix:>24} [{bar:30}] {msg}")
                                .unwrap_or_else(|_| ProgressStyle::default_bar())
                                .progress_chars("=> "),
                        );
                        bar.set_prefix(key.clone());
                        bar
                    }),
                    last_line: None,
                    last_finished: None,
                });
                let text = progress_text(*scheduled, outcomes);
                if let Some(bar) = &entry.bar {
                    bar.set_position(outcomes.finished().min(*scheduled));
                    bar.set_message(text);
                    return;
                }
                let finished = outcomes.finished();
                let done = finished >= *scheduled && outcomes.in_progress() == 0;
                let moved = entry.last_finished != Some(finished);
                let due = entry.last_line.is_none_or(|at| at.elapsed() >= LINE_EVERY);
                if moved && (due || done) {
                    eprintln!("{key}: {text}");
                    entry.last_line = Some(Instant::now());
                    entry.last_finished = Some(finished);
                }
            }
            RunEvent::TableFinished { table } => {
                if self.bars.is_none() {
                    eprintln!("{table}: finished");
                }
            }
        }
    }
}
