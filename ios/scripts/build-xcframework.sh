#!/usr/bin/env bash
# Builds ios/Frameworks/LogtoFFI.xcframework (static library + C headers) on macOS with Xcode:
#   ios-arm64                   device
#   ios-arm64_x86_64-simulator  simulator (Apple silicon + Intel, merged with lipo)
#   macos-arm64_x86_64          macOS (lets `swift build` / `swift test` run the package on a Mac)
# then zips it and prints the SwiftPM checksum of the zip (the release workflow puts both in Package.swift).
#
# Needs: Xcode (xcodebuild, lipo), rustup with the five Apple targets (installed below), the committed generated
# headers (bindings/scripts/generate.sh). Not runnable on Linux.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ios="$root/ios"
cd "$root"

[[ "$(uname -s)" == Darwin ]] || { echo "build-xcframework.sh: needs macOS with Xcode" >&2; exit 1; }

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"

export IPHONEOS_DEPLOYMENT_TARGET=15.0
export MACOSX_DEPLOYMENT_TARGET=12.0
for target in "${targets[@]}"; do
  cargo build --release -p logto-uniffi --target "$target"
done

# The committed Swift/C bindings must match what this library was built from (checksums are part of the ABI).
bindings/scripts/generate.sh --check --lib "target/aarch64-apple-ios/release/liblogto_uniffi.a"

work="$ios/build/xcframework"
rm -rf "$work" "$ios/Frameworks/LogtoFFI.xcframework"
mkdir -p "$work/ios" "$work/ios-sim" "$work/macos" "$work/Headers/LogtoFFI" "$ios/Frameworks"

lib=liblogto_uniffi.a
cp "target/aarch64-apple-ios/release/$lib" "$work/ios/$lib"
lipo -create "target/aarch64-apple-ios-sim/release/$lib" "target/x86_64-apple-ios/release/$lib" -output "$work/ios-sim/$lib"
lipo -create "target/aarch64-apple-darwin/release/$lib" "target/x86_64-apple-darwin/release/$lib" -output "$work/macos/$lib"

# Headers/LogtoFFI/{LogtoFFI.h,module.modulemap}: the subdirectory keeps this module map from colliding with other
# XCFrameworks' module.modulemap files in the app's build products.
cp "$ios/Generated/LogtoFFI.h" "$ios/Generated/module.modulemap" "$work/Headers/LogtoFFI/"

xcodebuild -create-xcframework \
  -library "$work/ios/$lib" -headers "$work/Headers" \
  -library "$work/ios-sim/$lib" -headers "$work/Headers" \
  -library "$work/macos/$lib" -headers "$work/Headers" \
  -output "$ios/Frameworks/LogtoFFI.xcframework"

(cd "$ios/Frameworks" && rm -f LogtoFFI.xcframework.zip && zip -qry LogtoFFI.xcframework.zip LogtoFFI.xcframework)
# The SwiftPM checksum of the zip. `swift package compute-checksum` must run inside a package (it looks for a
# Package.swift from the working directory up), so it runs in ios/; without a Swift toolchain, the same value is the
# zip's SHA-256.
zip_path="$ios/Frameworks/LogtoFFI.xcframework.zip"
if command -v swift >/dev/null && [[ -f "$ios/Package.swift" ]]; then
  checksum="$(cd "$ios" && swift package compute-checksum "$zip_path")"
else
  checksum="$(shasum -a 256 "$zip_path" | cut -d' ' -f1)"
fi
[[ "$checksum" =~ ^[0-9a-f]{64}$ ]] || { echo "build-xcframework.sh: bad checksum '$checksum'" >&2; exit 1; }
# The required-reason APIs the Rust library references must be declared in PrivacyInfo.xcprivacy (nm -u).
python3 "$ios/scripts/check-packaging.py" --lib "$work/ios/$lib"

echo "built $ios/Frameworks/LogtoFFI.xcframework"
echo "zip   $ios/Frameworks/LogtoFFI.xcframework.zip"
echo "checksum $checksum"
