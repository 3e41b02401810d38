import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Defaults for the `Storage` requirements most hosts do not need:
/// - `sharedId()`: `nil`, so each storage object is its own identity. Return a name for the data behind the storage
///   (KeychainStorage returns its service and access group) so that several `LogtoClient`s on the same session in
///   one process share one engine and never replay each other's refresh tokens.
/// - `lock(key:)` / `unlock(key:)`: no cross-process lock (one process). An app and its extension sharing a session
///   must lock across processes — `KeychainStorage(…, lockFileURL:)` does, with a file in the app group container.
public extension Storage {
    func sharedId() -> String? { nil }
    func lock(key: String) throws {}
    func unlock(key: String) {}
}

/// An exclusive, cross-process lock on a file (`flock(2)`), held between `lock()` and `unlock()`.
public final class FileLock: @unchecked Sendable {
    private let url: URL
    private let mutex = NSLock()
    private var descriptor: Int32 = -1

    public init(url: URL) { self.url = url }

    /// Blocks until this process holds the lock.
    public func lock() throws {
        let fd = open(url.path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StorageError.Failed(reason: "cannot open lock file (errno \(errno))") }
        guard flock(fd, LOCK_EX) == 0 else {
            let code = errno
            close(fd)
            throw StorageError.Failed(reason: "cannot lock (errno \(code))")
        }
        mutex.lock()
        descriptor = fd
        mutex.unlock()
    }

    /// Releases the lock (closing the file releases it).
    public func unlock() {
        mutex.lock()
        let fd = descriptor
        descriptor = -1
        mutex.unlock()
        if fd >= 0 { close(fd) }
    }
}
