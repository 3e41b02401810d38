#!/usr/bin/env bash
# Can an app that installs the packed plugin from npm build its Android half without this repository?
# scripts/check-packed-android.mjs answers for one tarball; this test runs it on two:
#
#   1. the tarball of this checkout as it is (`npm pack`): it has no logto-android AAR, so the check must FAIL and
#      name dev.logtocore:logto-android (what every app got before the release shipped the AAR);
#   2. the same tarball with android/maven filled the way the release workflow fills it: a Maven repository
#      (deploy-file layout: POM, AAR, checksums, maven-metadata.xml) holding dev.logtocore:logto-android at the
#      package's version, whose POM lists the dependencies android/logto-android/build.gradle.kts declares. The
#      check must PASS: every coordinate comes from the tarball or a public registry.
#
# The AAR of step 2 is a STAND-IN for the one the release builds with Gradle and cargo-ndk (no Android SDK or NDK
# here): the library's manifest, its consumer R8 rules, and its classes when android/logto-android/target/classes
# exists (the Robolectric suite compiled them), but no liblogto_uniffi.so. The release workflow runs the same check
# on the real tarball before `npm publish`.
#
# Usage: scripts/test-packed-android.sh   (after `npm run build`; needs node, Maven, zip/unzip-free: uses python3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$here/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/packed-android.XXXXXX")"
trap 'rm -rf "$work"' EXIT
pass=0
fail=0
outcome() { # outcome <ok?> <description>
  if [[ "$1" == 0 ]]; then
    echo "ok   - $2"
    pass=$((pass + 1))
  else
    echo "FAIL - $2"
    fail=$((fail + 1))
  fi
}

# --- 1. the development tarball --------------------------------------------------------------------------------
tarball="$(cd "$here" && npm pack --ignore-scripts --silent --pack-destination "$work" | tail -n 1)"
status=0
node "$here/scripts/check-packed-android.mjs" "$work/$tarball" >"$work/dev.log" 2>&1 || status=$?
sed 's/^/    /' "$work/dev.log"
grep -q "FAIL - dev.logtocore:logto-android:.* is in the tarball's android/maven" "$work/dev.log"
outcome $? "a tarball without the AAR fails the check, naming dev.logtocore:logto-android"
[[ "$status" != 0 ]]
outcome $? "the check exits non-zero for it"

# --- 2. the tarball as the release fills it ---------------------------------------------------------------------
mkdir -p "$work/release"
tar -xzf "$work/$tarball" -C "$work/release"
version="$(node -p "require('$work/release/package/package.json').version")"

# The POM Gradle's maven-publish writes for the library: its implementation dependencies, runtime scope.
python3 - "$repo/android/logto-android/build.gradle.kts" "$version" "$repo/Cargo.lock" >"$work/logto-android.pom" <<'PY'
import re, sys
gradle, version = open(sys.argv[1]).read(), sys.argv[2]
# build.gradle.kts takes rustls-platform-verifier's version from the workspace's Cargo.lock (the Rust half and the
# Kotlin half must match); Gradle writes the resolved version into the POM.
lock = open(sys.argv[3]).read()
rpv = re.search(r'name = "rustls-platform-verifier-android"\nversion = "([^"]+)"', lock).group(1)
gradle = gradle.replace("${rustlsPlatformVerifierAndroidVersion()}", rpv)
deps = []
for g, a, v, t in re.findall(r'^\s*implementation\("([^:"]+):([^:"]+):([^@"]+)(?:@(\w+))?"\)', gradle, re.M):
    type_ = f"<type>{t}</type>" if t else ""
    deps.append(f"<dependency><groupId>{g}</groupId><artifactId>{a}</artifactId><version>{v}</version>{type_}<scope>runtime</scope></dependency>")
print(f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>dev.logtocore</groupId><artifactId>logto-android</artifactId><version>{version}</version><packaging>aar</packaging>
<dependencies>{''.join(deps)}</dependencies></project>""")
PY

# The stand-in AAR (see above).
python3 - "$repo/android/logto-android" "$work/logto-android.aar" <<'PY'
import io, os, re, sys, zipfile
lib, out = sys.argv[1], sys.argv[2]
manifest = open(os.path.join(lib, "src/main/AndroidManifest.xml")).read()
manifest = re.sub(r"<manifest\b", '<manifest package="dev.logtocore.android"', manifest, count=1)
classes = io.BytesIO()
with zipfile.ZipFile(classes, "w") as jar:
    root = os.path.join(lib, "target/classes")
    for base, _, files in os.walk(root):
        for name in files:
            if name.endswith(".class"):
                path = os.path.join(base, name)
                jar.write(path, os.path.relpath(path, root))
with zipfile.ZipFile(out, "w") as aar:
    aar.writestr("AndroidManifest.xml", manifest)
    aar.writestr("classes.jar", classes.getvalue())
    aar.writestr("proguard.txt", open(os.path.join(lib, "consumer-rules.pro")).read())
    aar.writestr("R.txt", "")
PY

mvn -B -ntp -q -Dstyle.color=never org.apache.maven.plugins:maven-deploy-plugin:3.1.4:deploy-file \
  -Durl="file://$work/release/package/android/maven" -Dfile="$work/logto-android.aar" \
  -DpomFile="$work/logto-android.pom" -Dpackaging=aar >"$work/deploy.log" 2>&1 || { cat "$work/deploy.log"; exit 1; }
(cd "$work/release" && tar -czf "$work/release.tgz" package)
status=0
node "$here/scripts/check-packed-android.mjs" "$work/release.tgz" >"$work/release.log" 2>&1 || status=$?
sed 's/^/    /' "$work/release.log"
[[ "$status" == 0 ]]
outcome $? "the tarball with android/maven filled as the release does passes the check"

echo
echo "packed-android wiring: $pass passed, $fail failed"
[[ "$fail" == 0 ]]
