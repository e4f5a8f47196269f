//! Records (rows) (reference §9): insert in chunks, list through a view with one large `limit`
//! (never `offset` paging), ids, bulk fetch in batches, bulk and single patch, delete.
//!
//! Owns: the `impl ClayClient` record methods and the batch sizes.
//! Must not know: the model.

use std::collections::HashSet;

use indexmap::IndexMap;
use reqwest::Method;
use serde_json::Value;

use super::client::ClayClient;
use super::error::{ClayError, ClayErrorKind};
use super::retry::RequestSafety;
use super::tables::ignore_not_found_after_retry;
use super::wire::record::{
    BulkFetchRequest, BulkPatchRequest, ClayRecord, DeleteRecordsRequest, InsertRecordsRequest,
    NewRecord, RecordIdList, RecordList, RecordPatch, RecordsAnswer,
};

/// Rows per insert or patch call (Clay accepts 500, reference §7.3).
pub const RECORD_WRITE_CHUNK: usize = 500;
/// Ids per bulk-fetch call (clients use 50–200).
pub const RECORD_FETCH_BATCH: usize = 200;
/// The `limit` for a whole-table read through a view (reference §9.5).
pub const RECORD_LIST_LIMIT: u64 = 10_000;

impl ClayClient {
    /// `POST /v3/tables/{t}/records` in chunks of at most 500. Not retried after an ambiguous
    /// failure unless every record carries a client-chosen id: then the ids are fetched first,
    /// and the chunk is re-sent only when none of them exists.
    ///
    /// Sources conflict on whether Clay keeps the cells of an insert (reference §9.1, §17): most
    /// see them stored, CC sees 200 with the values dropped and writes them with a PATCH. The
    /// answer is checked: cells it lacks are sent again as a bulk PATCH (applied
    /// asynchronously), so both readings end with the values written.
    pub async fn insert_records(
        &self,
        table_id: &str,
        records: &[NewRecord],
    ) -> Result<Vec<ClayRecord>, ClayError> {
        let path = format!("/tables/{table_id}/records");
        let mut inserted = Vec::with_capacity(records.len());
        for chunk in records.chunks(RECORD_WRITE_CHUNK) {
            let body =
                serde_json::to_value(InsertRecordsRequest { records: chunk }).unwrap_or_default();
            let ids: Option<Vec<String>> = chunk.iter().map(|record| record.id.clone()).collect();
            let created = self
                .create_resolving_ambiguity(
                    || async {
                        let answer: RecordsAnswer = self
                            .call(
                                Method::POST,
                                &path,
                                &[],
                                Some(&body),
                                RequestSafety::NotIdempotent,
                            )
                            .await?;
                        Ok(answer.records)
                    },
                    || async {
                        let Some(ids) = &ids else {
                            return Ok(None);
                        };
                        let found = self.bulk_fetch_records(table_id, ids, &[]).await?;
                        Ok((!found.is_empty()).then_some(found))
                    },
                )
                .await?;
            let dropped = dropped_cells(chunk, &created);
            if !dropped.is_empty() {
                tracing::warn!(
                    table = %table_id,
                    records = dropped.len(),
                    "Clay dropped inserted cell values; writing them with a PATCH"
                );
                self.patch_records(table_id, &dropped).await?;
            }
            inserted.extend(created);
        }
        Ok(inserted)
    }

    /// `GET /v3/tables/{t}/views/{v}/records?limit=N` — one call, no `offset`.
    pub async fn list_view_records(
        &self,
        table_id: &str,
        view_id: &str,
        limit: u64,
    ) -> Result<Vec<ClayRecord>, ClayError> {
        let list: RecordList = self
            .call(
                Method::GET,
                &format!("/tables/{table_id}/views/{view_id}/records"),
                &[("limit", limit.to_string())],
                None,
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(list.into_vec())
    }

    /// Every record of a table: one view listing with a large limit; when it returns fewer rows
    /// than `/count` says exist, all ids are read and bulk-fetched instead. When even that gives
    /// fewer rows than `/count` (the view has a row `limit` or a filter), the read fails: a
    /// partial table is never returned as the whole one (a failed read is never "absent").
    pub async fn list_all_records(
        &self,
        table_id: &str,
        view_id: &str,
    ) -> Result<Vec<ClayRecord>, ClayError> {
        let listed = self
            .list_view_records(table_id, view_id, RECORD_LIST_LIMIT)
            .await?;
        let total = self.count_records(table_id).await?;
        if listed.len() as u64 >= total {
            return Ok(listed);
        }
        let ids = self.record_ids(table_id, view_id).await?;
        let mut seen = HashSet::new();
        let ids: Vec<String> = ids
            .into_iter()
            .filter(|id| seen.insert(id.clone()))
            .collect();
        let records = self.bulk_fetch_records(table_id, &ids, &[]).await?;
        if (records.len() as u64) < total {
            return Err(ClayError::new(
                "GET",
                format!("/v3/tables/{table_id}/views/{view_id}/records"),
                ClayErrorKind::UnexpectedResponse(format!(
                    "view `{view_id}` shows {} of the table's {total} records (it has a row \
                     limit or a filter)\n\nhint: read every record through an unfiltered view",
                    records.len()
                )),
            ));
        }
        Ok(records)
    }

    /// `GET /v3/tables/{t}/views/{v}/records/ids`.
    pub async fn record_ids(
        &self,
        table_id: &str,
        view_id: &str,
    ) -> Result<Vec<String>, ClayError> {
        let list: RecordIdList = self
            .call(
                Method::GET,
                &format!("/tables/{table_id}/views/{view_id}/records/ids"),
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(list.into_ids())
    }

    /// `POST /v3/tables/{t}/bulk-fetch-records` in batches of 200 (a read: retried freely).
    pub async fn bulk_fetch_records(
        &self,
        table_id: &str,
        record_ids: &[String],
        include_external_content_field_ids: &[String],
    ) -> Result<Vec<ClayRecord>, ClayError> {
        let path = format!("/tables/{table_id}/bulk-fetch-records");
        let mut records = Vec::with_capacity(record_ids.len());
        for batch in record_ids.chunks(RECORD_FETCH_BATCH) {
            let body = serde_json::to_value(BulkFetchRequest {
                record_ids: batch,
                include_external_content_field_ids,
            })
            .unwrap_or_default();
            let list: RecordList = self
                .call(
                    Method::POST,
                    &path,
                    &[],
                    Some(&body),
                    RequestSafety::Idempotent,
                )
                .await?;
            records.extend(list.into_vec());
        }
        Ok(records)
    }

    /// `GET /v3/tables/{t}/records/{r}` (includes `externalContent.fullValue`).
    pub async fn get_record(
        &self,
        table_id: &str,
        record_id: &str,
    ) -> Result<ClayRecord, ClayError> {
        self.call(
            Method::GET,
            &format!("/tables/{table_id}/records/{record_id}"),
            &[],
            None,
            RequestSafety::Idempotent,
        )
        .await
    }

    /// `PATCH /v3/tables/{t}/records` in chunks of 500. Clay applies it asynchronously
    /// ("Record updates enqueued"): read the cells back later, not at once.
    pub async fn patch_records(
        &self,
        table_id: &str,
        patches: &[RecordPatch],
    ) -> Result<(), ClayError> {
        let path = format!("/tables/{table_id}/records");
        for chunk in patches.chunks(RECORD_WRITE_CHUNK) {
            let body =
                serde_json::to_value(BulkPatchRequest { records: chunk }).unwrap_or_default();
            let _: Value = self
                .call(
                    Method::PATCH,
                    &path,
                    &[],
                    Some(&body),
                    RequestSafety::Idempotent,
                )
                .await?;
        }
        Ok(())
    }

    /// `PATCH /v3/tables/{t}/records/{r}` with the raw cells map as the body.
    pub async fn patch_record(
        &self,
        table_id: &str,
        record_id: &str,
        cells: &IndexMap<String, Value>,
    ) -> Result<(), ClayError> {
        let body = serde_json::to_value(cells).unwrap_or_default();
        let _: Value = self
            .call(
                Method::PATCH,
                &format!("/tables/{table_id}/records/{record_id}"),
                &[],
                Some(&body),
                RequestSafety::Idempotent,
            )
            .await?;
        Ok(())
    }

    /// `DELETE /v3/tables/{t}/records` with `{recordIds}`, in chunks of 500.
    pub async fn delete_records(
        &self,
        table_id: &str,
        record_ids: &[String],
    ) -> Result<(), ClayError> {
        let path = format!("/tables/{table_id}/records");
        for chunk in record_ids.chunks(RECORD_WRITE_CHUNK) {
            let body = serde_json::to_value(DeleteRecordsRequest { record_ids: chunk })
                .unwrap_or_default();
            let result = self
                .call(
                    Method::DELETE,
                    &path,
                    &[],
                    Some(&body),
                    RequestSafety::Idempotent,
                )
                .await;
            ignore_not_found_after_retry(result)?;
        }
        Ok(())
    }

    /// `DELETE /v3/tables/{t}/records/{r}`.
    pub async fn delete_record(&self, table_id: &str, record_id: &str) -> Result<(), ClayError> {
        let result = self
            .call(
                Method::DELETE,
                &format!("/tables/{table_id}/records/{record_id}"),
                &[],
                None,
                RequestSafety::Idempotent,
            )
            .await;
        ignore_not_found_after_retry(result)
    }
}

/// The cells an insert answer lacks, as patches: each sent non-null cell whose record in the
/// answer (matched by client id, else by position) has no value for it.
fn dropped_cells(sent: &[NewRecord], answer: &[ClayRecord]) -> Vec<RecordPatch> {
    sent.iter()
        .enumerate()
        .filter_map(|(index, record)| {
            let stored = match &record.id {
                Some(id) => answer.iter().find(|stored| &stored.id == id),
                None => answer.get(index),
            }?;
            let missing: IndexMap<String, Value> = record
                .cells
                .iter()
                .filter(|(_, value)| !value.is_null())
                .filter(|(field_id, _)| {
                    stored
                        .cells
                        .get(field_id.as_str())
                        .is_none_or(|cell| cell.value.is_null())
                })
                .map(|(field_id, value)| (field_id.clone(), value.clone()))
                .collect();
            (!missing.is_empty()).then(|| RecordPatch {
                id: stored.id.clone(),
                cells: missing,
            })
        })
        .collect()
}
