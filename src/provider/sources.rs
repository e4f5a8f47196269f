//! Sources (reference §12): webhook sources through the table PATCH (`sourceSettings.addSource`),
//! find-companies / find-people tables through `POST /v3/sources/create-cpj-table`, get, list by
//! table, delete.
//!
//! Owns: the `impl ClayClient` source methods.
//! Must not know: the model (the cpj config comes from `translate::sources`).

use reqwest::Method;
use serde_json::{Value, json};

use super::client::ClayClient;
use super::error::{ClayError, ClayErrorKind};
use super::retry::RequestSafety;
use super::wire::source::{ClaySource, CpjTableAnswer, CpjTableRequest, SourceAnswer, SourceList};

impl ClayClient {
    /// Adds a webhook source to a table (`PATCH /v3/tables/{t}` with `sourceSettings.addSource`)
    /// and returns it, found by name among the table's sources. Its URL is
    /// [`ClaySource::webhook_url`].
    pub async fn add_webhook_source(
        &self,
        table_id: &str,
        name: &str,
    ) -> Result<ClaySource, ClayError> {
        let workspace_id = self.require_workspace_id("PATCH")?;
        let path = format!("/tables/{table_id}");
        let body = json!({
            "tableSettings": {},
            "fieldGroupMap": {},
            "sourceSettings": { "addSource": { "name": "Webhook", "source": {
                "name": name,
                "workspaceId": workspace_id.to_string(),
                "type": "webhook",
                "typeSettings": {
                    "urlSlugText": "Pull in data from a Webhook",
                    "iconType": "Webhook",
                    "name": "Webhook",
                    "description": "Send any data to Clay",
                    "stages": []
                }
            } } }
        });
        let existing: Vec<String> = self
            .list_table_sources(table_id)
            .await?
            .into_iter()
            .map(|source| source.id)
            .collect();
        let _: Value = self
            .call(
                Method::PATCH,
                &path,
                &[],
                Some(&body),
                RequestSafety::NotIdempotent,
            )
            .await?;
        self.list_table_sources(table_id)
            .await?
            .into_iter()
            .find(|source| {
                source.name == name
                    && !existing.contains(&source.id)
                    && source.source_type.as_deref() == Some("webhook")
            })
            .ok_or_else(|| {
                ClayError::new(
                    "PATCH",
                    format!("/v3{path}"),
                    ClayErrorKind::MissingAfterWrite {
                        what: format!("webhook source `{name}`"),
                    },
                )
            })
    }

    /// `POST /v3/sources/create-cpj-table`: a find-companies / find-people table. The search
    /// starts at once unless the config disables it.
    pub async fn create_cpj_table(
        &self,
        request: &CpjTableRequest,
    ) -> Result<CpjTableAnswer, ClayError> {
        let body = serde_json::to_value(request).unwrap_or_default();
        self.call(
            Method::POST,
            "/sources/create-cpj-table",
            &[],
            Some(&body),
            RequestSafety::NotIdempotent,
        )
        .await
    }

    /// `GET /v3/sources/{s}`.
    pub async fn get_source(&self, source_id: &str) -> Result<ClaySource, ClayError> {
        let answer: SourceAnswer = self
            .call(
                Method::GET,
                &format!("/sources/{source_id}"),
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(answer.into_source())
    }

    /// `GET /v3/sources?tableId={t}`: the sources subscribed to a table.
    pub async fn list_table_sources(&self, table_id: &str) -> Result<Vec<ClaySource>, ClayError> {
        let list: SourceList = self
            .call(
                Method::GET,
                "/sources",
                &[("tableId", table_id.to_owned())],
                None,
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(list.into_vec())
    }

    /// `DELETE /v3/sources/{s}` with `{deleteRecords}`.
    pub async fn delete_source(
        &self,
        source_id: &str,
        delete_records: bool,
    ) -> Result<(), ClayError> {
        let body = json!({ "deleteRecords": delete_records });
        let result = self
            .call(
                Method::DELETE,
                &format!("/sources/{source_id}"),
                &[],
                Some(&body),
                RequestSafety::Idempotent,
            )
            .await;
        super::tables::ignore_not_found_after_retry(result)
    }
}
