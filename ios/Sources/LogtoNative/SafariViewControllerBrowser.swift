#if canImport(SafariServices) && os(iOS)
import SafariServices
import UIKit

/// Sign-in through `SFSafariViewController`, as Logto's guide for iOS describes: the page is shown in an in-app
/// Safari view, and the redirect to the app's custom scheme comes back through the app's URL handling, which must
/// pass it to `handle(url:)`:
///
/// ```swift
/// // SwiftUI
/// .onOpenURL { url in safariBrowser.handle(url: url) }
/// // UIKit scene delegate
/// func scene(_ scene: UIScene, openURLContexts contexts: Set<UIOpenURLContext>) {
///     contexts.forEach { safariBrowser.handle(url: $0.url) }
/// }
/// ```
///
/// Register the scheme in Info.plist (`CFBundleURLTypes`). Tapping "Done" reports `user_cancelled`.
/// Prefer `WebAuthenticationSessionBrowser`, which needs no URL routing.
public final class SafariViewControllerBrowser: NSObject, DismissibleBrowserLauncher, @unchecked Sendable {
    @MainActor private var controller: SFSafariViewController?
    @MainActor private var session: BrowserSession?
    @MainActor private var redirectURI: URL?
    private let presenter: (@MainActor () -> UIViewController?)?

    /// - Parameter presenter: the view controller to present from; default the top-most one of the key window.
    public init(presenter: (@MainActor () -> UIViewController?)? = nil) {
        self.presenter = presenter
    }

    @MainActor
    public func launch(url: URL, redirectURI: URL?, session: BrowserSession) throws {
        guard let from = presenter?() ?? LogtoPresentation.topViewController() else {
            throw LogtoError.browserUnavailable
        }
        let safari = SFSafariViewController(url: url)
        safari.delegate = self
        safari.dismissButtonStyle = .cancel
        controller = safari
        self.session = session
        self.redirectURI = redirectURI
        from.present(safari, animated: true)
    }

    /// Hands a URL the app was opened with to the running sign-in (or sign-out). Returns true if it was its redirect;
    /// false for any other URL (route it elsewhere).
    @MainActor
    @discardableResult
    public func handle(url: URL) -> Bool {
        guard let session, let redirectURI, Self.matches(url, redirectURI) else { return false }
        let accepted = session.onRedirect(url)
        finish(dismiss: true)
        return accepted
    }

    /// Dismisses the Safari view of the running round trip and reports it closed.
    @MainActor
    public func dismiss() {
        let session = self.session
        finish(dismiss: true)
        session?.onClosed()
    }

    /// Same scheme, host and path (the query carries the response).
    static func matches(_ url: URL, _ redirectURI: URL) -> Bool {
        url.scheme?.lowercased() == redirectURI.scheme?.lowercased()
            && url.host?.lowercased() == redirectURI.host?.lowercased()
            && url.path == redirectURI.path
    }

    @MainActor
    private func finish(dismiss: Bool) {
        if dismiss { controller?.dismiss(animated: true) }
        controller = nil
        session = nil
        redirectURI = nil
    }
}

extension SafariViewControllerBrowser: SFSafariViewControllerDelegate {
    /// The user tapped "Done" (the view controller dismissed itself).
    public func safariViewControllerDidFinish(_ controller: SFSafariViewController) {
        MainActor.assumeIsolated {
            session?.onClosed()
            finish(dismiss: false)
        }
    }
}
#endif
