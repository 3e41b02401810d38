#if canImport(Security)
import Foundation
import Security

/// `Storage` in the Keychain (generic passwords), namespaced by the Logto app id: the service is
/// `dev.logtocore.<appId>` and each storage key is an account, so several Logto apps never share items.
///
/// Items are `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly` by default: readable by background refreshes after
/// the first unlock, never migrated to another device by backups. Pass an access group to share the session with an
/// app extension.
///
/// Keychain items survive an uninstall: a user who deletes and reinstalls the app is still signed in. Pass
/// `clearOnFirstLaunch: true` to remove this storage's items on the first launch after an installation instead
/// (recognised by a marker in `launchMarkerDefaults`, see `FirstLaunchGate`). Off by default. The marker is written
/// from the first launch with this SDK even while the option is off, so turning it on later only affects fresh
/// installs — except for users updating from an app version that did not contain this SDK, who are signed out once.
public final class KeychainStorage: Storage, @unchecked Sendable {
    private let service: String
    private let accessGroup: String?
    private let accessibility: CFString
    private let firstLaunch: FirstLaunchGate
    private let crossProcessLock: FileLock?

    /// - Parameters:
    ///   - launchMarkerDefaults: where the first-launch marker lives; with an `accessGroup` shared with an app
    ///     extension, pass the app group's `UserDefaults(suiteName:)` so the extension sees the app's marker.
    ///   - lockFileURL: with an `accessGroup` shared with an app extension, a file in the app group container
    ///     (e.g. `containerURL(forSecurityApplicationGroupIdentifier:)/logto.lock`): the app and the extension then
    ///     refresh one at a time and adopt each other's rotated refresh tokens instead of replaying them.
    public init(appId: String, accessGroup: String? = nil,
                accessibility: CFString = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
                clearOnFirstLaunch: Bool = false,
                launchMarkerDefaults: UserDefaults = .standard,
                lockFileURL: URL? = nil) {
        self.crossProcessLock = lockFileURL.map(FileLock.init(url:))
        self.service = "dev.logtocore.\(appId)"
        self.accessGroup = accessGroup
        self.accessibility = accessibility
        self.firstLaunch = FirstLaunchGate(
            defaults: launchMarkerDefaults, key: "dev.logtocore.\(appId).launched", clearsOnFirstLaunch: clearOnFirstLaunch)
    }

    /// All items of this storage (no account: every key).
    private func serviceQuery() -> [String: Any] {
        var query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
        ]
        if let accessGroup { query[kSecAttrAccessGroup as String] = accessGroup }
        #if os(macOS)
        query[kSecUseDataProtectionKeychain as String] = true
        #endif
        return query
    }

    private func query(_ key: String) throws -> [String: Any] {
        try firstLaunch.check(clear: removeAll)
        var query = serviceQuery()
        query[kSecAttrAccount as String] = key
        return query
    }

    /// Removes every item of this storage (used on the first launch after an installation).
    private func removeAll() throws {
        let status = SecItemDelete(serviceQuery() as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw StorageError.Failed(reason: "Keychain clear on first launch failed (OSStatus \(status))")
        }
    }

    /// Two KeychainStorages of the same service and access group hold the same items.
    public func sharedId() -> String? { "keychain:\(service):\(accessGroup ?? "")" }

    public func lock(key: String) throws { try crossProcessLock?.lock() }

    public func unlock(key: String) { crossProcessLock?.unlock() }

    public func get(key: String) throws -> String? {
        var request = try query(key)
        request[kSecReturnData as String] = true
        request[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(request as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let data = item as? Data, let value = String(data: data, encoding: .utf8) else {
                throw StorageError.Failed(reason: "Keychain item is not UTF-8 text")
            }
            return value
        case errSecItemNotFound:
            return nil
        default:
            throw StorageError.Failed(reason: "Keychain read failed (OSStatus \(status))")
        }
    }

    public func set(key: String, value: String) throws {
        let data = Data(value.utf8)
        let attributes: [String: Any] = [
            kSecValueData as String: data,
            kSecAttrAccessible as String: accessibility,
        ]
        let itemQuery = try query(key)
        // Update in place (atomic replacement); add when missing.
        var status = SecItemUpdate(itemQuery as CFDictionary, attributes as CFDictionary)
        if status == errSecItemNotFound {
            let item = itemQuery.merging(attributes) { _, new in new }
            status = SecItemAdd(item as CFDictionary, nil)
        }
        guard status == errSecSuccess else {
            throw StorageError.Failed(reason: "Keychain write failed (OSStatus \(status))")
        }
    }

    public func remove(key: String) throws {
        let status = SecItemDelete(try query(key) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw StorageError.Failed(reason: "Keychain delete failed (OSStatus \(status))")
        }
    }
}
#endif
