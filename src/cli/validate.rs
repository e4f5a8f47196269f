//! `clayform validate`.

use super::args::{GlobalArgs, ValidateArgs};

pub fn run(_global: &GlobalArgs, _args: ValidateArgs) -> anyhow::Result<u8> {
    super::pending::not_yet("validate", 2)
}
