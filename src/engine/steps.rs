//! One change of a plan carried out against Clay: the calls it takes, and the state it leaves.
//!
//! Each function returns the resource to record (or `None` when the object is gone). Names are
//! turned into Clay ids from state at the moment the step runs; the scheduler guarantees every
//! object a step references was created before it starts.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::Value;

use crate::model::{Column, SourceKind};
use crate::plan::config::column_config;
use crate::plan::{Action, DesiredObject, Reason, ResourceChange};
use crate::provider::cpj::{cpj_request, search_inputs};
use crate::provider::translate::{NameMap, ResolvedAction, column_to_field, field_to_column};
use crate::provider::wire::field::{ClayField, PatchFieldRequest};
use crate::provider::wire::table::{AUTO_RUN_ON, ClayTable, PatchTableRequest};
use crate::provider::wire::workspace::WorkspaceId;
use crate::provider::{ClayClient, ClayError, Secret};
use crate::refresh::{live_table_config, model_column};
use crate::state::{Address, ManagedBy, ObjectPath, ResourceKind, ResourceState, State};

use super::Target;
use super::placement::{Placement, Placements};

/// What a step needs from a live table without reading it again.
#[derive(Debug, Clone, Default)]
pub struct LiveTable {
    pub default_view_id: Option<String>,
    pub source_field_id: Option<String>,
    /// The source a `create-cpj-table` call made along with the table.
    pub search_source_id: Option<String>,
    /// Created by this apply: it has no source but the ones this apply adds.
    pub created_now: bool,
}

impl LiveTable {
    pub fn from_clay(table: &ClayTable) -> LiveTable {
        LiveTable {
            default_view_id: table.default_view_id().map(str::to_owned),
            source_field_id: table
                .fields
                .iter()
                .find(|f| f.field_type == "source")
                .map(|f| f.id.clone()),
            search_source_id: None,
            created_now: false,
        }
    }
}

/// Shared by every step of one workbook's apply.
pub struct StepContext<'a> {
    pub clay: &'a ClayClient,
    pub target: &'a Target<'a>,
    pub state: &'a Mutex<State>,
    pub live_tables: &'a Mutex<BTreeMap<String, LiveTable>>,
    pub desired: &'a BTreeMap<Address, DesiredObject>,
    /// Tokens of webhook sources created with `auth_token: true` (never in state).
    pub webhook_tokens: &'a Mutex<Vec<(Address, Secret)>>,
    /// Where new columns go (and which existing ones they can anchor on).
    pub placements: &'a Placements,
    /// Tables created in this apply that also get a webhook source in it, with the auto-run the
    /// spec asks for: it is set in the PATCH that adds the source (whose body carries
    /// `tableSettings` anyway) instead of a PATCH of its own. Until then the new table has no
    /// source and no rows, so nothing can run.
    pub auto_run_with_source: &'a BTreeMap<String, bool>,
}

/// Why a step failed, and whether its call may have reached Clay anyway.
#[derive(Debug)]
pub struct StepError {
    pub message: String,
    /// The outcome is unknown (timeout, dropped connection): keep the intent for reconciliation.
    pub ambiguous: bool,
}

impl StepError {
    fn plain(message: impl Into<String>) -> StepError {
        StepError {
            message: message.into(),
            ambiguous: false,
        }
    }
}

impl From<ClayError> for StepError {
    fn from(error: ClayError) -> StepError {
        StepError {
            ambiguous: error.is_ambiguous(),
            message: error.to_string(),
        }
    }
}

fn ok_if_gone(result: Result<(), ClayError>) -> Result<(), StepError> {
    match result {
        Err(error) if !error.is_not_found() => Err(error.into()),
        _ => Ok(()),
    }
}

/// A name no spec uses, freeing the real one (Clay keeps deleted columns' names reserved).
fn tombstone_name(name: &str) -> String {
    format!(
        "{name} (removed by clayform {})",
        chrono::Utc::now().format("%Y%m%d%H%M%S%3f")
    )
}

impl StepContext<'_> {
    fn clay_id(&self, address: &Address) -> Option<String> {
        self.state
            .lock()
            .expect("state mutex")
            .get(address)
            .map(|r| r.clay_id.clone())
    }

    fn record(&self, change: &ResourceChange, clay_id: String, observed: Value) -> ResourceState {
        let desired = self.desired.get(&change.address);
        let managed_by = change
            .previous_address
            .as_ref()
            .or(Some(&change.address))
            .and_then(|a| {
                self.state
                    .lock()
                    .expect("state mutex")
                    .get(a)
                    .map(|r| r.managed_by)
            })
            .unwrap_or(ManagedBy::Created);
        ResourceState {
            address: change.address.clone(),
            kind: change.kind,
            clay_id,
            desired: change.after.clone().unwrap_or(Value::Null),
            observed,
            managed_by,
            protect: desired.is_some_and(|d| d.protect),
            depends_on: change.depends_on.clone(),
        }
    }

    fn table_id(&self, table: &str) -> Result<String, StepError> {
        self.clay_id(&Address::table(self.target.name(), table))
            .ok_or_else(|| StepError::plain(format!("table `{table}` has no Clay id yet")))
    }

    /// Names → ids for a column of `table`, from state and the live tables seen so far.
    fn names_for(&self, table: &str) -> NameMap {
        let state = self.state.lock().expect("state mutex");
        let mut names = NameMap::default();
        for resource in &state.resources {
            match &resource.address.path {
                ObjectPath::Table { table: name } => {
                    names.tables.insert(name.clone(), resource.clay_id.clone());
                }
                ObjectPath::Column { table: t, column } => {
                    if t == table {
                        names
                            .fields
                            .insert(column.clone(), resource.clay_id.clone());
                    }
                    names
                        .table_fields
                        .entry(t.clone())
                        .or_default()
                        .insert(column.clone(), resource.clay_id.clone());
                }
                _ => {}
            }
        }
        drop(state);
        names.source_field_id = self
            .live_tables
            .lock()
            .expect("live tables mutex")
            .get(table)
            .and_then(|t| t.source_field_id.clone());
        names.default_ai_model = self
            .target
            .client
            .and_then(|c| c.default_model.as_ref())
            .map(|m| m.text.clone());
        names
    }

    fn model_column(&self, table: &str, column: &str) -> Result<&Column, StepError> {
        self.target
            .workbook
            .table(table)
            .and_then(|t| t.column(column))
            .ok_or_else(|| {
                StepError::plain(format!("column `{table}`.`{column}` is not in the spec"))
            })
    }

    fn resolved_action(&self, column: &Column) -> Option<ResolvedAction> {
        match &column.kind {
            crate::model::ColumnKind::Enrichment(enrichment) => self
                .target
                .catalog
                .resolved_action(enrichment.action.as_str())
                .map(|info| ResolvedAction::from(&info)),
            _ => None,
        }
    }

    fn observed_column(&self, field: &ClayField, names: &NameMap) -> Value {
        let action = field
            .action_key()
            .and_then(|key| self.target.catalog.resolved_action(key))
            .map(|info| ResolvedAction::from(&info));
        match field_to_column(field, names, action.as_ref()) {
            Ok(live) => column_config(&model_column(live), self.target.catalog, None),
            // Recorded as unreadable; the next refresh reports the problem.
            Err(error) => serde_json::json!({ "unreadable": error.to_string() }),
        }
    }
}

/// Carry out one change; the resource to record, or `None` when the object is gone.
pub async fn execute(
    ctx: &StepContext<'_>,
    change: &ResourceChange,
) -> Result<Option<ResourceState>, StepError> {
    match change.kind {
        ResourceKind::Workbook => workbook(ctx, change).await,
        ResourceKind::Table => table(ctx, change).await,
        ResourceKind::Source => source(ctx, change).await,
        ResourceKind::Column => column(ctx, change).await,
    }
}

async fn workbook(
    ctx: &StepContext<'_>,
    change: &ResourceChange,
) -> Result<Option<ResourceState>, StepError> {
    let config = change.after.clone().unwrap_or(Value::Null);
    match change.action {
        Action::Create | Action::Replace => {
            let created = ctx.clay.create_workbook(ctx.target.name(), None).await?;
            Ok(Some(ctx.record(change, created.id, config)))
        }
        // A workbook's description has no known API; it is recorded, not sent.
        Action::Update | Action::NoOp => {
            let id = change.clay_id.clone().unwrap_or_default();
            Ok(Some(ctx.record(change, id, config)))
        }
        Action::Delete => {
            let id = change.clay_id.clone().unwrap_or_default();
            ok_if_gone(ctx.clay.delete_workbooks(&[id]).await)?;
            Ok(None)
        }
    }
}

async fn create_table(
    ctx: &StepContext<'_>,
    change: &ResourceChange,
    name: &str,
) -> Result<(ClayTable, Option<String>), StepError> {
    let config = change
        .after
        .as_ref()
        .ok_or_else(|| StepError::plain("no desired config"))?;
    let table_type = config
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("spreadsheet");
    let auto_run = config
        .get("auto_run")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let workbook_id = ctx
        .clay_id(&Address::workbook(ctx.target.name()))
        .ok_or_else(|| StepError::plain("the workbook has no Clay id yet"))?;
    let search = ctx
        .target
        .workbook
        .table(name)
        .and_then(|t| t.source.as_ref())
        .map(|s| &s.kind)
        .filter(|kind| {
            matches!(
                kind,
                SourceKind::FindCompanies(_) | SourceKind::FindPeople(_)
            )
        });
    let description = config
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned);
    // Clay turns auto-run on for new tables; with it on, every new enrichment column would run
    // on every row at once. It is set as the spec says (off unless `auto_run: true`) in the one
    // PATCH a new table may need, or, when a webhook source is added to the table in this apply,
    // in the PATCH that adds it (see `StepContext::auto_run_with_source`).
    let deferred = ctx.auto_run_with_source.contains_key(name);
    let settings_for = |answered: Option<&ClayTable>| {
        let already = answered.and_then(|t| t.table_settings.get(AUTO_RUN_ON))
            == Some(&Value::Bool(auto_run));
        (!deferred && !already)
            .then(|| serde_json::Map::from_iter([(AUTO_RUN_ON.to_owned(), Value::Bool(auto_run))]))
    };
    match search {
        // A find-companies/people table is created by its search (`create-cpj-table`), which
        // also makes the source and its `source` column and starts importing rows (free).
        Some(kind) => {
            let company_table_id = match kind {
                SourceKind::FindPeople(find) => find
                    .company_table
                    .as_ref()
                    .and_then(|t| ctx.clay_id(&Address::table(ctx.target.name(), t.as_str()))),
                _ => None,
            };
            let request = cpj_request(
                WorkspaceId(ctx.target.workspace_id),
                ctx.target.name(),
                Some(&workbook_id),
                name,
                kind,
                company_table_id.as_deref(),
                Vec::new(),
            )
            .map_err(|e| StepError::plain(e.to_string()))?;
            let answer = ctx.clay.create_cpj_table(&request).await?;
            // Clay may name a search's table after the search: make it the spec's name.
            let patch = PatchTableRequest {
                name: Some(name.to_string()),
                description,
                table_settings: settings_for(None),
                ..PatchTableRequest::default()
            };
            let table = ctx.clay.patch_table(&answer.table_id, &patch).await?;
            Ok((table, answer.source_id))
        }
        None => {
            let created = ctx
                .clay
                .create_table_then_patch(name, table_type, Some(&workbook_id), |answered| {
                    PatchTableRequest {
                        description: description.clone(),
                        table_settings: settings_for(answered),
                        ..PatchTableRequest::default()
                    }
                })
                .await?;
            Ok((created.table, None))
        }
    }
}

async fn table(
    ctx: &StepContext<'_>,
    change: &ResourceChange,
) -> Result<Option<ResourceState>, StepError> {
    let ObjectPath::Table { table: name } = &change.address.path else {
        return Err(StepError::plain("not a table address"));
    };
    match change.action {
        Action::Create | Action::Replace => {
            if change.action == Action::Replace
                && let Some(old) = &change.clay_id
            {
                ok_if_gone(ctx.clay.delete_table(old).await)?;
            }
            let (table, search_source_id) = create_table(ctx, change, name).await?;
            ctx.placements.table_created(name, &table);
            ctx.live_tables.lock().expect("live tables mutex").insert(
                name.clone(),
                LiveTable {
                    search_source_id,
                    created_now: true,
                    ..LiveTable::from_clay(&table)
                },
            );
            Ok(Some(ctx.record(
                change,
                table.id.clone(),
                live_table_config(&table, &[]),
            )))
        }
        Action::Update | Action::NoOp => {
            let id = change.clay_id.clone().unwrap_or_default();
            let after = change.after.clone().unwrap_or(Value::Null);
            let mut request = PatchTableRequest::default();
            if change.changed_paths.iter().any(|p| p == "/name") {
                request.name = after.get("name").and_then(Value::as_str).map(str::to_owned);
            }
            if change.changed_paths.iter().any(|p| p == "/description") {
                request.description = Some(
                    after
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                );
            }
            let mut table = None;
            if request != PatchTableRequest::default() {
                table = Some(ctx.clay.patch_table(&id, &request).await?);
            }
            if change.changed_paths.iter().any(|p| p == "/auto_run") {
                let on = after
                    .get("auto_run")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                table = Some(ctx.clay.set_auto_run(&id, on).await?);
            }
            let observed = table.as_ref().map_or(after, |t| live_table_config(t, &[]));
            Ok(Some(ctx.record(change, id, observed)))
        }
        Action::Delete => {
            let id = change.clay_id.clone().unwrap_or_default();
            ok_if_gone(ctx.clay.delete_table(&id).await)?;
            Ok(None)
        }
    }
}

async fn source(
    ctx: &StepContext<'_>,
    change: &ResourceChange,
) -> Result<Option<ResourceState>, StepError> {
    let ObjectPath::Source { table } = &change.address.path else {
        return Err(StepError::plain("not a source address"));
    };
    let model = ctx
        .target
        .workbook
        .table(table)
        .and_then(|t| t.source.as_ref())
        .map(|s| &s.kind);
    match change.action {
        Action::Delete => {
            let id = change.clay_id.clone().unwrap_or_default();
            ok_if_gone(ctx.clay.delete_source(&id, false).await)?;
            Ok(None)
        }
        Action::Update | Action::NoOp => {
            let id = change.clay_id.clone().unwrap_or_default();
            if let (Action::Update, Some(search)) = (change.action, model)
                && matches!(
                    search,
                    SourceKind::FindCompanies(_) | SourceKind::FindPeople(_)
                )
            {
                update_search(ctx, &id, search).await?;
            }
            let mut observed = change.after.clone().unwrap_or(Value::Null);
            if let (Action::Update, Some(SourceKind::Webhook(webhook))) = (change.action, model) {
                // Only a source adopted after an interrupted apply updates (its recorded config
                // is unknown): read its URL again, and give it the token the spec asks for if
                // the interrupted apply may not have.
                let known_token = change
                    .before
                    .as_ref()
                    .and_then(|before| before.get("auth_token"))
                    .and_then(Value::as_bool)
                    == Some(true);
                if webhook.auth_token && !known_token {
                    let token = ctx.clay.create_webhook_auth_token(&id).await?;
                    ctx.webhook_tokens
                        .lock()
                        .expect("tokens mutex")
                        .push((change.address.clone(), token));
                }
                let source = ctx.clay.get_source(&id).await?;
                if let (Some(object), Some(url)) = (observed.as_object_mut(), source.webhook_url())
                {
                    object.insert("url".into(), url.into());
                }
            }
            Ok(Some(ctx.record(change, id, observed)))
        }
        Action::Create | Action::Replace => match model {
            Some(SourceKind::Webhook(webhook)) => {
                let table_id = ctx.table_id(table)?;
                let (new_table, known) = ctx
                    .live_tables
                    .lock()
                    .expect("live tables mutex")
                    .get(table)
                    .map_or((false, LiveTable::default()), |t| {
                        (t.created_now, t.clone())
                    });
                let settings = ctx
                    .auto_run_with_source
                    .get(table)
                    .map(|on| {
                        serde_json::Map::from_iter([(AUTO_RUN_ON.to_owned(), Value::Bool(*on))])
                    })
                    .unwrap_or_default();
                let (source, live) = ctx
                    .clay
                    .add_webhook_source_with(&table_id, "Webhook", settings, new_table)
                    .await?;
                if webhook.auth_token {
                    let token = ctx.clay.create_webhook_auth_token(&source.id).await?;
                    ctx.webhook_tokens
                        .lock()
                        .expect("tokens mutex")
                        .push((change.address.clone(), token));
                }
                ctx.live_tables.lock().expect("live tables mutex").insert(
                    table.clone(),
                    LiveTable {
                        created_now: known.created_now,
                        ..LiveTable::from_clay(&live)
                    },
                );
                let mut observed = change.after.clone().unwrap_or(Value::Null);
                if let (Some(object), Some(url)) = (observed.as_object_mut(), source.webhook_url())
                {
                    object.insert("url".into(), url.into());
                }
                Ok(Some(ctx.record(change, source.id, observed)))
            }
            // Rows arrive through the records API: there is no Clay source object to create.
            Some(SourceKind::Rows(_) | SourceKind::Csv(_)) => {
                let table_id = ctx.table_id(table)?;
                Ok(Some(ctx.record(
                    change,
                    table_id,
                    change.after.clone().unwrap_or(Value::Null),
                )))
            }
            Some(SourceKind::FindCompanies(_) | SourceKind::FindPeople(_)) => {
                let pending = ctx
                    .live_tables
                    .lock()
                    .expect("live tables mutex")
                    .get(table)
                    .and_then(|t| t.search_source_id.clone());
                let source_id = match pending {
                    Some(id) => id,
                    // The table was adopted after an interrupted apply: find its search.
                    None => {
                        let table_id = ctx.table_id(table)?;
                        ctx.clay
                            .list_table_sources(&table_id)
                            .await?
                            .into_iter()
                            .find(|s| {
                                matches!(s.source_type.as_deref(), Some("companies" | "people"))
                            })
                            .map(|s| s.id)
                            .ok_or_else(|| {
                                StepError::plain(format!(
                                    "table `{table}` has no search source; a search is only added \
                                     when its table is created (replace the table)"
                                ))
                            })?
                    }
                };
                Ok(Some(ctx.record(
                    change,
                    source_id,
                    change.after.clone().unwrap_or(Value::Null),
                )))
            }
            None => Err(StepError::plain(format!(
                "table `{table}` has no source in the spec"
            ))),
        },
    }
}

/// A search's filters or limit changed: `PATCH /v3/sources/{s}` with its `typeSettings` (read
/// first, since Clay replaces them whole) carrying the new inputs, and check that Clay kept them.
/// Rows already imported stay; Clay's next run of the search uses the new inputs.
async fn update_search(
    ctx: &StepContext<'_>,
    source_id: &str,
    search: &SourceKind,
) -> Result<(), StepError> {
    let company_table_id = match search {
        SourceKind::FindPeople(find) => find
            .company_table
            .as_ref()
            .and_then(|t| ctx.clay_id(&Address::table(ctx.target.name(), t.as_str()))),
        _ => None,
    };
    let inputs = Value::Object(
        search_inputs(search, company_table_id.as_deref())
            .map_err(|e| StepError::plain(e.to_string()))?,
    );
    let mut settings = ctx.clay.get_source(source_id).await?.type_settings;
    let Some(object) = settings.as_object_mut() else {
        return Err(StepError::plain(format!(
            "search source `{source_id}` has no typeSettings to update"
        )));
    };
    object.insert("inputs".into(), inputs.clone());
    let stored = ctx
        .clay
        .update_source_type_settings(source_id, &settings)
        .await?;
    // Clay may add defaults of its own to what it stores; every input sent must be there as sent.
    let stored_inputs = stored.type_settings.get("inputs");
    let dropped: Vec<&String> = inputs
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(key, value)| stored_inputs.and_then(|s| s.get(key.as_str())) != Some(*value))
        .map(|(key, _)| key)
        .collect();
    if !dropped.is_empty() {
        return Err(StepError::plain(format!(
            "Clay answered 200 but did not keep the new search inputs of source `{source_id}`: {}",
            dropped
                .iter()
                .map(|key| format!("`{key}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

async fn create_column(
    ctx: &StepContext<'_>,
    address: &Address,
    table: &str,
    column: &Column,
) -> Result<(String, Value), StepError> {
    let created = place_and_create(ctx, address, table, column).await;
    if created.is_err() {
        ctx.placements.released(address);
    }
    created
}

async fn place_and_create(
    ctx: &StepContext<'_>,
    address: &Address,
    table: &str,
    column: &Column,
) -> Result<(String, Value), StepError> {
    let table_id = ctx.table_id(table)?;
    let names = ctx.names_for(table);
    let action = ctx.resolved_action(column);
    let mut request = column_to_field(column, &names, action.as_ref())
        .map_err(|e| StepError::plain(e.to_string()))?;
    request.active_view_id = ctx
        .live_tables
        .lock()
        .expect("live tables mutex")
        .get(table)
        .and_then(|t| t.default_view_id.clone());
    let after = match ctx.placements.placement(address) {
        Some(Placement::After(field_id)) => Some(field_id),
        Some(Placement::End) | None => None,
    };
    let field = ctx
        .clay
        .create_field_placed(&table_id, &request, after.as_deref(), |field_id| {
            ctx.placements.landed(address, field_id);
        })
        .await?;
    let observed = ctx.observed_column(&field, &names);
    Ok((field.id, observed))
}

async fn free_name_and_delete(
    ctx: &StepContext<'_>,
    table_id: &str,
    field_id: &str,
    name: &str,
) -> Result<(), StepError> {
    let rename = PatchFieldRequest {
        name: Some(tombstone_name(name)),
        ..PatchFieldRequest::default()
    };
    match ctx.clay.patch_field(table_id, field_id, &rename).await {
        Err(error) if error.is_not_found() => return Ok(()),
        Err(error) => return Err(error.into()),
        Ok(_) => {}
    }
    ok_if_gone(ctx.clay.delete_field(table_id, field_id).await)
}

async fn column(
    ctx: &StepContext<'_>,
    change: &ResourceChange,
) -> Result<Option<ResourceState>, StepError> {
    let ObjectPath::Column {
        table,
        column: name,
    } = &change.address.path
    else {
        return Err(StepError::plain("not a column address"));
    };
    match change.action {
        Action::Create => {
            let column = ctx.model_column(table, name)?;
            let (id, observed) = match create_column(ctx, &change.address, table, column).await {
                // Clay keeps a deleted column's name reserved (§5.3), and a deleted field can't
                // be renamed any more: only the spec can move on.
                Err(error)
                    if change.reasons.contains(&Reason::DeletedOutsideClayform)
                        && error.message.contains("FieldNameAlreadyExists") =>
                {
                    return Err(StepError::plain(format!(
                        "column `{name}` was deleted in Clay outside clayform, and Clay keeps a \
                         deleted column's name reserved, so it can't be created again under that \
                         name\n\nhint: give the column a new name in the spec (without \
                         `renamed_from`) and apply again"
                    )));
                }
                result => result?,
            };
            Ok(Some(ctx.record(change, id, observed)))
        }
        Action::Replace => {
            let table_id = ctx.table_id(table)?;
            if let Some(old) = &change.clay_id {
                free_name_and_delete(ctx, &table_id, old, name).await?;
            }
            let column = ctx.model_column(table, name)?;
            let (id, observed) = create_column(ctx, &change.address, table, column).await?;
            Ok(Some(ctx.record(change, id, observed)))
        }
        Action::Update | Action::NoOp => {
            let table_id = ctx.table_id(table)?;
            let field_id = change
                .clay_id
                .clone()
                .ok_or_else(|| StepError::plain("no Clay id to update"))?;
            let column = ctx.model_column(table, name)?;
            let mut names = ctx.names_for(table);
            // A column renamed in this step is still under its old name in state.
            if let Some(previous) = &change.previous_address
                && let ObjectPath::Column { column: old, .. } = &previous.path
            {
                names.fields.shift_remove(old);
            }
            names.fields.insert(name.clone(), field_id.clone());
            let action = ctx.resolved_action(column);
            let body = column_to_field(column, &names, action.as_ref())
                .map_err(|e| StepError::plain(e.to_string()))?;
            let request = PatchFieldRequest {
                name: Some(body.name),
                // A description absent from the spec is cleared: left out, Clay keeps its own.
                description: Some(body.description.unwrap_or_default()),
                type_settings: Some(body.type_settings),
            };
            let field = ctx.clay.patch_field(&table_id, &field_id, &request).await?;
            let observed = ctx.observed_column(&field, &names);
            if let Some(previous) = &change.previous_address {
                let _ = ctx.state.lock().expect("state mutex").remove(previous);
            }
            Ok(Some(ctx.record(change, field_id, observed)))
        }
        Action::Delete => {
            if change.reasons.contains(&Reason::DeletedWithTable) {
                return Ok(None);
            }
            let table_id = ctx.table_id(table)?;
            let field_id = change.clay_id.clone().unwrap_or_default();
            free_name_and_delete(ctx, &table_id, &field_id, name).await?;
            Ok(None)
        }
    }
}
