#!/usr/bin/env bash
# Compiles the pure-Kotlin part of the Android bridge (BridgeTypes.kt) with
# kotlinc (kotlin-maven-plugin, -Werror) on the desktop JVM and runs its JUnit
# tests (android/src/test), against Android's org.json implementation.
# Needs a JDK (17+) and Maven; dependencies come from Maven Central.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$here/android/jvm-test"
for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "test-android-jvm: '$tool' not found (apt-get install -y maven openjdk-17-jdk-headless)" >&2; exit 2; }
done
rm -rf "$project/target"
mkdir -p "$project/target/bridge-src"
cp "$here/android/src/main/java/dev/logtocore/capacitor/BridgeTypes.kt" "$project/target/bridge-src/"
mvn -B -q -f "$project/pom.xml" test 2>&1 | tee "$project/target/mvn.log" | grep -v '^\s*$' | tail -n 40
status="${PIPESTATUS[0]}"
report="$(cat "$project"/target/surefire-reports/*.txt 2>/dev/null || true)"
echo "$report" | grep -E "Tests run" || true
rm -rf "$project/target/bridge-src"
exit "$status"
