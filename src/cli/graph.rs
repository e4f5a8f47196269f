//! `clayform graph PATH [--format dot|mermaid]`: the column dependency graph on stdout.
//!
//! Refuses (exit 1, diagnostics on stderr) when the spec has errors: a graph of a broken spec
//! would be misleading.

use std::io::Write;

use super::args::{GlobalArgs, GraphArgs, GraphFormat};

pub fn run(global: &GlobalArgs, args: &GraphArgs) -> anyhow::Result<u8> {
    let loaded = super::project::load(global, std::slice::from_ref(&args.path))?;
    if loaded.error_count() > 0 {
        super::diagnostics::print_loaded(&loaded)?;
        return Ok(super::EXIT_ERROR);
    }
    let mut out = String::new();
    for workbook in &loaded.workbooks {
        let (graph, _) = crate::graph::resolve(workbook);
        out.push_str(&match args.format {
            GraphFormat::Dot => crate::graph::to_dot(&graph),
            GraphFormat::Mermaid => crate::graph::to_mermaid(&graph),
        });
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(super::EXIT_OK)
}
