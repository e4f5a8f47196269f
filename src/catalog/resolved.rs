//! What the provider needs to build an action column: action key, package id and the full,
//! ordered parameter list (Clay shows no inputs unless every parameter is bound, §8.1).
//!
//! Owns: [`ResolvedActionInfo`] and its construction from a catalog entry.
//! Must not know: Clay's JSON (the provider turns this into `inputsBinding`).

use serde::Serialize;

use crate::catalog::enrichment::{AuthRequirement, EnrichmentEntry};

/// One parameter of a resolved action, in Clay's binding order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionParameter {
    /// The name a spec writes under `inputs:`.
    pub spec_name: String,
    /// Clay's input name (`name` in `inputsBinding`), e.g. `followRedirectsOptions|maxRedirects`.
    pub clay_name: String,
    pub required: bool,
    /// Bound with `formulaMap` rather than `formulaText`.
    pub object: bool,
}

/// A catalog entry resolved to a real Clay action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedActionInfo {
    /// The catalog key the spec's name resolved to (`email_finder`, `find-email-v2`).
    pub catalog_key: String,
    pub action_key: String,
    pub package_id: String,
    pub auth: AuthRequirement,
    /// Every parameter, required and optional, in binding order.
    pub parameters: Vec<ActionParameter>,
    /// Further inputs pass through unchecked (source filters, function send-back).
    pub open_inputs: bool,
}

impl ResolvedActionInfo {
    /// `None` when the entry names no real Clay action (`verified: false` seeds).
    pub fn from_entry(entry: &EnrichmentEntry) -> Option<ResolvedActionInfo> {
        Some(ResolvedActionInfo {
            catalog_key: entry.key.clone(),
            action_key: entry.action_key.clone()?,
            package_id: entry.package_id.clone()?,
            auth: entry.auth,
            parameters: entry
                .inputs
                .iter()
                .map(|input| ActionParameter {
                    spec_name: input.name.clone(),
                    clay_name: input.clay_name().to_string(),
                    required: input.required,
                    object: input.object,
                })
                .collect(),
            open_inputs: entry.open_inputs,
        })
    }

    pub fn parameter(&self, spec_name: &str) -> Option<&ActionParameter> {
        self.parameters.iter().find(|p| p.spec_name == spec_name)
    }
}
