//! Workspace identity and discovery bodies: `GET /v3`, `GET /v3/me`, `GET /v3/my-workspaces`.
//!
//! Owns: [`WorkspaceId`] (a number that Clay sends as a number or a string) and the discovery
//! answers. Must not know: HTTP.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Clay workspace id (`1080480`). Reads a number or a numeric string; writes a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkspaceId(pub u64);

impl fmt::Display for WorkspaceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl WorkspaceId {
    /// Reads an id from any JSON value Clay uses for it.
    pub fn from_json(value: &serde_json::Value) -> Option<WorkspaceId> {
        match value {
            serde_json::Value::Number(number) => number.as_u64().map(WorkspaceId),
            serde_json::Value::String(text) => text.trim().parse().ok().map(WorkspaceId),
            _ => None,
        }
    }
}

impl Serialize for WorkspaceId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for WorkspaceId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        WorkspaceId::from_json(&value).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a workspace id, found {value}"))
        })
    }
}

/// `GET /v3` (no auth needed): status, version and, when authenticated, CASL abilities.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiRoot {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub auth: Option<ApiRootAuth>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiRootAuth {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub actor: Option<serde_json::Value>,
    /// CASL rules, e.g. `{M: [{conditions: {id: 1080480}}, ...]}`.
    #[serde(default)]
    pub abilities: serde_json::Value,
}

impl ApiRoot {
    /// Workspace ids named by `conditions.id` in any CASL rule, in order, without repeats.
    pub fn workspace_ids(&self) -> Vec<WorkspaceId> {
        let mut found = Vec::new();
        if let Some(auth) = &self.auth {
            collect_condition_ids(&auth.abilities, &mut found);
        }
        found
    }
}

fn collect_condition_ids(value: &serde_json::Value, found: &mut Vec<WorkspaceId>) {
    match value {
        serde_json::Value::Array(items) => {
            for item in items {
                collect_condition_ids(item, found);
            }
        }
        serde_json::Value::Object(map) => {
            if let Some(id) = map
                .get("conditions")
                .and_then(|conditions| conditions.get("id"))
                .and_then(WorkspaceId::from_json)
                && !found.contains(&id)
            {
                found.push(id);
            }
            for (key, child) in map {
                if key != "conditions" {
                    collect_condition_ids(child, found);
                }
            }
        }
        _ => {}
    }
}

/// `GET /v3/me`. The profile carries an `apiToken`, which is deliberately not read.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    #[serde(default, deserialize_with = "super::optional_id_of_any_shape")]
    pub id: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub last_workspace_id: Option<WorkspaceId>,
}

/// One entry of `GET /v3/my-workspaces`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClayWorkspace {
    pub id: WorkspaceId,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub billing_plan_type: Option<String>,
    /// `{basic, longExpiry, actionExecution}`.
    #[serde(default)]
    pub credits: serde_json::Value,
}

/// `GET /v3/my-workspaces` → `{results: [...]}` (a bare array is accepted too).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum WorkspaceList {
    Results { results: Vec<ClayWorkspace> },
    Bare(Vec<ClayWorkspace>),
}

impl WorkspaceList {
    pub fn into_vec(self) -> Vec<ClayWorkspace> {
        match self {
            WorkspaceList::Results { results } | WorkspaceList::Bare(results) => results,
        }
    }
}
