//! The Clay provider: the only module that knows Clay's JSON and HTTP API (`/v3`).
//!
//! Owns: [`ClayClient`] (HTTP, auth, pacing, retries, read-back after writes), the wire types
//! ([`wire`]), and the translation between the validated model and Clay field JSON
//! ([`translate`]). The rest of the crate sees typed values only.
//! Must not know: spec syntax, plans, state files, or printing. It never shares types with the
//! emulator: both follow `shared/reference/clay-api.md` independently.
//!
//! # Decisions where the reference conflicts (`clay-api.md` §17)
//!
//! - **Auth**: an API key goes in the raw `Authorization: <key>` header, never `Bearer` (which
//!   Clay answers with 403); a session goes in `Cookie: claysession=<value>`. The key wins when
//!   both are set.
//! - **Views vs `gridViews`**: a table's views are read from `views`, or from `gridViews` when
//!   `views` is absent or empty.
//! - **Field answers**: create and patch accept `{field: {...}}` and a bare field.
//! - **Workbook list**: a bare array, `{workbooks}` or `{results}`.
//! - **Workspace ids**: read as a number or a numeric string; written as a number (the cpj
//!   request writes a string, as the reference's example does).
//! - **Single-record PATCH**: the client sends the raw cells map (ZP, live-tested); the wire type
//!   reads both the raw map and `{cells}`.
//! - **Auto-run**: the client writes `AUTO_RUN_ON`; it reads `AUTO_RUN_ON`, then `autoRun`.
//! - **Record ids and cells**: ids of any JSON shape are kept as text; cell values are any JSON; a
//!   cell that arrives as a bare value (no `value`/`metadata` keys) is read as its value.
//! - **Runstatus**: a field's status is a list of counts or `"_pending"`; on `"_pending"` the
//!   client waits (`runstatus_pending_wait`, doubling up to four times that) and asks again, up
//!   to `runstatus_max_polls` times.
//! - **Record listing**: one call through a view with a large `limit` (default 10 000), never
//!   `offset` paging (reference §9.5: offset is ignored by some probes, so a paging loop can
//!   repeat the first page forever). When the listing returns fewer rows than `/count`, the
//!   client falls back to ids + bulk fetch.
//! - **Workbook delete**: always `DELETE /v3/workspaces/{ws}/resources/` (the agreed route).
//! - **Formula create**: one POST with `type: "formula"` and `formulaType` always present; the
//!   read-back catches the case a source reported (formula silently dropped).
//! - **`from_source` columns** become formula columns over the table's source column:
//!   `{{f_source}}?.path` (reference §7.4 extracted columns), with dotted paths written as
//!   optional chains (`location.city` → `?.location?.city`). Inside a cpj `basicFields` payload
//!   the same path is written `{{source}}.path` (§12.3); see `translate::cpj_basic_field`.
//!
//! # Writes are verified
//!
//! Clay often answers 200 and silently does less. After every field create/patch and table
//! create/patch the client reads the table and compares what it sent (see `readback`). A create
//! whose outcome is ambiguous (timeout, dropped connection, 5xx) is never blindly re-sent: the
//! client looks the object up by name first (see `fields.rs`, `tables.rs`, `workbooks.rs`).

mod ambiguous;
pub mod auth;
pub mod client;
pub mod cpj;
pub mod error;
pub mod fields;
pub mod pacing;
pub mod readback;
pub mod records;
pub mod retry;
pub mod runs;
pub mod sources;
pub mod tables;
pub mod translate;
pub mod views;
pub mod wire;
pub mod workbooks;
pub mod workspaces;

pub use auth::{Credentials, Secret};
pub use client::{ClayClient, ClayClientConfig, ClientConfigError, DEFAULT_API_URL};
pub use error::{ClayError, ClayErrorKind};
pub use pacing::Pacing;
pub use retry::{RequestSafety, RetryPolicy};
pub use wire::workspace::WorkspaceId;
