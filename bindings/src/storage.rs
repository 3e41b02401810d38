//! The host's key-value storage, as a foreign trait, and its adapter to `logto_core::Storage`.

use std::sync::Arc;

use crate::error::StorageError;

/// Key-value storage of strings, implemented by the host (Android Keystore-encrypted preferences, iOS Keychain…).
/// Each `set` must replace the value atomically: the SDK writes its whole session as one value. Implementations
/// may throw (`StorageException` / `StorageError`, or anything else); the SDK then fails with code `storage` and
/// keeps the previous session.
#[uniffi::export(foreign)]
pub trait Storage: Send + Sync {
    fn get(&self, key: String) -> Result<Option<String>, StorageError>;
    fn set(&self, key: String, value: String) -> Result<(), StorageError>;
    fn remove(&self, key: String) -> Result<(), StorageError>;
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
}
