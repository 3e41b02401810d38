// swift-tools-version: 5.9
//
// Swift Package Manager manifest of the iOS half of logto-native-capacitor
// (used by Capacitor 8's SPM integration: `npx cap add ios` writes
// ios/App/CapApp-SPM/Package.swift with a path dependency on this package).
//
// NOT BUILT HERE: the machine this was written on has no Swift toolchain.
//
// The native library is the project's Swift package (product `LogtoNative`),
// referenced by local path for development: `../ios` next to this package in
// the project repository, or LOGTO_NATIVE_IOS_PACKAGE_PATH. Inside an app's
// node_modules `../ios` does not exist: set the variable, or (for releases)
// replace the path with the released package's URL and version.
import Foundation
import PackageDescription

let logtoNativePath = ProcessInfo.processInfo.environment["LOGTO_NATIVE_IOS_PACKAGE_PATH"] ?? "../ios"
// A path dependency's package identity is the last component of its path.
let logtoNativePackage = URL(fileURLWithPath: logtoNativePath).lastPathComponent.lowercased()

let package = Package(
    name: "LogtoNativeCapacitor",
    platforms: [.iOS(.v15)],
    products: [
        .library(
            name: "LogtoNativeCapacitor",
            targets: ["LogtoNativePlugin"])
    ],
    dependencies: [
        .package(url: "https://github.com/ionic-team/capacitor-swift-pm.git", from: "8.0.0"),
        .package(path: logtoNativePath),
    ],
    targets: [
        .target(
            name: "LogtoNativePlugin",
            dependencies: [
                .product(name: "Capacitor", package: "capacitor-swift-pm"),
                .product(name: "Cordova", package: "capacitor-swift-pm"),
                .product(name: "LogtoNative", package: logtoNativePackage),
            ],
            path: "ios/Sources/LogtoNativePlugin"),
        .testTarget(
            name: "LogtoNativePluginTests",
            dependencies: ["LogtoNativePlugin"],
            path: "ios/Tests/LogtoNativePluginTests"),
    ]
)
