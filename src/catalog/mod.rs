//! The catalog: enrichments (Clay actions) and AI models with their costs, as data files.
//!
//! Owns: the [`Catalog`] value and its lookups (by seed alias or real action key, by model
//! literal), iteration for did-you-mean and the draft prompt, and [`ResolvedActionInfo`] for the
//! provider. The entries themselves live in `data/*.yaml`, compiled in and parsed on first use.
//! Must not know: specs, YAML spans, Clay's JSON, files on disk. Pure: overrides come from the
//! project model, not from reading `clayform.yaml`.

mod ai_model;
mod data;
mod enrichment;
mod output_keys;
mod overrides;
mod resolved;

use std::collections::HashMap;
use std::sync::LazyLock;

use indexmap::IndexMap;

use crate::diagnostics::Diagnostic;
use crate::model::{Ai, CatalogOverrides, Client};

pub use ai_model::{ModelEntry, Pricing, PricingKind};
pub use data::{CatalogDataError, ENRICHMENTS_YAML, MODELS_YAML, parse_enrichments, parse_models};
pub use enrichment::{ActionCost, AuthRequirement, Category, EnrichmentEntry, InputSpec, is_uuid};
pub use output_keys::{
    CLAY_OWNED_OUTPUT_KEYS, CLAY_SHARED_OUTPUT_KEYS, clay_output_key, is_identifier,
};
pub use resolved::{ActionParameter, ResolvedActionInfo};

/// The model an AI column runs when neither the column nor its client names one.
pub const FALLBACK_MODEL: &str = "gpt-4.1-mini";

/// The catalog key whose cost a `lookup` column bills.
pub const LOOKUP_ACTION: &str = "lookup-row-in-other-table";
/// The catalog key whose cost a `lookup` column with `multiple: true` bills.
pub const LOOKUP_MULTIPLE_ACTION: &str = "lookup-multiple-rows-in-other-table";
/// The catalog key whose cost a `send_to` column bills.
pub const SEND_TO_ACTION: &str = "route-row";
/// The catalog key whose cost an `http` column bills.
pub const HTTP_ACTION: &str = "http-api-v2";
/// The catalog key of AI columns (their data credits come from the model).
pub const AI_ACTION: &str = "use-ai";

static BUILTIN: LazyLock<Catalog> = LazyLock::new(|| {
    let enrichments = parse_enrichments("enrichments.yaml", ENRICHMENTS_YAML)
        .expect("the built-in enrichment catalog is valid (checked by tests)");
    let models = parse_models("models.yaml", MODELS_YAML)
        .expect("the built-in model catalog is valid (checked by tests)");
    Catalog::from_entries(enrichments, models)
        .expect("the built-in catalog has unique names (checked by tests)")
});

/// Enrichments and AI models known to clayform.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    enrichments: IndexMap<String, EnrichmentEntry>,
    models: IndexMap<String, ModelEntry>,
    /// Alias → catalog key.
    aliases: HashMap<String, String>,
}

impl Catalog {
    /// The catalog shipped with clayform.
    pub fn builtin() -> Catalog {
        BUILTIN.clone()
    }

    /// A catalog of exactly these entries; fails when a key or alias names two entries.
    pub fn from_entries(
        enrichments: IndexMap<String, EnrichmentEntry>,
        models: IndexMap<String, ModelEntry>,
    ) -> Result<Catalog, Vec<String>> {
        let mut catalog = Catalog {
            enrichments,
            models,
            aliases: HashMap::new(),
        };
        let problems = catalog.rebuild_aliases();
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(problems)
        }
    }

    /// Rebuild the alias index; returns a problem for every name that means two entries.
    fn rebuild_aliases(&mut self) -> Vec<String> {
        let mut problems = Vec::new();
        self.aliases.clear();
        for (key, entry) in &self.enrichments {
            for alias in &entry.aliases {
                if self.enrichments.contains_key(alias) {
                    problems.push(format!(
                        "alias `{alias}` of `{key}` is also an enrichment key"
                    ));
                } else if let Some(other) = self.aliases.insert(alias.clone(), key.clone()) {
                    problems.push(format!("alias `{alias}` names both `{other}` and `{key}`"));
                }
            }
        }
        problems
    }

    /// This catalog with a project's overrides merged in; invalid overrides become diagnostics.
    pub fn with_overrides(self, overrides: &CatalogOverrides) -> (Catalog, Vec<Diagnostic>) {
        overrides::apply(self, overrides)
    }

    /// An enrichment by seed alias, catalog key or real Clay action key.
    pub fn enrichment(&self, name: &str) -> Option<&EnrichmentEntry> {
        self.enrichments.get(name).or_else(|| {
            self.aliases
                .get(name)
                .and_then(|key| self.enrichments.get(key))
        })
    }

    /// Every enrichment, in data-file order (overrides that add entries come last).
    pub fn enrichments(&self) -> impl Iterator<Item = &EnrichmentEntry> {
        self.enrichments.values()
    }

    /// Every name a spec may write after `enrichment:` (keys and aliases), for did-you-mean.
    pub fn enrichment_names(&self) -> impl Iterator<Item = &str> {
        self.enrichments.values().flat_map(|e| {
            std::iter::once(e.key.as_str()).chain(e.aliases.iter().map(String::as_str))
        })
    }

    /// Enrichments of one category, in catalog order.
    pub fn enrichments_in(&self, category: Category) -> impl Iterator<Item = &EnrichmentEntry> {
        self.enrichments().filter(move |e| e.category == category)
    }

    /// An AI model by its Clay literal (`gpt-4.1-mini`, `clay-argon`).
    pub fn model(&self, name: &str) -> Option<&ModelEntry> {
        self.models.get(name)
    }

    pub fn models(&self) -> impl Iterator<Item = &ModelEntry> {
        self.models.values()
    }

    pub fn model_names(&self) -> impl Iterator<Item = &str> {
        self.models.keys().map(String::as_str)
    }

    /// Action key, package id and full ordered parameter list of an enrichment; `None` when the
    /// name is unknown or the entry names no real Clay action (`verified: false`).
    pub fn resolved_action(&self, name: &str) -> Option<ResolvedActionInfo> {
        self.enrichment(name)
            .and_then(ResolvedActionInfo::from_entry)
    }
}

/// The model literal an AI column runs: its own `model`, else its client's `default_model`,
/// else [`FALLBACK_MODEL`].
pub fn effective_model<'a>(ai: &'a Ai, client: Option<&'a Client>) -> &'a str {
    ai.model
        .as_ref()
        .or_else(|| client.and_then(|c| c.default_model.as_ref()))
        .map_or(FALLBACK_MODEL, |name| name.as_str())
}
