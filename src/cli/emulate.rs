//! `clayform emulate`.

use super::args::EmulateArgs;

pub fn run(_args: &EmulateArgs) -> anyhow::Result<u8> {
    super::pending::not_yet("emulate", 3)
}
