//! `clayform status [PATH] [--format human|json]`: workbooks → tables → rows → the run state of
//! every managed column that runs, read from Clay (one `count` and one `runstatus` per table).
//!
//! Which workbooks: those of the specs in PATH; without PATH, those of the project's spec folder;
//! without specs, every workbook in state. Ids come from state; a spec never applied is listed as
//! such. JSON on stdout is `runs::StatusReport` (versioned by `format_version`).
//! Must not know: Clay's JSON, the state file format.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context;

use super::args::{GlobalArgs, OutputFormat, StatusArgs};
use super::clay::{Connection, Targets, connect, project_root, runtime};
use super::plan::backend;
use super::project::{Loaded, collect, load_project};
use crate::provider::WorkspaceId;
use crate::runs::{
    ManagedWorkbook, StatusReport, WorkbookStatus, not_applied, read_status, status_label,
};
use crate::state::StateBackend;

pub fn run(global: &GlobalArgs, args: StatusArgs) -> anyhow::Result<u8> {
    let loaded = match specs_to_read(global, args.path.as_ref())? {
        Some(paths) => match super::run::load_for_run(global, &paths)? {
            Ok(loaded) => loaded,
            Err(code) => return Ok(code),
        },
        None => load_project(global)?,
    };
    let backend = backend(&loaded)?;
    let connection = connect(&project_root(&loaded))?;
    let report = runtime()?.block_on(read_all(&connection, &loaded, &backend))?;
    let text = match args.format {
        OutputFormat::Json => {
            let mut text = serde_json::to_string_pretty(&report)?;
            text.push('\n');
            text
        }
        OutputFormat::Human => render_human(&report),
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(super::EXIT_OK)
}

/// The spec paths to load: PATH, else the project's spec folder when it has specs, else none
/// (status then lists every workbook in state).
fn specs_to_read(
    global: &GlobalArgs,
    path: Option<&PathBuf>,
) -> anyhow::Result<Option<Vec<PathBuf>>> {
    if let Some(path) = path {
        return Ok(Some(vec![path.clone()]));
    }
    let project = load_project(global)?;
    let Some(project_path) = &project.project_path else {
        return Ok(None);
    };
    let folder = project_path.parent().map(PathBuf::from).unwrap_or_default();
    let specs = folder.join(
        project
            .project
            .as_ref()
            .and_then(|p| p.specs_dir.as_deref())
            .unwrap_or("specs"),
    );
    let has_specs = specs.is_dir() && !collect(std::slice::from_ref(&specs))?.is_empty();
    Ok(has_specs.then(Vec::new))
}

async fn read_all(
    connection: &Connection,
    loaded: &Loaded,
    backend: &StateBackend,
) -> anyhow::Result<StatusReport> {
    let mut workbooks = Vec::new();
    if loaded.workbooks.is_empty() {
        let states = backend
            .list()
            .with_context(|| format!("cannot read state in `{}`", backend.location()))?;
        for (_, state) in states {
            let managed = ManagedWorkbook::from_state(&state, None);
            workbooks.push(read_one(connection, &managed).await?);
        }
        return Ok(StatusReport::new(workbooks));
    }
    let targets = Targets::resolve(loaded, &connection.client).await?;
    for index in 0..loaded.workbooks.len() {
        let target = targets.target(loaded, index);
        let state = backend
            .load(&target.state_key())
            .with_context(|| format!("cannot read the state of `{}`", target.name()))?;
        let status = match state {
            Some(state) => {
                let managed = ManagedWorkbook::from_state(&state, Some(target.workbook));
                read_one(connection, &managed).await?
            }
            None => not_applied(target.name(), target.workspace_id),
        };
        workbooks.push(status);
    }
    Ok(StatusReport::new(workbooks))
}

async fn read_one(
    connection: &Connection,
    managed: &ManagedWorkbook,
) -> anyhow::Result<WorkbookStatus> {
    let clay = connection
        .client
        .with_workspace_id(WorkspaceId(managed.workspace_id));
    read_status(&clay, managed)
        .await
        .with_context(|| format!("cannot read the status of workbook `{}`", managed.name))
}

fn render_human(report: &StatusReport) -> String {
    let mut out = String::new();
    if report.workbooks.is_empty() {
        out.push_str("No managed workbooks: state is empty.\n");
        return out;
    }
    for workbook in &report.workbooks {
        let _ = write!(out, "workbook `{}`", workbook.workbook);
        match &workbook.workbook_id {
            Some(id) => {
                let _ = writeln!(out, " ({id}, workspace {})", workbook.workspace_id);
            }
            None => {
                let _ = writeln!(out, " (workspace {})", workbook.workspace_id);
            }
        }
        if !workbook.applied {
            out.push_str("  not applied yet: run `clayform apply`\n\n");
            continue;
        }
        for table in &workbook.tables {
            let _ = writeln!(
                out,
                "  table `{}` ({}): {} row{}",
                table.table,
                table.table_id,
                table.rows,
                if table.rows == 1 { "" } else { "s" }
            );
            if let Some(url) = &table.webhook_url {
                let _ = writeln!(out, "    webhook: {url}");
            }
            if table.columns.is_empty() {
                let _ = writeln!(
                    out,
                    "    no columns that run ({} other column{})",
                    table.other_columns,
                    if table.other_columns == 1 { "" } else { "s" }
                );
                continue;
            }
            let headers = [
                "column", "kind", "state", "fill", "success", "no data", "not met", "running",
                "errors",
            ];
            let rows: Vec<Vec<String>> = table
                .columns
                .iter()
                .map(|column| {
                    let state = if column.missing_in_clay {
                        "missing in Clay".to_string()
                    } else {
                        column.run_state.label().to_string()
                    };
                    vec![
                        column.column.clone(),
                        column.kind.clone(),
                        state,
                        column.fill_rate.map_or_else(
                            || "-".to_string(),
                            |rate| format!("{:.0}%", rate * 100.0),
                        ),
                        column.success.to_string(),
                        column.no_data.to_string(),
                        column.run_condition_not_met.to_string(),
                        column.in_progress.to_string(),
                        error_summary(column.errors.iter()),
                    ]
                })
                .collect();
            write_table(&mut out, "    ", &headers, &rows, &[3, 4, 5, 6, 7]);
            if table.other_columns > 0 {
                let _ = writeln!(
                    out,
                    "    (+{} column{} that don't run)",
                    table.other_columns,
                    if table.other_columns == 1 { "" } else { "s" }
                );
            }
        }
        out.push('\n');
    }
    out.push_str(
        "fill = success ÷ rows; not met = the column's `run_if` excluded the row (not an error)\n",
    );
    out
}

/// `bad request 2, out of credits 1`, or `-`.
pub(super) fn error_summary<'a>(errors: impl Iterator<Item = (&'a str, u64)>) -> String {
    let parts: Vec<String> = errors
        .map(|(status, count)| format!("{} {count}", status_label(status)))
        .collect();
    if parts.is_empty() {
        "-".to_string()
    } else {
        parts.join(", ")
    }
}

/// A plain-text table: columns padded to their widest cell, `numeric` ones right-aligned.
pub(super) fn write_table(
    out: &mut String,
    indent: &str,
    headers: &[&str],
    rows: &[Vec<String>],
    numeric: &[usize],
) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::from(indent);
        for (index, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(width - cell.chars().count());
            if numeric.contains(&index) {
                text.push_str(&pad);
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&pad);
            }
            text.push_str("  ");
        }
        text.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(headers.to_vec()));
    for row in rows {
        let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
    }
}
