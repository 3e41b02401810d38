import Foundation
import LogtoNative

// Typed requests of the LogtoNative bridge (src/definitions.ts in the npm
// package is the source of truth), decoded from the call's options with
// Capacitor's JSValueDecoder (`call.decode(_:)`). Foundation only, so the
// decoding can be unit-tested without Capacitor.

/// `NativeLogtoConfig`.
public struct NativeLogtoConfig: Decodable, Equatable {
    public var endpoint: String
    public var appId: String
    public var scopes: [String]?
    public var resources: [String]?
    /// `none` / `consent` / `login`; nil = the core's default (`consent`).
    public var prompt: [String]?
    public var includeReservedScopes: Bool?
}

/// `IosBrowserOptions`.
public struct IosBrowserOptions: Decodable, Equatable {
    public enum Browser: String, Decodable {
        case asWebAuthenticationSession
        case safariViewController
    }

    public var browser: Browser?
    public var prefersEphemeralSession: Bool?
}

/// `LogtoNativeOptions` (the Android options are ignored on iOS).
public struct LogtoNativeOptions: Decodable, Equatable {
    public static let defaultSignInTimeoutMs = 600_000

    public var ios: IosBrowserOptions?
    public var signInTimeoutMs: Int?

    /// The timeout in seconds, nil when disabled (0).
    public var signInTimeout: TimeInterval? {
        let milliseconds = signInTimeoutMs ?? Self.defaultSignInTimeoutMs
        return milliseconds > 0 ? TimeInterval(milliseconds) / 1000 : nil
    }
}

/// `ConfigureOptions`.
public struct ConfigureRequest: Decodable, Equatable {
    public var config: NativeLogtoConfig
    public var options: LogtoNativeOptions

    /// Checks what decoding cannot; throws `invalid_config`.
    public func validated() throws -> ConfigureRequest {
        guard !config.endpoint.isEmpty, URL(string: config.endpoint)?.scheme != nil else {
            throw LogtoBridgeError(code: "invalid_config", message: "endpoint must be an absolute URL.")
        }
        guard !config.appId.isEmpty else {
            throw LogtoBridgeError(code: "invalid_config", message: "appId is required.")
        }
        if let prompt = config.prompt, !Set(prompt).isSubset(of: ["none", "consent", "login"]) {
            throw LogtoBridgeError(code: "invalid_config", message: "prompt must be none, consent or login.")
        }
        if let timeout = options.signInTimeoutMs, timeout < 0 {
            throw LogtoBridgeError(code: "invalid_config", message: "signInTimeoutMs must be a non-negative number.")
        }
        return self
    }
}

/// `DirectSignIn`.
public struct DirectSignIn: Decodable, Equatable {
    public enum Method: String, Decodable {
        case social
        case sso
    }

    public var method: Method
    public var target: String
}

/// `SignInRequest` (`postRedirectUri` is web only and not decoded).
public struct SignInRequest: Decodable, Equatable {
    public var redirectUri: String
    public var prompt: [String]?
    public var firstScreen: String?
    public var identifiers: [String]?
    public var loginHint: String?
    public var directSignIn: DirectSignIn?
    public var extraParams: [String: String]?
}

/// `SignOutOptions`.
public struct SignOutRequest: Decodable, Equatable {
    public var postLogoutRedirectUri: String?
}

/// `GetAccessTokenOptions`.
public struct AccessTokenRequest: Decodable, Equatable {
    public var resource: String?
    public var organizationId: String?
}

/// `OrganizationTokenOptions`.
public struct OrganizationTokenRequest: Decodable, Equatable {
    public var organizationId: String
}

/// `HandleSignInCallbackOptions`.
public struct CallbackRequest: Decodable, Equatable {
    public var url: String
}

/// `AuthStateChangeType`: the `type` of the `authStateChange` event.
public enum AuthStateChangeType: String {
    case signedIn
    case tokensRefreshed
    case signedOut
    case sessionExpired
}

/// A failure to report to JavaScript: `code` is one of the stable codes of
/// `LogtoNativeErrorCode` (the Rust core's), `message` must be safe to show
/// (no tokens, codes or personal data), `data` is optional extra JSON (for
/// `oidc.*` and `callback_uri_verification.error_found`: `error`,
/// `errorDescription`).
public struct LogtoBridgeError: Error, Equatable {
    public var code: String
    public var message: String
    public var data: [String: String]?

    public init(code: String, message: String, data: [String: String]? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }
}

/// The bridge's `getOidcConfig` answer: the members of `@logto/client`'s `OidcConfigResponse` (camelCase), absent
/// optional members left out rather than null.
public func oidcConfigObject(_ config: OidcConfig) -> [String: Any] {
    var object: [String: Any] = [
        "issuer": config.issuer,
        "authorizationEndpoint": config.authorizationEndpoint,
        "tokenEndpoint": config.tokenEndpoint,
        "jwksUri": config.jwksUri,
        "authorizationResponseIssParameterSupported": config.authorizationResponseIssParameterSupported,
    ]
    let optional: [(String, Any?)] = [
        ("userinfoEndpoint", config.userinfoEndpoint),
        ("endSessionEndpoint", config.endSessionEndpoint),
        ("revocationEndpoint", config.revocationEndpoint),
        ("codeChallengeMethodsSupported", config.codeChallengeMethodsSupported),
        ("idTokenSigningAlgValuesSupported", config.idTokenSigningAlgValuesSupported),
    ]
    for case let (key, value?) in optional { object[key] = value }
    return object
}
