//! Rows for `plan` and `apply`: reading CSV files (the only file reading rows need), turning
//! inline `rows:` and CSV lines into row batches, previewing and loading them.
//!
//! CSV paths are relative to the spec file. Headers map to columns through `csv.mapping`, else
//! by the same name. [`check_csv_sources`] checks that mapping against each file's header line
//! when the specs are loaded, as diagnostics pointing into the spec (CF501–CF504): a file that
//! can't be read, a mapping from a header the file lacks, a key column no header fills (errors),
//! headers that fill no column (a warning; their values are not loaded). A line without a value
//! for the `key` column, or one the CSV reader can't parse, is skipped and reported with its line
//! number. Loading shows progress for large files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use indexmap::IndexMap;
use serde_json::Value;

use super::clay::Connection;
use super::progress::RowsProgress;
use super::project::Loaded;
use crate::diagnostics::{Diagnostic, DiagnosticKind, did_you_mean};
use crate::engine::rows::{RowBatch, RowsReport, SourceRow, inline_rows, load, preview};
use crate::model::{CsvSource, SourceKind, Table, Workbook};
use crate::provider::wire::workspace::WorkspaceId;
use crate::source::SourceMap;
use crate::state::{State, StateBackend};

/// Rows of one workbook, with the problems found reading them.
pub struct WorkbookRows {
    pub workbook: String,
    pub workspace_id: u64,
    pub state_key: String,
    pub batches: Vec<RowBatch>,
    pub problems: Vec<String>,
}

fn csv_rows(
    spec_folder: &Path,
    table: &Table,
    csv: &CsvSource,
    problems: &mut Vec<String>,
) -> anyhow::Result<RowBatch> {
    let path = spec_folder.join(&csv.path.text);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(&path)
        .with_context(|| {
            format!(
                "cannot read `{}` (the CSV source of table `{}`)",
                path.display(),
                table.name.text
            )
        })?;
    let headers = reader
        .headers()
        .with_context(|| format!("cannot read the header of `{}`", path.display()))?
        .clone();
    // Headers that fill no column were reported when the specs were loaded (CF504).
    let columns: Vec<Option<String>> = headers
        .iter()
        .map(|header| column_of(table, csv, header))
        .collect();
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        // Line 1 is the header.
        let line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(format!("{}:{line}: {error}; line skipped", csv.path.text));
                continue;
            }
        };
        let cells: IndexMap<String, Value> = columns
            .iter()
            .zip(record.iter())
            .filter_map(|(column, value)| column.as_ref().map(|c| (c.clone(), Value::from(value))))
            .filter(|(_, value)| value.as_str().is_some_and(|s| !s.is_empty()))
            .collect();
        let key = match &csv.key {
            Some(key) => match cells.get(key.as_str()).and_then(Value::as_str) {
                Some(value) => value.to_string(),
                None => {
                    problems.push(format!(
                        "{}:{line}: no value for key column `{}`; line skipped",
                        csv.path.text, key.text
                    ));
                    continue;
                }
            },
            None => {
                crate::plan::saved::fingerprint(&Value::Object(cells.clone().into_iter().collect()))
            }
        };
        rows.push(SourceRow { key, cells });
    }
    Ok(RowBatch {
        table: table.name.text.clone(),
        origin: csv.path.text.clone(),
        rows,
    })
}

/// The column a CSV header fills: the one `mapping:` names, else the same-named one, if any.
fn column_of(table: &Table, csv: &CsvSource, header: &str) -> Option<String> {
    let column = csv.mapping.get(header).map_or(header, |c| c.text.as_str());
    table.column(column).map(|_| column.to_string())
}

fn spec_folder(sources: &SourceMap, workbook: &Workbook) -> PathBuf {
    sources
        .get(workbook.file)
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Check every CSV source of `workbook` against its file's header line (only that line is
/// read): diagnostics CF501–CF504, pointing into the spec.
pub fn check_csv_sources(sources: &SourceMap, workbook: &Workbook) -> Vec<Diagnostic> {
    let folder = spec_folder(sources, workbook);
    let mut diagnostics = Vec::new();
    for table in &workbook.tables {
        let Some(SourceKind::Csv(csv)) = table.source.as_ref().map(|s| &s.kind) else {
            continue;
        };
        let path = &csv.path.text;
        let headers = ::csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_path(folder.join(path))
            .and_then(|mut reader| reader.headers().cloned());
        let headers: Vec<String> = match headers {
            Ok(headers) if !headers.iter().all(str::is_empty) => {
                headers.iter().map(str::to_string).collect()
            }
            Ok(_) => {
                diagnostics.push(
                    Diagnostic::new(
                        DiagnosticKind::CsvUnreadable {
                            path: path.clone(),
                            reason: "the file has no header line".into(),
                        },
                        csv.path.span,
                    )
                    .with_help("the first line of a CSV source names its columns"),
                );
                continue;
            }
            Err(error) => {
                let reason = match error.kind() {
                    ::csv::ErrorKind::Io(io) => io.to_string(),
                    _ => error.to_string(),
                };
                diagnostics.push(
                    Diagnostic::new(
                        DiagnosticKind::CsvUnreadable {
                            path: path.clone(),
                            reason,
                        },
                        csv.path.span,
                    )
                    .with_primary_label("relative to this spec file's folder"),
                );
                continue;
            }
        };
        for (header, column) in &csv.mapping {
            if headers.iter().any(|h| h == header) {
                continue;
            }
            let mut diagnostic = Diagnostic::new(
                DiagnosticKind::CsvMissingHeader {
                    header: header.clone(),
                    path: path.clone(),
                },
                column.span,
            )
            .with_primary_label(format!("mapped from header `{header}`"));
            if let Some(help) = did_you_mean(header, headers.iter().map(String::as_str)) {
                diagnostic = diagnostic.with_help(help);
            } else {
                diagnostic = diagnostic.with_help(format!("its headers: {}", headers.join(", ")));
            }
            diagnostics.push(diagnostic);
        }
        // A key or mapping naming no column of the table is CF203 already.
        if let Some(key) = csv
            .key
            .as_ref()
            .filter(|k| table.column(k.as_str()).is_some())
        {
            let filled = headers
                .iter()
                .any(|h| column_of(table, csv, h).as_deref() == Some(key.as_str()));
            if !filled {
                let help = did_you_mean(key.as_str(), headers.iter().map(String::as_str))
                    .map(|m| format!("{m} (map it: `mapping: {{<header>: {}}}`)", key.text))
                    .unwrap_or_else(|| {
                        format!(
                            "map the header that holds it: `mapping: {{<header>: {}}}`",
                            key.text
                        )
                    });
                diagnostics.push(
                    Diagnostic::new(
                        DiagnosticKind::CsvKeyNotFilled {
                            key: key.text.clone(),
                            path: path.clone(),
                        },
                        key.span,
                    )
                    .with_help(help),
                );
            }
        }
        let ignored: Vec<String> = headers
            .iter()
            .filter(|h| !h.is_empty() && !csv.mapping.contains_key(*h) && table.column(h).is_none())
            .cloned()
            .collect();
        if !ignored.is_empty() {
            diagnostics.push(
                Diagnostic::new(
                    DiagnosticKind::CsvHeadersIgnored {
                        headers: ignored,
                        path: path.clone(),
                        table: table.name.text.clone(),
                    },
                    csv.path.span,
                )
                .with_help("add columns for them, or map them to columns with `mapping:`"),
            );
        }
    }
    diagnostics
}

/// The row batches of every workbook in `loaded` that has row sources.
pub fn read_all(loaded: &Loaded, workspace_ids: &[u64]) -> anyhow::Result<Vec<WorkbookRows>> {
    let mut all = Vec::new();
    for (workbook, workspace_id) in loaded.workbooks.iter().zip(workspace_ids) {
        let rows = read_workbook(loaded, workbook, *workspace_id)?;
        if !rows.batches.is_empty() || !rows.problems.is_empty() {
            all.push(rows);
        }
    }
    Ok(all)
}

fn read_workbook(
    loaded: &Loaded,
    workbook: &Workbook,
    workspace_id: u64,
) -> anyhow::Result<WorkbookRows> {
    let spec_folder = spec_folder(&loaded.sources, workbook);
    let mut batches = Vec::new();
    let mut problems = Vec::new();
    for table in &workbook.tables {
        match table.source.as_ref().map(|s| &s.kind) {
            Some(SourceKind::Rows(_)) => batches.extend(inline_rows(table)),
            Some(SourceKind::Csv(csv)) => {
                batches.push(csv_rows(&spec_folder, table, csv, &mut problems)?)
            }
            _ => {}
        }
    }
    Ok(WorkbookRows {
        workbook: workbook.name.text.clone(),
        workspace_id,
        state_key: StateBackend::key_for(workspace_id, workbook.name.as_str()),
        batches,
        problems,
    })
}

/// What loading would add, per table (tables not created yet get all their rows).
pub async fn previews(
    connection: &Connection,
    backend: &StateBackend,
    all: &[WorkbookRows],
) -> anyhow::Result<Vec<RowsReport>> {
    let mut reports = Vec::new();
    for rows in all {
        let clay = connection
            .client
            .with_workspace_id(WorkspaceId(rows.workspace_id));
        let state = backend
            .load(&rows.state_key)?
            .unwrap_or_else(|| State::new(&rows.workbook, rows.workspace_id));
        for batch in &rows.batches {
            let in_state = state
                .get(&crate::state::Address::table(&rows.workbook, &batch.table))
                .is_some();
            reports.push(if in_state {
                preview(&clay, &state, &rows.workbook, batch).await?
            } else {
                RowsReport {
                    table: batch.table.clone(),
                    origin: batch.origin.clone(),
                    total: batch.rows.len(),
                    added: batch.rows.len(),
                    ..RowsReport::default()
                }
            });
        }
    }
    Ok(reports)
}

/// Load every batch whose table is in state, with progress on stderr for large batches.
pub async fn load_all(
    connection: &Connection,
    backend: &StateBackend,
    all: &[WorkbookRows],
) -> anyhow::Result<Vec<RowsReport>> {
    let mut reports = Vec::new();
    for rows in all {
        let clay = connection
            .client
            .with_workspace_id(WorkspaceId(rows.workspace_id));
        let Some(state) = backend.load(&rows.state_key)? else {
            continue;
        };
        for batch in &rows.batches {
            let progress = std::sync::Mutex::new(RowsProgress::new(&batch.table));
            let update = |done: usize, total: usize| {
                progress.lock().expect("progress mutex").update(done, total);
            };
            let report = load(&clay, &state, &rows.workbook, batch, &update).await;
            progress.lock().expect("progress mutex").finish();
            reports.push(report?);
        }
    }
    Ok(reports)
}

/// Problems and the row summary, for stderr.
pub fn render(all: &[WorkbookRows], reports: &[RowsReport], done: bool) -> String {
    let mut out = String::new();
    for problem in all.iter().flat_map(|r| r.problems.iter()) {
        let _ = writeln!(out, "warning: {problem}");
    }
    for report in reports {
        let verb = if done { "added" } else { "to add" };
        let _ = write!(
            out,
            "rows: table `{}`: {} {verb} from {} ({} already in Clay",
            report.table, report.added, report.origin, report.already_present
        );
        if report.no_longer_in_source > 0 {
            let _ = write!(
                out,
                "; {} no longer in the source, kept",
                report.no_longer_in_source
            );
        }
        out.push_str(")\n");
    }
    out
}
