//! Shared by the `engine*` tests: a temporary project folder, an emulator started for it, the
//! real `clayform` binary run against that emulator, and views of Clay's side (through the
//! client, over loopback HTTP) and of state (through `LocalBackend`, or the project's own
//! `StateBackend` when a test sets one).
//!
//! Must not know: how the engine works inside. Everything here looks from the outside, as a user
//! and a second Clay client would.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use clayform::emulator::{EmulatorConfig, RunSpeed, RunningEmulator, spawn_background};
use clayform::provider::wire::field::ClayField;
use clayform::provider::wire::table::ClayTable;
use clayform::provider::{ClayClient, ClayClientConfig, Credentials, RetryPolicy, WorkspaceId};
use clayform::state::{LocalBackend, State, StateBackend};

pub const WORKSPACE_ID: u64 = 1_080_480;
pub const API_KEY: &str = "test-key";

/// Emulator settings for these tests: fast runs, no random cell errors.
pub fn quiet_emulator() -> EmulatorConfig {
    EmulatorConfig {
        cell_error_rate: 0.0,
        run_speed: RunSpeed::FAST,
        workspace_id: WORKSPACE_ID,
        ..EmulatorConfig::default()
    }
}

pub fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/engine")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from_output(output: &Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics, showing everything the command printed, unless it exited with `code`.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit code {code}, got {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// A project folder with one spec file, and an emulator standing in for Clay.
pub struct Project {
    pub dir: tempfile::TempDir,
    pub emulator: RunningEmulator,
    pub api_key: String,
    /// Extra environment for every run of the binary.
    pub env: Vec<(String, String)>,
    /// Where `state()` reads from, when not the default local folder.
    pub state_backend: Option<StateBackend>,
    runtime: tokio::runtime::Runtime,
}

impl Project {
    /// A project whose spec is the fixture `spec_fixture`, against a quiet emulator.
    pub fn new(spec_fixture: &str) -> Project {
        Project::with_emulator(spec_fixture, quiet_emulator())
    }

    pub fn with_emulator(spec_fixture: &str, config: EmulatorConfig) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("clayform.yaml"), fixture("clayform.yaml")).unwrap();
        std::fs::create_dir_all(dir.path().join("specs")).unwrap();
        let emulator = spawn_background(config).expect("start the emulator");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let project = Project {
            dir,
            emulator,
            api_key: API_KEY.to_string(),
            env: Vec::new(),
            state_backend: None,
            runtime,
        };
        project.write_spec(&fixture(spec_fixture));
        project
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn spec_path(&self) -> PathBuf {
        self.root().join("specs/workbook.yaml")
    }

    pub fn write_spec(&self, text: &str) {
        std::fs::write(self.spec_path(), text).unwrap();
    }

    pub fn spec(&self) -> String {
        std::fs::read_to_string(self.spec_path()).unwrap()
    }

    /// Replace `from` (which must occur exactly once) with `to` in the spec.
    #[track_caller]
    pub fn edit_spec(&self, from: &str, to: &str) {
        let text = self.spec();
        assert_eq!(
            text.matches(from).count(),
            1,
            "`{from}` must occur once in the spec:\n{text}"
        );
        self.write_spec(&text.replacen(from, to, 1));
    }

    /// The binary, in the project folder, pointed at the emulator.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_clayform"));
        command
            .args(args)
            .current_dir(self.root())
            .env("CLAY_API_URL", self.emulator.url())
            .env("CLAY_API_KEY", &self.api_key)
            .env("NO_COLOR", "1")
            .env_remove("CLAY_SESSION_COOKIE")
            .env_remove("CLAY_WORKSPACE_ID")
            .env_remove("RUST_LOG")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let output = self.command(args).output().expect("run clayform");
        Run::from_output(&output)
    }

    /// Start `clayform ARGS` in the background: stderr piped (read it with `wait_with_output`),
    /// stdout discarded.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(args)
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start clayform")
    }

    #[track_caller]
    pub fn apply(&self) -> Run {
        self.run(&["apply", "--auto-approve"]).expect_code(0)
    }

    /// `plan --detailed-exitcode` must say there is nothing to do.
    #[track_caller]
    pub fn expect_no_changes(&self) {
        let run = self.run(&["plan", "--detailed-exitcode"]).expect_code(0);
        assert!(run.stdout.contains("No changes"), "{}", run.output());
    }

    /// `plan --format json`, parsed.
    #[track_caller]
    pub fn plan_json(&self) -> serde_json::Value {
        let run = self.run(&["plan", "--format", "json"]);
        assert!(run.code == 0 || run.code == 1, "{}", run.output());
        serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("plan --format json is not JSON ({e}):\n{}", run.stdout))
    }

    pub fn backend(&self) -> LocalBackend {
        LocalBackend::new(self.root().join(".clayform/state"))
    }

    pub fn state_key(&self, workbook: &str) -> String {
        LocalBackend::key_for(WORKSPACE_ID, workbook)
    }

    pub fn state(&self, workbook: &str) -> State {
        self.state_backend
            .clone()
            .unwrap_or_else(|| self.backend().into())
            .load(&self.state_key(workbook))
            .expect("read state")
            .expect("state exists")
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// A second Clay client, as another user of the workspace would have.
    pub fn clay(&self) -> ClayClient {
        let mut config = ClayClientConfig::new(
            self.emulator.url(),
            Credentials::api_key(API_KEY.to_string()),
        );
        config.workspace_id = Some(WorkspaceId(WORKSPACE_ID));
        config.pacing = clayform::provider::Pacing::Off;
        config.retry = RetryPolicy::none();
        ClayClient::new(config).expect("client")
    }

    /// Change the emulator's fault rate and latency while it runs.
    pub fn set_emulator(&self, fault_rate: f64, latency_ms: u64) {
        let url = format!("{}/__emulator/config", self.emulator.url());
        self.block_on(async {
            let response = reqwest::Client::new()
                .post(url)
                .json(&serde_json::json!({ "faultRate": fault_rate, "latencyMs": latency_ms }))
                .send()
                .await
                .expect("emulator config");
            assert!(response.status().is_success());
        });
    }

    /// `/__emulator/stats`: request and fault counters.
    pub fn emulator_stats(&self) -> serde_json::Value {
        let url = format!("{}/__emulator/stats", self.emulator.url());
        self.block_on(async {
            reqwest::get(url)
                .await
                .expect("emulator stats")
                .json()
                .await
                .expect("stats JSON")
        })
    }

    /// Live workbooks named `name` (not deleted), by id.
    pub fn live_workbook_ids(&self, name: &str) -> Vec<String> {
        let clay = self.clay();
        self.block_on(clay.list_workbooks())
            .expect("list workbooks")
            .into_iter()
            .filter(|w| w.name == name && w.deleted_at.is_none())
            .map(|w| w.id)
            .collect()
    }

    /// Every live table of the one live workbook named `workbook`, read in full, by table name.
    /// Duplicate table names fail the test.
    #[track_caller]
    pub fn live_tables(&self, workbook: &str) -> BTreeMap<String, ClayTable> {
        let ids = self.live_workbook_ids(workbook);
        assert_eq!(
            ids.len(),
            1,
            "workbook `{workbook}` exists {} times",
            ids.len()
        );
        let clay = self.clay();
        self.block_on(async {
            let mut tables = BTreeMap::new();
            for summary in clay.list_workbook_tables(&ids[0]).await.expect("tables") {
                if summary.deleted_at.is_some() {
                    continue;
                }
                let table = clay.get_table(&summary.id).await.expect("table").table;
                let name = table.name.clone();
                assert!(
                    tables.insert(name.clone(), table).is_none(),
                    "table `{name}` exists twice"
                );
            }
            tables
        })
    }

    #[track_caller]
    pub fn live_table(&self, workbook: &str, table: &str) -> ClayTable {
        self.live_tables(workbook)
            .remove(table)
            .unwrap_or_else(|| panic!("no live table `{table}`"))
    }

    #[track_caller]
    pub fn live_field(&self, workbook: &str, table: &str, column: &str) -> ClayField {
        let table = self.live_table(workbook, table);
        let matching: Vec<&ClayField> = table.fields.iter().filter(|f| f.name == column).collect();
        assert_eq!(
            matching.len(),
            1,
            "column `{column}` exists {} times in `{}`",
            matching.len(),
            table.name
        );
        matching[0].clone()
    }

    /// Clay and state agree, and nothing exists twice:
    /// one workbook; no two tables or fields of a table with one name; every id state records
    /// exists in Clay, and every managed name appears once.
    #[track_caller]
    pub fn assert_consistent(&self, workbook: &str) {
        let tables = self.live_tables(workbook);
        for table in tables.values() {
            let mut seen = BTreeMap::new();
            for field in &table.fields {
                *seen.entry(field.name.as_str()).or_insert(0) += 1;
            }
            let duplicated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
            assert!(
                duplicated.is_empty(),
                "duplicate columns in `{}`: {duplicated:?}",
                table.name
            );
        }
        let state = self.state(workbook);
        assert!(
            state.intents.is_empty(),
            "unreconciled intents: {:?}",
            state.intents
        );
        let workbook_ids = self.live_workbook_ids(workbook);
        for resource in &state.resources {
            let exists = match resource.kind {
                clayform::state::ResourceKind::Workbook => workbook_ids.contains(&resource.clay_id),
                clayform::state::ResourceKind::Table => {
                    tables.values().any(|t| t.id == resource.clay_id)
                }
                clayform::state::ResourceKind::Column => tables
                    .values()
                    .any(|t| t.fields.iter().any(|f| f.id == resource.clay_id)),
                clayform::state::ResourceKind::Source => true,
            };
            assert!(
                exists,
                "state has `{}` as `{}`, which Clay does not have",
                resource.address, resource.clay_id
            );
        }
    }

    /// Names of the `.lock` files in the state folder.
    pub fn lock_files(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.root().join(".clayform/state")) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".lock"))
            .collect()
    }
}

/// Field names of a table, in order.
/// The change in a `plan --format json` whose address ends with `suffix`.
#[track_caller]
pub fn change_ending<'a>(plan: &'a serde_json::Value, suffix: &str) -> &'a serde_json::Value {
    plan["resource_changes"]
        .as_array()
        .expect("resource_changes")
        .iter()
        .find(|c| c["address"].as_str().is_some_and(|a| a.ends_with(suffix)))
        .unwrap_or_else(|| panic!("no change for `…{suffix}` in {plan}"))
}

pub fn field_names(table: &ClayTable) -> Vec<String> {
    table.fields.iter().map(|f| f.name.clone()).collect()
}
