import XCTest
@testable import LogtoNativePlugin

// Decoding tests of the bridge types (swift test on Linux via ios/scripts/check-swift.sh; Xcode). JSONDecoder
// stands in for Capacitor's JSValueDecoder (same Decodable conformance).
final class BridgeTypesTests: XCTestCase {
    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    func testConfigureDecodesEveryMember() throws {
        let request = try decode(ConfigureRequest.self, """
        {"config":{"endpoint":"https://e","appId":"a","scopes":["email"],"resources":["https://api"],
         "prompt":["login"],"includeReservedScopes":false},
         "options":{"ios":{"browser":"safariViewController","prefersEphemeralSession":true},
         "android":{"toolbarColor":"#112233"},"signInTimeoutMs":1500}}
        """).validated()
        XCTAssertEqual(request.config.scopes, ["email"])
        XCTAssertEqual(request.config.prompt, ["login"])
        XCTAssertEqual(request.config.includeReservedScopes, false)
        XCTAssertEqual(request.options.ios?.browser, .safariViewController)
        XCTAssertEqual(request.options.ios?.prefersEphemeralSession, true)
        XCTAssertEqual(request.options.signInTimeout, 1.5)
    }

    func testConfigureDefaultsAndValidation() throws {
        let request = try decode(ConfigureRequest.self, #"{"config":{"endpoint":"https://e","appId":"a"},"options":{}}"#)
        XCTAssertEqual(request.options.signInTimeout, 600)
        XCTAssertNil(request.options.ios)
        let disabled = try decode(ConfigureRequest.self,
                                  #"{"config":{"endpoint":"https://e","appId":"a"},"options":{"signInTimeoutMs":0}}"#)
        XCTAssertNil(disabled.options.signInTimeout)
        for json in [
            #"{"config":{"endpoint":"","appId":"a"},"options":{}}"#,
            #"{"config":{"endpoint":"https://e","appId":""},"options":{}}"#,
            #"{"config":{"endpoint":"https://e","appId":"a","prompt":["always"]},"options":{}}"#,
        ] {
            XCTAssertThrowsError(try decode(ConfigureRequest.self, json).validated()) { error in
                XCTAssertEqual((error as? LogtoBridgeError)?.code, "invalid_config")
            }
        }
    }

    func testSignInDecodesEveryMember() throws {
        let request = try decode(SignInRequest.self, """
        {"redirectUri":"com.example.app://callback","prompt":["login","consent"],"firstScreen":"register",
         "identifiers":["email"],"loginHint":"a@b.c","directSignIn":{"method":"social","target":"google"},
         "extraParams":{"dev_login":"alice"},"postRedirectUri":"ignored"}
        """)
        XCTAssertEqual(request, SignInRequest(
            redirectUri: "com.example.app://callback", prompt: ["login", "consent"], firstScreen: "register",
            identifiers: ["email"], loginHint: "a@b.c", directSignIn: DirectSignIn(method: .social, target: "google"),
            extraParams: ["dev_login": "alice"]))
        XCTAssertThrowsError(try decode(SignInRequest.self, #"{"prompt":["login"]}"#))
        XCTAssertThrowsError(try decode(SignInRequest.self, #"{"redirectUri":"x://cb","directSignIn":{"method":"magic","target":"t"}}"#))
    }
}
