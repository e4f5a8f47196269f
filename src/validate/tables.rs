//! Checks on a workbook's tables and column names: the CE table (CF206), column count (CF207),
//! renames (CF208), and names unique across workbooks (CF214) and known clients (CF307).
//!
//! Owns: rules about names as a whole. Must not know: references inside templates (`graph`),
//! the catalog, files on disk.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, DiagnosticKind};
use crate::model::{Name, TableType, Workbook};
use crate::source::Span;

/// Clay's limit on columns per table.
pub const MAX_COLUMNS: usize = 100;

/// CF206, CF207, CF208 for one workbook.
pub fn check(workbook: &Workbook, type_spans: &[Span]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if let Some(first) = workbook.tables.first()
        && first.table_type != TableType::Company
    {
        let span = type_spans.first().copied().unwrap_or(first.name.span);
        let mut diagnostic = Diagnostic::new(
            DiagnosticKind::FirstTableNotCompany {
                table: first.name.text.clone(),
                found: first.table_type.as_str().to_string(),
            },
            span,
        )
        .with_label(first.name.span, "the first table");
        diagnostic = match workbook
            .tables
            .iter()
            .find(|t| t.table_type == TableType::Company)
        {
            Some(company) => diagnostic.with_help(format!(
                "move table `{}` to the top of `tables:`",
                company.name.text
            )),
            None => diagnostic.with_help("start the workbook with a `type: company` table"),
        };
        diagnostics.push(diagnostic);
    }
    for table in &workbook.tables {
        if table.columns.len() > MAX_COLUMNS {
            diagnostics.push(
                Diagnostic::new(
                    DiagnosticKind::TooManyColumns {
                        table: table.name.text.clone(),
                        count: table.columns.len(),
                        limit: MAX_COLUMNS,
                    },
                    table.name.span,
                )
                .with_help("split the table, or move helper columns into formulas"),
            );
        }
        let column_names: Vec<(&Name, &[Name])> = table
            .columns
            .iter()
            .map(|c| (&c.name, c.renamed_from.as_slice()))
            .collect();
        diagnostics.extend(renames(&column_names));
    }
    let table_names: Vec<(&Name, &[Name])> = workbook
        .tables
        .iter()
        .map(|t| (&t.name, t.renamed_from.as_slice()))
        .collect();
    diagnostics.extend(renames(&table_names));
    diagnostics
}

/// CF208: an old name still used by a current item, or claimed by two items.
fn renames(items: &[(&Name, &[Name])]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let current: HashMap<&str, &Name> = items.iter().map(|(n, _)| (n.as_str(), *n)).collect();
    let mut claimed: HashMap<&str, &Name> = HashMap::new();
    for (name, old_names) in items {
        for old in *old_names {
            let conflict = if old.text == name.text {
                Some((old.span, "the current name"))
            } else if let Some(other) = current.get(old.as_str()) {
                Some((other.span, "still in use here"))
            } else {
                claimed
                    .get(old.as_str())
                    .map(|first| (first.span, "also claimed here"))
            };
            match conflict {
                Some((span, label)) => diagnostics.push(
                    Diagnostic::new(
                        DiagnosticKind::RenameConflict {
                            column: name.text.clone(),
                            old_name: old.text.clone(),
                        },
                        old.span,
                    )
                    .with_primary_label("conflicting old name")
                    .with_label(span, label)
                    .with_help("each old name may be claimed once, and only when no longer in use"),
                ),
                None => {
                    claimed.insert(old.as_str(), old);
                }
            }
        }
    }
    diagnostics
}

/// CF214: a workbook name used by two spec files (within one client).
pub fn duplicate_workbooks(workbooks: &[Workbook]) -> Vec<Diagnostic> {
    let mut seen: HashMap<(Option<&str>, &str), &Name> = HashMap::new();
    let mut diagnostics = Vec::new();
    for workbook in workbooks {
        let key = (
            workbook.client.as_ref().map(Name::as_str),
            workbook.name.as_str(),
        );
        match seen.get(&key) {
            Some(first) => diagnostics.push(
                Diagnostic::new(
                    DiagnosticKind::DuplicateWorkbook {
                        workbook: workbook.name.text.clone(),
                    },
                    workbook.name.span,
                )
                .with_primary_label("used again here")
                .with_label(first.span, "first used here")
                .with_help("a workbook name identifies the workbook in its workspace; rename one"),
            ),
            None => {
                seen.insert(key, &workbook.name);
            }
        }
    }
    diagnostics
}
