//! Reference-shaped Clay payloads (`tests/fixtures/clay/`) deserialize, both readings of every
//! recorded conflict included, and the live table of every kind reads back as spec columns.

mod provider_support;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use clayform::model::{ColumnKind, DataType};
use clayform::provider::ClayErrorKind;
use clayform::provider::translate::{NameMap, field_to_column};
use clayform::provider::wire::error_body::ClayErrorBody;
use clayform::provider::wire::field::FieldAnswer;
use clayform::provider::wire::record::{RecordList, SingleRecordPatch};
use clayform::provider::wire::run::RunStatusAnswer;
use clayform::provider::wire::source::SourceList;
use clayform::provider::wire::table::TableEnvelope;
use clayform::provider::wire::workbook::WorkbookList;
use clayform::provider::wire::workspace::{ApiRoot, WorkspaceId, WorkspaceList};
use provider_support::{MockClay, Reply};

fn fixture_text(name: &str) -> String {
    let path = format!("{}/tests/fixtures/clay/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn fixture<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&fixture_text(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}

#[test]
fn a_table_with_every_kind_of_field_deserializes() {
    let envelope: TableEnvelope = fixture("table_every_kind.json");
    let table = envelope.table;
    assert_eq!(table.workspace_id, Some(WorkspaceId(1_080_480)));
    assert_eq!(table.fields.len(), 9);
    assert!(table.field("f_created_at").expect("system").is_system());
    assert!(!table.field("f_domain").expect("domain").is_system());
    let score = table.field("f_score").expect("score");
    assert_eq!(
        score.settings_error[0].error_type.as_deref(),
        Some("INVALID_FORMULA_MISSING_INPUT_FIELD")
    );
    let email = table.field("f_email").expect("email");
    assert_eq!(
        email
            .action_definition
            .as_ref()
            .and_then(|d| d.key.as_deref()),
        Some("leadmagic-find-work-email")
    );
    assert_eq!(email.conditional_run_field_ids, ["f_domain"]);
    // `views` wins over the older `gridViews` when both are present.
    assert_eq!(table.views.len(), 2);
    assert_eq!(table.default_view_id(), Some("gv_0tczmx2mhzSo3mFsrYs"));
    assert_eq!(table.views[0].fields["f_name"].is_visible, Some(true));
    // `AUTO_RUN_ON` wins over `autoRun`.
    assert_eq!(table.auto_run(), Some(false));

    let legacy: TableEnvelope = fixture("table_grid_views.json");
    assert_eq!(legacy.table.views[0].id, "gv_G58JF9KCsqjj");
    assert_eq!(legacy.table.auto_run(), Some(true));
}

#[test]
fn live_fields_read_back_as_spec_columns() {
    let envelope: TableEnvelope = fixture("table_every_kind.json");
    let table = envelope.table;
    let names = NameMap::from_table(&table);
    let column = |id: &str| field_to_column(table.field(id).expect(id), &names, None).expect(id);

    assert!(
        matches!(column("f_name").kind, ColumnKind::FromSource { ref path } if path.text == "name")
    );
    let domain = column("f_domain");
    assert_eq!(domain.kind, ColumnKind::Input);
    assert_eq!(domain.data_type, Some(DataType::Url));
    assert_eq!(
        column("f_stage").data_type,
        Some(DataType::Select {
            options: vec!["New".into(), "Won".into()]
        })
    );
    match column("f_upper").kind {
        ColumnKind::Formula { formula } => assert_eq!(formula.text, "UPPER({{Name}})+\"\""),
        other => panic!("{other:?}"),
    }
    let email = column("f_email");
    assert_eq!(
        email.run_if.map(|t| t.text).as_deref(),
        Some("!!{{Domain}}")
    );
    match email.kind {
        ColumnKind::Enrichment(enrichment) => {
            assert_eq!(enrichment.action.text, "leadmagic-find-work-email");
            assert_eq!(enrichment.auth_account.as_deref(), Some("aa_xnyqeMxKyUtm"));
            assert_eq!(enrichment.inputs.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    match column("f_score").kind {
        ColumnKind::Ai(ai) => {
            assert_eq!(ai.prompt.text, "Score {{Name}} ({{Domain}}) — fit 1-10");
            assert_eq!(ai.model.map(|m| m.text).as_deref(), Some("clay-argon"));
            assert_eq!(ai.use_case, None, "claygent is clay-argon's default");
            let output = ai.output.expect("schema");
            assert_eq!(
                output.fields.keys().next().map(|k| k.text.as_str()),
                Some("score")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn records_with_metadata_external_content_and_odd_ids_deserialize() {
    let records = fixture::<RecordList>("records.json").into_vec();
    let first = &records[0];
    let score = &first.cells["f_score"];
    assert_eq!(score.status(), Some("SUCCESS"));
    assert_eq!(score.full_value()["score"], 9);
    let stale = first.cells["f_email"].metadata.as_ref().expect("metadata");
    assert_eq!(
        (stale.is_stale, stale.stale_reason.as_deref()),
        (Some(true), Some("TABLE_AUTO_RUN_OFF"))
    );
    assert_eq!(first.cells["f_domain"].value, 42);
    assert_eq!(first.cells["f_stage"].value, json!(["New"]));
    assert_eq!(
        first.cells["f_score"].metadata.as_ref().expect("m").extra["imagePreview"],
        "https://x/y.png"
    );
    assert_eq!(records[1].id, "12345");
    assert_eq!(records[1].cells["f_name"].value, "bare value");
    assert_eq!(records[1].cells["f_flag"].value, true);
}

#[test]
fn runstatus_reads_counts_and_pending() {
    let pending: RunStatusAnswer = fixture("runstatus_pending.json");
    assert!(pending.is_pending());
    let done: RunStatusAnswer = fixture("runstatus_counts.json");
    assert!(!done.is_pending());
    let counts = done.counts();
    assert_eq!(counts["f_email"][1].status, "RUNNING");
    assert!(counts["f_new"].is_empty());
    let whole: RunStatusAnswer =
        serde_json::from_value(json!({"statusCountsByField": "_pending"})).expect("whole");
    assert!(whole.is_pending());
}

#[test]
fn both_readings_of_each_conflict_deserialize() {
    for name in [
        "workbooks_bare.json",
        "workbooks_wrapped.json",
        "workbooks_results.json",
    ] {
        let workbooks = fixture::<WorkbookList>(name).into_vec();
        assert_eq!(workbooks[0].id, "wb_1", "{name}");
    }
    for name in ["field_answer_wrapped.json", "field_answer_bare.json"] {
        assert_eq!(
            fixture::<FieldAnswer>(name).into_field().id,
            "f_bu5mcFgUkc5q",
            "{name}"
        );
    }
    let raw: SingleRecordPatch = fixture("record_patch_raw.json");
    let wrapped: SingleRecordPatch = fixture("record_patch_cells.json");
    assert_eq!(raw, wrapped);
    let root: ApiRoot = fixture("api_root.json");
    assert_eq!(
        root.workspace_ids(),
        [WorkspaceId(1_080_480), WorkspaceId(447_061)]
    );
    let workspaces = fixture::<WorkspaceList>("my_workspaces.json").into_vec();
    assert_eq!(workspaces[1].id, WorkspaceId(447_061));
    let sources = fixture::<SourceList>("sources.json").into_vec();
    assert!(sources[0].webhook_url().expect("url").contains("webhook"));
}

#[tokio::test]
async fn each_error_body_maps_to_a_typed_error() {
    let cases: Vec<Value> = fixture("errors.json");
    for case in cases {
        let status = u16::try_from(case["status"].as_u64().expect("status")).expect("u16");
        let body = case["body"].clone();
        let parsed: ClayErrorBody = serde_json::from_value(body.clone()).expect("error body");
        assert!(!parsed.message_text().is_empty());
        if status == 200 {
            continue;
        }
        let reply_body = body.clone();
        let mock = MockClay::start(move |_, _| Reply::Json(status, reply_body.clone())).await;
        let error = mock
            .client()
            .get_table("t_x")
            .await
            .expect_err("error status");
        match error.kind.as_ref() {
            ClayErrorKind::Api {
                status: got,
                clay_type,
                message,
                ..
            } => {
                assert_eq!(*got, status);
                assert_eq!(clay_type.as_deref(), body["type"].as_str());
                assert_eq!(message, body["message"].as_str().expect("message"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            error.is_not_found(),
            status == 404 && body["type"] == "NotFound"
        );
    }
}
