//! One invalid fixture per diagnostic code: the code is reported at the exact line and column,
//! and the rendered human report (no colour, 100 columns) matches its snapshot.
//!
//! Fixtures live in `tests/fixtures/invalid/<code>-<slug>.yaml` (or a folder of files, for
//! problems across files) and are checked against `tests/fixtures/clayform.yaml`, except CF308,
//! which is about a spec that names a client without any project file.

use std::path::{Path, PathBuf};

use clayform::catalog::Catalog;
use clayform::cli::diagnostics::{RenderOptions, render_human};
use clayform::diagnostics::Diagnostic;
use clayform::model::Project;
use clayform::source::SourceMap;
use clayform::{spec, validate};

const FIXTURES: &str = "tests/fixtures/invalid";

/// Fixture → (code, line, column) of the diagnostic it exists for.
const EXPECTED: &[(&str, &str, usize, usize)] = &[
    ("CF001-unclosed-flow", "CF001", 7, 13),
    ("CF002-alias-bomb", "CF002", 7, 15),
    ("CF004-duplicate-key", "CF004", 9, 9),
    ("CF101-unknown-key", "CF101", 8, 9),
    ("CF102-invalid-value", "CF102", 5, 15),
    ("CF103-missing-key", "CF103", 8, 9),
    ("CF104-two-kinds", "CF104", 7, 7),
    ("CF201-duplicate-table", "CF201", 7, 3),
    ("CF202-duplicate-column", "CF202", 8, 7),
    ("CF203-unknown-column", "CF203", 11, 58),
    ("CF204-cycle", "CF204", 8, 19),
    ("CF205-unknown-table", "CF205", 9, 18),
    ("CF206-first-table-not-company", "CF206", 4, 11),
    ("CF207-too-many-columns", "CF207", 3, 3),
    ("CF208-rename-conflict", "CF208", 12, 24),
    ("CF209-from-source-without-source", "CF209", 6, 28),
    ("CF210-run-if-on-formula", "CF210", 9, 9),
    ("CF211-cross-table-reference", "CF211", 12, 49),
    ("CF212-malformed-reference", "CF212", 8, 19),
    ("CF213-wrong-table-type", "CF213", 14, 37),
    ("CF214-duplicate-workbook", "CF214", 1, 11),
    ("CF301-unknown-enrichment", "CF301", 8, 21),
    ("CF302-missing-input", "CF302", 8, 21),
    ("CF303-unknown-input", "CF303", 10, 72),
    ("CF304-unknown-model", "CF304", 9, 18),
    ("CF305-model-use-case", "CF305", 9, 18),
    ("CF306-invalid-output-schema", "CF306", 11, 36),
    ("CF307-unknown-client", "CF307", 2, 9),
    ("CF308-client-without-project", "CF308", 2, 9),
    ("CF309-unverified-enrichment", "CF309", 8, 21),
    ("CF401-over-budget", "CF401", 2, 1),
    ("CF402-nearly-over-budget", "CF402", 2, 1),
];

/// Read the fixture project file through the same stages as the CLI.
fn fixture_project(sources: &mut SourceMap) -> Project {
    let path = "tests/fixtures/clayform.yaml";
    let bytes = std::fs::read(path).expect("fixture project file");
    let (file, problem) = spec::limits::decode(sources, path, bytes);
    assert!(problem.is_none());
    let (parsed, diagnostics) = spec::parse_project(sources, file);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    validate::project::lower(&parsed.expect("project parses")).0
}

/// Parse and check `paths` the way `clayform validate` does.
pub fn check_files(paths: &[PathBuf], with_project: bool) -> (SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    let project = with_project.then(|| fixture_project(&mut sources));
    let mut diagnostics = Vec::new();
    let mut parsed = Vec::new();
    for path in paths {
        let bytes = std::fs::read(path).expect("fixture");
        let (file, problem) = spec::limits::decode(&mut sources, path, bytes);
        if let Some(problem) = problem {
            diagnostics.push(problem);
            continue;
        }
        let (spec, found) = spec::parse(&sources, file);
        diagnostics.extend(found);
        parsed.extend(spec);
    }
    let checked = validate::check(&sources, &parsed, project.as_ref(), &Catalog::builtin());
    diagnostics.extend(checked.diagnostics);
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start));
    (sources, diagnostics)
}

fn fixture_paths(name: &str) -> Vec<PathBuf> {
    let folder = Path::new(FIXTURES).join(name);
    if folder.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .expect("fixture folder")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        files
    } else {
        vec![Path::new(FIXTURES).join(format!("{name}.yaml"))]
    }
}

#[test]
fn every_fixture_reports_its_code_at_the_exact_position() {
    let mut failures = Vec::new();
    for &(name, code, line, column) in EXPECTED {
        let (sources, diagnostics) = check_files(&fixture_paths(name), code != "CF308");
        let found = diagnostics.iter().find(|d| d.code() == code);
        let Some(found) = found else {
            let codes: Vec<_> = diagnostics.iter().map(Diagnostic::code).collect();
            failures.push(format!("{name}: no {code}; found {codes:?}"));
            continue;
        };
        let at = sources.line_col(found.span);
        // CF002 for an alias bomb has no meaningful position: only the code is checked.
        if line != 0 && (at.line, at.column) != (line, column) {
            failures.push(format!(
                "{name}: {code} at {}:{}, expected {line}:{column}",
                at.line, at.column
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_renders_like_its_snapshot() {
    for &(name, code, _, _) in EXPECTED {
        let (sources, diagnostics) = check_files(&fixture_paths(name), code != "CF308");
        let rendered = render_human(&sources, &diagnostics, RenderOptions::default());
        insta::assert_snapshot!(name, rendered);
    }
}

#[test]
fn every_fixture_file_is_listed() {
    let mut listed: Vec<&str> = EXPECTED.iter().map(|e| e.0).collect();
    listed.sort_unstable();
    let mut on_disk: Vec<String> = std::fs::read_dir(FIXTURES)
        .expect("fixtures")
        .map(|e| {
            let path = e.expect("entry").path();
            path.file_stem()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    assert_eq!(listed, on_disk);
}

#[test]
fn non_utf8_is_cf003_at_the_first_bad_byte() {
    let mut sources = SourceMap::new();
    let mut bytes = b"workbook: Caf".to_vec();
    bytes.extend([0xE9, b'\n']);
    let (_, problem) = spec::limits::decode(&mut sources, "latin1.yaml", bytes);
    let problem = problem.expect("a diagnostic");
    assert_eq!(problem.code(), "CF003");
    let at = sources.line_col(problem.span);
    assert_eq!((at.line, at.column), (1, 14));
    let rendered = render_human(&sources, &[problem], RenderOptions::default());
    insta::assert_snapshot!("CF003-not-utf8", rendered);
}
