// swift-tools-version:5.10
// The Swift package of the Logto native SDK: the `LogtoNative` Swift layer (plus the UniFFI-generated Swift in
// Sources/LogtoNative/Generated) on top of the Rust core, shipped as the static `LogtoFFI.xcframework`.
// Tools version 5.10: the generated bindings need the Swift 5.10 compiler (Xcode 15.3) or newer.
import PackageDescription

// Where LogtoFFI.xcframework comes from. On main: the local build of scripts/build-xcframework.sh (macOS + Xcode).
// On release tags: the zip attached to the GitHub release. The release workflow rewrites these three lines.
let useLocalFramework = true
let releaseURL = "https://github.com/OWNER/REPO/releases/download/v0.0.0/LogtoFFI.xcframework.zip"
let releaseChecksum = "0000000000000000000000000000000000000000000000000000000000000000"

#if os(Linux)
// Off Apple platforms there are no XCFrameworks: the C module is the committed header + module map (Generated/), and
// the library is a host build of liblogto_uniffi (`cargo build -p logto-uniffi`), found through
// `-Xlinker -L<its directory>`. Only the platform-neutral layer compiles here (the Apple-only browsers and Keychain
// storage are behind `#if canImport(...)`); scripts/check-swift.sh runs `swift build` and `swift test` this way.
let ffiTarget: Target = .systemLibrary(name: "LogtoFFI", path: "Generated")
#else
let ffiTarget: Target = useLocalFramework
    ? .binaryTarget(name: "LogtoFFI", path: "Frameworks/LogtoFFI.xcframework")
    : .binaryTarget(name: "LogtoFFI", url: releaseURL, checksum: releaseChecksum)
#endif

let package = Package(
    name: "LogtoNative",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "LogtoNative", targets: ["LogtoNative"]),
    ],
    targets: [
        ffiTarget,
        .target(
            name: "LogtoNative",
            dependencies: ["LogtoFFI"],
            path: "Sources/LogtoNative",
            // The privacy manifest of the SDK (the Rust core and this layer); Xcode merges it into the app's report.
            resources: [.copy("PrivacyInfo.xcprivacy")],
            linkerSettings: [.linkedLibrary("logto_uniffi", .when(platforms: [.linux]))]
        ),
        .testTarget(
            name: "LogtoNativeTests",
            dependencies: ["LogtoNative"],
            path: "Tests/LogtoNativeTests"
        ),
    ]
)
