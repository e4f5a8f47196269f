//! Reconciling intents left by an interrupted apply.
//!
//! An intent is a mutating call that was recorded but whose result never was. For a create, the
//! object may or may not exist in Clay: it is looked up by name, and adopted into state when
//! found (its config then compares against the spec like any other object), so the next plan
//! never creates it twice. Updates and deletes are idempotent: their intents are simply dropped,
//! and the next refresh shows what is left to do.

use super::{EngineError, Target};
use crate::provider::ClayClient;
use crate::state::{
    Address, ManagedBy, ObjectPath, ResourceKind, ResourceState, StateBackend, StateLock,
};

/// Resolve every intent in the state of `target`; returns how many objects were adopted.
pub async fn reconcile(
    clay: &ClayClient,
    backend: &StateBackend,
    lock: &StateLock,
    target: &Target<'_>,
) -> Result<usize, EngineError> {
    let Some(mut state) = backend.load(&target.state_key())? else {
        return Ok(0);
    };
    if state.intents.is_empty() {
        return Ok(0);
    }
    let mut adopted = 0;
    for intent in std::mem::take(&mut state.intents) {
        if intent.operation != "create" && intent.operation != "replace" {
            continue;
        }
        if state
            .get(&intent.address)
            .is_some_and(|r| Some(&r.clay_id) != intent.clay_id.as_ref())
        {
            continue;
        }
        let found = find_by_name(clay, &state, &intent.address)
            .await
            .map_err(|source| EngineError::Clay {
                context: format!(
                    "cannot look up `{}` to reconcile an interrupted apply",
                    intent.address
                ),
                source,
            })?;
        if let Some((kind, clay_id)) = found
            && state.find_by_clay_id(&clay_id).is_none()
        {
            state.upsert(ResourceState {
                address: intent.address.clone(),
                kind,
                clay_id,
                // Unknown: what was sent is not recorded, so the next plan compares the spec
                // with what Clay has and updates it if they differ.
                desired: serde_json::Value::Null,
                observed: serde_json::Value::Null,
                managed_by: ManagedBy::Created,
                protect: false,
                depends_on: Vec::new(),
            });
            adopted += 1;
        }
    }
    backend.save(lock, &mut state)?;
    Ok(adopted)
}

async fn find_by_name(
    clay: &ClayClient,
    state: &crate::state::State,
    address: &Address,
) -> Result<Option<(ResourceKind, String)>, crate::provider::ClayError> {
    let workbook_id = state
        .get(&Address::workbook(&address.workbook))
        .map(|r| r.clay_id.clone());
    match &address.path {
        ObjectPath::Workbook => Ok(clay
            .list_workbooks()
            .await?
            .into_iter()
            .find(|w| w.name == address.workbook)
            .map(|w| (ResourceKind::Workbook, w.id))),
        ObjectPath::Table { table } => {
            let Some(workbook_id) = workbook_id else {
                return Ok(None);
            };
            Ok(clay
                .list_workbook_tables(&workbook_id)
                .await?
                .into_iter()
                .find(|t| &t.name == table)
                .map(|t| (ResourceKind::Table, t.id)))
        }
        ObjectPath::Column { table, column } => {
            let Some(table_id) = state
                .get(&Address::table(&address.workbook, table))
                .map(|r| r.clay_id.clone())
            else {
                return Ok(None);
            };
            let live = clay.get_table(&table_id).await?.table;
            Ok(live
                .field_named(column)
                .map(|f| (ResourceKind::Column, f.id.clone())))
        }
        // A source has no name of its own: the one its table already has is the one created.
        ObjectPath::Source { table } => {
            let Some(table_id) = state
                .get(&Address::table(&address.workbook, table))
                .map(|r| r.clay_id.clone())
            else {
                return Ok(None);
            };
            Ok(clay
                .list_table_sources(&table_id)
                .await?
                .into_iter()
                .next()
                .map(|s| (ResourceKind::Source, s.id)))
        }
    }
}
