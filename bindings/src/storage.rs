//! The host's key-value storage, as a foreign trait, and its adapter to `logto_core::Storage`.

use std::sync::Arc;

use crate::error::StorageError;

/// Key-value storage of strings, implemented by the host (Android Keystore-encrypted preferences, iOS Keychain…).
/// Each `set` must replace the value atomically: the SDK writes its whole session as one value. Implementations
/// may throw (`StorageException` / `StorageError`, or anything else); the SDK then fails with code `storage` and
/// keeps the previous session.
///
/// Sharing: clients whose storages return the same `shared_id` (and have the same app id and endpoint) share one
/// session engine in the process — one refresh at a time, one in-memory state — so an Activity and a background
/// job, or a Capacitor plugin and a native module, never replay each other's refresh tokens. Return `null`/`nil`
/// to make each storage object its own identity. Hosts where several *processes* use the same stored session (an
/// app and its extension) implement `lock`/`unlock` as a cross-process lock (e.g. a file lock in the shared
/// container); single-process hosts make them no-ops.
#[uniffi::export(foreign)]
pub trait Storage: Send + Sync {
    fn get(&self, key: String) -> Result<Option<String>, StorageError>;
    fn set(&self, key: String, value: String) -> Result<(), StorageError>;
    fn remove(&self, key: String) -> Result<(), StorageError>;
    /// Names the data behind this storage (e.g. `keystore:<preferences name>`), or null.
    fn shared_id(&self) -> Option<String>;
    /// Blocks until this process holds the cross-process lock of `key` (no-op for a single process).
    fn lock(&self, key: String) -> Result<(), StorageError>;
    /// Releases the lock taken by `lock`.
    fn unlock(&self, key: String);
}

/// Presents a host [`Storage`] as the core's storage.
pub(crate) struct StorageAdapter(pub Arc<dyn Storage>);

fn to_core(e: StorageError) -> logto_core::StorageError {
    match e {
        StorageError::Failed { reason } => logto_core::StorageError::new(reason),
    }
}

impl logto_core::Storage for StorageAdapter {
    fn get(&self, key: &str) -> Result<Option<String>, logto_core::StorageError> {
        self.0.get(key.to_owned()).map_err(to_core)
    }

    fn set(&self, key: &str, value: &str) -> Result<(), logto_core::StorageError> {
        self.0.set(key.to_owned(), value.to_owned()).map_err(to_core)
    }

    fn remove(&self, key: &str) -> Result<(), logto_core::StorageError> {
        self.0.remove(key.to_owned()).map_err(to_core)
    }

    fn shared_id(&self) -> Option<String> {
        self.0.shared_id()
    }

    fn lock(&self, key: &str) -> Result<(), logto_core::StorageError> {
        self.0.lock(key.to_owned()).map_err(to_core)
    }

    fn unlock(&self, key: &str) {
        self.0.unlock(key.to_owned())
    }
}
