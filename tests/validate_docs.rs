//! The docs, the schema and the Rust types stay together: every key of the spec language is
//! documented in `docs/spec.md`, every diagnostic code in `docs/diagnostics.md` (and nothing
//! else), every front-end code has an invalid fixture, and complete examples in the docs validate.

use std::collections::BTreeSet;

use clayform::catalog::Catalog;
use clayform::source::SourceMap;
use clayform::spec::schema::{SchemaKind, schema};
use clayform::{spec, validate};
use serde_json::Value;

const SPEC_DOC: &str = include_str!("../docs/spec.md");
const DIAGNOSTICS_DOC: &str = include_str!("../docs/diagnostics.md");
const DIAGNOSTICS_SOURCE: &str = include_str!("../src/diagnostics.rs");

fn property_names(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                out.extend(properties.keys().cloned());
            }
            map.values().for_each(|v| property_names(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| property_names(v, out)),
        _ => {}
    }
}

/// Codes in `text` written as `CF` and three digits.
fn codes(text: &str, prefix: &str) -> BTreeSet<String> {
    text.match_indices(prefix)
        .filter_map(|(i, _)| {
            let code = text.get(i + prefix.len()..i + prefix.len() + 5)?;
            (code.starts_with("CF") && code[2..].chars().all(|c| c.is_ascii_digit()))
                .then(|| code.to_string())
        })
        .collect()
}

#[test]
fn every_schema_key_is_documented() {
    let mut keys = BTreeSet::new();
    property_names(schema(SchemaKind::Workbook), &mut keys);
    property_names(schema(SchemaKind::Project), &mut keys);
    assert!(keys.len() > 50, "too few keys found: {keys:?}");
    let missing: Vec<_> = keys
        .iter()
        .filter(|k| !SPEC_DOC.contains(&format!("`{k}`")) && !SPEC_DOC.contains(&format!("{k}:")))
        .collect();
    assert!(
        missing.is_empty(),
        "undocumented keys in docs/spec.md: {missing:?}"
    );
}

#[test]
fn every_diagnostic_code_is_documented_and_nothing_else() {
    let in_source = codes(DIAGNOSTICS_SOURCE, "=> \"");
    assert!(in_source.len() >= 30, "{in_source:?}");
    let documented = codes(DIAGNOSTICS_DOC, "### ");
    assert_eq!(
        in_source, documented,
        "docs/diagnostics.md headings vs DiagnosticKind::code"
    );
}

#[test]
fn every_front_end_code_has_a_fixture() {
    let fixtures: BTreeSet<String> = std::fs::read_dir("tests/fixtures/invalid")
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy()[..5].to_string())
        .collect();
    // CF003 bytes are written by the fixture test itself; CF005 (unreadable file) can't be a
    // fixture file; CF3xx catalog codes and CF4xx are the catalog's and cost's fixtures.
    let owned: Vec<String> = codes(DIAGNOSTICS_SOURCE, "=> \"")
        .into_iter()
        .filter(|c| c.starts_with("CF0") || c.starts_with("CF1") || c.starts_with("CF2"))
        .chain(["CF307".to_string(), "CF308".to_string()])
        .filter(|c| c != "CF003" && c != "CF005")
        .collect();
    let missing: Vec<_> = owned.iter().filter(|c| !fixtures.contains(*c)).collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

#[test]
fn complete_examples_in_the_spec_docs_validate() {
    let mut checked = 0;
    for block in SPEC_DOC.split("```yaml\n").skip(1) {
        let text = block.split("```").next().unwrap_or_default();
        if !text.starts_with("workbook:") {
            continue;
        }
        let mut sources = SourceMap::new();
        let file = sources.add("docs/spec.md", text.to_string());
        let (parsed, mut diagnostics) = spec::parse(&sources, file);
        let result = validate::check(&sources, &Vec::from_iter(parsed), None, &Catalog::builtin());
        diagnostics.extend(result.diagnostics);
        diagnostics.retain(|d| d.is_error() && d.code() != "CF308");
        assert!(diagnostics.is_empty(), "{text}\n{diagnostics:?}");
        checked += 1;
    }
    assert!(checked >= 1);
}
