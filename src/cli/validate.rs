//! `clayform validate`: schema and semantic checks over spec files, all diagnostics at once.
//!
//! Human format: miette reports and a summary on stderr. JSON format: one document on stdout.
//! Exit 1 when any error was found, 0 otherwise (warnings alone pass).

use std::io::Write;

use super::args::{GlobalArgs, OutputFormat, ValidateArgs};
use super::diagnostics::{RenderOptions, render_human, summary, to_json};

pub fn run(global: &GlobalArgs, args: ValidateArgs) -> anyhow::Result<u8> {
    let loaded = super::project::load(global, &args.paths)?;
    let files = loaded.spec_files;
    match args.format {
        OutputFormat::Human => {
            let options = RenderOptions {
                color: super::render::use_color(),
                ..RenderOptions::default()
            };
            let mut text = render_human(&loaded.sources, &loaded.diagnostics, options);
            text.push_str(&summary(&loaded.diagnostics, files));
            text.push('\n');
            std::io::stderr().write_all(text.as_bytes())?;
        }
        OutputFormat::Json => {
            let report = to_json(&loaded.sources, &loaded.diagnostics);
            let mut text = serde_json::to_string_pretty(&report)?;
            text.push('\n');
            std::io::stdout().write_all(text.as_bytes())?;
        }
    }
    Ok(if loaded.error_count() > 0 {
        super::EXIT_ERROR
    } else {
        super::EXIT_OK
    })
}
