// Runs with `swift test` on macOS once scripts/build-xcframework.sh has built the XCFramework (it includes a macOS
// slice for this). Not compiled on the project's Linux machines.
import XCTest
@testable import LogtoNative

final class FakeBrowser: BrowserLauncher, @unchecked Sendable {
    let react: @Sendable (BrowserSession) -> Void
    init(_ react: @escaping @Sendable (BrowserSession) -> Void) { self.react = react }
    @MainActor func launch(url: URL, redirectURI: URL?, session: BrowserSession) throws { react(session) }
}

final class FailingBrowser: BrowserLauncher, @unchecked Sendable {
    struct NoBrowser: Error {}
    @MainActor func launch(url: URL, redirectURI: URL?, session: BrowserSession) throws { throw NoBrowser() }
}

final class BrowserFlowTests: XCTestCase {
    let auth = URL(string: "https://idp.example/oidc/auth")!
    let redirect = URL(string: "com.example.app://callback")!
    let callback = URL(string: "com.example.app://callback?code=c&state=s")!

    func testCloseIsClosed() async throws {
        let coordinator = BrowserFlowCoordinator(closeGracePeriod: 0.05)
        let outcome = try await coordinator.roundTrip(url: auth, redirectURI: redirect, launcher: FakeBrowser { $0.onClosed() })
        XCTAssertEqual(outcome, .closed)
    }

    func testRedirectRacingCloseWins() async throws {
        let coordinator = BrowserFlowCoordinator()
        let callback = self.callback
        for _ in 0..<50 {
            let outcome = try await coordinator.roundTrip(url: auth, redirectURI: redirect, launcher: FakeBrowser { session in
                DispatchQueue.global().async { session.onClosed() }
                DispatchQueue.global().async { session.onRedirect(callback) }
            })
            XCTAssertEqual(outcome, .redirected(callback))
        }
    }

    func testConcurrentFlowIsRefused() async throws {
        let coordinator = BrowserFlowCoordinator()
        let started = expectation(description: "first flow running")
        let first = Task {
            try await coordinator.exclusive {
                started.fulfill()
                try await Task.sleep(nanoseconds: 300_000_000)
            }
        }
        await fulfillment(of: [started], timeout: 5)
        do {
            try await coordinator.exclusive {}
            XCTFail("a second flow must be refused")
        } catch let error as LogtoError {
            XCTAssertEqual(error.code, "sign_in_in_progress")
        }
        try await first.value
    }

    func testNoBrowserIsBrowserUnavailable() async {
        let coordinator = BrowserFlowCoordinator()
        do {
            _ = try await coordinator.roundTrip(url: auth, redirectURI: redirect, launcher: FailingBrowser())
            XCTFail("expected browser_unavailable")
        } catch let error as LogtoError {
            XCTAssertEqual(error.code, "browser_unavailable")
        } catch {
            XCTFail("unexpected \(error)")
        }
    }

    func testUserCancelledComesFromTheCore() {
        XCTAssertEqual(LogtoError.userCancelled.code, "user_cancelled")
        XCTAssertEqual(LogtoError.userCancelled.message, "The user cancelled the action.")
    }

    func testPlatformErrorsAreTheirOwnCases() {
        guard case .SignInInProgress(code: "sign_in_in_progress", errorMessage: _) = LogtoError.signInInProgress else {
            return XCTFail("signInInProgress is \(LogtoError.signInInProgress)")
        }
        guard case .BrowserUnavailable(code: "browser_unavailable", errorMessage: _) = LogtoError.browserUnavailable else {
            return XCTFail("browserUnavailable is \(LogtoError.browserUnavailable)")
        }
        guard case .Timeout(code: "timeout", errorMessage: _) = LogtoError.timeout else {
            return XCTFail("timeout is \(LogtoError.timeout)")
        }
        XCTAssertEqual(LogtoError.timeout.message, "The sign-in timed out.")
        XCTAssertEqual(LogtoError.signInInProgress.message, "A sign-in is already in progress.")
    }

    func testInvalidConfig() {
        XCTAssertThrowsError(try LogtoClient(
            config: defaultLogtoConfig(endpoint: "http://logto.example.com", appId: "app"),
            storage: KeychainStorage(appId: "tests"))) { error in
            XCTAssertEqual((error as? LogtoError)?.code, "invalid_config")
        }
    }
}
