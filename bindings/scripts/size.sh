#!/usr/bin/env bash
# Builds liblogto_uniffi for the host with the size-tuned release profile (root Cargo.toml: opt-level z, LTO,
# codegen-units 1, panic = unwind so the FFI boundary can catch panics), checks that bindings can be generated from
# the unstripped library and match the committed ones, then strips a copy and prints its size.
#
# Generation must happen before stripping: uniffi-bindgen reads the UNIFFI_META_* symbols from .symtab, which
# `strip` removes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

cargo build -q --release -p logto-uniffi
lib="${CARGO_TARGET_DIR:-$root/target}/release/liblogto_uniffi.so"
bindings/scripts/generate.sh --check --lib "$lib"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cp "$lib" "$out/liblogto_uniffi.so"
strip --strip-all "$out/liblogto_uniffi.so"

unstripped=$(stat -c %s "$lib")
stripped=$(stat -c %s "$out/liblogto_uniffi.so")
gzipped=$(gzip -9 -c "$out/liblogto_uniffi.so" | wc -c)
mib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1048576 }'; }
echo "target:     $(rustc -vV | sed -n 's/^host: //p')"
echo "unstripped: $unstripped bytes ($(mib "$unstripped") MiB)"
echo "stripped:   $stripped bytes ($(mib "$stripped") MiB)"
echo "gzip -9:    $gzipped bytes ($(mib "$gzipped") MiB)"
