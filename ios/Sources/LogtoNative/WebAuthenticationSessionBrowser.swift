#if canImport(AuthenticationServices) && canImport(UIKit) && os(iOS)
import AuthenticationServices
import UIKit

/// Sign-in through `ASWebAuthenticationSession` (recommended): the system sheet captures the redirect itself, so
/// the app needs no URL handling. Cancelling the sheet reports `user_cancelled`.
///
/// Redirect URIs (see `AuthenticationCallback`): a custom scheme works on every iOS version; an `https` redirect (a
/// universal link of an associated domain) works from iOS 17.4 on, through `ASWebAuthenticationSession.Callback`.
/// Before iOS 17.4 an `https` redirect fails at once with `browser_unavailable` (the sheet could never capture it):
/// use a custom scheme there, or `SafariViewControllerBrowser` with the universal link routed to `handle(url:)`.
///
/// `prefersEphemeralWebBrowserSession`: true = no shared cookies with Safari (no SSO, no "wants to use … to sign
/// in" prompt, the user signs in every time); false (default) = shares Safari's cookies.
public final class WebAuthenticationSessionBrowser: NSObject, DismissibleBrowserLauncher, @unchecked Sendable {
    public let prefersEphemeralWebBrowserSession: Bool
    private let anchor: (@MainActor () -> ASPresentationAnchor?)?
    /// The running session (ASWebAuthenticationSession must be retained while it is shown) and its round trip.
    @MainActor private let current = CurrentRoundTrip<ASWebAuthenticationSession>()

    /// - Parameter anchor: the window to present from; default the key window of the foreground scene.
    public init(prefersEphemeralWebBrowserSession: Bool = false,
                anchor: (@MainActor () -> ASPresentationAnchor?)? = nil) {
        self.prefersEphemeralWebBrowserSession = prefersEphemeralWebBrowserSession
        self.anchor = anchor
    }

    @MainActor
    public func launch(url: URL, redirectURI: URL?, session: BrowserSession) throws {
        let httpsCallbacksSupported: Bool
        if #available(iOS 17.4, *) { httpsCallbacksSupported = true } else { httpsCallbacksSupported = false }
        let callback = try AuthenticationCallback.forRedirect(redirectURI, httpsCallbacksSupported: httpsCallbacksSupported)

        let completion: ASWebAuthenticationSession.CompletionHandler = { [weak self] callbackURL, _ in
            // Any error (canceledLogin, presentation failure) without a callback URL ends the round trip as closed.
            if let callbackURL {
                session.onRedirect(callbackURL)
            } else {
                session.onClosed()
            }
            // Only this round trip's own state: a late completion of an earlier session (e.g. one cancelled by
            // dismiss() while a new sign-in already started) must not clear the current one.
            Task { @MainActor in self?.current.end(session) }
        }
        let authSession = Self.makeSession(url: url, callback: callback, completion: completion)
        authSession.presentationContextProvider = self
        authSession.prefersEphemeralWebBrowserSession = prefersEphemeralWebBrowserSession
        // A round trip still registered here was abandoned (its sheet is gone or going): close it, not leak it.
        if let stale = current.take() {
            stale.presentation.cancel()
            stale.session.onClosed()
        }
        current.begin(session, presentation: authSession)
        guard authSession.start() else {
            current.end(session)
            throw LogtoError.browserUnavailable
        }
    }

    @MainActor
    private static func makeSession(url: URL, callback: AuthenticationCallback,
                                    completion: @escaping ASWebAuthenticationSession.CompletionHandler)
        -> ASWebAuthenticationSession {
        if #available(iOS 17.4, *) {
            switch callback {
            case let .https(host, path):
                // Universal-link redirect: needs the app's associated domain (webcredentials) for `host`.
                return ASWebAuthenticationSession(url: url, callback: .https(host: host, path: path),
                                                  completionHandler: completion)
            case let .customScheme(scheme):
                return ASWebAuthenticationSession(url: url, callback: .customScheme(scheme), completionHandler: completion)
            case .none:
                break
            }
        }
        let scheme: String?
        switch callback {
        case let .customScheme(value): scheme = value
        case .none: scheme = nil
        case .https: scheme = nil // unreachable: forRedirect throws for https before iOS 17.4
        }
        return ASWebAuthenticationSession(url: url, callbackURLScheme: scheme, completionHandler: completion)
    }

    /// Cancels the running authentication session (its sheet closes) and reports the round trip closed.
    @MainActor
    public func dismiss() {
        guard let running = current.take() else { return }
        running.presentation.cancel()
        running.session.onClosed()
    }
}

extension WebAuthenticationSessionBrowser: ASWebAuthenticationPresentationContextProviding {
    public func presentationAnchor(for session: ASWebAuthenticationSession) -> ASPresentationAnchor {
        // ASWebAuthenticationSession asks on the main thread (it is started there).
        MainActor.assumeIsolated {
            if let window = anchor?() { return window }
            return LogtoPresentation.keyWindow() ?? ASPresentationAnchor()
        }
    }
}
#endif
