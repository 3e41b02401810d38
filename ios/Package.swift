// swift-tools-version:5.9
// The Swift package of the Logto native SDK: the `LogtoNative` Swift layer (plus the UniFFI-generated Swift in
// Sources/LogtoNative/Generated) on top of the Rust core, shipped as the static `LogtoFFI.xcframework`.
import PackageDescription

// Where LogtoFFI.xcframework comes from. On main: the local build of scripts/build-xcframework.sh (macOS + Xcode).
// On release tags: the zip attached to the GitHub release. The release workflow rewrites these three lines.
let useLocalFramework = true
let releaseURL = "https://github.com/OWNER/REPO/releases/download/v0.0.0/LogtoFFI.xcframework.zip"
let releaseChecksum = "0000000000000000000000000000000000000000000000000000000000000000"

let ffiTarget: Target = useLocalFramework
    ? .binaryTarget(name: "LogtoFFI", path: "Frameworks/LogtoFFI.xcframework")
    : .binaryTarget(name: "LogtoFFI", url: releaseURL, checksum: releaseChecksum)

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
            path: "Sources/LogtoNative"
        ),
        .testTarget(
            name: "LogtoNativeTests",
            dependencies: ["LogtoNative"],
            path: "Tests/LogtoNativeTests"
        ),
    ]
)
