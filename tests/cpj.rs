//! Find Companies / Find People tables end to end: a model source → `provider::cpj::cpj_request`
//! → `ClayClient::create_cpj_table` against the emulator on 127.0.0.1 → read back with
//! `get_table` and `list_all_records`. Also the request's exact shape and its refusals.

mod support;

use indexmap::IndexMap;
use serde_json::{Value, json};

use clayform::emulator::{EmulatorConfig, RunningEmulator, start};
use clayform::model::{
    ColumnKind, CsvSource, DataType, FindCompanies, FindPeople, SourceKind, Table,
};
use clayform::provider::cpj::{CpjRequestError, basic_fields, cpj_request, source_field_id};
use clayform::provider::wire::record::ClayRecord;
use clayform::provider::wire::table::ClayTable;
use clayform::provider::{ClayClient, ClayClientConfig, Credentials, WorkspaceId};
use support::{Text, column, table};

const WORKSPACE: WorkspaceId = WorkspaceId(1_080_480);

async fn emulator_and_client(seed: u64) -> (RunningEmulator, ClayClient) {
    let emulator = start(EmulatorConfig {
        seed,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator starts");
    let mut config = ClayClientConfig::new(emulator.url(), Credentials::api_key("clay_user_test"));
    config.workspace_id = Some(WORKSPACE);
    config.pacing = clayform::provider::Pacing::Off;
    let client = ClayClient::new(config).expect("client");
    (emulator, client)
}

/// A table whose columns read the source record: `Name`, `Domain` (url), `Size`.
fn companies_table(text: &mut Text, source: FindCompanies) -> Table {
    let mut domain = column(
        text.name("Domain"),
        ColumnKind::FromSource {
            path: text.name("domain"),
        },
    );
    domain.data_type = Some(DataType::Url);
    let columns = vec![
        column(
            text.name("Name"),
            ColumnKind::FromSource {
                path: text.name("name"),
            },
        ),
        domain,
        column(
            text.name("Size"),
            ColumnKind::FromSource {
                path: text.name("size"),
            },
        ),
    ];
    table(
        text.name("Companies"),
        Some(SourceKind::FindCompanies(source)),
        columns,
    )
}

fn ca_saas(limit: u64) -> FindCompanies {
    FindCompanies {
        industries: vec!["SaaS".into()],
        locations: vec!["California".into()],
        sizes: vec!["501-1000".into()],
        keywords: vec!["billing".into()],
        limit,
        filters: IndexMap::from([("country_names".to_string(), json!(["United States"]))]),
    }
}

fn source_of(table: &Table) -> &SourceKind {
    &table.source.as_ref().expect("a source").kind
}

fn values_of(table: &ClayTable, records: &[ClayRecord], column_name: &str) -> Vec<Value> {
    let field = table
        .fields
        .iter()
        .find(|field| field.name == column_name)
        .unwrap_or_else(|| panic!("no column `{column_name}`"));
    records
        .iter()
        .map(|record| {
            record
                .cells
                .get(&field.id)
                .map_or(Value::Null, |cell| cell.value.clone())
        })
        .collect()
}

#[test]
fn a_find_companies_request_has_the_reference_shape() {
    let mut text = Text::default();
    let spec_table = companies_table(&mut text, ca_saas(500));
    let request = cpj_request(
        WORKSPACE,
        "CA SaaS",
        Some("wb_1"),
        "Companies",
        source_of(&spec_table),
        None,
        basic_fields(&spec_table),
    )
    .expect("a search source");
    let body = serde_json::to_value(&request).expect("serialises");
    assert_eq!(
        body,
        json!({
            "workspaceId": "1080480",
            "workbookName": "CA SaaS",
            "workbookId": "wb_1",
            "cpjConfig": {
                "type": "companies",
                "tableName": "Companies",
                "typeSettings": {
                    "name": "Find companies",
                    "iconType": "Building",
                    "actionKey": "find-lists-of-companies-with-mixrank-source",
                    "actionPackageId": "e251a70e-46d7-4f3a-b3ef-a211ad3d8bd2",
                    "previewTextPath": "name",
                    "defaultPreviewText": "Profile",
                    "recordsPath": "companies",
                    "idPath": "linkedin_company_id",
                    "scheduleConfig": {"runSettings": "once"},
                    "dedupeOnUniqueIds": true,
                    "hasEvaluatedInputs": false,
                    "inputs": {
                        "limit": 500,
                        "industries": ["SaaS"],
                        "locations": ["California"],
                        "sizes": ["501-1,000"],
                        "description_keywords": ["billing"],
                        "country_names": ["United States"],
                    },
                    "previewActionKey": "find-lists-of-companies-with-mixrank-source-preview",
                    "disableTriggerOnCreate": false,
                },
                "clientSettings": {"tableType": "company"},
                "basicFields": [
                    {"name": "Name", "dataType": "text", "formulaText": "{{source}}.name"},
                    {"name": "Domain", "dataType": "url", "formulaText": "{{source}}.domain"},
                    {"name": "Size", "dataType": "text", "formulaText": "{{source}}.size"},
                ],
            },
        })
    );
    let disabled = serde_json::to_value(request.with_disable_trigger(true)).expect("serialises");
    assert_eq!(
        disabled["cpjConfig"]["typeSettings"]["disableTriggerOnCreate"],
        true
    );
}

#[test]
fn a_find_people_request_maps_titles_seniorities_and_the_company_table() {
    let mut text = Text::default();
    let find = FindPeople {
        company_table: Some(text.name("Companies")),
        job_titles: vec!["Head of Sales".into()],
        seniorities: vec!["director".into()],
        locations: vec![],
        limit: 40,
        // A filter never overrides a mapped input the spec set, nor `limit`.
        filters: IndexMap::from([
            ("job_title_keywords".to_string(), json!(["ignored"])),
            ("limit".to_string(), json!(9)),
            ("limit_per_company".to_string(), json!(2)),
        ]),
    };
    let source = SourceKind::FindPeople(find);
    let refused = cpj_request(WORKSPACE, "W", None, "People", &source, None, vec![]);
    assert_eq!(
        refused,
        Err(CpjRequestError::CompanyTableIdMissing {
            company_table: "Companies".into()
        })
    );
    let request = cpj_request(
        WORKSPACE,
        "W",
        None,
        "People",
        &source,
        Some("t_co"),
        vec![],
    )
    .expect("a search source");
    let config = &request.cpj_config;
    assert_eq!(config["type"], "people");
    assert_eq!(config["clientSettings"]["tableType"], "people");
    let settings = &config["typeSettings"];
    assert_eq!(
        settings["actionKey"],
        "find-lists-of-people-with-mixrank-source"
    );
    assert_eq!(settings["recordsPath"], "people");
    assert_eq!(settings["idPath"], "profile_id");
    assert_eq!(
        settings["inputs"],
        json!({"limit": 40, "job_title_keywords": ["Head of Sales"],
               "job_title_seniority_levels": ["director"], "locations": [],
               "limit_per_company": 2, "company_table_id": "t_co"})
    );
    assert_eq!(request.workbook_id, None);
}

#[test]
fn other_sources_and_limits_outside_clay_s_range_are_refused() {
    let mut text = Text::default();
    let csv = SourceKind::Csv(CsvSource {
        path: text.name("rows.csv"),
        key: None,
        mapping: IndexMap::new(),
        expected_rows: None,
    });
    assert_eq!(
        cpj_request(WORKSPACE, "W", None, "T", &csv, None, vec![]),
        Err(CpjRequestError::NotASearchSource { kind: "csv" })
    );
    for limit in [0, 50_001] {
        let source = SourceKind::FindCompanies(ca_saas(limit));
        assert_eq!(
            cpj_request(WORKSPACE, "W", None, "T", &source, None, vec![]),
            Err(CpjRequestError::LimitOutOfRange { limit })
        );
    }
}

#[tokio::test]
async fn a_find_companies_spec_becomes_a_table_with_the_requested_rows() {
    let (_emulator, client) = emulator_and_client(21).await;
    let mut text = Text::default();
    let spec_table = companies_table(&mut text, ca_saas(30));
    let request = cpj_request(
        WORKSPACE,
        "CA SaaS",
        None,
        "Companies",
        source_of(&spec_table),
        None,
        basic_fields(&spec_table),
    )
    .expect("a search source");
    let answer = client.create_cpj_table(&request).await.expect("created");
    assert_eq!(answer.is_new_table, Some(true));

    let table = client
        .get_table(&answer.table_id)
        .await
        .expect("read back")
        .table;
    assert_eq!(table.name, "Companies");
    assert_eq!(table.table_type.as_deref(), Some("company"));
    assert_eq!(table.workbook_id, answer.workbook_id);
    let source_field = source_field_id(&table).expect("a source column");
    let view_id = answer.view_id.clone().expect("a view");
    let records = client
        .list_all_records(&answer.table_id, &view_id)
        .await
        .expect("records");
    assert_eq!(records.len(), 30);
    assert!(
        records
            .iter()
            .all(|record| record.cells[&source_field].value.is_string())
    );
    let sizes = values_of(&table, &records, "Size");
    assert!(sizes.iter().all(|size| size == "501-1,000"), "{sizes:?}");
    let domains = values_of(&table, &records, "Domain");
    assert!(
        domains
            .iter()
            .all(|domain| domain.as_str().is_some_and(|d| d.contains('.'))),
        "{domains:?}"
    );
    let names = values_of(&table, &records, "Name");
    assert!(
        names
            .iter()
            .all(|name| name.as_str().is_some_and(|n| !n.is_empty()))
    );

    let source_id = answer.source_id.expect("a source id");
    let source = client.get_source(&source_id).await.expect("source");
    assert_eq!(source.source_type.as_deref(), Some("companies"));
    assert_eq!(
        source.source_subscriptions[0].field_id.as_deref(),
        Some(source_field.as_str())
    );
    let listed = client
        .list_table_sources(&answer.table_id)
        .await
        .expect("sources");
    assert_eq!(listed.len(), 1);
}

#[tokio::test]
async fn find_people_scoped_to_the_company_table_and_a_disabled_trigger() {
    let (_emulator, client) = emulator_and_client(4).await;
    let mut text = Text::default();
    let companies = companies_table(&mut text, ca_saas(2));
    let created = client
        .create_cpj_table(
            &cpj_request(
                WORKSPACE,
                "Outreach",
                None,
                "Companies",
                source_of(&companies),
                None,
                basic_fields(&companies),
            )
            .expect("a search source"),
        )
        .await
        .expect("companies");
    let company_table = client
        .get_table(&created.table_id)
        .await
        .expect("table")
        .table;
    let view_id = company_table.first_view_id.clone().expect("a view");
    let company_records = client
        .list_all_records(&created.table_id, &view_id)
        .await
        .expect("records");
    let company_domains = values_of(&company_table, &company_records, "Domain");

    let mut company_domain = column(
        text.name("Company Domain"),
        ColumnKind::FromSource {
            path: text.name("company_domain"),
        },
    );
    company_domain.data_type = Some(DataType::Url);
    let people = table(
        text.name("People"),
        Some(SourceKind::FindPeople(FindPeople {
            company_table: Some(text.name("Companies")),
            job_titles: vec!["CTO".into()],
            limit: 5,
            ..FindPeople::default()
        })),
        vec![company_domain],
    );
    let request = cpj_request(
        WORKSPACE,
        "Outreach",
        created.workbook_id.as_deref(),
        "People",
        source_of(&people),
        Some(&created.table_id),
        basic_fields(&people),
    )
    .expect("a search source");

    let waiting = client
        .create_cpj_table(&request.clone().with_disable_trigger(true))
        .await
        .expect("people, not yet searched");
    assert_eq!(
        client
            .count_records(&waiting.table_id)
            .await
            .expect("count"),
        0
    );

    let answer = client.create_cpj_table(&request).await.expect("people");
    assert_eq!(answer.workbook_id, created.workbook_id);
    let people_table = client
        .get_table(&answer.table_id)
        .await
        .expect("table")
        .table;
    assert_eq!(people_table.table_type.as_deref(), Some("people"));
    let records = client
        .list_all_records(&answer.table_id, answer.view_id.as_deref().expect("a view"))
        .await
        .expect("records");
    assert_eq!(records.len(), 5, "3 at the first company, 2 at the second");
    let domains = values_of(&people_table, &records, "Company Domain");
    assert!(
        domains
            .iter()
            .all(|domain| company_domains.contains(domain)),
        "{domains:?}"
    );
}

#[tokio::test]
async fn a_plain_table_has_no_source_column() {
    let (_emulator, client) = emulator_and_client(0).await;
    let created = client
        .create_table("Plain", "spreadsheet", None)
        .await
        .expect("table");
    assert_eq!(source_field_id(&created.table), None);
}
