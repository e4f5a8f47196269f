//! The state backend contract, run against both backends (a local folder and Postgres) by one
//! function, then the Postgres backend end to end: the real binary applying a workbook to the
//! emulator with its state in Postgres, planning no changes, listing state, losing a race for the
//! lock with the holder's info, and never printing or storing the connection string's password.
//!
//! The Postgres half needs `CLAYFORM_TEST_POSTGRES_URL` (`.ci/run` starts a server and sets it).
//! Without it these tests say so and pass, except under `CI`, where they fail: CI must not skip
//! them silently. Each test keeps its tables in a schema of its own, dropped at the end, so the
//! tests run in parallel.

#![cfg(feature = "postgres")]

mod engine_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clayform::state::{
    Address, LocalBackend, ManagedBy, Operation, ResourceKind, ResourceState, State, StateBackend,
    StateError,
};
use engine_support::Project;

const URL_ENV: &str = "CLAYFORM_TEST_POSTGRES_URL";

/// The test server's URL, or `None` (with a notice) when it isn't set and this is not CI.
fn postgres_url(test: &str) -> Option<String> {
    match std::env::var(URL_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            let ci = std::env::var("CI")
                .is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
            assert!(
                !ci,
                "{URL_ENV} is not set, and CI is: the Postgres state tests must run in CI \
                 (`.ci/run` starts a server and sets it)"
            );
            eprintln!("skipped {test}: set {URL_ENV} to run the Postgres state backend tests");
            None
        }
    }
}

/// Run SQL on the test server (one statement or several), returning every row's text values.
fn sql(url: &str, query: &str) -> Vec<Vec<Option<String>>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect to the test server");
        tokio::spawn(connection);
        client
            .simple_query(query)
            .await
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .into_iter()
            .filter_map(|message| match message {
                tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|i| row.get(i).map(str::to_string))
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    })
}

/// A schema of the test's own, dropped when the test ends.
struct Schema {
    url: String,
    name: String,
}

impl Schema {
    fn new(url: &str, test: &str) -> Schema {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "cf_test_{test}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        sql(url, &format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"));
        Schema {
            url: url.to_string(),
            name,
        }
    }

    fn backend(&self) -> StateBackend {
        StateBackend::postgres(URL_ENV, Some(&self.name)).expect("postgres backend")
    }

    fn query(&self, query: &str) -> Vec<Vec<Option<String>>> {
        sql(
            &self.url,
            &query.replace("{schema}", &format!("\"{}\"", self.name)),
        )
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        sql(
            &self.url,
            &format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name),
        );
    }
}

fn state_with(workbook: &str, columns: &[&str]) -> State {
    let mut state = State::new(workbook, 7);
    for (index, column) in columns.iter().enumerate() {
        state.upsert(ResourceState {
            address: Address::column(workbook, "Companies", *column),
            kind: ResourceKind::Column,
            clay_id: format!("f_{index}"),
            desired: serde_json::json!({ "kind": "plain", "type": "text" }),
            observed: serde_json::json!({ "kind": "plain", "type": "text" }),
            managed_by: ManagedBy::Created,
            protect: false,
            depends_on: vec![],
        });
    }
    state
}

/// What every state backend promises. `first` and `second` are two handles on the same store,
/// as two clayform processes would have (for Postgres: separate connections).
fn contract(first: &StateBackend, second: &StateBackend) {
    let key = StateBackend::key_for(7, "Q1 Outreach");
    let other_key = StateBackend::key_for(7, "Another");

    // Nothing stored yet.
    assert_eq!(first.load(&key).unwrap(), None);
    assert!(first.list().unwrap().is_empty());

    // Save under the lock, load back: the serial is bumped and the state comes back equal.
    let lock = first.lock(&key, Operation::Apply, Duration::ZERO).unwrap();
    assert_eq!(lock.key(), key);
    assert_eq!(lock.info().operation, Operation::Apply);
    let mut state = state_with("Q1 Outreach", &["Name", "Email"]);
    first.save(&lock, &mut state).unwrap();
    assert_eq!(state.serial, 1);
    assert_eq!(second.load(&key).unwrap().as_ref(), Some(&state));

    // Compare-and-swap: a stale serial is refused and left alone.
    let mut stale = state.clone();
    first.save(&lock, &mut state).unwrap();
    assert_eq!(state.serial, 2);
    let error = first.save(&lock, &mut stale).unwrap_err();
    assert!(
        matches!(
            error,
            StateError::SerialConflict {
                expected: 1,
                found: 2,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(stale.serial, 1, "a refused save leaves the serial alone");

    // ... and so is another lineage.
    let mut stranger = state_with("Q1 Outreach", &["Name"]);
    stranger.serial = 2;
    let error = first.save(&lock, &mut stranger).unwrap_err();
    match &error {
        StateError::LineageMismatch { expected, found } => {
            assert_eq!(expected, &state.lineage);
            assert_eq!(found, &stranger.lineage);
        }
        other => panic!("expected LineageMismatch, got {other}"),
    }
    assert_eq!(first.load(&key).unwrap().as_ref(), Some(&state));

    // Contention: the second handle sees the holder's info at once.
    let error = second
        .lock(&key, Operation::Plan, Duration::ZERO)
        .unwrap_err();
    let StateError::Locked { holder } = &error else {
        panic!("expected Locked, got {error}")
    };
    assert_eq!(holder.id, lock.info().id);
    assert_eq!(holder.operation, Operation::Apply);
    let text = error.to_string();
    assert!(
        text.contains("Lock Info:") && text.contains("Operation: apply"),
        "{text}"
    );

    // Waiting: times out while the holder holds on...
    let started = Instant::now();
    assert!(
        second
            .lock(&key, Operation::Plan, Duration::from_millis(350))
            .is_err()
    );
    assert!(started.elapsed() >= Duration::from_millis(300));

    // ... and succeeds once the holder (on another thread) lets go.
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(lock);
    });
    let waited = second
        .lock(&key, Operation::Plan, Duration::from_secs(10))
        .expect("the lock is taken once released");
    releaser.join().unwrap();
    drop(waited);

    // Force-unlock by id, from the other handle: an unknown id is refused, the right one frees
    // the lock for the next locker.
    let holder = first.lock(&key, Operation::Apply, Duration::ZERO).unwrap();
    let error = second.force_unlock("not-the-id").unwrap_err();
    assert!(
        matches!(error, StateError::LockIdMismatch { .. }),
        "{error}"
    );
    let broken = second.force_unlock(&holder.info().id).unwrap();
    assert_eq!(broken.id, holder.info().id);
    let next = second
        .lock(&key, Operation::StateEdit, Duration::ZERO)
        .expect("force-unlock frees the lock");
    // The old holder letting go must not release the new holder's lock.
    drop(holder);
    assert!(first.lock(&key, Operation::Plan, Duration::ZERO).is_err());
    drop(next);
    let again = first.lock(&key, Operation::Plan, Duration::ZERO).unwrap();
    drop(again);

    // List: every state, sorted by key.
    let lock = first
        .lock(&other_key, Operation::Apply, Duration::ZERO)
        .unwrap();
    let mut another = state_with("Another", &["Domain"]);
    first.save(&lock, &mut another).unwrap();
    drop(lock);
    let listed = second.list().unwrap();
    let mut expected = vec![(key.clone(), state), (other_key.clone(), another)];
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(listed, expected);
}

#[test]
fn the_local_backend_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let first: StateBackend = LocalBackend::new(dir.path().join("state")).into();
    let second: StateBackend = LocalBackend::new(dir.path().join("state")).into();
    contract(&first, &second);
}

#[test]
fn the_postgres_backend_keeps_the_contract() {
    let Some(url) = postgres_url("the_postgres_backend_keeps_the_contract") else {
        return;
    };
    let schema = Schema::new(&url, "contract");
    contract(&schema.backend(), &schema.backend());
    // The tables were created where the project said, and hold what was saved.
    let rows = schema.query("SELECT key, serial FROM {schema}.states ORDER BY key");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(schema.query("SELECT * FROM {schema}.locks").is_empty());
}

#[test]
fn reads_find_nothing_in_a_database_without_the_tables_and_create_nothing() {
    let Some(url) = postgres_url("reads_find_nothing_in_a_database_without_the_tables") else {
        return;
    };
    let schema = Schema::new(&url, "reads");
    let backend = schema.backend();
    assert_eq!(backend.load("1-w-00000000").unwrap(), None);
    assert!(backend.list().unwrap().is_empty());
    assert!(matches!(
        backend.force_unlock("nope").unwrap_err(),
        StateError::LockIdMismatch { .. }
    ));
    let exists = schema.query(&format!(
        "SELECT 1 FROM pg_namespace WHERE nspname = '{}'",
        schema.name
    ));
    assert!(exists.is_empty(), "reads must not create the schema");
}

#[test]
fn a_holder_whose_session_dies_frees_the_lock_and_its_row_is_replaced() {
    let Some(url) = postgres_url("a_holder_whose_session_dies") else {
        return;
    };
    let schema = Schema::new(&url, "crash");
    let (first, second) = (schema.backend(), schema.backend());
    let key = StateBackend::key_for(7, "W");
    let holder = first.lock(&key, Operation::Apply, Duration::ZERO).unwrap();
    // The holder's connection dies (as when its process is killed), without a word to the
    // locks table.
    let pid = schema.query("SELECT holder_pid FROM {schema}.locks")[0][0]
        .clone()
        .unwrap();
    schema.query(&format!("SELECT pg_terminate_backend({pid})"));
    let started = Instant::now();
    let next = second
        .lock(&key, Operation::Plan, Duration::from_secs(10))
        .expect("the server released the dead session's advisory lock");
    assert!(started.elapsed() < Duration::from_secs(10));
    let rows = schema.query("SELECT lock_id, info->>'operation' FROM {schema}.locks");
    assert_eq!(
        rows,
        vec![vec![Some(next.info().id.clone()), Some("plan".to_string())]],
        "the stale row is replaced by the new holder's"
    );
    // The dead holder can't write any more, and letting it go leaves the new lock alone.
    let mut state = State::new("W", 7);
    assert!(first.save(&holder, &mut state).is_err());
    assert_eq!(state.serial, 0);
    drop(holder);
    assert!(first.lock(&key, Operation::Plan, Duration::ZERO).is_err());
}

#[test]
fn force_unlock_terminates_the_holders_session_so_it_cannot_write_after() {
    let Some(url) = postgres_url("force_unlock_terminates_the_holders_session") else {
        return;
    };
    let schema = Schema::new(&url, "force");
    let (holder_side, breaker_side) = (schema.backend(), schema.backend());
    let key = StateBackend::key_for(7, "W");
    let holder = holder_side
        .lock(&key, Operation::Apply, Duration::ZERO)
        .unwrap();
    let mut state = State::new("W", 7);
    holder_side.save(&holder, &mut state).unwrap();
    let pid = schema.query("SELECT holder_pid FROM {schema}.locks")[0][0]
        .clone()
        .unwrap();

    let info = breaker_side.force_unlock(&holder.info().id).unwrap();
    assert_eq!(info.id, holder.info().id);
    assert!(info.path.starts_with("postgres://"), "{}", info.path);
    let alive = schema.query(&format!("SELECT 1 FROM pg_stat_activity WHERE pid = {pid}"));
    assert!(alive.is_empty(), "the holder's session is terminated");
    assert!(schema.query("SELECT * FROM {schema}.locks").is_empty());

    let error = holder_side.save(&holder, &mut state).unwrap_err();
    assert!(matches!(error, StateError::Database { .. }), "{error}");
    assert_eq!(state.serial, 1);
    assert_eq!(breaker_side.load(&key).unwrap().unwrap().serial, 1);
}

#[test]
fn a_lock_of_one_backend_is_refused_by_the_other() {
    let Some(url) = postgres_url("a_lock_of_one_backend_is_refused_by_the_other") else {
        return;
    };
    let schema = Schema::new(&url, "foreign");
    let postgres = schema.backend();
    let dir = tempfile::tempdir().unwrap();
    let local: StateBackend = LocalBackend::new(dir.path()).into();
    let key = StateBackend::key_for(7, "W");
    let postgres_lock = postgres
        .lock(&key, Operation::Apply, Duration::ZERO)
        .unwrap();
    let local_lock = local.lock(&key, Operation::Apply, Duration::ZERO).unwrap();
    let mut state = State::new("W", 7);
    assert!(matches!(
        local.save(&postgres_lock, &mut state).unwrap_err(),
        StateError::ForeignLock
    ));
    assert!(matches!(
        postgres.save(&local_lock, &mut state).unwrap_err(),
        StateError::ForeignLock
    ));
    assert_eq!(state.serial, 0);
}

#[test]
fn the_postgres_backend_can_be_called_from_async_code_on_any_runtime() {
    let Some(url) = postgres_url("the_postgres_backend_can_be_called_from_async_code") else {
        return;
    };
    let schema = Schema::new(&url, "async");
    let runtimes = [
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    ];
    for (index, runtime) in runtimes.iter().enumerate() {
        let backend = schema.backend();
        runtime.block_on(async move {
            // As the engine does: lock, load, save and release inside async code, with the
            // backend itself dropped there too.
            let key = StateBackend::key_for(7, &format!("W{index}"));
            let lock = backend
                .lock(&key, Operation::Apply, Duration::ZERO)
                .unwrap();
            assert_eq!(backend.load(&key).unwrap(), None);
            let mut state = State::new(format!("W{index}"), 7);
            backend.save(&lock, &mut state).unwrap();
            tokio::task::yield_now().await;
            assert_eq!(backend.load(&key).unwrap(), Some(state));
            drop(lock);
            drop(backend);
        });
    }
    assert_eq!(schema.backend().list().unwrap().len(), 2);
}

#[test]
fn a_missing_connection_string_variable_is_named() {
    let error = StateBackend::postgres("CLAYFORM_TEST_NO_SUCH_VARIABLE", None).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("`CLAYFORM_TEST_NO_SUCH_VARIABLE`"), "{text}");
    assert!(text.contains("not set"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// End to end: the binary with `backend: { postgres: ... }`.

const SMALL: &str = "Small";
const PASSWORD: &str = "Pg-s3cret-PASSWORD-9731";
const CONN_ENV: &str = "CLAYFORM_E2E_STATE_DB";

/// `url` with a password added (the test server trusts every login, so it is accepted).
fn with_password(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a postgres:// URL");
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.split_once('@') {
        Some((user, host)) => format!("{}:{PASSWORD}@{host}", user.split(':').next().unwrap()),
        None => format!("postgres:{PASSWORD}@{authority}"),
    };
    format!("{scheme}://{authority}{tail}")
}

/// A project on the emulator whose state lives in `schema`, reached through `CONN_ENV`, whose
/// value carries a password.
fn postgres_project(
    url: &str,
    schema: &Schema,
    emulator: clayform::emulator::EmulatorConfig,
) -> Project {
    let mut project = Project::with_emulator("small.yaml", emulator);
    let config = format!(
        "clients:\n  acme:\n    workspace_id: {}\n    default_model: gpt-4o-mini\n\
         backend:\n  postgres:\n    conn_str_env: {CONN_ENV}\n    schema: {}\n\
         specs_dir: specs\n",
        engine_support::WORKSPACE_ID,
        schema.name
    );
    std::fs::write(project.root().join("clayform.yaml"), config).unwrap();
    project.env.push((CONN_ENV.to_string(), with_password(url)));
    project.state_backend = Some(schema.backend());
    project
}

#[track_caller]
fn assert_no_password(what: &str, text: &str) {
    assert!(
        !text.contains(PASSWORD),
        "{what} holds the password:\n{text}"
    );
}

#[test]
fn apply_plan_and_state_list_keep_state_in_postgres_without_the_password() {
    let Some(url) = postgres_url("apply_plan_and_state_list_keep_state_in_postgres") else {
        return;
    };
    let schema = Schema::new(&url, "e2e");
    let project = postgres_project(&url, &schema, engine_support::quiet_emulator());

    let apply = project.apply();
    assert!(
        apply.stderr.contains("Apply complete! Resources: 7 added"),
        "{}",
        apply.output()
    );
    assert_no_password("apply", &apply.output());
    assert!(
        !project.root().join(".clayform/state").exists(),
        "no local state is written"
    );
    project.assert_consistent(SMALL);

    let plan = project.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    assert!(plan.stdout.contains("No changes"), "{}", plan.output());
    let saved = project.root().join("small.plan.json");
    let plan_out = project
        .run(&["plan", "--out", saved.to_str().unwrap()])
        .expect_code(0);
    assert_no_password("plan --out", &plan_out.output());
    assert_no_password("the saved plan", &std::fs::read_to_string(&saved).unwrap());

    let list = project.run(&["state", "list"]).expect_code(0);
    assert!(
        list.stdout
            .contains("workbook[\"Small\"].table[\"Companies\"].column[\"Email\"]"),
        "{}",
        list.output()
    );
    let show = project
        .run(&[
            "state",
            "show",
            "workbook[Small].table[Companies].column[Email]",
        ])
        .expect_code(0);
    assert!(show.stdout.contains("\"clay_id\""), "{}", show.output());
    let status = project.run(&["status"]);
    assert_no_password("status", &status.output());

    // Nothing stored holds the password either.
    for row in schema.query("SELECT body FROM {schema}.states") {
        assert_no_password("a state row", row[0].as_deref().unwrap());
    }
    let state = project.state(SMALL);
    assert!(state.serial > 0);

    // Errors name the database without credentials, whatever goes wrong.
    // Nothing listens on port 1.
    let refused = format!("postgres://ana:{PASSWORD}@127.0.0.1:1/clayform?sslmode=disable");
    let unreachable = project
        .command(&["plan"])
        .env(CONN_ENV, &refused)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&unreachable.stdout),
        String::from_utf8_lossy(&unreachable.stderr)
    );
    assert_eq!(unreachable.status.code(), Some(1), "{text}");
    assert!(text.contains("state database"), "{text}");
    assert_no_password("a connection error", &text);
    let missing = project
        .command(&["state", "list"])
        .env_remove(CONN_ENV)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(1), "{text}");
    assert!(text.contains(&format!("`{CONN_ENV}`")), "{text}");
}

#[test]
fn a_second_apply_while_one_runs_fails_with_the_holders_lock_info() {
    let Some(url) = postgres_url("a_second_apply_while_one_runs") else {
        return;
    };
    let schema = Schema::new(&url, "race");
    let project = postgres_project(
        &url,
        &schema,
        clayform::emulator::EmulatorConfig {
            latency_ms: 60,
            ..engine_support::quiet_emulator()
        },
    );
    let first = project.spawn(&["apply", "--auto-approve"]);
    // Wait until the first apply has saved state (it holds the lock from before planning).
    let backend = schema.backend();
    let key = StateBackend::key_for(engine_support::WORKSPACE_ID, SMALL);
    let started = Instant::now();
    while backend.load(&key).unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the first apply never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let holder_id = schema.query("SELECT lock_id FROM {schema}.locks")[0][0]
        .clone()
        .unwrap();

    let second = project.run(&["apply", "--auto-approve"]).expect_code(1);
    assert!(second.stderr.contains("Lock Info:"), "{}", second.output());
    assert!(
        second.stderr.contains("Operation: apply"),
        "{}",
        second.output()
    );
    assert!(second.stderr.contains(&holder_id), "{}", second.output());
    assert!(
        second.stderr.contains(&format!("#{}/", schema.name)),
        "the lock's path names the schema: {}",
        second.output()
    );
    assert_no_password("the losing apply", &second.output());

    let first = first.wait_with_output().unwrap();
    let first_stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{first_stderr}");
    assert_no_password("the winning apply", &first_stderr);
    for row in schema.query("SELECT info::text FROM {schema}.locks") {
        assert_no_password("a lock row", row[0].as_deref().unwrap());
    }
    assert!(
        schema.query("SELECT * FROM {schema}.locks").is_empty(),
        "the winner released its lock"
    );
    project.set_emulator(0.0, 0);
    project.assert_consistent(SMALL);
    project.expect_no_changes();
}

#[test]
fn force_unlock_on_the_command_line_breaks_a_postgres_lock() {
    let Some(url) = postgres_url("force_unlock_on_the_command_line") else {
        return;
    };
    let schema = Schema::new(&url, "cli_unlock");
    let project = postgres_project(&url, &schema, engine_support::quiet_emulator());
    project.apply();
    let backend = schema.backend();
    let key = StateBackend::key_for(engine_support::WORKSPACE_ID, SMALL);
    let holder = backend
        .lock(&key, Operation::Apply, Duration::ZERO)
        .unwrap();

    let blocked = project
        .run(&[
            "state",
            "rm",
            "workbook[Small].table[Companies].column[Qualified]",
        ])
        .expect_code(1);
    assert!(
        blocked.stderr.contains("Lock Info:"),
        "{}",
        blocked.output()
    );
    assert!(
        blocked.stderr.contains(holder.info().id.as_str()),
        "{}",
        blocked.output()
    );
    project.run(&["force-unlock", "wrong-id"]).expect_code(1);
    let unlocked = project
        .run(&["force-unlock", holder.info().id.as_str()])
        .expect_code(0);
    assert!(
        unlocked.stderr.contains("released lock"),
        "{}",
        unlocked.output()
    );
    project
        .run(&[
            "state",
            "rm",
            "workbook[Small].table[Companies].column[Qualified]",
        ])
        .expect_code(0);
    let mut state = project.state(SMALL);
    assert!(
        backend.save(&holder, &mut state).is_err(),
        "the broken holder can't write any more"
    );
}
