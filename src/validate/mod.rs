//! Semantic checks: turns parsed specs into [`crate::model::Workbook`]s plus diagnostics.
//!
//! Owns: the second stage, [`check`]: lowering (per column), name rules (per workbook and across
//! workbooks), reference resolution and cycles (through [`crate::graph::resolve`]), then the
//! catalog checks and budgets owned by `catalog_checks` and `cost`.
//! Pure: no I/O, no printing. Never stops at the first error: every file, every problem.

pub mod catalog_checks;
pub mod lower;
pub mod project;
pub mod tables;
pub mod template;

use crate::catalog::Catalog;
use crate::diagnostics::Diagnostic;
use crate::model::{Project, Workbook};
use crate::source::SourceMap;
use crate::spec::ParsedWorkbook;
use crate::spec::node::pointer;

/// The result of checking a set of specs: the model (even when there are errors, so later
/// stages can still report what they can) and every diagnostic.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub workbooks: Vec<Workbook>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Check every parsed spec against every rule, in file order.
pub fn check(
    sources: &SourceMap,
    specs: &[ParsedWorkbook],
    project: Option<&Project>,
    catalog: &Catalog,
) -> Checked {
    let mut checked = Checked::default();
    for parsed in specs {
        let (workbook, diagnostics) = lower::lower(sources, parsed);
        checked.diagnostics.extend(diagnostics);
        let first_type_span: Vec<_> = parsed
            .ast
            .tables
            .keys()
            .next()
            .map(|first| {
                parsed
                    .spans
                    .value(&pointer(["tables", first.as_str(), "type"]))
            })
            .into_iter()
            .collect();
        checked
            .diagnostics
            .extend(tables::check(&workbook, &first_type_span));
        let (_graph, graph_diagnostics) = crate::graph::resolve(&workbook);
        checked.diagnostics.extend(graph_diagnostics);
        checked
            .diagnostics
            .extend(catalog_checks::check(&workbook, catalog, project));
        checked
            .diagnostics
            .extend(crate::cost::budget_diagnostics(&workbook, catalog, project));
        checked.workbooks.push(workbook);
    }
    checked
        .diagnostics
        .extend(tables::duplicate_workbooks(&checked.workbooks));
    checked
}
