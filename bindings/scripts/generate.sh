#!/usr/bin/env bash
# Builds liblogto_uniffi for the host and generates the bindings from it (library mode, unstripped library):
#
#   Kotlin → android/logto-kotlin/src/main/kotlin/dev/logtocore/ffi/logto_uniffi.kt
#   Swift  → ios/Sources/LogtoNative/Generated/LogtoNative.swift
#   C      → ios/Generated/LogtoFFI.h + ios/Generated/module.modulemap   (the XCFramework's Headers/)
#
# The generated files are committed (so the Android and iOS layers build without Rust bindgen, and API changes show
# up in review). Run this after changing bindings/ or core's public API, and commit the result.
#
# Usage: bindings/scripts/generate.sh [--check] [--release] [--lib PATH]
#   --check    generate into a temporary directory and fail (exit 1) if the committed files differ
#   --release  build and generate from the release profile instead of debug
#   --lib P    generate from this already-built library (any target: .so, .dylib or .a) instead of building
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

check=0 profile=debug lib=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --check) check=1 ;;
    --release) profile=release ;;
    --lib) lib="$2"; shift ;;
    *) echo "usage: $0 [--check] [--release] [--lib PATH]" >&2; exit 2 ;;
  esac
  shift
done

if [[ -z "$lib" ]]; then
  cargo_profile=()
  [[ "$profile" == release ]] && cargo_profile=(--release)
  cargo build -q -p logto-uniffi "${cargo_profile[@]}"
  case "$(uname -s)" in
    Darwin) ext=dylib ;;
    *) ext=so ;;
  esac
  lib="$target_dir/$profile/liblogto_uniffi.$ext"
fi
[[ -f "$lib" ]] || { echo "generate.sh: library not found: $lib" >&2; exit 1; }

# The workspace's own generator: same uniffi version as the library, always.
cargo build -q -p uniffi-bindgen
bindgen="$target_dir/debug/uniffi-bindgen"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$bindgen" generate "$lib" --language kotlin --language swift --no-format --out-dir "$out/raw" >/dev/null

# Lay the files out as they are committed.
mkdir -p "$out/tree/android/logto-kotlin/src/main/kotlin/dev/logtocore/ffi" \
  "$out/tree/ios/Sources/LogtoNative/Generated" "$out/tree/ios/Generated"
cp "$out/raw/dev/logtocore/ffi/logto_uniffi.kt" "$out/tree/android/logto-kotlin/src/main/kotlin/dev/logtocore/ffi/"
cp "$out/raw/LogtoNative.swift" "$out/tree/ios/Sources/LogtoNative/Generated/"
cp "$out/raw/LogtoFFI.h" "$out/tree/ios/Generated/"
cp "$out/raw/LogtoFFI.modulemap" "$out/tree/ios/Generated/module.modulemap"

files=(
  android/logto-kotlin/src/main/kotlin/dev/logtocore/ffi/logto_uniffi.kt
  ios/Sources/LogtoNative/Generated/LogtoNative.swift
  ios/Generated/LogtoFFI.h
  ios/Generated/module.modulemap
)

if [[ "$check" == 1 ]]; then
  stale=0
  for f in "${files[@]}"; do
    if ! cmp -s "$out/tree/$f" "$root/$f"; then
      echo "generate.sh --check: $f is not what the current sources generate" >&2
      diff -u "$root/$f" "$out/tree/$f" 2>/dev/null | head -40 >&2 || true
      stale=1
    fi
  done
  if [[ "$stale" == 1 ]]; then
    echo "generate.sh --check: run bindings/scripts/generate.sh and commit the result" >&2
    exit 1
  fi
  echo "generate.sh --check: generated bindings are up to date (${#files[@]} files)"
else
  for f in "${files[@]}"; do
    mkdir -p "$(dirname "$root/$f")"
    cp "$out/tree/$f" "$root/$f"
  done
  echo "generate.sh: generated ${#files[@]} files from $lib"
fi
