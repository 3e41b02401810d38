import Foundation

/// How a browser round trip ended.
public enum BrowserOutcome: Equatable, Sendable {
    case redirected(URL)
    case closed
}

/// Opens a URL in a browser the platform provides (`ASWebAuthenticationSession`, `SFSafariViewController`, a fake
/// in tests) and reports the outcome through the session.
public protocol BrowserLauncher: AnyObject, Sendable {
    /// Opens `url` for a round trip that ends at `redirectURI` and returns once the browser is shown. Report the
    /// outcome later through `session`. Throwing means no browser could be shown (`browser_unavailable`).
    @MainActor func launch(url: URL, redirectURI: URL?, session: BrowserSession) throws
}

/// A browser that can be closed by the app (e.g. when a sign-in runs out of time). `dismiss()` closes what the running
/// round trip shows and reports it closed; it does nothing when no round trip is open.
public protocol DismissibleBrowserLauncher: BrowserLauncher {
    @MainActor func dismiss()
}

/// One browser round trip as seen by a browser integration. Thread-safe. The first outcome wins, except that a
/// redirect reported within the grace period after a close still wins (a close and a redirect can arrive in either
/// order when the browser closes itself on redirect).
public final class BrowserSession: @unchecked Sendable {
    private let lock = NSLock()
    private let gracePeriod: TimeInterval
    private var continuation: CheckedContinuation<BrowserOutcome, Never>?
    private var result: BrowserOutcome?
    private var closeReported = false
    private var over = false

    init(gracePeriod: TimeInterval) {
        self.gracePeriod = gracePeriod
    }

    /// The browser reached `url` (the redirect URI with the response). Returns false if the round trip is already
    /// over, in which case the URL was not used.
    @discardableResult
    public func onRedirect(_ url: URL) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !over, result == nil else { return false }
        result = .redirected(url)
        resumeIfReady()
        return true
    }

    /// The user closed the browser without reaching the redirect URI.
    public func onClosed() {
        lock.lock()
        let first = !over && result == nil && !closeReported
        closeReported = true
        lock.unlock()
        guard first else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + gracePeriod) { [self] in
            lock.lock()
            defer { lock.unlock() }
            if result == nil {
                result = .closed
                resumeIfReady()
            }
        }
    }

    /// Call with the lock held.
    private func resumeIfReady() {
        guard let result, let continuation else { return }
        over = true
        self.continuation = nil
        continuation.resume(returning: result)
    }

    func wait() async -> BrowserOutcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<BrowserOutcome, Never>) in
            lock.lock()
            defer { lock.unlock() }
            self.continuation = continuation
            resumeIfReady()
        }
    }
}

/// Runs browser round trips one at a time: a second concurrent sign-in (or sign-out) fails with
/// `sign_in_in_progress` instead of replacing the first one's pending state.
public actor BrowserFlowCoordinator {
    public let closeGracePeriod: TimeInterval
    private var busy = false

    public init(closeGracePeriod: TimeInterval = 0.3) {
        self.closeGracePeriod = closeGracePeriod
    }

    /// Runs `body` as the only flow; throws `LogtoError.signInInProgress` if another is running.
    public func exclusive<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        guard !busy else { throw LogtoError.signInInProgress }
        busy = true
        defer { busy = false }
        return try await body()
    }

    /// Opens `url` with `launcher` and waits until the round trip ends.
    public nonisolated func roundTrip(url: URL, redirectURI: URL?, launcher: BrowserLauncher) async throws -> BrowserOutcome {
        let session = BrowserSession(gracePeriod: closeGracePeriod)
        do {
            try await launcher.launch(url: url, redirectURI: redirectURI, session: session)
        } catch let error as LogtoError {
            throw error
        } catch {
            throw LogtoError.browserUnavailable
        }
        return await session.wait()
    }
}
