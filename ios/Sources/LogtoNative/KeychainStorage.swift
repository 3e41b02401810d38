import Foundation
import Security

/// `Storage` in the Keychain (generic passwords), namespaced by the Logto app id: the service is
/// `dev.logtocore.<appId>` and each storage key is an account, so several Logto apps never share items.
///
/// Items are `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly` by default: readable by background refreshes after
/// the first unlock, never migrated to another device by backups. Pass an access group to share the session with an
/// app extension.
public final class KeychainStorage: Storage, @unchecked Sendable {
    private let service: String
    private let accessGroup: String?
    private let accessibility: CFString

    public init(appId: String, accessGroup: String? = nil,
                accessibility: CFString = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly) {
        self.service = "dev.logtocore.\(appId)"
        self.accessGroup = accessGroup
        self.accessibility = accessibility
    }

    private func query(_ key: String) -> [String: Any] {
        var query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: key,
        ]
        if let accessGroup { query[kSecAttrAccessGroup as String] = accessGroup }
        #if os(macOS)
        query[kSecUseDataProtectionKeychain as String] = true
        #endif
        return query
    }

    public func get(key: String) throws -> String? {
        var request = query(key)
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
        // Update in place (atomic replacement); add when missing.
        var status = SecItemUpdate(query(key) as CFDictionary, attributes as CFDictionary)
        if status == errSecItemNotFound {
            let item = query(key).merging(attributes) { _, new in new }
            status = SecItemAdd(item as CFDictionary, nil)
        }
        guard status == errSecSuccess else {
            throw StorageError.Failed(reason: "Keychain write failed (OSStatus \(status))")
        }
    }

    public func remove(key: String) throws {
        let status = SecItemDelete(query(key) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw StorageError.Failed(reason: "Keychain delete failed (OSStatus \(status))")
        }
    }
}
