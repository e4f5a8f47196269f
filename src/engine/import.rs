//! Import: a live Clay workbook read into a model workbook (names, not ids) plus the Clay id of
//! every object, so the command line can write its spec and record it in state as imported.
//!
//! Must not know: files, printing, the state file format.

use std::collections::BTreeMap;

use super::EngineError;
use crate::catalog::Catalog;
use crate::model::{Budget, Name, Source, SourceKind, Table, TableType, WebhookSource, Workbook};
use crate::provider::ClayClient;
use crate::provider::cpj::search_from_source;
use crate::provider::translate::{NameMap, ResolvedAction, field_to_column};
use crate::refresh::{model_column, table_type};
use crate::source::{FileId, Span};
use crate::state::Address;

/// A workbook read from Clay, and the Clay id behind each address.
#[derive(Debug, Clone)]
pub struct Imported {
    pub workbook: Workbook,
    pub ids: BTreeMap<Address, String>,
    /// Columns that could not be read as spec columns, with why; left out of the spec.
    pub skipped: Vec<(String, String)>,
}

fn name(text: &str) -> Name {
    Name::new(text, Span::default())
}

fn clay_error(context: String) -> impl FnOnce(crate::provider::ClayError) -> EngineError {
    move |source| EngineError::Clay { context, source }
}

/// Read workbook `workbook_id` with its tables, sources and columns.
pub async fn read_workbook(
    clay: &ClayClient,
    workbook_id: &str,
    catalog: &Catalog,
    client: Option<&str>,
) -> Result<Imported, EngineError> {
    let workbooks = clay
        .list_workbooks()
        .await
        .map_err(clay_error("cannot list the workspace's workbooks".into()))?;
    let live_workbook = workbooks
        .into_iter()
        .find(|w| w.id == workbook_id)
        .ok_or_else(|| EngineError::Step {
            address: Address::workbook(workbook_id),
            message: format!("no workbook with id `{workbook_id}` in this workspace"),
        })?;
    let workbook_name = live_workbook.name.clone();
    let summaries = clay
        .list_workbook_tables(workbook_id)
        .await
        .map_err(clay_error(format!(
            "cannot list the tables of `{workbook_name}`"
        )))?;
    let mut live_tables = Vec::new();
    for summary in summaries.iter().filter(|t| t.deleted_at.is_none()) {
        let table = clay
            .get_table(&summary.id)
            .await
            .map_err(clay_error(format!("cannot read table `{}`", summary.name)))?
            .table;
        let sources = clay
            .list_table_sources(&summary.id)
            .await
            .map_err(clay_error(format!(
                "cannot list the sources of `{}`",
                summary.name
            )))?;
        live_tables.push((table, sources));
    }
    // Clay lists tables in creation order; the company (CE) table goes first, as specs require.
    live_tables.sort_by_key(|(table, _)| table.table_type.as_deref() != Some("company"));

    let mut names = NameMap::default();
    for (table, _) in &live_tables {
        names.tables.insert(table.name.clone(), table.id.clone());
        names
            .table_fields
            .insert(table.name.clone(), NameMap::from_table(table).fields);
    }
    let table_name_of = |id: &str| {
        names
            .tables
            .iter()
            .find(|(_, v)| v.as_str() == id)
            .map(|(k, _)| k.clone())
    };

    let mut ids = BTreeMap::new();
    ids.insert(Address::workbook(&workbook_name), workbook_id.to_string());
    let mut skipped = Vec::new();
    let mut tables = Vec::new();
    for (live, sources) in &live_tables {
        ids.insert(Address::table(&workbook_name, &live.name), live.id.clone());
        let mut source = None;
        if let Some(search) = sources
            .iter()
            .find_map(|s| search_from_source(s, &table_name_of).map(|k| (s, k)))
        {
            ids.insert(
                Address::source(&workbook_name, &live.name),
                search.0.id.clone(),
            );
            source = Some(Source {
                kind: search.1,
                span: Span::default(),
            });
        } else if let Some(webhook) = sources
            .iter()
            .find(|s| s.source_type.as_deref() == Some("webhook"))
        {
            ids.insert(
                Address::source(&workbook_name, &live.name),
                webhook.id.clone(),
            );
            source = Some(Source {
                kind: SourceKind::Webhook(WebhookSource::default()),
                span: Span::default(),
            });
        }
        let mut table_names = names.clone();
        let own = NameMap::from_table(live);
        table_names.fields = own.fields;
        table_names.source_field_id = own.source_field_id;
        let mut columns = Vec::new();
        // Columns in the order Clay's default view shows them, which is the spec's order.
        let all: Vec<String> = live.fields.iter().map(|f| f.id.clone()).collect();
        let in_view_order = super::order::live_order(live, &all);
        let fields = in_view_order.iter().filter_map(|id| live.field(id));
        for field in fields.filter(|f| !f.is_system() && f.field_type != "source") {
            let action = field
                .action_key()
                .and_then(|key| catalog.resolved_action(key))
                .map(|info| ResolvedAction::from(&info));
            match field_to_column(field, &table_names, action.as_ref()) {
                Ok(column) => {
                    ids.insert(
                        Address::column(&workbook_name, &live.name, &field.name),
                        field.id.clone(),
                    );
                    columns.push(model_column(column));
                }
                Err(error) => {
                    skipped.push((format!("{}.{}", live.name, field.name), error.to_string()))
                }
            }
        }
        tables.push(Table {
            name: name(&live.name),
            table_type: table_type(live.table_type.as_deref()).unwrap_or(TableType::Spreadsheet),
            description: live.description.clone().filter(|d| !d.is_empty()),
            source,
            columns,
            auto_run: live.auto_run().unwrap_or(true),
            protect: false,
            renamed_from: Vec::new(),
        });
    }
    Ok(Imported {
        workbook: Workbook {
            name: name(&workbook_name),
            client: client.map(name),
            description: None,
            budget: Budget::default(),
            tables,
            file: FileId::default(),
        },
        ids,
        skipped,
    })
}
