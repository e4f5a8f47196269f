//! The project file `clayform.yaml` as written: clients, state backend, catalog overrides.
//!
//! Owns: the shape of the project file and, through schemars, `schemas/project.schema.json`.
//! Must not know: spans (see [`super::node::SpanIndex`]), the catalog's own entry format (catalog
//! overrides are open objects here; the catalog module checks them), or where state is stored.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `clayform.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "clayform project file")]
pub struct ProjectSpec {
    /// Clients (Clay workspaces) by the name specs use in `client:`.
    #[serde(default)]
    pub clients: IndexMap<String, ClientSpec>,
    /// Where state lives (default `local`, i.e. `.clayform/state/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<BackendSpec>,
    /// Folder of spec files, relative to this file (default `specs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specs_dir: Option<String>,
    /// Catalog entries added or changed for this project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<CatalogSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// Clay workspace id (`CLAY_WORKSPACE_ID` overrides it).
    pub workspace_id: u64,
    /// AI model for `ai` columns that name none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budgets: Option<ClientBudgetsSpec>,
    /// Category (e.g. `work_email`) → enrichments to prefer, in order.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub preferred_enrichments: IndexMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientBudgetsSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub max_credits_per_table: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub max_credits_per_workbook: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub max_actions_per_table: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub max_actions_per_workbook: Option<f64>,
}

/// `local`, `{local: {path}}` or `{postgres: {conn_str_env, schema}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum BackendSpec {
    Named(BackendName),
    Local { local: LocalBackendSpec },
    Postgres { postgres: PostgresBackendSpec },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BackendName {
    Local,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalBackendSpec {
    /// State folder, relative to `clayform.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// State in a Postgres (Supabase-compatible) database: one row per workbook state, locked while
/// in use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostgresBackendSpec {
    /// Name of the environment variable holding the connection string (never the string itself).
    #[schemars(length(min = 1))]
    pub conn_str_env: String,
    /// Database schema holding clayform's `states` and `locks` tables (default `clayform`);
    /// created on first use when missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub schema: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogSpec {
    /// Enrichment entries by name, in the catalog's data format.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub enrichments: IndexMap<String, serde_json::Map<String, serde_json::Value>>,
    /// AI model entries by name, in the catalog's data format.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub models: IndexMap<String, serde_json::Map<String, serde_json::Value>>,
}
