#!/usr/bin/env bash
# The Swift side's checks on Linux (needs clang, nm, python3; root for step 5):
#   1. the generated C header compiles (C11, -Wall -Wextra -Werror) and loads as a Clang module through the
#      generated module map (`@import LogtoFFI`), and a tiny C program linked against the library runs;
#   2. every function the header declares is exported by the built library (.so and .a);
#   3. the API checksums and the contract version that the generated Swift (and Kotlin) expect match what the
#      library's `uniffi_*_checksum_*` functions return (called through Python ctypes);
#   4. packaging: Apple-only imports sit behind `#if canImport(...)`, both Package.swift files and podspecs agree
#      (tools version, paths, versions, search paths), the privacy manifest is well-formed and covers what the Swift
#      sources use (scripts/check-packaging.py);
#   5. the Swift package compiles with a real Swift compiler (Debian's swiftlang) and its XCTest suite runs:
#      generated bindings + platform-neutral layer, linked to the library (scripts/check-swift.sh). Set
#      LOGTO_SKIP_SWIFT=1 to leave this step out (e.g. on a machine where you are not root).
#
# Usage: ios/scripts/check.sh [path/to/liblogto_uniffi.so]   (default: target/debug; the .a next to it is checked too)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
so="${1:-${CARGO_TARGET_DIR:-$root/target}/debug/liblogto_uniffi.so}"
a="${so%.so}.a"
gen="$root/ios/Generated"
swift="$root/ios/Sources/LogtoNative/Generated/LogtoNative.swift"
kotlin="$root/android/logto-kotlin/src/main/kotlin/dev/logtocore/ffi/logto_uniffi.kt"

for tool in clang nm python3; do
  command -v "$tool" >/dev/null || { echo "check.sh: $tool is required (apt-get install clang binutils python3)" >&2; exit 1; }
done
[[ -f "$so" ]] || { echo "check.sh: library not found: $so (run cargo build -p logto-uniffi)" >&2; exit 1; }
[[ -f "$a" ]] || { echo "check.sh: static library not found: $a" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# 1. Header and module map.
cat > "$tmp/smoke.c" <<'C'
#include <stdio.h>
#include "LogtoFFI.h"
int main(void) {
    printf("contract=%u checksum_default_logto_config=%u\n",
           (unsigned)ffi_logto_uniffi_uniffi_contract_version(),
           (unsigned)uniffi_logto_uniffi_checksum_func_default_logto_config());
    return 0;
}
C
clang -std=c11 -Wall -Wextra -Werror -fsyntax-only -I "$gen" "$tmp/smoke.c"
cat > "$tmp/module.m" <<'OBJC'
@import LogtoFFI;
int main(void) { return (int)ffi_logto_uniffi_uniffi_contract_version() == 0; }
OBJC
clang -fmodules -fmodules-cache-path="$tmp/module-cache" -fmodule-map-file="$gen/module.modulemap" -I "$gen" \
  -Werror -fsyntax-only -x objective-c "$tmp/module.m"
clang -std=c11 -I "$gen" "$tmp/smoke.c" -L "$(dirname "$so")" -llogto_uniffi -Wl,-rpath,"$(dirname "$so")" -o "$tmp/smoke"
echo "header: compiles as C11 and as module LogtoFFI; linked program says: $("$tmp/smoke")"

# 2. Every declared function is exported.
grep -oE '\b(uniffi|ffi)_logto_uniffi_[A-Za-z0-9_]+\(' "$gen/LogtoFFI.h" | tr -d '(' | sort -u > "$tmp/declared"
nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' | sort -u > "$tmp/exported_so"
nm --defined-only "$a" 2>/dev/null | awk '$2 == "T" { print $3 }' | sort -u > "$tmp/exported_a"
missing=0
for lib in so a; do
  if ! comm -23 "$tmp/declared" "$tmp/exported_$lib" > "$tmp/missing_$lib" || [[ -s "$tmp/missing_$lib" ]]; then
    echo "symbols: declared in LogtoFFI.h but not exported by the .$lib:" >&2
    cat "$tmp/missing_$lib" >&2
    missing=1
  fi
done
[[ "$missing" == 0 ]] || exit 1
echo "symbols: all $(wc -l < "$tmp/declared") functions declared in LogtoFFI.h are exported by the .so and the .a"

# 3. Checksums and contract version, as the generated Swift and Kotlin check them at load time.
python3 - "$so" "$swift" "$kotlin" "$tmp/exported_so" <<'PY'
import ctypes, re, sys
so, swift_path, kotlin_path, exported_path = sys.argv[1:]
lib = ctypes.CDLL(so)
exported = {l.strip() for l in open(exported_path) if "_checksum_" in l}
failed = False
for lang, path, checksum_re, contract_re in [
    ("Swift", swift_path, r"\b(uniffi_logto_uniffi_checksum_\w+)\(\) != (\d+)", r"let bindings_contract_version = (\d+)"),
    ("Kotlin", kotlin_path, r"lib\.(uniffi_logto_uniffi_checksum_\w+)\(\) and 0xFFFF\) != (\d+)", r"val bindings_contract_version = (\d+)"),
]:
    text = open(path, encoding="utf-8").read()
    expected = dict((name, int(value)) for name, value in re.findall(checksum_re, text))
    fn = lib.ffi_logto_uniffi_uniffi_contract_version
    fn.restype = ctypes.c_uint32
    contract = int(re.search(contract_re, text).group(1))
    if fn() != contract:
        print(f"checksums: {lang} expects contract {contract}, library has {fn()}", file=sys.stderr)
        failed = True
    for name, value in sorted(expected.items()):
        f = getattr(lib, name)
        f.restype = ctypes.c_uint16
        if f() != value:
            print(f"checksums: {lang} expects {name} = {value}, library returns {f()}", file=sys.stderr)
            failed = True
    unchecked = exported - set(expected)
    if unchecked:
        print(f"checksums: {lang} bindings do not check {sorted(unchecked)} (stale bindings?)", file=sys.stderr)
        failed = True
    if not expected:
        print(f"checksums: found no checksum checks in {path}", file=sys.stderr)
        failed = True
    print(f"checksums: {lang}: contract {contract} and {len(expected)} checksums match the library")
sys.exit(1 if failed else 0)
PY
# 4. Packaging and privacy manifest.
python3 "$root/ios/scripts/check-packaging.py"

# 5. The Swift compiler.
if [[ "${LOGTO_SKIP_SWIFT:-}" == 1 ]]; then
  echo "check.sh: SKIPPED the Swift compile and XCTest run (LOGTO_SKIP_SWIFT=1)"
else
  "$root/ios/scripts/check-swift.sh" "$so"
fi
echo "check.sh: OK"
