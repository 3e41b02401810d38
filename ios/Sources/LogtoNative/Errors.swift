import Foundation

extension LogtoError {
    /// The stable error code (`not_authenticated`, `oidc.invalid_grant`, `user_cancelled`, …); the same strings as
    /// Logto's JS SDK where they exist.
    public var code: String {
        switch self {
        case let .InvalidConfig(code, _),
             let .SignInSessionNotFound(code, _),
             let .SignInSessionInvalid(code, _),
             let .CallbackUriVerification(code, _),
             let .CallbackErrorFound(code, _, _, _),
             let .IdTokenInvalid(code, _, _),
             let .IdTokenInvalidIat(code, _),
             let .NotAuthenticated(code, _),
             let .UserCancelled(code, _),
             let .SignInInProgress(code, _),
             let .BrowserUnavailable(code, _),
             let .Timeout(code, _),
             let .FetchUserInfoFailed(code, _, _),
             let .MissingScopeOrganizations(code, _),
             let .Oidc(code, _, _, _, _),
             let .Http(code, _, _),
             let .Network(code, _),
             let .UnexpectedResponse(code, _),
             let .Storage(code, _),
             let .Internal(code, _),
             let .Other(code, _):
            return code
        }
    }

    /// The safe, developer-facing message (never contains tokens or response bodies).
    public var message: String {
        switch self {
        case let .InvalidConfig(_, message),
             let .SignInSessionNotFound(_, message),
             let .SignInSessionInvalid(_, message),
             let .CallbackUriVerification(_, message),
             let .CallbackErrorFound(_, message, _, _),
             let .IdTokenInvalid(_, message, _),
             let .IdTokenInvalidIat(_, message),
             let .NotAuthenticated(_, message),
             let .UserCancelled(_, message),
             let .SignInInProgress(_, message),
             let .BrowserUnavailable(_, message),
             let .Timeout(_, message),
             let .FetchUserInfoFailed(_, message, _),
             let .MissingScopeOrganizations(_, message),
             let .Oidc(_, message, _, _, _),
             let .Http(_, message, _),
             let .Network(_, message),
             let .UnexpectedResponse(_, message),
             let .Storage(_, message),
             let .Internal(_, message),
             let .Other(_, message):
            return message
        }
    }

    /// Codes of the errors the platform layers raise (shared with Kotlin and the Capacitor plugin).
    public static let userCancelledCode = "user_cancelled"
    public static let signInInProgressCode = "sign_in_in_progress"
    public static let browserUnavailableCode = "browser_unavailable"
    public static let timeoutCode = "timeout"

    // Each is built by the core (its own case), so code and message match every platform.

    /// `user_cancelled` (`.UserCancelled`): the user closed the browser.
    public static var userCancelled: LogtoError { userCancelledError() }

    /// `sign_in_in_progress` (`.SignInInProgress`): another browser sign-in or sign-out is running.
    public static var signInInProgress: LogtoError { signInInProgressError() }

    /// `browser_unavailable` (`.BrowserUnavailable`): no browser could be shown.
    public static var browserUnavailable: LogtoError { browserUnavailableError() }

    /// `browser_unavailable` with a message that says why this browser cannot run this round trip (e.g. an `https`
    /// redirect URI that `ASWebAuthenticationSession` cannot capture before iOS 17.4). `reason` is shown to
    /// developers: it must not contain tokens or response data.
    public static func browserUnavailable(reason: String) -> LogtoError {
        .BrowserUnavailable(code: browserUnavailableCode, errorMessage: reason)
    }

    /// `timeout` (`.Timeout`): the browser flow ran out of time.
    public static var timeout: LogtoError { timeoutError() }
}
