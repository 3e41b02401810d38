import Foundation

/// Whether a session exists, as far as this client knows.
public enum AuthState: Equatable, Sendable {
    /// Nothing has read the storage yet (call `isAuthenticated()`).
    case unknown
    case signedIn
    case signedOut
}

/// Fans the core's auth-state events out to any number of `AsyncStream`s.
final class AuthEventHub: AuthStateListener, @unchecked Sendable {
    private let lock = NSLock()
    private var continuations: [UUID: AsyncStream<AuthStateEvent>.Continuation] = [:]
    private var current: AuthState = .unknown

    var state: AuthState {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// Fills in the state only while it is unknown: an event that arrived meanwhile is newer.
    func setInitial(_ signedIn: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if current == .unknown { current = signedIn ? .signedIn : .signedOut }
    }

    func onAuthStateChanged(event: AuthStateEvent) throws {
        lock.lock()
        switch event {
        case .signedIn, .tokensRefreshed: current = .signedIn
        case .signedOut, .sessionExpired: current = .signedOut
        }
        let targets = Array(continuations.values)
        lock.unlock()
        for continuation in targets { continuation.yield(event) }
    }

    func stream() -> AsyncStream<AuthStateEvent> {
        AsyncStream(bufferingPolicy: .bufferingNewest(64)) { continuation in
            let id = UUID()
            lock.lock()
            continuations[id] = continuation
            lock.unlock()
            continuation.onTermination = { [weak self] _ in
                guard let self else { return }
                self.lock.lock()
                self.continuations[id] = nil
                self.lock.unlock()
            }
        }
    }
}

/// Logto sign-in for Swift: the Rust core's client with async/await, the browser sign-in flow and the session
/// events as an `AsyncStream`. Errors are `LogtoError`s; read `.code` for the stable code.
///
/// ```swift
/// let client = try LogtoClient(
///     config: defaultLogtoConfig(endpoint: "https://tenant.logto.app", appId: "<app id>"),
///     storage: KeychainStorage(appId: "<app id>"))
/// try await client.signIn(options: SignInOptions(redirectUri: "com.example.app://callback"),
///                         browser: WebAuthenticationSessionBrowser())
/// let token = try await client.getAccessToken(resource: "https://api.example.com")
/// ```
public final class LogtoClient: @unchecked Sendable {
    /// The generated binding, for anything this class does not wrap.
    public let core: LogtoCoreClient
    private let coordinator: BrowserFlowCoordinator
    private let hub = AuthEventHub()

    /// Validates `config` (no I/O). Throws `LogtoError.InvalidConfig`.
    public init(config: LogtoConfig, storage: Storage, coordinator: BrowserFlowCoordinator = BrowserFlowCoordinator()) throws {
        core = try LogtoCoreClient(config: config, storage: storage)
        self.coordinator = coordinator
        core.setAuthStateListener(listener: hub)
    }

    deinit {
        core.setAuthStateListener(listener: nil)
    }

    /// Session changes (signed in, tokens refreshed, signed out, session expired). Each access is a new stream.
    public var events: AsyncStream<AuthStateEvent> { hub.stream() }

    /// The session state, updated by every event and by `isAuthenticated()`.
    public var authState: AuthState { hub.state }

    /// Signs in through `browser`. Throws `user_cancelled` if the user closes it, `sign_in_in_progress` if another
    /// sign-in or sign-out runs, `browser_unavailable` if no browser can be shown.
    public func signIn(options: SignInOptions, browser: BrowserLauncher) async throws {
        let core = self.core
        let coordinator = self.coordinator
        try await coordinator.exclusive {
            let url = try await core.signInUrl(options: options)
            guard let authorizationURL = URL(string: url) else { throw LogtoError.browserUnavailable }
            let outcome = try await coordinator.roundTrip(
                url: authorizationURL, redirectURI: URL(string: options.redirectUri), launcher: browser)
            switch outcome {
            case let .redirected(callback):
                try await core.handleSignInCallback(callbackUrl: callback.absoluteString)
            case .closed:
                throw LogtoError.userCancelled
            }
        }
    }

    /// Signs out: removes the session at once (never waiting on the network; the refresh token is revoked in the
    /// background and retried later if that fails); with a `browser`, also opens the end-session page so Logto's
    /// browser session ends (closing it is not an error). Returns the end-session URL. `idTokenHint` and `state` go on
    /// the end-session URL.
    @discardableResult
    public func signOut(postLogoutRedirectUri: String? = nil, browser: BrowserLauncher? = nil,
                        idTokenHint: Bool = false, state: String? = nil) async throws -> String {
        let core = self.core
        let options = SignOutOptions(postLogoutRedirectUri: postLogoutRedirectUri, idTokenHint: idTokenHint, state: state)
        guard let browser else { return try await core.signOutWithOptions(options: options) }
        let coordinator = self.coordinator
        return try await coordinator.exclusive {
            let url = try await core.signOutWithOptions(options: options)
            if let endSession = URL(string: url) {
                _ = try await coordinator.roundTrip(
                    url: endSession, redirectURI: postLogoutRedirectUri.flatMap(URL.init(string:)), launcher: browser)
            }
            return url
        }
    }

    /// Revokes now the refresh tokens still waiting for revocation; returns how many are still waiting.
    public func revokePendingTokens() async throws -> UInt32 { try await core.revokePendingTokens() }

    /// The discovery document (from the cache when there is one).
    public func getOidcConfig() async throws -> OidcConfig { try await core.getOidcConfig() }

    /// True when `url` is the pending sign-in's redirect URI (query and fragment aside).
    public func isSignInRedirected(url: URL) async throws -> Bool {
        try await core.isSignInRedirected(url: url.absoluteString)
    }

    /// The authorization URL for a flow the app runs itself; finish with `handleSignInCallback`.
    public func signInUrl(options: SignInOptions) async throws -> String {
        try await core.signInUrl(options: options)
    }

    /// Completes a sign-in from the redirect URL (also after an app restart: the pending sign-in is persisted).
    public func handleSignInCallback(url: URL) async throws {
        try await core.handleSignInCallback(callbackUrl: url.absoluteString)
    }

    public func isAuthenticated() async throws -> Bool {
        let signedIn = try await core.isAuthenticated()
        hub.setInitial(signedIn)
        return signedIn
    }

    public func prefetch() async throws { try await core.prefetch() }

    public func getIdToken() async throws -> String? { try await core.getIdToken() }

    public func getIdTokenClaims() async throws -> IdTokenClaims { try await core.getIdTokenClaims() }

    public func getRefreshToken() async throws -> String? { try await core.getRefreshToken() }

    public func getAccessToken(resource: String? = nil, organizationId: String? = nil, forceRefresh: Bool = false) async throws -> String {
        if forceRefresh {
            return try await core.getAccessTokenWithOptions(
                resource: resource, organizationId: organizationId, options: GetAccessTokenOptions(forceRefresh: true))
        }
        return try await core.getAccessToken(resource: resource, organizationId: organizationId)
    }

    public func getAccessTokenClaims(resource: String? = nil) async throws -> AccessTokenClaims {
        try await core.getAccessTokenClaims(resource: resource)
    }

    public func getOrganizationToken(organizationId: String) async throws -> String {
        try await core.getOrganizationToken(organizationId: organizationId)
    }

    public func getOrganizationTokenClaims(organizationId: String) async throws -> AccessTokenClaims {
        try await core.getOrganizationTokenClaims(organizationId: organizationId)
    }

    public func fetchUserInfo() async throws -> UserInfo { try await core.fetchUserInfo() }

    public func clearAccessToken() async throws { try await core.clearAccessToken() }

    public func clearAllTokens() async throws { try await core.clearAllTokens() }
}
