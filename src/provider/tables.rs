//! Tables (reference §7.3): create (with or without a workbook), get, patch (settings merge),
//! delete, list, count — every write read back.
//!
//! Owns: the `impl ClayClient` table methods and [`CreatedTable`].
//! Must not know: fields' translation or the model.

use reqwest::Method;
use serde_json::{Map, Value};

use super::client::ClayClient;
use super::error::{ClayError, ClayErrorKind};
use super::readback::{describe_table_problems, table_differences};
use super::retry::RequestSafety;
use super::wire::table::{
    AUTO_RUN_ON, ClayTable, CreateTableRequest, PatchTableRequest, TableCount, TableEnvelope,
    TableList, TableSummary,
};
use super::wire::workbook::ClayWorkbook;

/// A table just created, read back, with the workbook Clay made for it when none was given.
#[derive(Debug, Clone)]
pub struct CreatedTable {
    pub table: ClayTable,
    pub newly_created_workbook: Option<ClayWorkbook>,
}

impl ClayClient {
    /// `POST /v3/tables`. The workspace id is filled from the client when `request` carries the
    /// default. An ambiguous outcome is resolved by looking the table up by name (in its
    /// workbook, or in the workspace), and the result is read back and compared.
    pub async fn create_table(
        &self,
        name: &str,
        table_type: &str,
        workbook_id: Option<&str>,
    ) -> Result<CreatedTable, ClayError> {
        self.create_table_then_patch(name, table_type, workbook_id, |_| {
            PatchTableRequest::default()
        })
        .await
    }

    /// [`Self::create_table`], then the `PATCH` that `then` asks for given the table Clay
    /// answered (`None` when the create's answer was lost and the table was found by name); an
    /// empty request sends none. The `PATCH` carries the name again, and one read-back after it
    /// checks the name and every setting sent: a new table costs two or three round trips, not
    /// four.
    pub async fn create_table_then_patch(
        &self,
        name: &str,
        table_type: &str,
        workbook_id: Option<&str>,
        then: impl FnOnce(Option<&ClayTable>) -> PatchTableRequest,
    ) -> Result<CreatedTable, ClayError> {
        let workspace_id = self.require_workspace_id("POST")?;
        let request = CreateTableRequest {
            workspace_id,
            table_type: table_type.to_owned(),
            name: name.to_owned(),
            workbook_id: workbook_id.map(str::to_owned),
            description: None,
            template: None,
        };
        let body = serde_json::to_value(&request).unwrap_or_default();
        let (table_id, answered, newly_created_workbook) = self
            .create_resolving_ambiguity(
                || async {
                    let envelope: TableEnvelope = self
                        .call(
                            Method::POST,
                            "/tables",
                            &[],
                            Some(&body),
                            RequestSafety::NotIdempotent,
                        )
                        .await?;
                    Ok((
                        envelope.table.id.clone(),
                        Some(envelope.table),
                        envelope.extra_data.newly_created_workbook,
                    ))
                },
                || async {
                    let candidates = match workbook_id {
                        Some(workbook_id) => self.list_workbook_tables(workbook_id).await?,
                        None => self.list_tables().await?,
                    };
                    Ok(candidates
                        .into_iter()
                        .find(|table| table.name == name && table.deleted_at.is_none())
                        .map(|table| (table.id, None, None)))
                },
            )
            .await?;
        let mut patch = then(answered.as_ref());
        let table = if patch == PatchTableRequest::default() {
            let table = self.get_table(&table_id).await?.table;
            let problems = table_differences(Some(name), None, &table);
            if !problems.is_empty() {
                return Err(ClayError::new(
                    "POST",
                    "/v3/tables",
                    ClayErrorKind::SilentlyDropped(describe_table_problems(name, &problems)),
                ));
            }
            table
        } else {
            patch.name = Some(name.to_owned());
            self.patch_table(&table_id, &patch).await?
        };
        Ok(CreatedTable {
            table,
            newly_created_workbook,
        })
    }

    /// `GET /v3/tables/{t}` → `{table, extraData}`: the table with all fields and views.
    pub async fn get_table(&self, table_id: &str) -> Result<TableEnvelope, ClayError> {
        self.call(
            Method::GET,
            &format!("/tables/{table_id}"),
            &[],
            None,
            RequestSafety::Idempotent,
        )
        .await
    }

    /// `PATCH /v3/tables/{t}`, then a read-back that checks the name and every
    /// `tableSettings` key sent (Clay merges settings; it may silently ignore some).
    pub async fn patch_table(
        &self,
        table_id: &str,
        request: &PatchTableRequest,
    ) -> Result<ClayTable, ClayError> {
        let path = format!("/tables/{table_id}");
        let body = serde_json::to_value(request).unwrap_or_default();
        let _: Value = self
            .call(
                Method::PATCH,
                &path,
                &[],
                Some(&body),
                RequestSafety::Idempotent,
            )
            .await?;
        let table = self.get_table(table_id).await?.table;
        let problems = table_differences(
            request.name.as_deref(),
            request.table_settings.as_ref(),
            &table,
        );
        if !problems.is_empty() {
            return Err(ClayError::new(
                "PATCH",
                format!("/v3{path}"),
                ClayErrorKind::SilentlyDropped(describe_table_problems(&table.name, &problems)),
            ));
        }
        Ok(table)
    }

    /// Merges `settings` into the table's `tableSettings` (read back).
    pub async fn update_table_settings(
        &self,
        table_id: &str,
        settings: Map<String, Value>,
    ) -> Result<ClayTable, ClayError> {
        self.patch_table(
            table_id,
            &PatchTableRequest {
                table_settings: Some(settings),
                ..PatchTableRequest::default()
            },
        )
        .await
    }

    /// Sets `tableSettings.AUTO_RUN_ON` (Clay turns it on for new tables).
    pub async fn set_auto_run(&self, table_id: &str, on: bool) -> Result<ClayTable, ClayError> {
        let mut settings = Map::new();
        settings.insert(AUTO_RUN_ON.to_owned(), Value::Bool(on));
        self.update_table_settings(table_id, settings).await
    }

    /// `DELETE /v3/tables/{t}` (soft delete; Clay answers with the table and `deletedAt`).
    pub async fn delete_table(&self, table_id: &str) -> Result<(), ClayError> {
        let result: Result<Value, ClayError> = self
            .call(
                Method::DELETE,
                &format!("/tables/{table_id}"),
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await;
        ignore_not_found_after_retry(result)
    }

    /// `GET /v3/workspaces/{ws}/tables` (summaries, no fields; function tables excluded).
    pub async fn list_tables(&self) -> Result<Vec<TableSummary>, ClayError> {
        let workspace_id = self.require_workspace_id("GET")?;
        let list: TableList = self
            .call(
                Method::GET,
                &format!("/workspaces/{workspace_id}/tables"),
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(list.into_vec())
    }

    /// `GET /v3/tables/{t}/count`.
    pub async fn count_records(&self, table_id: &str) -> Result<u64, ClayError> {
        let count: TableCount = self
            .call(
                Method::GET,
                &format!("/tables/{table_id}/count"),
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(count.table_total_records_count)
    }
}

/// A delete that was retried may find its object already gone: that is success.
pub(crate) fn ignore_not_found_after_retry(
    result: Result<Value, ClayError>,
) -> Result<(), ClayError> {
    match result {
        Ok(_) => Ok(()),
        Err(error) if error.attempts > 1 && error.is_not_found() => Ok(()),
        Err(error) => Err(error),
    }
}
