//! The Postgres state backend (Supabase-compatible): one row per workbook state, compare-and-swap
//! on serial and lineage, and a lock per state made of a session advisory lock plus a row saying
//! who holds it.
//!
//! Owns: the two tables (created on first lock, idempotently), the SQL, and the lock handle.
//! Must not know: specs, printing, the connection string (only [`connection`] sees it).
//!
//! ```text
//! <schema>.states (key text primary key, workbook, lineage, serial bigint, body text, updated_at)
//! <schema>.locks  (key text primary key, lock_id text unique, info jsonb, holder_pid, created)
//! ```
//!
//! Locking: `pg_try_advisory_lock(hash(schema, key))` on a connection opened for the lock and kept
//! for its lifetime, then an upserted `locks` row with the [`LockInfo`], so a waiter can show who
//! holds it. The server releases an advisory lock when its session ends, so a holder that dies
//! never leaves a stuck lock; its row stays behind and is replaced by the next holder (a row is
//! only believed while its advisory lock is taken). Saves run on the lock's own connection: a
//! holder whose session `force-unlock` terminated can't write any more. `force-unlock ID`
//! terminates the holder's session (`pg_terminate_backend`), waits for its advisory lock to go,
//! and deletes the row.
//!
//! Reads never write: `load` and `list` on a database without the tables find no state.

mod connection;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use self::connection::{Connector, run};
use super::error::StateError;
use super::format::{FormatError, from_json, to_json};
use super::lock::{LockInfo, Operation};
use super::model::State;

/// The schema holding clayform's tables when the project names none.
pub const DEFAULT_SCHEMA: &str = "clayform";

/// States in a Postgres database. Cheap to clone; clones share one connection for reads.
#[derive(Debug, Clone)]
pub struct PostgresBackend {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    connector: Connector,
    schema: String,
    /// `"schema".states`, quoted.
    states_table: String,
    /// `"schema".locks`, quoted.
    locks_table: String,
    /// The connection for reads and `force-unlock`, opened on first use.
    reader: tokio::sync::Mutex<Option<Arc<Client>>>,
    tables_ready: AtomicBool,
}

/// Proof that the caller holds a Postgres state's lock: the connection holding the advisory
/// lock. Released on drop (row deleted, advisory lock released, connection closed).
pub struct PostgresLock {
    client: Option<Arc<Client>>,
    info: LockInfo,
    key: String,
    advisory_key: i64,
    locks_table: String,
}

impl std::fmt::Debug for PostgresLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresLock")
            .field("key", &self.key)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl PostgresLock {
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

impl Drop for PostgresLock {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        let delete = format!(
            "DELETE FROM {} WHERE key = $1 AND lock_id = $2",
            self.locks_table
        );
        let (key, lock_id, advisory_key) =
            (self.key.clone(), self.info.id.clone(), self.advisory_key);
        // Best effort, bounded: closing the connection releases the advisory lock anyway, and a
        // row left behind is replaced by the next holder.
        let release = async move {
            let release = async {
                let _ = client.execute(&delete, &[&key, &lock_id]).await;
                let _ = client
                    .execute("SELECT pg_advisory_unlock($1)", &[&advisory_key])
                    .await;
            };
            let _ = tokio::time::timeout(Duration::from_secs(5), release).await;
            drop(client);
        };
        if connection::on_state_runtime() {
            // Only when a lock is dropped by the backend itself (its taker went away): waiting
            // here would wait for this very thread.
            connection::spawn(release);
        } else {
            run(release);
        }
    }
}

/// Within one schema, the advisory lock key of a state key. Advisory locks are per database, so
/// the schema is part of it: two projects in one database with different schemas never share.
fn advisory_key(schema: &str, key: &str) -> i64 {
    let digest = Sha256::digest(format!("clayform state lock\0{schema}\0{key}").as_bytes());
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Serialises table creation between clayform processes (`CREATE ... IF NOT EXISTS` races).
fn setup_key(schema: &str) -> i64 {
    advisory_key(schema, "\0setup")
}

fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn is_undefined_table(error: &tokio_postgres::Error) -> bool {
    matches!(
        error.code(),
        Some(code) if *code == SqlState::UNDEFINED_TABLE || *code == SqlState::INVALID_SCHEMA_NAME
    )
}

impl PostgresBackend {
    /// A backend whose connection string is in the environment variable `conn_str_env`, with its
    /// tables in `schema` (default [`DEFAULT_SCHEMA`]). Doesn't connect yet.
    pub fn from_env(
        conn_str_env: &str,
        schema: Option<&str>,
    ) -> Result<PostgresBackend, StateError> {
        let connector = Connector::from_env(conn_str_env)?;
        let schema = schema.unwrap_or(DEFAULT_SCHEMA);
        if schema.is_empty() || schema.len() > 63 {
            return Err(StateError::ConnectionStringInvalid {
                var: conn_str_env.to_string(),
                reason: format!(
                    "the schema name `{schema}` must be 1 to 63 bytes long (backend.postgres.schema)"
                ),
            });
        }
        let quoted = quote_identifier(schema);
        Ok(PostgresBackend {
            shared: Arc::new(Shared {
                connector,
                schema: schema.to_string(),
                states_table: format!("{quoted}.states"),
                locks_table: format!("{quoted}.locks"),
                reader: tokio::sync::Mutex::new(None),
                tables_ready: AtomicBool::new(false),
            }),
        })
    }

    /// `postgres://HOST:PORT/DB, schema S`: where states live, without credentials.
    pub fn location(&self) -> String {
        format!(
            "{}, schema {}",
            self.shared.connector.location(),
            self.shared.schema
        )
    }

    /// The schema holding the tables.
    pub fn schema(&self) -> &str {
        &self.shared.schema
    }

    pub fn load(&self, key: &str) -> Result<Option<State>, StateError> {
        let shared = self.shared.clone();
        let key = key.to_string();
        run(async move { shared.load(&key).await })
    }

    pub fn list(&self) -> Result<Vec<(String, State)>, StateError> {
        let shared = self.shared.clone();
        run(async move { shared.list().await })
    }

    /// Compare-and-swap on serial and lineage, on the lock's own connection.
    pub fn save(&self, lock: &PostgresLock, state: &mut State) -> Result<(), StateError> {
        let Some(client) = lock.client.clone() else {
            return Err(StateError::ForeignLock);
        };
        let expected = (state.lineage.clone(), state.serial);
        state.serial += 1;
        state.canonicalize();
        let write = StateWrite {
            key: lock.key.clone(),
            workbook: state.workbook.clone(),
            lineage: expected.0,
            expected_serial: expected.1,
            body: to_json(state),
        };
        let shared = self.shared.clone();
        let result = run(async move { shared.save(&client, write).await });
        if result.is_err() {
            state.serial -= 1;
        }
        result
    }

    pub fn lock(
        &self,
        key: &str,
        operation: Operation,
        timeout: Duration,
    ) -> Result<PostgresLock, StateError> {
        let shared = self.shared.clone();
        let key = key.to_string();
        run(async move { shared.lock(key, operation, timeout).await })
    }

    pub fn force_unlock(&self, lock_id: &str) -> Result<LockInfo, StateError> {
        let shared = self.shared.clone();
        let lock_id = lock_id.to_string();
        run(async move { shared.force_unlock(&lock_id).await })
    }
}

/// One compare-and-swap save: replace `(lineage, expected_serial)` with `body`, whose serial is
/// `expected_serial + 1`.
struct StateWrite {
    key: String,
    workbook: String,
    lineage: String,
    expected_serial: u64,
    body: String,
}

fn to_i64(serial: u64) -> i64 {
    i64::try_from(serial).unwrap_or(i64::MAX)
}

impl Shared {
    fn lock_path(&self, key: &str) -> String {
        format!("{}#{}/{key}", self.connector.location(), self.schema)
    }

    fn stored_location(&self, key: &str) -> String {
        format!("{}#{}.states/{key}", self.connector.location(), self.schema)
    }

    /// The shared reading connection, (re)opened when needed.
    async fn reader(&self) -> Result<Arc<Client>, StateError> {
        let mut reader = self.reader.lock().await;
        if let Some(client) = reader.as_ref().filter(|c| !c.is_closed()) {
            return Ok(client.clone());
        }
        let client = Arc::new(self.connector.connect().await?);
        *reader = Some(client.clone());
        Ok(client)
    }

    /// Create the schema and tables unless they exist (only a writer needs them).
    async fn ensure_tables(&self, client: &Client) -> Result<(), StateError> {
        if self.tables_ready.load(Ordering::SeqCst) {
            return Ok(());
        }
        let action = "create the state tables";
        let exists: bool = client
            .query_one(
                "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL",
                &[&self.states_table, &self.locks_table],
            )
            .await
            .map_err(|e| self.connector.error(action, &e))?
            .get(0);
        if !exists {
            // One implicit transaction: the advisory lock serialises concurrent first runs.
            let sql = format!(
                "SELECT pg_advisory_xact_lock({setup});
                 CREATE SCHEMA IF NOT EXISTS {schema};
                 CREATE TABLE IF NOT EXISTS {states} (
                     key        text PRIMARY KEY,
                     workbook   text NOT NULL,
                     lineage    text NOT NULL,
                     serial     bigint NOT NULL,
                     body       text NOT NULL,
                     updated_at timestamptz NOT NULL DEFAULT now()
                 );
                 CREATE TABLE IF NOT EXISTS {locks} (
                     key        text PRIMARY KEY,
                     lock_id    text NOT NULL UNIQUE,
                     info       jsonb NOT NULL,
                     holder_pid integer NOT NULL,
                     created    timestamptz NOT NULL DEFAULT now()
                 );",
                setup = setup_key(&self.schema),
                schema = quote_identifier(&self.schema),
                states = self.states_table,
                locks = self.locks_table,
            );
            client
                .batch_execute(&sql)
                .await
                .map_err(|e| self.connector.error(action, &e))?;
        }
        self.tables_ready.store(true, Ordering::SeqCst);
        Ok(())
    }

    fn parse(&self, key: &str, body: &str) -> Result<State, StateError> {
        from_json(body).map_err(|error| StateError::CorruptStored {
            location: self.stored_location(key),
            reason: match error {
                FormatError::Invalid(reason) => reason,
                FormatError::Unsupported(found) => format!(
                    "it has format version {found}; this clayform reads up to version {}",
                    super::format::FORMAT_VERSION
                ),
            },
        })
    }

    async fn load(&self, key: &str) -> Result<Option<State>, StateError> {
        let client = self.reader().await?;
        let sql = format!("SELECT body FROM {} WHERE key = $1", self.states_table);
        let row = match client.query_opt(&sql, &[&key]).await {
            Ok(row) => row,
            Err(e) if is_undefined_table(&e) => return Ok(None),
            Err(e) => return Err(self.connector.error("read state", &e)),
        };
        row.map(|row| self.parse(key, row.get(0))).transpose()
    }

    async fn list(&self) -> Result<Vec<(String, State)>, StateError> {
        let client = self.reader().await?;
        let sql = format!(
            "SELECT key, body FROM {} ORDER BY key COLLATE \"C\"",
            self.states_table
        );
        let rows = match client.query(&sql, &[]).await {
            Ok(rows) => rows,
            Err(e) if is_undefined_table(&e) => return Ok(Vec::new()),
            Err(e) => return Err(self.connector.error("list states", &e)),
        };
        rows.iter()
            .map(|row| {
                let key: String = row.get(0);
                let state = self.parse(&key, row.get(1))?;
                Ok((key, state))
            })
            .collect()
    }

    async fn save(&self, client: &Client, write: StateWrite) -> Result<(), StateError> {
        let action = "save state";
        let error = |e: tokio_postgres::Error| self.connector.error(action, &e);
        let expected = to_i64(write.expected_serial);
        let next = to_i64(write.expected_serial + 1);
        let update = format!(
            "UPDATE {} SET serial = $4, body = $5, workbook = $6, updated_at = now()
             WHERE key = $1 AND lineage = $2 AND serial = $3",
            self.states_table
        );
        let updated = client
            .execute(
                &update,
                &[
                    &write.key,
                    &write.lineage,
                    &expected,
                    &next,
                    &write.body,
                    &write.workbook,
                ],
            )
            .await
            .map_err(error)?;
        if updated == 1 {
            return Ok(());
        }
        let current = format!(
            "SELECT lineage, serial FROM {} WHERE key = $1",
            self.states_table
        );
        let stored = client
            .query_opt(&current, &[&write.key])
            .await
            .map_err(error)?;
        let stored = match stored {
            Some(row) => Some(row),
            None => {
                // No state yet: this is its first save.
                let insert = format!(
                    "INSERT INTO {} (key, workbook, lineage, serial, body) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (key) DO NOTHING",
                    self.states_table
                );
                let inserted = client
                    .execute(
                        &insert,
                        &[
                            &write.key,
                            &write.workbook,
                            &write.lineage,
                            &next,
                            &write.body,
                        ],
                    )
                    .await
                    .map_err(error)?;
                if inserted == 1 {
                    return Ok(());
                }
                client
                    .query_opt(&current, &[&write.key])
                    .await
                    .map_err(error)?
            }
        };
        let Some(row) = stored else {
            return Err(StateError::Database {
                action: action.to_string(),
                location: self.stored_location(&write.key),
                message: "the state row vanished while saving".to_string(),
            });
        };
        let (lineage, serial): (String, i64) = (row.get(0), row.get(1));
        if lineage != write.lineage {
            return Err(StateError::LineageMismatch {
                expected: lineage,
                found: write.lineage,
            });
        }
        Err(StateError::SerialConflict {
            lineage,
            expected: write.expected_serial,
            found: u64::try_from(serial).unwrap_or_default(),
        })
    }

    async fn lock(
        self: Arc<Self>,
        key: String,
        operation: Operation,
        timeout: Duration,
    ) -> Result<PostgresLock, StateError> {
        let action = "lock state";
        let error = |e: tokio_postgres::Error| self.connector.error(action, &e);
        let reader = self.reader().await?;
        self.ensure_tables(&reader).await?;
        // The lock's own session: the advisory lock lives exactly as long as it does.
        let client = self.connector.connect().await?;
        let advisory_key = advisory_key(&self.schema, &key);
        let started = Instant::now();
        let mut delay = Duration::from_millis(100);
        loop {
            let taken: bool = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&advisory_key])
                .await
                .map_err(error)?
                .get(0);
            if taken {
                let info = LockInfo::new(operation, self.lock_path(&key));
                let body = serde_json::to_string(&info).expect("lock info serialises");
                // A row left by a holder that died is replaced: its advisory lock was free.
                let upsert = format!(
                    "INSERT INTO {} (key, lock_id, info, holder_pid, created)
                     VALUES ($1, $2, ($3::text)::jsonb, pg_backend_pid(), now())
                     ON CONFLICT (key) DO UPDATE SET lock_id = excluded.lock_id,
                         info = excluded.info, holder_pid = excluded.holder_pid,
                         created = excluded.created",
                    self.locks_table
                );
                client
                    .execute(&upsert, &[&key, &info.id, &body])
                    .await
                    .map_err(error)?;
                return Ok(PostgresLock {
                    client: Some(Arc::new(client)),
                    info,
                    key,
                    advisory_key,
                    locks_table: self.locks_table.clone(),
                });
            }
            if started.elapsed() + delay <= timeout {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(2));
                continue;
            }
            let holder = format!("SELECT info::text FROM {} WHERE key = $1", self.locks_table);
            let info = client
                .query_opt(&holder, &[&key])
                .await
                .map_err(error)?
                .and_then(|row| serde_json::from_str::<LockInfo>(row.get(0)).ok());
            return Err(match info {
                Some(holder) => StateError::Locked {
                    holder: Box::new(holder),
                },
                None => StateError::LockedUnknownAt {
                    location: self.lock_path(&key),
                },
            });
        }
    }

    async fn force_unlock(&self, lock_id: &str) -> Result<LockInfo, StateError> {
        let action = "force-unlock state";
        let error = |e: tokio_postgres::Error| self.connector.error(action, &e);
        let client = self.reader().await?;
        let rows = format!(
            "SELECT key, lock_id, info::text, holder_pid FROM {} ORDER BY created",
            self.locks_table
        );
        let rows = match client.query(&rows, &[]).await {
            Ok(rows) => rows,
            Err(e) if is_undefined_table(&e) => Vec::new(),
            Err(e) => return Err(error(e)),
        };
        let found = rows.iter().find(|row| row.get::<_, &str>(1) == lock_id);
        let Some(row) = found else {
            let current: Vec<&str> = rows.iter().map(|row| row.get::<_, &str>(1)).collect();
            return Err(StateError::LockIdMismatch {
                id: lock_id.to_string(),
                current: if current.is_empty() {
                    "none".to_string()
                } else {
                    current.join(", ")
                },
            });
        };
        let key: String = row.get(0);
        let holder_pid: i32 = row.get(3);
        let info = serde_json::from_str::<LockInfo>(row.get(2)).map_err(|e| {
            StateError::CorruptStored {
                location: self.lock_path(&key),
                reason: format!("its lock info is not valid: {e}"),
            }
        })?;
        let advisory_key = advisory_key(&self.schema, &key);
        #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
        let (class_id, object_id) = (
            ((advisory_key as u64) >> 32) as u32,
            advisory_key as u64 as u32,
        );
        // Only the session that still holds this state's advisory lock is terminated: a
        // process id alone may have been reused since the row was written.
        let holds = "SELECT EXISTS (SELECT 1 FROM pg_locks
                         WHERE locktype = 'advisory' AND granted AND pid = $1
                           AND classid = $2 AND objid = $3 AND objsubid = 1
                           AND database = (SELECT oid FROM pg_database
                                           WHERE datname = current_database()))";
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
            [&holder_pid, &class_id, &object_id];
        let held: bool = client
            .query_one(holds, &params)
            .await
            .map_err(error)?
            .get(0);
        if held {
            client
                .execute(
                    "SELECT pg_terminate_backend($1) WHERE $1 <> pg_backend_pid()",
                    &[&holder_pid],
                )
                .await
                .map_err(error)?;
            let started = Instant::now();
            loop {
                let still: bool = client
                    .query_one(holds, &params)
                    .await
                    .map_err(error)?
                    .get(0);
                if !still {
                    break;
                }
                if started.elapsed() > Duration::from_secs(10) {
                    return Err(StateError::Database {
                        action: action.to_string(),
                        location: self.lock_path(&key),
                        message: format!(
                            "the holder's session (pid {holder_pid}) did not end within 10 s"
                        ),
                    });
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let delete = format!("DELETE FROM {} WHERE lock_id = $1", self.locks_table);
        client.execute(&delete, &[&lock_id]).await.map_err(error)?;
        Ok(info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_keys_differ_by_schema_and_key_and_are_stable() {
        let a = advisory_key("clayform", "1-w-abc");
        assert_eq!(a, advisory_key("clayform", "1-w-abc"));
        assert_ne!(a, advisory_key("other", "1-w-abc"));
        assert_ne!(a, advisory_key("clayform", "1-w-abd"));
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
    }
}
