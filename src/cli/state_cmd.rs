//! `clayform state list|show|rm|mv` and `clayform force-unlock`: state surgery.
//!
//! `rm` and `mv` only edit state: Clay is never touched. They take the state's lock, and every
//! write is a normal compare-and-swap save, so a concurrent apply can't be overwritten.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};

use super::args::{ForceUnlockArgs, GlobalArgs, StateCommand};
use crate::state::{Address, LocalBackend, Operation, State};

/// The folder holding state files: `.clayform/state` beside `clayform.yaml` (found upward from
/// the current folder, or given with `--project`), else under the current folder.
pub fn state_dir(global: &GlobalArgs) -> anyhow::Result<PathBuf> {
    let root = match &global.project {
        Some(file) => file.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => {
            let cwd = std::env::current_dir().context("cannot read the current folder")?;
            cwd.ancestors()
                .find(|dir| dir.join("clayform.yaml").is_file())
                .unwrap_or(&cwd)
                .to_path_buf()
        }
    };
    Ok(root.join(".clayform").join("state"))
}

pub fn run(global: &GlobalArgs, command: StateCommand) -> anyhow::Result<u8> {
    let backend = LocalBackend::new(state_dir(global)?);
    match command {
        StateCommand::List { path: _ } => {
            for (_, state) in backend.list()? {
                for resource in &state.resources {
                    println!("{}", resource.address);
                }
            }
        }
        StateCommand::Show { address } => {
            let address = Address::parse(&address)?;
            let (_, state) = find_state(&backend, &address)?;
            let resource = state
                .get(&address)
                .with_context(|| format!("no object at `{address}` in state"))?;
            println!("{}", serde_json::to_string_pretty(resource)?);
        }
        StateCommand::Rm { address } => {
            let address = Address::parse(&address)?;
            let (key, _) = find_state(&backend, &address)?;
            let lock = backend.lock(&key, Operation::StateEdit, Duration::ZERO)?;
            let mut state = backend
                .load(&key)?
                .context("state vanished while locking it")?;
            let removed = state.remove(&address)?;
            backend.save(&lock, &mut state)?;
            eprintln!(
                "removed `{}` ({}) from state; Clay was not changed",
                removed.address, removed.clay_id
            );
        }
        StateCommand::Mv { from, to } => {
            let from = Address::parse(&from)?;
            let to = Address::parse(&to)?;
            if from.workbook != to.workbook {
                bail!("`state mv` moves objects within one workbook; `{from}` and `{to}` differ");
            }
            let (key, _) = find_state(&backend, &from)?;
            let lock = backend.lock(&key, Operation::StateEdit, Duration::ZERO)?;
            let mut state = backend
                .load(&key)?
                .context("state vanished while locking it")?;
            let moved = state.move_address(&from, &to)?;
            backend.save(&lock, &mut state)?;
            eprintln!("moved `{from}` to `{to}` ({moved} object(s)); Clay was not changed");
        }
    }
    Ok(super::EXIT_OK)
}

/// The state holding `address`'s workbook.
fn find_state(backend: &LocalBackend, address: &Address) -> anyhow::Result<(String, State)> {
    backend
        .list()?
        .into_iter()
        .find(|(_, state)| state.workbook == address.workbook)
        .with_context(|| {
            format!(
                "no state for workbook `{}` in `{}`",
                address.workbook,
                backend.dir().display()
            )
        })
}

pub fn force_unlock(global: &GlobalArgs, args: &ForceUnlockArgs) -> anyhow::Result<u8> {
    let backend = LocalBackend::new(state_dir(global)?);
    let info = backend.force_unlock(&args.lock_id)?;
    eprintln!(
        "released lock `{}` held by {} for {}",
        info.id, info.who, info.operation
    );
    Ok(super::EXIT_OK)
}
