import XCTest
import LogtoNative
@testable import LogtoNativePlugin

// Tests of the iOS implementation's round trips and conversions that need no IdP. They run with `swift test` on
// Linux (ios/scripts/check-swift.sh, against the host build of the Rust core) and with `xcodebuild test` on an iOS
// simulator (.github/workflows/ios.yml); the Android twin runs against the dev IdP on the JVM.

final class TestStorage: Storage, @unchecked Sendable {
    private var values: [String: String] = [:]
    private let mutex = NSLock()
    func get(key: String) throws -> String? { mutex.lock(); defer { mutex.unlock() }; return values[key] }
    func set(key: String, value: String) throws { mutex.lock(); defer { mutex.unlock() }; values[key] = value }
    func remove(key: String) throws { mutex.lock(); defer { mutex.unlock() }; values[key] = nil }
}

/// A browser that reports whatever `react` does with the session, and records dismissals.
final class TestBrowser: DismissibleBrowserLauncher, @unchecked Sendable {
    let react: @MainActor (BrowserSession) -> Void
    var dismissals = 0
    init(_ react: @escaping @MainActor (BrowserSession) -> Void) { self.react = react }
    @MainActor func launch(url: URL, redirectURI: URL?, session: BrowserSession) throws { react(session) }
    @MainActor func dismiss() { dismissals += 1 }
}

/// A browser whose redirect comes back through the app (like SFSafariViewController): records what it was handed.
final class URLHandlingTestBrowser: URLHandlingBrowserLauncher, @unchecked Sendable {
    var session: BrowserSession?
    var handled: [URL] = []
    @MainActor func launch(url: URL, redirectURI: URL?, session: BrowserSession) throws { self.session = session }
    @MainActor func dismiss() { session?.onClosed() }
    @MainActor func handle(url: URL) -> Bool {
        handled.append(url)
        return session?.onRedirect(url) ?? false
    }
}

@MainActor
final class FakePlatform: LogtoNativePlatform {
    var browser: BrowserLauncher = TestBrowser { _ in }
    func storage(appId: String) -> Storage { TestStorage() }
    func browser(options: IosBrowserOptions?, presenter: LogtoPresenter?) -> BrowserLauncher { browser }
}

@MainActor
final class ImplementationTests: XCTestCase {
    let auth = URL(string: "https://idp.example/oidc/auth")!
    let redirect = URL(string: "com.example.app://callback")!
    let callback = URL(string: "com.example.app://callback?code=c&state=s")!

    private func roundTrip(_ browser: TestBrowser, timeout: TimeInterval?) -> RoundTrip {
        RoundTrip(owner: LogtoNativeImplementation(platform: FakePlatform()), browser: browser,
                  redirectURI: redirect, signIn: true, timeout: timeout)
    }

    /// `getOidcConfig` answers `@logto/client`'s camelCase shape and leaves absent members out (the TS side checks
    /// the four required ones).
    func testOidcConfigHasLogtoClientKeys() async {
        let config = OidcConfig(
            issuer: "https://a.logto.app/oidc", authorizationEndpoint: "https://a.logto.app/oidc/auth",
            tokenEndpoint: "https://a.logto.app/oidc/token", jwksUri: "https://a.logto.app/oidc/jwks",
            userinfoEndpoint: "https://a.logto.app/oidc/me", endSessionEndpoint: nil, revocationEndpoint: nil,
            codeChallengeMethodsSupported: ["S256"], idTokenSigningAlgValuesSupported: nil,
            authorizationResponseIssParameterSupported: true)
        let object = oidcConfigObject(config)
        XCTAssertEqual(object["tokenEndpoint"] as? String, "https://a.logto.app/oidc/token")
        XCTAssertEqual(object["jwksUri"] as? String, "https://a.logto.app/oidc/jwks")
        XCTAssertEqual(object["userinfoEndpoint"] as? String, "https://a.logto.app/oidc/me")
        XCTAssertEqual(object["codeChallengeMethodsSupported"] as? [String], ["S256"])
        XCTAssertEqual(object["authorizationResponseIssParameterSupported"] as? Bool, true)
        XCTAssertNil(object["endSessionEndpoint"])
        XCTAssertFalse(object.keys.contains("end_session_endpoint"))
        XCTAssertEqual(object.count, 7)
    }

    func testATimeoutDismissesTheBrowserAndIsToldApartFromAClose() async throws {
        let browser = TestBrowser { _ in } // never reports anything
        let result = try await roundTrip(browser, timeout: 0.2)
            .run(url: auth, coordinator: BrowserFlowCoordinator(closeGracePeriod: 0.05))
        guard case .timedOut = result else { return XCTFail("expected .timedOut, got \(result)") }
        XCTAssertEqual(browser.dismissals, 1)

        let closing = TestBrowser { $0.onClosed() }
        let closed = try await roundTrip(closing, timeout: 5)
            .run(url: auth, coordinator: BrowserFlowCoordinator(closeGracePeriod: 0.05))
        guard case .closed = closed else { return XCTFail("expected .closed, got \(closed)") }
        XCTAssertEqual(closing.dismissals, 0)
    }

    func testARedirectRacingTheCloseWins() async throws {
        let callback = self.callback
        let browser = TestBrowser { session in
            session.onClosed()
            DispatchQueue.main.asyncAfter(deadline: .now() + 0.05) { session.onRedirect(callback) }
        }
        let result = try await roundTrip(browser, timeout: 5).run(url: auth, coordinator: BrowserFlowCoordinator())
        guard case let .redirected(url) = result else { return XCTFail("expected .redirected, got \(result)") }
        XCTAssertEqual(url, callback)
    }

    /// The redirect of a Safari-view round trip arrives as an URL the app was opened with (Capacitor's open-URL
    /// notifications): the open round trip takes it through the browser's own `handle(url:)`, once; other URLs are
    /// left alone.
    func testAnOpenURLReachesTheRoundTripThroughItsBrowser() async throws {
        let browser = URLHandlingTestBrowser()
        let implementation = LogtoNativeImplementation(platform: FakePlatform())
        let flow = RoundTrip(owner: implementation, browser: browser, redirectURI: redirect, signIn: true, timeout: 5)
        let coordinator = BrowserFlowCoordinator(closeGracePeriod: 0.05)
        let auth = self.auth
        let running = Task { @MainActor in try await flow.run(url: auth, coordinator: coordinator) }
        for _ in 0..<5_000 where browser.session == nil { try await Task.sleep(nanoseconds: 1_000_000) }
        guard browser.session != nil else { return XCTFail("the browser was not launched") }
        XCTAssertFalse(implementation.handleOpenURL(URL(string: "com.example.app://other?x=1")!))
        XCTAssertTrue(implementation.handleOpenURL(callback))
        XCTAssertFalse(implementation.handleOpenURL(callback), "the same URL twice (app + scene notification)")
        guard case let .redirected(url) = try await running.value else { return XCTFail("expected .redirected") }
        XCTAssertEqual(url, callback)
        XCTAssertEqual(browser.handled, [callback, callback])
    }

    func testNotConfiguredIsInvalidConfig() async {
        let implementation = LogtoNativeImplementation(platform: FakePlatform())
        do {
            _ = try await implementation.isAuthenticated()
            XCTFail("expected invalid_config")
        } catch {
            XCTAssertEqual((error as? LogtoBridgeError)?.code, "invalid_config")
        }
    }

    func testErrorsMapToBridgeCodesAndOAuthData() async {
        let oidc = bridgeError(LogtoError.Oidc(
            code: "oidc.invalid_grant", errorMessage: "The server returned invalid_grant", error: "invalid_grant",
            description: "gone", status: 400))
        XCTAssertEqual(oidc.code, "oidc.invalid_grant")
        XCTAssertEqual(oidc.data, ["error": "invalid_grant", "errorDescription": "gone"])
        XCTAssertEqual(bridgeError(LogtoError.timeout).code, "timeout")
        XCTAssertNil(bridgeError(LogtoError.timeout).data)
        XCTAssertEqual(bridgeError(CancellationError()), LogtoBridgeError(code: "internal", message: "Internal error."))
    }

    func testClaimsMakeASingleAudienceAString() async throws {
        let single = try claimsObject(#"{"sub":"u","aud":["app"],"picture":null}"#)
        XCTAssertEqual(single["aud"] as? String, "app")
        XCTAssertTrue(single["picture"] is NSNull)
        let many = try claimsObject(#"{"aud":["a","b"]}"#)
        XCTAssertEqual(many["aud"] as? [String], ["a", "b"])
    }

    func testRedirectsMatchOnSchemeHostAndPath() async {
        XCTAssertTrue(sameRedirect(URL(string: "com.example.app://callback?code=1")!, redirect))
        XCTAssertTrue(sameRedirect(URL(string: "COM.EXAMPLE.APP://Callback?code=1")!, redirect))
        XCTAssertFalse(sameRedirect(URL(string: "com.example.app://callback/sign-out?state=1")!, redirect))
        XCTAssertFalse(sameRedirect(URL(string: "com.other.app://callback?code=1")!, redirect))
    }

    // The plugin's request type is decoded from JSON here: its `DirectSignIn` would be ambiguous with LogtoNative's
    // in a file that imports both modules.
    private func request(_ json: String) throws -> SignInRequest {
        try JSONDecoder().decode(SignInRequest.self, from: Data(json.utf8))
    }

    func testSignInRequestMapsEveryMember() async throws {
        let options = try request("""
        {"redirectUri":"com.example.app://callback","prompt":["login"],"firstScreen":"signIn",
         "identifiers":["email","username"],"loginHint":"a@b.c","directSignIn":{"method":"sso","target":"c1"},
         "extraParams":{"b":"1","a":"2"}}
        """).signInOptions()
        XCTAssertEqual(options.prompt, [.login])
        XCTAssertEqual(options.firstScreen, .signIn)
        XCTAssertEqual(options.identifiers, [.email, .username])
        XCTAssertEqual(options.directSignIn, LogtoNative.DirectSignIn(method: .sso, target: "c1"))
        XCTAssertEqual(options.extraParams, [ExtraParam(name: "a", value: "2"), ExtraParam(name: "b", value: "1")])
        XCTAssertThrowsError(try request(#"{"redirectUri":"x://cb","identifiers":["fax"]}"#).signInOptions())
    }
}
