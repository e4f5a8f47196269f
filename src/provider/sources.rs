//! Sources (reference §12): webhook sources through the table PATCH (`sourceSettings.addSource`),
//! find-companies / find-people tables through `POST /v3/sources/create-cpj-table`, get, list by
//! table, delete.
//!
//! Owns: the `impl ClayClient` source methods.
//! Must not know: the model (the cpj config comes from `translate::sources`).

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::auth::Secret;
use super::client::ClayClient;
use super::error::{ClayError, ClayErrorKind};
use super::readback::{describe_table_problems, table_differences};
use super::retry::RequestSafety;
use super::wire::source::{ClaySource, CpjTableAnswer, CpjTableRequest, SourceAnswer, SourceList};
use super::wire::table::ClayTable;

impl ClayClient {
    /// Adds a webhook source to a table (`PATCH /v3/tables/{t}` with `sourceSettings.addSource`)
    /// and returns it, found by name among the table's sources. Its URL is
    /// [`ClaySource::webhook_url`].
    pub async fn add_webhook_source(
        &self,
        table_id: &str,
        name: &str,
    ) -> Result<ClaySource, ClayError> {
        let (source, _) = self
            .add_webhook_source_with(table_id, name, Map::new(), false)
            .await?;
        Ok(source)
    }

    /// [`Self::add_webhook_source`], merging `table_settings` into the table in the same `PATCH`
    /// (its body carries `tableSettings` anyway), and returning the table as read back, with
    /// every setting sent checked. If that `PATCH` fails (a plan without webhooks answers 402),
    /// the settings are still sent on their own before the error is returned. `new_table`: the table was just created and has no source
    /// yet, so the sources it had before need not be read. The source list and the table are
    /// read back concurrently.
    pub async fn add_webhook_source_with(
        &self,
        table_id: &str,
        name: &str,
        table_settings: Map<String, Value>,
        new_table: bool,
    ) -> Result<(ClaySource, ClayTable), ClayError> {
        let workspace_id = self.require_workspace_id("PATCH")?;
        let path = format!("/tables/{table_id}");
        let body = json!({
            "tableSettings": table_settings,
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
        let existing: Vec<String> = if new_table {
            Vec::new()
        } else {
            self.list_table_sources(table_id)
                .await?
                .into_iter()
                .map(|source| source.id)
                .collect()
        };
        let added: Result<Value, ClayError> = self
            .call(
                Method::PATCH,
                &path,
                &[],
                Some(&body),
                RequestSafety::NotIdempotent,
            )
            .await;
        if let Err(error) = added {
            // The settings must not depend on the source: a table left with Clay's default
            // (auto-run on) would run its enrichments on the first rows anyone adds. Merging
            // them again is harmless if the failed PATCH did apply them.
            if !table_settings.is_empty() {
                let _ = self.update_table_settings(table_id, table_settings).await;
            }
            return Err(error);
        }
        let (sources, table) = futures_util::future::try_join(
            self.list_table_sources(table_id),
            self.get_table(table_id),
        )
        .await?;
        let table = table.table;
        let problems = table_differences(None, Some(&table_settings), &table);
        if !problems.is_empty() {
            return Err(ClayError::new(
                "PATCH",
                format!("/v3{path}"),
                ClayErrorKind::SilentlyDropped(describe_table_problems(&table.name, &problems)),
            ));
        }
        let source = sources
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
            })?;
        Ok((source, table))
    }

    /// `PATCH /v3/sources/{s}` with `{typeSettings}`, then a read-back. Clay replaces
    /// `typeSettings` whole, so pass all of it (read it with [`Self::get_source`] first).
    pub async fn update_source_type_settings(
        &self,
        source_id: &str,
        type_settings: &Value,
    ) -> Result<ClaySource, ClayError> {
        let _: Value = self
            .call(
                Method::PATCH,
                &format!("/sources/{source_id}"),
                &[],
                Some(&json!({ "typeSettings": type_settings })),
                RequestSafety::Idempotent,
            )
            .await?;
        self.get_source(source_id).await
    }

    /// `POST /v3/sources/webhook/auth-token/{s}`: a new token that senders put in
    /// `x-clay-webhook-auth`. Clay shows it once. The answer's shape is unconfirmed: `{token}`,
    /// `{authToken}`, either under `data`, or a bare string are all read.
    pub async fn create_webhook_auth_token(&self, source_id: &str) -> Result<Secret, ClayError> {
        let path = format!("/sources/webhook/auth-token/{source_id}");
        let answer: Value = self
            .call(
                Method::POST,
                &path,
                &[],
                Some(&json!({})),
                RequestSafety::NotIdempotent,
            )
            .await?;
        let token = |value: &Value| -> Option<String> {
            match value {
                Value::String(token) => Some(token.clone()),
                Value::Object(object) => ["token", "authToken"]
                    .iter()
                    .find_map(|key| object.get(*key).and_then(Value::as_str))
                    .map(str::to_owned),
                _ => None,
            }
        };
        token(&answer)
            .or_else(|| answer.get("data").and_then(token))
            .filter(|token| !token.is_empty())
            .map(Secret::new)
            .ok_or_else(|| {
                ClayError::new(
                    "POST",
                    format!("/v3{path}"),
                    ClayErrorKind::MissingAfterWrite {
                        what: "the webhook auth token in Clay's answer".into(),
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
