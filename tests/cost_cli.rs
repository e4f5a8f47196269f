//! `clayform cost` run as the real binary on the example specs and on a CSV-sourced spec.

use std::process::Command;

use assert_cmd::assert::OutputAssertExt;

fn clayform() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clayform"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    command
}

#[test]
fn cost_prints_columns_upper_bounds_and_budgets() {
    let output = clayform()
        .args(["cost", "specs/ca-saas-outreach.yaml"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("workbook `CA SaaS Outreach Q1 2026` (client `acme`)"),
        "{stdout}"
    );
    let email = stdout
        .lines()
        .find(|l| l.contains("Contact Email"))
        .unwrap();
    assert!(
        email.contains("email_finder") && email.contains("1000"),
        "{email}"
    );
    let score = stdout.lines().find(|l| l.contains("ICP Score")).unwrap();
    assert!(
        score.contains("≤500"),
        "gated columns are upper bounds: {score}"
    );
    assert!(stdout.contains("`budget.max_credits` — ok"), "{stdout}");
}

#[test]
fn cost_json_is_the_cost_report_and_over_budget_exits_1() {
    // The example with its workbook budget cut to 100 data credits.
    let folder = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/outbound-two-tables.yaml"),
    )
    .unwrap();
    let over_budget = example.replace("max_credits: 4000", "max_credits: 100");
    assert_ne!(over_budget, example, "the example sets `max_credits: 4000`");
    let spec = folder.path().join("outbound.yaml");
    std::fs::write(&spec, over_budget).unwrap();
    let output = clayform()
        .arg("cost")
        .arg(&spec)
        .args(["--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["over_budget"], true);
    let workbook = &report["workbooks"][0];
    assert_eq!(workbook["tables"][1]["table"], "People");
    assert_eq!(workbook["tables"][1]["rows"]["rows"], 150);
    let states: Vec<&str> = workbook["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["state"].as_str().unwrap())
        .collect();
    assert!(states.contains(&"over"), "{states:?}");
}

#[test]
fn cost_counts_csv_rows_when_the_spec_gives_no_expected_rows() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("leads.csv"),
        "Email,Name\na@x.com,A\nb@x.com,B\nc@x.com,C\n",
    )
    .unwrap();
    let spec = "workbook: Csv Count\ntables:\n  Accounts:\n    type: company\n    columns:\n      \
                Company: { type: text }\n  Leads:\n    type: spreadsheet\n    source:\n      csv:\n        \
                path: leads.csv\n    columns:\n      Email: { type: email }\n      Name: { type: text }\n      \
                Valid:\n        enrichment: validate-email\n        inputs: { email: \"{{Email}}\" }\n";
    let spec_path = folder.path().join("spec.yaml");
    std::fs::write(&spec_path, spec).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_clayform"))
        .current_dir(folder.path())
        .args(["cost", "spec.yaml", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let leads = &report["workbooks"][0]["tables"][1];
    assert_eq!(leads["rows"]["rows"], 3, "{leads:#}");
    assert_eq!(leads["total"]["actions"], 3.0);
}
