#if canImport(SafariServices) && canImport(UIKit) && os(iOS)
import SafariServices
import UIKit

/// Sign-in through `SFSafariViewController`, as Logto's guide for iOS describes: the page is shown in an in-app
/// Safari view, and the redirect to the app's custom scheme (or universal link) comes back through the app's URL
/// handling, which must pass it to `handle(url:)`:
///
/// ```swift
/// // SwiftUI
/// .onOpenURL { url in safariBrowser.handle(url: url) }
/// // UIKit scene delegate
/// func scene(_ scene: UIScene, openURLContexts contexts: Set<UIOpenURLContext>) {
///     contexts.forEach { safariBrowser.handle(url: $0.url) }
/// }
/// // universal link (https redirect URI), UIKit scene delegate
/// func scene(_ scene: UIScene, continue userActivity: NSUserActivity) {
///     if let url = userActivity.webpageURL { safariBrowser.handle(url: url) }
/// }
/// ```
///
/// Register the scheme in Info.plist (`CFBundleURLTypes`). Tapping "Done" reports `user_cancelled`.
/// Prefer `WebAuthenticationSessionBrowser`, which needs no URL routing.
///
/// The Safari view is presented full screen (no swipe-to-dismiss that would bypass its delegate), from the top-most
/// view controller; any dismissal that this class did not make is reported as closed. UIKit refuses some
/// presentations without an error (it only logs): if the view has not started to show `presentationTimeout` seconds
/// after `launch`, the round trip fails with `browser_unavailable` instead of waiting for the sign-in timeout.
public final class SafariViewControllerBrowser: NSObject, URLHandlingBrowserLauncher, @unchecked Sendable {
    @MainActor private let current = CurrentRoundTrip<SFSafariViewController>()
    @MainActor private var redirectURI: URL?
    private let presenter: (@MainActor () -> UIViewController?)?
    private let presentationTimeout: TimeInterval

    /// - Parameters:
    ///   - presenter: the view controller to present from (the top of its presentation chain is used); default the
    ///     root view controller of the key window.
    ///   - presentationTimeout: how long UIKit may take to start showing the Safari view.
    public init(presenter: (@MainActor () -> UIViewController?)? = nil, presentationTimeout: TimeInterval = 3) {
        self.presenter = presenter
        self.presentationTimeout = presentationTimeout
    }

    @MainActor
    public func launch(url: URL, redirectURI: URL?, session: BrowserSession) throws {
        // SFSafariViewController raises an Objective-C exception for any other scheme.
        guard let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            throw LogtoError.browserUnavailable(reason: "SFSafariViewController opens only http(s) URLs.")
        }
        let base = presenter?() ?? LogtoPresentation.keyWindow()?.rootViewController
        guard let from = LogtoPresentation.topMost(from: base), from.viewIfLoaded?.window != nil,
              !from.isBeingDismissed else {
            throw LogtoError.browserUnavailable(reason: "No view controller on screen to present the Safari view from.")
        }
        // A round trip still registered here was abandoned: close it, not leak it.
        if let stale = current.take() {
            stale.presentation.dismiss(animated: false)
            stale.session.onClosed()
        }
        let safari = SFSafariViewController(url: url)
        safari.delegate = self
        safari.dismissButtonStyle = .cancel
        safari.modalPresentationStyle = .fullScreen
        // Reports a dismissal that neither "Done" nor this class made (e.g. an interactive one, if UIKit allows it).
        safari.presentationController?.delegate = self
        current.begin(session, presentation: safari)
        self.redirectURI = redirectURI
        from.present(safari, animated: true)

        // present(_:animated:) does not fail loudly: when UIKit refuses (the presenter left the window, or is busy
        // with another transition), it logs and never shows the view. Check that the presentation began.
        let timeout = presentationTimeout
        Task { @MainActor [weak self, weak safari] in
            try? await Task.sleep(nanoseconds: UInt64(timeout * 1_000_000_000))
            guard let self, let safari, self.current.presentation === safari, safari.presentingViewController == nil
            else { return }
            self.current.end(session)
            self.redirectURI = nil
            session.onFailed(LogtoError.browserUnavailable(reason: "UIKit did not present the Safari view."))
        }
    }

    /// Hands a URL the app was opened with to the running sign-in (or sign-out). Returns true if it was its redirect;
    /// false for any other URL (route it elsewhere).
    @MainActor
    @discardableResult
    public func handle(url: URL) -> Bool {
        guard let session = current.session, let redirectURI, isRedirect(url, to: redirectURI) else { return false }
        let accepted = session.onRedirect(url)
        if let running = current.take() { running.presentation.dismiss(animated: true) }
        self.redirectURI = nil
        return accepted
    }

    /// Dismisses the Safari view of the running round trip and reports it closed.
    @MainActor
    public func dismiss() {
        guard let running = current.take() else { return }
        redirectURI = nil
        running.presentation.dismiss(animated: true)
        running.session.onClosed()
    }

    /// `controller` went away without the redirect: if it is the current round trip's, that round trip is closed.
    @MainActor
    private func closed(_ controller: UIViewController?) {
        guard let controller, current.presentation === controller, let session = current.session else { return }
        current.end(session)
        redirectURI = nil
        session.onClosed()
    }
}

extension SafariViewControllerBrowser: SFSafariViewControllerDelegate {
    /// The user tapped "Done" (the view controller dismissed itself).
    public func safariViewControllerDidFinish(_ controller: SFSafariViewController) {
        MainActor.assumeIsolated { closed(controller) }
    }
}

extension SafariViewControllerBrowser: UIAdaptivePresentationControllerDelegate {
    /// An interactive dismissal finished (UIKit calls this only for dismissals the app did not make in code).
    public func presentationControllerDidDismiss(_ presentationController: UIPresentationController) {
        MainActor.assumeIsolated { closed(presentationController.presentedViewController) }
    }
}
#endif
