//! CSV sources checked against their files' header lines when specs load (CF501–CF504): every
//! problem at once, each at the line and column of the spec it concerns, through the real binary.
//! Errors stop `plan` before anything reaches Clay; a warning alone does not fail `validate`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const SPEC: &str = r#"workbook: CSV Checks
tables:
  Accounts:
    type: company
    source: { csv: { path: missing.csv } }
    columns:
      Name: { type: text }
  Leads:
    type: spreadsheet
    source:
      csv:
        path: leads.csv
        key: Email
        mapping: { "E-mail": Name }
    columns:
      Email: { type: email }
      Name: { type: text }
"#;

fn project(spec: &str, csv: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("specs")).unwrap();
    std::fs::write(dir.path().join("clayform.yaml"), "specs_dir: specs\n").unwrap();
    std::fs::write(dir.path().join("specs/checks.yaml"), spec).unwrap();
    if let Some(csv) = csv {
        std::fs::write(dir.path().join("specs/leads.csv"), csv).unwrap();
    }
    dir
}

fn clayform(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_clayform"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLAY_API_KEY")
        .env_remove("CLAY_SESSION_COOKIE")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// 1-based line and column of the first `needle` in `text` after the first `after`.
fn position(text: &str, after: &str, needle: &str) -> (u64, u64) {
    let start = text.find(after).expect("anchor")
        + text[text.find(after).unwrap()..]
            .find(needle)
            .expect("needle");
    let line = text[..start].matches('\n').count() as u64 + 1;
    let column = (start - text[..start].rfind('\n').map_or(0, |i| i + 1)) as u64 + 1;
    (line, column)
}

fn diagnostics(dir: &Path) -> (i32, Value) {
    let (code, stdout, stderr) = clayform(dir, &["validate", "--format", "json"]);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    (code, json)
}

fn find<'a>(json: &'a Value, code: &str) -> &'a Value {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {json:#}"))
}

#[test]
fn every_csv_problem_is_reported_at_once_where_the_spec_says_it() {
    let dir = project(SPEC, Some("Full Name,Work Email,Phone\nAda,ada@x.com,1\n"));
    let (code, json) = diagnostics(dir.path());
    assert_eq!(code, 1, "{json:#}");

    let missing = find(&json, "CF501");
    assert_eq!(missing["severity"], "error");
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read CSV file `missing.csv`"),
        "{missing}"
    );
    let at = position(SPEC, "Accounts", "missing.csv");
    assert_eq!(
        (
            missing["line"].as_u64().unwrap(),
            missing["column"].as_u64().unwrap()
        ),
        at
    );

    let header = find(&json, "CF502");
    assert_eq!(header["message"], "`leads.csv` has no header `E-mail`");
    // The underline is on the column the missing header maps to.
    let at = position(SPEC, "mapping:", "Name");
    assert_eq!(
        (
            header["line"].as_u64().unwrap(),
            header["column"].as_u64().unwrap()
        ),
        at
    );
    assert!(
        header["help"].as_str().unwrap().contains("Work Email"),
        "{header}"
    );

    let key = find(&json, "CF503");
    assert_eq!(
        key["message"],
        "no header of `leads.csv` fills the key column `Email`"
    );
    let at = position(SPEC, "key:", "Email");
    assert_eq!(
        (
            key["line"].as_u64().unwrap(),
            key["column"].as_u64().unwrap()
        ),
        at
    );
    assert!(key["help"].as_str().unwrap().contains("mapping:"), "{key}");

    let ignored = find(&json, "CF504");
    assert_eq!(ignored["severity"], "warning");
    assert_eq!(
        ignored["message"],
        "headers `Full Name`, `Work Email`, `Phone` of `leads.csv` match no column of table \
         `Leads`; their values are not loaded"
    );
    let at = position(SPEC, "Leads", "leads.csv");
    assert_eq!(
        (
            ignored["line"].as_u64().unwrap(),
            ignored["column"].as_u64().unwrap()
        ),
        at
    );
    assert_eq!(json["error_count"], 3);
    assert_eq!(json["warning_count"], 1);

    // The same load stops `plan` before it connects to anything (no credentials are set).
    let (code, _, stderr) = clayform(dir.path(), &["plan"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("CF502"), "{stderr}");
    assert!(stderr.contains("checks.yaml:14:"), "{stderr}");
}

#[test]
fn a_mapped_file_is_clean_and_an_ignored_header_only_warns() {
    let spec = SPEC
        .replace(
            "source: { csv: { path: missing.csv } }",
            "source: { rows: [{ Name: Acme }] }",
        )
        .replace(
            r#"mapping: { "E-mail": Name }"#,
            r#"mapping: { "Work Email": Email, "Full Name": Name }"#,
        );
    let dir = project(&spec, Some("Full Name,Work Email\nAda,ada@x.com\n"));
    let (code, json) = diagnostics(dir.path());
    assert_eq!(
        (code, &json["diagnostics"]),
        (0, &Value::Array(vec![])),
        "{json:#}"
    );

    std::fs::write(
        dir.path().join("specs/leads.csv"),
        "Full Name,Work Email,Notes\n",
    )
    .unwrap();
    let (code, json) = diagnostics(dir.path());
    assert_eq!(code, 0, "a warning alone passes: {json:#}");
    assert_eq!(json["warning_count"], 1);
    assert!(
        find(&json, "CF504")["message"]
            .as_str()
            .unwrap()
            .starts_with("header `Notes`")
    );
}

#[test]
fn an_empty_file_has_no_header_line() {
    let dir = project(SPEC, Some(""));
    let (_, json) = diagnostics(dir.path());
    let empty = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "CF501" && d["message"].as_str().unwrap().contains("leads.csv"))
        .unwrap_or_else(|| panic!("{json:#}"));
    assert_eq!(
        empty["message"],
        "cannot read CSV file `leads.csv`: the file has no header line"
    );
}
