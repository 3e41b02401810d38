// Redirect rules of the browsers and the first-launch gate of KeychainStorage (platform-neutral parts).
import Foundation
import XCTest
@testable import LogtoNative

final class AuthenticationCallbackTests: XCTestCase {
    private func callback(_ uri: String?, https: Bool) throws -> AuthenticationCallback {
        try AuthenticationCallback.forRedirect(uri.flatMap(URL.init(string:)), httpsCallbacksSupported: https)
    }

    func testCustomSchemesWorkEverywhere() throws {
        XCTAssertEqual(try callback("com.example.app://callback", https: false), .customScheme("com.example.app"))
        XCTAssertEqual(try callback("Com.Example.App://callback", https: true), .customScheme("com.example.app"))
    }

    func testNoRedirectWaitsForTheSheetToClose() throws {
        XCTAssertEqual(try callback(nil, https: false), AuthenticationCallback.none)
    }

    func testHttpsRedirectsUseTheCallbackAPIFromIOS17_4() throws {
        XCTAssertEqual(try callback("https://app.example.com/auth/callback", https: true),
                       .https(host: "app.example.com", path: "/auth/callback"))
    }

    /// Before iOS 17.4 the sheet could never capture an https redirect (only Cancel would end it): fail at once.
    func testHttpsRedirectsFailEarlyBeforeIOS17_4() {
        XCTAssertThrowsError(try callback("https://app.example.com/callback", https: false)) { error in
            let error = error as? LogtoError
            XCTAssertEqual(error?.code, "browser_unavailable")
            XCTAssertTrue(error?.message.contains("iOS 17.4") == true, error?.message ?? "")
            XCTAssertTrue(error?.message.contains("custom-scheme") == true, error?.message ?? "")
        }
    }

    func testHttpRedirectsAreNeverCaptured() {
        for https in [false, true] {
            XCTAssertThrowsError(try callback("http://127.0.0.1:8080/callback", https: https)) { error in
                XCTAssertEqual((error as? LogtoError)?.code, "browser_unavailable")
            }
        }
    }
}

final class RedirectMatchingTests: XCTestCase {
    let redirect = URL(string: "com.example.app://callback")!

    func testSameSchemeHostPortAndPathWhateverTheQuery() {
        XCTAssertTrue(isRedirect(URL(string: "com.example.app://callback?code=1&state=2")!, to: redirect))
        XCTAssertTrue(isRedirect(URL(string: "COM.EXAMPLE.APP://Callback?code=1")!, to: redirect))
        XCTAssertTrue(isRedirect(URL(string: "com.example.app://callback/?code=1")!, to: redirect))
        XCTAssertFalse(isRedirect(URL(string: "com.example.app://callback/sign-out?state=1")!, to: redirect))
        XCTAssertFalse(isRedirect(URL(string: "com.other.app://callback?code=1")!, to: redirect))
        let https = URL(string: "https://app.example.com/callback")!
        XCTAssertTrue(isRedirect(URL(string: "https://app.example.com/callback?code=1")!, to: https))
        XCTAssertFalse(isRedirect(URL(string: "https://app.example.com:8443/callback?code=1")!, to: https))
        XCTAssertFalse(isRedirect(URL(string: "https://app.example.com/Callback?code=1")!, to: https))
    }
}

final class FirstLaunchGateTests: XCTestCase {
    private var suite = ""
    private var defaults: UserDefaults!

    override func setUp() {
        super.setUp()
        suite = "dev.logtocore.tests.\(UUID().uuidString)"
        defaults = UserDefaults(suiteName: suite)!
    }

    override func tearDown() {
        defaults.removePersistentDomain(forName: suite)
        super.tearDown()
    }

    private func gate(clearing: Bool) -> FirstLaunchGate {
        FirstLaunchGate(defaults: defaults, key: "dev.logtocore.app.launched", clearsOnFirstLaunch: clearing)
    }

    func testClearsOnlyOnTheFirstLaunchAfterInstallation() throws {
        var clears = 0
        let first = gate(clearing: true)
        try first.check { clears += 1 }
        try first.check { clears += 1 } // same process: checked once
        XCTAssertEqual(clears, 1)
        try gate(clearing: true).check { clears += 1 } // next launch
        XCTAssertEqual(clears, 1)
    }

    func testOffByDefaultButRecordsTheLaunchSoTurningItOnLaterSignsNobodyOut() throws {
        var clears = 0
        try gate(clearing: false).check { clears += 1 }
        try gate(clearing: true).check { clears += 1 } // an app update that turns the option on
        XCTAssertEqual(clears, 0)
    }

    func testAFailedClearIsRetried() throws {
        struct KeychainDown: Error {}
        let failing = gate(clearing: true)
        XCTAssertThrowsError(try failing.check { throw KeychainDown() })
        var clears = 0
        try failing.check { clears += 1 }
        XCTAssertEqual(clears, 1)
    }
}
