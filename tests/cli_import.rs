//! `clayform import`: a workbook applied by one project is imported by another, which then plans
//! no changes; the imported objects are recorded as `imported`, and importing twice is refused.

use std::path::Path;
use std::process::Command;

use assert_cmd::assert::OutputAssertExt;
use clayform::emulator::{EmulatorConfig, spawn_background};
use clayform::state::{LocalBackend, ManagedBy, ResourceKind};
use predicates::str::contains;

fn clayform(dir: &Path, url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clayform"));
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CLAY_API_URL", url)
        .env("CLAY_API_KEY", "test-key")
        .env_remove("CLAY_SESSION_COOKIE")
        .env_remove("CLAY_WORKSPACE_ID");
    command
}

#[test]
fn an_applied_workbook_imports_into_a_spec_that_plans_no_changes() {
    let emulator = spawn_background(EmulatorConfig {
        cell_error_rate: 0.0,
        ..EmulatorConfig::default()
    })
    .unwrap();
    let url = emulator.url();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    let source = tempfile::tempdir().unwrap();
    std::fs::copy(
        root.join("clayform.yaml"),
        source.path().join("clayform.yaml"),
    )
    .unwrap();
    std::fs::create_dir_all(source.path().join("specs")).unwrap();
    std::fs::copy(
        root.join("specs/outbound-two-tables.yaml"),
        source.path().join("specs/outbound.yaml"),
    )
    .unwrap();
    clayform(source.path(), &url)
        .args(["apply", "--auto-approve"])
        .assert()
        .success();
    let applied = LocalBackend::new(source.path().join(".clayform/state"))
        .list()
        .unwrap();
    let workbook_id = applied[0]
        .1
        .resources
        .iter()
        .find(|r| r.kind == ResourceKind::Workbook)
        .unwrap()
        .clay_id
        .clone();

    let target = tempfile::tempdir().unwrap();
    std::fs::copy(
        root.join("clayform.yaml"),
        target.path().join("clayform.yaml"),
    )
    .unwrap();
    std::fs::create_dir_all(target.path().join("specs")).unwrap();
    clayform(target.path(), &url)
        .args([
            "import",
            "--workbook",
            &workbook_id,
            "--client",
            "acme",
            "--out",
            "specs/imported.yaml",
        ])
        .assert()
        .success()
        .stderr(contains("into state"));
    let spec = std::fs::read_to_string(target.path().join("specs/imported.yaml")).unwrap();
    assert!(
        spec.contains("workbook: Outbound Fintech Heads of Finance"),
        "{spec}"
    );
    assert!(spec.contains("company_table: Companies"), "{spec}");
    assert!(
        !spec.contains("{{f_"),
        "references are names, not field ids:\n{spec}"
    );

    clayform(target.path(), &url)
        .args(["plan", "--detailed-exitcode"])
        .assert()
        .code(0)
        .stdout(contains("No changes."));
    let imported = LocalBackend::new(target.path().join(".clayform/state"))
        .list()
        .unwrap();
    let resources = &imported[0].1.resources;
    assert_eq!(
        resources.len(),
        applied[0].1.resources.len(),
        "every applied object is imported"
    );
    assert!(
        resources
            .iter()
            .all(|r| r.managed_by == ManagedBy::Imported)
    );

    clayform(target.path(), &url)
        .args([
            "import",
            "--workbook",
            &workbook_id,
            "--out",
            "specs/again.yaml",
        ])
        .assert()
        .code(1)
        .stderr(contains("already in state"));
}
