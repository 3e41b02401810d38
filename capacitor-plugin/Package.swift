// swift-tools-version: 5.10
//
// Swift Package Manager manifest of the iOS half of logto-native-capacitor (Capacitor 8's SPM integration:
// `npx cap add ios` writes ios/App/CapApp-SPM/Package.swift with a path dependency on this package).
//
// The native library is the project's Swift package (product `LogtoNative`: the Swift layer + the
// LogtoFFI.xcframework binary target of the Rust core), found in this order:
//
//   1. LOGTO_NATIVE_IOS_PACKAGE_PATH: a local checkout's ios/ directory (development; build its XCFramework first
//      with ios/scripts/build-xcframework.sh);
//   2. ../ios next to this package, when it is there (developing inside the project repository);
//   3. otherwise (installed from npm) the project repository by URL at exactly this plugin's version. Its release
//      tag has a root Package.swift whose binary target is the released LogtoFFI.xcframework.zip (URL + checksum),
//      written by .github/workflows/release.yml, so nothing is built from Rust.
//
// The repository URL and the version are read from package.json (`repository.url`, `version`).
//
// Tools version 5.10: the generated bindings in LogtoNative need the Swift 5.10 compiler (Xcode 15.3) or newer.
//
// Off Apple platforms (Linux) there is no Capacitor: the manifest leaves it out, LogtoNativePlugin.swift compiles to
// nothing (`#if canImport(Capacitor)`) and the rest — the implementation the bridge delegates to, the request types —
// builds and its tests run against ../ios (ios/scripts/check-swift.sh). The bridge itself is compiled only by
// Xcode (.github/workflows/ios.yml).
import Foundation
import PackageDescription

// Symlinks resolved: when the plugin is installed as a link (`npm install ../capacitor-plugin`, `npm link`, pnpm),
// #filePath is the link's path, and ../ios must be looked up next to the real directory.
let packageDirectory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
let packageJSON = (try? Data(contentsOf: packageDirectory.appendingPathComponent("package.json")))
    .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
let version = packageJSON["version"] as? String ?? "0.1.0"
let repositoryURL = (packageJSON["repository"] as? [String: Any])?["url"] as? String
    ?? "https://github.com/logto-native/logto-native.git"

let siblingIOS = packageDirectory.deletingLastPathComponent().appendingPathComponent("ios")
let localPath = ProcessInfo.processInfo.environment["LOGTO_NATIVE_IOS_PACKAGE_PATH"]
    ?? (FileManager.default.fileExists(atPath: siblingIOS.appendingPathComponent("Sources/LogtoNative").path)
        ? siblingIOS.path : nil)

// The package identity SwiftPM gives a dependency: the last path component (of the path, or of the URL without .git).
let logtoNative: Package.Dependency
let logtoNativePackage: String
if let localPath {
    logtoNative = .package(path: localPath)
    logtoNativePackage = URL(fileURLWithPath: localPath).lastPathComponent.lowercased()
} else {
    logtoNative = .package(url: repositoryURL, exact: Version(stringLiteral: version))
    logtoNativePackage = URL(string: repositoryURL)?.deletingPathExtension().lastPathComponent.lowercased()
        ?? "logto-native"
}

#if os(Linux)
let capacitor: [Package.Dependency] = []
let capacitorProducts: [Target.Dependency] = []
#else
let capacitor: [Package.Dependency] = [.package(url: "https://github.com/ionic-team/capacitor-swift-pm.git", from: "8.0.0")]
let capacitorProducts: [Target.Dependency] = [
    .product(name: "Capacitor", package: "capacitor-swift-pm"),
    .product(name: "Cordova", package: "capacitor-swift-pm"),
]
#endif

let package = Package(
    name: "LogtoNativeCapacitor",
    platforms: [.iOS(.v15)],
    products: [
        .library(
            name: "LogtoNativeCapacitor",
            targets: ["LogtoNativePlugin"])
    ],
    dependencies: capacitor + [logtoNative],
    targets: [
        .target(
            name: "LogtoNativePlugin",
            dependencies: capacitorProducts + [.product(name: "LogtoNative", package: logtoNativePackage)],
            path: "ios/Sources/LogtoNativePlugin"),
        .testTarget(
            name: "LogtoNativePluginTests",
            dependencies: [
                "LogtoNativePlugin",
                .product(name: "LogtoNative", package: logtoNativePackage),
            ],
            path: "ios/Tests/LogtoNativePluginTests"),
    ]
)
