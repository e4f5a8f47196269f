//! `clayform import --workbook ID [--out FILE] [--client NAME]`: a live workbook becomes a spec
//! (names, not ids) and state (every object `imported`), so `plan` right after shows no changes.
//!
//! The written spec goes through the same compiler as hand-written ones before anything is
//! recorded: if it does not validate, it is still written (to fix by hand) but state is not.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, bail};

use super::args::{GlobalArgs, ImportArgs};
use super::clay::{connect, project_root, runtime, workspace_id};
use super::plan::backend;
use super::project::load_project;
use crate::engine::import::read_workbook;
use crate::plan::desired_objects;
use crate::provider::wire::workspace::WorkspaceId;
use crate::source::SourceMap;
use crate::state::{ManagedBy, Operation, ResourceState, State, StateBackend};

pub fn run(global: &GlobalArgs, args: ImportArgs) -> anyhow::Result<u8> {
    // The project gives clients, the catalog and the state folder; its specs are not needed.
    let loaded = load_project(global)?;
    let client = match &args.client {
        Some(name) => Some(
            crate::cost::client_of_name(name, loaded.project.as_ref())
                .with_context(|| format!("no client `{name}` in `clayform.yaml`"))?,
        ),
        None => None,
    };
    let connection = connect(&project_root(&loaded))?;
    let runtime = runtime()?;
    let workspace = runtime.block_on(workspace_id(
        &connection.client,
        client.map(|c| c.workspace_id),
    ))?;
    let clay = connection.client.with_workspace_id(WorkspaceId(workspace));
    let imported = runtime.block_on(read_workbook(
        &clay,
        &args.workbook,
        &loaded.catalog,
        args.client.as_deref(),
    ))?;
    for (column, why) in &imported.skipped {
        eprintln!("warning: column `{column}` was left out of the spec: {why}");
    }

    let out_name = args
        .out
        .as_ref()
        .map_or_else(|| "imported.yaml".to_string(), |p| p.display().to_string());
    let header = format!(
        "# yaml-language-server: $schema=../schemas/workbook.schema.json\n# imported from Clay workbook {} on {}\n",
        args.workbook,
        chrono::Utc::now().format("%Y-%m-%d")
    );
    let text = crate::spec::emit::workbook_yaml(&imported.workbook, &header);

    // Compile the text exactly as `validate` would.
    let mut sources = SourceMap::new();
    let file = sources.add(&out_name, text.clone());
    let (parsed, mut diagnostics) = crate::spec::parse(&sources, file);
    let checked = crate::validate::check(
        &sources,
        &parsed.into_iter().collect::<Vec<_>>(),
        loaded.project.as_ref(),
        &loaded.catalog,
    );
    diagnostics.extend(checked.diagnostics.iter().cloned());

    match &args.out {
        Some(path) => {
            crate::state::write_private_file_atomically(path, text.as_bytes())
                .with_context(|| format!("cannot write `{}`", path.display()))?;
            eprintln!("wrote `{}`", path.display());
        }
        None => std::io::stdout().write_all(text.as_bytes())?,
    }
    if diagnostics
        .iter()
        .any(crate::diagnostics::Diagnostic::is_error)
    {
        let options = super::diagnostics::RenderOptions {
            color: super::render::use_color(),
            ..Default::default()
        };
        eprint!(
            "{}",
            super::diagnostics::render_human(&sources, &diagnostics, options)
        );
        bail!(
            "the imported spec does not validate; fix it by hand, then `clayform import` again to record state"
        );
    }

    let workbook = checked
        .workbooks
        .into_iter()
        .next()
        .context("the imported spec produced no workbook")?;
    let (graph, _) = crate::graph::resolve(&workbook);
    let desired = desired_objects(&workbook, &graph, &loaded.catalog, client);
    let backend: StateBackend = backend(&loaded)?;
    let key = StateBackend::key_for(workspace, workbook.name.as_str());
    let lock = backend.lock(&key, Operation::Import, Duration::ZERO)?;
    if backend.load(&key)?.is_some_and(|s| !s.resources.is_empty()) {
        bail!(
            "workbook `{}` is already in state; `clayform state rm` its objects first to import it again",
            workbook.name.as_str()
        );
    }
    let mut state = State::new(workbook.name.as_str(), workspace);
    for object in desired {
        let Some(clay_id) = imported.ids.get(&object.address) else {
            continue;
        };
        state.upsert(ResourceState {
            address: object.address.clone(),
            kind: object.kind,
            clay_id: clay_id.clone(),
            desired: object.config.clone(),
            observed: object.config,
            managed_by: ManagedBy::Imported,
            protect: object.protect,
            depends_on: object.depends_on,
        });
    }
    let count = state.resources.len();
    backend.save(&lock, &mut state)?;
    eprintln!(
        "imported {count} object(s) of `{}` into state; `clayform plan` should show no changes",
        workbook.name.as_str()
    );
    Ok(super::EXIT_OK)
}
