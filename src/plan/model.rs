//! The plan model, in Terraform's vocabulary: each managed object gets one action and the reasons
//! for it.

use serde::{Deserialize, Serialize};

use crate::state::{Address, ResourceKind};

/// What apply will do to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    NoOp,
    Create,
    Update,
    /// Delete, then create: Clay can't change the object in place (actionKey or type changed),
    /// and the new object reuses the name, so the old one must free it first.
    Replace,
    Delete,
}

impl Action {
    /// Terraform's `actions` array for the JSON plan.
    pub fn terraform_actions(self) -> &'static [&'static str] {
        match self {
            Action::NoOp => &["no-op"],
            Action::Create => &["create"],
            Action::Update => &["update"],
            Action::Replace => &["delete", "create"],
            Action::Delete => &["delete"],
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }
}

/// Why an object gets its action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// In the spec, not in state.
    NewInSpec,
    /// In state, not in the spec any more.
    RemovedFromSpec,
    /// In state, but Clay no longer has it.
    DeletedOutsideClayform,
    /// The spec changed since the last apply.
    SpecChanged,
    /// Clay differs from what was last applied, and the spec did not change: apply restores it.
    Drift,
    /// A setting Clay can't change in place.
    CannotUpdateInPlace { path: String },
    /// `renamed_from`: the object keeps its Clay id (and the credits spent on its cells).
    Renamed { from: Address },
    /// Deleted together with its table; no call of its own.
    DeletedWithTable,
    /// References a column that is replaced: Clay holds references by id, so this one is
    /// updated to point at the new column.
    ReferenceReplaced { address: Address },
}

/// One object's planned change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub address: Address,
    /// Set when the object moves from another address (`renamed_from`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_address: Option<Address>,
    pub kind: ResourceKind,
    pub action: Action,
    pub reasons: Vec<Reason>,
    /// Clay id of the existing object, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clay_id: Option<String>,
    /// Live (refreshed) config before the change; `None` for creates.
    pub before: Option<serde_json::Value>,
    /// Desired config after the change; `None` for deletes.
    pub after: Option<serde_json::Value>,
    /// JSON-pointer-like paths (`/inputs/company_domain`) that differ.
    pub changed_paths: Vec<String>,
    /// The subset of `changed_paths` that force a replacement.
    pub replace_paths: Vec<String>,
    pub depends_on: Vec<Address>,
    /// What running this column costs after the change (new or re-run cells), when it runs
    /// actions. Filled by the engine from the catalog and live row counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<ChangeCost>,
}

/// The run cost a change brings with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeCost {
    /// Rows whose cells become new or stale (the table's current row count).
    pub rows: u64,
    pub actions: f64,
    pub data_credits: f64,
    /// `run_if` gates the column: the figures are an upper bound.
    pub upper_bound: bool,
    /// The table has auto-run on: applying the change runs these cells at once.
    pub runs_on_apply: bool,
}

/// A change the plan refuses to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PlanProblem {
    /// `protect: true` and the plan would destroy or replace it.
    Protected { address: Address, action: Action },
    /// Two desired objects claim the same prior object through `renamed_from`.
    AmbiguousRename {
        from: Address,
        claimed_by: Vec<Address>,
    },
}

impl std::fmt::Display for PlanProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanProblem::Protected { address, action } => {
                let verb = if *action == Action::Replace {
                    "replace"
                } else {
                    "destroy"
                };
                write!(
                    f,
                    "`{address}` is protected (`protect: true`); the plan would {verb} it"
                )
            }
            PlanProblem::AmbiguousRename { from, claimed_by } => write!(
                f,
                "`{from}` is claimed by more than one `renamed_from`: {}",
                claimed_by
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Every change for a set of workbooks, in apply order (dependencies first; deletes last, in
/// reverse dependency order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Plan {
    pub changes: Vec<ResourceChange>,
    pub problems: Vec<PlanProblem>,
}

impl Plan {
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }

    /// `(to add, to change, to destroy)` as Terraform counts them: a replace adds and destroys.
    pub fn summary_counts(&self) -> (usize, usize, usize) {
        let replace = self.count(Action::Replace);
        (
            self.count(Action::Create) + replace,
            self.count(Action::Update),
            self.count(Action::Delete) + replace,
        )
    }

    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action != Action::NoOp)
    }

    /// Keep only changes under one of `targets`, plus the changes those depend on (so a targeted
    /// apply still creates what a column references). Problems about dropped changes go too.
    pub fn retain_targets(&mut self, targets: &[Address]) {
        let mut keep: std::collections::HashSet<Address> = self
            .changes
            .iter()
            .filter(|c| targets.iter().any(|t| t.contains(&c.address)))
            .map(|c| c.address.clone())
            .collect();
        loop {
            let before = keep.len();
            for change in &self.changes {
                if keep.contains(&change.address) {
                    keep.extend(change.depends_on.iter().cloned());
                }
            }
            if keep.len() == before {
                break;
            }
        }
        self.changes.retain(|c| keep.contains(&c.address));
        self.problems.retain(|p| match p {
            PlanProblem::Protected { address, .. } => keep.contains(address),
            PlanProblem::AmbiguousRename { claimed_by, .. } => {
                claimed_by.iter().any(|a| keep.contains(a))
            }
        });
    }

    /// Total run cost of the changes: `(actions, data credits, any upper bound)`.
    pub fn total_cost(&self) -> (f64, f64, bool) {
        self.changes.iter().filter_map(|c| c.cost.as_ref()).fold(
            (0.0, 0.0, false),
            |(actions, credits, bound), cost| {
                (
                    actions + cost.actions,
                    credits + cost.data_credits,
                    bound || cost.upper_bound,
                )
            },
        )
    }
}
