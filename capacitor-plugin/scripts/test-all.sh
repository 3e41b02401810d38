#!/usr/bin/env bash
# Everything for logto-native-capacitor, from a clean checkout:
#   npm ci → docgen check → typecheck → lint → build (warnings are errors)
#   → vitest → Chromium e2e against tools/dev-idp → Capacitor CLI wiring
#   → packed tarball: its Android dependencies resolve without this repository
#   → API contract vs @logto/capacitor 4.0.7 + the packed package in every TS module mode, Vite, webpack
#   → iOS half: symbol/label check of the Swift sources (no Swift compiler)
#   → Android half on the JVM: JUnit tests of the implementation class
#     against the real Rust core (liblogto_uniffi.so, built with cargo when
#     missing) and the dev IdP, then the whole plugin with Capacitor's own
#     Android sources on the real framework under Robolectric (android-all 36,
#     androidx, a BridgeActivity app; JDK 21+) (when a JDK and Maven exist).
# Exits non-zero if any step fails. Expects Debian's chromium at
# /usr/bin/chromium (apt-get update && apt-get install -y chromium).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

logs="$(mktemp -d "${TMPDIR:-/tmp}/logto-native-test-all.XXXXXX")"
trap 'rm -rf "$logs"' EXIT
results=()
step_count=0
tests_passed=0
tests_failed=0
failed=0
passed=0
skipped=0
started=$SECONDS

step() { # step <name> <command...>
  local name="$1"
  shift
  local t0=$SECONDS
  step_count=$((step_count + 1))
  local log="$logs/$step_count.log"
  echo
  echo "=== $name"
  "$@" 2>&1 | tee "$log"
  local status="${PIPESTATUS[0]}"
  count_tests "$log" "$status"
  if [[ "$status" == 0 ]]; then
    results+=("ok    $name ($((SECONDS - t0)) s)")
    passed=$((passed + 1))
    return 0
  fi
  results+=("FAIL  $name ($((SECONDS - t0)) s)")
  failed=$((failed + 1))
  return 1
}

# Adds the test counts a step printed (vitest, node:test, the wiring checks,
# Maven Surefire) to the totals; a failed step without counts adds one failure.
count_tests() { # count_tests <log> <status>
  local counts
  counts="$(node -e '
const text = require("fs").readFileSync(process.argv[1], "utf8").replace(/\x1b\[[0-9;]*m/g, "");
let pass = 0, fail = 0, m;
if ((m = /^\s*Tests\s+(?:(\d+) failed \| )?(\d+) passed/m.exec(text))) { fail += +(m[1] ?? 0); pass += +m[2]; }
else if ((m = /^\s*Tests\s+(\d+) failed/m.exec(text))) { fail += +m[1]; }
if ((m = /^ℹ pass (\d+)$/m.exec(text))) pass += +m[1];
if ((m = /^ℹ fail (\d+)$/m.exec(text))) fail += +m[1];
if ((m = /^cap-cli wiring: (\d+) passed, (\d+) failed$/m.exec(text))) { pass += +m[1]; fail += +m[2]; }
if ((m = /^packed-android wiring: (\d+) passed, (\d+) failed$/m.exec(text))) { pass += +m[1]; fail += +m[2]; }
if ((m = /^contract: (\d+) passed, (\d+) failed$/m.exec(text))) { pass += +m[1]; fail += +m[2]; }
for (const r of text.matchAll(/Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)/g)) {
  if (/ -- in /.test(r.input.slice(r.index, r.input.indexOf("\n", r.index)))) {
    pass += r[1] - r[2] - r[3] - r[4]; fail += +r[2] + +r[3];
  }
}
console.log(`${pass} ${fail}`);
' "$1")" || counts="0 0"
  local p f
  read -r p f <<<"$counts"
  if [[ "$2" != 0 && "$f" == 0 ]]; then
    f=1
  fi
  tests_passed=$((tests_passed + p))
  tests_failed=$((tests_failed + f))
}

skip() { # skip <name> <reason>
  echo
  echo "=== $1: SKIPPED ($2)"
  results+=("skip  $1: $2")
  skipped=$((skipped + 1))
}

summary() {
  echo
  echo "=== summary ($((SECONDS - started)) s)"
  printf '%s\n' "${results[@]}"
  echo "steps: $passed ok, $failed failed, $skipped skipped"
  echo "test-all: $tests_passed passed, $tests_failed failed"
}

if ! step "npm ci" npm ci --no-audit --no-fund; then
  summary
  exit 1
fi

step "docgen check (README.md API section)" npm run --silent docgen:check
step "typecheck (src, tests, example)" npm run --silent typecheck
step "lint (eslint, prettier)" npm run --silent lint
if step "build (tsc + rollup, no warnings)" npm run --silent build; then
  step "unit tests (vitest)" npx vitest run
  if [[ -x /usr/bin/chromium || -n "${CHROMIUM_PATH:-}" ]]; then
    step "web e2e (example app + dev IdP + Chromium)" npm run --silent test:e2e
  else
    echo "ERROR: /usr/bin/chromium is missing: run 'apt-get update && apt-get install -y chromium' first." >&2
    results+=("FAIL  web e2e: /usr/bin/chromium missing (apt-get install -y chromium)")
    failed=$((failed + 1))
    tests_failed=$((tests_failed + 1))
  fi
  step "Capacitor CLI wiring (cap add/sync with Node 22)" bash scripts/test-cap-cli.sh
  step "Packed plugin: its Android dependencies come from the tarball or a public registry" \
    bash scripts/test-packed-android.sh
  step "API contract vs @logto/capacitor 4.0.7; packed package in every TS module mode, Node, Vite, webpack" \
    node scripts/test-contract.mjs
  step "iOS half: Swift symbols and labels against ios/Sources and @capacitor/ios (no Swift compiler here)" \
    node scripts/check-ios-symbols.mjs
else
  step "unit tests (vitest)" npx vitest run
  results+=("FAIL  web e2e, Capacitor CLI wiring and API contract: not run, the build failed")
  failed=$((failed + 1))
  tests_failed=$((tests_failed + 1))
fi

if command -v mvn >/dev/null && command -v javac >/dev/null; then
  step "Android implementation on the JVM (real core + dev IdP, JUnit)" bash scripts/test-android-jvm.sh tests
  step "Android plugin in a Capacitor app under Robolectric (android-all 36, real Capacitor, dev IdP)" \
    bash scripts/test-android-jvm.sh robolectric
else
  skip "Android half on the JVM" "needs mvn and a JDK"
fi

summary
[[ "$failed" == 0 ]]
