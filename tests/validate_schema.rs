//! The committed JSON Schemas are exactly what the Rust AST types generate.
//!
//! Regenerate with `cargo run -q -- schema > schemas/workbook.schema.json` and
//! `cargo run -q -- schema --kind project > schemas/project.schema.json`.

use clayform::spec::schema::{SchemaKind, schema, schema_text};

#[test]
fn committed_workbook_schema_matches_the_ast() {
    let committed = include_str!("../schemas/workbook.schema.json");
    assert_eq!(
        committed,
        schema_text(SchemaKind::Workbook),
        "schemas/workbook.schema.json is stale; regenerate it with `clayform schema`"
    );
}

#[test]
fn committed_project_schema_matches_the_ast() {
    let committed = include_str!("../schemas/project.schema.json");
    assert_eq!(
        committed,
        schema_text(SchemaKind::Project),
        "schemas/project.schema.json is stale; regenerate it with `clayform schema --kind project`"
    );
}

#[test]
fn schemas_are_draft_2020_12() {
    for kind in [SchemaKind::Workbook, SchemaKind::Project] {
        assert_eq!(
            schema(kind)["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }
}
