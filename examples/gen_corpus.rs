//! Benchmark corpus: writes N valid workbooks of 200 columns each (two tables of 100, the Clay
//! limit per table) with varied column kinds, to the folder given as the first argument.
//!
//! Usage: `cargo run --example gen_corpus -- OUT_DIR [WORKBOOKS]` (default 200 workbooks).

use std::fmt::Write as _;
use std::path::PathBuf;

fn column(
    out: &mut String,
    index: usize,
    name_ref: &str,
    domain_ref: &str,
    other_table: &str,
    other_match: &str,
) {
    let name = format!("C{index:03}");
    let _ = match index % 8 {
        0 => writeln!(
            out,
            "      {name}: {{ type: text, description: plain input {index} }}"
        ),
        1 => writeln!(
            out,
            "      {name}: {{ formula: \"{{{{{name_ref}}}}} + ' at ' + {{{{{domain_ref}}}}}\" }}"
        ),
        2 => writeln!(
            out,
            "      {name}:\n        enrichment: email_finder\n        inputs: {{ full_name: \"{{{{{name_ref}}}}}\", company_domain: \"{{{{{domain_ref}}}}}\" }}"
        ),
        3 => writeln!(
            out,
            "      {name}:\n        ai:\n          model: gpt-4.1-mini\n          prompt: |\n            Score {{{{{name_ref}}}}} ({{{{{domain_ref}}}}}) from 1 to 10.\n          output: {{ score: number, label: [low, medium, high] }}\n        run_if: \"!!{{{{{domain_ref}}}}}\""
        ),
        4 => writeln!(
            out,
            "      {name}:\n        lookup: {{ table: {other_table}, match: {{ column: {other_match}, value: \"{{{{{name_ref}}}}}\" }} }}"
        ),
        5 => writeln!(
            out,
            "      {name}:\n        http: {{ method: GET, url: \"https://api.example.com/v1/{{{{{domain_ref}}}}}\", headers: {{ Accept: application/json }} }}"
        ),
        6 => writeln!(
            out,
            "      {name}:\n        enrichment: validate-email\n        inputs: {{ email: \"{{{{{domain_ref}}}}}\" }}\n        run_if: \"!!{{{{{name_ref}}}}}\""
        ),
        _ => writeln!(
            out,
            "      {name}:\n        ai:\n          model: clay-argon\n          prompt: \"Find the pricing page of {{{{{domain_ref}}}}}\"\n          use_case: web_research"
        ),
    };
}

fn workbook(index: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "workbook: Bench Workbook {index:03}");
    let _ = writeln!(out, "description: generated benchmark workbook {index}");
    let _ = writeln!(out, "tables:\n  Companies:\n    type: company");
    let _ = writeln!(
        out,
        "    source:\n      find_companies: {{ industries: [Software], locations: [California], limit: {} }}",
        100 + index
    );
    let _ = writeln!(
        out,
        "    columns:\n      Name: {{ from_source: name }}\n      Domain: {{ from_source: domain, type: url }}"
    );
    for column_index in 2..100 {
        column(
            &mut out,
            column_index,
            "Name",
            "Domain",
            "People",
            "Full Name",
        );
    }
    let _ = writeln!(out, "  People:\n    type: people");
    let _ = writeln!(
        out,
        "    source:\n      find_people: {{ company_table: Companies, job_titles: [CEO], limit: 200 }}"
    );
    let _ = writeln!(
        out,
        "    columns:\n      Full Name: {{ from_source: name }}\n      Company Domain: {{ from_source: company_domain, type: url }}"
    );
    for column_index in 102..200 {
        column(
            &mut out,
            column_index,
            "Full Name",
            "Company Domain",
            "Companies",
            "Name",
        );
    }
    out
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out_dir = PathBuf::from(args.next().unwrap_or_else(|| "bench-corpus".to_string()));
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(200);
    std::fs::create_dir_all(&out_dir)?;
    for index in 0..count {
        std::fs::write(
            out_dir.join(format!("workbook-{index:03}.yaml")),
            workbook(index),
        )?;
    }
    eprintln!("wrote {count} workbooks to {}", out_dir.display());
    Ok(())
}
