//! Cost estimates: actions and data credits per column, table and workbook, against budgets.
//!
//! Pure: no I/O, no printing. (Contract pinned for parallel work; the catalog branch fills it in.)

use crate::catalog::Catalog;
use crate::diagnostics::Diagnostic;
use crate::model::{Project, Workbook};

/// Budget problems (CF401 over budget, CF402 within 10% of it) for `workbook`.
pub fn budget_diagnostics(
    _workbook: &Workbook,
    _catalog: &Catalog,
    _project: Option<&Project>,
) -> Vec<Diagnostic> {
    Vec::new()
}
