//! The event reader (`spec::event_tree`) builds exactly the tree serde-saphyr builds — same
//! values, same types, same spans — for every file it accepts, and gives up on the rest.
//!
//! The event reader is the fast path of `spec::node::read`; serde-saphyr is the reference and
//! the fallback. A difference here would change a diagnostic's span or a value's type.

use std::path::{Path, PathBuf};

use clayform::source::{FileId, SourceMap};
use clayform::spec::event_tree;
use clayform::spec::node::{self, SpannedNode};
use proptest::prelude::*;

/// Both readers on `text`: (event reader, serde-saphyr's tree when it had no diagnostics).
fn both(text: &str) -> (Option<SpannedNode>, Option<SpannedNode>) {
    let mut sources = SourceMap::new();
    let file = sources.add("t.yaml", text.to_string());
    let source = sources.get(file);
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(node::READ_STACK_BYTES)
            .spawn_scoped(scope, || {
                let fast = event_tree::read(source);
                let (reference, diagnostics) = node::read_with_serde_saphyr(source);
                (fast, reference.filter(|_| diagnostics.is_empty()))
            })
            .expect("spawn")
            .join()
            .expect("no panic")
    })
}

/// The event reader agrees with serde-saphyr whenever it answers; `true` when it answered.
fn agrees(text: &str) -> bool {
    let (fast, reference) = both(text);
    match fast {
        Some(fast) => {
            assert_eq!(Some(&fast), reference.as_ref(), "for {text:?}");
            true
        }
        None => false,
    }
}

fn yaml_files(folder: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("folder exists") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

#[test]
fn every_spec_and_fixture_reads_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    yaml_files(&root.join("specs"), &mut files);
    yaml_files(&root.join("tests/fixtures"), &mut files);
    assert!(files.len() > 40, "found only {files:?}");
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read");
        let accepted = agrees(&text);
        // The example specs are the plain YAML the fast path exists for.
        if path.starts_with(root.join("specs")) {
            assert!(accepted, "{} fell back to serde-saphyr", path.display());
        }
    }
}

#[test]
fn scalars_keys_and_layouts_read_the_same() {
    let cases = [
        "a: 1\nb:\n  c: \"x\"\n",
        "workbook: W\ntables:\n  T:\n    type: company\n    columns:\n      A: {type: text}\n",
        "a: [1, -2, 0, 3.25, -0.5, true, False, TRUE, null, ~, Null, yes, no, on, off]\n",
        "a:\nb: ''\nc: \"\"\nd: |\n  line one\n  line two\ne: >\n  folded\n  text\n",
        "a: plain text that\n  continues here\nb: 'single ''quoted'''\nc: \"esc\\t\\u00e9\"\n",
        "1: one\n-2: minus two\n\"3\": three\n'key with spaces': v\nx y: z\n",
        "- a\n- - b\n  - c\n- {d: e}\n- []\n- {}\n",
        "---\na: 1\n...\n",
        "---\na: 1\n",
        "---\n",
        "--- x\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n...\n# trailing comment\n",
        "# comment\na: 1 # trailing\n# end\n",
        "\u{feff}a: 1\n",
        "a: 1\r\nb:\r\n  - x\r\n",
        "a:\n\t- tab?\n",
        "é: ünïcödé\n日本: 語\nemoji: 😀\n",
        "a: 99999999999999999999\nb: 1.0e3\nc: 0x1F\nd: 0o17\ne: +5\nf: .5\n",
        "a: -0\nb: 007\nc: 1_000\nd: 2024-01-01\ne: .inf\nf: -.nan\ng: nan\n",
        "a: &x 1\nb: *x\n",
        "<<: {a: 1}\nb: 2\n",
        "a: !!str 1\nb: !custom x\n",
        "? complex\n: value\n",
        "[a, b]: c\n",
        "a: 1\na: 2\n",
        "{a: 1, b: [x, y], c: {d: e}}\n",
        "- 1\n- 2\n",
        "just a scalar\n",
        "",
        "   \n",
        "~\n",
        "a: 1\n---\nb: 2\n",
        "a: [1, 2\n",
        "a: b: c\n",
        "key: 'unterminated\n",
        "true: 1\nnull: 2\n1.5: 3\n~: 4\n",
        "a: \"multi\n  line\"\nb: 'x\n\n  y'\n",
        "a: |+\n  keep\n\nb: |-\n  strip\n",
        "a: >2\n   indented\n",
        "   a: 1\n   b: 2\n",
    ];
    let mut accepted = 0;
    for text in cases {
        if agrees(text) {
            accepted += 1;
        }
    }
    assert!(accepted >= 20, "only {accepted} cases took the fast path");
}

#[test]
fn outside_the_subset_the_event_reader_gives_up() {
    for text in [
        "a: &x 1\nb: *x\n",
        "<<: {a: 1}\n",
        "a: !!str 1\n",
        "a: 1e3\n",
        "? [a]\n: b\n",
        "a: 1\n---\nb: 2\n",
        "a: [1, 2\n",
        "",
    ] {
        assert!(both(text).0.is_none(), "for {text:?}");
    }
}

#[test]
fn spans_are_byte_ranges_of_the_text() {
    let text = "tables:\n  \"Comp/any\":\n    columns: {Ä: {formula: x}}\n";
    let (fast, _) = both(text);
    let index = fast.expect("fast path").index();
    let mut sources = SourceMap::new();
    let file = sources.add("t.yaml", text.to_string());
    let source = sources.get(file);
    assert_eq!(file, FileId(0));
    assert_eq!(source.slice(index.key("/tables/Comp~1any")), "\"Comp/any\"");
    assert_eq!(
        source.slice(index.value("/tables/Comp~1any/columns/Ä/formula")),
        "x"
    );
}

/// A YAML document as a tree, rendered in block or flow style per collection.
#[derive(Debug, Clone)]
enum Yaml {
    Scalar(&'static str),
    Map(bool, Vec<(&'static str, Yaml)>),
    Seq(bool, Vec<Yaml>),
}

/// Scalars as they would be written, including ones whose type is not obvious.
const SCALARS: &[&str] = &[
    "a",
    "Full Name",
    "11-50",
    "0",
    "12",
    "-3",
    "1.5",
    "-0.25",
    "true",
    "False",
    "null",
    "~",
    "yes",
    "2024-01-01",
    "1e3",
    "0x1F",
    "+5",
    ".5",
    "-foo",
    "007",
    "1_000",
    "é ü",
    "'quoted'",
    "'it''s'",
    "\"dq\\n\"",
    "\"\"",
    "''",
    "{{Name}}",
    "\"{{Name}} + 1\"",
    "$x",
    "a/b",
    "18446744073709551616",
    "-9223372036854775808",
    "9.5e-3",
    ".inf",
    "-.inf",
    ".nan",
];

fn yaml() -> impl Strategy<Value = Yaml> {
    let leaf = proptest::sample::select(SCALARS).prop_map(Yaml::Scalar);
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            (
                any::<bool>(),
                proptest::collection::vec((proptest::sample::select(SCALARS), inner.clone()), 0..5)
            )
                .prop_map(|(flow, entries)| Yaml::Map(flow, entries)),
            (any::<bool>(), proptest::collection::vec(inner, 0..5))
                .prop_map(|(flow, items)| Yaml::Seq(flow, items)),
        ]
    })
}

fn flow(value: &Yaml, out: &mut String) {
    match value {
        Yaml::Scalar(s) => out.push_str(s),
        Yaml::Map(_, entries) => {
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push_str(": ");
                flow(value, out);
            }
            out.push('}');
        }
        Yaml::Seq(_, items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow(item, out);
            }
            out.push(']');
        }
    }
}

/// `value` as the value after `key:` or `-` at `indent`.
fn block(value: &Yaml, indent: usize, out: &mut String) {
    match value {
        Yaml::Map(false, entries) if !entries.is_empty() => {
            for (key, value) in entries {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                out.push_str(key);
                out.push(':');
                block(value, indent + 2, out);
            }
        }
        Yaml::Seq(false, items) if !items.is_empty() => {
            for item in items {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                out.push('-');
                block(item, indent + 2, out);
            }
        }
        other => {
            out.push(' ');
            flow(other, out);
        }
    }
}

fn render(root: &Yaml) -> String {
    let mut out = String::new();
    match root {
        Yaml::Map(false, entries) if !entries.is_empty() => {
            for (key, value) in entries {
                out.push_str(key);
                out.push(':');
                block(value, 2, &mut out);
                out.push('\n');
            }
        }
        other => {
            flow(other, &mut out);
            out.push('\n');
        }
    }
    out
}

const SEED: &str = include_str!("../specs/ca-saas-outreach.yaml");

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn generated_documents_read_the_same(document in yaml()) {
        agrees(&render(&document));
    }

    #[test]
    fn yaml_like_text_reads_the_same(
        text in "([a-zA-Z0-9 _.~+\\-:,\\[\\]{}'\"#|>&*!?\n]|  |\n  |: |- ){0,120}"
    ) {
        agrees(&text);
    }

    #[test]
    fn mutated_specs_read_the_same(
        position in 0usize..SEED.len(),
        cut in 0usize..40,
        insert in "[ {}\\[\\]:,&*!|>\"'#\\-\n0-9a-z.~+]{0,8}",
    ) {
        let mut text = SEED.to_string();
        let start = (0..=position).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        let end = (start + cut).min(text.len());
        let end = (end..=text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
        text.replace_range(start..end, &insert);
        agrees(&text);
    }
}
