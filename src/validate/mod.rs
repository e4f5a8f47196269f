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
        let (workbook, diagnostics) = check_workbook(sources, parsed, project, catalog);
        checked.diagnostics.extend(diagnostics);
        checked.workbooks.push(workbook);
    }
    checked
        .diagnostics
        .extend(check_across_workbooks(&checked.workbooks));
    checked
}

/// Every rule that needs only one workbook. With [`check_across_workbooks`] afterwards, this is
/// [`check`] one file at a time, so a caller can drop each parsed file (its AST and span index
/// are most of the front end's memory) as soon as it is lowered.
pub fn check_workbook(
    sources: &SourceMap,
    parsed: &ParsedWorkbook,
    project: Option<&Project>,
    catalog: &Catalog,
) -> (Workbook, Vec<Diagnostic>) {
    let (workbook, mut diagnostics) = lower::lower(sources, parsed);
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
    diagnostics.extend(tables::check(&workbook, &first_type_span));
    let (_graph, graph_diagnostics) = crate::graph::resolve(&workbook);
    diagnostics.extend(graph_diagnostics);
    diagnostics.extend(catalog_checks::check(&workbook, catalog, project));
    diagnostics.extend(crate::cost::budget_diagnostics(&workbook, catalog, project));
    (workbook, diagnostics)
}

/// Rules across workbooks (CF214), once every file went through [`check_workbook`].
pub fn check_across_workbooks(workbooks: &[Workbook]) -> Vec<Diagnostic> {
    tables::duplicate_workbooks(workbooks)
}
