// The platform-neutral layer: round trips, cancellation, errors. Runs with `swift test` on Linux
// (ios/scripts/check-swift.sh, against the host build of liblogto_uniffi) and on macOS against the XCFramework.
import Foundation
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

/// A browser that shows "something" until it is dismissed, and records what happened (main actor only).
@MainActor
final class SheetBrowser: DismissibleBrowserLauncher, @unchecked Sendable {
    final class Sheet {}
    let current = CurrentRoundTrip<Sheet>()
    var launches: [BrowserSession] = []
    var dismissals = 0
    var onLaunch: ((BrowserSession) -> Void)?

    func launch(url: URL, redirectURI: URL?, session: BrowserSession) throws {
        launches.append(session)
        current.begin(session, presentation: Sheet())
        onLaunch?(session)
    }

    func dismiss() {
        dismissals += 1
        guard let running = current.take() else { return }
        running.session.onClosed()
    }

    /// What WebAuthenticationSessionBrowser's completion handler does when it finally runs for `session`.
    func completionArrives(for session: BrowserSession, redirect: URL?) {
        if let redirect { session.onRedirect(redirect) } else { session.onClosed() }
        current.end(session)
    }
}

/// The value of `task`, or a test failure if it takes longer than `seconds` (a broken cancellation or dismissal
/// would otherwise hang the whole test run).
func value<T: Sendable>(of task: Task<T, Error>, within seconds: Double, file: StaticString = #filePath,
                        line: UInt = #line) async throws -> T? {
    let timedOut = Task<Bool, Never> {
        try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
        return !Task.isCancelled
    }
    let race = Task<Result<T, Error>?, Never> {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, Error>?, Never>) in
            let once = NSLock()
            var resumed = false
            func resume(_ value: Result<T, Error>?) {
                once.lock(); defer { once.unlock() }
                guard !resumed else { return }
                resumed = true
                continuation.resume(returning: value)
            }
            Task { resume(await task.result) }
            Task { if await timedOut.value { resume(nil) } }
        }
    }
    guard let result = await race.value else {
        XCTFail("no result within \(seconds) s", file: file, line: line)
        return nil
    }
    timedOut.cancel()
    return try result.get()
}

/// Waits (yielding) until `condition` holds, at most `seconds`.
@MainActor
func eventually(within seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        try? await Task.sleep(nanoseconds: 1_000_000)
    }
    return true
}

final class MemoryStorage: Storage, @unchecked Sendable {
    private let mutex = NSLock()
    private var values: [String: String] = [:]
    func get(key: String) throws -> String? { mutex.lock(); defer { mutex.unlock() }; return values[key] }
    func set(key: String, value: String) throws { mutex.lock(); defer { mutex.unlock() }; values[key] = value }
    func remove(key: String) throws { mutex.lock(); defer { mutex.unlock() }; values[key] = nil }
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

    func testAFailureFoundAfterLaunchFailsTheRoundTripAtOnce() async {
        let coordinator = BrowserFlowCoordinator()
        let failure = LogtoError.browserUnavailable(reason: "UIKit did not present the Safari view.")
        do {
            _ = try await coordinator.roundTrip(url: auth, redirectURI: redirect, launcher: FakeBrowser { session in
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { session.onFailed(failure) }
            })
            XCTFail("expected browser_unavailable")
        } catch let error as LogtoError {
            XCTAssertEqual(error, failure)
            XCTAssertEqual(error.code, "browser_unavailable")
        } catch {
            XCTFail("unexpected \(error)")
        }
    }

    // MARK: task cancellation

    /// A SwiftUI `.task` that goes away cancels its task: the browser must close and the flow must be free again,
    /// at once, not when the user eventually closes the sheet.
    @MainActor
    func testCancellingTheTaskDismissesTheBrowserAndFreesTheFlow() async throws {
        let coordinator = BrowserFlowCoordinator(closeGracePeriod: 0.05)
        let browser = SheetBrowser()
        let launched = expectation(description: "browser shown")
        browser.onLaunch = { _ in launched.fulfill() }
        let auth = self.auth, redirect = self.redirect
        let signIn = Task {
            try await coordinator.exclusive {
                try await coordinator.roundTrip(url: auth, redirectURI: redirect, launcher: browser)
            }
        }
        await fulfillment(of: [launched], timeout: 5)
        signIn.cancel()
        do {
            let outcome = try await value(of: signIn, within: 5)
            XCTFail("expected CancellationError, got \(String(describing: outcome))")
        } catch is CancellationError {
        } catch {
            XCTFail("expected CancellationError, got \(error)")
        }
        XCTAssertEqual(browser.dismissals, 1, "the browser must be dismissed")
        XCTAssertNil(browser.current.session, "the browser must not keep the round trip")
        // A redirect after the cancellation is not used.
        XCTAssertFalse(browser.launches[0].onRedirect(callback))
        // The flow is free: the next sign-in runs.
        let next = try await coordinator.exclusive { 42 }
        XCTAssertEqual(next, 42)
    }

    @MainActor
    func testATaskCancelledBeforeTheRoundTripNeverOpensTheBrowser() async {
        let coordinator = BrowserFlowCoordinator()
        let browser = SheetBrowser()
        let auth = self.auth, redirect = self.redirect
        let signIn = Task { @MainActor in
            withUnsafeCurrentTask { $0?.cancel() }
            return try await coordinator.roundTrip(url: auth, redirectURI: redirect, launcher: browser)
        }
        do {
            _ = try await signIn.value
            XCTFail("expected CancellationError")
        } catch {
            XCTAssertTrue(error is CancellationError, "got \(error)")
        }
        XCTAssertTrue(browser.launches.isEmpty)
    }

    // MARK: one round trip at a time per browser

    /// The completion of an earlier sheet can arrive after a new round trip started (ASWebAuthenticationSession
    /// calls it asynchronously after cancel()). It must not clear the new round trip: otherwise dismiss() (timeout,
    /// cancellation) would find nothing to close and the new sign-in would hang.
    @MainActor
    func testALateCompletionOfAnOldRoundTripDoesNotClearTheCurrentOne() async throws {
        let coordinator = BrowserFlowCoordinator(closeGracePeriod: 0.05)
        let browser = SheetBrowser()
        let auth = self.auth, redirect = self.redirect

        // Round trip 1 is dismissed (e.g. timed out); its completion handler has not run yet.
        let first = Task { try await coordinator.roundTrip(url: auth, redirectURI: redirect, launcher: browser) }
        guard await eventually({ browser.launches.count == 1 }) else { return XCTFail("round trip 1 not launched") }
        let old = browser.launches[0]
        browser.dismiss()
        let firstOutcome = try await value(of: first, within: 5)
        XCTAssertEqual(firstOutcome, .closed)

        // Round trip 2 starts, then round trip 1's completion finally arrives.
        let second = Task { try await coordinator.roundTrip(url: auth, redirectURI: redirect, launcher: browser) }
        guard await eventually({ browser.launches.count == 2 }) else { return XCTFail("round trip 2 not launched") }
        let current = browser.launches[1]
        browser.completionArrives(for: old, redirect: nil)
        XCTAssertTrue(browser.current.session === current, "a late completion cleared the current round trip")

        // So dismissing still closes round trip 2.
        browser.dismiss()
        let secondOutcome = try await value(of: second, within: 5)
        XCTAssertEqual(secondOutcome, .closed)
        XCTAssertNil(browser.current.session)
    }

    @MainActor
    func testCurrentRoundTripEndsOnlyItsOwnSession() async {
        final class Sheet {}
        let current = CurrentRoundTrip<Sheet>()
        let old = BrowserSession(gracePeriod: 0)
        let new = BrowserSession(gracePeriod: 0)
        current.begin(old, presentation: Sheet())
        current.begin(new, presentation: Sheet())
        XCTAssertFalse(current.end(old))
        XCTAssertTrue(current.session === new)
        XCTAssertTrue(current.end(new))
        XCTAssertNil(current.session)
        XCTAssertNil(current.take())
    }

    // MARK: errors

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
        let specific = LogtoError.browserUnavailable(reason: "why")
        XCTAssertEqual(specific.code, "browser_unavailable")
        XCTAssertEqual(specific.message, "why")
    }

    func testInvalidConfig() {
        XCTAssertThrowsError(try LogtoClient(
            config: defaultLogtoConfig(endpoint: "http://logto.example.com", appId: "app"),
            storage: MemoryStorage())) { error in
            XCTAssertEqual((error as? LogtoError)?.code, "invalid_config")
        }
    }
}
