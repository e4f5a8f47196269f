//! The command-line layer: argument parsing, dispatch, and all printing.
//!
//! Owns: clap argument structs (plain data), turning them into each command's settings, reading
//! files, rendering diagnostics (miette), progress and exit codes.
//! Must not know: Clay's JSON (that is `provider`), the state file format (that is `state`).
//! Architecture invariant: only this module prints. Data goes to stdout; diagnostics, progress and
//! logs to stderr.

mod apply;
mod args;
mod clay;
mod cost;
pub mod diagnostics;
mod draft;
mod emulate;
mod graph;
mod import;
mod plan;
mod progress;
pub mod project;
mod render;
mod rows;
mod run;
mod schema;
mod state_cmd;
mod status;
mod validate;

use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command, GlobalArgs};

/// Exit code for success (and, with `plan --detailed-exitcode`, "no changes").
pub const EXIT_OK: u8 = 0;
/// Exit code for any error.
pub const EXIT_ERROR: u8 = 1;
/// Exit code for `plan --detailed-exitcode` when there are changes.
pub const EXIT_CHANGES: u8 = 2;

/// Parse the command line, run the command, and turn the result into an exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    render::init_color(&cli.global);
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            render::print_error(&error);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    let global = cli.global;
    match cli.command {
        Command::Validate(args) => validate::run(&global, args),
        Command::Schema(args) => schema::run(&args),
        Command::Emulate(args) => emulate::run(&args),
        Command::Graph(args) => graph::run(&global, &args),
        Command::Cost(args) => cost::run(&global, &args),
        Command::Plan(args) => plan::run(&global, args),
        Command::Apply(args) => apply::run(&global, args),
        Command::Destroy(args) => apply::destroy(&global, args),
        Command::Import(args) => import::run(&global, args),
        Command::Run(args) => run::run(&global, args),
        Command::Status(args) => status::run(&global, args),
        Command::Draft(args) => draft::run(&global, args),
        Command::State(command) => state_cmd::run(&global, command),
        Command::ForceUnlock(args) => state_cmd::force_unlock(&global, &args),
    }
}
