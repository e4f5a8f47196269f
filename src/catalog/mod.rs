//! The catalog: enrichments (Clay actions) and AI models with their costs, as data files.
//!
//! Pure: the data files are compiled in; overrides come from the project model.
//! (Contract pinned for parallel work; the catalog branch fills it in.)

use crate::diagnostics::Diagnostic;
use crate::model::CatalogOverrides;

/// Enrichments and AI models known to clayform.
#[derive(Debug, Clone, Default)]
pub struct Catalog {}

impl Catalog {
    /// The catalog shipped with clayform.
    pub fn builtin() -> Catalog {
        Catalog {}
    }

    /// This catalog with a project's overrides merged in; invalid overrides become diagnostics.
    pub fn with_overrides(self, _overrides: &CatalogOverrides) -> (Catalog, Vec<Diagnostic>) {
        (self, Vec::new())
    }
}
