//! Budgets: the workbook's `budget:` and its client's budgets, against the estimate.
//!
//! Owns: which budgets apply (workbook `max_credits`/`max_actions`; client
//! `max_credits_per_workbook`, `max_actions_per_workbook`, `max_credits_per_table`,
//! `max_actions_per_table`), the thresholds (over: more than the limit; near: at least 90 %),
//! and CF401/CF402. Credits budgets compare with 2026 data credits.
//! Must not know: how the estimate was made.

use crate::cost::report::{
    BudgetOrigin, BudgetState, BudgetStatus, BudgetUnit, TableCost, WorkbookCost,
};
use crate::diagnostics::{Diagnostic, DiagnosticKind};
use crate::model::{Client, Workbook};

/// Over when above the limit; near when at least 90 % of it.
pub fn budget_state(estimated: f64, limit: f64) -> BudgetState {
    if estimated > limit {
        BudgetState::Over
    } else if estimated * 10.0 >= limit * 9.0 && estimated > 0.0 {
        BudgetState::Near
    } else {
        BudgetState::Ok
    }
}

/// Every budget that applies to `workbook`, given its estimated tables and total.
pub fn budget_statuses(
    workbook: &Workbook,
    client: Option<&Client>,
    cost: &WorkbookCost,
) -> Vec<BudgetStatus> {
    let mut statuses = Vec::new();
    let workbook_scope = format!("workbook `{}`", workbook.name.text);
    let budget_span = workbook.budget.span.unwrap_or(workbook.name.span);
    let mut push = |scope: &str,
                    setting: String,
                    origin: BudgetOrigin,
                    unit: BudgetUnit,
                    limit: Option<f64>,
                    estimate: (f64, bool),
                    span,
                    setting_span| {
        if let Some(limit) = limit {
            statuses.push(BudgetStatus {
                scope: scope.to_string(),
                setting,
                origin,
                unit,
                limit,
                estimated: estimate.0,
                upper_bound: estimate.1,
                state: budget_state(estimate.0, limit),
                span,
                setting_span,
            });
        }
    };

    let credits = (cost.total.data_credits, cost.upper_bound);
    let actions = (cost.total.actions, cost.upper_bound);
    push(
        &workbook_scope,
        "budget.max_credits".into(),
        BudgetOrigin::Workbook,
        BudgetUnit::DataCredits,
        workbook.budget.max_credits,
        credits,
        budget_span,
        None,
    );
    push(
        &workbook_scope,
        "budget.max_actions".into(),
        BudgetOrigin::Workbook,
        BudgetUnit::Actions,
        workbook.budget.max_actions,
        actions,
        budget_span,
        None,
    );

    let Some(client) = client else {
        return statuses;
    };
    let budgets = &client.budgets;
    let client_setting = |name: &str| format!("clients.{}.{name}", client.name.text);
    push(
        &workbook_scope,
        client_setting("max_credits_per_workbook"),
        BudgetOrigin::Client,
        BudgetUnit::DataCredits,
        budgets.max_credits_per_workbook,
        credits,
        workbook.name.span,
        budgets.span,
    );
    push(
        &workbook_scope,
        client_setting("max_actions_per_workbook"),
        BudgetOrigin::Client,
        BudgetUnit::Actions,
        budgets.max_actions_per_workbook,
        actions,
        workbook.name.span,
        budgets.span,
    );
    for (table, table_cost) in workbook.tables.iter().zip(&cost.tables) {
        let scope = format!("table `{}`", table.name.text);
        let TableCost {
            total, upper_bound, ..
        } = table_cost;
        push(
            &scope,
            client_setting("max_credits_per_table"),
            BudgetOrigin::Client,
            BudgetUnit::DataCredits,
            budgets.max_credits_per_table,
            (total.data_credits, *upper_bound),
            table.name.span,
            budgets.span,
        );
        push(
            &scope,
            client_setting("max_actions_per_table"),
            BudgetOrigin::Client,
            BudgetUnit::Actions,
            budgets.max_actions_per_table,
            (total.actions, *upper_bound),
            table.name.span,
            budgets.span,
        );
    }
    statuses
}

/// CF401 for budgets exceeded, CF402 for budgets at 90 % or more.
pub fn diagnostics_for(statuses: &[BudgetStatus]) -> Vec<Diagnostic> {
    statuses
        .iter()
        .filter_map(|status| {
            let (scope, estimated, budget, unit) = (
                status.scope.clone(),
                status.estimated,
                status.limit,
                status.unit.label().to_string(),
            );
            let kind = match status.state {
                BudgetState::Ok => return None,
                BudgetState::Near => DiagnosticKind::BudgetNearlyExceeded {
                    scope,
                    estimated,
                    budget,
                    unit,
                },
                BudgetState::Over => DiagnosticKind::BudgetExceeded {
                    scope,
                    estimated,
                    budget,
                    unit,
                },
            };
            let mut diagnostic = Diagnostic::new(kind, status.span).with_primary_label(format!(
                "`{}` is {} {}",
                status.setting,
                trim_number(status.limit),
                status.unit.label()
            ));
            if let Some(setting_span) = status.setting_span {
                diagnostic = diagnostic.with_label(setting_span, "the client's budgets are set here");
            }
            let mut help = if status.state == BudgetState::Over {
                format!(
                    "raise `{}`, lower a source `limit`, or gate costly columns with `run_if`; \
                     `clayform cost` shows the cost per column",
                    status.setting
                )
            } else {
                "`clayform cost` shows the cost per column".to_string()
            };
            if status.upper_bound {
                help.push_str(
                    "; the estimate is an upper bound: `run_if`-gated columns are counted on every row",
                );
            }
            Some(diagnostic.with_help(help))
        })
        .collect()
}

/// `2500` rather than `2500.0`; at most one decimal otherwise.
pub fn trim_number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}
