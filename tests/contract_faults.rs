//! The client's retries and ambiguous-create lookups against the emulator's fault injection: at a
//! 20 % fault rate (429s, 5xx, dropped connections, latency, and faults that land *after* the
//! write) over many seeds, a workload of creates and patches succeeds, and once faults are off,
//! plain reads prove that no workbook, table, field or record was created twice and none is
//! missing. Faults are counted from `/__emulator/stats`, so a run that saw none fails.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use serde_json::{Map, Value, json};
use tokio::task::JoinSet;

use clayform::catalog::Catalog;
use clayform::emulator::{EmulatorConfig, RunSpeed, RunningEmulator, start};
use clayform::model::{
    Ai, Column, ColumnKind, DataType, Enrichment, InputValue, Lookup, Name, OutputSchema,
    OutputType, Template, UseCase,
};
use clayform::provider::translate::{
    ActionParameter, NameMap, ResolvedAction, column_to_field, template_from_text,
};
use clayform::provider::wire::field::PatchFieldRequest;
use clayform::provider::wire::record::{NewRecord, RecordPatch};
use clayform::provider::{
    ClayClient, ClayClientConfig, ClayError, ClayErrorKind, Credentials, RetryPolicy, WorkspaceId,
};
use clayform::source::Span;

const SEEDS: u64 = 24;
const FAULT_RATE: f64 = 0.2;
const WORKSPACE: u64 = 1_080_480;
const WORKBOOK_NAME: &str = "Fault Workbook";
const ROWS: usize = 30;
/// The fields the workload leaves on the Companies table, after its rename.
const COMPANY_FIELDS: [&str; 9] = [
    "Name",
    "Domain",
    "Headcount",
    "Tier",
    "Upper",
    "Big",
    "Work Email",
    "ICP Score",
    "Person Row",
];

fn fault_tolerant_client(emulator: &RunningEmulator) -> ClayClient {
    let mut config = ClayClientConfig::new(emulator.url(), Credentials::api_key("test-key"));
    config.workspace_id = Some(WorkspaceId(WORKSPACE));
    config.pacing = clayform::provider::Pacing::Off;
    // Ten attempts make a call fail only after ten faults in a row (0.2^10 ≈ 1e-7).
    config.retry = RetryPolicy {
        max_attempts: 10,
        min_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(20),
        max_total_time: Duration::from_secs(30),
    };
    config.request_timeout = Duration::from_secs(10);
    config.runstatus_pending_wait = Duration::from_millis(20);
    ClayClient::new(config).expect("client")
}

fn name(text: &str) -> Name {
    Name::new(text, Span::default())
}

fn template(text: &str) -> Template {
    template_from_text(text)
}

fn column(column_name: &str, kind: ColumnKind, data_type: Option<DataType>) -> Column {
    Column {
        name: name(column_name),
        kind,
        data_type,
        description: None,
        run_if: None,
        run_as_button: false,
        renamed_from: Vec::new(),
        protect: false,
        span: Span::default(),
    }
}

fn email_finder() -> ResolvedAction {
    let info = Catalog::builtin()
        .resolved_action("email_finder")
        .expect("catalog has email_finder");
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

/// The Companies columns in creation order (each only references earlier ones).
fn company_columns() -> Vec<(Column, Option<ResolvedAction>)> {
    let input = |n: &str, t: DataType| (column(n, ColumnKind::Input, Some(t)), None);
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
        None,
    );
    email.run_if = Some(template("!!{{Domain}}"));
    vec![
        input("Name", DataType::Text),
        input("Domain", DataType::Url),
        input("Employees", DataType::Number),
        input(
            "Tier",
            DataType::Select {
                options: vec!["A".into(), "B".into()],
            },
        ),
        (
            column(
                "Upper",
                ColumnKind::Formula {
                    formula: template("UPPER({{Name}})"),
                },
                None,
            ),
            None,
        ),
        (
            column(
                "Big",
                ColumnKind::Formula {
                    formula: template("{{Employees}} > 500"),
                },
                Some(DataType::Boolean),
            ),
            None,
        ),
        (email, Some(email_finder())),
        (
            column(
                "ICP Score",
                ColumnKind::Ai(Ai {
                    model: Some(name("gpt-4.1-mini")),
                    prompt: template("Score {{Name}} from 1 to 10"),
                    system_prompt: None,
                    use_case: Some(UseCase::Content),
                    output: Some(OutputSchema {
                        fields: IndexMap::from([(name("score"), OutputType::Number)]),
                        span: Span::default(),
                    }),
                    temperature: None,
                    max_cost_cents: None,
                }),
                None,
            ),
            None,
        ),
        (
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
                None,
            ),
            None,
        ),
    ]
}

fn record_id(index: usize) -> String {
    format!("r_fault{index:04}")
}

/// What the workload managed to do; on failure, how far it got.
#[derive(Debug, Default)]
struct Progress {
    workbook_id: Option<String>,
    companies_id: Option<String>,
    people_id: Option<String>,
    fields_created: Vec<String>,
    records_inserted: bool,
    patched: bool,
}

/// Creates and patches through the client, as `apply` would.
async fn run_workload(
    client: &ClayClient,
    seed: u64,
    progress: &mut Progress,
) -> Result<(), ClayError> {
    let workbook = client.create_workbook(WORKBOOK_NAME, None).await?;
    progress.workbook_id = Some(workbook.id.clone());
    let people = client
        .create_table("People", "people", Some(&workbook.id))
        .await?
        .table;
    progress.people_id = Some(people.id.clone());
    let companies = client
        .create_table("Companies", "company", Some(&workbook.id))
        .await?
        .table;
    progress.companies_id = Some(companies.id.clone());
    client.set_auto_run(&people.id, false).await?;
    client.set_auto_run(&companies.id, false).await?;

    let mut people_names = NameMap::from_table(&people);
    let domain = column("Company Domain", ColumnKind::Input, Some(DataType::Url));
    let request = column_to_field(&domain, &people_names, None).expect("translates");
    let people_domain = client.create_field(&people.id, &request).await?;
    people_names
        .fields
        .insert("Company Domain".into(), people_domain.id.clone());
    progress.fields_created.push("People.Company Domain".into());

    let mut names = NameMap::from_table(&companies);
    names.tables.insert("People".into(), people.id.clone());
    names
        .table_fields
        .insert("People".into(), people_names.fields.clone());
    for (spec, action) in company_columns() {
        let request = column_to_field(&spec, &names, action.as_ref()).expect("translates");
        let field = client.create_field(&companies.id, &request).await?;
        names.fields.insert(spec.name.as_str().to_owned(), field.id);
        progress
            .fields_created
            .push(format!("Companies.{}", spec.name.as_str()));
    }

    let rows: Vec<NewRecord> = (0..ROWS)
        .map(|index| NewRecord {
            id: Some(record_id(index)),
            cells: IndexMap::from([
                (
                    names.fields["Name"].clone(),
                    json!(format!("company {index}")),
                ),
                (names.fields["Employees"].clone(), json!(index * 40)),
            ]),
        })
        .collect();
    client.insert_records(&companies.id, &rows).await?;
    progress.records_inserted = true;

    // Patches: a rename with the whole typeSettings, a settings merge, a bulk record patch.
    let table = client.get_table(&companies.id).await?.table;
    let employees = table.field_named("Employees").expect("field exists");
    client
        .patch_field(
            &companies.id,
            &employees.id,
            &PatchFieldRequest {
                name: Some("Headcount".into()),
                description: None,
                type_settings: Some(employees.type_settings.clone()),
            },
        )
        .await?;
    client
        .update_table_settings(
            &companies.id,
            Map::from_iter([("CONTRACT_SEED".to_owned(), json!(seed))]),
        )
        .await?;
    let patches: Vec<RecordPatch> = (0..5)
        .map(|index| RecordPatch {
            id: record_id(index),
            cells: IndexMap::from([(
                names.fields["Name"].clone(),
                json!(format!("patched {index}")),
            )]),
        })
        .collect();
    client.patch_records(&companies.id, &patches).await?;
    progress.patched = true;
    Ok(())
}

/// Counts per name, for "exactly once" checks.
fn occurrences<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for name in names {
        *counts.entry(name.to_owned()).or_insert(0) += 1;
    }
    counts
}

fn duplicates(counts: &BTreeMap<String, usize>) -> Vec<String> {
    counts
        .iter()
        .filter(|(_, count)| **count > 1)
        .map(|(name, count)| format!("{name} ×{count}"))
        .collect()
}

/// What the plain reads found, faults off.
#[derive(Debug, Default)]
struct Verification {
    duplicates: Vec<String>,
    missing: Vec<String>,
}

async fn verify(client: &ClayClient, seed: u64, progress: &Progress) -> Verification {
    let mut found = Verification::default();
    let workbooks = client.list_workbooks().await.expect("list workbooks");
    let live_workbooks = workbooks.iter().filter(|w| w.deleted_at.is_none());
    let counts = occurrences(live_workbooks.map(|w| w.name.as_str()));
    found.duplicates.extend(
        duplicates(&counts)
            .into_iter()
            .map(|d| format!("workbook {d}")),
    );
    let tables = client.list_tables().await.expect("list tables");
    let counts = occurrences(tables.iter().map(|t| t.name.as_str()));
    found.duplicates.extend(
        duplicates(&counts)
            .into_iter()
            .map(|d| format!("table {d}")),
    );

    let Some(workbook_id) = &progress.workbook_id else {
        found.missing.push("workbook".into());
        return found;
    };
    let in_workbook = client
        .list_workbook_tables(workbook_id)
        .await
        .expect("list workbook tables");
    for table in ["People", "Companies"] {
        if !in_workbook.iter().any(|t| t.name == table) {
            found.missing.push(format!("table {table}"));
        }
    }

    for (table_id, expected) in [
        (&progress.people_id, vec!["Company Domain"]),
        (&progress.companies_id, COMPANY_FIELDS.to_vec()),
    ] {
        let Some(table_id) = table_id else { continue };
        let table = client.get_table(table_id).await.expect("get table").table;
        let user_fields = table.fields.iter().filter(|f| !f.is_system());
        let counts = occurrences(user_fields.map(|f| f.name.as_str()));
        found.duplicates.extend(
            duplicates(&counts)
                .into_iter()
                .map(|d| format!("{}.{d}", table.name)),
        );
        // After a complete workload every field must exist; after a partial one, every field
        // the client reported as created (under its name at that point).
        let created_here: Vec<&str> = progress
            .fields_created
            .iter()
            .filter_map(|f| f.strip_prefix(&format!("{}.", table.name)))
            .collect();
        let wanted: Vec<&str> = if progress.patched {
            expected
        } else {
            created_here
        };
        for field in wanted {
            if !counts.contains_key(field) {
                found.missing.push(format!("{}.{field}", table.name));
            }
        }
        if table.name == "Companies" && progress.patched {
            assert_eq!(
                table.table_settings.get("CONTRACT_SEED"),
                Some(&json!(seed)),
                "seed {seed}: settings patch"
            );
            assert_eq!(table.auto_run(), Some(false), "seed {seed}: auto-run off");
            assert!(
                !counts.contains_key("Employees"),
                "seed {seed}: renamed field still under its old name"
            );
        }
    }

    if let (Some(companies_id), true) = (&progress.companies_id, progress.records_inserted) {
        let table = client.get_table(companies_id).await.expect("get").table;
        let view_id = table.default_view_id().expect("view").to_owned();
        let ids = client
            .record_ids(companies_id, &view_id)
            .await
            .expect("record ids");
        let counts = occurrences(ids.iter().map(String::as_str));
        found.duplicates.extend(
            duplicates(&counts)
                .into_iter()
                .map(|d| format!("record {d}")),
        );
        for index in 0..ROWS {
            if !counts.contains_key(&record_id(index)) {
                found.missing.push(format!("record {}", record_id(index)));
            }
        }
        let total = client.count_records(companies_id).await.expect("count");
        assert_eq!(
            total,
            ids.len() as u64,
            "seed {seed}: /count agrees with the ids"
        );
        assert_eq!(
            total,
            ROWS as u64 + 1,
            "seed {seed}: the rows plus Clay's blank row"
        );
        if progress.patched {
            let name_id = table.field_named("Name").expect("Name").id.clone();
            let patched: Vec<String> = (0..5).map(record_id).collect();
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                let records = client
                    .bulk_fetch_records(companies_id, &patched, &[])
                    .await
                    .expect("fetch");
                let applied = records.iter().enumerate().all(|(index, record)| {
                    record.cells.get(&name_id).map(|c| &c.value)
                        == Some(&json!(format!("patched {index}")))
                });
                if applied && records.len() == 5 {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "seed {seed}: record patches never applied"
                );
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        }
    }
    found
}

/// Whether a failure is the legitimate end of retrying (faults kept coming), not a bug.
fn is_exhausted_retries(error: &ClayError) -> bool {
    error.is_ambiguous()
        || matches!(
            error.kind.as_ref(),
            ClayErrorKind::Api { status: 429, .. } | ClayErrorKind::Connect { .. }
        )
}

async fn post_emulator(emulator: &RunningEmulator, path: &str, body: &Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", emulator.url()))
        .json(body)
        .send()
        .await
        .expect("emulator side endpoint");
    assert!(response.status().is_success(), "{path}");
}

async fn emulator_stats(emulator: &RunningEmulator) -> Value {
    reqwest::get(format!("{}/__emulator/stats", emulator.url()))
        .await
        .expect("stats")
        .json()
        .await
        .expect("stats json")
}

#[derive(Debug)]
struct SeedReport {
    seed: u64,
    outcome: Result<(), String>,
    /// False when the workload failed for a reason other than faults that kept coming.
    legitimate_failure: bool,
    requests: u64,
    faults: u64,
    faults_by_kind: BTreeMap<String, u64>,
    verification: Verification,
}

async fn run_seed(seed: u64, fault_rate: f64) -> SeedReport {
    let emulator = start(EmulatorConfig {
        fault_rate,
        seed,
        cell_error_rate: 0.0,
        run_speed: RunSpeed::FAST,
        latency_ms: 0,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator");
    let client = fault_tolerant_client(&emulator);
    let mut progress = Progress::default();
    let outcome = run_workload(&client, seed, &mut progress).await;
    let stats = emulator_stats(&emulator).await;
    post_emulator(&emulator, "/__emulator/config", &json!({"faultRate": 0})).await;
    let verification = verify(&client, seed, &progress).await;
    let legitimate_failure = outcome.as_ref().err().is_none_or(is_exhausted_retries);
    let faults_by_kind = stats["faultsByKind"]
        .as_object()
        .map(|kinds| {
            kinds
                .iter()
                .map(|(kind, count)| (kind.clone(), count.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    SeedReport {
        seed,
        outcome: outcome.map_err(|error| error.to_string()),
        legitimate_failure,
        requests: stats["totalRequests"].as_u64().unwrap_or(0),
        faults: stats["faultsInjected"].as_u64().unwrap_or(0),
        faults_by_kind,
        verification,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_and_patches_survive_a_20_percent_fault_rate_without_duplicates() {
    let started = Instant::now();
    let baseline = run_seed(SEEDS, 0.0).await;
    assert!(baseline.outcome.is_ok(), "{baseline:?}");
    assert_eq!(baseline.faults, 0);
    assert!(
        baseline.verification.duplicates.is_empty() && baseline.verification.missing.is_empty()
    );

    let mut seeds = JoinSet::new();
    for seed in 0..SEEDS {
        seeds.spawn(run_seed(seed, FAULT_RATE));
    }
    let mut reports = Vec::new();
    while let Some(report) = seeds.join_next().await {
        reports.push(report.expect("seed task"));
    }
    reports.sort_by_key(|report| report.seed);

    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    for report in &reports {
        for (kind, count) in &report.faults_by_kind {
            *by_kind.entry(kind.clone()).or_insert(0) += count;
        }
    }
    let total_faults: u64 = reports.iter().map(|r| r.faults).sum();
    let total_requests: u64 = reports.iter().map(|r| r.requests).sum();
    let extra_requests = total_requests.saturating_sub(baseline.requests * SEEDS);
    let failed: Vec<&SeedReport> = reports.iter().filter(|r| r.outcome.is_err()).collect();
    let all_duplicates: Vec<String> = reports
        .iter()
        .flat_map(|r| {
            r.verification
                .duplicates
                .iter()
                .map(move |d| format!("seed {}: {d}", r.seed))
        })
        .collect();
    eprintln!(
        "fault suite: {SEEDS} seeds at {FAULT_RATE}, {total_requests} requests ({} per seed \
         without faults), {total_faults} faults injected {by_kind:?}, {extra_requests} extra \
         requests (retries and lookups), {} duplicates, {} seeds failed, {:.1?}",
        baseline.requests,
        all_duplicates.len(),
        failed.len(),
        started.elapsed()
    );
    for report in &failed {
        eprintln!(
            "seed {} failed: {:?} (missing: {:?}, duplicates: {:?})",
            report.seed,
            report.outcome,
            report.verification.missing,
            report.verification.duplicates
        );
    }

    assert!(all_duplicates.is_empty(), "duplicates: {all_duplicates:#?}");
    for report in &reports {
        assert!(
            report.legitimate_failure,
            "seed {}: the workload failed with a non-transient error: {:?}",
            report.seed, report.outcome
        );
        assert!(
            report.faults > 0,
            "seed {} saw no fault: it proves nothing",
            report.seed
        );
        if report.outcome.is_ok() {
            assert!(
                report.verification.missing.is_empty(),
                "seed {}: missing {:?}",
                report.seed,
                report.verification.missing
            );
        }
    }
    for kind in [
        "429",
        "500",
        "502",
        "drop",
        "drop_after_write",
        "502_after_write",
    ] {
        assert!(
            by_kind.get(kind).copied().unwrap_or(0) > 0,
            "no `{kind}` fault was injected: {by_kind:?}"
        );
    }
    assert!(
        failed.len() <= 1,
        "with 10 attempts per call, exhausting retries is a one-in-millions event, not {} of \
         {SEEDS} seeds",
        failed.len()
    );
}
