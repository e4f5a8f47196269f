//! One enrichment entry of the catalog: a Clay action, its inputs and its cost per run.
//!
//! Owns: the serde shape of `data/enrichments.yaml` entries (also the shape of
//! `catalog.enrichments` overrides) and the structural checks on one entry.
//! Must not know: specs, spans or diagnostics; how entries are looked up or merged.

use serde::{Deserialize, Serialize};

/// What kind of data an enrichment produces; used for `preferred_enrichments` and the draft
/// prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    WorkEmail,
    EmailValidation,
    PersonData,
    CompanyData,
    Phone,
    Web,
    Domain,
    Outreach,
    Table,
    Source,
    Ai,
    Utility,
}

impl Category {
    pub fn keyword(self) -> &'static str {
        match self {
            Category::WorkEmail => "work_email",
            Category::EmailValidation => "email_validation",
            Category::PersonData => "person_data",
            Category::CompanyData => "company_data",
            Category::Phone => "phone",
            Category::Web => "web",
            Category::Domain => "domain",
            Category::Outreach => "outreach",
            Category::Table => "table",
            Category::Source => "source",
            Category::Ai => "ai",
            Category::Utility => "utility",
        }
    }
}

/// Whether a column running the action needs a Clay auth account (`authAccountId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthRequirement {
    Required,
    Optional,
    None,
}

/// One input of an action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// The name a spec writes under `inputs:`.
    pub name: String,
    /// Clay's input name in `inputsBinding`; the spec name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clay_name: Option<String>,
    #[serde(default = "default_true")]
    pub required: bool,
    /// Object-typed input, bound with `formulaMap` instead of `formulaText`.
    #[serde(default)]
    pub object: bool,
    #[serde(default)]
    pub description: String,
}

impl InputSpec {
    pub fn clay_name(&self) -> &str {
        self.clay_name.as_deref().unwrap_or(&self.name)
    }
}

fn default_true() -> bool {
    true
}

/// What one run on one row costs, in both billing models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionCost {
    /// 2026 billing: Actions per run (1 for every enrichment and AI run).
    pub actions: f64,
    /// 2026 billing: Data Credits per run (0 with your own key or for free utilities).
    pub data_credits: f64,
    /// Pre-2026 credits per run.
    pub legacy_credits: f64,
    /// Where the figures come from (a reference section, or "estimate: ...").
    pub source: String,
}

/// An enrichment: a seed alias (`email_finder`) or a real Clay action under its real key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrichmentEntry {
    /// The catalog key (the data file's map key); filled in when the catalog is built.
    #[serde(default, skip_deserializing)]
    pub key: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    pub display_name: String,
    /// Clay's `actionKey`; `None` when no real action is known.
    pub action_key: Option<String>,
    /// Clay's `actionPackageId`; `None` when unknown.
    pub package_id: Option<String>,
    /// `true`: action key and package id come from the reference, not a guess.
    pub verified: bool,
    pub category: Category,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    pub auth: AuthRequirement,
    /// `true`: inputs beyond [`Self::inputs`] pass through unchecked (source filters, send-back).
    #[serde(default)]
    pub open_inputs: bool,
    /// Clay's full parameter list, in binding order.
    pub inputs: Vec<InputSpec>,
    pub cost: ActionCost,
    /// Where the action key, package id and inputs come from.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl EnrichmentEntry {
    pub fn input(&self, spec_name: &str) -> Option<&InputSpec> {
        self.inputs.iter().find(|i| i.name == spec_name)
    }

    pub fn required_inputs(&self) -> impl Iterator<Item = &InputSpec> {
        self.inputs.iter().filter(|i| i.required)
    }

    /// Structural problems of this entry, worded for a CF308 message (empty when sound).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        match (&self.package_id, self.verified) {
            (Some(id), _) if !is_uuid(id) => {
                problems.push(format!("`package_id` `{id}` is not a UUID"));
            }
            (None, true) => problems.push("a verified entry needs a `package_id`".to_string()),
            _ => {}
        }
        if self.verified && self.action_key.is_none() {
            problems.push("a verified entry needs an `action_key`".to_string());
        }
        let mut seen_spec = std::collections::HashSet::new();
        let mut seen_clay = std::collections::HashSet::new();
        for input in &self.inputs {
            if input.name.is_empty() {
                problems.push("an input has an empty `name`".to_string());
            }
            if !seen_spec.insert(input.name.as_str()) {
                problems.push(format!("input `{}` is listed twice", input.name));
            }
            if !seen_clay.insert(input.clay_name()) {
                problems.push(format!(
                    "Clay input `{}` is bound by two inputs",
                    input.clay_name()
                ));
            }
        }
        for (what, value) in [
            ("actions", self.cost.actions),
            ("data_credits", self.cost.data_credits),
            ("legacy_credits", self.cost.legacy_credits),
        ] {
            if !value.is_finite() || value < 0.0 {
                problems.push(format!("`cost.{what}` must be a number of at least 0"));
            }
        }
        if self.source.trim().is_empty() || self.cost.source.trim().is_empty() {
            problems.push("`source` and `cost.source` must say where the entry comes from".into());
        }
        problems
    }
}

/// `8-4-4-4-12` hexadecimal digits, the form of Clay's package ids.
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape_is_checked() {
        assert!(is_uuid("48a31bbb-63e6-4461-8a62-d88bb2cd6b0f"));
        assert!(!is_uuid("4299091f-..."));
        assert!(!is_uuid("48a31bbb63e6-4461-8a62-d88bb2cd6b0f"));
        assert!(!is_uuid("48a31bbb-63e6-4461-8a62-d88bb2cd6b0g"));
    }
}
