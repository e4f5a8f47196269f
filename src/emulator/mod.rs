//! A local emulator of Clay's internal v3 API, quirks included, for tests, demos and benchmarks.
//!
//! Must not share wire types with `provider`: it follows `clay-api.md`, not our client. It keeps
//! its own structs over `serde_json::Value` (`store.rs`) and renders Clay's JSON itself.
//!
//! Code map: `server` (sockets, pipeline, `/__emulator/`), `router` (templates, auth),
//! `routes/*` (one file per resource), `store` (data), `render` and `cells` (read shapes),
//! `field_settings` (what Clay does to `typeSettings`), `formula/*` (lexer, parser, evaluator,
//! minifier), `runs` (run lifecycle, async updates), `actions` (fixture + fake results),
//! `fake_data` (Find Companies / Find People search results; decisions in `routes/cpj.rs`),
//! `faults`, `stats`, `ids`, `persistence`, `config`.
//!
//! # Behaviour decisions where the reference conflicts or is silent
//!
//! - **`offset` on view records**: configurable, [`OffsetMode::Ignored`] by default (JX, DN §3:
//!   accepted and ignored, so a paging loop never ends); [`OffsetMode::Honoured`] skips rows.
//! - **Workbook delete route**: `DELETE /v3/workbooks/{wb}` is not routed and answers 404
//!   `NoMatchingURL`, following JX's probe (MS uses it, but JX got 404 for GET/PATCH/DELETE on
//!   that path). The agreed route is `DELETE /v3/workspaces/{ws}/resources/` with `workbookIds`.
//!   Likewise `DELETE` of a workbook takes its tables with it (soft delete).
//! - **Blank row**: new tables get one blank row (CC: counts show N+1), reported in
//!   `extraData.initialRecordIds`; [`EmulatorConfig::auto_blank_row`] turns it off.
//! - **`autoRun` vs `AUTO_RUN_ON`**: only `tableSettings.AUTO_RUN_ON` governs auto-run. New tables
//!   start with `AUTO_RUN_ON: true` (Clay's default). `autoRun` is stored like any other key and
//!   has no effect. Switching `AUTO_RUN_ON` from false to true back-fills every never-run action
//!   cell. With auto-run on: a new action column runs on every row, a changed one re-runs on
//!   every row, inserted rows run, and a row whose input cells change re-runs the dependants.
//!   Columns with `runAsButton: true` never auto-run. Chains are not re-triggered when an
//!   upstream enrichment finishes (only on cell writes).
//! - **Claygent runs**: `use-ai` columns with `useCase: "claygent"` run via the API like any other
//!   column (DN's reading), instead of waiting for a UI click (CC, JX).
//! - **Record insert with cells**: cell values are kept (JX, DN, ZP, MS), not dropped (CC).
//!   A client id that already exists replaces that row (like the `POST .../records/{id}` upsert).
//! - **Single-record PATCH body**: both `{cells:{...}}` (MS) and the raw cells map (ZP) work.
//!   Both single and bulk record PATCH apply asynchronously after
//!   [`RunSpeed::record_update_delay_ms`].
//! - **Field PATCH response**: `{field:{...}}`, the same envelope as create (SF accepts both).
//! - **Run conditions and `forceRun`**: the gate applies even with `forceRun: true`; gated rows
//!   settle as `ERROR_RUN_CONDITION_NOT_MET` (JX) and get no `runHistory` entry.
//! - **Run-condition references** are in both `conditionalRunFieldIds` and `inputFieldIds`.
//! - **Run progression** is lazy and time-based: a scheduled cell is `QUEUED`, then `RUNNING`, and
//!   settles when the first request after its finish time arrives ([`RunSpeed`]). Results are a
//!   pure function of the seed, record id, field id and run id.
//! - **`runstatus` `"_pending"`**: the first poll after a run call answers `"_pending"` for each
//!   action field of that call; later polls give counts.
//! - **Formula cells** are computed on read (always current); an evaluation error shows
//!   `metadata.status: "ERROR_INVALID_FORMULA"` (Clay's exact status is undocumented). A formula
//!   that evaluates to null/undefined has no cell.
//! - **Formula minification**: see [`formula`] for the exact, deterministic rewrite.
//! - **`externalContent`** is included on `GET .../records/{r}` and for
//!   `includeExternalContentFieldIds` in bulk fetch, not in view listings or insert responses.
//! - **View filters and sorts** are stored and returned but not applied to listings; a view's
//!   `limit` is applied.
//! - **Source columns** may be created without `dataTypeSettings` (they carry `sourceIds`).
//! - **Zod before auth**: not emulated; auth is checked before the body is validated.
//! - **Persistence** (`--state FILE`): loaded at start, saved atomically (temp file + rename)
//!   after every non-GET request and after reads while record updates are still queued.
//! - **Ids**: a seeded generator; 1 in 4 ids uses the old 12-character body, the rest the newer
//!   19-character `0t...` body. Fault injection draws from a separate seeded stream, so the same
//!   seed gives the same ids with or without faults.
//! - **Faults** (`fault_rate`): 429 with `Retry-After: 1`, 500, 502, 503, a dropped connection,
//!   300 ms extra latency, and two post-write faults (the write is applied, then the connection
//!   drops or a 502 answers). `/__emulator/*` endpoints never fault and are not counted.

mod actions;
mod cells;
mod config;
mod errors;
mod fake_data;
mod faults;
mod field_settings;
pub mod formula;
mod ids;
mod persistence;
mod render;
mod router;
mod routes;
mod runs;
mod server;
mod stats;
mod store;

pub use config::{EmulatorConfig, OffsetMode, RunSpeed};
pub use server::{RunningEmulator, serve, spawn_background, start};
