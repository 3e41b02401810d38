//! The session engine shared by every client of one stored session in this process, and the per-client half that
//! drives it.
//!
//! Two `LogtoClient`s on the same stored session (same storage — by [`Storage::shared_id`] —, app id and issuer),
//! say an Activity and a background job, must not each refresh from their own copy: refresh tokens rotate, and the
//! second use of a consumed one revokes the grant. So the state, the locks and the in-flight refreshes live in one
//! [`Engine`] per stored session, found through a process-wide registry; each client keeps only its configuration
//! and HTTP client ([`ClientCore`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, LazyLock, Mutex, Weak};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

use crate::config::ResolvedConfig;
use crate::error::{LogtoError, Result};
use crate::http::Http;
use crate::session::storage_key;
use crate::storage::Storage;
use crate::store::SessionStore;

pub(crate) fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The shared result of one refresh, awaited by every caller that joined it.
pub(crate) type Flight = watch::Receiver<Option<Result<String>>>;

/// Everything about one stored session that must exist once per process.
pub(crate) struct Engine {
    pub store: Arc<SessionStore>,
    /// One refresh at a time for the whole session: refresh tokens rotate.
    pub refresh_lock: tokio::sync::Mutex<()>,
    /// Refreshes in flight, by access-token key: a second caller joins instead of starting another.
    pub flights: Mutex<HashMap<String, Flight>>,
    /// One code exchange at a time: a code is single-use.
    pub callback_lock: tokio::sync::Mutex<()>,
    /// One discovery/JWKS fetch at a time, and how many completed (all, and those with the JWKS).
    pub provider_fetch: tokio::sync::Mutex<()>,
    pub provider_fetches: AtomicU64,
    pub jwks_fetches: AtomicU64,
    /// When an ID token that did not fit the cache last forced a refetch (rate limit).
    pub last_forced_refetch: Mutex<Option<Instant>>,
    /// When a stale cache last started a background refresh (so an offline app does not retry on every call).
    pub last_background_refresh: Mutex<Option<Instant>>,
    /// One revocation worker at a time; `revocations_requested` tells it to look again.
    pub revoking: tokio::sync::Mutex<()>,
    pub revocations_requested: AtomicBool,
}

type RegistryKey = (String, String, String);

static REGISTRY: LazyLock<Mutex<HashMap<RegistryKey, Weak<Engine>>>> = LazyLock::new(Default::default);

impl Engine {
    /// The engine of the session stored under `app_id` in `storage` for `issuer`, shared with every live client of
    /// the same session in this process.
    pub fn shared(storage: Arc<dyn Storage>, app_id: &str, issuer: &str) -> Arc<Engine> {
        // Without a shared id, the storage object itself is the identity. Its address cannot be reused while the
        // engine (which holds the storage) is alive.
        let identity = match storage.shared_id() {
            Some(id) => format!("id:{id}"),
            None => format!("instance:{:p}", Arc::as_ptr(&storage).cast::<()>()),
        };
        let key = (identity, storage_key(app_id), issuer.to_string());
        let mut registry = lock(&REGISTRY);
        if let Some(engine) = registry.get(&key).and_then(Weak::upgrade) {
            return engine;
        }
        registry.retain(|_, engine| engine.strong_count() > 0);
        let engine = Arc::new(Engine {
            store: Arc::new(SessionStore::new(storage, key.1.clone(), issuer.to_string())),
            refresh_lock: Default::default(),
            flights: Default::default(),
            callback_lock: Default::default(),
            provider_fetch: Default::default(),
            provider_fetches: Default::default(),
            jwks_fetches: Default::default(),
            last_forced_refetch: Default::default(),
            last_background_refresh: Default::default(),
            revoking: Default::default(),
            revocations_requested: AtomicBool::new(false),
        });
        registry.insert(key, Arc::downgrade(&engine));
        engine
    }
}

/// One client's configuration and HTTP client, working on the shared [`Engine`].
pub(crate) struct ClientCore {
    pub config: ResolvedConfig,
    pub http: Http,
    pub engine: Arc<Engine>,
    /// This client's listener slot in the engine's event hub.
    pub listener_slot: u64,
}

impl ClientCore {
    pub fn store(&self) -> &Arc<SessionStore> {
        &self.engine.store
    }

    /// Runs `work` as a task of its own, so it completes (and persists what it must) even if the caller stops
    /// waiting — a cancelled coroutine, a timeout, a torn-down bridge call.
    pub async fn detached<F, R>(self: &Arc<Self>, work: impl FnOnce(Arc<Self>) -> F) -> Result<R>
    where
        F: Future<Output = R> + Send + 'static,
        R: Send + 'static,
    {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| LogtoError::Internal { message: "the SDK must run on a tokio runtime".into() })?;
        runtime
            .spawn(work(Arc::clone(self)))
            .await
            .map_err(|e| LogtoError::Internal { message: format!("background task failed: {e}") })
    }

    /// Starts `work` in the background if a runtime is available (best effort: caches, revocations).
    pub fn spawn<F: Future<Output = ()> + Send + 'static>(self: &Arc<Self>, work: impl FnOnce(Arc<Self>) -> F) {
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(work(Arc::clone(self)));
        }
    }
}

impl Drop for ClientCore {
    fn drop(&mut self) {
        self.engine.store.events.set_listener(self.listener_slot, None);
    }
}
