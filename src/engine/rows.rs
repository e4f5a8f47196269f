//! Rows from a table's source (inline `rows:`, a CSV file) loaded into Clay through the records
//! API, after the table's columns exist.
//!
//! Rows are data, not schema: they are added, never diffed away. Each row's record id derives
//! from its key (the CSV `key` column, or the whole row for inline rows), so loading the same
//! rows again adds nothing; rows added to the source are added next time; rows that left the
//! source are counted and reported, never deleted.
//!
//! Must not know: files (the command line reads CSV files and hands rows in), printing.

use std::collections::HashSet;

use indexmap::IndexMap;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::EngineError;
use crate::model::{SourceKind, Table};
use crate::provider::ClayClient;
use crate::provider::wire::record::NewRecord;
use crate::state::{Address, ObjectPath, ResourceKind, State};

/// Records per insert call (Clay accepts up to 500, reference §7.3).
pub const INSERT_CHUNK: usize = 500;

/// One row to load: its key and its cells by column name.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    pub key: String,
    pub cells: IndexMap<String, Value>,
}

/// The rows a table's source gives, and where they come from.
#[derive(Debug, Clone, PartialEq)]
pub struct RowBatch {
    pub table: String,
    /// `leads.csv`, `inline rows`.
    pub origin: String,
    pub rows: Vec<SourceRow>,
}

/// What loading a batch did (or, for a plan, would do).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowsReport {
    pub table: String,
    pub origin: String,
    pub total: usize,
    pub added: usize,
    pub already_present: usize,
    /// Records clayform loaded earlier whose rows are no longer in the source (kept in Clay).
    pub no_longer_in_source: usize,
}

/// The record id of a row: stable for a workbook, table and key.
pub fn record_id(workbook: &str, table: &str, key: &str) -> String {
    let digest = Sha256::digest(format!("{workbook}\u{0}{table}\u{0}{key}").as_bytes());
    format!("r_cf{}", &hex::encode(digest)[..16])
}

fn is_ours(id: &str) -> bool {
    id.starts_with("r_cf") && id.len() == 20
}

/// The inline `rows:` of a table, keyed by their content.
pub fn inline_rows(table: &Table) -> Option<RowBatch> {
    let Some(SourceKind::Rows(rows)) = table.source.as_ref().map(|s| &s.kind) else {
        return None;
    };
    let rows = rows
        .iter()
        .map(|row| {
            let cells: IndexMap<String, Value> = row
                .iter()
                .map(|(k, v)| (k.text.clone(), v.clone()))
                .collect();
            let key = crate::plan::saved::fingerprint(&Value::Object(
                cells.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            ));
            SourceRow { key, cells }
        })
        .collect();
    Some(RowBatch {
        table: table.name.text.clone(),
        origin: "inline rows".into(),
        rows,
    })
}

struct Prepared {
    table_id: String,
    existing: HashSet<String>,
    records: Vec<NewRecord>,
    report: RowsReport,
}

async fn prepare(
    clay: &ClayClient,
    state: &State,
    workbook: &str,
    batch: &RowBatch,
) -> Result<Prepared, EngineError> {
    let table_address = Address::table(workbook, &batch.table);
    let table_id = state
        .get(&table_address)
        .map(|r| r.clay_id.clone())
        .ok_or_else(|| EngineError::Step {
            address: table_address.clone(),
            message: "the table is not in state yet; apply it first".into(),
        })?;
    let fields: IndexMap<&str, &str> = state
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Column)
        .filter_map(|r| match &r.address.path {
            ObjectPath::Column { table, column } if table == &batch.table => {
                Some((column.as_str(), r.clay_id.as_str()))
            }
            _ => None,
        })
        .collect();
    let clay_error = |context: String| move |source| EngineError::Clay { context, source };
    let live = clay
        .get_table(&table_id)
        .await
        .map_err(clay_error(format!("cannot read table `{}`", batch.table)))?
        .table;
    let view = live.default_view_id().unwrap_or_default().to_string();
    let existing: HashSet<String> = clay
        .record_ids(&table_id, &view)
        .await
        .map_err(clay_error(format!(
            "cannot list the rows of `{}`",
            batch.table
        )))?
        .into_iter()
        .collect();
    let mut report = RowsReport {
        table: batch.table.clone(),
        origin: batch.origin.clone(),
        total: batch.rows.len(),
        ..RowsReport::default()
    };
    let mut ids = HashSet::new();
    let mut records = Vec::new();
    for row in &batch.rows {
        let id = record_id(workbook, &batch.table, &row.key);
        if !ids.insert(id.clone()) {
            continue;
        }
        if existing.contains(&id) {
            report.already_present += 1;
            continue;
        }
        let cells = row
            .cells
            .iter()
            .filter_map(|(column, value)| {
                fields
                    .get(column.as_str())
                    .map(|f| ((*f).to_string(), value.clone()))
            })
            .collect();
        records.push(NewRecord {
            id: Some(id),
            cells,
        });
    }
    report.no_longer_in_source = existing
        .iter()
        .filter(|id| is_ours(id) && !ids.contains(*id))
        .count();
    Ok(Prepared {
        table_id,
        existing,
        records,
        report,
    })
}

/// What loading `batch` would do, without writing.
pub async fn preview(
    clay: &ClayClient,
    state: &State,
    workbook: &str,
    batch: &RowBatch,
) -> Result<RowsReport, EngineError> {
    let prepared = prepare(clay, state, workbook, batch).await?;
    Ok(RowsReport {
        added: prepared.records.len(),
        ..prepared.report
    })
}

/// Insert the rows of `batch` that Clay doesn't have, `INSERT_CHUNK` at a time; `progress` gets
/// the running count after each chunk.
pub async fn load(
    clay: &ClayClient,
    state: &State,
    workbook: &str,
    batch: &RowBatch,
    progress: &dyn Fn(usize, usize),
) -> Result<RowsReport, EngineError> {
    let prepared = prepare(clay, state, workbook, batch).await?;
    let mut report = prepared.report;
    debug_assert!(
        prepared
            .records
            .iter()
            .all(|r| !prepared.existing.contains(r.id.as_deref().unwrap_or("")))
    );
    for chunk in prepared.records.chunks(INSERT_CHUNK) {
        clay.insert_records(&prepared.table_id, chunk)
            .await
            .map_err(|source| EngineError::Clay {
                context: format!(
                    "cannot add rows to `{}` ({} of {} added)",
                    batch.table,
                    report.added,
                    prepared.records.len()
                ),
                source,
            })?;
        report.added += chunk.len();
        progress(report.added, prepared.records.len());
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_are_stable_and_distinct() {
        let a = record_id("W", "Leads", "ana@x.com");
        assert_eq!(a, record_id("W", "Leads", "ana@x.com"));
        assert_ne!(a, record_id("W", "Leads", "bo@x.com"));
        assert_ne!(a, record_id("W", "Other", "ana@x.com"));
        assert!(is_ours(&a), "{a}");
        assert!(!is_ours("r_8MkC8Y8jeuNJ"));
    }
}
