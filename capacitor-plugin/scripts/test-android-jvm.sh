#!/usr/bin/env bash
# The Android half of logto-native-capacitor on the desktop JVM (no Android SDK needed):
#
#   tests  android/jvm-test: BridgeTypes.kt + LogtoNativeImplementation.kt compiled with the repository's Kotlin
#          layer (android/logto-kotlin) and run with JUnit against the REAL Rust core (liblogto_uniffi.so through
#          JNA) and the dev IdP (tools/dev-idp, started by the tests): sign-in with a headless fake browser, claims,
#          tokens, sign-out, cancel, timeout, concurrent sign-in, cold-start callback, error codes.
#   robolectric  android/robolectric: the whole plugin, logto-android and Capacitor's own Android sources (from
#          node_modules/@capacitor/android) compiled against the real framework (android-all 36, androidx AARs), and
#          Robolectric 4.17 tests inside a real Capacitor BridgeActivity: calls posted as Capacitor's JavaScript
#          posts them, sign-in against the dev IdP, the activity lifecycle cases (android/robolectric/run-suite.sh).
#
# Usage: scripts/test-android-jvm.sh [tests|robolectric]   (default: both)
# Needs a JDK (17+; 21+ for robolectric, Temurin 25 on the project's machines), Maven, python3, Node (npm ci done),
# and liblogto_uniffi.so: LOGTO_LIB, else <repo>/target/debug/liblogto_uniffi.so, which is built with
# `cargo build -p logto-uniffi` when missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$here/.." && pwd)"
what="${1:-all}"
for tool in java mvn node; do
  command -v "$tool" >/dev/null || { echo "test-android-jvm: '$tool' not found (apt-get install -y maven openjdk-17-jdk-headless)" >&2; exit 2; }
done

# The host-built Rust library the tests load through JNA (built when missing).
host_lib() {
  if [[ -n "${LOGTO_LIB:-}" && ! -f "$LOGTO_LIB" ]]; then
    echo "test-android-jvm: LOGTO_LIB=$LOGTO_LIB does not exist" >&2
    exit 2
  fi
  lib="${LOGTO_LIB:-${CARGO_TARGET_DIR:-$repo/target}/debug/liblogto_uniffi.so}"
  if [[ ! -f "$lib" ]]; then
    command -v cargo >/dev/null || { echo "test-android-jvm: $lib is missing and cargo is not installed" >&2; exit 2; }
    echo "test-android-jvm: building liblogto_uniffi (cargo build -p logto-uniffi)" >&2
    (cd "$repo" && cargo build -q -p logto-uniffi)
  fi
}

run_tests() {
  host_lib
  local project="$here/android/jvm-test"
  rm -rf "$project/target"
  local status=0
  mvn -B -ntp -q -Dstyle.color=never -f "$project/pom.xml" test -Dlogto.lib="$lib" >"$project/mvn.log" 2>&1 || status=$?
  # The dev IdP's log lines are noise here; keep Maven's and the tests' output.
  sed 's/\x1b\[[0-9;]*m//g' "$project/mvn.log" | grep -v -E '^\[dev-idp\]|^oidc-provider NOTICE|^\s*$' | tail -n 60 || true
  rm -f "$project/mvn.log"
  cat "$project"/target/surefire-reports/*.txt 2>/dev/null | grep -E "Tests run" || true
  return "$status"
}

run_robolectric() {
  host_lib
  [[ -d "$here/node_modules/@capacitor/android/capacitor/src/main/java" ]] || {
    echo "test-android-jvm: node_modules/@capacitor/android is missing (npm ci)" >&2
    exit 2
  }
  "$repo/android/robolectric/run-suite.sh" "$here/android/robolectric" -Dlogto.lib="$lib"
}

case "$what" in
  tests) run_tests ;;
  robolectric) run_robolectric ;;
  all) run_tests && run_robolectric ;;
  *) echo "usage: $0 [tests|robolectric]" >&2; exit 2 ;;
esac
