//! Rows through plan/apply: inline `rows:` and a CSV source are loaded after their columns exist,
//! with record ids derived from the key so re-applying adds nothing; rows added to the file are
//! added next time; rows removed from it are reported and kept; bad lines are reported with their
//! line numbers.

use std::path::Path;
use std::process::Command;

use assert_cmd::assert::OutputAssertExt;
use clayform::emulator::{EmulatorConfig, spawn_background};
use clayform::provider::{ClayClient, ClayClientConfig, Credentials};
use clayform::state::{Address, LocalBackend};
use predicates::str::contains;

const SPEC: &str = r#"
workbook: Rows Test
tables:
  Accounts:
    type: company
    source:
      rows:
        - { Company: Acme, Website: "https://acme.com" }
        - { Company: Globex, Website: "https://globex.com" }
    columns:
      Company: { type: text }
      Website: { type: url }
  Leads:
    type: spreadsheet
    source: { csv: { path: leads.csv, key: Email, mapping: { "Company Name": Company } } }
    columns:
      Email: { type: email }
      Name: { type: text }
      Company: { type: text }
"#;

fn clayform(dir: &Path, url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clayform"));
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CLAY_API_URL", url)
        .env("CLAY_API_KEY", "test-key")
        .env("CLAY_WORKSPACE_ID", "1080480")
        .env_remove("CLAY_SESSION_COOKIE");
    command
}

fn row_count(url: &str, dir: &Path, table: &str) -> u64 {
    let backend = LocalBackend::new(dir.join(".clayform/state"));
    let (_, state) = backend.list().unwrap().remove(0);
    let table_id = state
        .get(&Address::table("Rows Test", table))
        .unwrap()
        .clay_id
        .clone();
    let client =
        ClayClient::new(ClayClientConfig::new(url, Credentials::api_key("test-key"))).unwrap();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(client.count_records(&table_id))
        .unwrap()
}

#[test]
fn rows_are_added_once_new_lines_later_and_removed_lines_reported() {
    let emulator = spawn_background(EmulatorConfig {
        auto_blank_row: false,
        ..EmulatorConfig::default()
    })
    .unwrap();
    let url = emulator.url();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("specs")).unwrap();
    std::fs::write(dir.path().join("clayform.yaml"), "specs_dir: specs\n").unwrap();
    std::fs::write(dir.path().join("specs/rows.yaml"), SPEC).unwrap();
    let csv = "Email,Name,Company Name,Unused\nada@x.com,Ada,Acme,1\n,No Key,Acme,2\ngrace@x.com,Grace,Globex,3\n";
    std::fs::write(dir.path().join("specs/leads.csv"), csv).unwrap();

    clayform(dir.path(), &url)
        .args(["apply", "--auto-approve"])
        .assert()
        .success()
        .stderr(contains("rows: table `Accounts`: 2 added from inline rows"))
        .stderr(contains("rows: table `Leads`: 2 added from leads.csv"))
        .stderr(contains(
            "leads.csv:3: no value for key column `Email`; line skipped",
        ))
        .stderr(contains(
            "header `Unused` of `leads.csv` matches no column of table `Leads`",
        ));
    assert_eq!(row_count(&url, dir.path(), "Accounts"), 2);
    assert_eq!(row_count(&url, dir.path(), "Leads"), 2);

    // Nothing new: no changes, and applying again adds nothing.
    clayform(dir.path(), &url)
        .args(["plan", "--detailed-exitcode"])
        .assert()
        .code(0);
    clayform(dir.path(), &url)
        .args(["apply", "--auto-approve"])
        .assert()
        .success();
    assert_eq!(row_count(&url, dir.path(), "Leads"), 2);

    // A new line is a change, added by the next apply; a removed one is reported, not deleted.
    let csv = "Email,Name,Company Name\ngrace@x.com,Grace,Globex\nalan@x.com,Alan,Acme\n";
    std::fs::write(dir.path().join("specs/leads.csv"), csv).unwrap();
    clayform(dir.path(), &url)
        .args(["plan", "--detailed-exitcode"])
        .assert()
        .code(2)
        .stdout(contains("rows: table `Leads`: 1 to add from leads.csv (1 already in Clay; 1 no longer in the source, kept)"));
    clayform(dir.path(), &url)
        .args(["apply", "--auto-approve"])
        .assert()
        .success();
    assert_eq!(row_count(&url, dir.path(), "Leads"), 3);
}
