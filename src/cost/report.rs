//! The cost report: what `clayform cost` prints, `--format json` emits, and the plan and the draft
//! prompt reuse.
//!
//! Owns: the serialisable report types and the arithmetic on amounts.
//! Must not know: how amounts are estimated, how they are printed.

use std::ops::{Add, AddAssign};

use serde::Serialize;

use crate::source::Span;

/// Spend in both billing models.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Amounts {
    /// 2026 billing: Actions.
    pub actions: f64,
    /// 2026 billing: Data Credits.
    pub data_credits: f64,
    /// Pre-2026 credits.
    pub legacy_credits: f64,
}

impl Amounts {
    pub const ZERO: Amounts = Amounts {
        actions: 0.0,
        data_credits: 0.0,
        legacy_credits: 0.0,
    };

    pub fn new(actions: f64, data_credits: f64, legacy_credits: f64) -> Amounts {
        Amounts {
            actions,
            data_credits,
            legacy_credits,
        }
    }

    /// These per-row amounts over `rows` rows.
    #[must_use]
    pub fn times(self, rows: u64) -> Amounts {
        #[allow(clippy::cast_precision_loss, reason = "row counts are far below 2^52")]
        let rows = rows as f64;
        Amounts::new(
            self.actions * rows,
            self.data_credits * rows,
            self.legacy_credits * rows,
        )
    }

    pub fn is_zero(&self) -> bool {
        *self == Amounts::ZERO
    }
}

impl Add for Amounts {
    type Output = Amounts;
    fn add(self, other: Amounts) -> Amounts {
        Amounts::new(
            self.actions + other.actions,
            self.data_credits + other.data_credits,
            self.legacy_credits + other.legacy_credits,
        )
    }
}

impl AddAssign for Amounts {
    fn add_assign(&mut self, other: Amounts) {
        *self = *self + other;
    }
}

/// Estimates for every workbook a command looked at.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CostReport {
    pub workbooks: Vec<WorkbookCost>,
    pub total: Amounts,
    /// Some figure is an upper bound (`run_if`-gated columns, rows sent by gated `send_to`).
    pub upper_bound: bool,
    /// Some budget is exceeded.
    pub over_budget: bool,
}

impl CostReport {
    pub fn new(workbooks: Vec<WorkbookCost>) -> CostReport {
        let mut total = Amounts::ZERO;
        for workbook in &workbooks {
            total += workbook.total;
        }
        CostReport {
            upper_bound: workbooks.iter().any(|w| w.upper_bound),
            over_budget: workbooks
                .iter()
                .flat_map(|w| &w.budgets)
                .any(|b| b.state == BudgetState::Over),
            total,
            workbooks,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkbookCost {
    pub workbook: String,
    pub client: Option<String>,
    pub tables: Vec<TableCost>,
    pub total: Amounts,
    pub upper_bound: bool,
    pub budgets: Vec<BudgetStatus>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableCost {
    pub table: String,
    pub rows: RowEstimate,
    pub columns: Vec<ColumnCost>,
    pub total: Amounts,
    pub upper_bound: bool,
}

/// How many rows a table is expected to hold, and why.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RowEstimate {
    pub rows: u64,
    pub upper_bound: bool,
    /// Where the rows come from (the source, `send_to` columns of other tables).
    pub basis: Vec<RowBasis>,
    /// Why the estimate may be wrong ("no source: 0 rows assumed").
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowBasis {
    /// `find_companies.limit`, `csv.expected_rows`, `send_to from Companies.Push`, ...
    pub origin: String,
    pub rows: u64,
    pub upper_bound: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnCost {
    pub column: String,
    /// The column kind keyword (`enrichment`, `ai`, `formula`, ...).
    pub kind: String,
    /// The catalog entry or model that priced it.
    pub priced_as: Option<String>,
    pub per_row: Amounts,
    pub rows: u64,
    pub total: Amounts,
    /// Gated by `run_if` (or fed by upper-bound rows): the total is a ceiling ("≤").
    pub upper_bound: bool,
    /// The model is variable-priced: data credits are an estimate.
    pub variable_pricing: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetOrigin {
    /// The spec's `budget:`.
    Workbook,
    /// The client's budgets in `clayform.yaml`.
    Client,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetUnit {
    DataCredits,
    Actions,
}

impl BudgetUnit {
    pub fn label(self) -> &'static str {
        match self {
            BudgetUnit::DataCredits => "data credits",
            BudgetUnit::Actions => "actions",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetState {
    Ok,
    /// At or above 90 % of the limit.
    Near,
    Over,
}

/// One budget and how the estimate compares with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetStatus {
    /// `workbook \`Q1\``, `table \`Companies\``.
    pub scope: String,
    /// The setting: `budget.max_credits`, `max_credits_per_table`, ...
    pub setting: String,
    pub origin: BudgetOrigin,
    pub unit: BudgetUnit,
    pub limit: f64,
    pub estimated: f64,
    pub upper_bound: bool,
    pub state: BudgetState,
    /// Where a diagnostic points: the budget, or the workbook/table name for client budgets.
    #[serde(skip)]
    pub span: Span,
    /// Where the client's budget is written, for a secondary label.
    #[serde(skip)]
    pub setting_span: Option<Span>,
}
