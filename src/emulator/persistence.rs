//! The `--state FILE` format: the whole store as JSON, loaded at start, saved atomically
//! (temporary file + rename, via `atomic-write-file`) after every request that changed it.
//!
//! Owns reading and writing that file. Knows nothing about HTTP.

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::store::Store;

#[derive(Debug, Error)]
pub enum PersistenceError {
    #[error("could not read emulator state `{path}`")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("emulator state `{path}` is not valid")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("could not write emulator state `{path}`")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// `Ok(None)` when the file does not exist yet.
pub fn load(path: &Path) -> Result<Option<Store>, PersistenceError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(PersistenceError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| PersistenceError::Parse {
            path: path.to_path_buf(),
            source,
        })
}

pub fn save(path: &Path, store: &Store) -> Result<(), PersistenceError> {
    let write_error = |source| PersistenceError::Write {
        path: path.to_path_buf(),
        source,
    };
    let bytes =
        serde_json::to_vec(store).map_err(|error| write_error(std::io::Error::other(error)))?;
    let mut file = atomic_write_file::AtomicWriteFile::options()
        .open(path)
        .map_err(write_error)?;
    file.write_all(&bytes).map_err(write_error)?;
    file.commit().map_err(write_error)
}
