//! Hostile input: every malformed, huge, deep or binary file gets a clear diagnostic in bounded
//! time, never a panic.

use std::time::{Duration, Instant};

use clayform::catalog::Catalog;
use clayform::diagnostics::Diagnostic;
use clayform::source::SourceMap;
use clayform::{spec, validate};
use proptest::prelude::*;

/// Decode, parse and check one file's bytes; the codes found and how long it took.
fn codes_for(bytes: Vec<u8>) -> (Vec<&'static str>, Duration) {
    let started = Instant::now();
    let mut sources = SourceMap::new();
    let (file, problem) = spec::limits::decode(&mut sources, "hostile.yaml", bytes);
    let mut diagnostics: Vec<Diagnostic> = problem.into_iter().collect();
    if diagnostics.is_empty() {
        let (parsed, found) = spec::parse(&sources, file);
        diagnostics.extend(found);
        let checked = validate::check(&sources, &Vec::from_iter(parsed), None, &Catalog::builtin());
        diagnostics.extend(checked.diagnostics);
    }
    let codes = diagnostics.iter().map(Diagnostic::code).collect();
    (codes, started.elapsed())
}

#[test]
fn a_50_megabyte_file_is_cf002_without_parsing() {
    let bytes = vec![b'#'; 50 * 1024 * 1024];
    let (codes, took) = codes_for(bytes);
    assert_eq!(codes, ["CF002"]);
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn deep_nesting_is_cf002() {
    let text = format!("workbook: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let (codes, took) = codes_for(text.into_bytes());
    assert_eq!(codes, ["CF002"]);
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn deep_block_nesting_is_cf002() {
    let mut text = String::new();
    for depth in 0..200 {
        text.push_str(&" ".repeat(depth));
        text.push_str("k:\n");
    }
    let (codes, _) = codes_for(text.into_bytes());
    assert_eq!(codes, ["CF002"]);
}

#[test]
fn an_alias_bomb_is_cf002_quickly() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let items = vec![format!("*a{}", level - 1); 9].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    let (codes, took) = codes_for(text.into_bytes());
    assert_eq!(codes, ["CF002"]);
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[test]
fn binary_garbage_is_cf003() {
    let (codes, _) = codes_for(vec![0xff, 0xfe, 0x00, 0x80, 0x81]);
    assert_eq!(codes, ["CF003"]);
}

#[test]
fn duplicate_keys_at_the_root_are_cf004() {
    let (codes, _) = codes_for(b"workbook: A\nworkbook: B\ntables: {}\n".to_vec());
    assert!(codes.contains(&"CF004"), "{codes:?}");
}

#[test]
fn two_documents_are_a_yaml_error() {
    let (codes, _) = codes_for(b"workbook: A\n---\nworkbook: B\n".to_vec());
    assert_eq!(codes.len(), 1);
    assert!(codes[0] == "CF001" || codes[0] == "CF002", "{codes:?}");
}

#[test]
fn empty_and_scalar_files_are_schema_errors() {
    for text in ["", "just a string\n", "- a\n- b\n", "~\n"] {
        let (codes, _) = codes_for(text.as_bytes().to_vec());
        assert_eq!(codes, ["CF102"], "for {text:?}");
    }
}

const SEED: &str = include_str!("../specs/ca-saas-outreach.yaml");

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = codes_for(text.into_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = codes_for(bytes);
    }

    #[test]
    fn mutated_specs_never_panic(
        position in 0usize..SEED.len(),
        cut in 0usize..40,
        insert in "[ {}\\[\\]:,&*!|>\"'#\\-\n{{a}}]{0,8}",
    ) {
        let mut text = SEED.to_string();
        let start = (0..=position).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let end = (start + cut).min(text.len());
        let end = (end..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
        text.replace_range(start..end, &insert);
        let _ = codes_for(text.into_bytes());
    }
}

#[test]
fn reports_of_very_long_lines_name_the_position_instead_of_the_snippet() {
    use clayform::cli::diagnostics::{RenderOptions, render_human};
    let text = format!("workbook: {}{}\n", "[".repeat(5_000), "]".repeat(5_000));
    let mut sources = SourceMap::new();
    let file = sources.add("long.yaml", text);
    let (_, diagnostics) = spec::parse(&sources, file);
    let rendered = render_human(&sources, &diagnostics, RenderOptions::default());
    assert!(rendered.contains("CF002"), "{rendered}");
    assert!(rendered.contains("at long.yaml:1:"), "{rendered}");
    assert!(rendered.len() < 2_000, "{} bytes", rendered.len());
}
