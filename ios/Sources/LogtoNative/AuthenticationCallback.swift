import Foundation

/// How an `ASWebAuthenticationSession` recognises the end of a round trip, decided from the redirect URI. Kept apart
/// from the (Apple-only) browser so that the rules are tested on every platform.
///
/// - custom scheme (`com.example.app://callback`): the session captures any navigation to that scheme, on every
///   supported iOS version;
/// - `https` (a universal link, `https://app.example.com/callback`): only iOS 17.4 / macOS 14.4 and later can capture
///   it (`ASWebAuthenticationSession.Callback.https(host:path:)`, which also needs the app's associated domain).
///   Before that, the session would show the page and never end except by Cancel, so the round trip fails at once
///   with `browser_unavailable` instead; use a custom scheme there, or `SafariViewControllerBrowser` with the
///   universal link routed to `handle(url:)`;
/// - `http`: never capturable (loopback redirects need a local server, not a browser sheet).
public enum AuthenticationCallback: Equatable, Sendable {
    /// No redirect to wait for (a sign-out without a post-logout redirect URI): the sheet ends when it is closed.
    case none
    case customScheme(String)
    case https(host: String, path: String)

    /// - Parameter httpsCallbacksSupported: whether `ASWebAuthenticationSession.Callback` exists on this system
    ///   (`#available(iOS 17.4, macOS 14.4, *)`).
    public static func forRedirect(_ redirectURI: URL?, httpsCallbacksSupported: Bool) throws -> AuthenticationCallback {
        guard let redirectURI else { return .none }
        guard let scheme = redirectURI.scheme?.lowercased(), !scheme.isEmpty else {
            throw LogtoError.browserUnavailable(reason: "The redirect URI has no scheme.")
        }
        switch scheme {
        case "https":
            guard httpsCallbacksSupported else {
                throw LogtoError.browserUnavailable(reason: """
                    ASWebAuthenticationSession can capture an https redirect URI only on iOS 17.4 / macOS 14.4 and \
                    later: use a custom-scheme redirect URI, or SafariViewControllerBrowser with a universal link.
                    """)
            }
            guard let host = redirectURI.host, !host.isEmpty else {
                throw LogtoError.browserUnavailable(reason: "The https redirect URI has no host.")
            }
            return .https(host: host, path: redirectURI.path)
        case "http":
            throw LogtoError.browserUnavailable(
                reason: "ASWebAuthenticationSession cannot capture an http redirect URI: use a custom scheme.")
        default:
            return .customScheme(scheme)
        }
    }
}
