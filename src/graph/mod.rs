//! The column dependency graph: references resolved to column ids, topological order, cycles.
//!
//! Pure: no I/O, no printing.
