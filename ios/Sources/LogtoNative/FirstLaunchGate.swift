import Foundation

/// Recognises the first launch after an installation, for storage that outlives an uninstall: Keychain items stay
/// on the device when the app is deleted, UserDefaults do not. So a missing UserDefaults marker with Keychain items
/// present means "reinstalled", and a storage that opts in clears its items then (`KeychainStorage`'s
/// `clearOnFirstLaunch`).
///
/// The marker is written on the first check whether or not clearing is on, so that turning clearing on in a later
/// app version does not sign out everyone who updates (only installs that never ran a version with this SDK are
/// treated as fresh). Checked once per process; thread-safe.
public final class FirstLaunchGate: @unchecked Sendable {
    private let defaults: UserDefaults
    private let key: String
    private let clearsOnFirstLaunch: Bool
    private let lock = NSLock()
    private var checked = false

    /// - Parameters:
    ///   - defaults: where the marker lives. It must be removed with the app and shared by every process that shares
    ///     the storage: with a Keychain access group shared with an app extension, pass the app group's
    ///     `UserDefaults(suiteName:)`, or the extension's first launch would clear the app's session.
    ///   - key: the marker's key (one per storage).
    ///   - clearsOnFirstLaunch: whether `check(clear:)` clears on the first launch.
    public init(defaults: UserDefaults, key: String, clearsOnFirstLaunch: Bool) {
        self.defaults = defaults
        self.key = key
        self.clearsOnFirstLaunch = clearsOnFirstLaunch
    }

    /// On the first call of the process: if the app was never launched with this marker and clearing is on, runs
    /// `clear`; then records the launch. If `clear` throws, nothing is recorded and the next call tries again.
    public func check(clear: () throws -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !checked else { return }
        if clearsOnFirstLaunch, defaults.object(forKey: key) == nil {
            try clear()
        }
        defaults.set(true, forKey: key)
        checked = true
    }
}
