//! Saving the state during an apply without making every step wait for every other step's save.
//!
//! A step changes the in-memory state (an intent before its first call, its result after). Before
//! its first call it waits until a save that includes its intent is on disk; its result is
//! carried by the next save, and [`Checkpoints::flush`] saves what is left when the steps end.
//! One save runs at a time; a save writes everything changed so far, so steps that change state
//! while one is being written share the next (group commit). The guarantee `applying` relies on:
//! when `persist` returns, the change is on disk. Saving blocks (file I/O with fsync, or a database round trip): it
//! runs on tokio's blocking pool (`spawn_blocking`, which is why the backend and the lock are
//! owned here), so the apply's other steps — futures of the same task — keep sending requests
//! and handling answers while a save is written.
//!
//! Must not know: what a step does, Clay, where or how state is stored (it calls
//! `StateBackend::save`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::apply::hook::{ApplyEvent, ApplyHook};
use crate::state::{State, StateBackend, StateLock};

pub struct Checkpoints<'a> {
    backend: StateBackend,
    lock: Arc<StateLock>,
    state: &'a Mutex<State>,
    hook: &'a dyn ApplyHook,
    /// Numbers the in-memory changes; bumped under the state mutex, after the change.
    changes: AtomicU64,
    /// The last change number known to be on disk. Held while saving: one save at a time.
    saved: tokio::sync::Mutex<u64>,
}

impl<'a> Checkpoints<'a> {
    pub fn new(
        backend: StateBackend,
        lock: Arc<StateLock>,
        state: &'a Mutex<State>,
        hook: &'a dyn ApplyHook,
    ) -> Self {
        Checkpoints {
            backend,
            lock,
            state,
            hook,
            changes: AtomicU64::new(0),
            saved: tokio::sync::Mutex::new(0),
        }
    }

    /// Record that `state` (the guard of this checkpoint's state mutex) was just changed; the
    /// number to pass to [`Self::persist`].
    pub fn changed(&self, _state: &mut State) -> u64 {
        self.changes.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Wait until every change recorded so far is on disk.
    pub async fn flush(&self) -> Result<(), String> {
        self.persist(self.changes.load(Ordering::SeqCst)).await
    }

    /// Wait until change `change` is on disk, saving the state if no other save covered it.
    pub async fn persist(&self, change: u64) -> Result<(), String> {
        // Let the other steps whose answers have arrived record their changes first, so that
        // one save covers them all.
        tokio::task::yield_now().await;
        let mut saved = self.saved.lock().await;
        if *saved >= change {
            return Ok(());
        }
        let (mut snapshot, covers) = {
            let state = self.state.lock().expect("state mutex");
            (state.clone(), self.changes.load(Ordering::SeqCst))
        };
        let (backend, lock) = (self.backend.clone(), self.lock.clone());
        let (result, snapshot) = tokio::task::spawn_blocking(move || {
            let result = backend.save(&lock, &mut snapshot);
            (result, snapshot)
        })
        .await
        .map_err(|e| format!("cannot save state: the save was interrupted ({e})"))?;
        result.map_err(|e| format!("cannot save state: {e}"))?;
        self.state.lock().expect("state mutex").serial = snapshot.serial;
        *saved = covers;
        self.hook.event(&ApplyEvent::PostStateUpdate {
            serial: snapshot.serial,
        });
        Ok(())
    }
}
