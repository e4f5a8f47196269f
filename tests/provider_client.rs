//! The Clay client against a local mock: request shapes, retries, ambiguous creates, read-back
//! and credential redaction. No test reaches the internet.

mod provider_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use serde_json::{Value, json};

use clayform::provider::wire::field::{CreateFieldRequest, PatchFieldRequest};
use clayform::provider::wire::record::NewRecord;
use clayform::provider::wire::run::RunRecords;
use clayform::provider::{ClayErrorKind, Credentials};
use provider_support::{MockClay, Recorded, Reply, count};

fn table_json(fields: &[Value], settings: &Value) -> Value {
    json!({"table": {"id": "t_1", "name": "Companies", "type": "company", "workspaceId": 1080480,
        "workbookId": "wb_1", "firstViewId": "gv_1", "tableSettings": settings,
        "fields": fields, "views": [{"id": "gv_1", "name": "Default view", "fields": {}}]},
        "extraData": {}})
}

/// A small stateful Clay: one table whose fields and settings change with writes.
fn happy_clay() -> impl Fn(&Recorded, &[Recorded]) -> Reply + Send + Sync {
    let fields: Arc<Mutex<Vec<Value>>> = Arc::new(Mutex::new(vec![json!({"id": "f_created_at",
        "name": "Created At", "type": "date", "typeSettings": {"dataTypeSettings": {"type": "date"}},
        "lockSettings": {"lockDelete": true, "lockUpdateCells": true, "lockUpdateSettings": true}})]));
    let settings = Arc::new(Mutex::new(
        json!({"AUTO_RUN_ON": true, "HAS_SCHEDULED_RUNS": false}),
    ));
    let sources = Arc::new(Mutex::new(Vec::<Value>::new()));
    move |request, earlier| {
        let mut fields = fields.lock().expect("lock");
        let mut settings = settings.lock().expect("lock");
        let body = &request.body;
        match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/v3") => Reply::Json(
                200,
                json!({"status": "ok", "version": "v2026",
                "auth": {"email": "a@b.c", "actor": {"userId": 7},
                "abilities": {"M": [{"action": "manage", "conditions": {"id": "1080480"}}]}}}),
            ),
            ("GET", "/v3/me") => Reply::Json(
                200,
                json!({"id": 7, "email": "a@b.c", "apiToken": "x", "lastWorkspaceId": 1080480}),
            ),
            ("GET", "/v3/my-workspaces") => Reply::Json(
                200,
                json!({"results": [{"id": 1080480, "name": "Acme", "credits": {"basic": 10}}]}),
            ),
            ("POST", "/v3/workbooks") => Reply::Json(
                200,
                json!({"id": "wb_1", "name": body["name"], "workspaceId": 1080480, "settings": {}}),
            ),
            ("GET", "/v3/workspaces/1080480/workbooks") => {
                Reply::Json(200, json!({"results": [{"id": "wb_1", "name": "CA SaaS"}]}))
            }
            ("GET", "/v3/workbooks/wb_1/tables") => Reply::Json(
                200,
                json!([{"id": "t_1", "name": "Companies", "type": "company"}]),
            ),
            ("DELETE", "/v3/workspaces/1080480/resources/") => Reply::Empty(204),
            ("POST", "/v3/tables") => Reply::Json(
                200,
                json!({"table": {"id": "t_1", "name": body["name"], "type": body["type"]},
                "extraData": {"newlyCreatedWorkbook": {"id": "wb_new", "name": body["name"]}}}),
            ),
            ("GET", "/v3/tables/t_1") => Reply::Json(200, table_json(&fields, &settings)),
            ("PATCH", "/v3/tables/t_1") => {
                if let Some(new) = body["tableSettings"].as_object() {
                    for (key, value) in new {
                        settings[key] = value.clone();
                    }
                }
                if let Some(add) = body.pointer("/sourceSettings/addSource/source") {
                    sources.lock().expect("lock").push(json!({"id": "s_1", "name": add["name"], "type": "webhook",
                        "state": {"url": "https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-1"},
                        "sourceSubscriptions": [{"tableId": "t_1", "fieldId": "f_src"}]}));
                }
                Reply::Json(200, table_json(&fields, &settings))
            }
            ("GET", "/v3/workspaces/1080480/tables") => Reply::Json(
                200,
                json!({"results": [{"id": "t_1", "name": "Companies"}]}),
            ),
            ("GET", "/v3/tables/t_1/count") => {
                Reply::Json(200, json!({"tableTotalRecordsCount": 2}))
            }
            ("POST", "/v3/tables/t_1/fields") => {
                let field = json!({"id": format!("f_{}", fields.len()), "name": body["name"], "type": body["type"],
                    "typeSettings": body["typeSettings"]});
                fields.push(field.clone());
                Reply::Json(200, json!({"field": field}))
            }
            ("PATCH", path) if path.starts_with("/v3/tables/t_1/fields/") => {
                let id = path.rsplit('/').next().unwrap_or_default();
                let Some(field) = fields.iter_mut().find(|field| field["id"] == id) else {
                    return Reply::Json(
                        404,
                        json!({"type": "NotFound", "message": "Field does not exist"}),
                    );
                };
                if !body["typeSettings"].is_null() {
                    field["typeSettings"] = body["typeSettings"].clone();
                }
                Reply::Json(200, field.clone())
            }
            ("DELETE", _) => Reply::Json(200, json!({})),
            ("POST", "/v3/tables/t_1/views") => Reply::Json(
                200,
                json!({"id": "gv_2", "name": body["name"], "fields": {}, "filter": null}),
            ),
            ("PATCH", path) if path.starts_with("/v3/tables/t_1/views/") => {
                Reply::Json(200, json!({}))
            }
            ("POST", "/v3/tables/t_1/records") => {
                let records: Vec<Value> = body["records"].as_array().cloned().unwrap_or_default().iter().enumerate()
                    .map(|(index, record)| json!({"id": record.get("id").cloned().unwrap_or(json!(format!("r_{index}"))),
                        "cells": {}})).collect();
                Reply::Json(200, json!({"records": records}))
            }
            ("GET", "/v3/tables/t_1/views/gv_1/records") => Reply::Json(
                200,
                json!({"results": [
                {"id": "r_1", "cells": {"f_1": {"value": "Acme"}}}, {"id": 2, "cells": {}}]}),
            ),
            ("GET", "/v3/tables/t_1/views/gv_1/records/ids") => {
                Reply::Json(200, json!({"results": ["r_1", "r_2"]}))
            }
            ("POST", "/v3/tables/t_1/bulk-fetch-records") => Reply::Json(
                200,
                json!({"results": body["recordIds"].as_array()
                .cloned().unwrap_or_default().iter().map(|id| json!({"id": id, "cells": {}})).collect::<Vec<_>>()}),
            ),
            ("PATCH", "/v3/tables/t_1/records") => Reply::Json(
                200,
                json!({"records": [], "extraData": {"message": "Record updates enqueued"}}),
            ),
            ("PATCH", "/v3/tables/t_1/records/r_1") => {
                Reply::Json(200, json!({"message": "Record updates enqueued"}))
            }
            ("PATCH", "/v3/tables/t_1/run") => {
                Reply::Json(200, json!({"recordCount": 2, "runMode": "INDIVIDUAL"}))
            }
            ("GET", "/v3/workspaces/1080480/tables/t_1/fields/runstatus") => {
                if count(earlier, "GET", &request.path) == 0 {
                    Reply::Json(200, json!({"statusCountsByField": {"f_1": "_pending"}}))
                } else {
                    Reply::Json(
                        200,
                        json!({"statusCountsByField": {"f_1": [{"status": "SUCCESS", "count": 2}], "f_2": []}}),
                    )
                }
            }
            ("GET", "/v3/sources") => {
                Reply::Json(200, Value::Array(sources.lock().expect("lock").clone()))
            }
            ("GET", "/v3/sources/s_1") => Reply::Json(
                200,
                json!({"id": "s_1", "name": "Inbound", "type": "webhook"}),
            ),
            ("POST", "/v3/sources/create-cpj-table") => Reply::Json(
                200,
                json!({"tableId": "t_9", "viewId": "gv_9",
                "workbookId": "wb_9", "sourceId": "s_9", "isNewTable": true}),
            ),
            _ => Reply::Json(404, json!({"type": "NoMatchingURL", "message": "no route"})),
        }
    }
}

fn formula_field(name: &str, formula: &str) -> CreateFieldRequest {
    CreateFieldRequest {
        name: name.into(),
        field_type: "formula".into(),
        type_settings: json!({"formulaText": formula, "formulaType": "text",
            "dataTypeSettings": {"type": "text"}}),
        description: None,
        active_view_id: None,
    }
}

#[tokio::test]
async fn requests_use_the_raw_api_key_and_json_headers() {
    let mock = MockClay::start(happy_clay()).await;
    let client = mock.client();
    client.get_table("t_1").await.expect("table");
    let request = &mock.requests()[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/v3/tables/t_1");
    assert_eq!(request.headers["authorization"], "clay_user_TESTKEY");
    assert!(
        !request.headers["authorization"]
            .to_str()
            .expect("ascii")
            .starts_with("Bearer")
    );
    assert_eq!(request.headers["accept"], "application/json");
    assert!(request.headers.get("cookie").is_none());
}

#[tokio::test]
async fn a_session_is_sent_as_the_claysession_cookie() {
    let mock = MockClay::start(happy_clay()).await;
    let client = mock.client_with(Credentials::session_cookie("s%3Asid.sig"));
    client.me().await.expect("me");
    let request = &mock.requests()[0];
    assert_eq!(request.headers["cookie"], "claysession=s%3Asid.sig");
    assert!(request.headers.get("authorization").is_none());
}

#[tokio::test]
async fn workspace_discovery_reads_abilities_me_and_workspaces() {
    let mock = MockClay::start(happy_clay()).await;
    let client = mock.client();
    assert_eq!(
        client.discover_workspace_id().await.expect("ws").0,
        1_080_480
    );
    assert_eq!(
        client
            .me()
            .await
            .expect("me")
            .last_workspace_id
            .map(|id| id.0),
        Some(1_080_480)
    );
    let workspaces = client.my_workspaces().await.expect("workspaces");
    assert_eq!(workspaces[0].name, "Acme");
}

#[tokio::test]
async fn workbook_and_table_operations_send_reference_shapes() {
    let mock = MockClay::start(happy_clay()).await;
    let client = mock.client();
    let workbook = client
        .create_workbook("CA SaaS", None)
        .await
        .expect("workbook");
    assert_eq!(workbook.id, "wb_1");
    assert_eq!(client.list_workbooks().await.expect("list").len(), 1);
    assert_eq!(
        client.list_workbook_tables("wb_1").await.expect("tables")[0].id,
        "t_1"
    );
    let created = client
        .create_table("Companies", "company", None)
        .await
        .expect("table");
    assert_eq!(
        created
            .newly_created_workbook
            .map(|workbook| workbook.id)
            .as_deref(),
        Some("wb_new")
    );
    assert_eq!(created.table.views[0].id, "gv_1");
    let table = client
        .set_auto_run("t_1", false)
        .await
        .expect("auto-run off");
    assert_eq!(table.auto_run(), Some(false));
    assert_eq!(client.list_tables().await.expect("tables").len(), 1);
    assert_eq!(client.count_records("t_1").await.expect("count"), 2);
    client.delete_table("t_1").await.expect("delete table");
    client
        .delete_workbooks(&["wb_1".into()])
        .await
        .expect("delete workbook");

    let requests = mock.requests();
    let find = |method: &str, path: &str| -> Recorded {
        requests
            .iter()
            .find(|r| r.method == method && r.path == path)
            .cloned()
            .expect(path)
    };
    assert_eq!(
        find("POST", "/v3/workbooks").body,
        json!({"name": "CA SaaS", "workspaceId": 1080480})
    );
    assert_eq!(
        find("POST", "/v3/tables").body,
        json!({"workspaceId": 1080480, "type": "company", "name": "Companies"})
    );
    assert_eq!(
        find("PATCH", "/v3/tables/t_1").body,
        json!({"tableSettings": {"AUTO_RUN_ON": false}})
    );
    assert_eq!(
        find("DELETE", "/v3/workspaces/1080480/resources/").body,
        json!({"tableIds": [], "workbookIds": ["wb_1"], "folderIds": [], "isPermanentDelete": false})
    );
    assert!(
        requests
            .iter()
            .any(|r| r.method == "DELETE" && r.path == "/v3/tables/t_1")
    );
    assert_eq!(
        find("POST", "/v3/tables").headers["content-type"],
        "application/json"
    );
}

#[tokio::test]
async fn field_create_patch_and_delete_are_read_back() {
    let mock = MockClay::start(happy_clay()).await;
    let client = mock.client();
    let field = client
        .create_field("t_1", &formula_field("Upper", "UPPER({{f_0}}) + \"\""))
        .await
        .expect("create");
    assert_eq!(field.id, "f_1");
    let mut settings = field.type_settings.clone();
    settings["formulaText"] = json!("LOWER({{f_0}})");
    let patched = client
        .patch_field(
            "t_1",
            "f_1",
            &PatchFieldRequest {
                type_settings: Some(settings.clone()),
                ..Default::default()
            },
        )
        .await
        .expect("patch");
    assert_eq!(
        patched.type_setting_str("formulaText"),
        Some("LOWER({{f_0}})")
    );
    client.delete_field("t_1", "f_1").await.expect("delete");
    client
        .delete_fields("t_1", &["f_2".into(), "f_3".into()])
        .await
        .expect("bulk delete");

    let requests = mock.requests();
    let post = requests.iter().find(|r| r.method == "POST").expect("post");
    assert_eq!(post.path, "/v3/tables/t_1/fields");
    assert_eq!(post.body["activeViewId"], "gv_1");
    assert_eq!(post.body["typeSettings"]["formulaType"], "text");
    let patch = requests
        .iter()
        .find(|r| r.method == "PATCH")
        .expect("patch");
    assert_eq!(patch.path, "/v3/tables/t_1/fields/f_1");
    assert_eq!(patch.body, json!({"typeSettings": settings}));
    let bulk = requests
        .iter()
        .find(|r| r.method == "DELETE" && r.path == "/v3/tables/t_1/fields")
        .expect("bulk");
    assert_eq!(bulk.body, json!({"fieldIds": ["f_2", "f_3"]}));
}

#[tokio::test]
async fn views_records_runs_and_sources_send_reference_shapes() {
    use clayform::provider::wire::record::RecordPatch;
    use clayform::provider::wire::view::{
        PatchViewRequest, ViewFilter, ViewFilterItem, ViewSort, ViewSortItem,
    };
    let mock = MockClay::start(happy_clay()).await;
    let client = mock.client();
    assert_eq!(
        client
            .create_view("t_1", "Qualified")
            .await
            .expect("view")
            .id,
        "gv_2"
    );
    client
        .patch_view(
            "t_1",
            "gv_2",
            &PatchViewRequest {
                name: None,
                limit: Some(50),
            },
        )
        .await
        .expect("patch view");
    client
        .set_view_filter(
            "t_1",
            "gv_2",
            &ViewFilter {
                items: vec![ViewFilterItem {
                    field_id: "f_1".into(),
                    operator: "NOT_EMPTY".into(),
                    value: None,
                }],
                combination_mode: "AND".into(),
            },
        )
        .await
        .expect("filter");
    client
        .set_view_sort(
            "t_1",
            "gv_2",
            &ViewSort {
                items: vec![ViewSortItem {
                    field_id: "f_1".into(),
                    direction: "DESC".into(),
                }],
            },
        )
        .await
        .expect("sort");
    client
        .set_view_field_visibility("t_1", "gv_2", "f_1", false)
        .await
        .expect("hide");
    client
        .delete_view("t_1", "gv_2")
        .await
        .expect("delete view");

    let rows: Vec<NewRecord> = (0..501)
        .map(|index| NewRecord {
            id: None,
            cells: IndexMap::from([("f_1".to_owned(), json!(index))]),
        })
        .collect();
    assert_eq!(
        client
            .insert_records("t_1", &rows)
            .await
            .expect("insert")
            .len(),
        501
    );
    let records = client
        .list_all_records("t_1", "gv_1")
        .await
        .expect("records");
    assert_eq!(records[1].id, "2");
    assert_eq!(records[0].cells["f_1"].value, "Acme");
    assert_eq!(
        client.record_ids("t_1", "gv_1").await.expect("ids"),
        vec!["r_1", "r_2"]
    );
    let ids: Vec<String> = (0..250).map(|index| format!("r_{index}")).collect();
    assert_eq!(
        client
            .bulk_fetch_records("t_1", &ids, &[])
            .await
            .expect("fetch")
            .len(),
        250
    );
    client
        .patch_records(
            "t_1",
            &[RecordPatch {
                id: "r_1".into(),
                cells: IndexMap::from([("f_1".to_owned(), json!("x"))]),
            }],
        )
        .await
        .expect("bulk patch");
    client
        .patch_record(
            "t_1",
            "r_1",
            &IndexMap::from([("f_1".to_owned(), json!(true))]),
        )
        .await
        .expect("patch");
    client
        .delete_records("t_1", &["r_1".into()])
        .await
        .expect("delete records");

    let run = client
        .run_fields(
            "t_1",
            &["f_1".into()],
            RunRecords::RecordIds(vec!["r_1".into()]),
            false,
        )
        .await
        .expect("run");
    assert_eq!(run.run_mode.as_deref(), Some("INDIVIDUAL"));
    let status = client.run_status("t_1").await.expect("status");
    assert_eq!(status["f_1"][0].count, 2);
    assert!(status["f_2"].is_empty());

    let source = client
        .add_webhook_source("t_1", "Inbound")
        .await
        .expect("webhook");
    assert!(
        source
            .webhook_url()
            .expect("url")
            .contains("/v3/sources/webhook/")
    );
    assert_eq!(client.get_source("s_1").await.expect("source").id, "s_1");
    client
        .delete_source("s_1", false)
        .await
        .expect("delete source");

    let requests = mock.requests();
    let all = |method: &str, path: &str| -> Vec<Recorded> {
        requests
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .cloned()
            .collect()
    };
    assert_eq!(
        all("PATCH", "/v3/tables/t_1/views/gv_2")[0].body,
        json!({"limit": 50})
    );
    assert_eq!(
        all("PATCH", "/v3/tables/t_1/views/gv_2/filter")[0].body,
        json!({"items": [{"fieldId": "f_1", "type": "NOT_EMPTY"}], "combinationMode": "AND"})
    );
    assert_eq!(
        all("PATCH", "/v3/tables/t_1/views/gv_2/sort")[0].body,
        json!({"items": [{"fieldId": "f_1", "direction": "DESC"}]})
    );
    assert_eq!(
        all("PATCH", "/v3/tables/t_1/views/gv_2/fields/f_1")[0].body,
        json!({"isVisible": false})
    );
    let inserts = all("POST", "/v3/tables/t_1/records");
    assert_eq!(inserts.len(), 2);
    assert_eq!(
        inserts[0].body["records"].as_array().map(Vec::len),
        Some(500)
    );
    assert_eq!(inserts[1].body["records"].as_array().map(Vec::len), Some(1));
    // This mock answers inserts with empty cells (CC's reading, reference §9.1): the client
    // writes the dropped values with a bulk PATCH per chunk.
    let patches = all("PATCH", "/v3/tables/t_1/records");
    assert_eq!(
        patches.len(),
        3,
        "two insert chunks re-written, then the explicit patch"
    );
    assert_eq!(
        patches[0].body["records"][7],
        json!({"id": "r_7", "cells": {"f_1": 7}})
    );
    assert_eq!(patches[1].body["records"].as_array().map(Vec::len), Some(1));
    let listing = &all("GET", "/v3/tables/t_1/views/gv_1/records")[0];
    assert_eq!(listing.query.as_deref(), Some("limit=10000"));
    assert!(
        !listing
            .query
            .as_deref()
            .unwrap_or_default()
            .contains("offset")
    );
    let fetches = all("POST", "/v3/tables/t_1/bulk-fetch-records");
    assert_eq!(fetches.len(), 2);
    assert_eq!(
        fetches[0].body["recordIds"].as_array().map(Vec::len),
        Some(200)
    );
    assert_eq!(
        all("PATCH", "/v3/tables/t_1/records")[2].body,
        json!({"records": [{"id": "r_1", "cells": {"f_1": "x"}}]})
    );
    assert_eq!(
        all("PATCH", "/v3/tables/t_1/records/r_1")[0].body,
        json!({"f_1": true})
    );
    assert_eq!(
        all("DELETE", "/v3/tables/t_1/records")[0].body,
        json!({"recordIds": ["r_1"]})
    );
    assert_eq!(
        all("PATCH", "/v3/tables/t_1/run")[0].body,
        json!({"fieldIds": ["f_1"], "runRecords": {"recordIds": ["r_1"]}, "forceRun": false, "callerName": "api"})
    );
    assert_eq!(
        all("GET", "/v3/workspaces/1080480/tables/t_1/fields/runstatus").len(),
        2
    );
    let add = &all("PATCH", "/v3/tables/t_1")[0];
    assert_eq!(
        add.body["sourceSettings"]["addSource"]["source"]["type"],
        "webhook"
    );
    assert_eq!(
        all("GET", "/v3/sources")[0].query.as_deref(),
        Some("tableId=t_1")
    );
    assert_eq!(
        all("DELETE", "/v3/sources/s_1")[0].body,
        json!({"deleteRecords": false})
    );
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    let mock = MockClay::start(|request, earlier| {
        if count(earlier, "GET", &request.path) == 0 {
            Reply::RetryAfter(429, "1".into())
        } else {
            Reply::Json(200, json!({"tableTotalRecordsCount": 5}))
        }
    })
    .await;
    let started = Instant::now();
    assert_eq!(mock.client().count_records("t_1").await.expect("count"), 5);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(mock.requests().len(), 2);
}

/// The default pacing: unlimited until Clay's first 429, which holds every request (not only the
/// throttled one) for its `Retry-After`; from then on 10 requests per second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_pacing_is_unlimited_until_a_429_then_holds_everyone_and_paces() {
    let arrivals: Arc<Mutex<Vec<(Instant, u16)>>> = Arc::default();
    let seen = arrivals.clone();
    let mock = MockClay::start(move |_, earlier| {
        let status = if earlier.len() == 30 { 429 } else { 200 };
        seen.lock().unwrap().push((Instant::now(), status));
        if status == 429 {
            Reply::RetryAfter(429, "1".into())
        } else {
            Reply::Json(200, json!({"tableTotalRecordsCount": 1}))
        }
    })
    .await;
    let mut client_config = clayform::provider::ClayClientConfig::new(
        &mock.url,
        Credentials::api_key("clay_user_TESTKEY"),
    );
    client_config.pacing = clayform::provider::Pacing::default();
    let client = clayform::provider::ClayClient::new(client_config).expect("client");

    // Before any 429: 30 requests, which 10 per second would stretch to 2 s.
    let started = Instant::now();
    for _ in 0..30 {
        client.count_records("t_1").await.expect("count");
    }
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "unpaced before a 429: {:?}",
        started.elapsed()
    );

    // The 31st request is throttled; a second one, sent while the first waits, is held too.
    let throttled = tokio::spawn({
        let client = client.clone();
        async move { client.count_records("t_1").await }
    });
    let throttled_at = loop {
        if let Some((at, _)) = arrivals.lock().unwrap().iter().find(|(_, s)| *s == 429) {
            break *at;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    client
        .count_records("t_1")
        .await
        .expect("held, then answered");
    throttled.await.unwrap().expect("retried after Retry-After");
    let after: Vec<Instant> = arrivals.lock().unwrap()[31..]
        .iter()
        .map(|(at, _)| *at)
        .collect();
    assert_eq!(after.len(), 2, "the retry and the held request");
    for at in after {
        assert!(
            at.duration_since(throttled_at) >= Duration::from_millis(950),
            "a request went out {:?} after the 429",
            at.duration_since(throttled_at)
        );
    }

    // From now on, 10 per second: 25 more requests take at least 1.5 s (8 left of the burst).
    let paced = Instant::now();
    for _ in 0..25 {
        client.count_records("t_1").await.expect("count");
    }
    assert!(
        paced.elapsed() >= Duration::from_millis(1400),
        "paced after a 429: {:?}",
        paced.elapsed()
    );
}

#[tokio::test]
async fn a_503_is_retried_and_attempts_are_bounded() {
    let mock = MockClay::start(|request, earlier| {
        if request.path == "/v3/tables/t_ok/count" && count(earlier, "GET", &request.path) > 0 {
            Reply::Json(200, json!({"tableTotalRecordsCount": 1}))
        } else {
            Reply::Json(
                503,
                json!({"type": "InternalServerError", "message": "unavailable"}),
            )
        }
    })
    .await;
    let client = mock.client();
    assert_eq!(client.count_records("t_ok").await.expect("count"), 1);
    let error = client
        .count_records("t_down")
        .await
        .expect_err("always 503");
    assert_eq!(error.attempts, 4);
    assert_eq!(error.status(), Some(503));
    assert_eq!(
        mock.requests()
            .iter()
            .filter(|r| r.path == "/v3/tables/t_down/count")
            .count(),
        4
    );
    assert!(error.to_string().contains("after 4 attempts"), "{error}");
}

#[tokio::test]
async fn a_400_is_not_retried_and_carries_clays_error() {
    let mock = MockClay::start(|_, _| {
        Reply::Json(
            400,
            json!({"type": "BadRequest", "message": "Missing data type settings",
            "details": {"bodyErrors": ["typeSettings"]}}),
        )
    })
    .await;
    let error = mock
        .client()
        .create_field(
            "t_1",
            &CreateFieldRequest {
                active_view_id: Some("gv_1".into()),
                ..formula_field("X", "1")
            },
        )
        .await
        .expect_err("400");
    assert_eq!(mock.requests().len(), 1);
    assert_eq!(error.clay_type(), Some("BadRequest"));
    assert_eq!(error.method, "POST");
    assert_eq!(error.path, "/v3/tables/t_1/fields");
    assert!(matches!(
        error.kind.as_ref(),
        ClayErrorKind::Api {
            status: 400,
            details: Some(_),
            ..
        }
    ));
}

#[tokio::test]
async fn slow_answers_time_out_and_are_retried_for_reads() {
    let mock = MockClay::start(|_, earlier| {
        if earlier.is_empty() {
            Reply::Slow(Duration::from_secs(3), json!({"tableTotalRecordsCount": 0}))
        } else {
            Reply::Json(200, json!({"tableTotalRecordsCount": 9}))
        }
    })
    .await;
    assert_eq!(mock.client().count_records("t_1").await.expect("count"), 9);
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn an_ambiguous_field_create_is_found_by_name_not_duplicated() {
    let fields = Arc::new(Mutex::new(Vec::<Value>::new()));
    let mock = MockClay::start(move |request, _| {
        let mut fields = fields.lock().expect("lock");
        match request.method.as_str() {
            "POST" => {
                fields.push(
                    json!({"id": "f_score", "name": request.body["name"], "type": "formula",
                    "typeSettings": request.body["typeSettings"]}),
                );
                Reply::Drop
            }
            _ => Reply::Json(200, table_json(&fields, &json!({}))),
        }
    })
    .await;
    let field = mock
        .client()
        .create_field(
            "t_1",
            &CreateFieldRequest {
                active_view_id: Some("gv_1".into()),
                ..formula_field("Score", "{{f_a}} + 1")
            },
        )
        .await
        .expect("found after the dropped connection");
    assert_eq!(field.id, "f_score");
    let posts = mock
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "the create must not be sent twice");
}

#[tokio::test]
async fn an_ambiguous_create_that_did_not_happen_is_sent_again() {
    let mock = MockClay::start(|request, earlier| match request.method.as_str() {
        "POST" if count(earlier, "POST", "/v3/workbooks") == 0 => {
            Reply::Json(502, json!({"message": "bad gateway"}))
        }
        "POST" => Reply::Json(200, json!({"id": "wb_7", "name": "Q1"})),
        _ => Reply::Json(200, json!([])),
    })
    .await;
    let workbook = mock
        .client()
        .create_workbook("Q1", None)
        .await
        .expect("workbook");
    assert_eq!(workbook.id, "wb_7");
    let methods: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        methods,
        [
            "POST /v3/workbooks",
            "GET /v3/workspaces/1080480/workbooks",
            "POST /v3/workbooks"
        ]
    );
}

#[tokio::test]
async fn a_silently_dropped_formula_is_an_error_naming_it() {
    let fields = Arc::new(Mutex::new(Vec::<Value>::new()));
    let mock = MockClay::start(move |request, _| {
        let mut fields = fields.lock().expect("lock");
        if request.method == "POST" {
            // Clay keeps the column but drops the formula (no formulaType sent).
            let field = json!({"id": "f_s", "name": request.body["name"], "type": "text",
                "typeSettings": {"dataTypeSettings": {"type": "number"}}});
            fields.push(field.clone());
            return Reply::Json(200, json!({"field": field}));
        }
        Reply::Json(200, table_json(&fields, &json!({})))
    })
    .await;
    let request = CreateFieldRequest {
        name: "Score".into(),
        field_type: "formula".into(),
        type_settings: json!({"formulaText": "{{f_a}} * 2", "dataTypeSettings": {"type": "number"}}),
        description: None,
        active_view_id: Some("gv_1".into()),
    };
    let error = mock
        .client()
        .create_field("t_1", &request)
        .await
        .expect_err("dropped");
    let message = error.to_string();
    assert!(matches!(
        error.kind.as_ref(),
        ClayErrorKind::SilentlyDropped(_)
    ));
    assert!(
        message.contains(
            "Clay accepted field `Score` but dropped `typeSettings.formulaText` \
        (a formula without `formulaType` is silently ignored)"
        ),
        "{message}"
    );
}

#[tokio::test]
async fn a_silently_ignored_table_setting_is_an_error() {
    let mock =
        MockClay::start(|_, _| Reply::Json(200, table_json(&[], &json!({"AUTO_RUN_ON": true}))))
            .await;
    let error = mock
        .client()
        .set_auto_run("t_1", false)
        .await
        .expect_err("ignored");
    assert!(
        error
            .to_string()
            .contains("stored `tableSettings.AUTO_RUN_ON` as true instead of false"),
        "{error}"
    );
}

#[tokio::test]
async fn credentials_never_appear_in_errors() {
    let secret = "clay_user_SUPERSECRET_9f8e7d";
    let mock = MockClay::start(move |_, _| {
        Reply::Json(
            401,
            json!({"type": "Unauthorized", "message": format!("key {secret} is not valid"),
            "details": {"headerErrors": [secret]}}),
        )
    })
    .await;
    let client = mock.client_with(Credentials::api_key(secret));
    let error = client.get_table("t_1").await.expect_err("401");
    for text in [
        format!("{error:?}"),
        format!("{error}"),
        format!("{client:?}"),
    ] {
        assert!(!text.contains("SUPERSECRET"), "{text}");
    }
    assert_eq!(error.status(), Some(401));

    let unreachable = clayform::provider::ClayClient::new({
        let mut config = clayform::provider::ClayClientConfig::new(
            "http://127.0.0.1:1",
            Credentials::session_cookie(secret),
        );
        config.retry = clayform::provider::RetryPolicy::none();
        config
    })
    .expect("client");
    let error = unreachable.me().await.expect_err("refused");
    assert!(matches!(error.kind.as_ref(), ClayErrorKind::Connect { .. }));
    assert!(!format!("{error:?}{error}").contains("SUPERSECRET"));
}

#[tokio::test]
async fn the_client_side_rate_limiter_paces_requests() {
    let mock = MockClay::start(|_, _| Reply::Json(200, json!({"tableTotalRecordsCount": 1}))).await;
    let mut config =
        clayform::provider::ClayClientConfig::new(&mock.url, Credentials::api_key("k_test"));
    config.pacing = clayform::provider::Pacing::Fixed(std::num::NonZeroU32::new(4).unwrap());
    let client = clayform::provider::ClayClient::new(config).expect("client");
    let started = Instant::now();
    for _ in 0..6 {
        client.count_records("t_1").await.expect("count");
    }
    // Four go at once (the burst), the next two wait a quarter second each.
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}

/// `"_pending"` is asked again after the configured wait, doubling up to four times it (the
/// test client's wait is 5 ms: 5 + 10 + 20 + 20 ms before the fifth ask).
#[tokio::test]
async fn a_pending_runstatus_is_asked_again_with_a_growing_wait() {
    let mock = MockClay::start(|request, earlier| {
        if count(earlier, "GET", &request.path) < 4 {
            Reply::Json(200, json!({"statusCountsByField": {"f_1": "_pending"}}))
        } else {
            Reply::Json(
                200,
                json!({"statusCountsByField": {"f_1": [{"status": "SUCCESS", "count": 2}]}}),
            )
        }
    })
    .await;
    let started = Instant::now();
    let counts = mock.client().run_status("t_1").await.expect("status");
    assert_eq!(counts["f_1"][0].count, 2);
    assert_eq!(mock.requests().len(), 5);
    assert!(
        started.elapsed() >= Duration::from_millis(55),
        "{:?}",
        started.elapsed()
    );
}

/// A table created with its webhook source gets auto-run in the source's PATCH. When Clay
/// refuses the source (402 on a plan without webhooks), the setting is still sent on its own,
/// so the table is not left running enrichments on the first rows anyone adds; the source's
/// error is what the caller sees.
#[tokio::test]
async fn a_refused_webhook_source_still_sets_the_tables_auto_run() {
    let mock =
        MockClay::start(
            |request, _| match (request.method.as_str(), request.path.as_str()) {
                ("PATCH", "/v3/tables/t_1") if request.body.get("sourceSettings").is_some() => {
                    Reply::Json(
                        402,
                        json!({"type": "PaymentRequired", "message": "Upgrade"}),
                    )
                }
                ("PATCH", "/v3/tables/t_1") => Reply::Json(200, json!({"table": {"id": "t_1"}})),
                ("GET", "/v3/tables/t_1") => Reply::Json(
                    200,
                    json!({"table": {"id": "t_1", "name": "Inbound",
                                 "tableSettings": {"AUTO_RUN_ON": false}}}),
                ),
                _ => Reply::Json(404, json!({"message": "no"})),
            },
        )
        .await;
    let client = mock.client();
    let settings = serde_json::Map::from_iter([("AUTO_RUN_ON".to_owned(), json!(false))]);
    let error = client
        .add_webhook_source_with("t_1", "Webhook", settings, true)
        .await
        .expect_err("the source is refused");
    assert!(error.to_string().contains("402"), "{error}");
    let patches: Vec<Recorded> = mock
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 2, "{patches:?}");
    assert_eq!(
        patches[0].body["tableSettings"],
        json!({"AUTO_RUN_ON": false})
    );
    assert_eq!(
        patches[1].body,
        json!({"tableSettings": {"AUTO_RUN_ON": false}})
    );
}
