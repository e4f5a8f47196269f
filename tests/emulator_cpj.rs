//! The emulator's Find Companies / Find People sources over real HTTP on 127.0.0.1
//! (`POST /v3/sources/create-cpj-table`, clay-api.md §12.3): tables, source objects, basic-field
//! columns, fake rows, the 400s, determinism for a seed.
//!
//! Uses only the emulator's public API and `reqwest`; never the provider's types.

use clayform::emulator::{EmulatorConfig, RunningEmulator, start};
use serde_json::{Value, json};

const KEY: &str = "clay_user_test_key";
const WORKSPACE: u64 = 1_080_480;

struct Clay {
    emulator: RunningEmulator,
    http: reqwest::Client,
}

impl Clay {
    async fn with_seed(seed: u64) -> Clay {
        let emulator = start(EmulatorConfig {
            seed,
            cell_error_rate: 0.0,
            ..EmulatorConfig::default()
        })
        .await
        .expect("emulator starts");
        Clay {
            emulator,
            http: reqwest::Client::new(),
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.emulator.url()))
            .header("Authorization", KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("response");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn ok(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, value) = self.call(method, path, Some(body)).await;
        assert_eq!(status, 200, "{method} {path}: {value}");
        value
    }

    async fn get(&self, path: &str) -> Value {
        let (status, value) = self.call("GET", path, None).await;
        assert_eq!(status, 200, "GET {path}: {value}");
        value
    }

    async fn create_cpj_table(&self, body: Value) -> Value {
        self.ok("POST", "/v3/sources/create-cpj-table", body).await
    }

    async fn table(&self, table_id: &str) -> Value {
        self.get(&format!("/v3/tables/{table_id}")).await["table"].clone()
    }

    /// Every row of the table, through its first view.
    async fn rows(&self, table_id: &str) -> Vec<Value> {
        let table = self.table(table_id).await;
        let view_id = table["firstViewId"].as_str().expect("a first view");
        let listed = self
            .get(&format!(
                "/v3/tables/{table_id}/views/{view_id}/records?limit=10000"
            ))
            .await;
        listed["results"].as_array().cloned().unwrap_or_default()
    }

    /// The values of the column named `name`, row by row.
    async fn column_values(&self, table_id: &str, name: &str) -> Vec<Value> {
        let field_id = field_named(&self.table(table_id).await, name)["id"].clone();
        let field_id = field_id.as_str().expect("a field id").to_string();
        self.rows(table_id)
            .await
            .iter()
            .map(|row| row["cells"][&field_id]["value"].clone())
            .collect()
    }
}

fn field_named(table: &Value, name: &str) -> Value {
    table["fields"]
        .as_array()
        .and_then(|fields| fields.iter().find(|field| field["name"] == name))
        .cloned()
        .unwrap_or_else(|| panic!("no field `{name}` in {}", table["fields"]))
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

fn companies_body(limit: u64, workbook_id: Option<&str>) -> Value {
    json!({
        "workspaceId": WORKSPACE.to_string(),
        "workbookName": "CA SaaS",
        "workbookId": workbook_id,
        "assignedFieldId": "f_companies_search",
        "cpjConfig": {
            "type": "companies",
            "tableName": "Companies",
            "typeSettings": {
                "name": "Find companies",
                "actionKey": "find-lists-of-companies-with-mixrank-source",
                "actionPackageId": "e251a70e-46d7-4f3a-b3ef-a211ad3d8bd2",
                "previewTextPath": "name",
                "recordsPath": "companies",
                "idPath": "linkedin_company_id",
                "scheduleConfig": {"runSettings": "once"},
                "inputs": {"limit": limit, "industries": ["SaaS"],
                           "locations": ["California", "Oregon"], "sizes": ["11-50", "51-200"]},
            },
            "clientSettings": {"tableType": "company"},
            "basicFields": [
                {"name": "Name", "dataType": "text", "formulaText": "{{source}}.name"},
                {"name": "Domain", "dataType": "url", "formulaText": "{{source}}.domain"},
                {"name": "Industry", "dataType": "text", "formulaText": "{{source}}.industry"},
                {"name": "Size", "dataType": "text", "formulaText": "{{source}}.size"},
                {"name": "Location", "dataType": "text", "formulaText": "{{source}}.location"},
                {"name": "LinkedIn URL", "dataType": "url",
                 "formulaText": "{{source}}.linkedin_url", "isDedupeField": true},
            ],
        },
    })
}

fn people_body(limit: u64, company_table_id: &str) -> Value {
    json!({
        "workspaceId": WORKSPACE,
        "workbookName": "People",
        "cpjConfig": {
            "type": "people",
            "typeSettings": {
                "name": "Find people",
                "actionKey": "find-lists-of-people-with-mixrank-source",
                "actionPackageId": "e251a70e-46d7-4f3a-b3ef-a211ad3d8bd2",
                "recordsPath": "people",
                "idPath": "profile_id",
                "inputs": {"limit": limit, "company_table_id": company_table_id,
                           "job_title_keywords": ["Head of Sales", "CRO"]},
            },
            "clientSettings": {"tableType": "people"},
            "basicFields": [
                {"name": "Full Name", "dataType": "text", "formulaText": "{{source}}.full_name"},
                {"name": "Title", "dataType": "text", "formulaText": "{{source}}.title"},
                {"name": "Company Domain", "dataType": "url",
                 "formulaText": "{{source}}.company_domain"},
            ],
        },
    })
}

#[tokio::test]
async fn find_companies_creates_a_company_table_filled_with_matching_rows() {
    let clay = Clay::with_seed(1).await;
    let answer = clay.create_cpj_table(companies_body(25, None)).await;
    assert_eq!(answer["isNewTable"], true);
    let table_id = text(&answer["tableId"]).to_string();
    let source_id = text(&answer["sourceId"]).to_string();
    assert!(table_id.starts_with("t_") && source_id.starts_with("s_"));
    assert!(text(&answer["workbookId"]).starts_with("wb_"));

    let table = clay.table(&table_id).await;
    assert_eq!(table["type"], "company");
    assert_eq!(table["name"], "Companies");
    assert_eq!(table["workbookId"], answer["workbookId"]);
    assert_eq!(table["firstViewId"], answer["viewId"]);
    assert_eq!(table["views"].as_array().map(Vec::len), Some(5));
    for system in ["f_created_at", "f_updated_at"] {
        assert!(
            table["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|f| f["id"] == system)
        );
    }
    let source_field = field_named(&table, "Find companies");
    assert_eq!(source_field["type"], "source");
    assert_eq!(source_field["id"], "f_companies_search");
    assert_eq!(
        source_field["typeSettings"]["sourceIds"],
        json!([source_id])
    );
    let domain = field_named(&table, "Domain");
    assert_eq!(domain["type"], "formula");
    assert_eq!(
        domain["typeSettings"]["formulaText"],
        "{{f_companies_search}}?.domain"
    );
    assert_eq!(domain["typeSettings"]["dataTypeSettings"]["type"], "url");
    assert_eq!(domain["inputFieldIds"], json!(["f_companies_search"]));
    assert_eq!(
        table["tableSettings"]["DEDUPE_FIELD_ID"],
        field_named(&table, "LinkedIn URL")["id"]
    );

    let count = clay.get(&format!("/v3/tables/{table_id}/count")).await;
    assert_eq!(
        count["tableTotalRecordsCount"], 25,
        "no blank row, 25 results"
    );
    let rows = clay.rows(&table_id).await;
    assert_eq!(rows.len(), 25);
    for row in &rows {
        let source_cell = &row["cells"]["f_companies_search"];
        assert!(
            source_cell["value"].is_string(),
            "source cells read as a preview: {source_cell}"
        );
        assert_eq!(source_cell["metadata"]["isPreview"], true);
    }
    assert!(
        clay.column_values(&table_id, "Industry")
            .await
            .iter()
            .all(|v| v == "SaaS")
    );
    assert!(
        clay.column_values(&table_id, "Size")
            .await
            .iter()
            .all(|v| v == "11-50" || v == "51-200")
    );
    assert!(
        clay.column_values(&table_id, "Location")
            .await
            .iter()
            .all(|v| v == "California" || v == "Oregon")
    );
    let mut domains: Vec<String> = clay
        .column_values(&table_id, "Domain")
        .await
        .iter()
        .map(|v| text(v).to_string())
        .collect();
    assert!(domains.iter().all(|d| d.contains('.')), "{domains:?}");
    domains.sort();
    domains.dedup();
    assert_eq!(domains.len(), 25, "domains are distinct");

    let source = clay.get(&format!("/v3/sources/{source_id}")).await;
    assert_eq!(source["type"], "companies");
    assert_eq!(source["name"], "Find companies");
    assert_eq!(
        source["sourceSubscriptions"],
        json!([{"tableId": table_id, "fieldId": "f_companies_search"}])
    );
    assert_eq!(source["state"]["numSourceRecords"], 25);
    assert!(
        source["state"].get("url").is_none(),
        "only webhooks have a URL"
    );
    assert_eq!(source["typeSettings"]["inputs"]["limit"], 25);
    let listed = clay.get(&format!("/v3/sources?tableId={table_id}")).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["id"], source_id.as_str());
}

#[tokio::test]
async fn a_workbook_id_puts_the_table_in_that_workbook() {
    let clay = Clay::with_seed(1).await;
    let workbook = clay
        .ok(
            "POST",
            "/v3/workbooks",
            json!({"name": "Mine", "workspaceId": WORKSPACE}),
        )
        .await;
    let workbook_id = text(&workbook["id"]);
    let answer = clay
        .create_cpj_table(companies_body(3, Some(workbook_id)))
        .await;
    assert_eq!(answer["workbookId"], workbook_id);
    let tables = clay
        .get(&format!("/v3/workbooks/{workbook_id}/tables"))
        .await;
    assert!(
        tables
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["id"] == answer["tableId"])
    );
}

#[tokio::test]
async fn find_people_scoped_to_a_company_table_gets_a_few_people_per_company() {
    let clay = Clay::with_seed(3).await;
    let companies = clay.create_cpj_table(companies_body(4, None)).await;
    let company_table_id = text(&companies["tableId"]).to_string();
    let company_domains: Vec<Value> = clay.column_values(&company_table_id, "Domain").await;

    let answer = clay
        .create_cpj_table(people_body(10, &company_table_id))
        .await;
    let table_id = text(&answer["tableId"]).to_string();
    let table = clay.table(&table_id).await;
    assert_eq!(table["type"], "people");
    assert_eq!(
        table["name"], "Find people",
        "without a table name, the source's name"
    );
    assert_eq!(
        clay.rows(&table_id).await.len(),
        10,
        "3 per company, capped at the limit"
    );
    let people_domains = clay.column_values(&table_id, "Company Domain").await;
    assert!(
        people_domains.iter().all(|d| company_domains.contains(d)),
        "{people_domains:?}"
    );
    // Companies are filled in row order: 3, 3, 3, then 1.
    for (index, expected) in [3, 3, 3, 1].into_iter().enumerate() {
        let found = people_domains
            .iter()
            .filter(|d| **d == company_domains[index])
            .count();
        assert_eq!(found, expected, "people at company {index}");
    }
    let titles = clay.column_values(&table_id, "Title").await;
    assert!(
        titles.iter().all(|t| t == "Head of Sales" || t == "CRO"),
        "{titles:?}"
    );
    let names = clay.column_values(&table_id, "Full Name").await;
    assert!(names.iter().all(|n| text(n).contains(' ')), "{names:?}");
    let source = clay
        .get(&format!("/v3/sources/{}", text(&answer["sourceId"])))
        .await;
    assert_eq!(source["type"], "people");
    assert_eq!(source["state"]["numSourceRecords"], 10);
}

#[tokio::test]
async fn find_people_scoped_to_a_plain_table_reads_company_columns_by_name() {
    let clay = Clay::with_seed(3).await;
    let created = clay
        .ok(
            "POST",
            "/v3/tables",
            json!({"workspaceId": WORKSPACE, "type": "company", "name": "Accounts"}),
        )
        .await;
    let table_id = text(&created["table"]["id"]).to_string();
    let field = clay
        .ok(
            "POST",
            &format!("/v3/tables/{table_id}/fields"),
            json!({"name": "Company Domain", "type": "text",
                   "typeSettings": {"dataTypeSettings": {"type": "text"}}}),
        )
        .await;
    let field_id = text(&field["field"]["id"]).to_string();
    clay.ok(
        "POST",
        &format!("/v3/tables/{table_id}/records"),
        json!({"records": [{"cells": {&field_id: "https://www.acme.com/about"}}]}),
    )
    .await;
    let answer = clay.create_cpj_table(people_body(50, &table_id)).await;
    let domains = clay
        .column_values(text(&answer["tableId"]), "Company Domain")
        .await;
    assert_eq!(
        domains,
        vec![json!("acme.com"); 3],
        "the blank row does not resolve"
    );
}

#[tokio::test]
async fn people_scoped_to_a_company_table_without_rows_are_refused_and_leave_an_orphan_table() {
    let clay = Clay::with_seed(0).await;
    let created = clay
        .ok(
            "POST",
            "/v3/tables",
            json!({"workspaceId": WORKSPACE, "type": "company", "name": "Empty"}),
        )
        .await;
    let empty_table_id = text(&created["table"]["id"]).to_string();
    let before = clay
        .get(&format!("/v3/workspaces/{WORKSPACE}/tables"))
        .await["results"]
        .as_array()
        .map_or(0, Vec::len);
    let (status, body) = clay
        .call(
            "POST",
            "/v3/sources/create-cpj-table",
            Some(people_body(10, &empty_table_id)),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["type"], "BadRequest");
    assert_eq!(body["message"], "None of the company table rows resolved");
    let after = clay
        .get(&format!("/v3/workspaces/{WORKSPACE}/tables"))
        .await["results"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(
        after,
        before + 1,
        "the failed attempt leaves its table behind"
    );

    let (status, body) = clay
        .call(
            "POST",
            "/v3/sources/create-cpj-table",
            Some(people_body(10, "t_doesNotExist")),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["message"], "Table t_doesNotExist does not exist");
}

#[tokio::test]
async fn an_invalid_body_is_a_400_naming_every_missing_field() {
    let clay = Clay::with_seed(0).await;
    let (status, body) = clay
        .call("POST", "/v3/sources/create-cpj-table", Some(json!({})))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["type"], "BadRequest");
    let message = text(&body["message"]);
    assert!(
        message.contains("Field \"workspaceId\" - Required"),
        "{message}"
    );
    assert!(
        message.contains("Field \"cpjConfig\" - Required"),
        "{message}"
    );
    assert_eq!(
        body["details"]["bodyErrors"][0]["path"],
        json!(["workspaceId"])
    );

    let (status, body) = clay
        .call(
            "POST",
            "/v3/sources/create-cpj-table",
            Some(json!({"workspaceId": WORKSPACE,
                        "cpjConfig": {"type": "jobs", "typeSettings": {"inputs": {"limit": "many"}},
                                      "basicFields": [{"name": "Domain"}]}})),
        )
        .await;
    assert_eq!(status, 400);
    let message = text(&body["message"]);
    for expected in [
        "Field \"cpjConfig.type\" - Invalid enum value. Expected 'companies' | 'people'",
        "Field \"cpjConfig.typeSettings.actionKey\" - Required",
        "Field \"cpjConfig.typeSettings.inputs.limit\" - Expected number, received nan",
        "Field \"cpjConfig.basicFields.0.formulaText\" - Required",
    ] {
        assert!(
            message.contains(expected),
            "`{expected}` missing from {message}"
        );
    }
    let paths: Vec<Value> = body["details"]["bodyErrors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|issue| issue["path"].clone())
        .collect();
    assert!(
        paths.contains(&json!(["cpjConfig", "basicFields", 0, "formulaText"])),
        "{paths:?}"
    );

    let mut wrong_action = companies_body(5, None);
    wrong_action["cpjConfig"]["typeSettings"]["actionKey"] =
        json!("find-lists-of-people-with-mixrank-source");
    let (status, _) = clay
        .call("POST", "/v3/sources/create-cpj-table", Some(wrong_action))
        .await;
    assert_eq!(status, 400);

    let mut other_workspace = companies_body(5, None);
    other_workspace["workspaceId"] = json!("42");
    let (status, _) = clay
        .call(
            "POST",
            "/v3/sources/create-cpj-table",
            Some(other_workspace),
        )
        .await;
    assert_eq!(status, 403);
    let tables = clay
        .get(&format!("/v3/workspaces/{WORKSPACE}/tables"))
        .await;
    assert_eq!(
        tables["results"],
        json!([]),
        "refused requests create nothing"
    );
}

#[tokio::test]
async fn the_same_seed_and_inputs_give_the_same_rows() {
    let mut domains_by_seed = Vec::new();
    for seed in [11, 11, 12] {
        let clay = Clay::with_seed(seed).await;
        let answer = clay.create_cpj_table(companies_body(20, None)).await;
        domains_by_seed.push(clay.column_values(text(&answer["tableId"]), "Domain").await);
    }
    assert_eq!(domains_by_seed[0], domains_by_seed[1]);
    assert_ne!(domains_by_seed[0], domains_by_seed[2]);

    let clay = Clay::with_seed(11).await;
    let mut other_inputs = companies_body(20, None);
    other_inputs["cpjConfig"]["typeSettings"]["inputs"]["industries"] = json!(["Fintech"]);
    let answer = clay.create_cpj_table(other_inputs).await;
    let domains = clay.column_values(text(&answer["tableId"]), "Domain").await;
    assert_ne!(domains, domains_by_seed[0], "other inputs, other companies");
}

#[tokio::test]
async fn disable_trigger_on_create_builds_the_table_without_rows() {
    let clay = Clay::with_seed(0).await;
    let mut body = companies_body(40, None);
    body["cpjConfig"]["typeSettings"]["disableTriggerOnCreate"] = json!(true);
    let answer = clay.create_cpj_table(body).await;
    let table_id = text(&answer["tableId"]).to_string();
    assert_eq!(clay.rows(&table_id).await.len(), 0);
    let table = clay.table(&table_id).await;
    assert_eq!(field_named(&table, "Name")["type"], "formula");
    let source = clay
        .get(&format!("/v3/sources/{}", text(&answer["sourceId"])))
        .await;
    assert_eq!(source["state"]["numSourceRecords"], 0);
    assert_eq!(source["typeSettings"]["disableTriggerOnCreate"], true);
}

#[tokio::test]
async fn a_destination_table_is_reused_and_keeps_its_columns() {
    let clay = Clay::with_seed(5).await;
    let first = clay.create_cpj_table(companies_body(2, None)).await;
    let table_id = text(&first["tableId"]).to_string();
    let mut again = companies_body(3, None);
    again["cpjConfig"]["destinationTableId"] = json!(table_id);
    let second = clay.create_cpj_table(again).await;
    assert_eq!(second["isNewTable"], false);
    assert_eq!(second["tableId"], table_id.as_str());
    assert_eq!(second["workbookId"], first["workbookId"]);
    assert_ne!(second["sourceId"], first["sourceId"]);
    assert_eq!(clay.rows(&table_id).await.len(), 5);
    let table = clay.table(&table_id).await;
    let names: Vec<&str> = table["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|field| field["name"].as_str())
        .collect();
    assert_eq!(names.iter().filter(|name| **name == "Domain").count(), 1);
    assert!(names.contains(&"Find companies (2)"), "{names:?}");
    let listed = clay.get(&format!("/v3/sources?tableId={table_id}")).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn post_sources_refuses_find_companies_and_people_sources() {
    let clay = Clay::with_seed(0).await;
    for source_type in ["companies", "people"] {
        let (status, body) = clay
            .call(
                "POST",
                "/v3/sources",
                Some(json!({"workspaceId": WORKSPACE, "type": source_type, "name": "x"})),
            )
            .await;
        assert_eq!(status, 404);
        assert_eq!(body["type"], "NotFound");
        assert_eq!(body["message"], "Invalid subscriptions");
    }
}

#[tokio::test]
async fn a_deleted_cpj_source_is_no_longer_listed_for_its_table() {
    let clay = Clay::with_seed(0).await;
    let answer = clay.create_cpj_table(companies_body(1, None)).await;
    let source_id = text(&answer["sourceId"]);
    clay.ok(
        "DELETE",
        &format!("/v3/sources/{source_id}"),
        json!({"deleteRecords": false}),
    )
    .await;
    let listed = clay
        .get(&format!("/v3/sources?tableId={}", text(&answer["tableId"])))
        .await;
    assert_eq!(listed, json!([]));
}
