//! Sources changed through plan/apply, end to end: the real binary against an emulator the test
//! starts. Proves that editing a search's filters or limit updates the search in Clay (not only
//! in state), and that a webhook source with `auth_token: true` gets a token that apply shows once,
//! that the emulator then demands, and that is written nowhere.

mod engine_support;

use engine_support::Project;

fn leads() -> Project {
    let project = Project::new("small.yaml");
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runs/leads.yaml");
    project.write_spec(&std::fs::read_to_string(path).expect("fixture"));
    project
}

#[track_caller]
fn source_change<'a>(plan: &'a serde_json::Value, table: &str) -> &'a serde_json::Value {
    engine_support::change_ending(plan, &format!("table[\"{table}\"].source"))
}

fn source_id(project: &Project, table: &str) -> String {
    project
        .state("Leads")
        .resources
        .iter()
        .find(|r| {
            r.address
                .to_string()
                .ends_with(&format!("table[\"{table}\"].source"))
        })
        .expect("source in state")
        .clay_id
        .clone()
}

#[test]
fn editing_a_search_updates_its_inputs_in_clay_and_plans_clean_afterwards() {
    let project = leads();
    project.apply();
    let id = source_id(&project, "Companies");
    let clay = project.clay();
    let before = project
        .block_on(clay.get_source(&id))
        .expect("source")
        .type_settings;
    assert_eq!(before["inputs"]["limit"], 20);

    project.edit_spec(
        "industries: [Software], locations: [California], limit: 20",
        "industries: [Software, Fintech], locations: [California], limit: 40",
    );
    let plan = project.plan_json();
    let change = source_change(&plan, "Companies");
    assert_eq!(change["change"]["actions"], serde_json::json!(["update"]));
    project.apply();

    let after = project
        .block_on(clay.get_source(&id))
        .expect("source")
        .type_settings;
    assert_eq!(after["inputs"]["limit"], 40, "{after}");
    assert_eq!(
        after["inputs"]["industries"],
        serde_json::json!(["Software", "Fintech"])
    );
    // Clay replaces typeSettings whole: everything else was sent back unchanged.
    for key in ["actionKey", "actionPackageId", "recordsPath", "idPath"] {
        assert_eq!(after[key], before[key], "{key}");
    }
    assert_eq!(source_id(&project, "Companies"), id, "updated in place");
    project.expect_no_changes();
}

fn post_to_webhook(project: &Project, url: &str, token: Option<&str>) -> u16 {
    // The URL is Clay's (`https://api.clay.com/v3/sources/webhook/...`); the emulator serves the
    // same path.
    let path = &url[url.find("/v3/").expect("a /v3 URL")..];
    let target = format!("{}{path}", project.emulator.url());
    project.block_on(async {
        let mut request = reqwest::Client::new()
            .post(target)
            .json(&serde_json::json!({"name": "Acme"}));
        if let Some(token) = token {
            request = request.header("x-clay-webhook-auth", token);
        }
        request.send().await.expect("post").status().as_u16()
    })
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_webhook_auth_token_is_shown_once_demanded_by_clay_and_stored_nowhere() {
    let project = leads();
    project.edit_spec(
        "webhook: { expected_rows: 5 }",
        "webhook: { expected_rows: 5, auth_token: true }",
    );
    let applied = project.apply();
    let line = |prefix: &str| -> String {
        applied
            .stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line:\n{}", applied.output()))
            .to_string()
    };
    let url = line("webhook: workbook `Leads` table `Inbound`: ")
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    let token_line = line("webhook auth token: workbook `Leads` table `Inbound`: ");
    let token = token_line
        .strip_prefix("webhook auth token: workbook `Leads` table `Inbound`: ")
        .and_then(|rest| rest.split(' ').next())
        .expect("token")
        .to_string();
    assert!(token.len() >= 16, "{token_line}");

    assert_eq!(post_to_webhook(&project, &url, None), 401, "unsigned");
    assert_eq!(post_to_webhook(&project, &url, Some("wrong")), 401);
    assert_eq!(post_to_webhook(&project, &url, Some(&token)), 200, "signed");

    // Not in state, the emulator's own files aside (they stand in for Clay's database).
    for file in files_under(project.root()) {
        if file.to_string_lossy().contains("emulator") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains(&token), "the token is in {}", file.display());
    }
    // Not shown again, and not in a plan.
    let plan = project.run(&["plan"]).expect_code(0);
    assert!(!plan.output().contains(&token));
    let again = project.run(&["apply", "--auto-approve"]).expect_code(0);
    assert!(!again.output().contains(&token));
    let status = project.run(&["status"]).expect_code(0);
    assert!(!status.output().contains(&token));

    // No call removes a token: dropping `auth_token` makes a new source, with a new URL.
    project.edit_spec(
        "webhook: { expected_rows: 5, auth_token: true }",
        "webhook: { expected_rows: 5 }",
    );
    let plan = project.plan_json();
    let change = source_change(&plan, "Inbound");
    assert_eq!(
        change["change"]["actions"],
        serde_json::json!(["delete", "create"]),
        "{change}"
    );
    let replaced = project.apply();
    let new_url = replaced
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("webhook: workbook `Leads` table `Inbound`: "))
        .expect("the new URL")
        .to_string();
    assert_ne!(new_url, url);
    assert!(!replaced.stdout.contains("webhook auth token"));
    assert_eq!(post_to_webhook(&project, &new_url, None), 200);
    project.expect_no_changes();
}

/// An apply killed after creating a webhook source leaves it for the next apply to adopt, with
/// no record of what was sent (state holds `null`). Adopting it reads its URL again and gives it
/// the token the spec asks for.
#[test]
fn an_adopted_webhook_source_gets_its_url_back_and_the_token_the_spec_asks_for() {
    let project = leads();
    project.edit_spec(
        "webhook: { expected_rows: 5 }",
        "webhook: { expected_rows: 5, auth_token: true }",
    );
    project.apply();
    // What reconciling an interrupted apply leaves: the source adopted, its config unknown.
    let path = project.backend().state_path(&project.state_key("Leads"));
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let source = state["resources"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| {
            r["address"]
                .as_str()
                .is_some_and(|a| a.ends_with("table[\"Inbound\"].source"))
        })
        .expect("source in state");
    source["desired"] = serde_json::Value::Null;
    source["observed"] = serde_json::Value::Null;
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();

    let plan = project.plan_json();
    let change = source_change(&plan, "Inbound");
    assert_eq!(change["change"]["actions"], serde_json::json!(["update"]));
    let applied = project.apply();
    let url = applied
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("webhook: workbook `Leads` table `Inbound`: "))
        .unwrap_or_else(|| panic!("no URL:\n{}", applied.output()))
        .to_string();
    let token = applied
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("webhook auth token: workbook `Leads` table `Inbound`: "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no token:\n{}", applied.output()))
        .to_string();
    assert_eq!(post_to_webhook(&project, &url, Some(&token)), 200);
    assert_eq!(post_to_webhook(&project, &url, None), 401);
    let status = project.run(&["status"]).expect_code(0);
    assert!(status.stdout.contains(&url), "{}", status.output());
    project.expect_no_changes();
}
