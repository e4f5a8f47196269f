//! Rendering shared by all commands: colour choice and top-level errors.

use std::sync::atomic::{AtomicBool, Ordering};

use super::args::GlobalArgs;

static COLOR: AtomicBool = AtomicBool::new(false);

/// Decide once whether to colour output: off with `--no-color`, `NO_COLOR`, or no terminal.
pub fn init_color(global: &GlobalArgs) {
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    COLOR.store(
        !global.no_color && !no_color_env && terminal,
        Ordering::Relaxed,
    );
}

pub fn use_color() -> bool {
    COLOR.load(Ordering::Relaxed)
}

/// Print a command's failure to stderr: the error, then each cause on its own line.
pub fn print_error(error: &anyhow::Error) {
    let mut message = format!("error: {error}");
    for cause in error.chain().skip(1) {
        message.push_str(&format!("\n  caused by: {cause}"));
    }
    eprintln!("{message}");
}
