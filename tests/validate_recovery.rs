//! All diagnostics at once, even with schema errors (issue 2): a workbook with schema errors is
//! still lowered without its broken parts, so the semantic errors elsewhere in the file are
//! reported in the same run, each at its exact position, and the broken parts cause no follow-on
//! diagnostics (a column cut for its schema error still exists when referenced).
//!
//! Fixtures live in `tests/fixtures/recovery/`; each test lists every diagnostic it expects.

use std::path::Path;

use clayform::catalog::Catalog;
use clayform::cli::diagnostics::{RenderOptions, render_human};
use clayform::diagnostics::Diagnostic;
use clayform::source::SourceMap;
use clayform::{spec, validate};

/// Parse and check one fixture the way `clayform validate` does (no project file).
fn check_fixture(name: &str) -> (SourceMap, Vec<Diagnostic>) {
    let path = Path::new("tests/fixtures/recovery").join(format!("{name}.yaml"));
    let mut sources = SourceMap::new();
    let bytes = std::fs::read(&path).expect("fixture");
    let (file, problem) = spec::limits::decode(&mut sources, &path, bytes);
    assert!(problem.is_none(), "{problem:?}");
    let (parsed, mut diagnostics) = spec::parse(&sources, file);
    let parsed: Vec<_> = parsed.into_iter().collect();
    assert_eq!(
        parsed.len(),
        1,
        "the file is still lowered: {diagnostics:?}"
    );
    let checked = validate::check(&sources, &parsed, None, &Catalog::builtin());
    diagnostics.extend(checked.diagnostics);
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start));
    (sources, diagnostics)
}

/// `(code, line, column)` of every diagnostic, in file order.
fn positions(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Vec<(&'static str, usize, usize)> {
    diagnostics
        .iter()
        .map(|d| {
            let at = sources.line_col(d.span);
            (d.code(), at.line, at.column)
        })
        .collect()
}

#[test]
fn schema_errors_and_semantic_errors_are_reported_together() {
    let (sources, diagnostics) = check_fixture("schema-and-semantic-errors");
    assert_eq!(
        positions(&sources, &diagnostics),
        [
            ("CF101", 8, 9),   // `tpye: url` in `Domain`
            ("CF203", 10, 19), // `{{Nmae}}` in `Pitch` (`{{Domain}}` resolves: the column exists)
            ("CF301", 12, 21), // `email_findr`
            ("CF204", 15, 19), // `Score` → `Bonus` → `Score`
            ("CF102", 19, 15), // `type: nmuber` in `Size`
            ("CF101", 24, 11), // `temprature` in `Summary`'s `ai`
        ],
        "{diagnostics:#?}"
    );
    let rendered = render_human(&sources, &diagnostics, RenderOptions::default());
    insta::assert_snapshot!("schema-and-semantic-errors", rendered);
}

#[test]
fn a_referenced_column_with_a_schema_error_is_not_an_unknown_column() {
    let (sources, diagnostics) = check_fixture("broken-column-referenced");
    // Only the schema error: no CF203 from `Pitch`'s prompt, its `run_if` or `People`'s lookup,
    // no CF104 for `Domain` having lost its kind, no CF302 for the inputs it no longer uses.
    assert_eq!(
        positions(&sources, &diagnostics),
        [("CF102", 8, 21)],
        "{diagnostics:#?}"
    );
}

#[test]
fn a_broken_table_type_and_source_cause_no_follow_on_diagnostics() {
    let (sources, diagnostics) = check_fixture("broken-table-type-and-source");
    // No CF206 (first table not `company`) and no CF209 (`from_source` without a source).
    assert_eq!(
        positions(&sources, &diagnostics),
        [("CF102", 4, 11), ("CF102", 6, 37), ("CF203", 9, 26)],
        "{diagnostics:#?}"
    );
}

#[test]
fn a_broken_workbook_name_still_stops_at_the_schema_errors() {
    let mut sources = SourceMap::new();
    let text = "workbook: [a]\ntables:\n  T:\n    type: company\n    columns:\n      A: { formula: \"{{B}}\" }\n";
    let file = sources.add("broken-name.yaml", text.to_string());
    let (parsed, diagnostics) = spec::parse(&sources, file);
    assert!(parsed.is_none());
    let codes: Vec<_> = diagnostics.iter().map(Diagnostic::code).collect();
    assert_eq!(codes, ["CF102"]);
}
