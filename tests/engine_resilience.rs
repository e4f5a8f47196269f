//! Applies that go wrong, end to end through the real binary: an emulator that fails one request
//! in five (429s, 5xx, dropped connections, writes applied but answered with an error), and
//! applies killed with SIGKILL at seeded random moments. Proves that repeating `apply` always
//! converges to exactly the spec — no workbook, table or column created twice, state pointing at
//! what Clay has, a plan with no changes — and that a killed apply leaves no lock behind.

mod engine_support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use clayform::emulator::EmulatorConfig;
use clayform::state::{Address, Intent, IntentStatus, Operation};
use engine_support::{Project, quiet_emulator};

const SMALL: &str = "Small";

/// A small deterministic generator, so a failing seed can be run again.
fn next(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *seed >> 33
}

#[test]
fn applies_against_a_faulty_clay_converge_without_duplicates_when_repeated() {
    let seeds: Vec<u64> = (1..=8).collect();
    let faults_injected = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|scope| {
        for &seed in &seeds {
            let faults_injected = &faults_injected;
            scope.spawn(move || {
                let project = Project::with_emulator(
                    "small.yaml",
                    EmulatorConfig {
                        fault_rate: 0.2,
                        seed,
                        ..quiet_emulator()
                    },
                );
                let mut attempts = Vec::new();
                loop {
                    let run = project.run(&["apply", "--auto-approve"]);
                    let code = run.code;
                    attempts.push(run);
                    if code == 0 {
                        break;
                    }
                    assert!(
                        attempts.len() < 5,
                        "seed {seed}: apply never succeeded; last attempt:\n{}",
                        attempts.last().unwrap().output()
                    );
                }
                project.set_emulator(0.0, 0);
                let faults = project.emulator_stats()["faultsInjected"].as_u64().unwrap();
                faults_injected.fetch_add(faults, std::sync::atomic::Ordering::Relaxed);
                project.assert_consistent(SMALL);
                let plan = project.run(&["plan", "--detailed-exitcode"]);
                assert_eq!(
                    plan.code,
                    0,
                    "seed {seed}: changes left after a successful apply:\n{}\nattempts:\n{}",
                    plan.output(),
                    attempts
                        .iter()
                        .map(engine_support::Run::output)
                        .collect::<Vec<_>>()
                        .join("\n=====\n")
                );
            });
        }
    });
    let faults = faults_injected.into_inner();
    assert!(faults >= 8, "only {faults} faults were injected");
}

/// Start `apply`, SIGKILL it after `delay`, and return whether it had already finished.
fn kill_apply_after(project: &Project, delay: Duration) -> bool {
    let mut child = project
        .command(&["apply", "--auto-approve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start apply");
    let started = Instant::now();
    while started.elapsed() < delay {
        if child.try_wait().expect("poll apply").is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("SIGKILL apply");
    child.wait().expect("reap apply");
    false
}

/// After a kill, the next apply finishes the job: exit 0, nothing twice, nothing left to do.
#[track_caller]
fn finish_after_kill(project: &Project, what: &str) {
    let run = project.run(&["apply", "--auto-approve"]);
    assert_eq!(
        run.code,
        0,
        "{what}: the apply after the kill failed (a stuck lock?):\n{}",
        run.output()
    );
    assert!(
        !run.stderr.contains("Lock Info"),
        "{what}: {}",
        run.output()
    );
    project.assert_consistent(SMALL);
    let plan = project.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{what}: {}", plan.output());
}

#[test]
fn an_apply_killed_at_any_moment_is_finished_by_the_next_without_duplicates() {
    let iterations: Vec<u64> = (0..8).collect();
    let killed_mid_apply = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for &iteration in &iterations {
            let killed_mid_apply = &killed_mid_apply;
            scope.spawn(move || {
                let mut seed = 0x5eed_0000 + iteration;
                let project = Project::with_emulator(
                    "small.yaml",
                    EmulatorConfig {
                        latency_ms: 40,
                        ..quiet_emulator()
                    },
                );
                // Creating from scratch, killed somewhere between the first and the last call.
                let delay = Duration::from_millis(150 + next(&mut seed) % 800);
                if !kill_apply_after(&project, delay) {
                    killed_mid_apply.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                finish_after_kill(&project, &format!("create, killed after {delay:?}"));

                // Replacing a column (free its name, delete, create) and updating another,
                // killed again.
                project.edit_spec("prospeo-find-work-email-v2", "findymail-find-work-email");
                project.edit_spec("Be strict.", "Be brief.");
                let delay = Duration::from_millis(100 + next(&mut seed) % 700);
                if !kill_apply_after(&project, delay) {
                    killed_mid_apply.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                finish_after_kill(&project, &format!("replace, killed after {delay:?}"));
                let email = project.live_field(SMALL, "Companies", "Email");
                assert_eq!(email.action_key(), Some("findymail-find-work-email"));
            });
        }
    });
    // The delays are shorter than an apply: most kills must land while it runs.
    let killed = killed_mid_apply.into_inner();
    assert!(
        killed >= iterations.len(),
        "only {killed} of {} kills landed mid-apply",
        2 * iterations.len()
    );
}

/// State as an apply killed right after Clay answered a create leaves it: the object exists in
/// Clay, state has only the intent. `addresses` are forgotten and turned into create intents.
fn forget_created_objects(project: &Project, workbook: &str, addresses: &[Address]) {
    let backend = project.backend();
    let key = project.state_key(workbook);
    let lock = backend
        .lock(&key, Operation::Apply, Duration::ZERO)
        .expect("lock state");
    let mut state = backend.load(&key).unwrap().unwrap();
    for address in addresses {
        state.remove(address).expect("in state");
        state.intents.push(Intent {
            id: format!("intent-{address}"),
            address: address.clone(),
            operation: "create".into(),
            status: IntentStatus::Started,
            started_at: "2026-01-01T00:00:00.000Z".into(),
            clay_id: None,
        });
    }
    backend.save(&lock, &mut state).expect("save state");
}

#[test]
fn a_create_that_reached_clay_but_not_state_is_adopted_not_repeated() {
    const EVERY_KIND: &str = "Every Kind";
    let project = Project::new("every-kind.yaml");
    project.apply();
    let before = project.live_tables(EVERY_KIND);
    let companies_id = before["Companies"].id.clone();
    let sources_before = project
        .block_on(project.clay().list_table_sources(&companies_id))
        .unwrap();
    assert_eq!(sources_before.len(), 1, "{sources_before:?}");

    forget_created_objects(
        &project,
        EVERY_KIND,
        &[
            Address::column(EVERY_KIND, "Companies", "ICP Score"),
            Address::column(EVERY_KIND, "People", "Company"),
            Address::source(EVERY_KIND, "Companies"),
        ],
    );
    let apply = project.apply();
    assert!(
        apply.stderr.contains("reconciled an interrupted apply"),
        "{}",
        apply.output()
    );
    project.assert_consistent(EVERY_KIND);
    let after = project.live_tables(EVERY_KIND);
    for (name, table) in &before {
        assert_eq!(
            engine_support::field_names(table),
            engine_support::field_names(&after[name]),
            "columns of `{name}`"
        );
    }
    let sources_after = project
        .block_on(project.clay().list_table_sources(&companies_id))
        .unwrap();
    assert_eq!(
        sources_after.iter().map(|s| &s.id).collect::<Vec<_>>(),
        sources_before.iter().map(|s| &s.id).collect::<Vec<_>>(),
        "the webhook source was created again"
    );
    project.expect_no_changes();
}

#[test]
fn two_linked_tables_with_a_source_survive_faults_and_kills_without_duplicates() {
    const EVERY_KIND: &str = "Every Kind";
    std::thread::scope(|scope| {
        for seed in 1..=3_u64 {
            scope.spawn(move || {
                let project = Project::with_emulator(
                    "every-kind.yaml",
                    EmulatorConfig {
                        fault_rate: 0.2,
                        latency_ms: 20,
                        seed,
                        ..quiet_emulator()
                    },
                );
                let mut random = 0xfa17_0000 + seed;
                let delay = Duration::from_millis(300 + next(&mut random) % 2500);
                kill_apply_after(&project, delay);
                let mut last = None;
                for _ in 0..5 {
                    let run = project.run(&["apply", "--auto-approve"]);
                    let code = run.code;
                    last = Some(run);
                    if code == 0 {
                        break;
                    }
                }
                let last = last.unwrap();
                assert_eq!(
                    last.code,
                    0,
                    "seed {seed}, killed after {delay:?}: {}",
                    last.output()
                );
                project.set_emulator(0.0, 0);
                project.assert_consistent(EVERY_KIND);
                let companies = project.live_table(EVERY_KIND, "Companies");
                let sources = project
                    .block_on(project.clay().list_table_sources(&companies.id))
                    .unwrap();
                assert_eq!(sources.len(), 1, "seed {seed}: {sources:?}");
                let plan = project.run(&["plan", "--detailed-exitcode"]);
                assert_eq!(plan.code, 0, "seed {seed}: {}", plan.output());
            });
        }
    });
}
