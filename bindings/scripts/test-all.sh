#!/usr/bin/env bash
# Everything that can be built and tested of the native libraries on a Linux machine, from a clean checkout:
#   1. build liblogto_uniffi (debug) and check that the committed generated bindings are current;
#   2. the bindings crate's Rust tests (conversions, panics caught at the FFI boundary);
#   3. the Swift-side checks without swiftc (header/module map with clang, exported symbols, checksums);
#   4. the Kotlin layer on the JVM with Maven: unit tests + end-to-end tests against the dev IdP (started by the
#      tests themselves from tools/dev-idp);
#   5. the Android library (android/logto-android) compiled against the real framework (android-all 36, androidx
#      AARs) and tested under Robolectric 4.17, sign-in against the dev IdP included (android/robolectric/run-suite.sh,
#      JDK 21+);
#   6. the library's dependency graph: one crypto stack, one version of each crypto crate (check-deps.sh);
#   7. the size budget: release build with LTO proven, stripped host library at most 2.5 MiB (size.sh).
# Exits non-zero on the first failure. Needs: cargo, clang (installed with apt-get when missing and running as
# root), python3, Java 17 and a JDK 21+ (Temurin 25 on the project's machines), Maven, Node (for the dev IdP).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
lib="${CARGO_TARGET_DIR:-$root/target}/debug/liblogto_uniffi.so"
step() { printf '\n==> %s\n' "$*"; }

step "build liblogto_uniffi (debug) and check the generated bindings"
bindings/scripts/generate.sh --check

step "Rust tests of the bindings crate"
cargo test -q -p logto-uniffi

step "Swift-side checks (clang)"
if ! command -v clang >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null
  else
    echo "test-all.sh: clang is required (apt-get install clang)" >&2
    exit 1
  fi
fi
ios/scripts/check.sh "$lib"

step "Kotlin layer on the JVM (Maven)"
(cd android/logto-kotlin && mvn -B -ntp test -Dlogto.lib="$lib")

step "Android library on the real framework: android-all 36 + androidx, Robolectric 4.17 (no Android SDK here)"
android/robolectric/run-suite.sh android/logto-android -Dlogto.lib="$lib"

step "dependency graph of the shipped library (one crypto stack, no duplicate crypto crates)"
bindings/scripts/check-deps.sh

step "size budget (release build, LTO, stripped host library <= 2,621,440 bytes)"
bindings/scripts/size.sh

step "all native-library checks passed"
