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

    /// `user_cancelled`, built by the core so code and message match every platform.
    public static var userCancelled: LogtoError { userCancelledError() }

    /// Codes of the platform errors the core has no variant for (shared with Kotlin and the Capacitor plugin).
    public static let signInInProgressCode = "sign_in_in_progress"
    public static let browserUnavailableCode = "browser_unavailable"

    public static var signInInProgress: LogtoError {
        .Other(code: signInInProgressCode, errorMessage: "Another sign-in or sign-out is in progress.")
    }

    public static var browserUnavailable: LogtoError {
        .Other(code: browserUnavailableCode, errorMessage: "No browser is available to sign in.")
    }
}
