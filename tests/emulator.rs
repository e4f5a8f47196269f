//! The Clay emulator over real HTTP on 127.0.0.1: every quirk of clay-api.md it imitates has a
//! test here that fails if the quirk is missing.
//!
//! Uses only the emulator's public API and `reqwest`; never the provider's types.

use std::time::Duration;

use clayform::emulator::{EmulatorConfig, OffsetMode, RunningEmulator, spawn_background, start};
use serde_json::{Value, json};

const KEY: &str = "clay_user_test_key";

struct Clay {
    emulator: RunningEmulator,
    http: reqwest::Client,
}

impl Clay {
    async fn start(config: EmulatorConfig) -> Clay {
        let emulator = start(config).await.expect("emulator starts");
        Clay {
            emulator,
            http: reqwest::Client::new(),
        }
    }

    async fn default() -> Clay {
        Clay::start(EmulatorConfig {
            cell_error_rate: 0.0,
            ..EmulatorConfig::default()
        })
        .await
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        auth: Option<&str>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.emulator.url()));
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("response");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.send(method, path, body, Some(KEY)).await
    }

    async fn ok(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, value) = self.call(method, path, Some(body)).await;
        assert!(status == 200, "{method} {path} answered {status}: {value}");
        value
    }

    async fn get(&self, path: &str) -> Value {
        let (status, value) = self.call("GET", path, None).await;
        assert_eq!(status, 200, "GET {path}: {value}");
        value
    }

    /// A new table (in a new workbook), returning `(table_id, first_view_id)`.
    async fn table(&self, auto_run: bool) -> (String, String) {
        let created = self
            .ok(
                "POST",
                "/v3/tables",
                json!({"workspaceId": 1080480, "type": "spreadsheet", "name": "T"}),
            )
            .await;
        let table_id = created["table"]["id"].as_str().unwrap().to_string();
        let view_id = created["table"]["firstViewId"]
            .as_str()
            .unwrap()
            .to_string();
        self.ok(
            "PATCH",
            &format!("/v3/tables/{table_id}"),
            json!({"tableSettings": {"AUTO_RUN_ON": auto_run}}),
        )
        .await;
        (table_id, view_id)
    }

    async fn text_field(&self, table_id: &str, name: &str) -> String {
        let created = self
            .ok(
                "POST",
                &format!("/v3/tables/{table_id}/fields"),
                json!({"name": name, "type": "text", "typeSettings": {"dataTypeSettings": {"type": "text"}}}),
            )
            .await;
        created["field"]["id"].as_str().unwrap().to_string()
    }

    async fn field(&self, table_id: &str, field_id: &str) -> Value {
        let table = self.get(&format!("/v3/tables/{table_id}")).await;
        table["table"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == field_id)
            .cloned()
            .unwrap_or(Value::Null)
    }
}

fn email_finder(name_field: &str, domain_field: &str, condition: Option<&str>) -> Value {
    json!({"name": "Work Email", "type": "action", "typeSettings": {
        "actionKey": "prospeo-find-work-email-v2",
        "actionPackageId": "48a31bbb-63e6-4461-8a62-d88bb2cd6b0f",
        "dataTypeSettings": {"type": "json"},
        "inputsBinding": [{"name": "full_name", "formulaText": format!("{{{{{name_field}}}}}")},
                          {"name": "company_domain", "formulaText": format!("{{{{{domain_field}}}}}")}],
        "conditionalRunFormulaText": condition,
    }})
}

#[tokio::test]
async fn auth_accepts_cookie_and_raw_key_rejects_missing_and_bearer() {
    let clay = Clay::default().await;
    let (status, body) = clay.send("GET", "/v3/me", None, None).await;
    assert_eq!(status, 401);
    assert_eq!(body["type"], "Unauthorized");
    assert_eq!(body["message"], "You must be logged in");
    assert_eq!(body["details"]["bodyErrors"], json!([]));
    let (status, _) = clay
        .send("GET", "/v3/me", None, Some("Bearer clay_user_x"))
        .await;
    assert_eq!(status, 403);
    assert_eq!(clay.call("GET", "/v3/me", None).await.0, 200);
    let url = format!("{}/v3/my-workspaces", clay.emulator.url());
    let response = clay
        .http
        .get(url)
        .header("Cookie", "claysession=s%3Aabc.def")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (status, root) = clay.send("GET", "/v3", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(root["status"], "ok");
}

#[tokio::test]
async fn unknown_routes_and_methods_are_no_matching_url() {
    let clay = Clay::default().await;
    let (table_id, _) = clay.table(false).await;
    for (method, path) in [
        ("GET", "/v3/nothing-here".to_string()),
        ("POST", format!("/v3/tables/{table_id}/run")),
        ("GET", format!("/v3/tables/{table_id}/fields")),
        ("DELETE", "/v3/workbooks/wb_x".to_string()),
        ("PUT", format!("/v3/tables/{table_id}")),
    ] {
        let (status, body) = clay.call(method, &path, Some(json!({}))).await;
        assert_eq!(
            (status, body["type"].as_str()),
            (404, Some("NoMatchingURL")),
            "{method} {path}"
        );
    }
    let (status, body) = clay.call("GET", "/v3/tables/t_missing", None).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (404, Some("Table t_missing does not exist"))
    );
}

#[tokio::test]
async fn workbooks_envelopes_and_is_auto_run_not_persisted() {
    let clay = Clay::default().await;
    let workbook = clay
        .ok(
            "POST",
            "/v3/workbooks",
            json!({"name": "W", "workspaceId": 1080480, "settings": {"isAutoRun": true}}),
        )
        .await;
    assert_eq!(workbook["settings"], json!({}));
    assert!(workbook["id"].as_str().unwrap().starts_with("wb_"));
    let list = clay.get("/v3/workspaces/1080480/workbooks").await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "a bare array");
    let workbook_id = workbook["id"].as_str().unwrap();
    clay.ok(
        "POST",
        "/v3/tables",
        json!({"workspaceId": 1080480, "type": "company", "name": "C", "workbookId": workbook_id}),
    )
    .await;
    let tables = clay
        .get(&format!("/v3/workbooks/{workbook_id}/tables"))
        .await;
    assert_eq!(tables.as_array().map(Vec::len), Some(1));
    let (status, _) = clay
        .call(
            "DELETE",
            "/v3/workspaces/1080480/resources/",
            Some(json!({"workbookIds": [workbook_id]})),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        clay.get("/v3/workspaces/1080480/workbooks").await,
        json!([])
    );
    assert_eq!(
        clay.get("/v3/workspaces/1080480/tables").await["results"],
        json!([])
    );
}

#[tokio::test]
async fn new_table_has_system_fields_five_views_auto_run_and_a_blank_row() {
    let clay = Clay::default().await;
    let (status, error) = clay
        .call("POST", "/v3/tables", Some(json!({"name": "x"})))
        .await;
    assert_eq!(status, 400);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("workspaceId")
            && message.contains("type")
            && !message.contains("\"name\""),
        "{message}"
    );
    assert_eq!(
        error["details"]["bodyErrors"].as_array().map(Vec::len),
        Some(2)
    );

    let created = clay
        .ok(
            "POST",
            "/v3/tables",
            json!({"workspaceId": 1080480, "type": "spreadsheet", "name": "Leads"}),
        )
        .await;
    let table = &created["table"];
    assert_eq!(
        created["extraData"]["newlyCreatedWorkbook"]["name"],
        "Leads"
    );
    assert_eq!(
        table["workbookId"],
        created["extraData"]["newlyCreatedWorkbook"]["id"]
    );
    let field_ids: Vec<&str> = table["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(field_ids, ["f_created_at", "f_updated_at"]);
    assert_eq!(table["fields"][0]["lockSettings"]["lockDelete"], true);
    let view_names: Vec<&str> = table["views"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        view_names,
        [
            "Default view",
            "All rows",
            "Fully enriched rows",
            "Errored rows",
            "De-duped rows"
        ]
    );
    assert_eq!(table["firstViewId"], table["views"][0]["id"]);
    assert_eq!(table["tableSettings"]["AUTO_RUN_ON"], true);
    let table_id = table["id"].as_str().unwrap();
    assert_eq!(
        clay.get(&format!("/v3/tables/{table_id}/count")).await,
        json!({"tableTotalRecordsCount": 1})
    );
    let summaries = clay.get("/v3/workspaces/1080480/tables").await;
    assert!(summaries["results"][0].get("fields").is_none());

    let no_blank = Clay::start(EmulatorConfig {
        auto_blank_row: false,
        ..EmulatorConfig::default()
    })
    .await;
    let (table_id, _) = no_blank.table(false).await;
    assert_eq!(
        no_blank.get(&format!("/v3/tables/{table_id}/count")).await["tableTotalRecordsCount"],
        0
    );
}

#[tokio::test]
async fn table_patch_merges_settings_and_stores_null() {
    let clay = Clay::default().await;
    let (table_id, _) = clay.table(false).await;
    let patched = clay
        .ok(
            "PATCH",
            &format!("/v3/tables/{table_id}"),
            json!({"tableSettings": {"dedupeFieldId": null}, "name": "Renamed"}),
        )
        .await;
    let settings = &patched["table"]["tableSettings"];
    assert_eq!(settings["AUTO_RUN_ON"], false, "earlier keys are kept");
    assert!(
        settings.as_object().unwrap().contains_key("dedupeFieldId"),
        "null is stored: {settings}"
    );
    assert_eq!(patched["table"]["name"], "Renamed");
}

#[tokio::test]
async fn field_create_rules() {
    let clay = Clay::default().await;
    let (table_id, _) = clay.table(false).await;
    let fields = format!("/v3/tables/{table_id}/fields");
    let (status, error) = clay
        .call(
            "POST",
            &fields,
            Some(json!({"name": "A", "type": "text", "typeSettings": {}})),
        )
        .await;
    assert_eq!(
        (status, error["message"].as_str()),
        (400, Some("Missing data type settings"))
    );

    let name = clay.text_field(&table_id, "Name").await;
    let (status, error) = clay
        .call("POST", &fields, Some(json!({"name": "Name", "type": "text", "typeSettings": {"dataTypeSettings": {"type": "text"}}})))
        .await;
    assert_eq!(
        (status, error["type"].as_str()),
        (400, Some("FieldNameAlreadyExists"))
    );

    // Without formulaType the formula is silently dropped.
    let dropped = clay
        .ok("POST", &fields, json!({"name": "F1", "type": "formula",
            "typeSettings": {"formulaText": "UPPER({{f_x}})", "dataTypeSettings": {"type": "text"}}}))
        .await;
    assert!(
        dropped["field"]["typeSettings"]
            .get("formulaText")
            .is_none()
    );

    // Minified, dependencies derived, unknown keys dropped, missing reference reported.
    let formula = clay
        .ok("POST", &fields, json!({"name": "Greeting", "type": "formula", "bogusKey": 1, "inputFieldIds": ["f_wrong"],
            "typeSettings": {"formulaText": format!("\"Hi \" + {{{{ {name} }}}} + \" and \" + {{{{f_gone}}}} + \"\""),
                             "formulaType": "text", "dataTypeSettings": {"type": "text"}}}))
        .await["field"]
        .clone();
    assert_eq!(
        formula["typeSettings"]["formulaText"],
        format!("\"Hi \"+{{{{{name}}}}}+\" and \"+{{{{f_gone}}}}")
    );
    assert_eq!(formula["inputFieldIds"], json!([name, "f_gone"]));
    assert!(formula.get("bogusKey").is_none());
    assert_eq!(
        formula["settingsError"][0]["type"],
        "INVALID_FORMULA_MISSING_INPUT_FIELD"
    );

    let broken = clay
        .ok("POST", &fields, json!({"name": "Broken", "type": "formula",
            "typeSettings": {"formulaText": "UPPER({{f_x}}", "formulaType": "text", "dataTypeSettings": {"type": "text"}}}))
        .await;
    let errors = broken["field"]["settingsError"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["type"] == "INVALID_FORMULA_PARSING_FAILED"),
        "{errors:?}"
    );

    let mut action = email_finder(&name, &name, Some("!!{{f_cond}}"));
    action["typeSettings"]["inputsBinding"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "value", "formulaText": "{{f_a}}"}));
    action["typeSettings"]["inputsBinding"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "headers", "formulaMap": {"X": "{{f_map}}"}}));
    let action = clay.ok("POST", &fields, action).await["field"].clone();
    let binding_names: Vec<&str> = action["typeSettings"]["inputsBinding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(binding_names, ["full_name", "company_domain", "headers"]);
    assert_eq!(action["inputFieldIds"], json!([name, "f_map", "f_cond"]));
    assert_eq!(action["conditionalRunFieldIds"], json!(["f_cond"]));
    assert_eq!(
        action["actionDefinition"]["key"],
        "prospeo-find-work-email-v2"
    );
}

#[tokio::test]
async fn field_patch_rules_and_soft_delete() {
    let clay = Clay::default().await;
    let (table_id, _) = clay.table(false).await;
    let name = clay.text_field(&table_id, "Name").await;
    let action = clay
        .ok(
            "POST",
            &format!("/v3/tables/{table_id}/fields"),
            email_finder(&name, &name, None),
        )
        .await;
    let action_id = action["field"]["id"].as_str().unwrap().to_string();
    let path = format!("/v3/tables/{table_id}/fields/{action_id}");

    let (status, error) = clay
        .call(
            "PATCH",
            &path,
            Some(json!({"typeSettings": {"conditionalRunFormulaText": "true"}})),
        )
        .await;
    assert_eq!(
        (status, error["message"].as_str()),
        (400, Some("Missing data type settings in type settings"))
    );
    let (status, error) = clay
        .call("PATCH", &path, Some(json!({"typeSettings": {"actionKey": "find-email-v2", "dataTypeSettings": {"type": "json"}}})))
        .await;
    assert_eq!(
        (status, error["message"].as_str()),
        (400, Some("Cannot change actionKey"))
    );
    let (status, _) = clay
        .call(
            "PATCH",
            &format!("/v3/tables/{table_id}/fields/{name}"),
            Some(json!({"type": "formula"})),
        )
        .await;
    assert_eq!(status, 400);

    // typeSettings is replaced whole: the bindings not sent are gone.
    let replaced = clay
        .ok("PATCH", &path, json!({"inputFieldIds": [], "lockSettings": {"lockDelete": true},
            "typeSettings": {"actionKey": "prospeo-find-work-email-v2", "dataTypeSettings": {"type": "json"}}}))
        .await;
    assert!(
        replaced["field"]["typeSettings"]
            .get("inputsBinding")
            .is_none()
    );
    assert!(replaced["field"].get("lockSettings").is_none());

    let formula = clay
        .ok("POST", &format!("/v3/tables/{table_id}/fields"), json!({"name": "Up", "type": "formula",
            "typeSettings": {"formulaText": format!("UPPER({{{{{name}}}}})"), "formulaType": "text", "dataTypeSettings": {"type": "text"}}}))
        .await;
    let formula_id = formula["field"]["id"].as_str().unwrap().to_string();
    assert!(formula["field"].get("settingsError").is_none());
    assert_eq!(
        clay.ok(
            "DELETE",
            &format!("/v3/tables/{table_id}/fields/{name}"),
            json!({})
        )
        .await,
        json!({})
    );
    let dependant = clay.field(&table_id, &formula_id).await;
    assert_eq!(
        dependant["settingsError"][0]["type"],
        "INVALID_FORMULA_MISSING_INPUT_FIELD"
    );
    // The deleted name stays reserved, for create and for rename.
    let (status, error) = clay
        .call(
            "POST",
            &format!("/v3/tables/{table_id}/fields"),
            Some(json!({"name": "Name", "type": "text",
            "typeSettings": {"dataTypeSettings": {"type": "text"}}})),
        )
        .await;
    assert_eq!(
        (status, error["type"].as_str()),
        (400, Some("FieldNameAlreadyExists"))
    );
    let (status, _) = clay
        .call(
            "PATCH",
            &format!("/v3/tables/{table_id}/fields/{formula_id}"),
            Some(json!({"name": "Name"})),
        )
        .await;
    assert_eq!(status, 400);
    let renamed = clay
        .ok(
            "PATCH",
            &format!("/v3/tables/{table_id}/fields/{formula_id}"),
            json!({"name": "Upper"}),
        )
        .await;
    assert_eq!(renamed["field"]["name"], "Upper");
    clay.ok(
        "DELETE",
        &format!("/v3/tables/{table_id}/fields"),
        json!({"fieldIds": [formula_id, action_id]}),
    )
    .await;
    let table = clay.get(&format!("/v3/tables/{table_id}")).await;
    assert_eq!(table["table"]["fields"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn views_patch_drops_filter_and_last_view_stays() {
    let clay = Clay::default().await;
    let created = clay
        .ok("POST", "/v3/tables", json!({"workspaceId": 1080480, "type": "spreadsheet", "name": "T", "template": "no_views"}))
        .await;
    let table_id = created["table"]["id"].as_str().unwrap();
    assert_eq!(created["table"]["views"], json!([]));
    let view = clay
        .ok(
            "POST",
            &format!("/v3/tables/{table_id}/views"),
            json!({"name": "Mine"}),
        )
        .await;
    let view_id = view["id"].as_str().unwrap();
    assert!(view_id.starts_with("gv_"));
    let base = format!("/v3/tables/{table_id}/views/{view_id}");
    let patched = clay
        .ok(
            "PATCH",
            &base,
            json!({"name": "Renamed", "filter": {"items": [1]}, "sort": {"items": [1]}}),
        )
        .await;
    assert_eq!(
        (
            patched["name"].as_str(),
            &patched["filter"],
            &patched["sort"]
        ),
        (Some("Renamed"), &Value::Null, &Value::Null)
    );
    let filtered = clay.ok("PATCH", &format!("{base}/filter"), json!({"items": [{"fieldId": "f_created_at", "type": "NOT_EMPTY"}], "combinationMode": "AND"})).await;
    assert_eq!(filtered["filter"]["combinationMode"], "AND");
    let hidden = clay
        .ok(
            "PATCH",
            &format!("{base}/fields/f_created_at"),
            json!({"isVisible": false}),
        )
        .await;
    assert_eq!(hidden["fields"]["f_created_at"]["isVisible"], false);
    let (status, _) = clay.call("DELETE", &base, None).await;
    assert_eq!(status, 400, "the last view cannot be deleted");
}

#[tokio::test]
async fn records_insert_read_and_silent_drops() {
    let clay = Clay::default().await;
    let (table_id, view_id) = clay.table(false).await;
    let name = clay.text_field(&table_id, "Name").await;
    let formula = clay
        .ok("POST", &format!("/v3/tables/{table_id}/fields"), json!({"name": "Long", "type": "formula",
            "typeSettings": {"formulaText": format!("LEN({{{{{name}}}}}) > 3"), "formulaType": "text", "dataTypeSettings": {"type": "boolean"}}}))
        .await["field"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let inserted = clay
        .ok(
            "POST",
            &format!("/v3/tables/{table_id}/records"),
            json!({"records": [
            {"id": "r_client000001", "cells": {name.clone(): "Stripe", "f_unknown": "x"}},
            {"cells": {name.clone(): {"value": "wrapped"}}}]}),
        )
        .await;
    let first = &inserted["records"][0];
    assert_eq!(first["id"], "r_client000001");
    assert_eq!(first["cells"][&name]["value"], "Stripe");
    assert_eq!(
        first["cells"][&formula]["value"], "true",
        "booleans come back as strings"
    );
    assert!(first["cells"].get("f_unknown").is_none());
    assert_eq!(
        first["cells"]["f_created_at"]["metadata"]["isCoerced"],
        true
    );
    assert_eq!(
        inserted["records"][1]["cells"][&name]["metadata"]["coercionErrorCode"],
        "INVALID_VALUE"
    );

    let too_many: Vec<Value> = (0..501).map(|_| json!({"cells": {}})).collect();
    assert_eq!(
        clay.call(
            "POST",
            &format!("/v3/tables/{table_id}/records"),
            Some(json!({"records": too_many}))
        )
        .await
        .0,
        400
    );

    let many: Vec<Value> = (0..150)
        .map(|i| json!({"cells": {name.clone(): format!("row {i}")}}))
        .collect();
    clay.ok(
        "POST",
        &format!("/v3/tables/{table_id}/records"),
        json!({"records": many}),
    )
    .await;
    let page = clay
        .get(&format!("/v3/tables/{table_id}/views/{view_id}/records"))
        .await;
    assert_eq!(
        page["results"].as_array().map(Vec::len),
        Some(100),
        "default limit"
    );
    let offset = clay
        .get(&format!(
            "/v3/tables/{table_id}/views/{view_id}/records?limit=10&offset=50"
        ))
        .await;
    assert_eq!(
        offset["results"],
        Value::Array(page["results"].as_array().unwrap()[..10].to_vec()),
        "offset ignored"
    );
    let ids = clay
        .get(&format!(
            "/v3/tables/{table_id}/views/{view_id}/records/ids"
        ))
        .await;
    assert_eq!(ids["results"].as_array().map(Vec::len), Some(153));
    let (status, _) = clay
        .call(
            "POST",
            &format!("/v3/tables/{table_id}/bulk-fetch-records"),
            Some(json!({"recordIds": []})),
        )
        .await;
    assert_eq!(status, 400);
    let fetched = clay
        .ok(
            "POST",
            &format!("/v3/tables/{table_id}/bulk-fetch-records"),
            json!({"recordIds": ["r_client000001"]}),
        )
        .await;
    assert_eq!(fetched["results"][0]["id"], "r_client000001");
    let (status, error) = clay
        .call(
            "GET",
            &format!("/v3/tables/{table_id}/records/r_nope"),
            None,
        )
        .await;
    assert_eq!(
        (status, error["message"].as_str()),
        (404, Some("Record r_nope was not found"))
    );
    assert_eq!(
        clay.ok(
            "DELETE",
            &format!("/v3/tables/{table_id}/records"),
            json!({"recordIds": ["r_client000001"]})
        )
        .await,
        json!({})
    );
    assert_eq!(
        clay.get(&format!("/v3/tables/{table_id}/count")).await["tableTotalRecordsCount"],
        152
    );

    let honoured = Clay::start(EmulatorConfig {
        offset_mode: OffsetMode::Honoured,
        ..EmulatorConfig::default()
    })
    .await;
    let (table_id, view_id) = honoured.table(false).await;
    honoured
        .ok(
            "POST",
            &format!("/v3/tables/{table_id}/records"),
            json!({"records": [{"cells": {}}, {"cells": {}}]}),
        )
        .await;
    let rest = honoured
        .get(&format!(
            "/v3/tables/{table_id}/views/{view_id}/records?offset=2"
        ))
        .await;
    assert_eq!(rest["results"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn record_patch_is_asynchronous_and_accepts_both_single_bodies() {
    let clay = Clay::default().await;
    let (table_id, _) = clay.table(false).await;
    let name = clay.text_field(&table_id, "Name").await;
    let inserted = clay
        .ok(
            "POST",
            &format!("/v3/tables/{table_id}/records"),
            json!({"records": [{"cells": {name.clone(): "old"}}, {"cells": {}}]}),
        )
        .await;
    let first = inserted["records"][0]["id"].as_str().unwrap().to_string();
    let second = inserted["records"][1]["id"].as_str().unwrap().to_string();
    let ack = clay
        .ok(
            "PATCH",
            &format!("/v3/tables/{table_id}/records"),
            json!({"records": [{"id": first, "cells": {name.clone(): "new"}}]}),
        )
        .await;
    assert_eq!(
        ack,
        json!({"records": [], "extraData": {"message": "Record updates enqueued"}})
    );
    let record = format!("/v3/tables/{table_id}/records/{first}");
    assert_eq!(
        clay.get(&record).await["cells"][&name]["value"],
        "old",
        "not applied yet"
    );
    clay.ok(
        "PATCH",
        &format!("/v3/tables/{table_id}/records/{second}"),
        json!({name.clone(): "raw map"}),
    )
    .await;
    clay.ok(
        "PATCH",
        &format!("/v3/tables/{table_id}/records/{first}"),
        json!({"cells": {name.clone(): "newer"}}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(40)).await;
    assert_eq!(clay.get(&record).await["cells"][&name]["value"], "newer");
    assert_eq!(
        clay.get(&format!("/v3/tables/{table_id}/records/{second}"))
            .await["cells"][&name]["value"],
        "raw map"
    );
}

#[tokio::test]
async fn runs_progress_with_run_condition_runstatus_pending_and_history() {
    let clay = Clay::default().await;
    let (table_id, view_id) = clay.table(false).await;
    let name = clay.text_field(&table_id, "Name").await;
    let domain = clay.text_field(&table_id, "Domain").await;
    let action = clay
        .ok(
            "POST",
            &format!("/v3/tables/{table_id}/fields"),
            email_finder(
                &name,
                &domain,
                Some(&format!(
                    "!!{{{{{domain}}}}} && {{{{{domain}}}}} != \"skip.me\""
                )),
            ),
        )
        .await["field"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let inserted = clay
        .ok(
            "POST",
            &format!("/v3/tables/{table_id}/records"),
            json!({"records": [
            {"cells": {name.clone(): "Ada Lovelace", domain.clone(): "https://www.acme.com"}},
            {"cells": {name.clone(): "Bob", domain.clone(): "skip.me"}},
            {"cells": {domain.clone(): "blank.io"}}]}),
        )
        .await;
    let ids: Vec<String> = inserted["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        inserted["records"][0]["cells"][&action]["metadata"]["staleReason"],
        "TABLE_AUTO_RUN_OFF"
    );
    let status_path = format!("/v3/workspaces/1080480/tables/{table_id}/fields/runstatus");
    assert_eq!(
        clay.get(&status_path).await["statusCountsByField"][&action],
        json!([])
    );

    let run = format!("/v3/tables/{table_id}/run");
    let (status, error) = clay
        .call("PATCH", &run, Some(json!({"fieldIds": [action]})))
        .await;
    assert_eq!(
        (status, error["message"].as_str()),
        (400, Some("Field runRecords - Required"))
    );
    assert_eq!(
        clay.ok(
            "PATCH",
            &run,
            json!({"fieldIds": [action], "runRecords": {"all": true}})
        )
        .await,
        json!({"runMode": "NONE"})
    );
    let started = clay
        .ok(
            "PATCH",
            &run,
            json!({"fieldIds": [action], "runRecords": {"recordIds": ids}, "forceRun": false}),
        )
        .await;
    assert_eq!(started, json!({"recordCount": 3, "runMode": "INDIVIDUAL"}));
    assert_eq!(
        clay.get(&status_path).await["statusCountsByField"][&action],
        "_pending"
    );
    let in_flight = clay
        .get(&format!("/v3/tables/{table_id}/records/{}", ids[0]))
        .await;
    assert!(matches!(
        in_flight["cells"][&action]["metadata"]["status"].as_str(),
        Some("QUEUED" | "RUNNING")
    ));

    tokio::time::sleep(Duration::from_millis(60)).await;
    let rows = clay
        .get(&format!("/v3/tables/{table_id}/views/{view_id}/records"))
        .await;
    let cell_of = |id: &str| {
        rows["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["cells"][&action]
            .clone()
    };
    assert_eq!(cell_of(&ids[0])["value"], "ada.lovelace@acme.com");
    assert_eq!(cell_of(&ids[0])["metadata"]["status"], "SUCCESS");
    assert_eq!(
        cell_of(&ids[1])["metadata"]["status"],
        "ERROR_RUN_CONDITION_NOT_MET"
    );
    assert_eq!(cell_of(&ids[2])["metadata"]["status"], "ERROR_BLANK_TOKEN");
    let full = clay
        .get(&format!("/v3/tables/{table_id}/records/{}", ids[0]))
        .await;
    assert_eq!(
        full["cells"][&action]["externalContent"]["fullValue"]["email"],
        "ada.lovelace@acme.com"
    );
    assert_eq!(
        full["recordMetadata"]["runHistory"][&action]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let counts = clay.get(&status_path).await["statusCountsByField"][&action].clone();
    assert!(
        counts
            .as_array()
            .unwrap()
            .contains(&json!({"status": "SUCCESS", "count": 1})),
        "{counts}"
    );

    // Without forceRun a SUCCESS cell is skipped; with it, it runs again.
    clay.ok(
        "PATCH",
        &run,
        json!({"fieldIds": [action], "runRecords": {"recordIds": [ids[0]]}}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let again = clay
        .get(&format!("/v3/tables/{table_id}/records/{}", ids[0]))
        .await;
    assert_eq!(
        again["recordMetadata"]["runHistory"][&action]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    // The blank row Clay adds comes first, so the top two rows include `ids[0]`.
    clay.ok("PATCH", &run, json!({"fieldIds": [action], "runRecords": {"viewIdTopRecords": {"viewId": view_id, "numRecords": 2}}, "forceRun": true})).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let forced = clay
        .get(&format!("/v3/tables/{table_id}/records/{}", ids[0]))
        .await;
    assert_eq!(
        forced["recordMetadata"]["runHistory"][&action]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn auto_run_fires_on_new_columns_and_rows_and_formulas_read_results() {
    let clay = Clay::default().await;
    let (table_id, view_id) = clay.table(true).await;
    let name = clay.text_field(&table_id, "Name").await;
    let domain = clay.text_field(&table_id, "Domain").await;
    clay.ok(
        "POST",
        &format!("/v3/tables/{table_id}/records"),
        json!({"records": [{"cells": {name.clone(): "Grace Hopper", domain.clone(): "navy.mil"}}]}),
    )
    .await;
    // A new enrichment column on an auto-run table runs on every row without a run call.
    let action = clay
        .ok(
            "POST",
            &format!("/v3/tables/{table_id}/fields"),
            email_finder(&name, &domain, None),
        )
        .await["field"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let user = clay
        .ok("POST", &format!("/v3/tables/{table_id}/fields"), json!({"name": "User", "type": "formula",
            "typeSettings": {"formulaText": format!("{{{{{action}}}}}?.email?.split(\"@\")?.[0]"), "formulaType": "text", "dataTypeSettings": {"type": "text"}}}))
        .await["field"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    tokio::time::sleep(Duration::from_millis(60)).await;
    let rows = clay
        .get(&format!("/v3/tables/{table_id}/views/{view_id}/records"))
        .await;
    let grace = rows["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][&name]["value"] == "Grace Hopper")
        .unwrap();
    assert_eq!(grace["cells"][&action]["value"], "grace.hopper@navy.mil");
    assert_eq!(grace["cells"][&user]["value"], "grace.hopper");
    // The blank row Clay adds got its run too.
    let counts = clay
        .get(&format!(
            "/v3/workspaces/1080480/tables/{table_id}/fields/runstatus"
        ))
        .await;
    let total: u64 = counts["statusCountsByField"][&action]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 2);
    // New rows run as they arrive.
    let inserted = clay.ok("POST", &format!("/v3/tables/{table_id}/records"), json!({"records": [{"cells": {name.clone(): "Alan Turing", domain.clone(): "bletchley.uk"}}]})).await;
    assert_eq!(
        inserted["records"][0]["cells"][&action]["metadata"]["status"],
        "QUEUED"
    );
}

#[tokio::test]
async fn faults_are_deterministic_for_a_seed() {
    async fn statuses(seed: u64) -> Vec<String> {
        let clay = Clay::start(EmulatorConfig {
            fault_rate: 0.5,
            seed,
            ..EmulatorConfig::default()
        })
        .await;
        let mut seen = Vec::new();
        for _ in 0..16 {
            let url = format!("{}/v3/me", clay.emulator.url());
            let outcome = clay.http.get(url).header("Authorization", KEY).send().await;
            seen.push(outcome.map_or_else(
                |_| "dropped".to_string(),
                |r| r.status().as_u16().to_string(),
            ));
        }
        seen
    }
    let first = statuses(42).await;
    assert_eq!(first, statuses(42).await);
    assert!(
        first.iter().any(|s| s != "200") && first.iter().any(|s| s == "200"),
        "{first:?}"
    );
    assert_ne!(first, statuses(43).await);
}

#[tokio::test]
async fn post_write_faults_lose_the_response_but_keep_the_object() {
    let clay = Clay::start(EmulatorConfig {
        fault_rate: 1.0,
        seed: 7,
        ..EmulatorConfig::default()
    })
    .await;
    let mut answered_ok = 0;
    for index in 0..40 {
        let url = format!("{}/v3/workbooks", clay.emulator.url());
        let body = json!({"name": format!("W{index}"), "workspaceId": 1080480});
        if let Ok(response) = clay
            .http
            .post(url)
            .header("Authorization", KEY)
            .json(&body)
            .send()
            .await
            && response.status().is_success()
        {
            answered_ok += 1;
        }
    }
    let stats = clay.get_admin("/__emulator/stats").await;
    let kinds = &stats["faultsByKind"];
    let after_write = kinds["drop_after_write"].as_u64().unwrap_or(0)
        + kinds["502_after_write"].as_u64().unwrap_or(0);
    assert!(after_write > 0, "{kinds}");
    clay.ok_admin("/__emulator/config", json!({"faultRate": 0.0}))
        .await;
    let workbooks = clay.get("/v3/workspaces/1080480/workbooks").await;
    let created = workbooks.as_array().unwrap().len() as u64;
    assert_eq!(
        created,
        answered_ok + after_write,
        "every post-write fault left its workbook behind"
    );
    assert_eq!(stats["faultsInjected"], 40);
}

impl Clay {
    async fn get_admin(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.emulator.url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn ok_admin(&self, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.emulator.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        response.json().await.unwrap()
    }
}

#[tokio::test]
async fn stats_count_routes_and_never_log_credentials() {
    let clay = Clay::default().await;
    let (table_id, _) = clay.table(false).await;
    clay.get(&format!("/v3/tables/{table_id}")).await;
    clay.get(&format!("/v3/tables/{table_id}")).await;
    let stats = clay.get_admin("/__emulator/stats").await;
    assert_eq!(stats["byRoute"]["GET /v3/tables/{tableId}"], 2);
    assert_eq!(stats["byRoute"]["POST /v3/tables"], 1);
    assert_eq!(stats["totalRequests"], 4);
    assert_eq!(stats["requestLog"][0]["method"], "POST");
    assert!(!stats.to_string().contains(KEY));
    clay.ok_admin("/__emulator/reset-stats", json!({})).await;
    assert_eq!(
        clay.get_admin("/__emulator/stats").await["totalRequests"],
        0
    );
}

#[tokio::test]
async fn ids_are_deterministic_and_state_survives_a_restart() {
    let directory = tempfile::tempdir().unwrap();
    let state_file = directory.path().join("emulator.json");
    let config = EmulatorConfig {
        seed: 9,
        state_file: Some(state_file.clone()),
        ..EmulatorConfig::default()
    };
    let clay = Clay::start(config.clone()).await;
    let (table_id, _) = clay.table(false).await;
    let twin = Clay::start(EmulatorConfig {
        seed: 9,
        ..EmulatorConfig::default()
    })
    .await;
    assert_eq!(
        twin.table(false).await.0,
        table_id,
        "same seed, same request order, same ids"
    );
    drop(clay);
    assert!(state_file.exists());
    let restarted = Clay::start(config).await;
    let table = restarted.get(&format!("/v3/tables/{table_id}")).await;
    assert_eq!(table["table"]["tableSettings"]["AUTO_RUN_ON"], false);
}

#[tokio::test]
async fn webhook_source_ingests_rows_into_the_source_column() {
    let clay = Clay::default().await;
    let (table_id, _) = clay.table(false).await;
    let patched = clay
        .ok("PATCH", &format!("/v3/tables/{table_id}"), json!({"sourceSettings": {"addSource": {"name": "Webhook",
            "source": {"name": "Hook", "workspaceId": "1080480", "type": "webhook", "typeSettings": {"urlSlugText": "Pull in data from a Webhook"}}}}}))
        .await;
    let source_field = patched["table"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["type"] == "source")
        .unwrap()["id"]
        .clone();
    let sources = clay.get(&format!("/v3/sources?tableId={table_id}")).await;
    let url = sources[0]["state"]["url"].as_str().unwrap();
    let path = &url[url.find("/v3/").unwrap()..];
    let (status, _) = clay
        .send("POST", path, Some(json!({"email": "a@b.co"})), None)
        .await;
    assert_eq!(status, 200);
    let email = clay
        .ok("POST", &format!("/v3/tables/{table_id}/fields"), json!({"name": "Email", "type": "formula",
            "typeSettings": {"formulaText": format!("{{{{{}}}}}?.email", source_field.as_str().unwrap()), "formulaType": "text", "dataTypeSettings": {"type": "email"}}}))
        .await["field"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        clay.get(&format!("/v3/tables/{table_id}/count")).await["tableTotalRecordsCount"],
        2
    );
    let view_id = patched["table"]["firstViewId"].as_str().unwrap();
    let rows = clay
        .get(&format!("/v3/tables/{table_id}/views/{view_id}/records"))
        .await;
    assert_eq!(rows["results"][1]["cells"][&email]["value"], "a@b.co");
    assert_eq!(
        clay.get(&format!(
            "/v3/sources/{}",
            sources[0]["id"].as_str().unwrap()
        ))
        .await["state"]["numSourceRecords"],
        1
    );
}

#[test]
fn spawn_background_serves_synchronous_callers_and_stops_on_drop() {
    let emulator = spawn_background(EmulatorConfig::default()).expect("starts");
    let address = emulator.addr;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        reqwest::get(format!("{}/v3", emulator.url()))
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(status.ok(), Some(200));
    drop(emulator);
    assert!(std::net::TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err());
}

#[tokio::test]
async fn malformed_bodies_are_400_and_broken_formulas_error_in_cells() {
    let clay = Clay::default().await;
    let (table_id, _) = clay.table(false).await;
    let response = clay
        .http
        .post(format!(
            "{}/v3/tables/{table_id}/records",
            clay.emulator.url()
        ))
        .header("Authorization", KEY)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let (status, _) = clay
        .call(
            "POST",
            &format!("/v3/tables/{table_id}/fields"),
            Some(json!([1, 2])),
        )
        .await;
    assert_eq!(status, 400);
    let broken = clay
        .ok(
            "POST",
            &format!("/v3/tables/{table_id}/fields"),
            json!({"name": "Broken", "type": "formula",
                "typeSettings": {"formulaText": "UPPER(", "formulaType": "text", "dataTypeSettings": {"type": "text"}}}),
        )
        .await["field"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let inserted = clay
        .ok(
            "POST",
            &format!("/v3/tables/{table_id}/records"),
            json!({"records": [{"cells": {}}]}),
        )
        .await;
    assert_eq!(
        inserted["records"][0]["cells"][&broken]["metadata"]["status"],
        "ERROR_INVALID_FORMULA"
    );
}

#[tokio::test]
async fn source_patch_replaces_type_settings_whole_and_an_empty_body_changes_nothing() {
    let clay = Clay::default().await;
    let (table_id, _) = clay.table(false).await;
    clay.ok("PATCH", &format!("/v3/tables/{table_id}"), json!({"sourceSettings": {"addSource": {"name": "Webhook",
        "source": {"name": "Hook", "workspaceId": "1080480", "type": "webhook", "typeSettings": {"urlSlugText": "Pull in data from a Webhook", "iconType": "Webhook"}}}}}))
        .await;
    let source = &clay.get(&format!("/v3/sources?tableId={table_id}")).await[0];
    let id = source["id"].as_str().unwrap();
    let unchanged = clay
        .ok("PATCH", &format!("/v3/sources/{id}"), json!({}))
        .await;
    assert_eq!(unchanged["typeSettings"], source["typeSettings"]);
    let replaced = clay
        .ok(
            "PATCH",
            &format!("/v3/sources/{id}"),
            json!({"typeSettings": {"iconType": "Bolt"}, "name": "Renamed"}),
        )
        .await;
    assert_eq!(
        replaced["typeSettings"],
        json!({"iconType": "Bolt"}),
        "no merge"
    );
    assert_eq!(replaced["name"], "Renamed");
    assert_eq!(
        clay.get(&format!("/v3/sources/{id}")).await["name"],
        "Renamed"
    );
    let (status, _) = clay
        .call("PATCH", "/v3/sources/s_missing", Some(json!({})))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_webhook_auth_token_is_demanded_once_issued() {
    let clay = Clay::default().await;
    let (table_id, _) = clay.table(false).await;
    clay.ok("PATCH", &format!("/v3/tables/{table_id}"), json!({"sourceSettings": {"addSource": {"name": "Webhook",
        "source": {"name": "Hook", "workspaceId": "1080480", "type": "webhook", "typeSettings": {"urlSlugText": "Pull in data from a Webhook"}}}}}))
        .await;
    let source = &clay.get(&format!("/v3/sources?tableId={table_id}")).await[0];
    let url = source["state"]["url"].as_str().unwrap();
    let path = &url[url.find("/v3/").unwrap()..];
    let post = |token: Option<String>| {
        let mut request = clay
            .http
            .post(format!("{}{path}", clay.emulator.url()))
            .json(&json!({"a": 1}));
        if let Some(token) = token {
            request = request.header("x-clay-webhook-auth", token);
        }
        async move { request.send().await.expect("post").status().as_u16() }
    };
    assert_eq!(post(None).await, 200, "no token yet: open");
    let id = source["id"].as_str().unwrap();
    let token = clay
        .ok(
            "POST",
            &format!("/v3/sources/webhook/auth-token/{id}"),
            json!({}),
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(post(None).await, 401);
    assert_eq!(post(Some("wrong".into())).await, 401);
    assert_eq!(post(Some(token.clone())).await, 200);
    assert!(
        !clay
            .get(&format!("/v3/sources/{id}"))
            .await
            .to_string()
            .contains(&token),
        "a token is shown once, never in the source"
    );
}
