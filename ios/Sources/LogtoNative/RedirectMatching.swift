import Foundation

/// Whether `url` is a redirect to `redirectURI`: same scheme, host, port and path (scheme and host without case, a
/// trailing `/` ignored), whatever the query and fragment. `com.example.app://callback/sign-out` is not
/// `com.example.app://callback`. For browsers whose redirect comes back through the app's URL handling
/// (`SafariViewControllerBrowser.handle(url:)`, the Capacitor plugin), which also receives unrelated URLs.
public func isRedirect(_ url: URL, to redirectURI: URL) -> Bool {
    func path(_ url: URL) -> String {
        let value = URLComponents(url: url, resolvingAgainstBaseURL: false)?.path ?? url.path
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }
    return url.scheme?.lowercased() == redirectURI.scheme?.lowercased()
        && url.host?.lowercased() == redirectURI.host?.lowercased()
        && url.port == redirectURI.port
        && path(url) == path(redirectURI)
}
