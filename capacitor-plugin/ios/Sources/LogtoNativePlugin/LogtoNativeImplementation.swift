import Foundation
import LogtoNative
#if canImport(UIKit)
import UIKit

/// What a browser is presented from: the bridge's view controller.
public typealias LogtoPresenter = UIViewController
#else
/// What a browser is presented from (no UIKit off Apple platforms: the tests pass nil).
public typealias LogtoPresenter = AnyObject
#endif

// The iOS implementation of the LogtoNative bridge, on top of the Swift layer of ios/ (LogtoClient,
// BrowserFlowCoordinator, the browsers, KeychainStorage, the generated bindings). Same codes and semantics as the
// Android implementation (android/src/main/java/dev/logtocore/capacitor/LogtoNativeImplementation.kt, which is
// tested on the JVM against the real core): user_cancelled, timeout, sign_in_in_progress, browser_unavailable,
// a redirect racing the close wins, oidc.invalid_grant when the refresh token is refused.
//
// Foundation + LogtoNative only, apart from the platform (IOSLogtoPlatform, iOS): it compiles, and its tests run,
// with the Swift toolchain on Linux (ios/scripts/check-swift.sh); the bridge (LogtoNativePlugin.swift) needs
// Capacitor and is compiled by Xcode only.

/// What `LogtoNativeImplementation` needs from the platform: storage and browsers. `IOSLogtoPlatform` in the app;
/// fakes in tests.
@MainActor
public protocol LogtoNativePlatform: AnyObject {
    /// The storage of the session of the Logto app `appId` (Keychain, namespaced by app id).
    func storage(appId: String) -> Storage

    /// A browser for one round trip, as configured (`ios.browser`, `ios.prefersEphemeralSession`), presented from
    /// `presenter` (the bridge's view controller).
    func browser(options: IosBrowserOptions?, presenter: LogtoPresenter?) -> BrowserLauncher
}

#if canImport(UIKit) && os(iOS)
/// The platform of the app: `KeychainStorage`; `WebAuthenticationSessionBrowser` (default, optionally ephemeral)
/// or `SafariViewControllerBrowser` (`ios.browser == "safariViewController"`).
@MainActor
public final class IOSLogtoPlatform: LogtoNativePlatform {
    public init() {}

    public func storage(appId: String) -> Storage {
        KeychainStorage(appId: appId)
    }

    public func browser(options: IosBrowserOptions?, presenter: LogtoPresenter?) -> BrowserLauncher {
        weak var weakPresenter = presenter
        switch options?.browser ?? .asWebAuthenticationSession {
        case .safariViewController:
            return SafariViewControllerBrowser(presenter: { weakPresenter })
        case .asWebAuthenticationSession:
            return WebAuthenticationSessionBrowser(
                prefersEphemeralWebBrowserSession: options?.prefersEphemeralSession ?? false,
                anchor: { weakPresenter?.view.window })
        }
    }
}
#endif

/// The iOS implementation of the `LogtoNative` plugin: what `LogtoNativePlugin` delegates every call to.
///
/// - One `LogtoClient` per configuration (Keychain storage namespaced by app id, so the session survives a
///   reconfiguration with the same `appId`); one `BrowserFlowCoordinator` for the plugin, so a second concurrent
///   `signIn`/`signOut` fails with `sign_in_in_progress`.
/// - Browser round trips run through the coordinator (a redirect racing the close wins) with `signInTimeoutMs`:
///   when it runs out the browser is dismissed and the call fails with `timeout`.
/// - Every failure is a `LogtoBridgeError` with the core's stable code and safe message.
@MainActor
public final class LogtoNativeImplementation {
    /// Called with each `authStateChange`, on the main actor.
    public var authStateListener: ((AuthStateChangeType) -> Void)?

    private struct Configured {
        let request: ConfigureRequest
        let client: LogtoClient
    }

    private let platform: LogtoNativePlatform
    private let coordinator: BrowserFlowCoordinator
    private var configured: Configured?
    private var events: Task<Void, Never>?
    /// The browser round trip that is open (sign-in or sign-out), if any.
    fileprivate var activeFlow: RoundTrip?

    public init(platform: LogtoNativePlatform, coordinator: BrowserFlowCoordinator = BrowserFlowCoordinator()) {
        self.platform = platform
        self.coordinator = coordinator
    }

    // MARK: configuration

    /// Creates the client, or replaces it when the Logto configuration changed (the session is kept when `appId`
    /// is unchanged: it lives in the app id's Keychain items).
    public func configure(_ request: ConfigureRequest) async throws {
        try await bridged {
            if let current = configured, current.request.config == request.config {
                configured = Configured(request: request, client: current.client) // only the options changed
                return
            }
            let client = try LogtoClient(
                config: try request.config.logtoConfig(),
                storage: platform.storage(appId: request.config.appId),
                coordinator: coordinator)
            // The initial state, so that a session removed during a later call is recognised (`refreshing`).
            _ = try await client.isAuthenticated()
            events?.cancel()
            let stream = client.events
            events = Task { @MainActor [weak self] in
                for await event in stream {
                    self?.authStateListener?(AuthStateChangeType(event))
                }
            }
            configured = Configured(request: request, client: client)
        }
    }

    private func requireConfigured() throws -> Configured {
        guard let configured else {
            throw LogtoBridgeError(code: "invalid_config", message: "LogtoNative.configure has not been called.")
        }
        return configured
    }

    // MARK: browser flows

    /// Signs in through the browser. Fails with `user_cancelled`, `timeout`, `sign_in_in_progress`,
    /// `browser_unavailable`, or the core's callback/token errors. The previous session is replaced only on success.
    public func signIn(_ request: SignInRequest, presenter: LogtoPresenter?) async throws {
        try await bridged {
            let current = try requireConfigured()
            let options = try request.signInOptions()
            let client = current.client
            let coordinator = self.coordinator
            let flow = RoundTrip(
                owner: self,
                browser: platform.browser(options: current.request.options.ios, presenter: presenter),
                redirectURI: URL(string: request.redirectUri),
                signIn: true,
                timeout: current.request.options.signInTimeout)
            do {
                try await coordinator.exclusive {
                    let url = try await client.signInUrl(options: options)
                    guard let authorizationURL = URL(string: url) else { throw LogtoError.browserUnavailable }
                    switch try await flow.run(url: authorizationURL, coordinator: coordinator) {
                    case let .redirected(callback):
                        try await client.handleSignInCallback(url: callback)
                    case .closed:
                        throw LogtoError.userCancelled
                    case .timedOut:
                        throw LogtoError.timeout
                    }
                }
                flow.finish(error: nil)
            } catch {
                flow.finish(error: error)
                throw error
            }
        }
    }

    /// Signs out: removes the session and revokes the refresh token (the core; emits `signedOut`), then opens the
    /// end-session page. With a post-logout redirect URI it settles on that redirect (`user_cancelled` if the browser
    /// is closed first); without one, on the browser being closed. `timeout` when `signInTimeoutMs` runs out.
    public func signOut(_ request: SignOutRequest, presenter: LogtoPresenter?) async throws {
        try await bridged {
            let current = try requireConfigured()
            let client = current.client
            let coordinator = self.coordinator
            let postLogoutRedirectUri = request.postLogoutRedirectUri
            let flow = RoundTrip(
                owner: self,
                browser: platform.browser(options: current.request.options.ios, presenter: presenter),
                redirectURI: postLogoutRedirectUri.flatMap(URL.init(string:)),
                signIn: false,
                timeout: current.request.options.signInTimeout)
            defer { flow.finish(error: nil) }
            try await coordinator.exclusive {
                let endSession = try await client.signOut(postLogoutRedirectUri: postLogoutRedirectUri)
                guard let url = URL(string: endSession) else { return }
                switch try await flow.run(url: url, coordinator: coordinator) {
                case .redirected:
                    return
                case .timedOut:
                    throw LogtoError.timeout
                case .closed:
                    if postLogoutRedirectUri != nil { throw LogtoError.userCancelled }
                }
            }
        }
    }

    /// An URL opened the app (Capacitor's app- and scene-delegate open-URL and universal-link notifications, used
    /// with `safariViewController`; the same URL may arrive through several of them). If it is the redirect of the open round trip, the round trip ends with it.
    @discardableResult
    public func handleOpenURL(_ url: URL) -> Bool {
        guard let flow = activeFlow, flow.matches(url) else { return false }
        return flow.deliver(url)
    }

    /// Completes a sign-in from a redirect URL the app received itself: the open sign-in takes it (and this call
    /// settles like that sign-in); else the core completes its persisted pending sign-in, or fails with
    /// `sign_in_session.not_found`.
    public func handleSignInCallback(_ request: CallbackRequest) async throws {
        try await bridged {
            let current = try requireConfigured()
            if let url = URL(string: request.url), let flow = activeFlow, flow.signIn, flow.matches(url) {
                flow.deliver(url)
                if let error = await flow.outcome() { throw error }
                return
            }
            // No open sign-in: the core completes its persisted pending sign-in (or says why it cannot).
            try await current.client.core.handleSignInCallback(callbackUrl: request.url)
        }
    }

    /// The discovery document, with `@logto/client`'s camelCase keys.
    public func getOidcConfig() async throws -> [String: Any] {
        try await bridged { oidcConfigObject(try await requireConfigured().client.getOidcConfig()) }
    }

    /// True when `url` is the pending sign-in's redirect URI (query and fragment aside); never changes anything.
    public func isSignInRedirected(url: String) async throws -> Bool {
        try await bridged { try await requireConfigured().client.core.isSignInRedirected(url: url) }
    }

    // MARK: tokens and claims

    public func isAuthenticated() async throws -> Bool {
        try await bridged { try await requireConfigured().client.isAuthenticated() }
    }

    public func getIdToken() async throws -> String? {
        try await bridged { try await requireConfigured().client.getIdToken() }
    }

    /// The ID token's claims as `@logto/js` has them (claim names of the token; a single `aud` as a string).
    public func getIdTokenClaims() async throws -> [String: Any] {
        try await bridged { try claimsObject(try await requireConfigured().client.getIdTokenClaims().rawJson) }
    }

    public func getRefreshToken() async throws -> String? {
        try await bridged { try await requireConfigured().client.getRefreshToken() }
    }

    public func getAccessToken(_ request: AccessTokenRequest) async throws -> String {
        try await refreshing { try await $0.getAccessToken(resource: request.resource, organizationId: request.organizationId) }
    }

    public func getAccessTokenClaims(resource: String?) async throws -> [String: Any] {
        try claimsObject(try await refreshing { try await $0.getAccessTokenClaims(resource: resource) }.rawJson)
    }

    public func getOrganizationToken(_ request: OrganizationTokenRequest) async throws -> String {
        try await refreshing { try await $0.getOrganizationToken(organizationId: request.organizationId) }
    }

    public func getOrganizationTokenClaims(_ request: OrganizationTokenRequest) async throws -> [String: Any] {
        try claimsObject(try await refreshing {
            try await $0.getOrganizationTokenClaims(organizationId: request.organizationId)
        }.rawJson)
    }

    /// The user-info response (claim names of the endpoint; `custom_data` etc. as JSON values).
    public func fetchUserInfo() async throws -> [String: Any] {
        try jsonObject(try await refreshing { try await $0.fetchUserInfo() }.rawJson)
    }

    public func clearAccessToken() async throws {
        try await bridged { try await requireConfigured().client.clearAccessToken() }
    }

    /// Emits `signedOut` when a session was removed.
    public func clearAllTokens() async throws {
        try await bridged { try await requireConfigured().client.clearAllTokens() }
    }

    /// Runs a call that may refresh tokens. When the server refuses the refresh token the core removes the
    /// session, emits `sessionExpired` and fails with `not_authenticated`; the bridge contract (and the web
    /// platform) reports that as `oidc.invalid_grant`.
    private func refreshing<T>(_ call: (LogtoClient) async throws -> T) async throws -> T {
        try await bridged {
            let client = try requireConfigured().client
            let before = client.authState
            do {
                return try await call(client)
            } catch let error as LogtoError {
                if case .NotAuthenticated = error, before == .signedIn, client.authState == .signedOut {
                    throw LogtoBridgeError(
                        code: "oidc.invalid_grant",
                        message: "The refresh token was refused (invalid_grant); sign in again.",
                        data: ["error": "invalid_grant"])
                }
                throw error
            }
        }
    }
}

// MARK: - One browser round trip

/// How a round trip ended, with the timeout told apart from the user closing the browser.
enum RoundTripResult: Sendable {
    case redirected(URL)
    case closed
    case timedOut
}

/// One browser round trip, wrapped around the platform's browser: remembers the session (for `handleOpenURL` and
/// `handleSignInCallback`) and enforces the timeout by dismissing the browser and reporting it closed (a redirect
/// that races the timeout still wins).
@MainActor
final class RoundTrip: BrowserLauncher {
    let browser: BrowserLauncher
    let redirectURI: URL?
    let signIn: Bool
    private let timeout: TimeInterval?
    private weak var owner: LogtoNativeImplementation?
    private var session: BrowserSession?
    private var timedOut = false
    private var finished = false
    private var result: Error??
    private var waiters: [CheckedContinuation<Error?, Never>] = []

    init(owner: LogtoNativeImplementation, browser: BrowserLauncher, redirectURI: URL?, signIn: Bool,
         timeout: TimeInterval?) {
        self.owner = owner
        self.browser = browser
        self.redirectURI = redirectURI
        self.signIn = signIn
        self.timeout = timeout
    }

    /// Opens `url` through the coordinator and waits for the outcome, dismissing the browser after `timeout`.
    func run(url: URL, coordinator: BrowserFlowCoordinator) async throws -> RoundTripResult {
        var timer: Task<Void, Never>?
        if let timeout {
            timer = Task { @MainActor [weak self] in
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1_000_000_000))
                if !Task.isCancelled { self?.expire() }
            }
        }
        defer { timer?.cancel() }
        switch try await coordinator.roundTrip(url: url, redirectURI: redirectURI, launcher: self) {
        case let .redirected(callback):
            return .redirected(callback)
        case .closed:
            return timedOut ? .timedOut : .closed
        }
    }

    // BrowserLauncher: called by the coordinator on the main actor.
    func launch(url: URL, redirectURI: URL?, session: BrowserSession) throws {
        self.session = session
        owner?.activeFlow = self
        try browser.launch(url: url, redirectURI: redirectURI, session: session)
    }

    func matches(_ url: URL) -> Bool {
        guard let redirectURI else { return false }
        return sameRedirect(url, redirectURI)
    }

    /// Hands a redirect to the round trip; a browser whose redirects come through the app (the Safari view) takes
    /// it with its own `handle(url:)`, which also closes it.
    @discardableResult
    func deliver(_ url: URL) -> Bool {
        if let handling = browser as? URLHandlingBrowserLauncher {
            return handling.handle(url: url)
        }
        let accepted = session?.onRedirect(url) ?? false
        if accepted { (browser as? DismissibleBrowserLauncher)?.dismiss() }
        return accepted
    }

    private func expire() {
        guard let session, !finished else { return }
        timedOut = true
        (browser as? DismissibleBrowserLauncher)?.dismiss()
        session.onClosed()
    }

    /// The sign-in (or sign-out) settled: no more redirects are taken, waiters learn the outcome.
    func finish(error: Error?) {
        guard !finished else { return }
        finished = true
        if owner?.activeFlow === self { owner?.activeFlow = nil }
        result = .some(error)
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume(returning: error) }
    }

    /// Waits until `finish(error:)`; returns its error (nil = success).
    func outcome() async -> Error? {
        if let result { return result }
        return await withCheckedContinuation { waiters.append($0) }
    }
}

// MARK: - Conversions

/// Runs `body`; every failure becomes a `LogtoBridgeError` with a stable code and a safe message.
@MainActor
func bridged<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw bridgeError(error)
    }
}

/// The bridge error of any failure: the core's code and message for a `LogtoError` (with `{ error,
/// errorDescription }` as data for OAuth errors), `internal` with a generic message for anything else (messages of
/// other errors are not vetted for secrets).
func bridgeError(_ error: Error) -> LogtoBridgeError {
    switch error {
    case let bridge as LogtoBridgeError:
        return bridge
    case let logto as LogtoError:
        return LogtoBridgeError(code: logto.code, message: logto.message, data: oauthData(logto))
    default:
        return LogtoBridgeError(code: "internal", message: "Internal error.")
    }
}

private func oauthData(_ logtoError: LogtoError) -> [String: String]? {
    let pair: (String, String?)
    switch logtoError {
    case let .Oidc(_, _, error, description, _):
        pair = (error, description)
    case let .CallbackErrorFound(_, _, error, description):
        pair = (error, description)
    default:
        return nil
    }
    var data = ["error": pair.0]
    if let description = pair.1 { data["errorDescription"] = description }
    return data
}

extension NativeLogtoConfig {
    /// The core's config: the core's defaults, then what JavaScript set.
    func logtoConfig() throws -> LogtoConfig {
        var config = defaultLogtoConfig(endpoint: endpoint, appId: appId)
        if let scopes { config.scopes = scopes }
        if let resources { config.resources = resources }
        if let prompt { config.prompt = try prompt.map { try parsePrompt(value: $0) } }
        if let includeReservedScopes { config.includeReservedScopes = includeReservedScopes }
        return config
    }
}

extension SignInRequest {
    /// The core's sign-in options; values the core does not know fail with `invalid_config`.
    func signInOptions() throws -> SignInOptions {
        SignInOptions(
            redirectUri: redirectUri,
            prompt: try prompt.map { values in try values.map { try parsePrompt(value: $0) } },
            firstScreen: try firstScreen.map { try parseFirstScreen(value: $0) },
            identifiers: try (identifiers ?? []).map { identifier -> Identifier in
                switch identifier {
                case "email": return .email
                case "phone": return .phone
                case "username": return .username
                default:
                    throw LogtoBridgeError(code: "invalid_config", message: "identifiers must be email, phone or username.")
                }
            },
            loginHint: loginHint,
            directSignIn: directSignIn.map {
                LogtoNative.DirectSignIn(method: $0.method == .sso ? .sso : .social, target: $0.target)
            },
            extraParams: (extraParams ?? [:]).sorted { $0.key < $1.key }.map { ExtraParam(name: $0.key, value: $0.value) })
    }
}

extension AuthStateChangeType {
    init(_ event: AuthStateEvent) {
        switch event {
        case .signedIn: self = .signedIn
        case .tokensRefreshed: self = .tokensRefreshed
        case .signedOut: self = .signedOut
        case .sessionExpired: self = .sessionExpired
        }
    }
}

/// A JSON object from the core's `raw_json`.
func jsonObject(_ raw: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any] else {
        throw LogtoBridgeError(code: "internal", message: "Internal error.")
    }
    return object
}

/// Claims as `@logto/js` returns them: the token's claim names; a one-element `aud` list becomes a string.
func claimsObject(_ raw: String) throws -> [String: Any] {
    var claims = try jsonObject(raw)
    if let audience = claims["aud"] as? [Any], audience.count == 1, let only = audience.first as? String {
        claims["aud"] = only
    }
    return claims
}

/// Whether `url` is a redirect to `redirectURI`: the Swift layer's rule (`isRedirect(_:to:)`: same scheme, host,
/// port and path, whatever the query), so that the plugin and `SafariViewControllerBrowser` agree.
func sameRedirect(_ url: URL, _ redirectURI: URL) -> Bool {
    isRedirect(url, to: redirectURI)
}
