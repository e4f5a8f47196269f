//! Applying one workbook's plan: steps in dependency order, at most `parallelism` at a time,
//! each wrapped in an intent and followed by a state checkpoint.
//!
//! Before a step's first mutating call, its intent is saved. After the step, its result replaces
//! the intent in memory and reaches disk with the next save: the intent save of a step that
//! starts next (often its dependent), or the flush once the steps are over (saves are group
//! commits, see [`super::checkpoints`]). A dependent needs its dependency to exist in Clay, not
//! its result on disk, so it doesn't wait for a save of its own. A process killed before the
//! result is saved leaves the intent, which the next apply reconciles (`intents::reconcile`)
//! before it plans, so nothing is created twice.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use super::checkpoints::Checkpoints;
use super::placement::Placements;
use super::steps::{LiveTable, StepContext, StepError, execute};
use super::{EngineError, Target, WorkbookPlan};
use crate::apply::hook::ApplyHook;
use crate::apply::scheduler::{self, Step, StepOutcome};
use crate::plan::{Action, DesiredObject, ResourceChange};
use crate::provider::{ClayClient, Secret};
use crate::state::{Address, Intent, IntentStatus, ObjectPath, StateBackend, StateLock};

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    pub parallelism: usize,
}

/// How an apply ended.
#[derive(Debug, Clone, Default)]
pub struct ApplySummary {
    pub done: Vec<Address>,
    pub failed: Vec<(Address, String)>,
    /// Skipped, and the failed step that caused it.
    pub skipped: Vec<(Address, Address)>,
    /// State serial after the last checkpoint.
    pub serial: u64,
    /// Auth tokens of the webhook sources this apply created. Clay shows a token once: these
    /// are never written to state; the caller shows them to the user and drops them.
    pub webhook_tokens: Vec<(Address, Secret)>,
}

impl ApplySummary {
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty()
    }
}

/// Apply `planned` (computed under `lock`) to Clay.
pub async fn apply_workbook(
    clay: &ClayClient,
    backend: &StateBackend,
    lock: &Arc<StateLock>,
    target: &Target<'_>,
    planned: &WorkbookPlan,
    options: &ApplyOptions,
    hook: &dyn ApplyHook,
) -> Result<ApplySummary, EngineError> {
    let changes: Vec<&ResourceChange> = planned
        .plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    let steps = build_steps(&changes);
    let desired: BTreeMap<Address, DesiredObject> = planned
        .desired
        .iter()
        .map(|d| (d.address.clone(), d.clone()))
        .collect();
    let live_tables: BTreeMap<String, LiveTable> = planned
        .refreshed
        .tables
        .iter()
        .map(|(name, table)| (name.clone(), LiveTable::from_clay(table)))
        .collect();
    let placements = Placements::new(
        &changes,
        &steps,
        &planned.plan.changes,
        |table| {
            target.workbook.table(table).map_or_else(Vec::new, |t| {
                t.columns
                    .iter()
                    .map(|c| c.name.as_str().to_owned())
                    .collect()
            })
        },
        &planned.refreshed.tables,
    );
    let auto_run_with_source = auto_run_with_source(target, &changes);
    let mut initial = planned.state.clone();
    // Saved with the first step's intent.
    super::record_unchanged_adopted(planned, &mut initial);
    let state = Mutex::new(initial);
    let live_tables = Mutex::new(live_tables);
    let webhook_tokens = Mutex::new(Vec::new());
    let context = StepContext {
        clay,
        target,
        state: &state,
        live_tables: &live_tables,
        desired: &desired,
        webhook_tokens: &webhook_tokens,
        placements: &placements,
        auto_run_with_source: &auto_run_with_source,
    };
    let checkpoints = Checkpoints::new(backend.clone(), lock.clone(), &state, hook);

    let outcomes = scheduler::execute_gated(
        &steps,
        options.parallelism,
        |index| {
            let change = changes[index];
            let context = &context;
            let state = &state;
            let checkpoints = &checkpoints;
            async move {
                let intent_id = uuid::Uuid::new_v4().to_string();
                let intent_saved = {
                    let mut state = state.lock().expect("state mutex");
                    state.intents.push(Intent {
                        id: intent_id.clone(),
                        address: change.address.clone(),
                        operation: operation_name(change.action).to_string(),
                        status: IntentStatus::Started,
                        started_at: chrono::Utc::now()
                            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                        clay_id: change.clay_id.clone(),
                    });
                    checkpoints.changed(&mut state)
                };
                checkpoints.persist(intent_saved).await?;
                let result = execute(context, change).await;
                // The result replaces the intent in memory; the next save takes it to disk.
                let mut state = state.lock().expect("state mutex");
                match result {
                    Ok(recorded) => {
                        state.intents.retain(|i| i.id != intent_id);
                        match recorded {
                            Some(resource) => state.upsert(resource),
                            None => {
                                let _ = state.remove(&change.address);
                            }
                        }
                        checkpoints.changed(&mut state);
                        Ok(())
                    }
                    // A definite failure changed nothing; an ambiguous one may have, so its
                    // intent stays for the next apply to reconcile.
                    Err(StepError { message, ambiguous }) => {
                        if !ambiguous {
                            state.intents.retain(|i| i.id != intent_id);
                            checkpoints.changed(&mut state);
                        }
                        Err(message)
                    }
                }
            }
        },
        hook,
        &placements,
    )
    .await;
    let order_failures = finish_column_order(clay, &state, planned, &changes, &checkpoints).await;
    // Every result on disk before the summary (the order pass's saves usually covered them).
    let flushed = checkpoints.flush().await;

    let mut summary = ApplySummary {
        serial: state.lock().expect("state mutex").serial,
        webhook_tokens: webhook_tokens.into_inner().expect("tokens mutex"),
        ..ApplySummary::default()
    };
    for (index, outcome) in outcomes.into_iter().enumerate() {
        let address = changes[index].address.clone();
        match outcome {
            StepOutcome::Done => summary.done.push(address),
            StepOutcome::Failed(message) => summary.failed.push((address, message)),
            StepOutcome::Skipped { because } => summary
                .skipped
                .push((address, changes[because].address.clone())),
        }
    }
    if let Err(error) = flushed {
        summary
            .failed
            .push((Address::workbook(target.name()), error));
    }
    summary.failed.extend(order_failures);
    Ok(summary)
}

/// Put the columns of every table this apply touched in spec order (Clay's default view), then
/// record the table as Clay shows it. Returns the tables that could not be ordered.
async fn finish_column_order(
    clay: &ClayClient,
    state: &Mutex<crate::state::State>,
    planned: &WorkbookPlan,
    changes: &[&ResourceChange],
    checkpoints: &Checkpoints<'_>,
) -> Vec<(Address, String)> {
    let mut failures = Vec::new();
    let mut tables = Vec::new();
    for object in planned
        .desired
        .iter()
        .filter(|d| d.kind == crate::state::ResourceKind::Table)
    {
        let Some(table) = object.address.table_name() else {
            continue;
        };
        let touched = changes
            .iter()
            .any(|c| c.action != Action::Delete && c.address.table_name() == Some(table));
        if !touched {
            continue;
        }
        let (table_id, managed, desired_ids) = {
            let state = state.lock().expect("state mutex");
            let Some(table_id) = state.get(&object.address).map(|r| r.clay_id.clone()) else {
                continue;
            };
            let columns: Vec<(String, String)> = state
                .resources
                .iter()
                .filter(|r| {
                    r.kind == crate::state::ResourceKind::Column
                        && r.address.table_name() == Some(table)
                })
                .filter_map(|r| match &r.address.path {
                    ObjectPath::Column { column, .. } => Some((column.clone(), r.clay_id.clone())),
                    _ => None,
                })
                .collect();
            let desired_ids: Vec<String> = object
                .config
                .get("column_order")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(serde_json::Value::as_str)
                .filter_map(|name| {
                    columns
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, id)| id.clone())
                })
                .collect();
            let managed: Vec<String> = columns.into_iter().map(|(_, id)| id).collect();
            (table_id, managed, desired_ids)
        };
        tables.push((object, table_id, managed, desired_ids));
    }
    // Tables are ordered concurrently: each pass touches only its own table's view.
    let ordered =
        futures_util::future::join_all(tables.iter().map(|(_, table_id, managed, desired_ids)| {
            super::order::apply_order(clay, table_id, desired_ids, managed)
        }))
        .await;
    // What Clay shows now is recorded for every table, then saved once.
    let mut recorded = None;
    for ((object, _, managed, _), result) in tables.iter().zip(ordered) {
        match result {
            Ok(live) => {
                let mut state = state.lock().expect("state mutex");
                if let Some(resource) = state.get_mut(&object.address) {
                    resource.observed = crate::refresh::live_table_config(&live, managed);
                }
                recorded = Some((checkpoints.changed(&mut state), object.address.clone()));
            }
            Err(error) => failures.push((
                object.address.clone(),
                format!("cannot order its columns: {error}"),
            )),
        }
    }
    if let Some((change, address)) = recorded
        && let Err(error) = checkpoints.persist(change).await
    {
        failures.push((address, error));
    }
    failures
}

/// Tables this apply creates together with their webhook source, and the auto-run each asks
/// for: set in the PATCH that adds the source rather than in one of its own.
fn auto_run_with_source(
    target: &Target<'_>,
    changes: &[&ResourceChange],
) -> BTreeMap<String, bool> {
    let created = |path: &ObjectPath| {
        changes.iter().any(|c| {
            &c.address.path == path && matches!(c.action, Action::Create | Action::Replace)
        })
    };
    target
        .workbook
        .tables
        .iter()
        .filter(|table| {
            matches!(
                table.source.as_ref().map(|s| &s.kind),
                Some(crate::model::SourceKind::Webhook(_))
            )
        })
        .filter(|table| {
            let name = table.name.as_str().to_owned();
            created(&ObjectPath::Table {
                table: name.clone(),
            }) && created(&ObjectPath::Source { table: name })
        })
        .map(|table| (table.name.as_str().to_owned(), table.auto_run))
        .collect()
}

fn operation_name(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update | Action::NoOp => "update",
        Action::Replace => "replace",
        Action::Delete => "delete",
    }
}

/// Dependencies between steps:
/// - a create or update waits for the steps of what it depends on;
/// - a delete waits for the deletes of objects that depend on it (reverse order);
/// - a create waits for the delete or replace that frees its name in the same table.
fn build_steps(changes: &[&ResourceChange]) -> Vec<Step> {
    let index_of: HashMap<&Address, usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (&c.address, i))
        .collect();
    let mut steps: Vec<Step> = changes
        .iter()
        .map(|c| Step {
            address: c.address.clone(),
            action: c.action,
            depends_on: Vec::new(),
        })
        .collect();
    for (index, change) in changes.iter().enumerate() {
        if change.action == Action::Delete {
            for (other, dependent) in changes.iter().enumerate() {
                if dependent.action == Action::Delete
                    && dependent.depends_on.contains(&change.address)
                {
                    steps[index].depends_on.push(other);
                }
            }
            continue;
        }
        for dependency in &change.depends_on {
            if let Some(&other) = index_of.get(dependency)
                && changes[other].action != Action::Delete
            {
                steps[index].depends_on.push(other);
            }
        }
        if let ObjectPath::Column { table, column } = &change.address.path {
            for (other, freeing) in changes.iter().enumerate() {
                let frees_name = freeing.action == Action::Delete
                    && matches!(&freeing.address.path, ObjectPath::Column { table: t, column: c } if t == table && c == column);
                if frees_name && other != index {
                    steps[index].depends_on.push(other);
                }
            }
        }
    }
    for step in &mut steps {
        step.depends_on.sort_unstable();
        step.depends_on.dedup();
    }
    steps
}
