//! `clayform state list|show|rm|mv` and `clayform force-unlock`: state surgery.
//!
//! `rm` and `mv` only edit state: Clay is never touched. They take the state's lock, and every
//! write is a normal compare-and-swap save, so a concurrent apply can't be overwritten.

use std::time::Duration;

use anyhow::{Context, bail};

use super::args::{ForceUnlockArgs, GlobalArgs, StateCommand};
use super::plan::backend;
use super::project::load_project;
use crate::state::{Address, Operation, State, StateBackend};

/// The project's state backend (its `backend:` in `clayform.yaml`, found upward from the current
/// folder or given with `--project`), or `.clayform/state` under the current folder when there
/// is no project file. `Err(code)` when the project file has errors (they are printed).
fn state_backend(global: &GlobalArgs) -> anyhow::Result<Result<StateBackend, u8>> {
    let loaded = load_project(global)?;
    if !loaded.diagnostics.is_empty() {
        super::diagnostics::print_loaded(&loaded)?;
    }
    if loaded.error_count() > 0 {
        return Ok(Err(super::EXIT_ERROR));
    }
    Ok(Ok(backend(&loaded)?))
}

pub fn run(global: &GlobalArgs, command: StateCommand) -> anyhow::Result<u8> {
    let backend = match state_backend(global)? {
        Ok(backend) => backend,
        Err(code) => return Ok(code),
    };
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
fn find_state(backend: &StateBackend, address: &Address) -> anyhow::Result<(String, State)> {
    backend
        .list()?
        .into_iter()
        .find(|(_, state)| state.workbook == address.workbook)
        .with_context(|| {
            format!(
                "no state for workbook `{}` in `{}`",
                address.workbook,
                backend.location()
            )
        })
}

pub fn force_unlock(global: &GlobalArgs, args: &ForceUnlockArgs) -> anyhow::Result<u8> {
    let backend = match state_backend(global)? {
        Ok(backend) => backend,
        Err(code) => return Ok(code),
    };
    let info = backend.force_unlock(&args.lock_id)?;
    eprintln!(
        "released lock `{}` held by {} for {}",
        info.id, info.who, info.operation
    );
    Ok(super::EXIT_OK)
}
