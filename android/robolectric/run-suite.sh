#!/usr/bin/env bash
# Runs one Robolectric suite (a Maven module whose parent is android/robolectric/pom.xml) on the real Android
# framework, from a clean checkout and offline for Robolectric:
#   1. picks a JDK 21+ (android-all 36 is Java 21 bytecode; the machines have Temurin 25 beside the default 17):
#      $LOGTO_ROBOLECTRIC_JDK, else the default java if it is 21+, else /usr/lib/jvm/*;
#   2. installs android/robolectric (androidx classes, aapt2, compiled AAR resources, android-all-instrumented) into
#      the local Maven repository, unless it is already current;
#   3. mvn clean test in the module, with the extra arguments given (e.g. -Dlogto.lib=...), and prints Surefire's
#      per-class lines.
# Usage: android/robolectric/run-suite.sh <module dir> [maven args...]
# Needs: Maven, python3, a JDK 21+ (Temurin 25 on the project's machines).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module="$(cd "${1:?usage: run-suite.sh <module dir> [maven args...]}" && pwd)"
shift

java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'; }
find_jdk() {
  local candidate
  for candidate in "${LOGTO_ROBOLECTRIC_JDK:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [[ -n "$candidate" && -x "$candidate/bin/javac" ]] || continue
    if (($(java_major "$candidate") >= 21)); then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
if ! JAVA_HOME="$(find_jdk)"; then
  echo "run-suite: no JDK 21+ found (android-all 36 needs one); set LOGTO_ROBOLECTRIC_JDK" >&2
  exit 2
fi
export JAVA_HOME
# Maven 3.8's bundled Guava warns about sun.misc.Unsafe on JDK 24+; allow it quietly there.
if (($(java_major "$JAVA_HOME") >= 24)); then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
command -v python3 >/dev/null || { echo "run-suite: python3 is required (aapt2/manifest merger driver)" >&2; exit 2; }

# The platform is rebuilt when its inputs changed since the last install (CI starts clean anyway).
stamp="$here/platform/target/platform/installed.stamp"
if [[ ! -f "$stamp" || -n "$(find "$here/pom.xml" "$here/platform/pom.xml" "$here/android-resources.py" -newer "$stamp" 2>/dev/null)" ]]; then
  echo "run-suite: installing android/robolectric (androidx AARs, aapt2, android-all) with $JAVA_HOME"
  mvn -B -ntp -q -f "$here/pom.xml" install
  touch "$stamp"
fi

log="$(mktemp "${TMPDIR:-/tmp}/robolectric-suite.XXXXXX")"
status=0
(cd "$module" && mvn -B -ntp -Dstyle.color=never clean test "$@") >"$log" 2>&1 || status=$?
# Keep Maven's errors, the compilers' messages and Surefire's results; the dev IdP's and Robolectric's logs are noise.
sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^\[(ERROR|WARNING)\]|^e: |^\[INFO\] (Tests run|BUILD)|Tests run:.* -- in ' \
  | grep -v -E 'POM for .* is missing|deprecated|Source root doesn' || true
if [[ "$status" != 0 ]]; then
  echo "run-suite: $module failed; the last lines of its log:" >&2
  tail -n 80 "$log" >&2
fi
rm -f "$log"
exit "$status"
