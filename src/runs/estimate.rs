//! What a run will cost before it starts, and the budgets it is checked against.
//!
//! Owns: the run estimate — per column, the catalog's per-row price (`cost::row_price`) × the
//! cells the run will execute — and its comparison with the workbook's `budget:` and its client's
//! budgets (`cost::budget_statuses`, the same rules as `clayform cost`). A `run_if`-gated column is
//! an upper bound: Clay decides per row whether it runs.
//! Must not know: Clay, HTTP, printing. Pure.

use serde::Serialize;

use crate::cost::{
    Amounts, BudgetState, BudgetStatus, ColumnCost, RowEstimate, TableCost, WorkbookCost,
    budget_statuses,
};
use crate::model::{Client, Workbook};

/// The estimate of one run of one workbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunEstimate {
    pub workbook: String,
    pub force: bool,
    pub columns: Vec<ColumnEstimate>,
    pub total: Amounts,
    /// Some column is gated by `run_if`: its cells are counted on every selected row.
    pub upper_bound: bool,
    pub budgets: Vec<BudgetStatus>,
}

/// One selected column: how many cells will run and what they cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnEstimate {
    pub table: String,
    pub column: String,
    pub kind: String,
    /// Rows the run submits.
    pub rows_selected: u64,
    /// Cells Clay will execute: the selected rows, less those already `SUCCESS` unless forced.
    pub cells: u64,
    pub per_row: Amounts,
    pub total: Amounts,
    pub upper_bound: bool,
}

impl RunEstimate {
    /// Compare the columns' totals with every budget of `workbook` (and its client).
    pub fn new(
        workbook: &Workbook,
        client: Option<&Client>,
        force: bool,
        columns: Vec<ColumnEstimate>,
    ) -> RunEstimate {
        let mut total = Amounts::ZERO;
        for column in &columns {
            total += column.total;
        }
        let upper_bound = columns.iter().any(|c| c.upper_bound && c.cells > 0);
        let tables = workbook
            .tables
            .iter()
            .map(|table| {
                let own: Vec<&ColumnEstimate> = columns
                    .iter()
                    .filter(|c| c.table == table.name.as_str())
                    .collect();
                let mut table_total = Amounts::ZERO;
                for column in &own {
                    table_total += column.total;
                }
                TableCost {
                    table: table.name.text.clone(),
                    rows: RowEstimate {
                        rows: own.iter().map(|c| c.rows_selected).max().unwrap_or(0),
                        ..RowEstimate::default()
                    },
                    columns: own
                        .iter()
                        .map(|c| ColumnCost {
                            column: c.column.clone(),
                            kind: c.kind.clone(),
                            priced_as: None,
                            per_row: c.per_row,
                            rows: c.cells,
                            total: c.total,
                            upper_bound: c.upper_bound,
                            variable_pricing: false,
                            note: None,
                        })
                        .collect(),
                    total: table_total,
                    upper_bound: own.iter().any(|c| c.upper_bound && c.cells > 0),
                }
            })
            .collect();
        let cost = WorkbookCost {
            workbook: workbook.name.text.clone(),
            client: workbook.client.as_ref().map(|c| c.text.clone()),
            tables,
            total,
            upper_bound,
            budgets: Vec::new(),
        };
        let budgets = budget_statuses(workbook, client, &cost);
        RunEstimate {
            workbook: workbook.name.text.clone(),
            force,
            columns,
            total,
            upper_bound,
            budgets,
        }
    }

    /// Budgets the estimate exceeds.
    pub fn exceeded(&self) -> impl Iterator<Item = &BudgetStatus> {
        self.budgets.iter().filter(|b| b.state == BudgetState::Over)
    }

    pub fn over_budget(&self) -> bool {
        self.exceeded().next().is_some()
    }

    /// Cells the run will execute, over every column.
    pub fn cells(&self) -> u64 {
        self.columns.iter().map(|c| c.cells).sum()
    }
}
