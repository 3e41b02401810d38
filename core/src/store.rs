//! The session store: the in-memory copy of the [`Document`], and every read and write of it through the host's
//! [`Storage`].
//!
//! - Reads take a snapshot (an `Arc`) under a lock held for nanoseconds; they never wait for storage I/O once the
//!   document is loaded.
//! - Changes run on a blocking thread (storage I/O never runs on the async executor; a storage that never blocks,
//!   [`Storage::may_block`], is called in place), one at a time, and each writes the whole document with one `set`.
//!   A change is applied to a copy and kept only once persisted, unless the caller asks for it to take effect
//!   regardless (removing credentials, caches).
//! - A change runs to completion even if the caller stops waiting: it is not part of the caller's future.
//! - Events are queued while the change is committed and delivered once no lock is held (see `events`), always on a
//!   blocking thread: a listener may block, or call back into the client and wait for it.
//! - [`SessionStore::reload`] adopts what another process wrote since we last read or wrote the stored value.

use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use crate::error::{LogtoError, Result};
use crate::events::{AuthStateEvent, EventHub};
use crate::session::{Document, Unreadable};
use crate::storage::Storage;

/// What the store holds: the document, and whether the stored one could not be used.
pub(crate) struct Loaded {
    pub doc: Document,
    pub unreadable: Option<Unreadable>,
}

/// How a change treats a storage failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Persist {
    /// Keep the change only if it was persisted; on failure everything stays as it was.
    Required,
    /// Keep the change in memory even if it could not be persisted (it must take effect: removing credentials, a
    /// rotated refresh token whose predecessor is already consumed, caches). The failure is reported separately.
    BestEffort,
}

/// The result of a change: the closure's value, and whether the change reached storage.
pub(crate) struct Changed<R> {
    pub value: R,
    pub persisted: Result<()>,
}

/// Events a change wants delivered, in order.
pub(crate) type Events = Vec<AuthStateEvent>;

struct Synced {
    loaded: Option<Arc<Loaded>>,
    /// The stored value as we last read or wrote it: a different one in storage was written by someone else.
    stored: Option<String>,
}

pub(crate) struct SessionStore {
    storage: Arc<dyn Storage>,
    key: String,
    issuer: String,
    pub events: EventHub,
    snapshot: RwLock<Option<Arc<Loaded>>>,
    /// Serialises changes (and the storage I/O they do). Locked on blocking threads, or in place for a storage that
    /// never blocks (then held only for the microseconds a change of an in-memory value takes).
    writer: Mutex<Synced>,
    /// [`Storage::may_block`], asked once.
    storage_may_block: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn storage_error(e: crate::storage::StorageError) -> LogtoError {
    LogtoError::storage(e)
}

const NEWER_DOCUMENT: &str =
    "the stored session was written by a newer version of this SDK and is left untouched; update the app";

impl SessionStore {
    pub fn new(storage: Arc<dyn Storage>, key: String, issuer: String) -> Self {
        Self {
            storage_may_block: storage.may_block(),
            storage,
            key,
            issuer,
            events: EventHub::default(),
            snapshot: RwLock::new(None),
            writer: Mutex::new(Synced { loaded: None, stored: None }),
        }
    }

    fn cached(&self) -> Option<Arc<Loaded>> {
        self.snapshot.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn publish(&self, synced: &mut Synced, loaded: Loaded) -> Arc<Loaded> {
        let loaded = Arc::new(loaded);
        synced.loaded = Some(Arc::clone(&loaded));
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&loaded));
        loaded
    }

    fn lock_writer(&self) -> MutexGuard<'_, Synced> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn parse(&self, raw: Option<&str>) -> Loaded {
        match raw.map(|raw| Document::parse(raw, &self.issuer)) {
            None => Loaded { doc: Document::new(&self.issuer), unreadable: None },
            Some(Ok(doc)) => Loaded { doc, unreadable: None },
            Some(Err(why)) => Loaded { doc: Document::new(&self.issuer), unreadable: Some(why) },
        }
    }

    /// Blocking: the loaded document, reading storage the first time.
    fn loaded_blocking(&self, synced: &mut Synced) -> Result<Arc<Loaded>> {
        if let Some(loaded) = &synced.loaded {
            return Ok(Arc::clone(loaded));
        }
        let raw = self.storage.get(&self.key).map_err(storage_error)?;
        let loaded = self.parse(raw.as_deref());
        synced.stored = raw;
        Ok(self.publish(synced, loaded))
    }

    /// The current document. Reads storage only the first time.
    pub async fn snapshot(self: &Arc<Self>) -> Result<Arc<Loaded>> {
        if let Some(loaded) = self.cached() {
            return Ok(loaded);
        }
        self.blocking(|store| store.loaded_blocking(&mut store.lock_writer())).await
    }

    /// Runs `f`, then delivers the events it queued, to completion even if the caller stops waiting: on a blocking
    /// thread, or, for a storage that never blocks, `f` in place (within one poll, so it is never cut short either)
    /// and only the delivery, if a listener is there to hear it, on a blocking thread.
    async fn blocking<R: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Self) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let answer = Arc::new(Mutex::new(None));
        let (store, slot) = (Arc::clone(self), Arc::clone(&answer));
        self.run(Box::new(move || *lock(&slot) = Some(f(&store)))).await?;
        let answer = lock(&answer).take();
        answer.unwrap_or_else(|| Err(LogtoError::Internal { message: "storage task ended without an answer".into() }))
    }

    /// The part of [`blocking`](Self::blocking) that does not depend on the change: compiled once, not once per kind
    /// of change (the library's size budget).
    async fn run(self: &Arc<Self>, job: Box<dyn FnOnce() + Send>) -> Result<()> {
        let failed = |e: tokio::task::JoinError| LogtoError::Internal { message: format!("storage task failed: {e}") };
        let store = Arc::clone(self);
        if self.storage_may_block {
            return tokio::task::spawn_blocking(move || {
                job();
                store.events.deliver();
            })
            .await
            .map_err(failed);
        }
        job();
        if store.events.has_deliveries() {
            tokio::task::spawn_blocking(move || store.events.deliver()).await.map_err(failed)?;
        }
        Ok(())
    }

    /// Applies `f` to a copy of the document and commits it (see [`Persist`]). `f` may refuse by returning an error
    /// (nothing changes) and may queue events, delivered after the commit in commit order.
    pub async fn change<R: Send + 'static>(
        self: &Arc<Self>,
        persist: Persist,
        f: impl FnOnce(&mut Document, &mut Events) -> Result<R> + Send + 'static,
    ) -> Result<Changed<R>> {
        self.blocking(move |store| store.change_blocking(persist, f)).await
    }

    /// [`change`](Self::change) with [`Persist::Required`], folding the storage failure into the result.
    pub async fn update<R: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Document, &mut Events) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let Changed { value, persisted } = self.change(Persist::Required, f).await?;
        persisted.map(|()| value)
    }

    fn change_blocking<R>(
        &self,
        persist: Persist,
        f: impl FnOnce(&mut Document, &mut Events) -> Result<R>,
    ) -> Result<Changed<R>> {
        let mut synced = self.lock_writer();
        let loaded = self.loaded_blocking(&mut synced)?;
        if loaded.unreadable == Some(Unreadable::Newer) {
            return Err(LogtoError::Storage { message: NEWER_DOCUMENT.into() });
        }
        let mut doc = loaded.doc.clone();
        let mut events = Vec::new();
        let value = f(&mut doc, &mut events)?;
        let raw = serde_json::to_string(&doc).map_err(|e| LogtoError::Internal { message: e.to_string() })?;
        let persisted = self.storage.set(&self.key, &raw).map_err(storage_error);
        match (&persisted, persist) {
            (Ok(()), _) => synced.stored = Some(raw),
            (Err(_), Persist::Required) => return Ok(Changed { value, persisted }),
            (Err(_), Persist::BestEffort) => {}
        }
        // A corrupt document stays "corrupt" (for the callback's error) until something replaced it in storage.
        let unreadable = loaded.unreadable.filter(|_| persisted.is_err());
        self.publish(&mut synced, Loaded { doc, unreadable });
        self.events.queue(events);
        Ok(Changed { value, persisted })
    }

    /// Re-reads storage and adopts what another process wrote since we last read or wrote it (a rotated refresh
    /// token, a sign-in, a sign-out), announcing the difference. Our own unpersisted changes are kept when storage
    /// still holds what we last saw. A read failure keeps the in-memory document.
    pub async fn reload(self: &Arc<Self>) -> Result<Arc<Loaded>> {
        self.blocking(|store| store.reload_blocking()).await
    }

    fn reload_blocking(&self) -> Result<Arc<Loaded>> {
        let mut synced = self.lock_writer();
        let current = self.loaded_blocking(&mut synced)?;
        let Ok(raw) = self.storage.get(&self.key) else { return Ok(current) };
        if raw == synced.stored {
            return Ok(current);
        }
        let theirs = self.parse(raw.as_deref());
        if theirs.unreadable == Some(Unreadable::Corrupt) {
            // Not a session anyone can use; our next write replaces it.
            return Ok(current);
        }
        self.events.queue(difference(&current.doc, &theirs.doc));
        synced.stored = raw;
        Ok(self.publish(&mut synced, theirs))
    }

    /// Blocks until this process holds the host's cross-process lock of the session (see [`Storage::lock`]).
    pub async fn lock_across_processes(self: &Arc<Self>) -> Result<CrossProcessGuard> {
        self.blocking(|store| store.storage.lock(&store.key).map_err(storage_error)).await?;
        Ok(CrossProcessGuard { store: Arc::clone(self) })
    }
}

/// Holds the cross-process lock; releases it when dropped.
pub(crate) struct CrossProcessGuard {
    store: Arc<SessionStore>,
}

impl Drop for CrossProcessGuard {
    fn drop(&mut self) {
        self.store.storage.unlock(&self.store.key);
    }
}

/// The events that turn `ours` into `theirs`.
fn difference(ours: &Document, theirs: &Document) -> Events {
    match (&ours.session, &theirs.session) {
        (None, Some(_)) => vec![AuthStateEvent::SignedIn],
        (Some(_), None) => vec![AuthStateEvent::SignedOut],
        (Some(a), Some(b)) if a.sub != b.sub || ours.generation != theirs.generation => vec![AuthStateEvent::SignedIn],
        (Some(a), Some(b)) if a.refresh_token != b.refresh_token || a.id_token != b.id_token => {
            vec![AuthStateEvent::TokensRefreshed]
        }
        _ => Vec::new(),
    }
}
