#if canImport(Capacitor)
import Capacitor
import Foundation

/// The Capacitor bridge of LogtoNative on iOS. It only converts: each call's
/// options are decoded into a typed request (BridgeTypes.swift), the work is
/// delegated to `LogtoNativeImplementation` (built on the Swift layer of ios/:
/// `LogtoClient`, ASWebAuthenticationSession / SFSafariViewController,
/// Keychain), results are wrapped as `{ value }`, and failures reject with the
/// stable error codes of `LogtoBridgeError`.
///
/// Compiled by Xcode only (Capacitor exists only on iOS); on Linux this file is empty and the implementation it
/// delegates to is compiled and tested by ios/scripts/check-swift.sh. scripts/check-ios-symbols.mjs checks the
/// Capacitor symbols it uses against @capacitor/ios.
@objc(LogtoNativePlugin)
public class LogtoNativePlugin: CAPPlugin, CAPBridgedPlugin {
    public let identifier = "LogtoNativePlugin"
    public let jsName = "LogtoNative"
    public let pluginMethods: [CAPPluginMethod] = [
        CAPPluginMethod(name: "configure", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "signIn", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "signOut", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "isAuthenticated", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "getIdToken", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "getIdTokenClaims", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "getRefreshToken", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "getAccessToken", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "getAccessTokenClaims", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "getOrganizationToken", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "getOrganizationTokenClaims", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "fetchUserInfo", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "clearAccessToken", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "clearAllTokens", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "handleSignInCallback", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "getOidcConfig", returnType: CAPPluginReturnPromise),
        CAPPluginMethod(name: "isSignInRedirected", returnType: CAPPluginReturnPromise),
    ]

    private var implementation: LogtoNativeImplementation?

    override public func load() {
        // Capacitor loads plugins on the main thread (CapacitorBridge.registerPlugins).
        MainActor.assumeIsolated {
            let implementation = LogtoNativeImplementation(platform: IOSLogtoPlatform())
            implementation.authStateListener = { [weak self] type in
                self?.notifyListeners("authStateChange", data: ["type": type.rawValue])
            }
            self.implementation = implementation
        }
        // With `safariViewController` the redirect comes back as an URL the app is opened with (custom scheme)
        // or a universal link (https). Capacitor's app-delegate proxy posts .capacitorOpenURL /
        // .capacitorOpenUniversalLink (URL in the object); a scene-based app's SceneDelegateProxy (Capacitor 8.5+)
        // posts the scene notifications (URL in userInfo) and, for compatibility, usually the old ones too. A URL
        // seen twice is harmless: the open round trip takes it once.
        let names: [Notification.Name] = [
            .capacitorOpenURL, .capacitorOpenUniversalLink, Self.sceneOpenURL, Self.sceneOpenUniversalLink,
        ]
        for name in names {
            NotificationCenter.default.addObserver(self, selector: #selector(handleOpenURL(_:)), name: name, object: nil)
        }
    }

    // Notification.Name.capacitorSceneOpenURL / .capacitorSceneOpenUniversalLink of Capacitor 8.5, by their raw
    // names so that the plugin also compiles against the Capacitor 8.0 the manifest allows (where nobody posts them).
    static let sceneOpenURL = Notification.Name("CapacitorSceneOpenURLNotification")
    static let sceneOpenUniversalLink = Notification.Name("CapacitorSceneOpenUniversalLinkNotification")

    deinit {
        NotificationCenter.default.removeObserver(self)
    }

    @objc private func handleOpenURL(_ notification: Notification) {
        // Scene notifications: the scene is the object, the URL is in userInfo; app-delegate ones: a dictionary object.
        let url = notification.userInfo?["url"] as? URL ?? (notification.object as? [String: Any])?["url"] as? URL
        guard let url else { return }
        Task { @MainActor in
            _ = self.implementation?.handleOpenURL(url)
        }
    }

    @objc func configure(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let request: ConfigureRequest
            do {
                request = try call.decode(ConfigureRequest.self)
            } catch {
                throw LogtoBridgeError(code: "invalid_config", message: "The configuration is malformed.")
            }
            try await implementation.configure(request.validated())
            call.resolve()
        }
    }

    @objc func signIn(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let request = try Self.decode(SignInRequest.self, from: call)
            try await implementation.signIn(request, presenter: self.bridge?.viewController)
            call.resolve()
        }
    }

    @objc func signOut(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let request = try Self.decode(SignOutRequest.self, from: call)
            try await implementation.signOut(request, presenter: self.bridge?.viewController)
            call.resolve()
        }
    }

    @objc func isAuthenticated(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let value = try await implementation.isAuthenticated()
            call.resolve(["value": value])
        }
    }

    @objc func getIdToken(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let value = try await implementation.getIdToken()
            call.resolve(["value": value.map { $0 as Any } ?? NSNull()])
        }
    }

    @objc func getIdTokenClaims(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let value = try await implementation.getIdTokenClaims()
            call.resolve(["value": value])
        }
    }

    @objc func getRefreshToken(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let value = try await implementation.getRefreshToken()
            call.resolve(["value": value.map { $0 as Any } ?? NSNull()])
        }
    }

    @objc func getAccessToken(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let request = try Self.decode(AccessTokenRequest.self, from: call)
            let value = try await implementation.getAccessToken(request)
            call.resolve(["value": value])
        }
    }

    @objc func getAccessTokenClaims(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let value = try await implementation.getAccessTokenClaims(resource: call.getString("resource"))
            call.resolve(["value": value])
        }
    }

    @objc func getOrganizationToken(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let request = try Self.decode(OrganizationTokenRequest.self, from: call)
            let value = try await implementation.getOrganizationToken(request)
            call.resolve(["value": value])
        }
    }

    @objc func getOrganizationTokenClaims(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let request = try Self.decode(OrganizationTokenRequest.self, from: call)
            let value = try await implementation.getOrganizationTokenClaims(request)
            call.resolve(["value": value])
        }
    }

    @objc func fetchUserInfo(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let value = try await implementation.fetchUserInfo()
            call.resolve(["value": value])
        }
    }

    @objc func clearAccessToken(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            try await implementation.clearAccessToken()
            call.resolve()
        }
    }

    @objc func clearAllTokens(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            try await implementation.clearAllTokens()
            call.resolve()
        }
    }

    @objc func handleSignInCallback(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let request = try Self.decode(CallbackRequest.self, from: call)
            try await implementation.handleSignInCallback(request)
            call.resolve()
        }
    }

    @objc func getOidcConfig(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let value = try await implementation.getOidcConfig()
            call.resolve(["value": value])
        }
    }

    @objc func isSignInRedirected(_ call: CAPPluginCall) {
        dispatch(call) { implementation in
            let request = try Self.decode(CallbackRequest.self, from: call)
            let value = try await implementation.isSignInRedirected(url: request.url)
            call.resolve(["value": value])
        }
    }

    /// Decodes the call's options; malformed arguments reject with `internal`.
    private static func decode<T: Decodable>(_ type: T.Type, from call: CAPPluginCall) throws -> T {
        do {
            return try call.decode(type)
        } catch {
            throw LogtoBridgeError(code: "internal", message: "Malformed bridge call: \(T.self).")
        }
    }

    /// Runs `body` on the main actor; every failure rejects the call with a stable code and a safe message.
    private func dispatch(
        _ call: CAPPluginCall,
        _ body: @escaping @MainActor (LogtoNativeImplementation) async throws -> Void
    ) {
        Task { @MainActor in
            guard let implementation = self.implementation else {
                call.reject("The plugin is not loaded yet.", "internal")
                return
            }
            do {
                try await body(implementation)
            } catch let error as LogtoBridgeError {
                call.reject(error.message, error.code, nil, error.data.map { $0 as [String: Any] })
            } catch {
                // Errors of lower layers are not vetted for secrets: never forward their message.
                call.reject("Internal error.", "internal")
            }
        }
    }
}
#endif
