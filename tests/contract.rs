//! The contract between the real Clay client (`provider`) and the real emulator (`emulator`):
//! every client operation runs against an in-process emulator on 127.0.0.1 and must succeed, and
//! what the emulator stored must read back through the client and `translate` as what was sent.
//! The client and the emulator were written independently from `clay-api.md`; a disagreement
//! here is a bug on one side (decided by the reference), never a test to loosen.

use std::time::{Duration, Instant};

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use clayform::catalog::Catalog;
use clayform::emulator::{EmulatorConfig, RunSpeed, RunningEmulator, start};
use clayform::model::{
    Ai, Column, ColumnKind, DataType, Enrichment, Http, InputValue, Lookup, Name, OutputSchema,
    OutputType, SendTo, Template, UseCase,
};
use clayform::provider::translate::{
    ActionParameter, LiveColumn, NameMap, ResolvedAction, column_to_field, field_to_column,
    normalize_formula, template_from_text,
};
use clayform::provider::wire::field::{ClayField, CreateFieldRequest, PatchFieldRequest};
use clayform::provider::wire::record::{NewRecord, RecordPatch};
use clayform::provider::wire::run::RunRecords;
use clayform::provider::wire::table::PatchTableRequest;
use clayform::provider::wire::view::{
    PatchViewRequest, ViewFieldPosition, ViewFieldSettings, ViewFilter, ViewFilterItem, ViewSort,
    ViewSortItem,
};
use clayform::provider::{
    ClayClient, ClayClientConfig, ClayError, ClayErrorKind, Credentials, RetryPolicy, WorkspaceId,
};
use clayform::source::Span;

const WORKSPACE: u64 = 1_080_480;

/// Polls are short and bounded: the emulator settles cells in about 30 ms (`RunSpeed::FAST`).
const POLL_INTERVAL: Duration = Duration::from_millis(15);
const POLL_DEADLINE: Duration = Duration::from_secs(5);

async fn start_emulator() -> RunningEmulator {
    start(EmulatorConfig {
        cell_error_rate: 0.0,
        run_speed: RunSpeed::FAST,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator starts")
}

fn fast_client_config(emulator: &RunningEmulator, credentials: Credentials) -> ClayClientConfig {
    let mut config = ClayClientConfig::new(emulator.url(), credentials);
    config.pacing = clayform::provider::Pacing::Off;
    config.retry = RetryPolicy {
        max_attempts: 3,
        min_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(10),
        max_total_time: Duration::from_secs(5),
    };
    config.request_timeout = Duration::from_secs(10);
    config.runstatus_pending_wait = Duration::from_millis(20);
    config.runstatus_max_polls = 50;
    config
}

fn client_for(emulator: &RunningEmulator) -> ClayClient {
    let mut config = fast_client_config(emulator, Credentials::api_key("test-key"));
    config.workspace_id = Some(WorkspaceId(WORKSPACE));
    ClayClient::new(config).expect("client")
}

async fn emulator_stats(emulator: &RunningEmulator) -> Value {
    reqwest::get(format!("{}/__emulator/stats", emulator.url()))
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats json")
}

fn route_count(stats: &Value, route: &str) -> u64 {
    stats["byRoute"][route].as_u64().unwrap_or(0)
}

fn name(text: &str) -> Name {
    Name::new(text, Span::default())
}

fn template(text: &str) -> Template {
    template_from_text(text)
}

fn column(column_name: &str, kind: ColumnKind) -> Column {
    Column {
        name: name(column_name),
        kind,
        data_type: None,
        description: None,
        run_if: None,
        run_as_button: false,
        renamed_from: Vec::new(),
        protect: false,
        span: Span::default(),
    }
}

fn typed_column(column_name: &str, data_type: DataType) -> Column {
    let mut plain = column(column_name, ColumnKind::Input);
    plain.data_type = Some(data_type);
    plain
}

/// The catalog's view of an enrichment, in the provider's terms (as `plan` hands it over).
fn resolved_action(catalog_name: &str) -> ResolvedAction {
    let info = Catalog::builtin()
        .resolved_action(catalog_name)
        .unwrap_or_else(|| panic!("catalog has `{catalog_name}`"));
    ResolvedAction {
        action_key: info.action_key,
        package_id: info.package_id,
        parameters: info
            .parameters
            .into_iter()
            .map(|parameter| ActionParameter {
                clay_name: parameter.clay_name,
                spec_name: parameter.spec_name,
                optional: !parameter.required,
                object_typed: parameter.object,
            })
            .collect(),
    }
}

/// Templates and formulas compare by their normalised text: Clay (and the emulator) minify
/// what they store (reference §7.4), so byte equality is not the contract.
fn normalised(template: &Template) -> String {
    normalize_formula(&template.text)
}

/// Formulas compare normalised; templates (prompts, URLs, bindings) must come back exactly.
fn normalised_kind(kind: &ColumnKind) -> Value {
    let text = |t: &Template| Value::String(t.text.clone());
    let map = |m: &IndexMap<String, Template>| -> Value {
        m.iter()
            .map(|(k, v)| (k.clone(), text(v)))
            .collect::<Map<String, Value>>()
            .into()
    };
    match kind {
        ColumnKind::Input => json!({"input": true}),
        ColumnKind::FromSource { path } => json!({"from_source": path.as_str()}),
        ColumnKind::Formula { formula } => json!({"formula": normalised(formula)}),
        ColumnKind::Enrichment(enrichment) => json!({
            // A catalog alias (`email_finder`) reads back as the real action key.
            "action": Catalog::builtin()
                .resolved_action(enrichment.action.as_str())
                .map_or_else(|| enrichment.action.as_str().to_owned(), |info| info.action_key),
            "inputs": enrichment.inputs.iter().map(|(k, v)| {
                let value = match v {
                    InputValue::Template(t) => text(t),
                    InputValue::Map(m) => map(m),
                };
                (k.as_str().to_owned(), value)
            }).collect::<Map<String, Value>>(),
            "auth": enrichment.auth_account,
        }),
        ColumnKind::Ai(ai) => json!({
            "model": ai.model.as_ref().map(Name::as_str),
            "prompt": text(&ai.prompt),
            "system": ai.system_prompt.as_ref().map(text),
            "use_case": ai.use_case.map(UseCase::keyword),
            "output": ai.output.as_ref().map(|o| o.fields.iter()
                .map(|(k, v)| (k.as_str().to_owned(), Value::from(format!("{v:?}"))))
                .collect::<Map<String, Value>>()),
            "temperature": ai.temperature,
            "max_cost": ai.max_cost_cents,
        }),
        ColumnKind::Lookup(lookup) => json!({
            "table": lookup.table.as_str(), "match": lookup.match_column.as_str(),
            "value": text(&lookup.value), "operator": lookup.operator,
            "multiple": lookup.multiple, "limit": lookup.limit,
        }),
        ColumnKind::SendTo(send) => json!({
            "table": send.table.as_str(),
            "fields": send.fields.iter().map(|(k, v)| (k.as_str().to_owned(), text(v)))
                .collect::<Map<String, Value>>(),
        }),
        ColumnKind::Http(http) => json!({
            "method": http.method, "url": text(&http.url), "headers": map(&http.headers),
            "query": map(&http.query), "body": http.body.as_ref().map(text),
            "paths": http.field_paths,
        }),
    }
}

fn assert_same_column(spec: &Column, live: &LiveColumn) {
    let context = format!("column `{}`", spec.name.as_str());
    assert_eq!(live.name, spec.name.as_str(), "{context}");
    assert_eq!(
        normalised_kind(&live.kind),
        normalised_kind(&spec.kind),
        "{context}"
    );
    assert_eq!(live.data_type, spec.data_type, "{context}");
    assert_eq!(live.description, spec.description, "{context}");
    assert_eq!(
        live.run_if.as_ref().map(normalised),
        spec.run_if.as_ref().map(normalised),
        "{context}"
    );
    assert_eq!(live.run_as_button, spec.run_as_button, "{context}");
}

/// Creates the column through `column_to_field` + the client, records its id in `names`.
async fn create_column(
    client: &ClayClient,
    table_id: &str,
    names: &mut NameMap,
    spec: &Column,
    action: Option<&ResolvedAction>,
) -> ClayField {
    let request = column_to_field(spec, names, action).expect("column translates");
    let field = client
        .create_field(table_id, &request)
        .await
        .unwrap_or_else(|error| panic!("create `{}`: {error}", spec.name.as_str()));
    names
        .fields
        .insert(spec.name.as_str().to_owned(), field.id.clone());
    field
}

async fn poll_until<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + POLL_DEADLINE;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

fn api_error_parts(error: &ClayError) -> (u16, Option<String>) {
    match error.kind.as_ref() {
        ClayErrorKind::Api {
            status, clay_type, ..
        } => (*status, clay_type.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn workspace_discovery_reads_root_me_and_my_workspaces() {
    let emulator = start_emulator().await;
    let client = ClayClient::new(fast_client_config(
        &emulator,
        Credentials::api_key("test-key"),
    ))
    .expect("client");
    assert_eq!(client.workspace_id(), None);

    let root = client.api_root().await.expect("GET /v3");
    assert_eq!(root.workspace_ids(), vec![WorkspaceId(WORKSPACE)]);
    let discovered = client.discover_workspace_id().await.expect("discovery");
    assert_eq!(discovered, WorkspaceId(WORKSPACE));

    let client = client.with_workspace_id(discovered);
    let me = client.me().await.expect("GET /v3/me");
    assert!(me.id.is_some(), "{me:?}");
    assert!(me.email.as_deref().is_some_and(|email| email.contains('@')));
    assert_eq!(me.last_workspace_id, Some(WorkspaceId(WORKSPACE)));
    let workspaces = client.my_workspaces().await.expect("GET /v3/my-workspaces");
    assert!(
        workspaces
            .iter()
            .any(|workspace| workspace.id == WorkspaceId(WORKSPACE)),
        "{workspaces:?}"
    );
}

#[tokio::test]
async fn requests_without_credentials_get_401_and_bearer_keys_get_403_as_typed_errors() {
    let emulator = start_emulator().await;

    let anonymous = reqwest::get(format!("{}/v3/me", emulator.url()))
        .await
        .expect("request");
    assert_eq!(anonymous.status().as_u16(), 401);
    let body: Value = anonymous.json().await.expect("json");
    assert_eq!(body["type"], "Unauthorized");

    let mut config = fast_client_config(&emulator, Credentials::session_cookie(""));
    config.workspace_id = Some(WorkspaceId(WORKSPACE));
    let without_session = ClayClient::new(config).expect("client");
    let error = without_session.me().await.expect_err("401");
    assert_eq!(
        api_error_parts(&error),
        (401, Some("Unauthorized".to_owned()))
    );
    assert_eq!(error.attempts, 1, "a 401 is not retried");

    let mut config = fast_client_config(&emulator, Credentials::api_key("Bearer test-key"));
    config.workspace_id = Some(WorkspaceId(WORKSPACE));
    let bearer = ClayClient::new(config).expect("client");
    let error = bearer.list_workbooks().await.expect_err("403");
    assert_eq!(api_error_parts(&error), (403, Some("Forbidden".to_owned())));
    assert!(!error.to_string().contains("test-key"), "{error}");

    // `GET /v3` needs no auth, but only an authenticated caller learns its workspace.
    assert!(bearer.discover_workspace_id().await.is_err());
}

#[tokio::test]
async fn workbooks_are_created_listed_given_tables_and_deleted_through_resources() {
    let emulator = start_emulator().await;
    let client = client_for(&emulator);

    let workbook = client
        .create_workbook("Contract Workbook", None)
        .await
        .expect("create workbook");
    assert!(workbook.id.starts_with("wb_"), "{}", workbook.id);
    assert_eq!(workbook.name, "Contract Workbook");

    let listed = client.list_workbooks().await.expect("list workbooks");
    assert_eq!(
        listed.iter().filter(|w| w.id == workbook.id).count(),
        1,
        "{listed:?}"
    );

    let created = client
        .create_table("Companies", "company", Some(&workbook.id))
        .await
        .expect("create table");
    let tables = client
        .list_workbook_tables(&workbook.id)
        .await
        .expect("list workbook tables");
    assert_eq!(
        tables.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        [created.table.id.as_str()]
    );

    client
        .delete_workbooks(std::slice::from_ref(&workbook.id))
        .await
        .expect("delete workbook");
    let listed = client.list_workbooks().await.expect("list workbooks");
    assert!(
        listed
            .iter()
            .all(|w| w.id != workbook.id || w.deleted_at.is_some()),
        "{listed:?}"
    );
    let tables = client.list_tables().await.expect("list tables");
    assert!(
        tables.iter().all(|t| t.id != created.table.id),
        "a deleted workbook takes its tables: {tables:?}"
    );
}

#[tokio::test]
async fn tables_are_created_read_patched_listed_counted_and_deleted() {
    let emulator = start_emulator().await;
    let client = client_for(&emulator);

    let alone = client
        .create_table("Standalone", "spreadsheet", None)
        .await
        .expect("create table without workbook");
    let made = alone
        .newly_created_workbook
        .as_ref()
        .expect("a workbook is made for a table created without one");
    assert_eq!(made.name, "Standalone");
    assert_eq!(alone.table.workbook_id.as_deref(), Some(made.id.as_str()));

    let workbook = client
        .create_workbook("Tables Workbook", None)
        .await
        .expect("workbook");
    let inside = client
        .create_table("Companies", "company", Some(&workbook.id))
        .await
        .expect("create table in workbook");
    assert!(inside.newly_created_workbook.is_none());
    let table_id = inside.table.id.clone();

    let read = client.get_table(&table_id).await.expect("get").table;
    assert_eq!(read.name, "Companies");
    assert_eq!(read.table_type.as_deref(), Some("company"));
    let system: Vec<&str> = read
        .fields
        .iter()
        .filter(|f| f.is_system())
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(system, ["f_created_at", "f_updated_at"]);
    assert_eq!(read.views.len(), 5, "Clay makes five views");
    assert!(read.default_view_id().is_some());
    assert_eq!(read.auto_run(), Some(true), "Clay defaults auto-run on");

    let off = client
        .set_auto_run(&table_id, false)
        .await
        .expect("auto-run off");
    assert_eq!(off.auto_run(), Some(false));

    let patched = client
        .patch_table(
            &table_id,
            &PatchTableRequest {
                name: Some("Companies v2".into()),
                description: Some("contract".into()),
                table_settings: Some(Map::from_iter([("CUSTOM_ONE".to_owned(), json!(1))])),
                ..PatchTableRequest::default()
            },
        )
        .await
        .expect("patch");
    assert_eq!(patched.name, "Companies v2");
    let merged = client
        .update_table_settings(
            &table_id,
            Map::from_iter([("CUSTOM_TWO".to_owned(), json!("two"))]),
        )
        .await
        .expect("settings merge");
    assert_eq!(merged.table_settings.get("CUSTOM_ONE"), Some(&json!(1)));
    assert_eq!(merged.table_settings.get("CUSTOM_TWO"), Some(&json!("two")));
    assert_eq!(
        merged.auto_run(),
        Some(false),
        "settings merge, not replace"
    );

    let listed = client.list_tables().await.expect("list");
    for id in [&alone.table.id, &table_id] {
        assert_eq!(listed.iter().filter(|t| &t.id == id).count(), 1, "{id}");
    }
    assert_eq!(
        client.count_records(&table_id).await.expect("count"),
        1,
        "a new table carries one blank row"
    );

    client.delete_table(&alone.table.id).await.expect("delete");
    let listed = client.list_tables().await.expect("list");
    assert!(listed.iter().all(|t| t.id != alone.table.id));
}

#[tokio::test]
async fn every_column_kind_round_trips_through_translate_client_and_emulator() {
    let emulator = start_emulator().await;
    let client = client_for(&emulator);
    let workbook = client
        .create_workbook("Columns", None)
        .await
        .expect("workbook");
    let people = client
        .create_table("People", "people", Some(&workbook.id))
        .await
        .expect("people table")
        .table;
    let mut people_names = NameMap::from_table(&people);
    let people_domain = create_column(
        &client,
        &people.id,
        &mut people_names,
        &typed_column("Company Domain", DataType::Url),
        None,
    )
    .await;
    let companies = client
        .create_table("Companies", "company", Some(&workbook.id))
        .await
        .expect("companies table")
        .table;
    client
        .set_auto_run(&companies.id, false)
        .await
        .expect("auto-run off");
    let source = client
        .add_webhook_source(&companies.id, "Inbound")
        .await
        .expect("webhook source");
    let companies = client.get_table(&companies.id).await.expect("get").table;
    let mut names = NameMap::from_table(&companies);
    assert!(
        names.source_field_id.is_some(),
        "the webhook source brings a source column: {:?}",
        companies.fields
    );
    assert_eq!(
        source.source_subscriptions[0].field_id, names.source_field_id,
        "the source is subscribed through that column"
    );
    names.tables.insert("People".into(), people.id.clone());
    names.table_fields.insert(
        "People".into(),
        IndexMap::from([("Company Domain".to_owned(), people_domain.id.clone())]),
    );

    let mut described = typed_column("Name", DataType::Text);
    described.description = Some("legal name".into());
    let mut specs: Vec<(Column, Option<ResolvedAction>)> = vec![
        (described, None),
        (typed_column("Domain", DataType::Url), None),
        (typed_column("Contact", DataType::Email), None),
        (typed_column("Employees", DataType::Number), None),
        (typed_column("Public", DataType::Boolean), None),
        (typed_column("Founded", DataType::Date), None),
        (
            typed_column(
                "Tier",
                DataType::Select {
                    options: vec!["A".into(), "B".into()],
                },
            ),
            None,
        ),
        (
            typed_column("Revenue", DataType::Currency { code: "EUR".into() }),
            None,
        ),
        (typed_column("Margin", DataType::Percent), None),
        (
            column(
                "Shout",
                ColumnKind::Formula {
                    formula: template("UPPER({{Name}}) + \" (\" + {{Domain}} + \")\""),
                },
            ),
            None,
        ),
        (
            {
                let mut big = column(
                    "Big",
                    ColumnKind::Formula {
                        formula: template("{{Employees}} > 500"),
                    },
                );
                big.data_type = Some(DataType::Boolean);
                big
            },
            None,
        ),
        (
            column(
                "Source Name",
                ColumnKind::FromSource {
                    path: name("company.name"),
                },
            ),
            None,
        ),
        (
            column(
                "Source City",
                ColumnKind::FromSource {
                    path: name("location.0.city"),
                },
            ),
            None,
        ),
    ];
    let email_finder = resolved_action("email_finder");
    let mut email = column(
        "Work Email",
        ColumnKind::Enrichment(Enrichment {
            action: name("email_finder"),
            inputs: IndexMap::from([
                (
                    name("full_name"),
                    InputValue::Template(template("{{Name}}")),
                ),
                (
                    name("company_domain"),
                    InputValue::Template(template("{{Domain}}")),
                ),
            ]),
            auth_account: Some("aa_test".into()),
        }),
    );
    email.run_if = Some(template("!!{{Domain}}"));
    specs.push((email, Some(email_finder.clone())));
    let mut score = column(
        "ICP Score",
        ColumnKind::Ai(Ai {
            model: Some(name("gpt-4.1-mini")),
            prompt: template("Score {{Name}} ({{Domain}}) from 1 to 10 — café."),
            system_prompt: Some(template("You are terse.")),
            // Not the model's default, so it must be stored and read back.
            use_case: Some(UseCase::WebResearch),
            output: Some(OutputSchema {
                fields: IndexMap::from([
                    (name("score"), OutputType::Number),
                    (name("reasoning"), OutputType::String),
                    (name("tier"), OutputType::Enum(vec!["A".into(), "B".into()])),
                ]),
                span: Span::default(),
            }),
            temperature: Some(0.2),
            max_cost_cents: Some(5.0),
        }),
    );
    score.run_if = Some(template("!!{{Work Email}}"));
    specs.push((score, None));
    specs.push((
        column(
            "Person Row",
            ColumnKind::Lookup(Lookup {
                table: name("People"),
                match_column: name("Company Domain"),
                value: template("{{Domain}}"),
                operator: "EQUAL".into(),
                multiple: false,
                limit: Some(1),
            }),
        ),
        None,
    ));
    specs.push((
        column(
            "To People",
            ColumnKind::SendTo(SendTo {
                table: name("People"),
                fields: IndexMap::from([
                    (name("Company"), template("{{Name}}")),
                    (name("Note"), template("Hello {{Name}}")),
                ]),
            }),
        ),
        None,
    ));
    specs.push((
        column(
            "Call API",
            ColumnKind::Http(Http {
                method: "POST".into(),
                url: template("https://api.example.com/{{Domain}}"),
                headers: IndexMap::from([("Authorization".to_owned(), template("Token abc"))]),
                query: IndexMap::from([("q".to_owned(), template("{{Name}}"))]),
                body: Some(template("{\"domain\": \"{{Domain}}\"}")),
                field_paths: vec!["data.id".into()],
            }),
        ),
        None,
    ));

    let mut created = Vec::new();
    for (spec, action) in &specs {
        let field = create_column(&client, &companies.id, &mut names, spec, action.as_ref()).await;
        created.push(field.id);
    }

    // Read everything back in one table read, as `refresh` does.
    let stored = client.get_table(&companies.id).await.expect("read").table;
    for ((spec, action), field_id) in specs.iter().zip(&created) {
        let field = stored.field(field_id).expect("stored field");
        assert!(
            field.settings_error.is_empty(),
            "`{}` has settingsError {:?}",
            field.name,
            field.settings_error
        );
        let live = field_to_column(field, &names, action.as_ref()).expect("reads back");
        assert_same_column(spec, &live);
    }

    // The enrichment binds the action's full parameter list, and Clay derived the inputs.
    let email_field = stored.field_named("Work Email").expect("email field");
    let bound: Vec<&str> = email_field.type_settings["inputsBinding"]
        .as_array()
        .expect("bindings")
        .iter()
        .filter_map(|binding| binding["name"].as_str())
        .collect();
    let expected: Vec<&str> = email_finder
        .parameters
        .iter()
        .map(|p| p.clay_name.as_str())
        .collect();
    assert_eq!(bound, expected);
    let mut inputs = email_field.input_field_ids.clone();
    inputs.sort();
    let mut wanted = vec![names.fields["Name"].clone(), names.fields["Domain"].clone()];
    wanted.sort();
    assert_eq!(inputs, wanted);
    assert_eq!(
        email_field.conditional_run_field_ids,
        [names.fields["Domain"].clone()]
    );
}

#[tokio::test]
async fn field_patch_replaces_type_settings_and_deleted_names_stay_reserved() {
    let emulator = start_emulator().await;
    let client = client_for(&emulator);
    let table = client
        .create_table("Fields", "spreadsheet", None)
        .await
        .expect("table")
        .table;
    let mut names = NameMap::from_table(&table);
    let domain = create_column(
        &client,
        &table.id,
        &mut names,
        &typed_column("Domain", DataType::Text),
        None,
    )
    .await;
    let link = create_column(
        &client,
        &table.id,
        &mut names,
        &column(
            "Link",
            ColumnKind::Formula {
                formula: template("\"https://\" + {{Domain}}"),
            },
        ),
        None,
    )
    .await;

    // Whole typeSettings: change the data type and rename in one PATCH.
    let mut settings = domain.type_settings.clone();
    settings["dataTypeSettings"] = json!({"type": "url"});
    let patched = client
        .patch_field(
            &table.id,
            &domain.id,
            &PatchFieldRequest {
                name: Some("Website".into()),
                description: Some("the site".into()),
                type_settings: Some(settings),
            },
        )
        .await
        .expect("patch");
    assert_eq!(patched.name, "Website");
    assert_eq!(patched.type_settings["dataTypeSettings"]["type"], "url");

    // A formula PATCH sends the whole object back, formulaType included.
    let mut formula_settings = link.type_settings.clone();
    formula_settings["formulaText"] = json!(format!("\"http://\" + {{{{{}}}}}", domain.id));
    let patched = client
        .patch_field(
            &table.id,
            &link.id,
            &PatchFieldRequest {
                type_settings: Some(formula_settings),
                ..PatchFieldRequest::default()
            },
        )
        .await
        .expect("formula patch");
    assert_eq!(
        normalize_formula(patched.type_setting_str("formulaText").expect("formula")),
        normalize_formula(&format!("\"http://\"+{{{{{}}}}}", domain.id))
    );

    // A partial typeSettings (no dataTypeSettings) is refused by Clay, not half-applied.
    let error = client
        .patch_field(
            &table.id,
            &domain.id,
            &PatchFieldRequest {
                type_settings: Some(json!({"formulaText": "1"})),
                ..PatchFieldRequest::default()
            },
        )
        .await
        .expect_err("partial typeSettings");
    assert_eq!(api_error_parts(&error).0, 400);

    // Delete, then the name is still reserved: a typed FieldNameAlreadyExists.
    client
        .delete_field(&table.id, &link.id)
        .await
        .expect("delete");
    let read = client.get_table(&table.id).await.expect("read").table;
    assert!(read.field(&link.id).is_none());
    let again =
        column_to_field(&typed_column("Link", DataType::Text), &names, None).expect("translates");
    let error = client
        .create_field(&table.id, &again)
        .await
        .expect_err("name reserved");
    assert_eq!(
        api_error_parts(&error),
        (400, Some("FieldNameAlreadyExists".to_owned()))
    );
    assert_eq!(error.clay_type(), Some("FieldNameAlreadyExists"));

    // Bulk delete.
    let one = create_column(
        &client,
        &table.id,
        &mut names,
        &typed_column("One", DataType::Text),
        None,
    )
    .await;
    let two = create_column(
        &client,
        &table.id,
        &mut names,
        &typed_column("Two", DataType::Number),
        None,
    )
    .await;
    client
        .delete_fields(&table.id, &[one.id.clone(), two.id.clone()])
        .await
        .expect("bulk delete");
    let read = client.get_table(&table.id).await.expect("read").table;
    assert!(read.field(&one.id).is_none() && read.field(&two.id).is_none());
    assert!(read.field(&domain.id).is_some());
}

#[tokio::test]
async fn read_back_catches_a_formula_the_emulator_silently_dropped() {
    let emulator = start_emulator().await;
    let client = client_for(&emulator);
    let table = client
        .create_table("Drops", "spreadsheet", None)
        .await
        .expect("table")
        .table;
    let mut names = NameMap::from_table(&table);
    let domain = create_column(
        &client,
        &table.id,
        &mut names,
        &typed_column("Domain", DataType::Text),
        None,
    )
    .await;

    // A raw body without `formulaType`: Clay answers 200 and drops `formulaText` (§7.4).
    let raw = CreateFieldRequest {
        name: "Upper".into(),
        field_type: "formula".into(),
        type_settings: json!({
            "formulaText": format!("UPPER({{{{{}}}}})", domain.id),
            "dataTypeSettings": {"type": "text"},
        }),
        description: None,
        active_view_id: None,
    };
    let error = client
        .create_field(&table.id, &raw)
        .await
        .expect_err("the read-back must notice the dropped formula");
    assert!(
        matches!(error.kind.as_ref(), ClayErrorKind::SilentlyDropped(_)),
        "{error:?}"
    );
    let stored = client.get_table(&table.id).await.expect("read").table;
    let upper = stored.field_named("Upper").expect("created anyway");
    assert!(upper.type_setting_str("formulaText").is_none(), "{upper:?}");

    // The client's normal path always carries formulaType, so nothing is dropped.
    let field = create_column(
        &client,
        &table.id,
        &mut names,
        &column(
            "Lower",
            ColumnKind::Formula {
                formula: template("LOWER({{Domain}})"),
            },
        ),
        None,
    )
    .await;
    assert_eq!(field.type_setting_str("formulaType"), Some("text"));
    assert!(field.type_setting_str("formulaText").is_some());
}

#[tokio::test]
async fn views_are_created_patched_filtered_sorted_arranged_and_deleted() {
    let emulator = start_emulator().await;
    let client = client_for(&emulator);
    let table = client
        .create_table("Views", "spreadsheet", None)
        .await
        .expect("table")
        .table;
    let mut names = NameMap::from_table(&table);
    let first = create_column(
        &client,
        &table.id,
        &mut names,
        &typed_column("First", DataType::Text),
        None,
    )
    .await;
    let second = create_column(
        &client,
        &table.id,
        &mut names,
        &typed_column("Second", DataType::Number),
        None,
    )
    .await;

    let view = client.create_view(&table.id, "Hot").await.expect("create");
    assert!(view.id.starts_with("gv_"), "{}", view.id);
    assert_eq!(view.name, "Hot");

    client
        .patch_view(
            &table.id,
            &view.id,
            &PatchViewRequest {
                name: Some("Hot leads".into()),
                limit: Some(25),
            },
        )
        .await
        .expect("patch");
    client
        .set_view_filter(
            &table.id,
            &view.id,
            &ViewFilter {
                items: vec![ViewFilterItem {
                    field_id: second.id.clone(),
                    operator: "GREATER_THAN".into(),
                    value: Some(json!(5)),
                }],
                combination_mode: "AND".into(),
            },
        )
        .await
        .expect("filter");
    client
        .set_view_sort(
            &table.id,
            &view.id,
            &ViewSort {
                items: vec![ViewSortItem {
                    field_id: second.id.clone(),
                    direction: "DESC".into(),
                }],
            },
        )
        .await
        .expect("sort");
    client
        .set_view_fields(
            &table.id,
            &view.id,
            &IndexMap::from([(
                first.id.clone(),
                ViewFieldSettings {
                    order: None,
                    is_visible: Some(true),
                    width: Some(json!(240)),
                },
            )]),
        )
        .await
        .expect("field settings");
    client
        .set_view_field_visibility(&table.id, &view.id, &second.id, false)
        .await
        .expect("hide");
    client
        .move_view_field(
            &table.id,
            &view.id,
            &first.id,
            &ViewFieldPosition::AfterFieldId(second.id.clone()),
        )
        .await
        .expect("move");

    let read = client.get_view(&table.id, &view.id).await.expect("get");
    assert_eq!(read.name, "Hot leads");
    assert_eq!(read.limit, Some(json!(25)));
    assert_eq!(read.filter["items"][0]["fieldId"], json!(second.id));
    assert_eq!(read.sort["items"][0]["direction"], "DESC");
    assert_eq!(read.fields[&first.id].width, Some(json!(240)));
    assert_eq!(read.fields[&second.id].is_visible, Some(false));
    let order = |id: &str| read.fields[id].order.clone().expect("order");
    assert!(
        order(&first.id) > order(&second.id),
        "moved after: {:?}",
        read.fields
    );

    client
        .delete_view(&table.id, &view.id)
        .await
        .expect("delete");
    let error = client
        .get_view(&table.id, &view.id)
        .await
        .expect_err("deleted view");
    assert!(error.is_not_found(), "{error}");
}

#[tokio::test]
async fn records_insert_in_chunks_list_fetch_patch_and_delete() {
    let emulator = start_emulator().await;
    let client = client_for(&emulator);
    let table = client
        .create_table("Records", "spreadsheet", None)
        .await
        .expect("table")
        .table;
    client.set_auto_run(&table.id, false).await.expect("off");
    let mut names = NameMap::from_table(&table);
    let name_field = create_column(
        &client,
        &table.id,
        &mut names,
        &typed_column("Name", DataType::Text),
        None,
    )
    .await;
    let upper = create_column(
        &client,
        &table.id,
        &mut names,
        &column(
            "Upper",
            ColumnKind::Formula {
                formula: template("UPPER({{Name}})"),
            },
        ),
        None,
    )
    .await;
    let view_id = table.default_view_id().expect("view").to_owned();

    let before = emulator_stats(&emulator).await;
    let rows: Vec<NewRecord> = (0..1203)
        .map(|index| NewRecord {
            id: Some(format!("r_contract{index:05}")),
            cells: IndexMap::from([(name_field.id.clone(), json!(format!("company {index}")))]),
        })
        .collect();
    let inserted = client
        .insert_records(&table.id, &rows)
        .await
        .expect("insert");
    assert_eq!(inserted.len(), 1203);
    let after = emulator_stats(&emulator).await;
    let route = "POST /v3/tables/{tableId}/records";
    assert_eq!(
        route_count(&after, route) - route_count(&before, route),
        3,
        "500 rows per POST"
    );
    let rewrite = "PATCH /v3/tables/{tableId}/records";
    assert_eq!(
        route_count(&after, rewrite),
        route_count(&before, rewrite),
        "the emulator keeps inserted cells (§9.1), so the client re-writes nothing"
    );
    assert_eq!(inserted[7].id, "r_contract00007");
    assert_eq!(
        inserted[7].cells[&upper.id].value,
        json!("COMPANY 7"),
        "formulas computed on insert"
    );

    assert_eq!(
        client.count_records(&table.id).await.expect("count"),
        1204,
        "1203 rows plus Clay's blank row"
    );
    let listed = client
        .list_view_records(&table.id, &view_id, 10_000)
        .await
        .expect("list");
    assert_eq!(listed.len(), 1204, "one call with a large limit reads all");
    let all = client
        .list_all_records(&table.id, &view_id)
        .await
        .expect("list all");
    assert_eq!(all.len(), 1204);
    // A view with a row limit shows part of the table: reading "every record" through it must
    // fail loudly, not return the part (reference §9.5, §10: views cut rows by their `limit`).
    let limited = client
        .create_view(&table.id, "First ten")
        .await
        .expect("view");
    client
        .patch_view(
            &table.id,
            &limited.id,
            &PatchViewRequest {
                name: None,
                limit: Some(10),
            },
        )
        .await
        .expect("limit");
    let error = client
        .list_all_records(&table.id, &limited.id)
        .await
        .expect_err("a limited view is not the whole table");
    assert!(
        matches!(error.kind.as_ref(), ClayErrorKind::UnexpectedResponse(_)),
        "{error:?}"
    );
    let ids = client.record_ids(&table.id, &view_id).await.expect("ids");
    assert_eq!(ids.len(), 1204);
    let wanted: Vec<String> = rows.iter().filter_map(|r| r.id.clone()).collect();
    let fetched = client
        .bulk_fetch_records(&table.id, &wanted, &[])
        .await
        .expect("bulk fetch");
    assert_eq!(
        fetched.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        wanted
    );
    let single = client
        .get_record(&table.id, "r_contract00042")
        .await
        .expect("get");
    assert_eq!(single.cells[&name_field.id].value, json!("company 42"));

    // Bulk and single patches are enqueued: poll until they are visible.
    client
        .patch_records(
            &table.id,
            &[
                RecordPatch {
                    id: "r_contract00001".into(),
                    cells: IndexMap::from([(name_field.id.clone(), json!("Acme"))]),
                },
                RecordPatch {
                    id: "r_contract00002".into(),
                    cells: IndexMap::from([(name_field.id.clone(), json!("Globex"))]),
                },
            ],
        )
        .await
        .expect("bulk patch");
    client
        .patch_record(
            &table.id,
            "r_contract00003",
            &IndexMap::from([(name_field.id.clone(), json!("Initech"))]),
        )
        .await
        .expect("single patch");
    let targets: Vec<String> = ["r_contract00001", "r_contract00002", "r_contract00003"]
        .map(String::from)
        .to_vec();
    let settled = poll_until("record patches to apply", || async {
        let records = client
            .bulk_fetch_records(&table.id, &targets, &[])
            .await
            .ok()?;
        let values: Vec<Value> = records
            .iter()
            .map(|r| {
                r.cells
                    .get(&upper.id)
                    .map(|c| c.value.clone())
                    .unwrap_or(Value::Null)
            })
            .collect();
        (values == [json!("ACME"), json!("GLOBEX"), json!("INITECH")]).then_some(values)
    })
    .await;
    assert_eq!(settled.len(), 3);

    client
        .delete_records(&table.id, &wanted[..600])
        .await
        .expect("bulk delete");
    client
        .delete_record(&table.id, "r_contract01202")
        .await
        .expect("single delete");
    assert_eq!(client.count_records(&table.id).await.expect("count"), 603);
    let error = client
        .get_record(&table.id, "r_contract01202")
        .await
        .expect_err("deleted");
    assert!(error.is_not_found(), "{error}");
}

#[tokio::test]
async fn runs_settle_through_runstatus_and_run_conditions_gate_rows() {
    let emulator = start_emulator().await;
    let client = client_for(&emulator);
    let table = client
        .create_table("Runs", "company", None)
        .await
        .expect("table")
        .table;
    client.set_auto_run(&table.id, false).await.expect("off");
    let mut names = NameMap::from_table(&table);
    for spec in [
        typed_column("Name", DataType::Text),
        typed_column("Domain", DataType::Url),
        typed_column("Score", DataType::Number),
    ] {
        create_column(&client, &table.id, &mut names, &spec, None).await;
    }
    let finder = resolved_action("email_finder");
    let mut email = column(
        "Work Email",
        ColumnKind::Enrichment(Enrichment {
            action: name("email_finder"),
            inputs: IndexMap::from([
                (
                    name("full_name"),
                    InputValue::Template(template("{{Name}}")),
                ),
                (
                    name("company_domain"),
                    InputValue::Template(template("{{Domain}}")),
                ),
            ]),
            auth_account: Some("aa_test".into()),
        }),
    );
    email.run_if = Some(template("{{Score}} > 5"));
    let email_field = create_column(&client, &table.id, &mut names, &email, Some(&finder)).await;

    let rows = [("r_hot", 9), ("r_cold", 1)].map(|(id, score)| NewRecord {
        id: Some(id.into()),
        cells: IndexMap::from([
            (names.fields["Name"].clone(), json!("Ada Lovelace")),
            (names.fields["Domain"].clone(), json!("example.com")),
            (names.fields["Score"].clone(), json!(score)),
        ]),
    });
    client
        .insert_records(&table.id, &rows)
        .await
        .expect("insert");

    // A never-run action field reads as an empty list (reference §11.3).
    let before_run = client.run_status(&table.id).await.expect("runstatus");
    assert_eq!(
        before_run.get(&email_field.id).map(Vec::len),
        Some(0),
        "{before_run:?}"
    );

    let record_ids = vec!["r_hot".to_owned(), "r_cold".to_owned()];
    let answer = client
        .run_fields(
            &table.id,
            std::slice::from_ref(&email_field.id),
            RunRecords::RecordIds(record_ids.clone()),
            false,
        )
        .await
        .expect("run");
    assert_eq!(answer.record_count, Some(2));
    assert_ne!(answer.run_mode.as_deref(), Some("NONE"));

    let in_progress = ["QUEUED", "RUNNING", "RETRY", "PENDING", "AWAITING_CALLBACK"];
    let counts = poll_until("the run to settle", || async {
        let statuses = client.run_status(&table.id).await.expect("runstatus");
        let counts = statuses.get(&email_field.id)?.clone();
        let settled: u64 = counts
            .iter()
            .filter(|c| !in_progress.contains(&c.status.as_str()))
            .map(|c| c.count)
            .sum();
        (settled == 2).then_some(counts)
    })
    .await;
    let count_of = |status: &str| {
        counts
            .iter()
            .filter(|c| c.status == status)
            .map(|c| c.count)
            .sum::<u64>()
    };
    assert_eq!(count_of("SUCCESS"), 1, "{counts:?}");
    assert_eq!(count_of("ERROR_RUN_CONDITION_NOT_MET"), 1, "{counts:?}");

    let records = client
        .bulk_fetch_records(&table.id, &record_ids, &[])
        .await
        .expect("fetch");
    let status = |record: usize| records[record].cells[&email_field.id].status();
    assert_eq!(status(0), Some("SUCCESS"));
    assert_eq!(status(1), Some("ERROR_RUN_CONDITION_NOT_MET"));
    assert!(
        records[0].record_metadata["runHistory"][&email_field.id]
            .as_array()
            .is_some_and(|history| history.len() == 1),
        "{:?}",
        records[0].record_metadata
    );
}

#[tokio::test]
async fn webhook_sources_are_added_read_listed_by_table_and_deleted() {
    let emulator = start_emulator().await;
    let client = client_for(&emulator);
    let table = client
        .create_table("Hooks", "spreadsheet", None)
        .await
        .expect("table")
        .table;

    let source = client
        .add_webhook_source(&table.id, "Inbound leads")
        .await
        .expect("add webhook");
    assert!(source.id.starts_with("s_"), "{}", source.id);
    assert_eq!(source.source_type.as_deref(), Some("webhook"));
    let url = source.webhook_url().expect("webhook url");
    assert!(url.contains("/v3/sources/webhook/"), "{url}");

    let read = client.get_source(&source.id).await.expect("get");
    assert_eq!(read.name, "Inbound leads");
    assert_eq!(
        read.source_subscriptions[0].table_id.as_deref(),
        Some(table.id.as_str())
    );
    let listed = client.list_table_sources(&table.id).await.expect("list");
    assert_eq!(
        listed.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        [source.id.as_str()]
    );

    client
        .delete_source(&source.id, false)
        .await
        .expect("delete");
    let listed = client.list_table_sources(&table.id).await.expect("list");
    assert!(listed.is_empty(), "{listed:?}");
}
