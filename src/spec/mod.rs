//! Spec files as written: YAML with spans, the AST, and the JSON Schema.
//!
//! Owns: the first stage of the pipeline, [`parse`]: text → spanned node tree (CF001/CF002),
//! duplicate keys (CF004, CF201, CF202), schema violations (CF101–CF103, all at once), then the
//! typed AST ([`ast::WorkbookSpec`]) with its [`node::SpanIndex`]. A workbook with schema errors
//! is still lowered without its broken parts ([`recover`]), so its semantic errors show up too.
//! Must not know: Clay, the catalog, files on disk (text comes in through [`crate::source`]),
//! or what names refer to (that is `validate` and `graph`).

pub mod ast;
pub mod emit;
pub mod event_tree;
pub mod limits;
pub mod node;
pub mod project_ast;
pub mod recover;
pub mod schema;

use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, DiagnosticKind};
use crate::source::{FileId, SourceMap, Span};
use node::SpanIndex;
use recover::BrokenParts;
use schema::SchemaKind;

/// A parsed file: the typed AST plus the spans of everything in it, by JSON Pointer.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub file: FileId,
    pub ast: T,
    pub spans: SpanIndex,
    /// Parts cut out for schema errors (already reported); later stages stay quiet about them.
    pub broken: BrokenParts,
}

/// A parsed workbook spec.
pub type ParsedWorkbook = Parsed<ast::WorkbookSpec>;
/// A parsed `clayform.yaml`.
pub type ParsedProject = Parsed<project_ast::ProjectSpec>;

/// Parse one workbook spec. With schema errors, the parts they are in are cut out and the rest
/// is still returned (see [`recover`]); `None` when nothing can be lowered (not YAML, or a broken
/// `workbook:` or `tables:`). The diagnostics say every reason why.
pub fn parse(sources: &SourceMap, file: FileId) -> (Option<ParsedWorkbook>, Vec<Diagnostic>) {
    parse_as(sources, file, SchemaKind::Workbook)
}

/// [`parse`] without a thread of its own for the YAML reader: only call it on a thread spawned
/// with at least [`node::READ_STACK_BYTES`] of stack (see [`node::read_in_place`]).
pub fn parse_in_place(
    sources: &SourceMap,
    file: FileId,
) -> (Option<ParsedWorkbook>, Vec<Diagnostic>) {
    parse_with(sources, file, SchemaKind::Workbook, node::read_in_place)
}

/// Parse `clayform.yaml`.
pub fn parse_project(
    sources: &SourceMap,
    file: FileId,
) -> (Option<ParsedProject>, Vec<Diagnostic>) {
    parse_as(sources, file, SchemaKind::Project)
}

fn parse_as<T: DeserializeOwned>(
    sources: &SourceMap,
    file: FileId,
    kind: SchemaKind,
) -> (Option<Parsed<T>>, Vec<Diagnostic>) {
    parse_with(sources, file, kind, node::read)
}

fn parse_with<T: DeserializeOwned>(
    sources: &SourceMap,
    file: FileId,
    kind: SchemaKind,
    read: fn(&crate::source::SourceFile) -> (Option<node::SpannedNode>, Vec<Diagnostic>),
) -> (Option<Parsed<T>>, Vec<Diagnostic>) {
    let source = sources.get(file);
    if source.text.len() > limits::MAX_INPUT_BYTES {
        let diagnostic = Diagnostic::new(
            DiagnosticKind::InputTooLarge {
                limit: format!("more than {} bytes", limits::MAX_INPUT_BYTES),
            },
            Span::file_start(file),
        );
        return (None, vec![diagnostic]);
    }
    let (root, mut diagnostics) = read(source);
    let Some(root) = root else {
        return (None, diagnostics);
    };
    diagnostics.extend(node::duplicate_keys(&root));
    let spans = root.index();
    let json = root.into_json();
    if json.is_null() {
        let expected = match kind {
            SchemaKind::Workbook => "a workbook spec is a map with `workbook:` and `tables:`",
            SchemaKind::Project => "a project file is a map, e.g. with `clients:`",
        };
        diagnostics.push(
            Diagnostic::new(
                DiagnosticKind::InvalidValue {
                    path: "the file".into(),
                    message: "the file is empty".into(),
                },
                Span::file_start(file),
            )
            .with_help(expected),
        );
        return (None, diagnostics);
    }
    let report = schema::check(kind, &json, &spans);
    let mut json = json;
    let recovered = !report.diagnostics.is_empty();
    let broken = if !recovered {
        BrokenParts::default()
    } else {
        diagnostics.extend(report.diagnostics);
        // The project file is small and everything else depends on it: all or nothing.
        let recovered = match kind {
            SchemaKind::Workbook => recover::cut_broken_parts(&mut json, &report.locations),
            SchemaKind::Project => None,
        };
        match recovered {
            Some(broken) => broken,
            None => return (None, diagnostics),
        }
    };
    // Top-level `x-...` keys hold YAML anchors for reuse (as in docker-compose); the schema
    // allows them and the typed AST never sees them.
    if let (SchemaKind::Workbook, Some(map)) = (kind, json.as_object_mut()) {
        map.retain(|key, _| !key.starts_with("x-"));
    }
    match serde_json::from_value::<T>(json) {
        Ok(ast) => {
            let parsed = Parsed {
                file,
                ast,
                spans,
                broken,
            };
            (Some(parsed), diagnostics)
        }
        // Every schema error is reported already; what was left after cutting should always
        // deserialize, and if it doesn't, another diagnostic would only repeat them.
        Err(_) if recovered => (None, diagnostics),
        Err(error) => {
            // The schema is generated from the same types, so this is a schema/serde mismatch;
            // still a diagnostic, never a panic.
            diagnostics.push(Diagnostic::new(
                DiagnosticKind::InvalidValue {
                    path: "the file".into(),
                    message: error.to_string(),
                },
                Span::file_start(file),
            ));
            (None, diagnostics)
        }
    }
}
