//! `clayform schema`: print the JSON Schema of spec files or of `clayform.yaml` on stdout.

use std::io::Write;

use super::args::{SchemaArgs, SchemaKind};
use crate::spec::schema::{SchemaKind as Kind, schema_text};

pub fn run(args: &SchemaArgs) -> anyhow::Result<u8> {
    let kind = match args.kind {
        SchemaKind::Workbook => Kind::Workbook,
        SchemaKind::Project => Kind::Project,
    };
    std::io::stdout().write_all(schema_text(kind).as_bytes())?;
    Ok(super::EXIT_OK)
}
