//! State: what clayform last applied to Clay, per workbook, and where it is kept.
//!
//! Owns: the state model ([`State`], [`ResourceState`], the intent journal), addresses, the state
//! file format, locking, and persistence backends: [`StateBackend`] is a local folder
//! ([`LocalBackend`]) or, with the `postgres` feature, a Postgres database (`PostgresBackend`).
//! Must not know: Clay's JSON (configs are opaque normalised JSON values built by the engine),
//! specs, or printing.
//!
//! Architecture invariant: state never holds credentials. It records, per managed object, its
//! address, Clay id, the normalised desired config last applied, what Clay returned, and whether
//! clayform created or imported it. Writes are atomic; every write bumps `serial`; `lineage`
//! identifies one state across its history.

mod address;
mod backend;
mod error;
mod format;
mod local;
mod lock;
mod model;
#[cfg(feature = "postgres")]
mod postgres;

pub use address::{Address, ObjectPath};
pub use backend::{StateBackend, StateLock};
pub use error::StateError;
pub use format::{FORMAT_VERSION, from_json, to_json};
pub use local::{LocalBackend, LocalLock, write_private_file_atomically};
pub use lock::{LockInfo, Operation};
pub use model::{Intent, IntentStatus, ManagedBy, ResourceKind, ResourceState, State};
#[cfg(feature = "postgres")]
pub use postgres::{DEFAULT_SCHEMA, PostgresBackend, PostgresLock};
