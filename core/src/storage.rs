//! Where the session lives: a small key-value [`Storage`] trait the host implements (Keychain, Android Keystore-
//! encrypted preferences…), plus [`MemoryStorage`] and the atomic [`FileStorage`] for desktop apps and tests.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A storage failure, with a message for developers (never the stored value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StorageError {
    pub message: String,
}

impl StorageError {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

/// Key-value storage of strings. Each `set` must replace the value atomically: the SDK writes its whole session
/// as one value, so an implementation that can half-write a value can corrupt a session.
pub trait Storage: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError>;
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError>;
    fn remove(&self, key: &str) -> Result<(), StorageError>;
}

/// In-memory storage: nothing survives the process.
#[derive(Default)]
pub struct MemoryStorage {
    values: Mutex<HashMap<String, String>>,
}

impl MemoryStorage {
    pub fn new() -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for MemoryStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryStorage { .. }")
    }
}

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        Ok(self.values.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.values.lock().unwrap_or_else(|p| p.into_inner()).insert(key.into(), value.into());
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.values.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
        Ok(())
    }
}

/// One file per key in a directory. Writes go to a temporary file that is flushed to disk and then renamed over
/// the old one, so a crash leaves either the old or the new value, never a mix. Files are `0600` on Unix.
#[derive(Debug)]
pub struct FileStorage {
    dir: PathBuf,
    write_lock: Mutex<()>,
}

impl FileStorage {
    /// Uses (and creates) `dir`.
    pub fn new(dir: impl AsRef<Path>) -> Result<Self, StorageError> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| StorageError::new(format!("cannot create storage directory: {e}")))?;
        Ok(Self { dir, write_lock: Mutex::new(()) })
    }

    /// Keys become file names: unreserved characters are kept, everything else is `%XX`-escaped.
    fn path(&self, key: &str) -> PathBuf {
        let mut name = String::with_capacity(key.len());
        for b in key.bytes() {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
                name.push(b as char);
            } else {
                name.push_str(&format!("%{b:02X}"));
            }
        }
        self.dir.join(format!("{name}.json"))
    }
}

impl Storage for FileStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        match fs::read_to_string(self.path(key)) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StorageError::new(format!("cannot read storage file: {e}"))),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        let _guard = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let target = self.path(key);
        let tmp = target.with_extension(format!("tmp{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut options = fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&tmp)?;
            file.write_all(value.as_bytes())?;
            file.sync_all()?;
            fs::rename(&tmp, &target)?;
            Ok(())
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            StorageError::new(format!("cannot write storage file: {e}"))
        })
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        match fs::remove_file(self.path(key)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StorageError::new(format!("cannot remove storage file: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &dyn Storage) {
        assert_eq!(s.get("logto:app/1").unwrap(), None);
        s.set("logto:app/1", "v1").unwrap();
        s.set("logto:app/1", "v2").unwrap();
        s.set("logto:app/2", "other").unwrap();
        assert_eq!(s.get("logto:app/1").unwrap().as_deref(), Some("v2"));
        s.remove("logto:app/1").unwrap();
        s.remove("logto:app/1").unwrap();
        assert_eq!(s.get("logto:app/1").unwrap(), None);
        assert_eq!(s.get("logto:app/2").unwrap().as_deref(), Some("other"));
    }

    #[test]
    fn memory_storage() {
        round_trip(&MemoryStorage::new());
    }

    #[test]
    fn file_storage_is_atomic_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let s = FileStorage::new(dir.path().join("nested")).unwrap();
        round_trip(&s);
        s.set("k", "value").unwrap();
        let files: Vec<_> = fs::read_dir(dir.path().join("nested")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(files.len(), 2, "no temp files left behind: {files:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(s.path("k")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Keys cannot escape the directory.
        assert!(s.path("../../etc/passwd").starts_with(dir.path().join("nested")));
    }

    #[test]
    fn file_storage_reports_write_failure() {
        let dir = tempfile::tempdir().unwrap();
        let s = FileStorage::new(dir.path()).unwrap();
        s.set("k", "old").unwrap();
        // A directory where the temp file should go makes the write fail; the old value must survive.
        fs::create_dir(s.path("k").with_extension(format!("tmp{}", std::process::id()))).unwrap();
        assert!(s.set("k", "new").is_err());
        assert_eq!(s.get("k").unwrap().as_deref(), Some("old"));
    }
}
