#!/usr/bin/env bash
# Compiles the Swift package on Linux and runs its XCTest suite: the UniFFI-generated bindings and the
# platform-neutral layer (LogtoClient, the browser round trip and its coordinator, errors, redirect rules, the
# first-launch gate) against the committed C header + module map (ios/Generated) and the host build of
# liblogto_uniffi. The Apple-only shells (ASWebAuthenticationSession, SFSafariViewController, Keychain, UIKit) are
# behind `#if canImport(...)` and are compiled only on Apple platforms (.github/workflows/ios.yml).
# Then the same for the Capacitor plugin's iOS half without Capacitor (which exists only on iOS): the implementation
# the bridge delegates to and the request types, with their XCTest suite, against ../ios.
#
# Usage: ios/scripts/check-swift.sh [path/to/liblogto_uniffi.so]   (default: target/debug)
# The Swift toolchain is Debian's swiftlang, installed on first use by swift-toolchain.sh (root, ~2.5 min once).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
so="${1:-${CARGO_TARGET_DIR:-$root/target}/debug/liblogto_uniffi.so}"
[[ -f "$so" ]] || { echo "check-swift.sh: library not found: $so (run cargo build -p logto-uniffi)" >&2; exit 1; }
libdir="$(cd "$(dirname "$so")" && pwd -P)"
toolchain="$root/ios/scripts/swift-toolchain.sh"

started=$SECONDS
"$toolchain" install
echo "check-swift.sh: $("$toolchain" version) (Debian swiftlang), toolchain ready in $((SECONDS - started)) s"

link=(-Xlinker -L"$libdir" -Xlinker -rpath -Xlinker "$libdir")
# A separate build directory per library directory: the test binary embeds the library's path (rpath).
scratch="$root/ios/.build/linux"

started=$SECONDS
"$toolchain" run "$root/ios" swift build --scratch-path "$scratch" "${link[@]}"
echo "check-swift.sh: swift build (generated bindings + platform-neutral layer) in $((SECONDS - started)) s"

started=$SECONDS
# XCTest only: the package has no Swift Testing tests, whose empty run would print "0 tests passed".
"$toolchain" run "$root/ios" swift test --disable-swift-testing --scratch-path "$scratch" "${link[@]}"
echo "check-swift.sh: swift test in $((SECONDS - started)) s"

plugin="$root/capacitor-plugin"
started=$SECONDS
"$toolchain" run "$plugin" swift build --scratch-path "$plugin/.build/linux" "${link[@]}"
"$toolchain" run "$plugin" swift test --disable-swift-testing --scratch-path "$plugin/.build/linux" "${link[@]}"
echo "check-swift.sh: capacitor-plugin (implementation + request types, no Capacitor): swift build + test in $((SECONDS - started)) s"
