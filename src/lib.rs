//! clayform: Terraform for Clay workbooks.
//!
//! Pipeline (DESIGN §4): `spec::parse → validate::check → graph::resolve → cost / plan → apply`.
//! See `ARCHITECTURE.md` for the code map and the invariants each module keeps.

pub mod apply;
pub mod catalog;
pub mod cli;
pub mod cost;
pub mod diagnostics;
pub mod draft;
pub mod emulator;
pub mod engine;
pub mod graph;
pub mod model;
pub mod plan;
pub mod provider;
pub mod refresh;
pub mod runs;
pub mod source;
pub mod spec;
pub mod state;
pub mod validate;
