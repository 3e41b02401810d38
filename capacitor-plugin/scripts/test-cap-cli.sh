#!/usr/bin/env bash
# Capacitor CLI wiring test: packs this plugin, creates a fresh minimal
# Capacitor 8 app in a temp dir, installs the tarball plus @capacitor/core,
# cli, android and ios 8.x, runs `cap add android`, `cap add ios` and
# `cap sync` with Node 22 (Capacitor CLI 8 requires Node >= 22; the host may
# run Node 20, so Node 22 comes from the npm package `node@22`, installed into
# a cache dir), and asserts that the native projects reference the plugin.
# Also asserts the contents of `npm pack --dry-run`.
#
# Needs no Android SDK, Gradle, Xcode or CocoaPods: it checks generated files only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cap_version="8.5.2"
node22_version="22.23.3"
cache="${LOGTO_CAP_CLI_CACHE:-${TMPDIR:-/tmp}/logto-native-cap-cli-cache}"
work="$(mktemp -d "${TMPDIR:-/tmp}/logto-native-cap-cli.XXXXXX")"
keep="${KEEP_CAP_CLI_TMP:-0}"
cleanup() { if [[ "$keep" != 1 ]]; then rm -rf "$work"; else echo "kept $work"; fi; }
trap cleanup EXIT

pass=0
fail=0
check() { # check <description> <command...>
  local description="$1"
  shift
  if "$@" >/dev/null 2>&1; then
    echo "ok   - $description"
    pass=$((pass + 1))
  else
    echo "FAIL - $description"
    fail=$((fail + 1))
  fi
}

log() { echo "[cap-cli] $*"; }

# --- npm pack --dry-run contents -------------------------------------------
log "npm pack --dry-run"
(cd "$here" && npm pack --dry-run --json --ignore-scripts >"$work/pack.json" 2>"$work/pack.err")
node -e '
const [{ files }] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
require("fs").writeFileSync(process.argv[2], files.map((f) => f.path).join("\n") + "\n");
' "$work/pack.json" "$work/pack-files.txt"
for pattern in '^dist/esm/index\.js$' '^dist/esm/index\.d\.ts$' '^dist/esm/package\.json$' '^dist/cjs/index\.d\.ts$' \
  '^dist/cjs/package\.json$' '^dist/plugin\.js$' '^dist/plugin\.cjs\.js$' \
  '^dist/docs\.json$' '^android/src/main/AndroidManifest\.xml$' '^android/src/main/java/dev/logtocore/capacitor/LogtoNativePlugin\.kt$' \
  '^android/build\.gradle$' '^ios/Sources/LogtoNativePlugin/LogtoNativePlugin\.swift$' '^Package\.swift$' \
  '^LogtoNativeCapacitor\.podspec$' '^package\.json$' '^README\.md$'; do
  check "npm pack contains $pattern" grep -Eq "$pattern" "$work/pack-files.txt"
done
for pattern in '^src/' '^test/' '^e2e/' '^example/' '^contract/' '^node_modules/' '^android/src/test/'; do
  check "npm pack leaves out $pattern" bash -c "! grep -Eq '$pattern' '$work/pack-files.txt'"
done
# SwiftPM resolves every target of Package.swift, test targets included: each `path:` it declares must be packed
# (a missing one fails `npx cap sync` / Xcode's package resolution in the app).
swift_paths="$(grep -Eo 'path: "[^"]+"' "$here/Package.swift" | sed -E 's/path: "(.*)"/\1/')"
check "Package.swift declares target paths (found: $(echo $swift_paths))" test -n "$swift_paths"
for swift_path in $swift_paths; do
  check "npm pack contains Package.swift's $swift_path/ (with .swift files)" \
    grep -Eq "^${swift_path//./\\.}/.+\.swift$" "$work/pack-files.txt"
done

# --- Node 22 ----------------------------------------------------------------
node22="$cache/node22/node_modules/node/bin/node"
if [[ ! -x "$node22" ]] || [[ "$("$node22" --version 2>/dev/null)" != "v$node22_version" ]]; then
  log "installing node@$node22_version into $cache/node22"
  rm -rf "$cache/node22"
  mkdir -p "$cache/node22"
  # npm 11 runs dependency install scripts only when allowed; the `node`
  # package needs its preinstall (it installs the platform binary package).
  cat >"$cache/node22/package.json" <<JSON
{ "name": "node22-for-cap-cli", "private": true, "allowScripts": { "node": true } }
JSON
  (cd "$cache/node22" && npm install --no-audit --no-fund --save-exact "node@$node22_version" >"$work/node22-install.log" 2>&1) || {
    cat "$work/node22-install.log"
    exit 1
  }
fi
log "Node 22: $("$node22" --version) (host: $(node --version))"

# --- the packed plugin --------------------------------------------------------
log "npm pack (builds dist/ through prepack)"
tarball="$(cd "$here" && npm pack --pack-destination "$work" --silent 2>"$work/pack-build.log" | tail -n 1)"
[[ -f "$work/$tarball" ]] || { cat "$work/pack-build.log"; echo "npm pack produced no tarball"; exit 1; }

# --- a fresh Capacitor 8 app ----------------------------------------------------
app="$work/app"
mkdir -p "$app/www"
cat >"$app/package.json" <<JSON
{ "name": "cap-wiring-app", "version": "0.0.0", "private": true }
JSON
cat >"$app/capacitor.config.json" <<'JSON'
{ "appId": "dev.logtocore.wiring", "appName": "Wiring", "webDir": "www" }
JSON
cat >"$app/www/index.html" <<'HTML'
<!doctype html><html><head><meta charset="utf-8"><title>wiring</title></head><body>wiring</body></html>
HTML
log "npm install in the app"
(cd "$app" && npm install --no-audit --no-fund --save-exact \
  "@capacitor/core@$cap_version" "@capacitor/cli@$cap_version" "@capacitor/android@$cap_version" "@capacitor/ios@$cap_version" \
  "$work/$tarball" >"$work/app-install.log" 2>&1) || { cat "$work/app-install.log"; exit 1; }

cap() { (cd "$app" && "$node22" node_modules/@capacitor/cli/bin/capacitor "$@"); }
log "cap --version: $(cap --version)"

run_cap() { # run_cap <log name> <args...>
  local name="$1"
  shift
  if cap "$@" >"$work/$name.log" 2>&1; then
    log "cap $* → ok"
    sed 's/^/    /' "$work/$name.log" | tail -n 15
    return 0
  fi
  log "cap $* → FAILED"
  sed 's/^/    /' "$work/$name.log"
  return 1
}

check "cap add android" run_cap cap-add-android add android
check "cap add ios" run_cap cap-add-ios add ios
check "cap sync" run_cap cap-sync sync
for name in cap-add-android cap-add-ios cap-sync; do
  [[ -f "$work/$name.log" ]] && { echo "--- $name output ---"; cat "$work/$name.log"; }
done

# --- Android wiring ---------------------------------------------------------------
android="$app/android"
check "android/capacitor.settings.gradle includes the plugin project" \
  grep -Eq "include ':logto-native-capacitor'" "$android/capacitor.settings.gradle"
check "android/capacitor.settings.gradle points at the plugin's android dir" \
  grep -Eq "project\(':logto-native-capacitor'\)\.projectDir = new File\('\.\./node_modules/logto-native-capacitor/android'\)" \
  "$android/capacitor.settings.gradle"
check "android/app/capacitor.build.gradle depends on the plugin" \
  grep -Eq "implementation project\(':logto-native-capacitor'\)" "$android/app/capacitor.build.gradle"
plugins_json="$android/app/src/main/assets/capacitor.plugins.json"
check "android capacitor.plugins.json lists dev.logtocore.capacitor.LogtoNativePlugin" \
  node -e '
const list = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const entry = list.find((p) => p.pkg === "logto-native-capacitor");
if (!entry || entry.classpath !== "dev.logtocore.capacitor.LogtoNativePlugin") process.exit(1);
' "$plugins_json"
check "android web assets copied (public/index.html)" test -f "$android/app/src/main/assets/public/index.html"

# --- iOS wiring ---------------------------------------------------------------------
ios="$app/ios/App"
if [[ -f "$ios/CapApp-SPM/Package.swift" ]]; then
  log "iOS project uses Swift Package Manager (CapApp-SPM)"
  check "ios CapApp-SPM/Package.swift references the plugin package" \
    grep -Eq '\.package\(name: "LogtoNativeCapacitor", path: "[^"]*node_modules/logto-native-capacitor"\)' "$ios/CapApp-SPM/Package.swift"
  check "ios CapApp-SPM/Package.swift uses the LogtoNativeCapacitor product" \
    grep -Eq '\.product\(name: "LogtoNativeCapacitor", package: "LogtoNativeCapacitor"\)' "$ios/CapApp-SPM/Package.swift"
elif [[ -f "$ios/Podfile" ]]; then
  log "iOS project uses CocoaPods"
  check "ios Podfile references the plugin pod" \
    grep -Eq "pod 'LogtoNativeCapacitor', :path => '[^']*node_modules/logto-native-capacitor'" "$ios/Podfile"
else
  check "ios project has CapApp-SPM/Package.swift or a Podfile" false
fi
ios_config="$ios/App/capacitor.config.json"
check "ios capacitor.config.json packageClassList lists LogtoNativePlugin" \
  node -e '
const config = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (!(config.packageClassList ?? []).includes("LogtoNativePlugin")) process.exit(1);
' "$ios_config"
check "ios web assets copied (public/index.html)" test -f "$ios/App/public/index.html"

echo
echo "cap-cli wiring: $pass passed, $fail failed"
[[ "$fail" == 0 ]]
