#if canImport(UIKit) && os(iOS)
import UIKit

/// Finds what to present from.
enum LogtoPresentation {
    @MainActor
    static func keyWindow() -> UIWindow? {
        let scenes = UIApplication.shared.connectedScenes.compactMap { $0 as? UIWindowScene }
        let active = scenes.first { $0.activationState == .foregroundActive } ?? scenes.first
        return active?.windows.first { $0.isKeyWindow } ?? active?.windows.first
    }

    /// The view controller at the top of `base`'s presentation chain (what is on screen): presenting from anything
    /// below it fails ("… which is already presenting …"). One that is being dismissed does not count.
    @MainActor
    static func topMost(from base: UIViewController?) -> UIViewController? {
        var top = base
        while let presented = top?.presentedViewController, !presented.isBeingDismissed { top = presented }
        return top
    }

    @MainActor
    static func topViewController() -> UIViewController? {
        topMost(from: keyWindow()?.rootViewController)
    }
}
#endif
