//! Semantic checks: turns a parsed spec into a [`crate::model::Workbook`] plus diagnostics.
//!
//! Pure: no I/O, no printing. Never stops at the first error.

pub mod catalog_checks;
