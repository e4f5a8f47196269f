//! What running each changed column costs: the plan's `cost` lines.
//!
//! A created or replaced action column runs on every row of its table; an updated one re-runs
//! when something that feeds its result changed (not for a rename or a description). Rows are the
//! table's live count (one `count` read per table that has such a change) or, for a table the plan
//! creates, the estimate from its source.

use std::collections::HashMap;

use super::{EngineError, Target};
use crate::cost::{estimate_rows, row_price};
use crate::plan::{Action, ChangeCost, Plan, ResourceChange};
use crate::provider::ClayClient;
use crate::refresh::Refreshed;
use crate::state::{ObjectPath, ResourceKind};

/// Paths whose change leaves a column's cells as they are.
const COSMETIC_PATHS: [&str; 3] = ["/name", "/description", "/run_as_button"];

/// Whether applying `change` leaves its column with cells to (re)compute: a created or replaced
/// column has none yet; an update re-runs unless only cosmetic paths changed. Says nothing about
/// the column's kind.
pub fn reruns(change: &ResourceChange) -> bool {
    match change.action {
        Action::Create | Action::Replace => true,
        Action::Update => change
            .changed_paths
            .iter()
            .any(|p| !COSMETIC_PATHS.contains(&p.as_str())),
        Action::NoOp | Action::Delete => false,
    }
}

pub async fn attach(
    plan: &mut Plan,
    clay: &ClayClient,
    target: &Target<'_>,
    refreshed: &Refreshed,
) -> Result<(), EngineError> {
    let estimates = estimate_rows(target.workbook);
    let mut live_rows: HashMap<String, u64> = HashMap::new();
    for change in &mut plan.changes {
        let ObjectPath::Column { table, column } = &change.address.path else {
            continue;
        };
        if change.kind != ResourceKind::Column {
            continue;
        }
        let reruns = reruns(change);
        let Some(table_index) = target
            .workbook
            .tables
            .iter()
            .position(|t| t.name.as_str() == table)
        else {
            continue;
        };
        let table_model = &target.workbook.tables[table_index];
        let Some(column_model) = table_model.column(column) else {
            continue;
        };
        if !reruns || !column_model.kind.is_action() {
            continue;
        }
        let price = row_price(&column_model.kind, target.catalog, target.client);
        if price.amounts.is_zero() {
            continue;
        }
        let rows = match refreshed.tables.get(table) {
            Some(live) => match live_rows.get(table) {
                Some(rows) => *rows,
                None => {
                    let rows =
                        clay.count_records(&live.id)
                            .await
                            .map_err(|source| EngineError::Clay {
                                context: format!("cannot count the rows of table `{table}`"),
                                source,
                            })?;
                    live_rows.insert(table.clone(), rows);
                    rows
                }
            },
            None => estimates.get(table_index).map_or(0, |e| e.rows),
        };
        let total = price.amounts.times(rows);
        change.cost = Some(ChangeCost {
            rows,
            actions: total.actions,
            data_credits: total.data_credits,
            upper_bound: column_model.run_if.is_some(),
            runs_on_apply: table_model.auto_run,
        });
    }
    Ok(())
}
