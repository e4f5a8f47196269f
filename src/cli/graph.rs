//! `clayform graph PATH [--format dot|mermaid]`: the column dependency graph on stdout.
//!
//! Refuses (exit 1, diagnostics on stderr) when the spec has errors: a graph of a broken spec
//! would be misleading.

use std::io::Write;

use super::args::{GlobalArgs, GraphArgs, GraphFormat};
use super::diagnostics::{RenderOptions, render_human, summary};

pub fn run(global: &GlobalArgs, args: &GraphArgs) -> anyhow::Result<u8> {
    let loaded = super::project::load(global, std::slice::from_ref(&args.path))?;
    if loaded.error_count() > 0 {
        let options = RenderOptions {
            color: super::render::use_color(),
            ..RenderOptions::default()
        };
        let mut text = render_human(&loaded.sources, &loaded.diagnostics, options);
        text.push_str(&summary(&loaded.diagnostics, loaded.spec_files));
        text.push('\n');
        std::io::stderr().write_all(text.as_bytes())?;
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
