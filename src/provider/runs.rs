//! Running columns and reading progress (reference §11).
//!
//! Owns: `PATCH /v3/tables/{t}/run` and `GET /v3/workspaces/{ws}/tables/{t}/fields/runstatus`,
//! including waiting out Clay's `"_pending"` answer.
//! Must not know: which columns cost what, or how progress is shown.

use indexmap::IndexMap;
use reqwest::Method;

use super::client::ClayClient;
use super::error::{ClayError, ClayErrorKind};
use super::retry::RequestSafety;
use super::wire::run::{RunAnswer, RunRecords, RunRequest, RunStatusAnswer, StatusCount};

impl ClayClient {
    /// `PATCH /v3/tables/{t}/run`. `runMode: "NONE"` in the answer means nothing ran.
    /// Re-sending a run only re-queues cells (`forceRun: false` skips finished ones), so it is
    /// retried like any idempotent write.
    pub async fn run_fields(
        &self,
        table_id: &str,
        field_ids: &[String],
        records: RunRecords,
        force_run: bool,
    ) -> Result<RunAnswer, ClayError> {
        let body = serde_json::to_value(RunRequest {
            field_ids: field_ids.to_vec(),
            run_records: records,
            force_run,
            caller_name: "api".to_owned(),
        })
        .unwrap_or_default();
        self.call(
            Method::PATCH,
            &format!("/tables/{table_id}/run"),
            &[],
            Some(&body),
            RequestSafety::Idempotent,
        )
        .await
    }

    /// Status counts per field for the whole table, in one call. A `"_pending"` answer is asked
    /// again after `runstatus_pending_wait`, doubling up to four times that, for at most
    /// `runstatus_max_polls` calls.
    pub async fn run_status(
        &self,
        table_id: &str,
    ) -> Result<IndexMap<String, Vec<StatusCount>>, ClayError> {
        let workspace_id = self.require_workspace_id("GET")?;
        let path = format!("/workspaces/{workspace_id}/tables/{table_id}/fields/runstatus");
        let max_polls = self.runstatus_max_polls();
        let first_wait = self.runstatus_pending_wait();
        let mut wait = first_wait;
        for poll in 1..=max_polls {
            let answer: RunStatusAnswer = self
                .call(Method::GET, &path, &[], None, RequestSafety::Idempotent)
                .await?;
            if !answer.is_pending() {
                return Ok(answer.counts());
            }
            if poll < max_polls {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(first_wait * 4);
            }
        }
        Err(ClayError::new(
            "GET",
            format!("/v3{path}"),
            ClayErrorKind::RunStatusPending {
                table_id: table_id.to_owned(),
                polls: max_polls,
            },
        ))
    }
}
