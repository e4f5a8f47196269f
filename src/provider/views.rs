//! Grid views (reference §10): create, get, patch (name/limit), filter, sort, field
//! visibility/width/order, delete.
//!
//! Owns: the `impl ClayClient` view methods. Filter and sort go to their own routes because
//! Clay silently drops them from the view PATCH.
//! Must not know: the model.

use indexmap::IndexMap;
use reqwest::Method;
use serde_json::{Value, json};

use super::client::ClayClient;
use super::error::ClayError;
use super::retry::RequestSafety;
use super::tables::ignore_not_found_after_retry;
use super::wire::view::{
    ClayView, CreateViewRequest, PatchViewRequest, ViewAnswer, ViewFieldPosition,
    ViewFieldSettings, ViewFilter, ViewSort,
};

impl ClayClient {
    /// `POST /v3/tables/{t}/views` with `{name, type: "grid"}`.
    pub async fn create_view(&self, table_id: &str, name: &str) -> Result<ClayView, ClayError> {
        let body = serde_json::to_value(CreateViewRequest {
            name: name.to_owned(),
            view_type: "grid".to_owned(),
        })
        .unwrap_or_default();
        let answer: ViewAnswer = self
            .call(
                Method::POST,
                &format!("/tables/{table_id}/views"),
                &[],
                Some(&body),
                RequestSafety::NotIdempotent,
            )
            .await?;
        Ok(answer.into_view())
    }

    /// `GET /v3/tables/{t}/views/{v}`.
    pub async fn get_view(&self, table_id: &str, view_id: &str) -> Result<ClayView, ClayError> {
        let answer: ViewAnswer = self
            .call(
                Method::GET,
                &format!("/tables/{table_id}/views/{view_id}"),
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(answer.into_view())
    }

    /// `PATCH /v3/tables/{t}/views/{v}` (`name`, `limit`).
    pub async fn patch_view(
        &self,
        table_id: &str,
        view_id: &str,
        request: &PatchViewRequest,
    ) -> Result<(), ClayError> {
        let body = serde_json::to_value(request).unwrap_or_default();
        self.view_patch(&format!("/tables/{table_id}/views/{view_id}"), &body)
            .await
    }

    /// `PATCH /v3/tables/{t}/views/{v}/filter`.
    pub async fn set_view_filter(
        &self,
        table_id: &str,
        view_id: &str,
        filter: &ViewFilter,
    ) -> Result<(), ClayError> {
        let body = serde_json::to_value(filter).unwrap_or_default();
        self.view_patch(&format!("/tables/{table_id}/views/{view_id}/filter"), &body)
            .await
    }

    /// `PATCH /v3/tables/{t}/views/{v}/sort`.
    pub async fn set_view_sort(
        &self,
        table_id: &str,
        view_id: &str,
        sort: &ViewSort,
    ) -> Result<(), ClayError> {
        let body = serde_json::to_value(sort).unwrap_or_default();
        self.view_patch(&format!("/tables/{table_id}/views/{view_id}/sort"), &body)
            .await
    }

    /// `PATCH /v3/tables/{t}/views/{v}/fields` with `{<fid>: {isVisible, width}}` (bulk).
    pub async fn set_view_fields(
        &self,
        table_id: &str,
        view_id: &str,
        settings: &IndexMap<String, ViewFieldSettings>,
    ) -> Result<(), ClayError> {
        let body = serde_json::to_value(settings).unwrap_or_default();
        self.view_patch(&format!("/tables/{table_id}/views/{view_id}/fields"), &body)
            .await
    }

    /// Shows or hides one field in a view (`PATCH .../fields/{f}` with `{isVisible}`).
    pub async fn set_view_field_visibility(
        &self,
        table_id: &str,
        view_id: &str,
        field_id: &str,
        visible: bool,
    ) -> Result<(), ClayError> {
        let body = json!({ "isVisible": visible });
        self.view_patch(
            &format!("/tables/{table_id}/views/{view_id}/fields/{field_id}"),
            &body,
        )
        .await
    }

    /// Moves one field (`PATCH .../fields/{f}` with `{afterFieldId}` or `{beforeFieldId}`).
    pub async fn move_view_field(
        &self,
        table_id: &str,
        view_id: &str,
        field_id: &str,
        position: &ViewFieldPosition,
    ) -> Result<(), ClayError> {
        let body = serde_json::to_value(position).unwrap_or_default();
        self.view_patch(
            &format!("/tables/{table_id}/views/{view_id}/fields/{field_id}"),
            &body,
        )
        .await
    }

    /// `DELETE /v3/tables/{t}/views/{v}` (the last view can't be deleted).
    pub async fn delete_view(&self, table_id: &str, view_id: &str) -> Result<(), ClayError> {
        let result = self
            .call(
                Method::DELETE,
                &format!("/tables/{table_id}/views/{view_id}"),
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await;
        ignore_not_found_after_retry(result)
    }

    async fn view_patch(&self, path: &str, body: &Value) -> Result<(), ClayError> {
        let _: Value = self
            .call(
                Method::PATCH,
                path,
                &[],
                Some(body),
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(())
    }
}
