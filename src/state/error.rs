//! Errors of the state layer, each carrying the path or address it concerns.

use std::path::PathBuf;

use super::lock::LockInfo;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("invalid address `{address}`: {reason}")]
    InvalidAddress { address: String, reason: String },
    #[error("cannot read state file `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write state file `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("state file `{path}` is not valid: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "state file `{path}` has format version {found}; this clayform reads up to version {supported}"
    )]
    UnsupportedVersion {
        path: PathBuf,
        found: u64,
        supported: u64,
    },
    #[error("state is locked by another operation\n\n{holder}")]
    Locked { holder: Box<LockInfo> },
    #[error("state is locked (lock file `{path}`), and its holder could not be read")]
    LockedUnknown { path: PathBuf },
    #[error("state is locked (`{location}`), and its holder could not be read")]
    LockedUnknownAt { location: String },
    #[error("no lock with id `{id}` is held on this state (current holder: {current})")]
    LockIdMismatch { id: String, current: String },
    #[error(
        "state changed since it was read: expected serial {expected} of lineage {lineage}, found \
         serial {found}"
    )]
    SerialConflict {
        lineage: String,
        expected: u64,
        found: u64,
    },
    #[error("state lineage mismatch: expected {expected}, found {found}")]
    LineageMismatch { expected: String, found: String },
    #[error("no object at `{address}` in state")]
    NotFound { address: String },
    #[error("an object already exists at `{address}`")]
    AlreadyExists { address: String },
    /// A database error; `message` never holds the connection string or its password.
    #[error("cannot {action} (`{location}`): {message}")]
    Database {
        action: String,
        location: String,
        message: String,
    },
    #[error("state `{location}` is not valid: {reason}")]
    CorruptStored { location: String, reason: String },
    #[error(
        "the Postgres state backend reads its connection string from the environment variable \
         `{var}`, which is not set\n\nhint: export {var}=postgres://USER:PASSWORD@HOST:5432/DB, or \
         change `backend` in `clayform.yaml`"
    )]
    ConnectionStringMissing { var: String },
    #[error("the connection string in `{var}` is not valid: {reason}")]
    ConnectionStringInvalid { var: String, reason: String },
    #[error(
        "`clayform.yaml` keeps state in Postgres, but this clayform was built without the \
         `postgres` feature\n\nhint: rebuild with `cargo install clayform --features postgres`, or \
         use `backend: local`"
    )]
    PostgresNotBuilt,
    #[error("the lock was taken on another state backend than the one saving")]
    ForeignLock,
}
