//! Refresh: read what Clay has now for every object in a workbook's state, in bulk, and put it in
//! the normalised form the diff compares.
//!
//! One read per managed table (`GET /v3/tables/{t}` carries its fields, views and settings), up to
//! eight at a time; the workbook itself is read only when state holds no table to vouch for it. A
//! read that fails is an error that stops the plan: only a successful read that shows an object
//! missing (404, or a field absent from its table) makes it "gone". Fields found in a managed
//! table that state does not know are reported as unmanaged and never touched.
//!
//! Must not know: the state file format, printing. Clay's JSON stays behind the provider's types.

use std::collections::BTreeMap;

use futures_util::StreamExt;

use crate::catalog::Catalog;
use crate::engine::live_order;
use crate::model::{Column, Name, TableType};
use crate::plan::PriorObject;
use crate::plan::config::column_config;
use crate::provider::translate::{
    LiveColumn, NameMap, ResolvedAction, TranslateError, field_to_column,
};
use crate::provider::wire::table::ClayTable;
use crate::provider::{ClayClient, ClayError};
use crate::source::Span;
use crate::state::{ObjectPath, ResourceKind, State};

/// What Clay has now, for one workbook's state.
#[derive(Debug, Clone, Default)]
pub struct Refreshed {
    pub prior: Vec<PriorObject>,
    /// Live tables by state table name (the address's name), as read.
    pub tables: BTreeMap<String, ClayTable>,
    /// Fields in managed tables that clayform does not manage.
    pub unmanaged: Vec<UnmanagedColumn>,
    /// API reads made.
    pub reads: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmanagedColumn {
    pub table: String,
    pub column: String,
    pub field_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error("cannot read table `{table}` ({table_id}) from Clay; the plan stops rather than guess")]
    ReadTable {
        table: String,
        table_id: String,
        #[source]
        source: ClayError,
    },
    #[error("cannot read the workbooks of the workspace from Clay")]
    ReadWorkbooks(#[source] ClayError),
    #[error("cannot understand column `{column}` of table `{table}` as Clay returned it")]
    Translate {
        table: String,
        column: String,
        #[source]
        source: TranslateError,
    },
}

/// System columns Clay adds to every table; never reported as unmanaged.
fn is_system_field(field_id: &str, field_type: &str) -> bool {
    matches!(field_id, "f_created_at" | "f_updated_at") || field_type == "source"
}

/// How many table reads one refresh keeps in flight.
const CONCURRENT_TABLE_READS: usize = 8;

/// Read Clay for every object in `state`.
pub async fn refresh(
    client: &ClayClient,
    state: &State,
    catalog: &Catalog,
) -> Result<Refreshed, RefreshError> {
    let mut refreshed = Refreshed::default();
    let tables: Vec<(&str, &str)> = state
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Table)
        .filter_map(|r| Some((r.address.table_name()?, r.clay_id.as_str())))
        .collect();
    refreshed.reads += tables.len();
    // The tables are read concurrently (a few at a time), in state order; the first failure
    // stops the plan.
    let mut reads = futures_util::stream::iter(
        tables
            .iter()
            .map(|&(name, id)| async move { (name, id, client.get_table(id).await) }),
    )
    .buffered(CONCURRENT_TABLE_READS);
    while let Some((table_name, table_id, read)) = reads.next().await {
        match read {
            Ok(envelope) if envelope.table.deleted_at.is_none() => {
                refreshed
                    .tables
                    .insert(table_name.to_string(), envelope.table);
            }
            Ok(_) => {}
            Err(error) if error.is_not_found() => {}
            Err(source) => {
                return Err(RefreshError::ReadTable {
                    table: table_name.to_string(),
                    table_id: table_id.to_string(),
                    source,
                });
            }
        }
    }
    drop(reads);
    let workbook_alive = if refreshed.tables.is_empty() {
        match state
            .resources
            .iter()
            .find(|r| r.kind == ResourceKind::Workbook)
        {
            Some(workbook) => {
                refreshed.reads += 1;
                let workbooks = client
                    .list_workbooks()
                    .await
                    .map_err(RefreshError::ReadWorkbooks)?;
                workbooks.iter().any(|w| w.id == workbook.clay_id)
            }
            None => false,
        }
    } else {
        true
    };

    let names = workbook_name_map(state, &refreshed.tables);
    for resource in &state.resources {
        let live = match &resource.address.path {
            ObjectPath::Workbook => workbook_alive.then(|| resource.desired.clone()),
            ObjectPath::Table { table } => refreshed.tables.get(table).map(|live| {
                let managed: Vec<String> = state
                    .resources
                    .iter()
                    .filter(|r| {
                        r.kind == ResourceKind::Column && r.address.table_name() == Some(table)
                    })
                    .map(|r| r.clay_id.clone())
                    .collect();
                live_table_config(live, &managed)
            }),
            ObjectPath::Source { table } => {
                // CSV and inline rows arrive through the records API: no Clay source object or
                // `source` column exists for them, only their table.
                let through_records = matches!(
                    resource
                        .desired
                        .get("kind")
                        .and_then(serde_json::Value::as_str),
                    Some("csv" | "rows")
                );
                refreshed
                    .tables
                    .get(table)
                    .filter(|live| {
                        through_records || live.fields.iter().any(|f| f.field_type == "source")
                    })
                    .map(|_| resource.desired.clone())
            }
            ObjectPath::Column { table, column } => match refreshed.tables.get(table) {
                None => None,
                Some(live) => match live.field(&resource.clay_id) {
                    None => None,
                    Some(field) => {
                        let mut ids = names.clone();
                        let own = NameMap::from_table(live);
                        ids.fields = own.fields;
                        ids.source_field_id = own.source_field_id;
                        let action = field
                            .action_key()
                            .and_then(|key| catalog.resolved_action(key))
                            .map(|info| ResolvedAction::from(&info));
                        match field_to_column(field, &ids, action.as_ref()) {
                            Ok(live_column) => {
                                Some(column_config(&model_column(live_column), catalog, None))
                            }
                            Err(source) => Some(
                                dangling_reference(&resource.desired, &source)
                                    .or_else(|| {
                                        read_with_dangling_ids(
                                            field,
                                            &ids,
                                            action.as_ref(),
                                            catalog,
                                        )
                                    })
                                    .ok_or_else(|| RefreshError::Translate {
                                        table: table.clone(),
                                        column: column.clone(),
                                        source,
                                    })?,
                            ),
                        }
                    }
                },
            },
        };
        refreshed.prior.push(PriorObject {
            address: resource.address.clone(),
            kind: resource.kind,
            clay_id: resource.clay_id.clone(),
            applied: resource.desired.clone(),
            live,
            protect: resource.protect,
            depends_on: resource.depends_on.clone(),
        });
    }

    for (table_name, live) in &refreshed.tables {
        for field in &live.fields {
            let managed = state.find_by_clay_id(&field.id).is_some();
            if !managed && !is_system_field(&field.id, &field.field_type) {
                refreshed.unmanaged.push(UnmanagedColumn {
                    table: table_name.clone(),
                    column: field.name.clone(),
                    field_id: field.id.clone(),
                });
            }
        }
    }
    Ok(refreshed)
}

/// A field that still references a column deleted since (Clay keeps references by id, and a
/// column deleted outside clayform leaves them dangling) reads as its last-applied config plus
/// the dangling id, so the plan updates it in place instead of failing to read it. `None` for
/// any other problem, or when no config was applied to fall back on.
fn dangling_reference(
    applied: &serde_json::Value,
    error: &TranslateError,
) -> Option<serde_json::Value> {
    let TranslateError::UnknownFieldId { field_id, .. } = error else {
        return None;
    };
    let mut config = applied.as_object()?.clone();
    config.insert("dangling_reference".into(), field_id.clone().into());
    Some(serde_json::Value::Object(config))
}

/// A field with a dangling reference whose last-applied config is unknown (it was adopted after
/// an interrupted apply): read as it is, each unknown id standing for a name no column can
/// have, so the plan updates it in place (its kind and action are read as they are, so the
/// difference is only in the references).
fn read_with_dangling_ids(
    field: &crate::provider::wire::field::ClayField,
    ids: &NameMap,
    action: Option<&ResolvedAction>,
    catalog: &Catalog,
) -> Option<serde_json::Value> {
    struct Dangling<'a>(&'a NameMap);
    impl crate::provider::translate::ClayIds for Dangling<'_> {
        fn field_name(&self, field_id: &str) -> Option<String> {
            self.0
                .field_name(field_id)
                .or_else(|| Some(format!("(deleted column {field_id})")))
        }
        fn table_name(&self, table_id: &str) -> Option<String> {
            self.0.table_name(table_id)
        }
        fn table_field_name(&self, table_id: &str, field_id: &str) -> Option<String> {
            self.0.table_field_name(table_id, field_id)
        }
        fn is_source_field(&self, field_id: &str) -> bool {
            self.0.is_source_field(field_id)
        }
    }
    let live = field_to_column(field, &Dangling(ids), action).ok()?;
    let mut config = column_config(&model_column(live), catalog, None);
    config
        .as_object_mut()?
        .insert("dangling_reference".into(), serde_json::Value::Bool(true));
    Some(config)
}

/// Names and ids of every live table of the workbook (for lookups and send-to across tables).
pub fn workbook_name_map(state: &State, tables: &BTreeMap<String, ClayTable>) -> NameMap {
    let mut map = NameMap::default();
    for (name, table) in tables {
        map.tables.insert(name.clone(), table.id.clone());
        map.table_fields
            .insert(name.clone(), NameMap::from_table(table).fields);
    }
    // Tables state knows but that were not read (not refreshed) still resolve by id.
    for resource in state
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Table)
    {
        if let Some(name) = resource.address.table_name() {
            map.tables
                .entry(name.to_string())
                .or_insert_with(|| resource.clay_id.clone());
        }
    }
    map
}

/// A live column read back, as a model column (no spans: it was read, not written).
pub fn model_column(live: LiveColumn) -> Column {
    Column {
        name: Name::new(live.name, Span::default()),
        kind: live.kind,
        data_type: live.data_type,
        description: live.description,
        run_if: live.run_if,
        run_as_button: live.run_as_button,
        renamed_from: Vec::new(),
        protect: false,
        span: Span::default(),
    }
}

/// Clay's table `type` as the model's, when it is one clayform knows.
pub fn table_type(clay_type: Option<&str>) -> Option<TableType> {
    match clay_type? {
        "company" => Some(TableType::Company),
        "people" => Some(TableType::People),
        "spreadsheet" => Some(TableType::Spreadsheet),
        "jobs" => Some(TableType::Jobs),
        _ => None,
    }
}

/// A live table in the form of `plan::config::table_config`. Clay turns auto-run on for tables
/// it creates, so a table that reports neither auto-run key counts as on.
pub fn live_table_config(table: &ClayTable, managed: &[String]) -> serde_json::Value {
    let mut config = serde_json::Map::new();
    config.insert("name".into(), table.name.clone().into());
    let table_type = table_type(table.table_type.as_deref()).map_or_else(
        || table.table_type.clone().unwrap_or_default(),
        |t| t.as_str().to_string(),
    );
    config.insert("type".into(), table_type.into());
    config.insert("auto_run".into(), table.auto_run().unwrap_or(true).into());
    if let Some(description) = table.description.as_ref().filter(|d| !d.is_empty()) {
        config.insert("description".into(), description.clone().into());
    }
    let order: Vec<serde_json::Value> = live_order(table, managed)
        .iter()
        .filter_map(|id| table.field(id))
        .map(|field| field.name.clone().into())
        .collect();
    config.insert("column_order".into(), order.into());
    serde_json::Value::Object(config)
}
