//! The `clayform` binary: a thin shell around [`clayform::cli::run`].

use std::process::ExitCode;

fn main() -> ExitCode {
    clayform::cli::run()
}
