//! `plan`, `apply` and `destroy` end to end: the real binary, in a temporary project, against an
//! emulator the test starts. Proves that a spec becomes exactly that workbook in Clay (checked
//! through a second client over loopback HTTP and through state), that every kind of change is
//! applied the way the plan says (update in place keeps the Clay id, a rename keeps it, a
//! replacement frees the name first), that drift is shown and repaired, that `protect` and
//! unmanaged columns are honoured, and that every apply converges to a plan with no changes.

mod engine_support;

use engine_support::{Project, field_names};

const EVERY_KIND: &str = "Every Kind";
const SMALL: &str = "Small";

#[test]
fn create_from_scratch_builds_every_column_kind_with_auto_run_off_and_then_plans_no_changes() {
    let project = Project::new("every-kind.yaml");

    let plan = project.run(&["plan", "--detailed-exitcode"]).expect_code(2);
    assert!(
        plan.stdout
            .contains("Plan: 15 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );

    let apply = project.apply();
    assert!(
        apply
            .stderr
            .contains("Apply complete! Resources: 15 added, 0 changed, 0 destroyed."),
        "{}",
        apply.output()
    );

    let tables = project.live_tables(EVERY_KIND);
    assert_eq!(
        tables.keys().collect::<Vec<_>>(),
        ["Companies", "People"],
        "tables in Clay"
    );
    let companies = &tables["Companies"];
    let people = &tables["People"];
    for table in [companies, people] {
        assert_eq!(
            table.auto_run(),
            Some(false),
            "auto-run must be off on `{}`",
            table.name
        );
    }
    let names = field_names(companies);
    for column in [
        "Name",
        "Domain",
        "Notes",
        "Contact Email",
        "Work Email",
        "ICP Score",
        "Qualified",
        "Send To People",
        "Enriched",
    ] {
        assert_eq!(
            names.iter().filter(|n| *n == column).count(),
            1,
            "`{column}` once in Companies: {names:?}"
        );
    }
    let people_names = field_names(people);
    assert!(people_names.contains(&"Company Domain".to_string()));
    assert!(people_names.contains(&"Company".to_string()));

    // The alias resolves to a real action; the real key is sent as is.
    let contact = companies.field_named("Contact Email").unwrap();
    assert_eq!(contact.action_key(), Some("prospeo-find-work-email-v2"));
    let work = companies.field_named("Work Email").unwrap();
    assert_eq!(work.action_key(), Some("findymail-find-work-email"));
    // References reach Clay as field ids, never names.
    let domain_id = &companies.field_named("Domain").unwrap().id;
    let qualified = companies.field_named("Qualified").unwrap();
    let formula = qualified.type_settings.to_string();
    assert!(formula.contains(domain_id.as_str()), "{formula}");
    assert!(!formula.contains("{{Domain}}"), "{formula}");
    // run_if points at the column it names.
    let score = companies.field_named("ICP Score").unwrap();
    let contact_id = &contact.id;
    assert!(
        score.conditional_run_field_ids.contains(contact_id),
        "{score:?}"
    );
    // The lookup reads the other table.
    let company = people.field_named("Company").unwrap();
    assert!(
        company.type_settings.to_string().contains(&companies.id),
        "{:?}",
        company.type_settings
    );

    // State records every object with the id Clay gave it.
    let state = project.state(EVERY_KIND);
    assert_eq!(state.resources.len(), 15);
    for resource in &state.resources {
        if let clayform::state::ObjectPath::Column { table, column } = &resource.address.path {
            let live = tables[table].field_named(column).unwrap();
            assert_eq!(resource.clay_id, live.id, "{}", resource.address);
        }
    }
    project.assert_consistent(EVERY_KIND);
    project.expect_no_changes();
}

/// Apply a spec edit and check it was an in-place update of `column` that kept its Clay id.
#[track_caller]
fn apply_in_place_update(project: &Project, column: &str, from: &str, to: &str) -> String {
    let before = project.live_field(SMALL, "Companies", column);
    project.edit_spec(from, to);
    let plan = project.run(&["plan", "--detailed-exitcode"]).expect_code(2);
    assert!(
        plan.stdout.contains(&format!(
            "# workbook[\"Small\"].table[\"Companies\"].column[\"{column}\"] will be updated in place"
        )),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    project.apply();
    let after = project.live_field(SMALL, "Companies", column);
    assert_eq!(before.id, after.id, "`{column}` keeps its Clay id");
    project.expect_no_changes();
    plan.stdout
}

#[test]
fn every_column_kind_edit_is_an_update_in_place_that_keeps_the_field_id_and_converges() {
    let project = Project::new("small.yaml");
    project.apply();

    let plan = apply_in_place_update(&project, "Score", "Be strict.", "Be generous.");
    assert!(plan.contains("- Be strict."), "line diff: {plan}");
    assert!(plan.contains("+ Be generous."), "line diff: {plan}");
    let score = project.live_field(SMALL, "Companies", "Score");
    assert!(
        score.type_settings.to_string().contains("Be generous."),
        "{:?}",
        score.type_settings
    );

    apply_in_place_update(
        &project,
        "Qualified",
        r#"formula: "{{Domain}} != ''""#,
        r#"formula: "{{Name}} != ''""#,
    );
    let name_id = project.live_field(SMALL, "Companies", "Name").id;
    let qualified = project.live_field(SMALL, "Companies", "Qualified");
    assert!(
        qualified.type_settings.to_string().contains(&name_id),
        "{:?}",
        qualified.type_settings
    );

    apply_in_place_update(
        &project,
        "Email",
        r#"inputs: { full_name: "{{Name}}", company_domain: "{{Domain}}" }"#,
        r#"inputs: { full_name: "{{Name}}", company_domain: "{{Name}}" }"#,
    );
    let email = project.live_field(SMALL, "Companies", "Email");
    assert!(
        !email
            .input_field_ids
            .contains(&project.live_field(SMALL, "Companies", "Domain").id),
        "{email:?}"
    );

    apply_in_place_update(&project, "Qualified", "type: boolean", "type: text");
    apply_in_place_update(
        &project,
        "Score",
        r#"run_if: "!!{{Email}}""#,
        r#"run_if: "!!{{Domain}}""#,
    );
    let domain_id = project.live_field(SMALL, "Companies", "Domain").id;
    let score = project.live_field(SMALL, "Companies", "Score");
    assert_eq!(score.conditional_run_field_ids, vec![domain_id]);
}

#[test]
fn rename_with_renamed_from_keeps_the_field_and_without_it_destroys_and_creates() {
    let project = Project::new("small.yaml");
    project.apply();
    let qualified = project.live_field(SMALL, "Companies", "Qualified");
    let domain = project.live_field(SMALL, "Companies", "Domain");

    project.edit_spec(
        "      Qualified:\n",
        "      Is Qualified:\n        renamed_from: [Qualified]\n",
    );
    let plan = project.run(&["plan"]).expect_code(0);
    assert!(
        plan.stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );
    project.apply();
    let renamed = project.live_field(SMALL, "Companies", "Is Qualified");
    assert_eq!(renamed.id, qualified.id);
    let names = field_names(&project.live_table(SMALL, "Companies"));
    assert!(!names.contains(&"Qualified".to_string()), "{names:?}");
    project.expect_no_changes();

    // A referenced column renamed, with every reference to it: the references follow the id.
    let spec = project
        .spec()
        .replace("{{Domain}}", "{{Website}}")
        .replacen(
            "      Domain: { type: url }\n",
            "      Website: { type: url, renamed_from: [Domain] }\n",
            1,
        );
    project.write_spec(&spec);
    project.apply();
    assert_eq!(
        project.live_field(SMALL, "Companies", "Website").id,
        domain.id
    );
    project.expect_no_changes();

    // Without `renamed_from`, a new name is a new column.
    project.edit_spec(
        "      Is Qualified:\n        renamed_from: [Qualified]\n",
        "      Good Fit:\n",
    );
    let plan = project.run(&["plan"]).expect_code(0);
    assert!(
        plan.stdout
            .contains("Plan: 1 to add, 0 to change, 1 to destroy."),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("will be destroyed"), "{}", plan.stdout);
    project.apply();
    let good_fit = project.live_field(SMALL, "Companies", "Good Fit");
    assert_ne!(good_fit.id, qualified.id);
    let names = field_names(&project.live_table(SMALL, "Companies"));
    assert!(!names.contains(&"Is Qualified".to_string()), "{names:?}");
    project.expect_no_changes();
    project.assert_consistent(SMALL);
}

#[test]
fn changing_an_action_key_replaces_the_column_under_the_same_name_and_protect_refuses_it() {
    let project = Project::new("small.yaml");
    project.apply();
    let old = project.live_field(SMALL, "Companies", "Email");

    project.edit_spec("prospeo-find-work-email-v2", "findymail-find-work-email");
    let plan = project.run(&["plan"]).expect_code(0);
    assert!(
        plan.stdout.contains("-/+ column \"Email\""),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    let apply = project.apply();
    assert!(
        !apply.output().contains("FieldNameAlreadyExists"),
        "{}",
        apply.output()
    );
    let new = project.live_field(SMALL, "Companies", "Email");
    assert_ne!(new.id, old.id);
    assert_eq!(new.action_key(), Some("findymail-find-work-email"));
    let table = project.live_table(SMALL, "Companies");
    assert!(table.field(&old.id).is_none(), "{:?}", field_names(&table));
    // The column whose run condition names `Email` now points at the new field.
    let score = project.live_field(SMALL, "Companies", "Score");
    assert_eq!(score.conditional_run_field_ids, vec![new.id.clone()]);
    project.expect_no_changes();
    project.assert_consistent(SMALL);

    // Protected: neither replaced nor destroyed, and nothing changes in Clay.
    project.edit_spec(
        "        enrichment: findymail-find-work-email\n",
        "        protect: true\n        enrichment: findymail-find-work-email\n",
    );
    project.apply();
    project.edit_spec("findymail-find-work-email", "leadmagic-find-work-email");
    let plan = project.run(&["plan"]).expect_code(1);
    assert!(plan.output().contains("protect"), "{}", plan.output());
    project.run(&["apply", "--auto-approve"]).expect_code(1);
    assert_eq!(project.live_field(SMALL, "Companies", "Email").id, new.id);
    project
        .run(&["destroy", "--auto-approve", "specs"])
        .expect_code(1);
    assert_eq!(project.live_field(SMALL, "Companies", "Email").id, new.id);
    assert_eq!(project.live_tables(SMALL).len(), 1);
}

#[test]
fn drift_made_directly_in_clay_is_planned_with_reason_drift_and_apply_restores_it() {
    let project = Project::new("small.yaml");
    project.apply();
    let clay = project.clay();
    let table = project.live_table(SMALL, "Companies");
    let qualified = table.field_named("Qualified").unwrap().clone();
    let name = table.field_named("Name").unwrap().clone();

    // Renamed in Clay.
    project
        .block_on(clay.patch_field(
            &table.id,
            &qualified.id,
            &clayform::provider::wire::field::PatchFieldRequest {
                name: Some("Renamed By Hand".into()),
                ..Default::default()
            },
        ))
        .unwrap();
    let plan = project.plan_json();
    let change = resource_change(&plan, "Qualified");
    assert_eq!(change["change"]["actions"], serde_json::json!(["update"]));
    assert!(has_reason(change, "drift"), "{change}");
    project.apply();
    assert_eq!(
        project.live_field(SMALL, "Companies", "Qualified").id,
        qualified.id
    );
    project.expect_no_changes();

    // Formula edited in Clay (the whole typeSettings, as Clay requires).
    let mut settings = qualified.type_settings.clone();
    settings["formulaText"] = format!("{{{{{}}}}} != 'x'", name.id).into();
    project
        .block_on(clay.patch_field(
            &table.id,
            &qualified.id,
            &clayform::provider::wire::field::PatchFieldRequest {
                type_settings: Some(settings),
                ..Default::default()
            },
        ))
        .unwrap();
    let plan = project.plan_json();
    let change = resource_change(&plan, "Qualified");
    assert_eq!(change["change"]["actions"], serde_json::json!(["update"]));
    assert!(has_reason(change, "drift"), "{change}");
    project.apply();
    let restored = project.live_field(SMALL, "Companies", "Qualified");
    assert!(
        !restored.type_settings.to_string().contains("'x'"),
        "{:?}",
        restored.type_settings
    );
    project.expect_no_changes();

    // Deleted in Clay: planned as a create. Clay keeps the deleted column's name reserved, so
    // apply says how to move on, and a new name in the spec converges.
    project
        .block_on(clay.delete_field(&table.id, &qualified.id))
        .unwrap();
    let plan = project.plan_json();
    let change = resource_change(&plan, "Qualified");
    assert_eq!(change["change"]["actions"], serde_json::json!(["create"]));
    assert!(has_reason(change, "deleted_outside_clayform"), "{change}");
    let apply = project.run(&["apply", "--auto-approve"]).expect_code(1);
    assert!(
        apply
            .stderr
            .contains("Clay keeps a deleted column's name reserved"),
        "{}",
        apply.output()
    );
    project.edit_spec("      Qualified:\n", "      Qualified Again:\n");
    project.apply();
    project.live_field(SMALL, "Companies", "Qualified Again");
    project.expect_no_changes();

    // A referenced column deleted in Clay: the plan still reads the column that references
    // it, and once the deleted one has a new name, that column points at the new field.
    let email = table.field_named("Email").unwrap().clone();
    project
        .block_on(clay.delete_field(&table.id, &email.id))
        .unwrap();
    let plan = project.plan_json();
    let change = resource_change(&plan, "Email");
    assert_eq!(change["change"]["actions"], serde_json::json!(["create"]));
    let change = resource_change(&plan, "Score");
    assert_eq!(change["change"]["actions"], serde_json::json!(["update"]));
    assert!(has_reason(change, "drift"), "{change}");
    rename_email_and_check_score_follows(&project);
    project.assert_consistent(SMALL);
}

#[test]
fn destroy_removes_everything_managed_and_reports_unmanaged_columns() {
    let project = Project::new("small.yaml");
    project.apply();
    let clay = project.clay();
    let table = project.live_table(SMALL, "Companies");
    let request = clayform::provider::wire::field::CreateFieldRequest {
        name: "Hand Made".into(),
        field_type: "text".into(),
        type_settings: serde_json::json!({ "dataTypeSettings": { "type": "text" } }),
        description: None,
        active_view_id: table.default_view_id().map(str::to_owned),
    };
    project
        .block_on(clay.create_field(&table.id, &request))
        .unwrap();
    let plan = project.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    assert!(
        plan.stderr
            .contains("column `Hand Made` in table `Companies` is not managed by clayform"),
        "{}",
        plan.output()
    );

    let destroy = project
        .run(&["destroy", "--auto-approve", "specs"])
        .expect_code(0);
    assert!(
        destroy
            .stderr
            .contains("column `Hand Made` in table `Companies` is not managed by clayform"),
        "{}",
        destroy.output()
    );
    // Every managed column is gone; the unmanaged one, and the table and workbook holding it,
    // are left alone.
    let table = project.live_table(SMALL, "Companies");
    let user_fields: Vec<&str> = table
        .fields
        .iter()
        .filter(|f| !f.is_system())
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(user_fields, ["Hand Made"]);
    let state = project.state(SMALL);
    assert!(
        state
            .resources
            .iter()
            .all(|r| r.kind != clayform::state::ResourceKind::Column),
        "{:?}",
        state.resources
    );

    // Without unmanaged columns, destroy removes the table and the workbook too.
    let hand_made = table.field_named("Hand Made").unwrap();
    project
        .block_on(clay.delete_field(&table.id, &hand_made.id))
        .unwrap();
    project
        .run(&["destroy", "--auto-approve", "specs"])
        .expect_code(0);
    assert!(project.live_workbook_ids(SMALL).is_empty());
    assert!(project.state(SMALL).resources.is_empty());
    project
        .run(&["destroy", "--auto-approve", "specs"])
        .expect_code(0);
}

#[track_caller]
fn resource_change<'a>(plan: &'a serde_json::Value, column: &str) -> &'a serde_json::Value {
    engine_support::change_ending(plan, &format!(".column[\"{column}\"]"))
}

fn has_reason(change: &serde_json::Value, reason: &str) -> bool {
    change["action_reason"]
        .as_array()
        .is_some_and(|r| r.iter().any(|r| r["reason"] == reason))
}

#[test]
fn a_saved_plan_is_applied_exactly_and_refused_when_the_spec_clay_or_state_moved() {
    let project = Project::new("small.yaml");
    let plan = project
        .run(&["plan", "--out", "p.json", "--detailed-exitcode"])
        .expect_code(2);
    assert!(plan.stdout.contains("Plan: 7 to add"), "{}", plan.stdout);
    let apply = project.run(&["apply", "p.json"]).expect_code(0);
    assert!(
        apply.stderr.contains("Resources: 7 added"),
        "{}",
        apply.output()
    );
    project.expect_no_changes();

    // The spec changed after planning.
    project.edit_spec("Be strict.", "Be kind.");
    project.run(&["plan", "--out", "p.json"]).expect_code(0);
    project.edit_spec("Be kind.", "Be brief.");
    let refused = project.run(&["apply", "p.json"]).expect_code(1);
    assert!(
        refused.stderr.contains("the spec files changed"),
        "{}",
        refused.output()
    );
    let score = project.live_field(SMALL, "Companies", "Score");
    assert!(score.type_settings.to_string().contains("Be strict."));

    // An object the plan touches changed in Clay after planning.
    project.run(&["plan", "--out", "p.json"]).expect_code(0);
    let clay = project.clay();
    let table = project.live_table(SMALL, "Companies");
    project
        .block_on(clay.patch_field(
            &table.id,
            &score.id,
            &clayform::provider::wire::field::PatchFieldRequest {
                description: Some("edited by hand".into()),
                ..Default::default()
            },
        ))
        .unwrap();
    let refused = project.run(&["apply", "p.json"]).expect_code(1);
    assert!(
        refused
            .stderr
            .contains("changed in Clay since the plan was made"),
        "{}",
        refused.output()
    );

    // The state moved after planning.
    project.run(&["plan", "--out", "p.json"]).expect_code(0);
    project.apply();
    let refused = project.run(&["apply", "p.json"]).expect_code(1);
    assert!(
        refused.stderr.contains("moved since the plan was made"),
        "{}",
        refused.output()
    );
    // That apply also undid the description added by hand: the spec has none.
    let score = project.live_field(SMALL, "Companies", "Score");
    assert_eq!(score.description.unwrap_or_default(), "");
    project.expect_no_changes();
}

#[test]
fn plan_formats_and_target_describe_the_same_changes() {
    let project = Project::new("small.yaml");
    project.apply();
    project.edit_spec("Be strict.", "Be brief.");
    project.edit_spec("type: boolean", "type: text");

    let json = project.plan_json();
    assert_eq!(json["summary"]["change"], 2, "{json}");
    let actions: Vec<_> = json["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"]["actions"].clone())
        .collect();
    assert!(actions.contains(&serde_json::json!(["update"])), "{json}");
    assert!(
        actions
            .iter()
            .all(|a| a.as_array().is_some_and(|a| !a.is_empty())),
        "{json}"
    );

    let markdown = project
        .run(&["plan", "--format", "markdown"])
        .expect_code(0);
    assert!(
        markdown
            .stdout
            .starts_with("### clayform plan: 0 to add, 2 to change, 0 to destroy"),
        "{}",
        markdown.stdout
    );

    let target = "workbook[Small].table[Companies].column[Score]";
    let targeted = project
        .run(&["plan", "--target", target, "--detailed-exitcode"])
        .expect_code(2);
    assert!(
        targeted
            .stdout
            .contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{}",
        targeted.stdout
    );
    assert!(
        !targeted.stdout.contains("Qualified"),
        "{}",
        targeted.stdout
    );
}

#[test]
fn the_api_key_never_reaches_output_state_or_saved_plans() {
    let mut project = Project::new("small.yaml");
    project.api_key = "sk-test-SECRET123".into();
    let mut outputs = vec![
        project.run(&["plan", "--out", "p.json"]).expect_code(0),
        project.run(&["apply", "p.json"]).expect_code(0),
        project.run(&["plan", "--format", "json"]).expect_code(0),
        project.run(&["state", "list"]).expect_code(0),
    ];
    project.edit_spec("Be strict.", "Be brief.");
    outputs.push(project.apply());
    outputs.push(
        project
            .run(&["destroy", "--auto-approve", "specs"])
            .expect_code(0),
    );
    for run in &outputs {
        assert!(!run.output().contains("SECRET123"), "{}", run.output());
    }
    let mut files = vec![project.root().join("p.json")];
    for entry in std::fs::read_dir(project.root().join(".clayform/state")).unwrap() {
        files.push(entry.unwrap().path());
    }
    assert!(files.len() >= 2, "{files:?}");
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("SECRET123"),
            "{} holds the key",
            file.display()
        );
    }
}

#[test]
fn a_second_apply_while_one_runs_fails_fast_with_the_holders_lock_info() {
    let project = Project::with_emulator(
        "small.yaml",
        clayform::emulator::EmulatorConfig {
            latency_ms: 60,
            ..engine_support::quiet_emulator()
        },
    );
    let first = project.spawn(&["apply", "--auto-approve"]);
    // Wait until the first apply is creating objects (it holds the lock while it does).
    let state_path = project.backend().state_path(&project.state_key(SMALL));
    let started = std::time::Instant::now();
    while !state_path.exists() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the first apply never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second_started = std::time::Instant::now();
    let second = project.run(&["apply", "--auto-approve"]).expect_code(1);
    assert!(
        second_started.elapsed() < std::time::Duration::from_secs(5),
        "the second apply must fail fast"
    );
    assert!(second.stderr.contains("Lock Info:"), "{}", second.output());
    assert!(
        second.stderr.contains("Operation: apply"),
        "{}",
        second.output()
    );
    assert!(second.stderr.contains("ID:"), "{}", second.output());

    let first = first.wait_with_output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    project.set_emulator(0.0, 0);
    project.assert_consistent(SMALL);
    project.expect_no_changes();
}

#[test]
fn two_applies_started_together_on_a_new_workbook_create_it_once() {
    let project = Project::with_emulator(
        "small.yaml",
        clayform::emulator::EmulatorConfig {
            latency_ms: 30,
            ..engine_support::quiet_emulator()
        },
    );
    let spawn = || project.spawn(&["apply", "--auto-approve"]);
    let (first, second) = (spawn(), spawn());
    let outputs = [
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    ];
    let codes: Vec<_> = outputs.iter().map(|o| o.status.code()).collect();
    let stderr: Vec<_> = outputs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect();
    let all = stderr.join("\n=====\n");
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(sorted, [Some(0), Some(1)], "one applies, one fails:\n{all}");
    let loser = &stderr[codes.iter().position(|c| *c == Some(1)).unwrap()];
    // Most often it meets the lock; if it planned in a gap between the other's locks, it finds
    // the state moved under it. Either way it changes nothing.
    assert!(
        loser.contains("Lock Info:") || loser.contains("changed while the plan was shown"),
        "{all}"
    );
    assert_eq!(project.live_workbook_ids(SMALL).len(), 1);
    project.set_emulator(0.0, 0);
    project.assert_consistent(SMALL);
    project.expect_no_changes();
}

/// A column that had to wait for a later one (B references C) is created right after its spec
/// neighbour, so the order pass has nothing to move. (One at a time, tallest chain first: A and
/// C, then B, then D.)
#[test]
fn a_column_created_after_its_neighbour_lands_next_to_it_without_moves() {
    let project = Project::new("small.yaml");
    project.write_spec(
        "workbook: Small\nclient: acme\ntables:\n  Companies:\n    type: company\n    columns:\n      \
         A: { type: text }\n      B: { formula: \"{{C}} || ''\" }\n      C: { type: text }\n      \
         D: { formula: \"{{A}} || ''\" }\n",
    );
    project
        .run(&["apply", "--auto-approve", "--parallelism", "1"])
        .expect_code(0);
    assert_in_order_without_moves(&project, SMALL, &["A", "B", "C", "D"], "one at a time");
    project.expect_no_changes();
}

/// Email gets a new name in the spec (a deleted column's name stays reserved in Clay): after
/// apply, Score points at the new field and nothing is left to do.
fn rename_email_and_check_score_follows(project: &Project) {
    let spec = project
        .spec()
        .replace("      Email:\n", "      Work Email:\n")
        .replace("{{Email}}", "{{Work Email}}");
    project.write_spec(&spec);
    project.apply();
    let work_email = project.live_field(SMALL, "Companies", "Work Email");
    let score = project.live_field(SMALL, "Companies", "Score");
    assert_eq!(score.conditional_run_field_ids, vec![work_email.id.clone()]);
    project.expect_no_changes();
}

/// No column-order move was sent, and `columns` of `workbook`'s Companies are in that order.
#[track_caller]
fn assert_in_order_without_moves(project: &Project, workbook: &str, columns: &[&str], what: &str) {
    let stats = project.emulator_stats();
    let moves = stats["byRoute"]["PATCH /v3/tables/{tableId}/views/{viewId}/fields/{fieldId}"]
        .as_u64()
        .unwrap_or(0);
    assert_eq!(moves, 0, "{what}: {stats}");
    let table = project.live_table(workbook, "Companies");
    let ids: Vec<String> = columns
        .iter()
        .map(|name| table.field_named(name).expect("column").id.clone())
        .collect();
    assert_eq!(clayform::engine::live_order(&table, &ids), ids, "{what}");
}

/// Many columns created at once, answered in a jumbled order (the emulator adds up to 25 ms of
/// seeded jitter per request): each create is placed after the nearest column Clay already has,
/// one create per gap, so the view is in spec order without a single move. Runs over a few
/// seeds, each a different jumble.
#[test]
fn concurrent_creates_answered_out_of_order_land_in_spec_order_without_moves() {
    // 16 plain columns, then formulas that each read an earlier one (so some creates wait).
    let mut spec = String::from(
        "workbook: Jumbled\nclient: acme\ntables:\n  Companies:\n    type: company\n    columns:\n",
    );
    let mut names = Vec::new();
    for i in 0..16 {
        spec.push_str(&format!("      C{i:02}: {{ type: text }}\n"));
        names.push(format!("C{i:02}"));
        if i % 4 == 3 {
            spec.push_str(&format!(
                "      F{i:02}: {{ formula: \"{{{{C{:02}}}}} || ''\" }}\n",
                i - 2
            ));
            names.push(format!("F{i:02}"));
        }
    }
    for seed in [1, 2, 3] {
        let project = Project::with_emulator(
            "small.yaml",
            clayform::emulator::EmulatorConfig {
                latency_ms: 5,
                jitter_ms: 25,
                seed,
                ..engine_support::quiet_emulator()
            },
        );
        project.write_spec(&spec);
        project
            .run(&["apply", "--auto-approve", "--parallelism", "8"])
            .expect_code(0);
        let columns: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_in_order_without_moves(&project, "Jumbled", &columns, &format!("seed {seed}"));
        project.expect_no_changes();
    }
}

/// A new table costs its create and at most one PATCH: the description and auto-run go in one,
/// and on a table that gets a webhook source in the same apply, auto-run goes in the PATCH that
/// adds the source. Every table ends with auto-run as the spec says, and nothing is left to do.
#[test]
fn new_tables_set_auto_run_without_a_patch_of_its_own_when_a_webhook_source_is_added() {
    let project = Project::new("small.yaml");
    project.write_spec(
        "workbook: Patches\nclient: acme\ntables:\n  Inbound:\n    type: company\n    source:\n      \
         webhook: {}\n    columns:\n      Name: { from_source: name }\n  Described:\n    type: \
         spreadsheet\n    description: notes kept by hand\n    columns:\n      A: { type: text }\n  \
         Running:\n    type: spreadsheet\n    auto_run: true\n    columns:\n      B: { type: text }\n",
    );
    project.apply();
    let stats = project.emulator_stats();
    let calls = |route: &str| stats["byRoute"][route].as_u64().unwrap_or(0);
    assert_eq!(calls("POST /v3/tables"), 3, "{stats}");
    // Inbound: the PATCH that adds its source (auto-run off in it). Described: one PATCH for
    // description and auto-run. Running: Clay's default (on) is what the spec asks, no PATCH.
    assert_eq!(calls("PATCH /v3/tables/{tableId}"), 2, "{stats}");
    let tables = project.live_tables("Patches");
    assert_eq!(tables["Inbound"].auto_run(), Some(false));
    assert_eq!(tables["Described"].auto_run(), Some(false));
    assert_eq!(tables["Running"].auto_run(), Some(true));
    assert_eq!(
        tables["Described"].description.as_deref(),
        Some("notes kept by hand")
    );
    project.expect_no_changes();
}

/// A column adopted after an interrupted apply has no recorded config. If a column it references
/// is then deleted (as a replacement killed half-way leaves it), the plan still reads it: the
/// reference reads as a deleted column, and the column is updated in place, not replaced.
#[test]
fn an_adopted_column_whose_reference_was_deleted_is_updated_in_place() {
    let project = Project::new("small.yaml");
    project.apply();
    forget_applied_config(&project, "Score");
    let clay = project.clay();
    let table = project.live_table(SMALL, "Companies");
    let email = table.field_named("Email").unwrap().clone();
    project
        .block_on(clay.delete_field(&table.id, &email.id))
        .unwrap();
    let plan = project.plan_json();
    let change = resource_change(&plan, "Score");
    assert_eq!(change["change"]["actions"], serde_json::json!(["update"]));
    rename_email_and_check_score_follows(&project);
}

/// Leave `column` of Small's Companies in state as `intents::reconcile` records an object it
/// adopts after an interrupted apply: its applied config unknown.
fn forget_applied_config(project: &Project, column: &str) {
    let backend = project.backend();
    let key = project.state_key(SMALL);
    let lock = backend
        .lock(
            &key,
            clayform::state::Operation::Apply,
            std::time::Duration::ZERO,
        )
        .unwrap();
    let mut state = backend.load(&key).unwrap().unwrap();
    let address = clayform::state::Address::column(SMALL, "Companies", column);
    state.get_mut(&address).unwrap().desired = serde_json::Value::Null;
    backend.save(&lock, &mut state).unwrap();
}

/// An adopted column that the next plan finds unchanged gets the spec's config recorded as
/// applied, both by an apply with nothing to do and by one that changes something else.
#[test]
fn an_adopted_column_found_unchanged_gets_its_config_recorded() {
    let project = Project::new("small.yaml");
    project.apply();
    let applied = |column: &str| {
        project
            .state(SMALL)
            .get(&clayform::state::Address::column(
                SMALL,
                "Companies",
                column,
            ))
            .unwrap()
            .desired
            .clone()
    };
    let score = applied("Score");
    assert!(score.is_object(), "{score}");

    forget_applied_config(&project, "Score");
    project.run(&["apply", "--auto-approve"]).expect_code(0);
    assert_eq!(applied("Score"), score);

    forget_applied_config(&project, "Score");
    project.edit_spec("{{Domain}} != ''", "{{Domain}} != 'x'");
    project.apply();
    assert_eq!(applied("Score"), score);
    project.expect_no_changes();
}
