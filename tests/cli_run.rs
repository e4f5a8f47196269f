//! `clayform run` end to end: the real binary against an emulator the test starts (fast runs),
//! in a temporary project. Proves that a run submits the selected columns and rows, waits for
//! every cell, and reports outcomes per column with actual vs estimated cost; that `run_if`-gated
//! rows count as "not met", not as errors; that budgets are checked before anything runs (no
//! `PATCH …/run` at all when refused); that `--columns`, `--table`, `--rows` and `--force` select
//! what they say; that `status` afterwards shows fill rates; and that cell errors exit 1.

mod engine_support;

use engine_support::{Project, WORKSPACE_ID, quiet_emulator};
use serde_json::Value;

const RUN_ROUTE: &str = "PATCH /v3/tables/{tableId}/run";

fn runs_fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn leads_with(config: clayform::emulator::EmulatorConfig) -> Project {
    let project = Project::with_emulator("small.yaml", config);
    project.write_spec(&runs_fixture("leads.yaml"));
    project
}

fn applied_leads() -> Project {
    let project = leads_with(quiet_emulator());
    project.apply();
    project
}

fn run_calls(project: &Project) -> u64 {
    let url = format!("{}/__emulator/stats", project.emulator.url());
    let stats: Value = project.block_on(async {
        reqwest::get(url)
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats json")
    });
    stats["byRoute"][RUN_ROUTE].as_u64().unwrap_or(0)
}

/// The outcome line of `column` in `run`'s table, split into its cells.
#[track_caller]
fn outcome_row(stdout: &str, column: &str) -> Vec<String> {
    let line = stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(column))
        .unwrap_or_else(|| panic!("no outcome line for `{column}`:\n{stdout}"));
    // column, kind, cells, success, no data, not met, running, errors..., actions, data credits
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

fn status_json(project: &Project) -> Value {
    let run = project.run(&["status", "--format", "json"]).expect_code(0);
    serde_json::from_str(&run.stdout).expect("status json")
}

fn column_status<'a>(status: &'a Value, column: &str) -> &'a Value {
    status["workbooks"][0]["tables"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == column)
        .unwrap_or_else(|| panic!("no status for `{column}`: {status}"))
}

#[test]
fn run_all_rows_reports_outcomes_and_cost_then_status_shows_fill_rates() {
    let project = applied_leads();

    let run = project
        .run(&["run", "specs/workbook.yaml", "--all"])
        .expect_code(0);
    assert_eq!(
        outcome_row(&run.stdout, "Email")[..8],
        ["Email", "enrichment", "20", "20", "0", "0", "0", "-"],
        "{}",
        run.output()
    );
    assert_eq!(
        outcome_row(&run.stdout, "Summary")[3],
        "20",
        "{}",
        run.stdout
    );
    // The gated column: every row fails its `run_if`, which is not an error and costs nothing.
    let score = outcome_row(&run.stdout, "Score");
    assert_eq!(score[3..8], ["0", "0", "20", "0", "-"], "{}", run.stdout);
    assert_eq!(
        score[8], "0 / ≤20",
        "actual vs upper-bound estimate: {}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Clay does not report what each cell cost"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("cost: 40 actions"), "{}", run.stdout);
    assert!(run.stderr.contains("60 cells to run"), "{}", run.stderr);
    assert!(run.stderr.contains("Companies: finished"), "{}", run.stderr);
    assert_eq!(run_calls(&project), 1, "one PATCH …/run for 20 rows");

    let text = project.run(&["status"]).expect_code(0).stdout;
    let email = text
        .lines()
        .find(|l| l.trim_start().starts_with("Email"))
        .unwrap();
    assert!(
        email.contains("complete") && email.contains("100%"),
        "{text}"
    );
    let status = status_json(&project);
    let email = column_status(&status, "Email");
    assert_eq!(email["run_state"], "complete");
    assert_eq!(email["fill_rate"], 1.0);
    assert_eq!(email["success"], 20);
    let score = column_status(&status, "Score");
    assert_eq!(score["run_condition_not_met"], 20);
    assert_eq!(score["fill_rate"], 0.0);
    assert_eq!(score["errors"], serde_json::json!({}));

    // Everything in Email succeeded: without `--force` there is nothing to run, and no call.
    let again = project
        .run(&["run", "specs/workbook.yaml", "--columns", "Email"])
        .expect_code(0);
    assert!(
        again.stderr.contains("nothing to run"),
        "{}",
        again.output()
    );
    assert_eq!(run_calls(&project), 1);
}

#[test]
fn over_budget_refuses_before_any_run_call_unless_allowed() {
    let project = applied_leads();
    // Applied first: `apply` itself refuses a spec whose estimate is over budget (CF401); `run`
    // checks its own estimate instead.
    project.edit_spec(
        "client: acme\n",
        "client: acme\nbudget: { max_credits: 5 }\n",
    );

    let refused = project
        .run(&["run", "specs/workbook.yaml", "--all"])
        .expect_code(1);
    assert!(
        refused
            .stderr
            .contains("would exceed a budget of workbook `Leads`"),
        "{}",
        refused.output()
    );
    assert!(
        refused.stderr.contains("budget.max_credits"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("--allow-over-budget"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        run_calls(&project),
        0,
        "a refused run must not call Clay's run"
    );
    assert_eq!(
        column_status(&status_json(&project), "Email")["run_state"],
        "never_run"
    );

    let allowed = project
        .run(&[
            "run",
            "specs/workbook.yaml",
            "--columns",
            "Email",
            "--allow-over-budget",
        ])
        .expect_code(0);
    assert_eq!(
        outcome_row(&allowed.stdout, "Email")[3],
        "20",
        "{}",
        allowed.output()
    );
    assert_eq!(run_calls(&project), 1);
}

#[test]
fn columns_table_rows_and_force_select_what_they_say() {
    let project = applied_leads();

    let first = project
        .run(&[
            "run",
            "specs/workbook.yaml",
            "--table",
            "Companies",
            "--columns",
            "Email",
            "--rows",
            "5",
        ])
        .expect_code(0);
    assert_eq!(
        outcome_row(&first.stdout, "Email")[2..4],
        ["5", "5"],
        "{}",
        first.output()
    );
    assert!(!first.stdout.contains("Summary"), "{}", first.stdout);
    assert!(
        first.stdout.contains("5 rows submitted"),
        "{}",
        first.stdout
    );
    let status = status_json(&project);
    assert_eq!(column_status(&status, "Email")["success"], 5);
    assert_eq!(column_status(&status, "Email")["run_state"], "pending");
    assert_eq!(column_status(&status, "Summary")["run_state"], "never_run");

    // The same five rows without `--force`: already done.
    let skipped = project
        .run(&[
            "run",
            "specs/workbook.yaml",
            "--columns",
            "Email",
            "--rows",
            "5",
        ])
        .expect_code(0);
    assert!(
        skipped.stderr.contains("nothing to run"),
        "{}",
        skipped.output()
    );
    assert_eq!(run_calls(&project), 1);

    // With `--force` they run again: each of those rows gets a second run in its history.
    let forced = project
        .run(&[
            "run",
            "specs/workbook.yaml",
            "--columns",
            "Email",
            "--rows",
            "5",
            "--force",
        ])
        .expect_code(0);
    assert!(forced.stdout.contains("(forced)"), "{}", forced.output());
    assert_eq!(
        outcome_row(&forced.stdout, "Email")[2..4],
        ["5", "5"],
        "{}",
        forced.stdout
    );
    assert_eq!(run_calls(&project), 2);
    let state = project.state("Leads");
    let id_of = |suffix: &str| {
        state
            .resources
            .iter()
            .find(|r| r.address.to_string().ends_with(suffix))
            .map(|r| r.clay_id.clone())
            .unwrap()
    };
    let table_id = id_of("table[\"Companies\"]");
    let email_id = id_of("column[\"Email\"]");
    let clay = project
        .clay()
        .with_workspace_id(clayform::provider::WorkspaceId(WORKSPACE_ID));
    let histories: Vec<usize> = project.block_on(async {
        let table = clay.get_table(&table_id).await.unwrap().table;
        let view = table.views.iter().find(|v| v.name == "All rows").unwrap();
        let ids = clay.record_ids(&table_id, &view.id).await.unwrap();
        let records = clay.bulk_fetch_records(&table_id, &ids, &[]).await.unwrap();
        records
            .iter()
            .map(|r| {
                r.record_metadata["runHistory"][&email_id]
                    .as_array()
                    .map_or(0, Vec::len)
            })
            .collect()
    });
    assert_eq!(
        histories.iter().filter(|n| **n == 2).count(),
        5,
        "{histories:?}"
    );
    assert_eq!(
        histories.iter().filter(|n| **n == 0).count(),
        15,
        "{histories:?}"
    );

    // The rest (default: rows not yet done) runs the other fifteen only.
    let rest = project
        .run(&["run", "specs/workbook.yaml", "--columns", "Email"])
        .expect_code(0);
    assert_eq!(
        outcome_row(&rest.stdout, "Email")[2..4],
        ["15", "15"],
        "{}",
        rest.output()
    );
}

#[test]
fn selection_mistakes_and_unapplied_workbooks_are_errors_without_running() {
    let project = leads_with(quiet_emulator());
    let unapplied = project.run(&["run", "specs/workbook.yaml"]).expect_code(1);
    assert!(
        unapplied
            .stderr
            .contains("`Leads` has not been applied yet"),
        "{}",
        unapplied.output()
    );
    project.apply();

    let unknown = project
        .run(&["run", "specs/workbook.yaml", "--columns", "Emial"])
        .expect_code(1);
    assert!(
        unknown
            .stderr
            .contains("no table of the selection has a column `Emial`")
    );
    assert!(
        unknown
            .stderr
            .contains("columns that run: Email, Summary, Score")
    );
    let formula = project
        .run(&["run", "specs/workbook.yaml", "--columns", "Domain"])
        .expect_code(1);
    assert!(
        formula
            .stderr
            .contains("is a from_source column, which does not run")
    );
    let no_actions = project
        .run(&["run", "specs/workbook.yaml", "--table", "Inbound"])
        .expect_code(1);
    assert!(
        no_actions.stderr.contains("no columns that run"),
        "{}",
        no_actions.output()
    );
    let no_table = project
        .run(&["run", "specs/workbook.yaml", "--table", "Nope"])
        .expect_code(1);
    assert!(
        no_table.stderr.contains("has a table `Nope`"),
        "{}",
        no_table.output()
    );
    assert_eq!(run_calls(&project), 0);
}

#[test]
fn cell_errors_are_counted_by_kind_and_exit_1() {
    let project = leads_with(clayform::emulator::EmulatorConfig {
        cell_error_rate: 0.3,
        ..quiet_emulator()
    });
    project.apply();

    let run = project
        .run(&["run", "specs/workbook.yaml", "--columns", "Email,Summary"])
        .expect_code(1);
    assert!(run.stdout.contains("ended in an error"), "{}", run.output());
    let email = outcome_row(&run.stdout, "Email");
    let summary = outcome_row(&run.stdout, "Summary");
    let errors: Vec<&String> = [&email[7], &summary[7]]
        .into_iter()
        .filter(|e| *e != "-")
        .collect();
    assert!(
        !errors.is_empty(),
        "some error kinds must show:\n{}",
        run.stdout
    );
    let status = status_json(&project);
    let counted: u64 = ["Email", "Summary"]
        .iter()
        .map(|c| {
            column_status(&status, c)["errors"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum::<u64>()
        })
        .sum();
    assert!(counted > 0, "{status}");
}

#[test]
fn apply_run_runs_new_columns_then_reruns_only_the_changed_one() {
    let project = leads_with(quiet_emulator());

    // New columns: each runs on the rows where it never ran, after apply, with the estimate first.
    let first = project
        .run(&["apply", "--auto-approve", "--run"])
        .expect_code(0);
    assert!(
        first.stderr.contains("Apply complete!"),
        "{}",
        first.output()
    );
    assert!(
        first.stderr.contains("60 cells to run"),
        "{}",
        first.output()
    );
    assert_eq!(
        outcome_row(&first.stdout, "Email")[2..4],
        ["20", "20"],
        "{}",
        first.output()
    );
    assert_eq!(outcome_row(&first.stdout, "Summary")[2..4], ["20", "20"]);
    assert_eq!(
        outcome_row(&first.stdout, "Score")[5],
        "20",
        "gated rows: {}",
        first.stdout
    );
    assert_eq!(run_calls(&project), 1, "one PATCH …/run for the new table");

    // A prompt edit changes the results: that column alone re-runs on every row (forced, since
    // every cell already succeeded); the others are not touched.
    project.edit_spec(
        "Summarise {{Name}} in one line.",
        "Summarise {{Name}} in two lines.",
    );
    let changed = project
        .run(&["apply", "--auto-approve", "--run"])
        .expect_code(0);
    assert_eq!(
        outcome_row(&changed.stdout, "Summary")[2..4],
        ["20", "20"],
        "{}",
        changed.output()
    );
    assert!(!changed.stdout.contains("Email"), "{}", changed.stdout);
    assert!(!changed.stdout.contains("Score"), "{}", changed.stdout);
    assert_eq!(run_calls(&project), 2);

    // A rename changes no result: apply, nothing to run.
    project.edit_spec("      Score:\n", "      Fit Score:\n");
    let spec = project.spec();
    project.write_spec(&spec.replace(
        "      Fit Score:\n        ai:",
        "      Fit Score:\n        renamed_from: Score\n        ai:",
    ));
    let renamed = project
        .run(&["apply", "--auto-approve", "--run"])
        .expect_code(0);
    assert!(
        renamed.stderr.contains("no new or changed"),
        "{}",
        renamed.output()
    );
    assert_eq!(run_calls(&project), 2);
    project.expect_no_changes();
}
