//! The README's main command works on a fresh copy of the project: with no Clay credentials,
//! `clayform apply --auto-approve` applies every example spec to the built-in emulator, and a
//! following `clayform plan --detailed-exitcode` finds nothing to change (exit 0).

use std::path::Path;
use std::process::Command;

use assert_cmd::assert::OutputAssertExt;
use predicates::str::contains;

fn copy_project(to: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("clayform.yaml"), to.join("clayform.yaml")).unwrap();
    std::fs::create_dir_all(to.join("specs")).unwrap();
    for entry in std::fs::read_dir(root.join("specs")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join("specs").join(path.file_name().unwrap())).unwrap();
    }
}

fn clayform(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clayform"));
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLAY_API_KEY")
        .env_remove("CLAY_SESSION_COOKIE")
        .env_remove("CLAY_API_URL")
        .env_remove("CLAY_WORKSPACE_ID");
    command
}

#[test]
fn apply_on_a_fresh_copy_then_plan_shows_no_changes() {
    let dir = tempfile::tempdir().unwrap();
    copy_project(dir.path());
    clayform(dir.path())
        .args(["apply", "--auto-approve"])
        .assert()
        .success()
        .stderr(contains("built-in Clay emulator"))
        .stderr(contains("Apply complete!"));
    clayform(dir.path())
        .args(["plan", "--detailed-exitcode"])
        .assert()
        .code(0)
        .stdout(contains("No changes."));
    // State was written, privately, and holds no credentials (there were none to hold).
    let state_dir = dir.path().join(".clayform/state");
    let files: Vec<_> = std::fs::read_dir(&state_dir).unwrap().collect();
    assert_eq!(files.len(), 3, "one state file per example workbook");
}
