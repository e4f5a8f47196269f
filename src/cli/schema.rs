//! `clayform schema`.

use super::args::SchemaArgs;

pub fn run(_args: &SchemaArgs) -> anyhow::Result<u8> {
    super::pending::not_yet("schema", 2)
}
