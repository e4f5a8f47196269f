//! One AI model of the catalog: provider, the use cases it can serve, and its price per run.
//!
//! Owns: the serde shape of `data/models.yaml` entries (also the shape of `catalog.models`
//! overrides) and the structural checks on one entry.
//! Must not know: specs, spans or diagnostics; how entries are looked up or merged.

use serde::{Deserialize, Serialize};

use crate::model::UseCase;

/// How Clay prices a model (clay-api.md §15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PricingKind {
    /// Flat data credits per run.
    Fixed,
    /// Actual LLM cost ÷ cost-per-credit; the figure is an estimate.
    Variable,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    pub kind: PricingKind,
    /// Fixed: the price per run; variable: an estimate per run.
    pub data_credits: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    /// The model literal Clay expects (the data file's map key); filled in when the catalog is
    /// built.
    #[serde(default, skip_deserializing)]
    pub name: String,
    pub display_name: String,
    pub provider: String,
    /// The use cases the model can serve; Clay's own models only run as web research.
    #[serde(with = "use_case_names")]
    pub use_cases: Vec<UseCase>,
    pub pricing: Pricing,
    /// 2026 billing: Actions per run (1 for every AI run).
    pub actions: f64,
    /// Pre-2026 credits per run.
    pub legacy_credits: f64,
    /// Where the figures come from.
    pub source: String,
}

impl ModelEntry {
    pub fn supports(&self, use_case: UseCase) -> bool {
        self.use_cases.contains(&use_case)
    }

    /// The use case the model runs when the spec names none: content when it can, otherwise
    /// its first (Clay models: web research).
    pub fn default_use_case(&self) -> UseCase {
        if self.supports(UseCase::Content) {
            UseCase::Content
        } else {
            self.use_cases
                .first()
                .copied()
                .unwrap_or(UseCase::WebResearch)
        }
    }

    /// Structural problems of this entry, worded for a CF308 message (empty when sound).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.use_cases.is_empty() {
            problems.push("`use_cases` must name at least one use case".to_string());
        }
        if self.name.starts_with("clay-") && self.supports(UseCase::Content) {
            problems.push(
                "Clay's own models only run as `web_research` (\"Model does not support Use AI\")"
                    .to_string(),
            );
        }
        for (what, value) in [
            ("pricing.data_credits", self.pricing.data_credits),
            ("actions", self.actions),
            ("legacy_credits", self.legacy_credits),
        ] {
            if !value.is_finite() || value < 0.0 {
                problems.push(format!("`{what}` must be a number of at least 0"));
            }
        }
        if self.source.trim().is_empty() {
            problems.push("`source` must say where the figures come from".to_string());
        }
        problems
    }
}

/// `UseCase` as its spec keyword (`content`, `web_research`) in the data files.
mod use_case_names {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use crate::model::UseCase;

    pub fn serialize<S: Serializer>(
        use_cases: &[UseCase],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(use_cases.iter().map(|u| u.keyword()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<UseCase>, D::Error> {
        Vec::<String>::deserialize(deserializer)?
            .into_iter()
            .map(|name| match name.as_str() {
                "content" => Ok(UseCase::Content),
                "web_research" => Ok(UseCase::WebResearch),
                other => Err(D::Error::custom(format!(
                    "unknown use case `{other}`, expected `content` or `web_research`"
                ))),
            })
            .collect()
    }
}
