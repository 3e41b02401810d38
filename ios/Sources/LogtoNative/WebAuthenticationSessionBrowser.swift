#if canImport(AuthenticationServices) && os(iOS)
import AuthenticationServices
import UIKit

/// Sign-in through `ASWebAuthenticationSession` (recommended): the system sheet captures the redirect itself, so
/// the app needs no URL handling. Cancelling the sheet reports `user_cancelled`.
///
/// `prefersEphemeralWebBrowserSession`: true = no shared cookies with Safari (no SSO, no "wants to use … to sign
/// in" prompt, the user signs in every time); false (default) = shares Safari's cookies.
public final class WebAuthenticationSessionBrowser: NSObject, DismissibleBrowserLauncher, @unchecked Sendable {
    public let prefersEphemeralWebBrowserSession: Bool
    private let anchor: (@MainActor () -> ASPresentationAnchor?)?
    /// The running session: ASWebAuthenticationSession must be retained while it is shown.
    @MainActor private var current: ASWebAuthenticationSession?
    /// The round trip of `current`, for `dismiss()`.
    @MainActor private var currentRoundTrip: BrowserSession?

    /// - Parameter anchor: the window to present from; default the key window of the foreground scene.
    public init(prefersEphemeralWebBrowserSession: Bool = false,
                anchor: (@MainActor () -> ASPresentationAnchor?)? = nil) {
        self.prefersEphemeralWebBrowserSession = prefersEphemeralWebBrowserSession
        self.anchor = anchor
    }

    @MainActor
    public func launch(url: URL, redirectURI: URL?, session: BrowserSession) throws {
        let completion: ASWebAuthenticationSession.CompletionHandler = { [weak self] callbackURL, _ in
            // Any error (canceledLogin, presentation failure) without a callback URL ends the round trip as closed.
            if let callbackURL {
                session.onRedirect(callbackURL)
            } else {
                session.onClosed()
            }
            Task { @MainActor in
                self?.current = nil
                self?.currentRoundTrip = nil
            }
        }
        let authSession: ASWebAuthenticationSession
        if #available(iOS 17.4, *), let redirectURI, redirectURI.scheme == "https", let host = redirectURI.host {
            // Universal-link redirect (needs the app's associated domains).
            authSession = ASWebAuthenticationSession(
                url: url, callback: .https(host: host, path: redirectURI.path), completionHandler: completion)
        } else {
            authSession = ASWebAuthenticationSession(
                url: url, callbackURLScheme: redirectURI?.scheme, completionHandler: completion)
        }
        authSession.presentationContextProvider = self
        authSession.prefersEphemeralWebBrowserSession = prefersEphemeralWebBrowserSession
        current = authSession
        currentRoundTrip = session
        guard authSession.start() else {
            current = nil
            currentRoundTrip = nil
            throw LogtoError.browserUnavailable
        }
    }

    /// Cancels the running authentication session (its sheet closes) and reports the round trip closed.
    @MainActor
    public func dismiss() {
        let session = current
        let roundTrip = currentRoundTrip
        current = nil
        currentRoundTrip = nil
        session?.cancel()
        roundTrip?.onClosed()
    }
}

extension WebAuthenticationSessionBrowser: ASWebAuthenticationPresentationContextProviding {
    public func presentationAnchor(for session: ASWebAuthenticationSession) -> ASPresentationAnchor {
        MainActor.assumeIsolated {
            if let window = anchor?() { return window }
            return LogtoPresentation.keyWindow() ?? ASPresentationAnchor()
        }
    }
}

/// Finds what to present from.
enum LogtoPresentation {
    @MainActor
    static func keyWindow() -> UIWindow? {
        let scenes = UIApplication.shared.connectedScenes.compactMap { $0 as? UIWindowScene }
        let active = scenes.first { $0.activationState == .foregroundActive } ?? scenes.first
        return active?.windows.first { $0.isKeyWindow } ?? active?.windows.first
    }

    @MainActor
    static func topViewController() -> UIViewController? {
        var top = keyWindow()?.rootViewController
        while let presented = top?.presentedViewController { top = presented }
        return top
    }
}
#endif
