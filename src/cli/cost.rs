//! `clayform cost PATH [--format human|json]`: actions, data credits and legacy credits per
//! column, table and workbook, against budgets.
//!
//! Owns: the one piece of I/O the pure estimate can't do — counting a CSV source's data rows when
//! the spec gives no `expected_rows` — and printing the report (a table per workbook, or the
//! `CostReport` as JSON on stdout). Exit 1 when the specs have errors or a budget is exceeded.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use super::args::{CostArgs, GlobalArgs, OutputFormat};
use crate::cost::{BudgetState, CostReport, WorkbookCost, estimate, trim_number};
use crate::model::{SourceKind, Workbook};
use crate::source::SourceMap;

pub fn run(global: &GlobalArgs, args: &CostArgs) -> anyhow::Result<u8> {
    let mut loaded = super::project::load(global, std::slice::from_ref(&args.path))?;
    if loaded.error_count() > 0 {
        // Budgets are the one kind of error a cost report still makes sense with.
        let only_budgets = loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .all(|d| d.code() == "CF401");
        if !only_budgets {
            super::diagnostics::print_loaded(&loaded)?;
            return Ok(super::EXIT_ERROR);
        }
    }
    for workbook in &mut loaded.workbooks {
        count_csv_rows(workbook, &loaded.sources);
    }
    let report = CostReport::new(
        loaded
            .workbooks
            .iter()
            .map(|w| estimate(w, &loaded.catalog, loaded.project.as_ref()))
            .collect(),
    );
    let text = match args.format {
        OutputFormat::Json => {
            let mut json = serde_json::to_string_pretty(&report)?;
            json.push('\n');
            json
        }
        OutputFormat::Human => render(&report),
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(if report.over_budget {
        super::EXIT_ERROR
    } else {
        super::EXIT_OK
    })
}

/// Fill `expected_rows` of CSV sources that don't set it with the file's data-row count. A file
/// that can't be read stays unknown (the estimate then notes 0 rows).
fn count_csv_rows(workbook: &mut Workbook, sources: &SourceMap) {
    let spec_folder = sources
        .get(workbook.file)
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for table in &mut workbook.tables {
        let Some(SourceKind::Csv(csv)) = table.source.as_mut().map(|s| &mut s.kind) else {
            continue;
        };
        if csv.expected_rows.is_some() {
            continue;
        }
        let path = spec_folder.join(&csv.path.text);
        if let Ok(mut reader) = csv::ReaderBuilder::new().has_headers(true).from_path(&path) {
            let rows = reader.records().filter(Result::is_ok).count();
            csv.expected_rows = Some(rows as u64);
        }
    }
}

fn render(report: &CostReport) -> String {
    let mut out = String::new();
    for workbook in &report.workbooks {
        render_workbook(&mut out, workbook);
    }
    if report.workbooks.len() > 1 {
        let t = report.total;
        let _ = writeln!(
            out,
            "all workbooks: {}{} actions, {}{} data credits, {}{} legacy credits",
            le(report.upper_bound),
            number(t.actions),
            le(report.upper_bound),
            number(t.data_credits),
            le(report.upper_bound),
            number(t.legacy_credits)
        );
    }
    if report.upper_bound {
        out.push_str("\n≤ an upper bound: `run_if`-gated columns are counted on every row\n");
    }
    out
}

fn render_workbook(out: &mut String, workbook: &WorkbookCost) {
    let client = workbook
        .client
        .as_deref()
        .map_or(String::new(), |c| format!(" (client `{c}`)"));
    let _ = writeln!(out, "workbook `{}`{client}", workbook.workbook);
    let headers = [
        "column",
        "kind",
        "priced as",
        "rows",
        "actions",
        "data credits",
        "legacy",
    ];
    let mut rows: Vec<[String; 7]> = Vec::new();
    for table in &workbook.tables {
        let row_note = if table.rows.upper_bound { "≤" } else { "" };
        rows.push([
            format!("table `{}`", table.table),
            String::new(),
            String::new(),
            format!("{row_note}{}", table.rows.rows),
            String::new(),
            String::new(),
            String::new(),
        ]);
        for column in &table.columns {
            let mark = le(column.upper_bound);
            let variable = if column.variable_pricing { "~" } else { "" };
            rows.push([
                format!("  {}", column.column),
                column.kind.clone(),
                column.priced_as.clone().unwrap_or_default(),
                column.rows.to_string(),
                format!("{mark}{}", number(column.total.actions)),
                format!("{mark}{variable}{}", number(column.total.data_credits)),
                format!("{mark}{}", number(column.total.legacy_credits)),
            ]);
        }
        let mark = le(table.upper_bound);
        rows.push([
            "  total".to_string(),
            String::new(),
            String::new(),
            String::new(),
            format!("{mark}{}", number(table.total.actions)),
            format!("{mark}{}", number(table.total.data_credits)),
            format!("{mark}{}", number(table.total.legacy_credits)),
        ]);
    }
    let mark = le(workbook.upper_bound);
    rows.push([
        "workbook total".to_string(),
        String::new(),
        String::new(),
        String::new(),
        format!("{mark}{}", number(workbook.total.actions)),
        format!("{mark}{}", number(workbook.total.data_credits)),
        format!("{mark}{}", number(workbook.total.legacy_credits)),
    ]);
    write_table(out, &headers, &rows);

    for table in &workbook.tables {
        for note in &table.rows.notes {
            let _ = writeln!(out, "note: table `{}`: {note}", table.table);
        }
        for column in &table.columns {
            if let Some(note) = &column.note {
                let _ = writeln!(out, "note: `{}`.`{}`: {note}", table.table, column.column);
            }
        }
    }
    if !workbook.budgets.is_empty() {
        out.push_str("budgets:\n");
        for budget in &workbook.budgets {
            let state = match budget.state {
                BudgetState::Ok => "ok",
                BudgetState::Near => "warning: at 90% or more",
                BudgetState::Over => "error: over budget",
            };
            let percent = if budget.limit > 0.0 {
                format!(" ({:.0}%)", budget.estimated / budget.limit * 100.0)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  {}: {}{} of {} {}{percent} `{}` — {state}",
                budget.scope,
                le(budget.upper_bound),
                number(budget.estimated),
                trim_number(budget.limit),
                budget.unit.label(),
                budget.setting,
            );
        }
    }
    out.push('\n');
}

fn write_table(out: &mut String, headers: &[&str; 7], rows: &[[String; 7]]) {
    let mut widths = headers.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = width - cell.chars().count();
            // Text columns left-aligned, numbers right-aligned.
            if index < 3 {
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            } else {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
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

fn le(upper_bound: bool) -> &'static str {
    if upper_bound { "≤" } else { "" }
}

/// At most one decimal, no trailing `.0`.
fn number(value: f64) -> String {
    trim_number((value * 10.0).round() / 10.0)
}
