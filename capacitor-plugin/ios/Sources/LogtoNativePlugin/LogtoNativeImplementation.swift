import Foundation
import UIKit

/// What the Capacitor bridge class (`LogtoNativePlugin`) delegates to. The
/// concrete implementation (calling the Rust core through the `LogtoNative`
/// Swift package: ASWebAuthenticationSession / SFSafariViewController,
/// Keychain storage, single-flight refresh) is written in a later phase: see
/// NATIVE_TODO.md.
///
/// Every failure is a `LogtoBridgeError` with a stable code; anything else is
/// reported as `internal`. Claims and user info are JSON objects
/// (`[String: Any]` made of JSON-compatible values).
@MainActor
public protocol LogtoNativeImplementation: AnyObject {
    /// Called with each `authStateChange`.
    var authStateListener: ((AuthStateChangeType) -> Void)? { get set }

    /// Create or replace the client. Keeps the stored session when endpoint and appId are unchanged.
    func configure(_ request: ConfigureRequest) async throws

    /// Present the browser from `presenter`, wait for the redirect, the
    /// dismissal (`user_cancelled`) or the timeout (`timeout`), then verify and
    /// exchange. Emits `signedIn`.
    func signIn(_ request: SignInRequest, presenter: UIViewController?) async throws

    /// Revoke, clear, emit `signedOut`, then end the browser session (see the bridge contract).
    func signOut(_ request: SignOutRequest, presenter: UIViewController?) async throws

    func isAuthenticated() async throws -> Bool
    func getIdToken() async throws -> String?
    /// `not_authenticated` without an ID token.
    func getIdTokenClaims() async throws -> [String: Any]
    func getRefreshToken() async throws -> String?
    func getAccessToken(_ request: AccessTokenRequest) async throws -> String
    func getAccessTokenClaims(resource: String?) async throws -> [String: Any]
    func getOrganizationToken(_ request: OrganizationTokenRequest) async throws -> String
    func getOrganizationTokenClaims(_ request: OrganizationTokenRequest) async throws -> [String: Any]
    func fetchUserInfo() async throws -> [String: Any]
    func clearAccessToken() async throws
    /// Emits `signedOut`.
    func clearAllTokens() async throws

    /// Complete the pending sign-in with `url`; `sign_in_session.not_found` when none is pending.
    func handleSignInCallback(_ request: CallbackRequest) async throws

    /// An URL opened the app (`.capacitorOpenURL`, used with `safariViewController`).
    /// Returns whether it completed a pending flow.
    @discardableResult
    func handleOpenURL(_ url: URL) -> Bool
}

/// Creates the implementation. Replaced by the real one in the next phase (NATIVE_TODO.md).
enum LogtoNativeImplementations {
    @MainActor
    static func make() -> LogtoNativeImplementation {
        PendingLogtoNativeImplementation()
    }
}

/// Placeholder until the core-backed implementation exists: every call rejects with `internal`.
@MainActor
final class PendingLogtoNativeImplementation: LogtoNativeImplementation {
    var authStateListener: ((AuthStateChangeType) -> Void)?

    private func pending() -> LogtoBridgeError {
        LogtoBridgeError(code: "internal", message: "logto-native-capacitor: the iOS implementation is not available yet.")
    }

    func configure(_ request: ConfigureRequest) async throws { throw pending() }
    func signIn(_ request: SignInRequest, presenter: UIViewController?) async throws { throw pending() }
    func signOut(_ request: SignOutRequest, presenter: UIViewController?) async throws { throw pending() }
    func isAuthenticated() async throws -> Bool { throw pending() }
    func getIdToken() async throws -> String? { throw pending() }
    func getIdTokenClaims() async throws -> [String: Any] { throw pending() }
    func getRefreshToken() async throws -> String? { throw pending() }
    func getAccessToken(_ request: AccessTokenRequest) async throws -> String { throw pending() }
    func getAccessTokenClaims(resource: String?) async throws -> [String: Any] { throw pending() }
    func getOrganizationToken(_ request: OrganizationTokenRequest) async throws -> String { throw pending() }
    func getOrganizationTokenClaims(_ request: OrganizationTokenRequest) async throws -> [String: Any] {
        throw pending()
    }
    func fetchUserInfo() async throws -> [String: Any] { throw pending() }
    func clearAccessToken() async throws { throw pending() }
    func clearAllTokens() async throws { throw pending() }
    func handleSignInCallback(_ request: CallbackRequest) async throws { throw pending() }
    func handleOpenURL(_ url: URL) -> Bool { false }
}
