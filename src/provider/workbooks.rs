//! Workbooks (reference §7.2) and the resource delete (§7.1).
//!
//! Owns: create (with the by-name lookup when the outcome is ambiguous), list, list tables, and
//! delete through `DELETE /v3/workspaces/{ws}/resources/`.
//! Must not know: tables' fields or the model.

use reqwest::Method;

use super::client::ClayClient;
use super::error::ClayError;
use super::retry::RequestSafety;
use super::wire::table::{TableList, TableSummary};
use super::wire::workbook::{
    ClayWorkbook, CreateWorkbookRequest, DeleteResourcesRequest, WorkbookList,
};

impl ClayClient {
    /// `POST /v3/workbooks`. When Clay's answer is lost (timeout, dropped connection, 5xx), the
    /// workbook is looked up by name before the request is sent again.
    pub async fn create_workbook(
        &self,
        name: &str,
        parent_folder_id: Option<&str>,
    ) -> Result<ClayWorkbook, ClayError> {
        let workspace_id = self.require_workspace_id("POST")?;
        let request = CreateWorkbookRequest {
            name: name.to_owned(),
            workspace_id,
            parent_folder_id: parent_folder_id.map(str::to_owned),
        };
        let body = serde_json::to_value(&request).unwrap_or_default();
        self.create_resolving_ambiguity(
            || async {
                self.call::<ClayWorkbook>(
                    Method::POST,
                    "/workbooks",
                    &[],
                    Some(&body),
                    RequestSafety::NotIdempotent,
                )
                .await
            },
            || async {
                let workbooks = self.list_workbooks().await?;
                Ok(workbooks
                    .into_iter()
                    .find(|workbook| workbook.name == name && workbook.deleted_at.is_none()))
            },
        )
        .await
    }

    /// `GET /v3/workspaces/{ws}/workbooks`.
    pub async fn list_workbooks(&self) -> Result<Vec<ClayWorkbook>, ClayError> {
        let workspace_id = self.require_workspace_id("GET")?;
        let list: WorkbookList = self
            .call(
                Method::GET,
                &format!("/workspaces/{workspace_id}/workbooks"),
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(list.into_vec())
    }

    /// `GET /v3/workbooks/{wb}/tables` (summaries; fields come from `get_table`).
    pub async fn list_workbook_tables(
        &self,
        workbook_id: &str,
    ) -> Result<Vec<TableSummary>, ClayError> {
        let list: TableList = self
            .call(
                Method::GET,
                &format!("/workbooks/{workbook_id}/tables"),
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(list.into_vec())
    }

    /// Soft-deletes workbooks (and everything in them).
    pub async fn delete_workbooks(&self, workbook_ids: &[String]) -> Result<(), ClayError> {
        self.delete_resources(&DeleteResourcesRequest {
            workbook_ids: workbook_ids.to_vec(),
            ..DeleteResourcesRequest::default()
        })
        .await
    }

    /// `DELETE /v3/workspaces/{ws}/resources/` (answers 204).
    pub async fn delete_resources(
        &self,
        request: &DeleteResourcesRequest,
    ) -> Result<(), ClayError> {
        let workspace_id = self.require_workspace_id("DELETE")?;
        let body = serde_json::to_value(request).unwrap_or_default();
        let _: serde_json::Value = self
            .call(
                Method::DELETE,
                &format!("/workspaces/{workspace_id}/resources/"),
                &[],
                Some(&body),
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(())
    }
}
