//! What one run of a column costs on one row, from the catalog.
//!
//! Owns: the pricing rule per column kind — inputs, `from_source` and formulas are free; an
//! enrichment bills its catalog entry; an AI column bills its model (column, else client default,
//! else `catalog::FALLBACK_MODEL`); `lookup`, `send_to` and `http` bill their Clay actions'
//! catalog entries (1 action, 0 data credits in the shipped catalog).
//! Must not know: row counts, budgets.

use crate::catalog::{
    Catalog, HTTP_ACTION, LOOKUP_ACTION, LOOKUP_MULTIPLE_ACTION, PricingKind, SEND_TO_ACTION,
    effective_model,
};
use crate::cost::report::Amounts;
use crate::model::{Client, ColumnKind};

/// The price of one run, what priced it, and why it might be off.
#[derive(Debug, Clone, PartialEq)]
pub struct RowPrice {
    pub amounts: Amounts,
    pub priced_as: Option<String>,
    pub variable_pricing: bool,
    pub note: Option<String>,
}

impl RowPrice {
    fn free() -> RowPrice {
        RowPrice {
            amounts: Amounts::ZERO,
            priced_as: None,
            variable_pricing: false,
            note: None,
        }
    }

    fn unpriced(note: String) -> RowPrice {
        RowPrice {
            note: Some(note),
            ..RowPrice::free()
        }
    }
}

pub fn row_price(kind: &ColumnKind, catalog: &Catalog, client: Option<&Client>) -> RowPrice {
    match kind {
        ColumnKind::Input | ColumnKind::FromSource { .. } | ColumnKind::Formula { .. } => {
            RowPrice::free()
        }
        ColumnKind::Enrichment(enrichment) => action_price(catalog, &enrichment.action.text),
        ColumnKind::Lookup(lookup) => action_price(
            catalog,
            if lookup.multiple {
                LOOKUP_MULTIPLE_ACTION
            } else {
                LOOKUP_ACTION
            },
        ),
        ColumnKind::SendTo(_) => action_price(catalog, SEND_TO_ACTION),
        ColumnKind::Http(_) => action_price(catalog, HTTP_ACTION),
        ColumnKind::Ai(ai) => {
            let name = effective_model(ai, client);
            match catalog.model(name) {
                Some(model) => {
                    let variable = model.pricing.kind == PricingKind::Variable;
                    RowPrice {
                        amounts: Amounts::new(
                            model.actions,
                            model.pricing.data_credits,
                            model.legacy_credits,
                        ),
                        priced_as: Some(model.name.clone()),
                        variable_pricing: variable,
                        note: variable.then(|| {
                            "variable pricing: data credits are an estimate per run".to_string()
                        }),
                    }
                }
                None => RowPrice::unpriced(format!("unknown model `{name}`: not priced")),
            }
        }
    }
}

fn action_price(catalog: &Catalog, name: &str) -> RowPrice {
    match catalog.enrichment(name) {
        Some(entry) => RowPrice {
            amounts: Amounts::new(
                entry.cost.actions,
                entry.cost.data_credits,
                entry.cost.legacy_credits,
            ),
            priced_as: Some(entry.key.clone()),
            variable_pricing: false,
            note: None,
        },
        None => RowPrice::unpriced(format!("unknown enrichment `{name}`: not priced")),
    }
}
