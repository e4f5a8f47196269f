//! What clayform manages in one workbook, as `run` and `status` need it: tables and columns with
//! their Clay ids, column kinds, and a webhook source's URL.
//!
//! Owns: reading that view out of a workbook's [`State`] (ids, the normalised `kind`, the table's
//! `column_order`, the source's observed `url`).
//! Must not know: the state file format (it reads the `State` model), Clay's JSON, printing.

use serde_json::Value;

use crate::model::Workbook;
use crate::state::{ObjectPath, ResourceKind, State};

/// Column kinds that run an action in Clay (the normalised `kind` of a column config).
pub const ACTION_KINDS: [&str; 5] = ["enrichment", "ai", "lookup", "send_to", "http"];

/// One managed workbook, ordered like its spec (or, without one, like Clay's column order).
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedWorkbook {
    pub name: String,
    pub workspace_id: u64,
    pub workbook_id: Option<String>,
    pub tables: Vec<ManagedTable>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManagedTable {
    pub name: String,
    pub table_id: String,
    /// The URL rows are posted to, when the table's source is a webhook.
    pub webhook_url: Option<String>,
    pub columns: Vec<ManagedColumn>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManagedColumn {
    pub name: String,
    pub field_id: String,
    /// The normalised kind: `enrichment`, `ai`, `formula`, `input`, ...
    pub kind: String,
}

impl ManagedColumn {
    /// Whether the column runs an action (and so has cells with a run status).
    pub fn is_action(&self) -> bool {
        ACTION_KINDS.contains(&self.kind.as_str())
    }
}

impl ManagedTable {
    pub fn column(&self, name: &str) -> Option<&ManagedColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn action_columns(&self) -> impl Iterator<Item = &ManagedColumn> {
        self.columns.iter().filter(|c| c.is_action())
    }
}

impl ManagedWorkbook {
    pub fn table(&self, name: &str) -> Option<&ManagedTable> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The managed objects of `state`. Tables follow `spec`'s order when given (then the rest by
    /// name); columns follow the table's last applied `column_order`.
    pub fn from_state(state: &State, spec: Option<&Workbook>) -> ManagedWorkbook {
        let workbook_id = state
            .resources
            .iter()
            .find(|r| r.kind == ResourceKind::Workbook)
            .map(|r| r.clay_id.clone());
        let mut tables: Vec<(ManagedTable, Vec<String>)> = state
            .resources
            .iter()
            .filter_map(|resource| match &resource.address.path {
                ObjectPath::Table { table } if resource.kind == ResourceKind::Table => Some((
                    ManagedTable {
                        name: table.clone(),
                        table_id: resource.clay_id.clone(),
                        webhook_url: None,
                        columns: Vec::new(),
                    },
                    string_list(&resource.desired, "column_order"),
                )),
                _ => None,
            })
            .collect();
        for resource in &state.resources {
            let Some((table, _)) = resource
                .address
                .table_name()
                .and_then(|name| tables.iter_mut().find(|(t, _)| t.name == name))
            else {
                continue;
            };
            match &resource.address.path {
                ObjectPath::Column { column, .. } => table.columns.push(ManagedColumn {
                    name: column.clone(),
                    field_id: resource.clay_id.clone(),
                    kind: text(&resource.desired, "kind")
                        .or_else(|| text(&resource.observed, "kind"))
                        .unwrap_or_default(),
                }),
                ObjectPath::Source { .. } => {
                    let is_webhook = text(&resource.desired, "kind").as_deref() == Some("webhook");
                    if is_webhook {
                        table.webhook_url = text(&resource.observed, "url")
                            .or_else(|| text(&resource.desired, "url"));
                    }
                }
                ObjectPath::Workbook | ObjectPath::Table { .. } => {}
            }
        }
        for (table, order) in &mut tables {
            table.columns.sort_by_key(|column| {
                order
                    .iter()
                    .position(|name| *name == column.name)
                    .unwrap_or(usize::MAX)
            });
        }
        let mut tables: Vec<ManagedTable> = tables.into_iter().map(|(table, _)| table).collect();
        if let Some(spec) = spec {
            tables.sort_by_key(|table| {
                spec.tables
                    .iter()
                    .position(|t| t.name.as_str() == table.name)
                    .unwrap_or(usize::MAX)
            });
        }
        ManagedWorkbook {
            name: state.workbook.clone(),
            workspace_id: state.workspace_id,
            workbook_id,
            tables,
        }
    }
}

fn text(config: &Value, key: &str) -> Option<String> {
    config.get(key).and_then(Value::as_str).map(str::to_string)
}

fn string_list(config: &Value, key: &str) -> Vec<String> {
    config
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::state::{Address, ManagedBy, ResourceState};

    fn resource(address: Address, kind: ResourceKind, id: &str, desired: Value) -> ResourceState {
        ResourceState {
            address,
            kind,
            clay_id: id.to_string(),
            observed: desired.clone(),
            desired,
            managed_by: ManagedBy::Created,
            protect: false,
            depends_on: Vec::new(),
        }
    }

    #[test]
    fn state_becomes_tables_and_columns_in_column_order_with_the_webhook_url() {
        let mut state = State::new("W", 7);
        state.resources = vec![
            resource(
                Address::workbook("W"),
                ResourceKind::Workbook,
                "wb_1",
                json!({}),
            ),
            resource(
                Address::table("W", "T"),
                ResourceKind::Table,
                "t_1",
                json!({"column_order": ["B", "A"]}),
            ),
            resource(
                Address::column("W", "T", "A"),
                ResourceKind::Column,
                "f_a",
                json!({"kind": "formula"}),
            ),
            resource(
                Address::column("W", "T", "B"),
                ResourceKind::Column,
                "f_b",
                json!({"kind": "enrichment"}),
            ),
            resource(
                Address::source("W", "T"),
                ResourceKind::Source,
                "s_1",
                json!({"kind": "webhook", "url": "https://hook"}),
            ),
        ];
        let managed = ManagedWorkbook::from_state(&state, None);
        assert_eq!(managed.workbook_id.as_deref(), Some("wb_1"));
        let table = managed.table("T").unwrap();
        assert_eq!(table.table_id, "t_1");
        assert_eq!(table.webhook_url.as_deref(), Some("https://hook"));
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["B", "A"]);
        let actions: Vec<&str> = table.action_columns().map(|c| c.name.as_str()).collect();
        assert_eq!(actions, ["B"]);
    }
}
