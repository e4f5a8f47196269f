//! Identity and workspace discovery: `GET /v3`, `GET /v3/me`, `GET /v3/my-workspaces`.
//!
//! Owns: the `impl ClayClient` methods that find out who the credentials belong to and which
//! workspace to use. Must not know: anything about workbooks or tables.

use reqwest::Method;

use super::client::ClayClient;
use super::error::{ClayError, ClayErrorKind};
use super::retry::RequestSafety;
use super::wire::workspace::{ApiRoot, ClayWorkspace, Me, WorkspaceId, WorkspaceList};

impl ClayClient {
    /// `GET /v3`: status, version and (when authenticated) CASL abilities.
    pub async fn api_root(&self) -> Result<ApiRoot, ClayError> {
        self.call(Method::GET, "", &[], None, RequestSafety::Idempotent)
            .await
    }

    /// The workspace the credentials can manage, from the CASL abilities of `GET /v3`.
    /// With several, the first rule's workspace is returned.
    pub async fn discover_workspace_id(&self) -> Result<WorkspaceId, ClayError> {
        let root = self.api_root().await?;
        root.workspace_ids().into_iter().next().ok_or_else(|| {
            ClayError::new(
                "GET",
                "/v3",
                ClayErrorKind::UnexpectedResponse(
                    "Clay's answer names no workspace (is the API key or session valid?)".into(),
                ),
            )
        })
    }

    /// `GET /v3/me`.
    pub async fn me(&self) -> Result<Me, ClayError> {
        self.call(Method::GET, "/me", &[], None, RequestSafety::Idempotent)
            .await
    }

    /// `GET /v3/my-workspaces`.
    pub async fn my_workspaces(&self) -> Result<Vec<ClayWorkspace>, ClayError> {
        let list: WorkspaceList = self
            .call(
                Method::GET,
                "/my-workspaces",
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(list.into_vec())
    }
}
