//! Connecting commands to Clay: credentials from the environment, or the built-in emulator.
//!
//! With `CLAY_API_KEY` or `CLAY_SESSION_COOKIE` set, commands talk to `CLAY_API_URL` (default
//! `https://api.clay.com`). With neither set, they start clayform's own emulator in-process,
//! persisted to `.clayform/emulator.json` beside `clayform.yaml`, so `plan`, `apply` and
//! `status` in a row see the same (emulated) Clay — a fresh machine gets a working result with
//! no account. Credentials are never printed, logged or written.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::project::Loaded;
use crate::emulator::{EmulatorConfig, RunSpeed, RunningEmulator, spawn_background};
use crate::engine::Target;
use crate::graph::Graph;
use crate::provider::{ClayClient, ClayClientConfig, Credentials};

/// A Clay to talk to, and the emulator behind it when there is one.
pub struct Connection {
    pub client: ClayClient,
    /// Kept alive for the command's duration (dropping it stops the server).
    _emulator: Option<RunningEmulator>,
}

/// The project's root: the folder of `clayform.yaml`, else the current folder.
pub fn project_root(loaded: &Loaded) -> PathBuf {
    loaded
        .project_path
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}

fn has_credentials() -> bool {
    ["CLAY_API_KEY", "CLAY_SESSION_COOKIE"]
        .iter()
        .any(|name| std::env::var(name).is_ok_and(|v| !v.is_empty()))
}

/// Connect to Clay (or the built-in emulator when no credentials are set).
pub fn connect(root: &Path) -> anyhow::Result<Connection> {
    if has_credentials() {
        let config =
            ClayClientConfig::from_env().context("invalid Clay settings in the environment")?;
        return Ok(Connection {
            client: ClayClient::new(config)?,
            _emulator: None,
        });
    }
    let state_file = root.join(".clayform").join("emulator.json");
    if let Some(parent) = state_file.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    let emulator = spawn_background(EmulatorConfig {
        state_file: Some(state_file.clone()),
        run_speed: RunSpeed::DEMO,
        ..EmulatorConfig::default()
    })
    .context("cannot start the built-in Clay emulator")?;
    eprintln!(
        "note: no CLAY_API_KEY or CLAY_SESSION_COOKIE is set: using clayform's built-in Clay \
         emulator (data in `{}`)",
        state_file.display()
    );
    let mut config = ClayClientConfig::new(emulator.url(), Credentials::api_key("emulator"));
    config.workspace_id = None;
    // A local emulator needs no pacing.
    config.pacing = crate::provider::Pacing::Off;
    let client = ClayClient::new(config)?;
    Ok(Connection {
        client,
        _emulator: Some(emulator),
    })
}

/// The workspace a workbook lives in: `CLAY_WORKSPACE_ID`, else its client's `workspace_id`,
/// else the one Clay reports for the credentials.
pub async fn workspace_id(client: &ClayClient, configured: Option<u64>) -> anyhow::Result<u64> {
    if let Ok(text) = std::env::var("CLAY_WORKSPACE_ID") {
        return text
            .trim()
            .parse()
            .with_context(|| format!("CLAY_WORKSPACE_ID must be a number, found `{text}`"));
    }
    if let Some(id) = configured {
        return Ok(id);
    }
    let id = client
        .discover_workspace_id()
        .await
        .context("cannot tell which Clay workspace to use; set CLAY_WORKSPACE_ID")?;
    Ok(id.0)
}

/// Graphs and targets for every loaded workbook.
pub struct Targets {
    pub graphs: Vec<Graph>,
    pub workspace_ids: Vec<u64>,
}

impl Targets {
    pub async fn resolve(loaded: &Loaded, client: &ClayClient) -> anyhow::Result<Targets> {
        let mut graphs = Vec::new();
        let mut workspace_ids = Vec::new();
        for workbook in &loaded.workbooks {
            graphs.push(crate::graph::resolve(workbook).0);
            let configured =
                crate::cost::client_of(workbook, loaded.project.as_ref()).map(|c| c.workspace_id);
            workspace_ids.push(workspace_id(client, configured).await?);
        }
        Ok(Targets {
            graphs,
            workspace_ids,
        })
    }

    pub fn target<'a>(&'a self, loaded: &'a Loaded, index: usize) -> Target<'a> {
        let workbook = &loaded.workbooks[index];
        Target {
            workbook,
            graph: &self.graphs[index],
            catalog: &loaded.catalog,
            client: crate::cost::client_of(workbook, loaded.project.as_ref()),
            workspace_id: self.workspace_ids[index],
        }
    }
}

/// A runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
