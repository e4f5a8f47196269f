//! Checks against the catalog: enrichments, their inputs, AI models and use cases, output schemas.
//! (Contract pinned for parallel work; the catalog branch fills it in.)

use crate::catalog::Catalog;
use crate::diagnostics::Diagnostic;
use crate::model::{Project, Workbook};

/// Every catalog problem in `workbook`.
pub fn check(
    _workbook: &Workbook,
    _catalog: &Catalog,
    _project: Option<&Project>,
) -> Vec<Diagnostic> {
    Vec::new()
}
