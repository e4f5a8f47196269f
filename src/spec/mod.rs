//! Spec files as written: YAML with spans (the AST), parsing, and the JSON Schema.
//!
//! Must not know: Clay, the catalog, files on disk (text comes in through `source`).
