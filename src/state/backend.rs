//! Where a project's state lives: the one type the engine and the command line use for loading,
//! saving and locking state, whichever backend the project chose.
//!
//! Owns: [`StateBackend`] (a local folder or a Postgres database) and [`StateLock`] (proof that
//! the caller holds a state's lock, released on drop), dispatching to [`LocalBackend`] and
//! `PostgresBackend` (behind the `postgres` cargo feature).
//! Must not know: specs, the project file, printing. The command line maps the project's
//! `backend:` to one of these.
//!
//! Every operation is synchronous, as the local backend's file I/O is. The Postgres backend runs
//! its queries on a runtime of its own, so calling it from inside the command line's async code
//! neither nests runtimes nor needs one.

use std::fmt;
use std::time::Duration;

use super::error::StateError;
use super::local::{LocalBackend, LocalLock};
use super::lock::{LockInfo, Operation};
use super::model::State;
#[cfg(feature = "postgres")]
use super::postgres::{PostgresBackend, PostgresLock};

/// The state backend of a project.
#[derive(Debug, Clone)]
pub enum StateBackend {
    /// One JSON file per workbook in a folder (`.clayform/state/` by default).
    Local(LocalBackend),
    /// Tables in a Postgres (Supabase-compatible) database.
    #[cfg(feature = "postgres")]
    Postgres(PostgresBackend),
}

/// Proof that the caller holds a state's lock; released on drop. An owned handle that can move
/// between threads.
#[derive(Debug)]
pub enum StateLock {
    Local(LocalLock),
    #[cfg(feature = "postgres")]
    Postgres(PostgresLock),
}

// The engine holds locks across `.await`s on a multi-threaded runtime.
const _: fn() = || {
    fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<StateLock>();
    send_and_sync::<StateBackend>();
};

impl StateLock {
    pub fn info(&self) -> &LockInfo {
        match self {
            StateLock::Local(lock) => lock.info(),
            #[cfg(feature = "postgres")]
            StateLock::Postgres(lock) => lock.info(),
        }
    }

    pub fn key(&self) -> &str {
        match self {
            StateLock::Local(lock) => lock.key(),
            #[cfg(feature = "postgres")]
            StateLock::Postgres(lock) => lock.key(),
        }
    }
}

impl From<LocalBackend> for StateBackend {
    fn from(backend: LocalBackend) -> StateBackend {
        StateBackend::Local(backend)
    }
}

impl StateBackend {
    /// A Postgres backend whose connection string is in the environment variable `conn_str_env`
    /// (read now; the database is first contacted by the first operation). `schema` holds its
    /// tables (default `clayform`).
    pub fn postgres(conn_str_env: &str, schema: Option<&str>) -> Result<StateBackend, StateError> {
        #[cfg(feature = "postgres")]
        {
            PostgresBackend::from_env(conn_str_env, schema).map(StateBackend::Postgres)
        }
        #[cfg(not(feature = "postgres"))]
        {
            let _ = (conn_str_env, schema);
            Err(StateError::PostgresNotBuilt)
        }
    }

    /// The key of a workbook's state: the same for every backend.
    pub fn key_for(workspace_id: u64, workbook: &str) -> String {
        LocalBackend::key_for(workspace_id, workbook)
    }

    /// Where states live, for messages: a folder, or the database without credentials.
    pub fn location(&self) -> String {
        match self {
            StateBackend::Local(local) => local.dir().display().to_string(),
            #[cfg(feature = "postgres")]
            StateBackend::Postgres(postgres) => postgres.location(),
        }
    }

    /// The state stored under `key`, or `None` if there is none yet.
    pub fn load(&self, key: &str) -> Result<Option<State>, StateError> {
        match self {
            StateBackend::Local(local) => local.load(key),
            #[cfg(feature = "postgres")]
            StateBackend::Postgres(postgres) => postgres.load(key),
        }
    }

    /// Every state, sorted by key.
    pub fn list(&self) -> Result<Vec<(String, State)>, StateError> {
        match self {
            StateBackend::Local(local) => local.list(),
            #[cfg(feature = "postgres")]
            StateBackend::Postgres(postgres) => postgres.list(),
        }
    }

    /// Save `state` under `lock`: compare-and-swap on serial and lineage against what is
    /// stored, then bump the serial. A refused save leaves `state` as it was.
    pub fn save(&self, lock: &StateLock, state: &mut State) -> Result<(), StateError> {
        match (self, lock) {
            (StateBackend::Local(local), StateLock::Local(lock)) => local.save(lock, state),
            #[cfg(feature = "postgres")]
            (StateBackend::Postgres(postgres), StateLock::Postgres(lock)) => {
                postgres.save(lock, state)
            }
            #[cfg(feature = "postgres")]
            _ => Err(StateError::ForeignLock),
        }
    }

    /// Take the lock for `key`, waiting up to `timeout` (zero: fail at once with the holder's
    /// info). Retries with backoff from 100 ms doubling to 2 s.
    pub fn lock(
        &self,
        key: &str,
        operation: Operation,
        timeout: Duration,
    ) -> Result<StateLock, StateError> {
        match self {
            StateBackend::Local(local) => local.lock(key, operation, timeout).map(StateLock::Local),
            #[cfg(feature = "postgres")]
            StateBackend::Postgres(postgres) => postgres
                .lock(key, operation, timeout)
                .map(StateLock::Postgres),
        }
    }

    /// Break the lock whose id is `lock_id` (from the holder's lock info). Returns its info.
    pub fn force_unlock(&self, lock_id: &str) -> Result<LockInfo, StateError> {
        match self {
            StateBackend::Local(local) => local.force_unlock(lock_id),
            #[cfg(feature = "postgres")]
            StateBackend::Postgres(postgres) => postgres.force_unlock(lock_id),
        }
    }
}

impl fmt::Display for StateBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.location())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(feature = "postgres"))]
    #[test]
    fn without_the_feature_a_postgres_backend_is_a_clear_error() {
        let error = StateBackend::postgres("DATABASE_URL", None).unwrap_err();
        assert!(matches!(error, StateError::PostgresNotBuilt));
        assert!(error.to_string().contains("`postgres` feature"));
    }

    #[test]
    fn a_local_backend_is_located_by_its_folder() {
        let backend = StateBackend::from(LocalBackend::new("/srv/project/.clayform/state"));
        assert_eq!(backend.location(), "/srv/project/.clayform/state");
        assert_eq!(backend.to_string(), backend.location());
    }
}
