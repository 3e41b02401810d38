//! The host storage of the unit tests: always empty, accepts every write, single-process (no lock), and panics in
//! `get` while `panicking` is set (the panic-boundary tests).

use std::sync::atomic::{AtomicBool, Ordering};

use crate::{Storage, StorageError};

#[derive(Default)]
pub(crate) struct TestStorage {
    pub panicking: AtomicBool,
}

impl Storage for TestStorage {
    fn get(&self, _key: String) -> Result<Option<String>, StorageError> {
        if self.panicking.load(Ordering::SeqCst) {
            panic!("host storage exploded");
        }
        Ok(None)
    }
    fn set(&self, _key: String, _value: String) -> Result<(), StorageError> {
        Ok(())
    }
    fn remove(&self, _key: String) -> Result<(), StorageError> {
        Ok(())
    }
    fn shared_id(&self) -> Option<String> {
        None
    }
    fn lock(&self, _key: String) -> Result<(), StorageError> {
        Ok(())
    }
    fn unlock(&self, _key: String) {}
}
