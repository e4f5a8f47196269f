//! Translation between the validated model and Clay field JSON, both ways.
//!
//! Owns: formula text handling ([`formula`]) and, in later files, the model → field body and
//! field → spec-level column translations.
//! Must not know: HTTP.

pub mod formula;

pub use formula::normalize_formula;
