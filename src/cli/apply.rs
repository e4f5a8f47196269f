//! `clayform apply` and `clayform destroy`.
//!
//! Apply from specs: reconcile what an interrupted apply left, plan, show the plan, ask (unless
//! `--auto-approve`), apply. Apply from a saved plan: refuse it when stale (specs changed, state
//! moved, or an object it touches changed in Clay), then carry out exactly its changes. Destroy:
//! plan the deletion of everything clayform manages in a workbook, honouring `protect`.
//! After applying, Clay is read again to check it converged on the specs.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};

use super::args::{ApplyArgs, DestroyArgs, GlobalArgs};
use super::clay::{Connection, Targets, connect, project_root, runtime};
use super::plan::{backend, combined, hash_of, load_valid, lock_all, pin, plan_all};
use super::progress::ApplyProgress;
use super::project::Loaded;
use crate::engine::intents::reconcile;
use crate::engine::{
    ApplyOptions, ApplySummary, PlanOptions, WorkbookPlan, apply_workbook, plan_workbook,
    record_unchanged_adopted,
};
use crate::plan::saved::{Current, SavedPlan, fingerprint};
use crate::plan::{Action, Plan, Reason, render};
use crate::provider::wire::workspace::WorkspaceId;
use crate::state::{ObjectPath, Operation, StateBackend, StateLock};

fn confirm(plan_text: &str, auto_approve: bool) -> anyhow::Result<bool> {
    eprint!("{plan_text}");
    if auto_approve {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        bail!("apply needs approval: run it in a terminal, or pass `--auto-approve`");
    }
    eprint!("\nDo you want to perform these actions? Only `yes` is accepted.\n  Enter a value: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

fn report(summaries: &[ApplySummary], plan: &Plan) -> u8 {
    let failed: Vec<_> = summaries.iter().flat_map(|s| s.failed.iter()).collect();
    let skipped: Vec<_> = summaries.iter().flat_map(|s| s.skipped.iter()).collect();
    let done = summaries.iter().map(|s| s.done.len()).sum::<usize>();
    if failed.is_empty() && skipped.is_empty() {
        let (add, change, destroy) = plan.summary_counts();
        eprintln!(
            "\nApply complete! Resources: {add} added, {change} changed, {destroy} destroyed."
        );
        return super::EXIT_OK;
    }
    eprintln!(
        "\nApply incomplete: {done} done, {} failed, {} skipped.",
        failed.len(),
        skipped.len()
    );
    for (address, error) in failed {
        eprintln!("  failed:  {address}: {error}");
    }
    for (address, because) in skipped {
        eprintln!("  skipped: {address} (depends on `{because}`)");
    }
    eprintln!(
        "Completed steps are saved in state. Fix the cause and run `clayform apply` again to finish \
         (nothing done is repeated)."
    );
    super::EXIT_ERROR
}

/// After an apply that changed something, the URL of every webhook source of the applied
/// workbooks, from state, on stdout: it is the data a user needs next (to point a form or a
/// Zapier step at). `status` shows the same URLs later. The auth token of a webhook source this
/// apply created is shown here once, as Clay shows it once; it is never stored.
fn print_webhook_urls(
    backend: &StateBackend,
    locks: &[Arc<StateLock>],
    summaries: &[ApplySummary],
) -> anyhow::Result<()> {
    let mut out = String::new();
    for lock in locks {
        let Some(state) = backend.load(lock.key())? else {
            continue;
        };
        for resource in &state.resources {
            if let (ObjectPath::Source { table }, Some(url)) =
                (&resource.address.path, resource.observed["url"].as_str())
            {
                out.push_str(&format!(
                    "webhook: workbook `{}` table `{table}`: {url}\n",
                    resource.address.workbook
                ));
            }
        }
    }
    for (address, token) in summaries.iter().flat_map(|s| &s.webhook_tokens) {
        if let ObjectPath::Source { table } = &address.path {
            out.push_str(&format!(
                "webhook auth token: workbook `{}` table `{table}`: {} (shown once: senders put it \
                 in the `x-clay-webhook-auth` header; clayform does not keep it)\n",
                address.workbook,
                token.expose()
            ));
        }
    }
    print!("{out}");
    Ok(())
}

/// Apply every workbook plan under the locks held since planning.
async fn apply_plans(
    connection: &Connection,
    loaded: &Loaded,
    backend: &StateBackend,
    plans: &[WorkbookPlan],
    locks: &[Arc<StateLock>],
    parallelism: usize,
    hook: &ApplyProgress,
) -> anyhow::Result<Vec<ApplySummary>> {
    let targets = Targets::resolve(loaded, &connection.client).await?;
    let steps = plans
        .iter()
        .flat_map(|p| &p.plan.changes)
        .filter(|c| c.action != Action::NoOp)
        .count();
    hook.begin(steps as u64);
    let summaries = async {
        let mut summaries = Vec::new();
        for (index, planned) in plans.iter().enumerate() {
            if !planned.plan.has_changes() {
                continue;
            }
            let target = targets.target(loaded, index);
            let clay = connection
                .client
                .with_workspace_id(WorkspaceId(target.workspace_id));
            let options = ApplyOptions { parallelism };
            summaries.push(
                apply_workbook(
                    &clay,
                    backend,
                    &locks[index],
                    &target,
                    planned,
                    &options,
                    hook,
                )
                .await?,
            );
        }
        Ok(summaries)
    }
    .await;
    hook.finish();
    summaries
}

/// Re-read Clay after apply and say whether it matches the specs.
async fn verify(
    connection: &Connection,
    loaded: &Loaded,
    backend: &StateBackend,
    locks: &[Arc<StateLock>],
) -> anyhow::Result<()> {
    let plans = plan_all(
        connection,
        loaded,
        backend,
        &PlanOptions {
            refresh: true,
            targets: Vec::new(),
        },
        Some(locks),
    )
    .await?;
    let plan = combined(&plans);
    if plan.has_changes() {
        let remaining = plan
            .changes
            .iter()
            .filter(|c| c.action != Action::NoOp)
            .count();
        eprintln!(
            "warning: after apply, Clay still differs from the specs in {remaining} object(s); run \
             `clayform plan` to see them"
        );
    }
    Ok(())
}

fn is_saved_plan(path: &Path) -> bool {
    path.is_file()
        && std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .is_some_and(|v| v.get("spec_hash").is_some() && v.get("plan").is_some())
}

pub fn run(global: &GlobalArgs, args: ApplyArgs) -> anyhow::Result<u8> {
    if let [single] = args.paths.as_slice()
        && is_saved_plan(single)
    {
        return apply_saved(global, single, &args);
    }
    let loaded = match load_valid(global, &args.paths)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let targets = super::plan::parse_targets(&args.target)?;
    let backend = backend(&loaded)?;
    let connection = connect(&project_root(&loaded))?;
    let runtime = runtime()?;
    let hook = ApplyProgress::new(args.json);
    runtime.block_on(async {
        let locks = lock_all(&connection, &loaded, &backend, Operation::Apply).await?;
        reconcile_all(&connection, &loaded, &backend, &locks).await?;
        let plans = plan_all(
            &connection,
            &loaded,
            &backend,
            &PlanOptions {
                refresh: true,
                targets,
            },
            Some(&locks),
        )
        .await?;
        let plan = combined(&plans);
        if !plan.problems.is_empty() {
            eprint!("{}", render::human(&plan, super::render::use_color()));
            return Ok(super::EXIT_ERROR);
        }
        let workspaces: Vec<u64> = plans.iter().map(|p| p.workspace_id).collect();
        let rows = super::rows::read_all(&loaded, &workspaces)?;
        let row_previews = super::rows::previews(&connection, &backend, &rows).await?;
        let rows_to_add = row_previews.iter().any(|r| r.added > 0);
        if !plan.has_changes() && !rows_to_add {
            for (planned, lock) in plans.iter().zip(&locks) {
                let mut state = planned.state.clone();
                if planned.state_exists && record_unchanged_adopted(planned, &mut state) {
                    backend.save(lock, &mut state)?;
                }
            }
            eprint!("{}", super::rows::render(&rows, &[], false));
            eprintln!("No changes. Clay matches the specs.");
            return Ok(super::EXIT_OK);
        }
        let mut shown = if plan.has_changes() {
            render::human(&plan, super::render::use_color())
        } else {
            String::new()
        };
        shown.push_str(&super::rows::render(&rows, &row_previews, false));
        if !confirm(&shown, args.auto_approve)? {
            eprintln!("Apply cancelled.");
            return Ok(super::EXIT_ERROR);
        }
        let mut code = super::EXIT_OK;
        if plan.has_changes() {
            let summaries = apply_plans(
                &connection,
                &loaded,
                &backend,
                &plans,
                &locks,
                args.parallelism,
                &hook,
            )
            .await?;
            code = report(&summaries, &plan);
            print_webhook_urls(&backend, &locks, &summaries)?;
        }
        if code == super::EXIT_OK {
            // Rows are data: added after the columns they fill exist, never diffed away.
            let loaded_rows = super::rows::load_all(&connection, &backend, &rows).await?;
            eprint!("{}", super::rows::render(&[], &loaded_rows, true));
            verify(&connection, &loaded, &backend, &locks).await?;
            if args.run {
                code = super::run::run_applied(&connection, &loaded, &backend, &plans).await?;
            }
        }
        Ok(code)
    })
}

async fn reconcile_all(
    connection: &Connection,
    loaded: &Loaded,
    backend: &StateBackend,
    locks: &[Arc<StateLock>],
) -> anyhow::Result<()> {
    let targets = Targets::resolve(loaded, &connection.client).await?;
    for (index, lock) in locks.iter().enumerate() {
        let target = targets.target(loaded, index);
        let clay = connection
            .client
            .with_workspace_id(WorkspaceId(target.workspace_id));
        let adopted = reconcile(&clay, backend, lock, &target).await?;
        if adopted > 0 {
            eprintln!(
                "reconciled an interrupted apply of `{}`: {adopted} object(s) found in Clay and kept",
                target.name()
            );
        }
    }
    Ok(())
}

fn apply_saved(global: &GlobalArgs, path: &Path, args: &ApplyArgs) -> anyhow::Result<u8> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read plan file `{}`", path.display()))?;
    let saved: SavedPlan = serde_json::from_slice(&bytes)
        .with_context(|| format!("`{}` is not a clayform plan file", path.display()))?;
    let paths: Vec<PathBuf> = saved.spec_paths.iter().map(PathBuf::from).collect();
    let loaded = match load_valid(global, &paths)? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let backend = backend(&loaded)?;
    let connection = connect(&project_root(&loaded))?;
    let hook = ApplyProgress::new(args.json);
    runtime()?.block_on(async {
        let locks = lock_all(&connection, &loaded, &backend, Operation::Apply).await?;
        let plans = plan_all(
            &connection,
            &loaded,
            &backend,
            &PlanOptions { refresh: true, targets: Vec::new() },
            Some(&locks),
        )
        .await?;
        let states: Vec<_> = plans.iter().map(pin).collect();
        let fingerprints = plans
            .iter()
            .flat_map(|p| p.refreshed.prior.iter())
            .filter_map(|prior| prior.live.as_ref().map(|live| (prior.address.to_string(), fingerprint(live))))
            .collect();
        let spec_hash = hash_of(&loaded);
        let stale = saved.staleness(&Current { spec_hash: &spec_hash, states: &states, fingerprints: &fingerprints });
        if !stale.is_empty() {
            eprintln!("error: the saved plan `{}` is stale and was not applied:", path.display());
            for reason in stale {
                eprintln!("  - {reason}");
            }
            eprintln!("\nhint: run `clayform plan --out {}` again", path.display());
            return Ok(super::EXIT_ERROR);
        }
        let now = combined(&plans);
        let actions = |plan: &Plan| -> Vec<(String, Action)> {
            plan.changes.iter().filter(|c| c.action != Action::NoOp).map(|c| (c.address.to_string(), c.action)).collect()
        };
        if actions(&now) != actions(&saved.plan) {
            bail!("Clay and state match the saved plan's pins, but planning again gives different changes; make a new plan");
        }
        eprint!("{}", render::human(&saved.plan, super::render::use_color()));
        let summaries =
            apply_plans(&connection, &loaded, &backend, &plans, &locks, args.parallelism, &hook).await?;
        let mut code = report(&summaries, &saved.plan);
        print_webhook_urls(&backend, &locks, &summaries)?;
        if code == super::EXIT_OK {
            verify(&connection, &loaded, &backend, &locks).await?;
            if args.run {
                code = super::run::run_applied(&connection, &loaded, &backend, &plans).await?;
            }
        }
        Ok(code)
    })
}

/// Deleting a table deletes every column in it, and clayform never touches columns it does not
/// manage: a table holding any is kept (its managed columns are still deleted, one by one), and
/// so is its workbook.
fn keep_tables_with_unmanaged_columns(planned: &mut WorkbookPlan) {
    let holding: std::collections::BTreeSet<&str> = planned
        .refreshed
        .unmanaged
        .iter()
        .map(|u| u.table.as_str())
        .collect();
    if holding.is_empty() {
        return;
    }
    for unmanaged in &planned.refreshed.unmanaged {
        eprintln!(
            "note: column `{}` in table `{}` is not managed by clayform; it is left alone, and so \
             are its table and workbook",
            unmanaged.column, unmanaged.table
        );
    }
    planned.plan.changes.retain(|c| match &c.address.path {
        ObjectPath::Workbook => false,
        ObjectPath::Table { table } => !holding.contains(table.as_str()),
        ObjectPath::Source { .. } | ObjectPath::Column { .. } => true,
    });
    for change in &mut planned.plan.changes {
        if change
            .address
            .table_name()
            .is_some_and(|t| holding.contains(t))
        {
            change.reasons.retain(|r| *r != Reason::DeletedWithTable);
        }
    }
}

pub fn destroy(global: &GlobalArgs, args: DestroyArgs) -> anyhow::Result<u8> {
    let loaded = match load_valid(global, std::slice::from_ref(&args.path))? {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let backend = backend(&loaded)?;
    let connection = connect(&project_root(&loaded))?;
    let hook = ApplyProgress::new(false);
    runtime()?.block_on(async {
        let targets = Targets::resolve(&loaded, &connection.client).await?;
        let locks = lock_all(&connection, &loaded, &backend, Operation::Destroy).await?;
        let mut plans = Vec::new();
        for index in 0..loaded.workbooks.len() {
            let target = targets.target(&loaded, index);
            let clay = connection
                .client
                .with_workspace_id(WorkspaceId(target.workspace_id));
            let mut planned = plan_workbook(
                &clay,
                &backend,
                &target,
                &PlanOptions {
                    refresh: true,
                    targets: Vec::new(),
                },
            )
            .await?;
            // Nothing is desired: every managed object is deleted, in reverse dependency order.
            planned.desired.clear();
            planned.plan = crate::plan::diff(&[], &planned.refreshed.prior);
            keep_tables_with_unmanaged_columns(&mut planned);
            plans.push(planned);
        }
        let plan = combined(&plans);
        if !plan.problems.is_empty() {
            eprint!("{}", render::human(&plan, super::render::use_color()));
            return Ok(super::EXIT_ERROR);
        }
        if !plan.has_changes() {
            eprintln!("Nothing to destroy: clayform manages nothing in these workbooks.");
            return Ok(super::EXIT_OK);
        }
        if !confirm(
            &render::human(&plan, super::render::use_color()),
            args.auto_approve,
        )? {
            eprintln!("Destroy cancelled.");
            return Ok(super::EXIT_ERROR);
        }
        let summaries =
            apply_plans(&connection, &loaded, &backend, &plans, &locks, 10, &hook).await?;
        Ok(report(&summaries, &plan))
    })
}
