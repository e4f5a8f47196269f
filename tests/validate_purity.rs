//! Architecture invariant: the core (spec, validate, model, graph) is pure — no file system, no
//! network, no async runtime, no HTTP client, no printing. This scans their source files.

use std::path::{Path, PathBuf};

const CORE: &[&str] = &["src/spec", "src/validate", "src/model", "src/graph"];
const FORBIDDEN: &[&str] = &[
    "std::fs",
    "std::net",
    "tokio",
    "reqwest",
    "println!",
    "eprintln!",
    "print!(",
    "eprint!(",
    "dbg!",
    "std::io::stdout",
    "std::io::stderr",
    "miette",
];

fn rust_files(folder: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("core folder exists") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_core_does_no_io_and_prints_nothing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for folder in CORE {
        rust_files(&root.join(folder), &mut files);
    }
    assert!(files.len() >= 10, "found only {files:?}");
    let mut violations = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for needle in FORBIDDEN {
                if code.contains(needle) {
                    violations.push(format!("{}:{}: `{needle}`", file.display(), number + 1));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn every_source_file_opens_with_a_module_comment() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for folder in CORE.iter().chain(&["src/cli"]) {
        rust_files(&root.join(folder), &mut files);
    }
    let missing: Vec<_> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).expect("read").starts_with("//!"))
        .collect();
    assert!(missing.is_empty(), "{missing:?}");
}
