//! The engine: plans and applies one workbook against Clay.
//!
//! Owns: the order of the stages for one workbook — load state, refresh, desired objects, diff,
//! run costs (planning); intents, the DAG of steps, checkpoints (applying, in [`applying`]).
//! Must not know: printing (progress goes through `apply::hook`), argument parsing, Clay's JSON
//! (it calls the provider), the state file format (it calls `state`).

pub mod applying;
mod checkpoints;
mod costs;
pub mod import;
pub mod intents;
mod order;
mod placement;
pub mod rows;
mod steps;

use std::time::Duration;

use crate::catalog::Catalog;
use crate::graph::Graph;
use crate::model::{Client, Workbook};
use crate::plan::{self, DesiredObject, Plan, PriorObject};
use crate::provider::{ClayClient, ClayError};
use crate::refresh::{RefreshError, Refreshed, refresh};
use crate::state::{Address, Operation, State, StateBackend, StateError, StateLock};

pub use applying::{ApplyOptions, ApplySummary, apply_workbook};
pub use costs::reruns;
pub use order::live_order;

/// One workbook to plan or apply, with what it needs from the project.
#[derive(Clone, Copy)]
pub struct Target<'a> {
    pub workbook: &'a Workbook,
    pub graph: &'a Graph,
    pub catalog: &'a Catalog,
    pub client: Option<&'a Client>,
    pub workspace_id: u64,
}

impl Target<'_> {
    pub fn name(&self) -> &str {
        self.workbook.name.as_str()
    }

    pub fn state_key(&self) -> String {
        StateBackend::key_for(self.workspace_id, self.name())
    }
}

#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Read Clay (default). Without it, state's last observed configs stand in for live ones.
    pub refresh: bool,
    /// Only these addresses (and what they contain, and what they depend on).
    pub targets: Vec<Address>,
}

/// The plan of one workbook and everything it was computed from.
#[derive(Debug, Clone)]
pub struct WorkbookPlan {
    pub workbook: String,
    pub workspace_id: u64,
    pub state_key: String,
    /// State as loaded (a fresh one when the workbook has none yet).
    pub state: State,
    pub state_exists: bool,
    pub refreshed: Refreshed,
    pub desired: Vec<DesiredObject>,
    pub plan: Plan,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Refresh(#[from] Box<RefreshError>),
    #[error("{context}")]
    Clay {
        context: String,
        #[source]
        source: ClayError,
    },
    #[error("`{address}`: {message}")]
    Step { address: Address, message: String },
    #[error(
        "an interrupted apply left {count} unfinished operation(s) in the state of `{workbook}`; \
         run `clayform apply` to reconcile them before using a saved plan"
    )]
    PendingIntents { workbook: String, count: usize },
}

/// Lock a workbook's state for `operation`, waiting up to `timeout`.
pub fn lock_state(
    backend: &StateBackend,
    target: &Target<'_>,
    operation: Operation,
    timeout: Duration,
) -> Result<StateLock, EngineError> {
    Ok(backend.lock(&target.state_key(), operation, timeout)?)
}

/// Plan one workbook. The caller holds the state lock.
pub async fn plan_workbook(
    clay: &ClayClient,
    backend: &StateBackend,
    target: &Target<'_>,
    options: &PlanOptions,
) -> Result<WorkbookPlan, EngineError> {
    let state_key = target.state_key();
    let loaded = backend.load(&state_key)?;
    let state_exists = loaded.is_some();
    let state = loaded.unwrap_or_else(|| State::new(target.name(), target.workspace_id));
    let refreshed = if options.refresh {
        refresh(clay, &state, target.catalog)
            .await
            .map_err(Box::new)?
    } else {
        from_state_alone(&state)
    };
    let desired =
        plan::desired_objects(target.workbook, target.graph, target.catalog, target.client);
    let mut plan = plan::diff(&desired, &refreshed.prior);
    if !options.targets.is_empty() {
        plan.retain_targets(&options.targets);
    }
    costs::attach(&mut plan, clay, target, &refreshed).await?;
    Ok(WorkbookPlan {
        workbook: target.name().to_string(),
        workspace_id: target.workspace_id,
        state_key,
        state,
        state_exists,
        refreshed,
        desired,
        plan,
    })
}

/// Objects adopted after an interrupted apply have no recorded config (`intents::reconcile`
/// can't know what was sent). Where the plan finds one unchanged, Clay has what the spec asks,
/// so that becomes its recorded config: later drift and dangling references then compare with
/// it. Returns whether `state` changed.
pub fn record_unchanged_adopted(planned: &WorkbookPlan, state: &mut State) -> bool {
    let mut changed = false;
    for change in planned
        .plan
        .changes
        .iter()
        .filter(|c| c.action == plan::Action::NoOp)
    {
        if let (Some(after), Some(resource)) = (&change.after, state.get_mut(&change.address))
            && resource.desired.is_null()
        {
            resource.desired = after.clone();
            changed = true;
        }
    }
    changed
}

/// `--refresh=false`: what state last observed stands in for Clay.
fn from_state_alone(state: &State) -> Refreshed {
    Refreshed {
        prior: state
            .resources
            .iter()
            .map(|r| PriorObject {
                address: r.address.clone(),
                kind: r.kind,
                clay_id: r.clay_id.clone(),
                applied: r.desired.clone(),
                live: Some(r.observed.clone()),
                protect: r.protect,
                depends_on: r.depends_on.clone(),
            })
            .collect(),
        ..Refreshed::default()
    }
}
