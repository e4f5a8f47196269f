//! The local state backend: one JSON file per workbook under `.clayform/state/`, written
//! atomically with mode 0600, and an advisory lock file beside it.
//!
//! Locking uses `File::try_lock` (an OS advisory lock) on `<key>.lock`. The OS drops the lock when
//! the holder dies, so a killed apply never leaves a stuck lock; the file's content (the
//! [`LockInfo`]) tells a waiting user who holds it. After locking, the holder checks the path still
//! names the file it locked: `force-unlock` works by removing the lock file, after which new
//! lockers create a fresh one.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::error::StateError;
use super::format::{FormatError, Header, from_json, header_from_json, to_json_canonical};
use super::lock::{LockInfo, Operation};
use super::model::State;

/// State files in one folder.
#[derive(Debug, Clone)]
pub struct LocalBackend {
    dir: PathBuf,
}

/// Proof that the caller holds a local state's lock; released on drop.
#[derive(Debug)]
pub struct LocalLock {
    file: File,
    path: PathBuf,
    info: LockInfo,
    key: String,
}

impl LocalLock {
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

impl Drop for LocalLock {
    fn drop(&mut self) {
        // Remove the file only while it is still ours; then unlock. A failure here leaves an
        // unlocked lock file behind, which the next locker simply reuses.
        if same_file(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

fn same_file(file: &File, path: &Path) -> bool {
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Write `bytes` to `path` atomically (temp file, fsync, rename, fsync dir) with mode 0600.
pub fn write_private_file_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use atomic_write_file::unix::OpenOptionsExt as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let mut options = atomic_write_file::OpenOptions::new();
    options.preserve_mode(false).mode(0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.commit()
}

impl LocalBackend {
    pub fn new(dir: impl Into<PathBuf>) -> LocalBackend {
        LocalBackend { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A file-name-safe key for a workbook: readable slug plus a short hash of the exact name,
    /// so names differing only in punctuation never share a file.
    pub fn key_for(workspace_id: u64, workbook: &str) -> String {
        let slug: String = workbook
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect::<String>()
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let slug: String = slug.chars().take(48).collect();
        let digest = Sha256::digest(format!("{workspace_id}/{workbook}").as_bytes());
        format!("{workspace_id}-{slug}-{}", &hex::encode(digest)[..8])
    }

    pub fn state_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    fn lock_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.lock"))
    }

    /// The state stored under `key`, or `None` if there is none yet.
    pub fn load(&self, key: &str) -> Result<Option<State>, StateError> {
        self.read_stored(key, from_json)
    }

    /// The serial and lineage of the stored state for `key` (what a save compares), without
    /// decoding the rest: an apply saves after every step.
    fn load_header(&self, key: &str) -> Result<Option<Header>, StateError> {
        self.read_stored(key, header_from_json)
    }

    /// The file stored under `key` read with `decode`, or `None` if there is none yet.
    fn read_stored<T>(
        &self,
        key: &str,
        decode: impl FnOnce(&str) -> Result<T, FormatError>,
    ) -> Result<Option<T>, StateError> {
        let path = self.state_path(key);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(StateError::Read { path, source }),
        };
        match decode(&text) {
            Ok(decoded) => Ok(Some(decoded)),
            Err(FormatError::Invalid(reason)) => Err(StateError::Corrupt { path, reason }),
            Err(FormatError::Unsupported(found)) => Err(StateError::UnsupportedVersion {
                path,
                found,
                supported: super::format::FORMAT_VERSION,
            }),
        }
    }

    /// Every state in the folder, sorted by key.
    pub fn list(&self) -> Result<Vec<(String, State)>, StateError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(StateError::Read {
                    path: self.dir.clone(),
                    source,
                });
            }
        };
        let mut keys: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                name.strip_suffix(".json").map(str::to_string)
            })
            .collect();
        keys.sort();
        let mut states = Vec::new();
        for key in keys {
            if let Some(state) = self.load(&key)? {
                states.push((key, state));
            }
        }
        Ok(states)
    }

    /// Save `state` under the lock: compare-and-swap on serial and lineage against what is on
    /// disk, then bump the serial and write atomically.
    pub fn save(&self, lock: &LocalLock, state: &mut State) -> Result<(), StateError> {
        let key = lock.key();
        if let Some(current) = self.load_header(key)? {
            if current.lineage != state.lineage {
                return Err(StateError::LineageMismatch {
                    expected: current.lineage,
                    found: state.lineage.clone(),
                });
            }
            if current.serial != state.serial {
                return Err(StateError::SerialConflict {
                    lineage: current.lineage,
                    expected: state.serial,
                    found: current.serial,
                });
            }
        }
        state.serial += 1;
        state.canonicalize();
        let path = self.state_path(key);
        let text = to_json_canonical(state);
        write_private_file_atomically(&path, text.as_bytes()).map_err(|source| {
            state.serial -= 1;
            StateError::Write { path, source }
        })
    }

    /// Take the lock for `key`, waiting up to `timeout` (zero: fail at once with the holder's
    /// info). Retries with backoff from 100 ms doubling to 2 s.
    pub fn lock(
        &self,
        key: &str,
        operation: Operation,
        timeout: Duration,
    ) -> Result<LocalLock, StateError> {
        let path = self.lock_path(key);
        fs::create_dir_all(&self.dir).map_err(|source| StateError::Write {
            path: self.dir.clone(),
            source,
        })?;
        let started = Instant::now();
        let mut delay = Duration::from_millis(100);
        loop {
            match self.try_lock_once(key, &path, operation)? {
                Some(lock) => return Ok(lock),
                None if started.elapsed() + delay <= timeout => {
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(Duration::from_secs(2));
                }
                None => {
                    return Err(match read_lock_info(&path) {
                        Some(holder) => StateError::Locked {
                            holder: Box::new(holder),
                        },
                        None => StateError::LockedUnknown { path },
                    });
                }
            }
        }
    }

    fn try_lock_once(
        &self,
        key: &str,
        path: &Path,
        operation: Operation,
    ) -> Result<Option<LocalLock>, StateError> {
        let write_error = |source| StateError::Write {
            path: path.to_path_buf(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(write_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
            Err(std::fs::TryLockError::Error(source)) => return Err(write_error(source)),
        }
        if !same_file(&file, path) {
            // The file was removed (released or force-unlocked) between open and lock.
            let _ = file.unlock();
            return Ok(None);
        }
        let info = LockInfo::new(operation, path.display().to_string());
        let body = serde_json::to_vec_pretty(&info).expect("lock info serialises");
        file.set_len(0).map_err(write_error)?;
        file.write_all(&body).map_err(write_error)?;
        file.sync_all().map_err(write_error)?;
        Ok(Some(LocalLock {
            file,
            path: path.to_path_buf(),
            info,
            key: key.to_string(),
        }))
    }

    /// Break the lock whose id is `lock_id` (from the holder's lock info). Returns its info.
    pub fn force_unlock(&self, lock_id: &str) -> Result<LockInfo, StateError> {
        let entries = fs::read_dir(&self.dir).map_err(|source| StateError::Read {
            path: self.dir.clone(),
            source,
        })?;
        let mut current = Vec::new();
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "lock")
                && let Some(info) = read_lock_info(&path)
            {
                if info.id == lock_id {
                    fs::remove_file(&path).map_err(|source| StateError::Write { path, source })?;
                    return Ok(info);
                }
                current.push(info.id);
            }
        }
        Err(StateError::LockIdMismatch {
            id: lock_id.to_string(),
            current: if current.is_empty() {
                "none".to_string()
            } else {
                current.join(", ")
            },
        })
    }
}

fn read_lock_info(path: &Path) -> Option<LockInfo> {
    let mut text = String::new();
    File::open(path).ok()?.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn backend() -> (tempfile::TempDir, LocalBackend) {
        let dir = tempfile::tempdir().unwrap();
        let backend = LocalBackend::new(dir.path().join("state"));
        (dir, backend)
    }

    #[test]
    fn save_bumps_serial_writes_0600_and_loads_back() {
        let (_dir, backend) = backend();
        let key = LocalBackend::key_for(1, "Q1 Outreach");
        let lock = backend
            .lock(&key, Operation::Apply, Duration::ZERO)
            .unwrap();
        let mut state = State::new("Q1 Outreach", 1);
        backend.save(&lock, &mut state).unwrap();
        assert_eq!(state.serial, 1);
        let mode = fs::metadata(backend.state_path(&key))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(backend.load(&key).unwrap(), Some(state));
    }

    #[test]
    fn a_stale_serial_is_refused() {
        let (_dir, backend) = backend();
        let key = LocalBackend::key_for(1, "W");
        let lock = backend
            .lock(&key, Operation::Apply, Duration::ZERO)
            .unwrap();
        let mut first = State::new("W", 1);
        backend.save(&lock, &mut first).unwrap();
        let mut stale = first.clone();
        backend.save(&lock, &mut first).unwrap();
        let error = backend.save(&lock, &mut stale).unwrap_err();
        assert!(matches!(
            error,
            StateError::SerialConflict {
                expected: 1,
                found: 2,
                ..
            }
        ));
        assert_eq!(stale.serial, 1, "a refused save leaves the serial alone");
    }

    #[test]
    fn a_second_locker_sees_the_holder_and_force_unlock_frees_it() {
        let (_dir, backend) = backend();
        let key = LocalBackend::key_for(1, "W");
        let holder = backend
            .lock(&key, Operation::Apply, Duration::ZERO)
            .unwrap();
        let error = backend
            .lock(&key, Operation::Plan, Duration::ZERO)
            .unwrap_err();
        let StateError::Locked { holder: info } = error else {
            panic!("expected Locked, got {error}")
        };
        assert_eq!(info.id, holder.info().id);
        assert_eq!(info.operation, Operation::Apply);
        assert!(error_text_has_lock_info(&StateError::Locked {
            holder: info.clone()
        }));

        assert!(backend.force_unlock("not-the-id").is_err());
        let broken = backend.force_unlock(&holder.info().id).unwrap();
        assert_eq!(broken.id, holder.info().id);
        let second = backend.lock(&key, Operation::Plan, Duration::ZERO).unwrap();
        // The old holder's drop must not remove the new holder's lock file.
        drop(holder);
        assert!(backend.lock(&key, Operation::Plan, Duration::ZERO).is_err());
        drop(second);
        assert!(backend.lock(&key, Operation::Plan, Duration::ZERO).is_ok());
    }

    fn error_text_has_lock_info(error: &StateError) -> bool {
        let text = error.to_string();
        text.contains("Lock Info:") && text.contains("Operation: apply")
    }

    #[test]
    fn a_released_lock_can_be_taken_again_and_waiting_times_out() {
        let (_dir, backend) = backend();
        let key = LocalBackend::key_for(1, "W");
        let first = backend
            .lock(&key, Operation::Apply, Duration::ZERO)
            .unwrap();
        let started = Instant::now();
        assert!(
            backend
                .lock(&key, Operation::Apply, Duration::from_millis(350))
                .is_err()
        );
        assert!(started.elapsed() >= Duration::from_millis(300));
        drop(first);
        backend
            .lock(&key, Operation::Apply, Duration::ZERO)
            .unwrap();
    }

    #[test]
    fn keys_are_distinct_for_names_that_slug_alike() {
        let a = LocalBackend::key_for(1, "Q1: Outreach");
        let b = LocalBackend::key_for(1, "Q1 Outreach");
        assert_ne!(a, b);
        assert!(a.starts_with("1-q1-outreach-"));
    }
}
