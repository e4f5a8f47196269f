//! Cost estimates: actions and data credits per column, table and workbook, against budgets.
//!
//! Owns: the estimate (`estimate`), the report types (`report`), row rules (`rows`), per-row
//! prices (`per_row`) and budgets (`budget`).
//! Must not know: files, terminals, Clay's API. Pure: no I/O, no printing. Rows a pure core can't
//! know (a CSV's line count) come in through the model (`CsvSource::expected_rows`).

mod budget;
mod per_row;
mod report;
mod rows;

use crate::catalog::Catalog;
use crate::diagnostics::Diagnostic;
use crate::model::{Client, Project, Workbook};

pub use budget::{budget_state, budget_statuses, trim_number};
pub use per_row::{RowPrice, row_price};
pub use report::{
    Amounts, BudgetOrigin, BudgetState, BudgetStatus, BudgetUnit, ColumnCost, CostReport, RowBasis,
    RowEstimate, TableCost, WorkbookCost,
};
pub use rows::estimate_rows;

/// The workbook's client from the project, if both exist.
pub fn client_of<'p>(workbook: &Workbook, project: Option<&'p Project>) -> Option<&'p Client> {
    client_of_name(workbook.client.as_ref()?.as_str(), project)
}

/// The project's client called `name`.
pub fn client_of_name<'p>(name: &str, project: Option<&'p Project>) -> Option<&'p Client> {
    project?
        .clients
        .iter()
        .find(|(client_name, _)| client_name.text == name)
        .map(|(_, client)| client)
}

/// Actions, data credits and legacy credits per column, table and workbook, with budgets.
pub fn estimate(workbook: &Workbook, catalog: &Catalog, project: Option<&Project>) -> WorkbookCost {
    let client = client_of(workbook, project);
    let row_estimates = estimate_rows(workbook);
    let mut tables = Vec::with_capacity(workbook.tables.len());
    for (table, rows) in workbook.tables.iter().zip(row_estimates) {
        let mut columns = Vec::with_capacity(table.columns.len());
        let mut total = Amounts::ZERO;
        for column in &table.columns {
            let price = row_price(&column.kind, catalog, client);
            let costs_something = !price.amounts.is_zero();
            let upper_bound = costs_something && (column.run_if.is_some() || rows.upper_bound);
            let column_total = price.amounts.times(rows.rows);
            total += column_total;
            columns.push(ColumnCost {
                column: column.name.text.clone(),
                kind: column.kind.keyword().to_string(),
                priced_as: price.priced_as,
                per_row: price.amounts,
                rows: rows.rows,
                total: column_total,
                upper_bound,
                variable_pricing: price.variable_pricing,
                note: price.note,
            });
        }
        tables.push(TableCost {
            table: table.name.text.clone(),
            upper_bound: columns.iter().any(|c| c.upper_bound),
            rows,
            columns,
            total,
        });
    }
    let mut total = Amounts::ZERO;
    for table in &tables {
        total += table.total;
    }
    let mut cost = WorkbookCost {
        workbook: workbook.name.text.clone(),
        client: workbook.client.as_ref().map(|c| c.text.clone()),
        upper_bound: tables.iter().any(|t| t.upper_bound),
        tables,
        total,
        budgets: Vec::new(),
    };
    cost.budgets = budget::budget_statuses(workbook, client, &cost);
    cost
}

/// Budget problems (CF401 over budget, CF402 within 10% of it) for `workbook`.
pub fn budget_diagnostics(
    workbook: &Workbook,
    catalog: &Catalog,
    project: Option<&Project>,
) -> Vec<Diagnostic> {
    budget::diagnostics_for(&estimate(workbook, catalog, project).budgets)
}
