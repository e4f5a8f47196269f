//! Fields (columns) (reference §7.4, §8): create, patch (whole `typeSettings`), delete, bulk
//! delete — each write read back from `GET /v3/tables/{t}`.
//!
//! Owns: the `impl ClayClient` field methods. A create whose outcome is ambiguous is resolved by
//! looking the field up by name in the table before sending it again.
//! Must not know: the model (bodies come from `translate` or the caller).

use reqwest::Method;
use serde_json::{Value, json};

use super::client::ClayClient;
use super::error::{ClayError, ClayErrorKind};
use super::readback::{SentField, describe_field_problems, field_differences};
use super::retry::RequestSafety;
use super::tables::ignore_not_found_after_retry;
use super::wire::field::{ClayField, CreateFieldRequest, FieldAnswer, PatchFieldRequest};
use super::wire::table::TableFieldsEnvelope;

impl ClayClient {
    /// `POST /v3/tables/{t}/fields`, then a read-back that compares name, type, `actionKey`,
    /// the formula (normalised), the data type, the run condition and every binding sent.
    /// `activeViewId` defaults to the table's first view.
    pub async fn create_field(
        &self,
        table_id: &str,
        request: &CreateFieldRequest,
    ) -> Result<ClayField, ClayError> {
        self.create_field_after(table_id, request, None).await
    }

    /// [`Self::create_field`], placing the new column right after `after_field_id` in the
    /// active view (`viewSettings.{view}.afterFieldId`, reference §7.4) instead of at the end.
    pub async fn create_field_after(
        &self,
        table_id: &str,
        request: &CreateFieldRequest,
        after_field_id: Option<&str>,
    ) -> Result<ClayField, ClayError> {
        self.create_field_placed(table_id, request, after_field_id, |_| {})
            .await
    }

    /// [`Self::create_field_after`], calling `created` with the new field's id as soon as Clay
    /// answers the `POST`, before the read-back.
    pub async fn create_field_placed(
        &self,
        table_id: &str,
        request: &CreateFieldRequest,
        after_field_id: Option<&str>,
        created: impl FnOnce(&str),
    ) -> Result<ClayField, ClayError> {
        let path = format!("/tables/{table_id}/fields");
        let mut request = request.clone();
        if request.active_view_id.is_none() {
            let table = self.get_table(table_id).await?.table;
            request.active_view_id = table.default_view_id().map(str::to_owned);
        }
        let mut body = serde_json::to_value(&request).unwrap_or_default();
        if let (Some(view_id), Some(after), Some(object)) = (
            request.active_view_id.as_deref(),
            after_field_id,
            body.as_object_mut(),
        ) {
            object.insert(
                "viewSettings".into(),
                serde_json::json!({ view_id: { "afterFieldId": after } }),
            );
        }
        let field_id = self
            .create_resolving_ambiguity(
                || async {
                    let answer: FieldAnswer = self
                        .call(
                            Method::POST,
                            &path,
                            &[],
                            Some(&body),
                            RequestSafety::NotIdempotent,
                        )
                        .await?;
                    Ok(answer.into_field().id)
                },
                || async {
                    let table = self.get_table(table_id).await?.table;
                    Ok(table
                        .field_named(&request.name)
                        .map(|field| field.id.clone()))
                },
            )
            .await?;
        created(&field_id);
        self.read_back_field(
            "POST",
            &path,
            table_id,
            &field_id,
            SentField {
                name: Some(&request.name),
                field_type: Some(&request.field_type),
                type_settings: Some(&request.type_settings),
            },
        )
        .await
    }

    /// `PATCH /v3/tables/{t}/fields/{f}`. `typeSettings`, when present, must be the whole object
    /// (Clay replaces it). Read back like [`Self::create_field`].
    pub async fn patch_field(
        &self,
        table_id: &str,
        field_id: &str,
        request: &PatchFieldRequest,
    ) -> Result<ClayField, ClayError> {
        let path = format!("/tables/{table_id}/fields/{field_id}");
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
        self.read_back_field(
            "PATCH",
            &path,
            table_id,
            field_id,
            SentField {
                name: request.name.as_deref(),
                field_type: None,
                type_settings: request.type_settings.as_ref(),
            },
        )
        .await
    }

    /// `DELETE /v3/tables/{t}/fields/{f}`. The name stays reserved afterwards (reference §7.4).
    pub async fn delete_field(&self, table_id: &str, field_id: &str) -> Result<(), ClayError> {
        let result = self
            .call(
                Method::DELETE,
                &format!("/tables/{table_id}/fields/{field_id}"),
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await;
        ignore_not_found_after_retry(result)
    }

    /// `DELETE /v3/tables/{t}/fields` with `{fieldIds}`.
    pub async fn delete_fields(
        &self,
        table_id: &str,
        field_ids: &[String],
    ) -> Result<(), ClayError> {
        if field_ids.is_empty() {
            return Ok(());
        }
        let body = json!({ "fieldIds": field_ids });
        let result = self
            .call(
                Method::DELETE,
                &format!("/tables/{table_id}/fields"),
                &[],
                Some(&body),
                RequestSafety::Idempotent,
            )
            .await;
        ignore_not_found_after_retry(result)
    }

    async fn read_back_field(
        &self,
        method: &str,
        path: &str,
        table_id: &str,
        field_id: &str,
        sent: SentField<'_>,
    ) -> Result<ClayField, ClayError> {
        // Only the fields are decoded: a read-back follows every column write.
        let table: TableFieldsEnvelope = self
            .call(
                Method::GET,
                &format!("/tables/{table_id}"),
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await?;
        let display_name = sent.name.unwrap_or(field_id);
        let Some(field) = table.table.fields.iter().find(|f| f.id == field_id) else {
            return Err(ClayError::new(
                method,
                format!("/v3{path}"),
                ClayErrorKind::MissingAfterWrite {
                    what: format!("field `{display_name}` ({field_id})"),
                },
            ));
        };
        let problems = field_differences(sent, field);
        if problems.is_empty() {
            Ok(field.clone())
        } else {
            Err(ClayError::new(
                method,
                format!("/v3{path}"),
                ClayErrorKind::SilentlyDropped(describe_field_problems(display_name, &problems)),
            ))
        }
    }
}
