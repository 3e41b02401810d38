import Foundation

// The browser round trip, independent of any browser: what the system browsers (WebAuthenticationSessionBrowser,
// SafariViewControllerBrowser, Apple-only) and any other integration report into, and what LogtoClient waits on.
// Foundation only, so it compiles and is tested off Apple platforms too (ios/scripts/check-swift.sh).

/// How a browser round trip ended.
public enum BrowserOutcome: Equatable, Sendable {
    case redirected(URL)
    case closed
}

/// Opens a URL in a browser the platform provides (`ASWebAuthenticationSession`, `SFSafariViewController`, a fake
/// in tests) and reports the outcome through the session.
public protocol BrowserLauncher: AnyObject, Sendable {
    /// Opens `url` for a round trip that ends at `redirectURI` and returns once the browser is shown. Report the
    /// outcome later through `session`. Throwing means no browser could be shown (`browser_unavailable`; a thrown
    /// `LogtoError` is passed on as it is).
    @MainActor func launch(url: URL, redirectURI: URL?, session: BrowserSession) throws
}

/// A browser that can be closed by the app (e.g. when a sign-in runs out of time, or its task is cancelled).
/// `dismiss()` closes what the running round trip shows and reports it closed; it does nothing when no round trip
/// is open.
public protocol DismissibleBrowserLauncher: BrowserLauncher {
    @MainActor func dismiss()
}

/// A browser whose redirect is not captured by the browser itself but comes back through the app's URL handling
/// (a custom scheme or universal link opening the app), which must pass it to `handle(url:)`:
/// `SafariViewControllerBrowser`.
public protocol URLHandlingBrowserLauncher: DismissibleBrowserLauncher {
    /// Takes `url` if it is the redirect of the running round trip (and closes the browser); false for any other
    /// URL.
    @MainActor @discardableResult func handle(url: URL) -> Bool
}

/// One browser round trip as seen by a browser integration. Thread-safe. The first outcome wins, except that a
/// redirect reported within the grace period after a close still wins (a close and a redirect can arrive in either
/// order when the browser closes itself on redirect).
public final class BrowserSession: @unchecked Sendable {
    /// How the round trip settled, as `wait()` returns it.
    enum Settlement: Equatable {
        case outcome(BrowserOutcome)
        /// The browser could not be shown after all (found out after `launch` returned).
        case failed(LogtoError)
        /// The task waiting for the round trip was cancelled.
        case cancelled
    }

    private let lock = NSLock()
    private let gracePeriod: TimeInterval
    private var continuation: CheckedContinuation<Settlement, Never>?
    private var settlement: Settlement?
    private var closeReported = false
    private var over = false

    init(gracePeriod: TimeInterval) {
        self.gracePeriod = gracePeriod
    }

    /// The browser reached `url` (the redirect URI with the response). Returns false if the round trip is already
    /// over (or cancelled), in which case the URL was not used.
    @discardableResult
    public func onRedirect(_ url: URL) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !over, settlement == nil else { return false }
        settlement = .outcome(.redirected(url))
        resumeIfReady()
        return true
    }

    /// The user closed the browser without reaching the redirect URI.
    public func onClosed() {
        lock.lock()
        let first = !over && settlement == nil && !closeReported
        closeReported = true
        lock.unlock()
        guard first else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + gracePeriod) { [self] in
            lock.lock()
            defer { lock.unlock() }
            if settlement == nil {
                settlement = .outcome(.closed)
                resumeIfReady()
            }
        }
    }

    /// The browser that `launch` started could not be shown after all (e.g. UIKit refused the presentation): the
    /// round trip fails with `error` at once, unless it already ended.
    public func onFailed(_ error: LogtoError) {
        settle(.failed(error))
    }

    /// Whether the round trip has ended (an outcome was delivered, or it was cancelled). A browser integration can
    /// stop reporting then.
    public var isOver: Bool {
        lock.lock()
        defer { lock.unlock() }
        return over || settlement != nil
    }

    /// The waiting task was cancelled: ends the round trip now (nothing reported later is used).
    func cancel() {
        settle(.cancelled)
    }

    private func settle(_ value: Settlement) {
        lock.lock()
        defer { lock.unlock() }
        guard !over, settlement == nil else { return }
        settlement = value
        resumeIfReady()
    }

    /// Call with the lock held.
    private func resumeIfReady() {
        guard let settlement, let continuation else { return }
        over = true
        self.continuation = nil
        continuation.resume(returning: settlement)
    }

    func wait() async -> Settlement {
        await withCheckedContinuation { (continuation: CheckedContinuation<Settlement, Never>) in
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

    /// Runs `body` as the only flow; throws `LogtoError.signInInProgress` if another is running. The flow is free
    /// again as soon as `body` returns or throws (also when its task is cancelled).
    public func exclusive<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        guard !busy else { throw LogtoError.signInInProgress }
        busy = true
        defer { busy = false }
        return try await body()
    }

    /// Opens `url` with `launcher` and waits until the round trip ends.
    ///
    /// Cancelling the calling task (e.g. a SwiftUI `.task` whose view went away) ends the wait at once with
    /// `CancellationError` and dismisses the browser when it is a `DismissibleBrowserLauncher`; a redirect that
    /// arrives afterwards is not used.
    public nonisolated func roundTrip(url: URL, redirectURI: URL?, launcher: BrowserLauncher) async throws -> BrowserOutcome {
        try Task.checkCancellation()
        let session = BrowserSession(gracePeriod: closeGracePeriod)
        do {
            try await launcher.launch(url: url, redirectURI: redirectURI, session: session)
        } catch let error as LogtoError {
            throw error
        } catch {
            throw LogtoError.browserUnavailable
        }
        let settlement = await withTaskCancellationHandler {
            await session.wait()
        } onCancel: {
            session.cancel()
        }
        switch settlement {
        case let .outcome(outcome):
            return outcome
        case let .failed(error):
            throw error
        case .cancelled:
            // The browser is still showing: close it (on the main actor, where browsers live). `dismiss()` reports
            // the round trip closed, which the session ignores now that it is over.
            if let dismissible = launcher as? DismissibleBrowserLauncher {
                await MainActor.run { dismissible.dismiss() }
            }
            throw CancellationError()
        }
    }
}

/// The round trip a browser integration is showing, for a browser that shows one at a time. A completion of an
/// earlier round trip that arrives late (e.g. an `ASWebAuthenticationSession` completion handler running after a
/// new sign-in started) must not clear the current one: `end(_:)` only clears the round trip it is given.
@MainActor
public final class CurrentRoundTrip<Presentation: AnyObject> {
    public private(set) var session: BrowserSession?
    public private(set) var presentation: Presentation?

    public init() {}

    /// Remembers `session` and what shows it as the current round trip.
    public func begin(_ session: BrowserSession, presentation: Presentation) {
        self.session = session
        self.presentation = presentation
    }

    /// Forgets the round trip of `session` if it is still the current one; returns whether it was.
    @discardableResult
    public func end(_ session: BrowserSession) -> Bool {
        guard self.session === session else { return false }
        self.session = nil
        presentation = nil
        return true
    }

    /// Forgets the current round trip (whatever it is) and returns it, e.g. to dismiss it.
    public func take() -> (session: BrowserSession, presentation: Presentation)? {
        guard let session, let presentation else { return nil }
        self.session = nil
        self.presentation = nil
        return (session, presentation)
    }
}
