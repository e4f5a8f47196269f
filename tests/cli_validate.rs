//! `clayform validate`, `clayform schema` and `clayform graph`, run as the real binary.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn clayform() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clayform"));
    command
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

#[test]
fn validate_with_no_path_checks_the_project_specs_and_passes() {
    clayform()
        .arg("validate")
        .assert()
        .code(0)
        .stdout("")
        .stderr("3 files valid, no problems\n");
}

#[test]
fn validate_json_of_valid_specs() {
    let output = clayform()
        .args(["validate", "--format", "json", "specs"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&output).expect("json on stdout");
    assert_eq!(
        report,
        serde_json::json!({"valid": true, "error_count": 0, "warning_count": 0, "diagnostics": []})
    );
}

#[test]
fn validate_reports_errors_on_stderr_and_exits_1() {
    clayform()
        .args([
            "validate",
            "tests/fixtures/invalid/CF203-unknown-column.yaml",
        ])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("CF203")
                .and(predicate::str::contains(
                    "unknown column `Compnay Domain` in table `Companies`",
                ))
                .and(predicate::str::contains(
                    "help: did you mean `Company Domain`?",
                ))
                .and(predicate::str::contains("CF203-unknown-column.yaml:11:58"))
                .and(predicate::str::contains("1 error, 0 warnings in 1 file"))
                .and(predicate::str::contains("\u{1b}[").not()),
        );
}

#[test]
fn validate_json_reports_positions_and_exits_1() {
    let output = clayform()
        .args([
            "validate",
            "--format",
            "json",
            "tests/fixtures/invalid/CF204-cycle.yaml",
            "tests/fixtures/invalid/CF101-unknown-key.yaml",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["valid"], false);
    assert_eq!(report["error_count"], 2);
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["CF204", "CF101"]);
    let unknown_key = &report["diagnostics"][1];
    assert_eq!(unknown_key["line"], 8);
    assert_eq!(unknown_key["column"], 9);
    assert_eq!(unknown_key["end_column"], 13);
    assert_eq!(unknown_key["severity"], "error");
    assert_eq!(unknown_key["help"], "did you mean `type`?");
    assert!(
        unknown_key["file"]
            .as_str()
            .expect("file")
            .ends_with("CF101-unknown-key.yaml")
    );
}

#[test]
fn warnings_alone_exit_0() {
    clayform()
        .args([
            "validate",
            "tests/fixtures/invalid/CF210-run-if-on-formula.yaml",
        ])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("1 file valid, 1 warning"));
}

#[test]
fn a_missing_path_is_an_error() {
    clayform()
        .args(["validate", "no/such/spec.yaml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "`no/such/spec.yaml` does not exist",
        ));
}

#[test]
fn a_50_megabyte_file_is_refused_quickly() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("huge.yaml");
    std::fs::write(&path, vec![b'#'; 50 * 1024 * 1024]).expect("write");
    clayform()
        .arg("validate")
        .arg(&path)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("CF002"));
}

#[test]
fn project_flag_points_at_another_project_file() {
    let folder = tempfile::tempdir().expect("temp dir");
    let project = folder.path().join("clayform.yaml");
    std::fs::write(&project, "clients: {}\n").expect("write");
    clayform()
        .arg("validate")
        .arg("--project")
        .arg(&project)
        .arg("specs/ca-saas-outreach.yaml")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("CF307")
                .and(predicate::str::contains("unknown client `acme`")),
        );
}

#[test]
fn default_specs_dir_is_beside_the_project_file() {
    let folder = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        folder.path().join("clayform.yaml"),
        "specs_dir: workbooks\n",
    )
    .expect("write");
    std::fs::create_dir(folder.path().join("workbooks")).expect("mkdir");
    std::fs::write(
        folder.path().join("workbooks/a.yml"),
        "workbook: A\ntables:\n  T:\n    type: company\n    columns:\n      N: {type: text}\n",
    )
    .expect("write");
    let mut command = Command::new(env!("CARGO_BIN_EXE_clayform"));
    command
        .env("NO_COLOR", "1")
        .current_dir(folder.path())
        .arg("validate")
        .assert()
        .code(0)
        .stderr("1 file valid, no problems\n");
}

#[test]
fn schema_prints_the_committed_schemas() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workbook =
        std::fs::read_to_string(root.join("schemas/workbook.schema.json")).expect("read");
    clayform().arg("schema").assert().code(0).stdout(workbook);
    let project = std::fs::read_to_string(root.join("schemas/project.schema.json")).expect("read");
    clayform()
        .args(["schema", "--kind", "project"])
        .assert()
        .code(0)
        .stdout(project);
}

#[test]
fn graph_prints_dot_and_mermaid() {
    clayform()
        .args(["graph", "specs/ca-saas-outreach.yaml"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::starts_with("digraph \"CA SaaS Outreach Q1 2026\" {")
                .and(predicate::str::contains("t0_c3 -> t0_c4;")),
        );
    clayform()
        .args([
            "graph",
            "specs/outbound-two-tables.yaml",
            "--format",
            "mermaid",
        ])
        .assert()
        .code(0)
        .stdout(
            predicate::str::starts_with("flowchart LR\n").and(predicate::str::contains(
                "t0_source -->|company_table| t1_source",
            )),
        );
}

#[test]
fn graph_of_an_invalid_spec_shows_the_diagnostics_and_exits_1() {
    clayform()
        .args(["graph", "tests/fixtures/invalid/CF204-cycle.yaml"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("CF204"));
}
