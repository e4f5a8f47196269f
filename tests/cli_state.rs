//! `clayform state list|show|rm|mv` and `force-unlock`, through the real binary.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use clayform::state::{
    Address, LocalBackend, ManagedBy, Operation, ResourceKind, ResourceState, State,
};
use predicates::str::contains;

fn seed_state(root: &Path) -> LocalBackend {
    std::fs::write(root.join("clayform.yaml"), "clients: {}\n").unwrap();
    let backend = LocalBackend::new(root.join(".clayform/state"));
    let key = LocalBackend::key_for(7, "Q1");
    let lock = backend
        .lock(&key, Operation::Apply, Duration::ZERO)
        .unwrap();
    let mut state = State::new("Q1", 7);
    for (address, kind, id) in [
        (
            Address::table("Q1", "Companies"),
            ResourceKind::Table,
            "t_1",
        ),
        (
            Address::column("Q1", "Companies", "Email"),
            ResourceKind::Column,
            "f_1",
        ),
        (
            Address::column("Q1", "Companies", "Name"),
            ResourceKind::Column,
            "f_2",
        ),
    ] {
        state.upsert(ResourceState {
            address,
            kind,
            clay_id: id.into(),
            desired: serde_json::json!({}),
            observed: serde_json::json!({}),
            managed_by: ManagedBy::Created,
            protect: false,
            depends_on: vec![],
        });
    }
    backend.save(&lock, &mut state).unwrap();
    backend
}

fn clayform(root: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clayform"));
    command.current_dir(root).env("NO_COLOR", "1");
    command
}

#[test]
fn list_show_mv_rm() {
    let dir = tempfile::tempdir().unwrap();
    let backend = seed_state(dir.path());
    clayform(dir.path())
        .args(["state", "list"])
        .assert()
        .success()
        .stdout(contains(
            "workbook[\"Q1\"].table[\"Companies\"].column[\"Email\"]",
        ));
    clayform(dir.path())
        .args([
            "state",
            "show",
            "workbook[Q1].table[Companies].column[Email]",
        ])
        .assert()
        .success()
        .stdout(contains("\"clay_id\": \"f_1\""));
    clayform(dir.path())
        .args([
            "state",
            "mv",
            "workbook[Q1].table[Companies]",
            "workbook[Q1].table[Accounts]",
        ])
        .assert()
        .success();
    clayform(dir.path())
        .args(["state", "rm", "workbook[Q1].table[Accounts].column[Name]"])
        .assert()
        .success()
        .stderr(contains("Clay was not changed"));
    let (_, state) = backend.list().unwrap().remove(0);
    let addresses: Vec<String> = state
        .resources
        .iter()
        .map(|r| r.address.to_string())
        .collect();
    assert_eq!(
        addresses,
        vec![
            "workbook[\"Q1\"].table[\"Accounts\"]",
            "workbook[\"Q1\"].table[\"Accounts\"].column[\"Email\"]"
        ]
    );
    assert_eq!(state.serial, 3, "two edits, each one compare-and-swap save");
}

#[test]
fn state_edits_wait_for_nobody_and_show_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let backend = seed_state(dir.path());
    let key = LocalBackend::key_for(7, "Q1");
    let holder = backend
        .lock(&key, Operation::Apply, Duration::ZERO)
        .unwrap();
    clayform(dir.path())
        .args(["state", "rm", "workbook[Q1].table[Companies].column[Name]"])
        .assert()
        .code(1)
        .stderr(contains("Lock Info:"))
        .stderr(contains(holder.info().id.as_str()));
    clayform(dir.path())
        .args(["force-unlock", "wrong-id"])
        .assert()
        .code(1);
    clayform(dir.path())
        .args(["force-unlock", holder.info().id.as_str()])
        .assert()
        .success();
    clayform(dir.path())
        .args(["state", "rm", "workbook[Q1].table[Companies].column[Name]"])
        .assert()
        .success();
}

#[test]
fn bad_addresses_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    seed_state(dir.path());
    clayform(dir.path())
        .args(["state", "show", "table[Companies]"])
        .assert()
        .code(1)
        .stderr(contains("invalid address"));
    clayform(dir.path())
        .args(["state", "show", "workbook[Nope].table[X]"])
        .assert()
        .code(1)
        .stderr(contains("no state for workbook `Nope`"));
}
