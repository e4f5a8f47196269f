//! The state of one workbook: every object clayform manages in it, and the apply journal.

use serde::{Deserialize, Serialize};

use super::address::Address;
use super::error::StateError;

/// What clayform last applied to one workbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Incremented by every write; a saved plan pins it.
    pub serial: u64,
    /// Fixed when the state is first created; identifies it across its history.
    pub lineage: String,
    /// The workbook's name (its identity within the workspace).
    pub workbook: String,
    pub workspace_id: u64,
    /// Sorted by address on write, so equal states serialise identically.
    #[serde(default)]
    pub resources: Vec<ResourceState>,
    /// Mutating calls that were started; see [`Intent`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intents: Vec<Intent>,
}

/// Kind of a managed Clay object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Workbook,
    Table,
    Source,
    Column,
}

/// How an object came under management. Only managed objects are ever destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ManagedBy {
    Created,
    Imported,
}

/// One managed object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceState {
    pub address: Address,
    pub kind: ResourceKind,
    /// Clay's id (`wb_…`, `t_…`, `f_…`, `s_…`).
    pub clay_id: String,
    /// The normalised desired config last applied (built by the engine; references by name).
    pub desired: serde_json::Value,
    /// What Clay returned after the last write or refresh (normalised, no volatile fields).
    pub observed: serde_json::Value,
    pub managed_by: ManagedBy,
    /// `protect: true` as last applied: removing the object and its `protect` in one edit is
    /// still refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub protect: bool,
    /// Addresses this object depends on (direct only), for destroy order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Address>,
}

/// A mutating call recorded before it is made. After the call, its result replaces it.
///
/// An apply killed between recording an intent and recording its result leaves the intent here;
/// the next apply reconciles it (looks the object up in Clay by name) before planning, so a create
/// is never repeated blindly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    pub id: String,
    pub address: Address,
    pub operation: String,
    pub status: IntentStatus,
    /// RFC 3339 time the intent was recorded.
    pub started_at: String,
    /// The Clay id involved, when known (updates and deletes; creates once answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clay_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentStatus {
    /// Recorded; the call may or may not have reached Clay.
    Started,
}

impl State {
    /// A fresh, empty state with a new lineage.
    pub fn new(workbook: impl Into<String>, workspace_id: u64) -> State {
        State {
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            workbook: workbook.into(),
            workspace_id,
            resources: Vec::new(),
            intents: Vec::new(),
        }
    }

    pub fn get(&self, address: &Address) -> Option<&ResourceState> {
        self.resources.iter().find(|r| &r.address == address)
    }

    pub fn get_mut(&mut self, address: &Address) -> Option<&mut ResourceState> {
        self.resources.iter_mut().find(|r| &r.address == address)
    }

    pub fn find_by_clay_id(&self, clay_id: &str) -> Option<&ResourceState> {
        self.resources.iter().find(|r| r.clay_id == clay_id)
    }

    /// Insert or replace the object at `resource.address`.
    pub fn upsert(&mut self, resource: ResourceState) {
        match self.get_mut(&resource.address) {
            Some(existing) => *existing = resource,
            None => self.resources.push(resource),
        }
    }

    pub fn remove(&mut self, address: &Address) -> Result<ResourceState, StateError> {
        let index = self
            .resources
            .iter()
            .position(|r| &r.address == address)
            .ok_or_else(|| StateError::NotFound {
                address: address.to_string(),
            })?;
        Ok(self.resources.remove(index))
    }

    /// Move an object to a new address (`state mv`); objects under it move too.
    pub fn move_address(&mut self, from: &Address, to: &Address) -> Result<usize, StateError> {
        if self.get(to).is_some() {
            return Err(StateError::AlreadyExists {
                address: to.to_string(),
            });
        }
        if self.get(from).is_none() {
            return Err(StateError::NotFound {
                address: from.to_string(),
            });
        }
        let mut moved = 0;
        for resource in &mut self.resources {
            if let Some(new_address) = rebase(&resource.address, from, to) {
                resource.address = new_address;
                moved += 1;
            }
        }
        for resource in &mut self.resources {
            for dependency in &mut resource.depends_on {
                if let Some(new_address) = rebase(dependency, from, to) {
                    *dependency = new_address;
                }
            }
        }
        Ok(moved)
    }

    /// Sort resources and intents so equal states serialise to equal bytes.
    pub fn canonicalize(&mut self) {
        self.resources.sort_by(|a, b| a.address.cmp(&b.address));
        for resource in &mut self.resources {
            resource.depends_on.sort();
            resource.depends_on.dedup();
        }
        self.intents
            .sort_by(|a, b| a.started_at.cmp(&b.started_at).then(a.id.cmp(&b.id)));
    }
}

/// `address` with its `from` prefix replaced by `to`, if `from` contains it.
fn rebase(address: &Address, from: &Address, to: &Address) -> Option<Address> {
    use super::address::ObjectPath as P;
    if !from.contains(address) {
        return None;
    }
    let path = match (&from.path, &to.path, &address.path) {
        (_, _, _) if address == from => to.path.clone(),
        (P::Workbook, P::Workbook, path) => path.clone(),
        (P::Table { .. }, P::Table { table }, P::Column { column, .. }) => P::Column {
            table: table.clone(),
            column: column.clone(),
        },
        (P::Table { .. }, P::Table { table }, P::Source { .. }) => P::Source {
            table: table.clone(),
        },
        _ => return None,
    };
    Some(Address {
        workbook: to.workbook.clone(),
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(table: &str, column: &str, id: &str) -> ResourceState {
        ResourceState {
            address: Address::column("W", table, column),
            kind: ResourceKind::Column,
            clay_id: id.into(),
            desired: serde_json::json!({}),
            observed: serde_json::json!({}),
            managed_by: ManagedBy::Created,
            protect: false,
            depends_on: vec![Address::table("W", table)],
        }
    }

    #[test]
    fn moving_a_table_moves_its_columns_and_dependencies() {
        let mut state = State::new("W", 1);
        state.upsert(ResourceState {
            address: Address::table("W", "Old"),
            kind: ResourceKind::Table,
            clay_id: "t_1".into(),
            desired: serde_json::json!({}),
            observed: serde_json::json!({}),
            managed_by: ManagedBy::Created,
            protect: false,
            depends_on: vec![],
        });
        state.upsert(column("Old", "Email", "f_1"));
        state.upsert(column("Other", "Name", "f_2"));
        let moved = state
            .move_address(&Address::table("W", "Old"), &Address::table("W", "New"))
            .unwrap();
        assert_eq!(moved, 2);
        let email = state.get(&Address::column("W", "New", "Email")).unwrap();
        assert_eq!(email.depends_on, vec![Address::table("W", "New")]);
        assert!(state.get(&Address::column("W", "Other", "Name")).is_some());
    }

    #[test]
    fn moving_onto_an_existing_address_is_refused() {
        let mut state = State::new("W", 1);
        state.upsert(column("T", "A", "f_1"));
        state.upsert(column("T", "B", "f_2"));
        let error = state
            .move_address(
                &Address::column("W", "T", "A"),
                &Address::column("W", "T", "B"),
            )
            .unwrap_err();
        assert!(matches!(error, StateError::AlreadyExists { .. }));
    }
}
