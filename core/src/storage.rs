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
///
/// The SDK calls these methods on a blocking thread, never on the async executor.
///
/// **Several clients, one session.** All [`LogtoClient`](crate::LogtoClient)s of a process whose storages have the
/// same [`shared_id`](Self::shared_id) (and the same app id and endpoint) share one session engine: one in-memory
/// state, one refresh at a time. **Several processes** (an app and its extension, a second process of an Android
/// app) must give the SDK a lock that excludes the other processes: implement [`lock`](Self::lock) /
/// [`unlock`](Self::unlock) (a file lock in a shared container, for example; [`FileStorage`] does this). The SDK
/// takes that lock around every refresh and re-reads the stored session inside it, so a refresh token rotated by
/// another process is adopted instead of replayed.
pub trait Storage: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError>;
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError>;
    fn remove(&self, key: &str) -> Result<(), StorageError>;

    /// Names the data behind this storage: two storages with the same id read and write the same values. `None`
    /// (the default) makes this storage instance its own identity.
    fn shared_id(&self) -> Option<String> {
        None
    }

    /// Blocks until this process holds the cross-process lock of `key`. The default does nothing (one process).
    fn lock(&self, _key: &str) -> Result<(), StorageError> {
        Ok(())
    }

    /// Releases the lock taken by [`lock`](Self::lock).
    fn unlock(&self, _key: &str) {}

    /// Whether `get`, `set`, `remove` or `lock` may wait: on a disk, the Keychain or Keystore, another process's lock.
    /// The SDK then calls them on a blocking thread, never on the async executor (the default). Only a storage that
    /// answers at once from memory says `false`; it is called in place, which saves a thread hand-off per change.
    fn may_block(&self) -> bool {
        true
    }
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
    fn may_block(&self) -> bool {
        false
    }
}

/// One file per key in a directory. Writes go to a new temporary file with a random name (created exclusively, so
/// nothing planted in the directory is followed or reused), which is flushed to disk and renamed over the old one;
/// the directory is then flushed too. A crash leaves either the old or the new value, never a mix. Files are `0600`
/// on Unix. [`lock`](Storage::lock) is an OS file lock (`<key>.lock`), so several processes can share a directory.
pub struct FileStorage {
    dir: PathBuf,
    /// Open lock files by key, while held.
    locks: Mutex<HashMap<String, fs::File>>,
}

impl std::fmt::Debug for FileStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStorage").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl FileStorage {
    /// Uses (and creates) `dir`.
    pub fn new(dir: impl AsRef<Path>) -> Result<Self, StorageError> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| StorageError::new(format!("cannot create storage directory: {e}")))?;
        // Canonical, so that two FileStorages on one directory are recognised as one store (`shared_id`).
        let dir =
            dir.canonicalize().map_err(|e| StorageError::new(format!("cannot resolve storage directory: {e}")))?;
        Ok(Self { dir, locks: Mutex::new(HashMap::new()) })
    }

    /// Keys become file names: unreserved characters are kept, everything else is `%XX`-escaped.
    fn file_name(key: &str) -> String {
        let mut name = String::with_capacity(key.len());
        for b in key.bytes() {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
                name.push(b as char);
            } else {
                name.push_str(&format!("%{b:02X}"));
            }
        }
        name
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{}.json", Self::file_name(key)))
    }

    fn write_new(path: &Path, value: &str) -> std::io::Result<()> {
        let mut options = fs::OpenOptions::new();
        // create_new = O_CREAT|O_EXCL: fails on anything already there, symlinks included.
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path)?;
        file.write_all(value.as_bytes())?;
        file.sync_all()
    }

    fn sync_dir(&self) -> std::io::Result<()> {
        // Makes the rename itself durable. Directories cannot be opened for syncing on Windows.
        #[cfg(unix)]
        fs::File::open(&self.dir)?.sync_all()?;
        Ok(())
    }
}

fn random_suffix() -> Result<String, StorageError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| StorageError::new(format!("OS random generator failed: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
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
        let target = self.path(key);
        let tmp = self.dir.join(format!(".{}.{}.tmp", Self::file_name(key), random_suffix()?));
        let write = || -> std::io::Result<()> {
            Self::write_new(&tmp, value)?;
            fs::rename(&tmp, &target)?;
            self.sync_dir()
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            StorageError::new(format!("cannot write storage file: {e}"))
        })
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        match fs::remove_file(self.path(key)) {
            Ok(()) => self.sync_dir().map_err(|e| StorageError::new(format!("cannot sync storage directory: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StorageError::new(format!("cannot remove storage file: {e}"))),
        }
    }

    fn shared_id(&self) -> Option<String> {
        Some(format!("file:{}", self.dir.display()))
    }

    fn lock(&self, key: &str) -> Result<(), StorageError> {
        let path = self.dir.join(format!("{}.lock", Self::file_name(key)));
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| StorageError::new(format!("cannot open lock file: {e}")))?;
        file.lock().map_err(|e| StorageError::new(format!("cannot lock: {e}")))?;
        self.locks.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_owned(), file);
        Ok(())
    }

    fn unlock(&self, key: &str) {
        // Closing the file releases the lock.
        self.locks.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
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
        assert!(s.path("../../etc/passwd").starts_with(s.dir.as_path()));
        // Two storages on one directory are one store.
        let again = FileStorage::new(dir.path().join("nested/../nested")).unwrap();
        assert_eq!(again.shared_id(), s.shared_id());
        assert_ne!(FileStorage::new(dir.path()).unwrap().shared_id(), s.shared_id());
    }

    #[test]
    fn file_storage_reports_write_failure_and_keeps_the_old_value() {
        let dir = tempfile::tempdir().unwrap();
        let s = FileStorage::new(dir.path()).unwrap();
        s.set("k", "old").unwrap();
        // A directory where the target is makes the rename fail; the old value must survive, no temp file remains.
        let blocked = FileStorage::new(dir.path().join("b")).unwrap();
        fs::create_dir(blocked.path("k")).unwrap();
        assert!(blocked.set("k", "new").is_err());
        assert_eq!(fs::read_dir(&blocked.dir).unwrap().count(), 1, "temp file cleaned up");
        assert_eq!(s.get("k").unwrap().as_deref(), Some("old"));
    }

    /// A symlink planted in the storage directory is never written through: temp names are random and created
    /// exclusively, and the rename replaces a symlink at the target instead of following it.
    #[cfg(unix)]
    #[test]
    fn file_storage_never_writes_through_planted_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let s = FileStorage::new(dir.path().join("store")).unwrap();
        // Plant symlinks at every name an old, predictable implementation would have used, and at the target.
        for name in ["k.json", "k.tmp", &format!("k.tmp{}", std::process::id())] {
            std::os::unix::fs::symlink(&victim, s.dir.join(name)).unwrap();
        }
        s.set("k", "session").unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(s.get("k").unwrap().as_deref(), Some("session"));
        assert!(!fs::symlink_metadata(s.path("k")).unwrap().file_type().is_symlink());
    }

    /// The cross-process lock excludes a second holder (a second FileStorage stands for another process: OS file
    /// locks are per open file description).
    #[test]
    fn file_storage_lock_excludes_other_holders() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let a = FileStorage::new(dir.path()).unwrap();
        let b = Arc::new(FileStorage::new(dir.path()).unwrap());
        a.lock("k").unwrap();
        let acquired = Arc::new(AtomicBool::new(false));
        let waiter = {
            let (b, acquired) = (b.clone(), acquired.clone());
            std::thread::spawn(move || {
                b.lock("k").unwrap();
                acquired.store(true, Ordering::SeqCst);
                b.unlock("k");
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(!acquired.load(Ordering::SeqCst), "second holder must wait");
        a.unlock("k");
        waiter.join().unwrap();
        assert!(acquired.load(Ordering::SeqCst));
        // Another key is independent.
        a.lock("k").unwrap();
        b.lock("other").unwrap();
        b.unlock("other");
        a.unlock("k");
    }
}
