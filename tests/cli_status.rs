//! `clayform status` end to end: the real binary against an emulator the test starts, in a
//! temporary project. Proves which workbooks it lists (specs, or state without specs), that rows
//! and per-column run states come from Clay, that a webhook table shows its URL (which apply printed), and that the JSON
//! form is the documented, versioned object.

mod engine_support;

use engine_support::Project;

fn leads() -> Project {
    let project = Project::new("small.yaml");
    project.write_spec(&runs_fixture("leads.yaml"));
    project
}

fn runs_fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn status_json(project: &Project, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["status", "--format", "json"];
    all.extend_from_slice(args);
    let run = project.run(&all).expect_code(0);
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("status --format json is not JSON ({e}):\n{}", run.stdout))
}

#[test]
fn a_workbook_never_applied_is_listed_as_not_applied() {
    let project = leads();
    let run = project.run(&["status"]).expect_code(0);
    assert!(run.stdout.contains("workbook `Leads`"), "{}", run.output());
    assert!(
        run.stdout.contains("not applied yet: run `clayform apply`"),
        "{}",
        run.output()
    );
    let json = status_json(&project, &[]);
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["workbooks"][0]["applied"], false);
    assert_eq!(json["workbooks"][0]["workbook_id"], serde_json::Value::Null);
}

#[test]
fn after_apply_status_shows_rows_columns_that_never_ran_and_the_webhook_url() {
    let project = leads();
    let applied = project.apply();
    let printed = applied
        .stdout
        .lines()
        .find(|l| l.starts_with("webhook: workbook `Leads` table `Inbound`: http"))
        .unwrap_or_else(|| panic!("apply printed no webhook URL:\n{}", applied.output()));

    let run = project
        .run(&["status", "specs/workbook.yaml"])
        .expect_code(0);
    let text = &run.stdout;
    assert!(text.contains("table `Companies`"), "{text}");
    assert!(text.contains("20 rows"), "{text}");
    for column in ["Email", "Summary", "Score"] {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(column))
            .unwrap_or_else(|| panic!("no line for `{column}`:\n{text}"));
        assert!(line.contains("never run"), "{line}");
        assert!(line.contains("0%"), "{line}");
    }
    // Columns that don't run have no run state.
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("Domain")),
        "{text}"
    );
    assert!(text.contains("(+2 columns that don't run)"), "{text}");
    let webhook_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("webhook:"))
        .unwrap_or_else(|| panic!("no webhook line:\n{text}"));
    assert!(webhook_line.contains("http"), "{webhook_line}");

    let json = status_json(&project, &["specs/workbook.yaml"]);
    let workbook = &json["workbooks"][0];
    assert_eq!(workbook["applied"], true);
    assert!(workbook["workbook_id"].as_str().unwrap().starts_with("wb_"));
    let tables = workbook["tables"].as_array().unwrap();
    assert_eq!(
        tables
            .iter()
            .map(|t| t["table"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["Companies", "Inbound"],
        "spec order"
    );
    assert_eq!(tables[0]["rows"], 20);
    assert_eq!(tables[0]["webhook_url"], serde_json::Value::Null);
    let url = tables[1]["webhook_url"].as_str().expect("webhook url");
    assert!(
        printed.ends_with(url),
        "apply and status agree: {printed} vs {url}"
    );
    let state = project.state("Leads");
    let source = state
        .resources
        .iter()
        .find(|r| r.address.to_string().ends_with("table[\"Inbound\"].source"))
        .expect("source in state");
    assert_eq!(
        source.observed["url"].as_str(),
        Some(url),
        "the URL state observed"
    );
    let columns = tables[0]["columns"].as_array().unwrap();
    assert_eq!(
        columns
            .iter()
            .map(|c| c["column"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["Email", "Summary", "Score"]
    );
    assert_eq!(columns[0]["kind"], "enrichment");
    assert_eq!(columns[0]["run_state"], "never_run");
    assert_eq!(columns[0]["fill_rate"], 0.0);
    assert!(columns[0]["field_id"].as_str().unwrap().starts_with("f_"));
}

#[test]
fn without_specs_status_lists_every_workbook_in_state() {
    let project = leads();
    project.apply();
    std::fs::remove_dir_all(project.root().join("specs")).unwrap();

    let json = status_json(&project, &[]);
    let workbooks = json["workbooks"].as_array().unwrap();
    assert_eq!(workbooks.len(), 1, "{json}");
    assert_eq!(workbooks[0]["workbook"], "Leads");
    assert_eq!(workbooks[0]["tables"][0]["rows"], 20);
}
