//! `clayform plan`: read live Clay, diff against the specs, show what would change and what
//! running the changed columns costs. Never writes to Clay.
//!
//! Exit codes: 0 success (with `--detailed-exitcode`: no changes), 1 error (including a plan
//! that is not applyable: a protected object would be destroyed), 2 changes present (with
//! `--detailed-exitcode`).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use super::args::{GlobalArgs, PlanArgs, PlanFormat};
use super::clay::{Connection, Targets, connect, project_root, runtime};
use super::project::{Loaded, load};
use crate::engine::{PlanOptions, WorkbookPlan, lock_state, plan_workbook};
use crate::plan::saved::{
    PinnedState, SAVED_PLAN_FORMAT_VERSION, SavedPlan, fingerprint, spec_hash,
};
use crate::plan::{Plan, render};
use crate::provider::wire::workspace::WorkspaceId;
use crate::state::{Address, LocalBackend, Operation, StateBackend, StateLock};

/// Load specs and stop with their diagnostics when any is an error.
pub fn load_valid(global: &GlobalArgs, paths: &[PathBuf]) -> anyhow::Result<Result<Loaded, u8>> {
    let loaded = load(global, paths)?;
    if !loaded.diagnostics.is_empty() {
        super::diagnostics::print_loaded(&loaded)?;
    }
    if loaded.error_count() > 0 {
        return Ok(Err(super::EXIT_ERROR));
    }
    Ok(Ok(loaded))
}

/// `--target ADDR` arguments as addresses.
pub fn parse_targets(targets: &[String]) -> anyhow::Result<Vec<Address>> {
    Ok(targets
        .iter()
        .map(|t| Address::parse(t))
        .collect::<Result<Vec<_>, _>>()?)
}

/// The state backend for a project: its `backend:`, else `.clayform/state` beside
/// `clayform.yaml` (or under the current folder when there is none).
pub fn backend(loaded: &Loaded) -> anyhow::Result<StateBackend> {
    let root = project_root(loaded);
    Ok(match loaded.project.as_ref().map(|p| &p.backend) {
        Some(crate::model::Backend::LocalPath(path)) => LocalBackend::new(root.join(path)).into(),
        Some(crate::model::Backend::Postgres {
            conn_str_env,
            schema,
        }) => StateBackend::postgres(conn_str_env, schema.as_deref())?,
        Some(crate::model::Backend::Local) | None => {
            LocalBackend::new(root.join(".clayform").join("state")).into()
        }
    })
}

/// Take the state lock of every workbook in `loaded`, in file order, for the whole operation
/// (apply holds them from reconciling through planning, approval and applying to the final
/// check, so no other operation can slip in between).
pub async fn lock_all(
    connection: &Connection,
    loaded: &Loaded,
    backend: &StateBackend,
    operation: Operation,
) -> anyhow::Result<Vec<Arc<StateLock>>> {
    let targets = Targets::resolve(loaded, &connection.client).await?;
    (0..loaded.workbooks.len())
        .map(|index| {
            Ok(Arc::new(lock_state(
                backend,
                &targets.target(loaded, index),
                operation,
                Duration::ZERO,
            )?))
        })
        .collect()
}

/// Plans for every workbook in `loaded`: under `held` locks (from [`lock_all`]), or each under
/// a plan lock taken for its own planning.
pub async fn plan_all(
    connection: &Connection,
    loaded: &Loaded,
    backend: &StateBackend,
    options: &PlanOptions,
    held: Option<&[Arc<StateLock>]>,
) -> anyhow::Result<Vec<WorkbookPlan>> {
    let targets = Targets::resolve(loaded, &connection.client).await?;
    let mut plans = Vec::new();
    for index in 0..loaded.workbooks.len() {
        let target = targets.target(loaded, index);
        let clay = connection
            .client
            .with_workspace_id(WorkspaceId(target.workspace_id));
        let _lock = match held {
            Some(_) => None,
            None => Some(lock_state(
                backend,
                &target,
                Operation::Plan,
                Duration::ZERO,
            )?),
        };
        let planned = plan_workbook(&clay, backend, &target, options)
            .await
            .with_context(|| format!("cannot plan workbook `{}`", target.name()))?;
        if !planned.state.intents.is_empty() {
            eprintln!(
                "warning: an interrupted apply left {} unfinished operation(s) for `{}`; the next \
                 `clayform apply` reconciles them first",
                planned.state.intents.len(),
                target.name()
            );
        }
        for unmanaged in &planned.refreshed.unmanaged {
            eprintln!(
                "note: column `{}` in table `{}` is not managed by clayform; it is left alone",
                unmanaged.column, unmanaged.table
            );
        }
        plans.push(planned);
    }
    Ok(plans)
}

/// One plan for all workbooks.
pub fn combined(plans: &[WorkbookPlan]) -> Plan {
    let mut plan = Plan::default();
    for planned in plans {
        plan.changes.extend(planned.plan.changes.iter().cloned());
        plan.problems.extend(planned.plan.problems.iter().cloned());
    }
    plan
}

/// Pins for a saved plan.
pub fn saved_plan(loaded: &Loaded, paths: &[PathBuf], plans: &[WorkbookPlan]) -> SavedPlan {
    let plan = combined(plans);
    let fingerprints = plan
        .changes
        .iter()
        .filter(|c| c.clay_id.is_some())
        .filter_map(|c| {
            c.before
                .as_ref()
                .map(|before| (c.address.to_string(), fingerprint(before)))
        })
        .collect();
    SavedPlan {
        format_version: SAVED_PLAN_FORMAT_VERSION,
        clayform_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        spec_hash: hash_of(loaded),
        spec_paths: paths.iter().map(|p| p.display().to_string()).collect(),
        workbooks: plans.iter().map(pin).collect(),
        fingerprints,
        plan,
    }
}

pub fn pin(planned: &WorkbookPlan) -> PinnedState {
    PinnedState {
        workbook: planned.workbook.clone(),
        workspace_id: planned.workspace_id,
        lineage: planned.state_exists.then(|| planned.state.lineage.clone()),
        serial: planned.state_exists.then_some(planned.state.serial),
    }
}

pub fn hash_of(loaded: &Loaded) -> String {
    let files: Vec<(String, Vec<u8>)> = loaded
        .sources
        .files()
        .map(|f| (f.path.display().to_string(), f.text.as_bytes().to_vec()))
        .collect();
    spec_hash(files.iter().map(|(p, b)| (p.as_str(), b.as_slice())))
}

pub fn run(global: &GlobalArgs, args: PlanArgs) -> anyhow::Result<u8> {
    let loaded = match load_valid(global, &args.paths)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let targets = parse_targets(&args.target)?;
    let options = PlanOptions {
        refresh: args.refresh,
        targets,
    };
    let backend = backend(&loaded)?;
    let connection = connect(&project_root(&loaded))?;
    let runtime = runtime()?;
    let plans = runtime.block_on(plan_all(&connection, &loaded, &backend, &options, None))?;
    let plan = combined(&plans);
    let workspaces: Vec<u64> = plans.iter().map(|p| p.workspace_id).collect();
    let rows = super::rows::read_all(&loaded, &workspaces)?;
    let row_previews = runtime.block_on(super::rows::previews(&connection, &backend, &rows))?;
    let rows_to_add = row_previews.iter().any(|r| r.added > 0);

    let text = match args.format {
        PlanFormat::Human => render::human(&plan, super::render::use_color()),
        PlanFormat::Json => {
            let mut text = serde_json::to_string_pretty(&render::json(&plan))?;
            text.push('\n');
            text
        }
        PlanFormat::Markdown => render::markdown(&plan),
    };
    std::io::stdout().write_all(text.as_bytes())?;
    // Rows to add (data, not schema): part of the human plan, a note beside the others.
    let rows_text = super::rows::render(&rows, &row_previews, false);
    if args.format == PlanFormat::Human {
        std::io::stdout().write_all(rows_text.as_bytes())?;
    } else {
        eprint!("{rows_text}");
    }

    if let Some(out) = &args.out {
        let saved = saved_plan(&loaded, &args.paths, &plans);
        let bytes = serde_json::to_vec_pretty(&saved)?;
        crate::state::write_private_file_atomically(out, &bytes)
            .with_context(|| format!("cannot write the plan to `{}`", out.display()))?;
        eprintln!(
            "saved the plan to `{}`; apply exactly it with `clayform apply {}`",
            out.display(),
            out.display()
        );
    }
    if !plan.problems.is_empty() {
        return Ok(super::EXIT_ERROR);
    }
    Ok(
        if args.detailed_exitcode && (plan.has_changes() || rows_to_add) {
            super::EXIT_CHANGES
        } else {
            super::EXIT_OK
        },
    )
}
