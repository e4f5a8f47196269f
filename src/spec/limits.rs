//! Hard limits on spec input: bytes, nodes, depth, aliases.
//!
//! Owns: the budgets that make hostile input (alias bombs, huge or deeply nested files) fail fast
//! with CF002, and the decoding of raw bytes into text (CF002 for size, CF003 for non-UTF-8).
//! Must not know: where the bytes came from (the command-line layer reads files).

use crate::diagnostics::{Diagnostic, DiagnosticKind};
use crate::source::{FileId, SourceMap, Span};

/// Largest spec or project file accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;
/// Deepest nesting of maps and sequences accepted.
pub const MAX_DEPTH: usize = 64;
/// Most YAML nodes (after alias expansion) accepted in one file.
pub const MAX_NODES: usize = 200_000;
/// Most aliases (`*name`) accepted in one file.
pub const MAX_ALIASES: usize = 1_000;
/// Most anchors (`&name`) accepted in one file.
pub const MAX_ANCHORS: usize = 1_000;
/// Most YAML parser events (node starts and ends, scalars, document markers) in one file.
pub const MAX_EVENTS: usize = 4 * MAX_NODES;

/// The serde-saphyr options every spec parse uses: strict booleans, the budgets above, and
/// duplicate keys passed through so the node tree can report them with both locations.
pub(crate) fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(yaml_budget());
    options.strict_booleans = true;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::PassThrough;
    options.with_snippet = false;
    options
}

fn yaml_budget() -> serde_saphyr::Budget {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_aliases = MAX_ALIASES;
    budget.max_anchors = MAX_ANCHORS;
    budget.max_total_scalar_bytes = MAX_INPUT_BYTES;
    budget.max_events = MAX_EVENTS;
    budget.max_documents = 1;
    budget
}

/// The options serde-saphyr gives its event parser for [`yaml_options`] (its
/// `Options::parser_options`, which is private), so the event reader in
/// [`super::event_tree`] accepts exactly the same syntax.
pub(crate) fn parser_options() -> granit_parser::Options {
    let budget = yaml_budget();
    let mut options = granit_parser::Options::default();
    options.simple_key_max_lookahead = budget.simple_key_max_lookahead;
    options.flow_nesting_limit = budget.flow_nesting_limit;
    options.block_nesting_limit = options
        .block_nesting_limit
        .max(budget.max_depth.saturating_add(1));
    options.emit_comments = false;
    options.strict_indentation = false;
    options.bom_inside_document_as_content = false;
    options
}

/// Add `bytes` read from `path` to `sources`, checking size and encoding first.
///
/// Too-large input is not kept (an empty text stands in for it) so memory stays bounded; text
/// that is not UTF-8 is kept lossily so the diagnostic can point at the first bad byte.
pub fn decode(
    sources: &mut SourceMap,
    path: impl AsRef<std::path::Path>,
    bytes: Vec<u8>,
) -> (FileId, Option<Diagnostic>) {
    if bytes.len() > MAX_INPUT_BYTES {
        let id = sources.add(path, String::new());
        let diagnostic = Diagnostic::new(
            DiagnosticKind::InputTooLarge {
                limit: format!("more than {MAX_INPUT_BYTES} bytes"),
            },
            Span::file_start(id),
        )
        .with_help("split the workbook into several spec files");
        return (id, Some(diagnostic));
    }
    match String::from_utf8(bytes) {
        Ok(text) => (sources.add(path, text), None),
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let id = sources.add(path, text);
            let span = Span::new(id, valid_up_to, valid_up_to + '\u{FFFD}'.len_utf8());
            let diagnostic = Diagnostic::new(DiagnosticKind::NotUtf8, span)
                .with_primary_label("not UTF-8")
                .with_help("save the file as UTF-8");
            (id, Some(diagnostic))
        }
    }
}
