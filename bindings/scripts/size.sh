#!/usr/bin/env bash
# The size budget of the native library: builds liblogto_uniffi for the host with the size-tuned release profile
# (root Cargo.toml: opt-level z, LTO, codegen-units 1, panic = unwind so the FFI boundary can catch panics; linker
# settings in bindings/build.rs), proves that LTO really ran, checks that bindings generated from the unstripped
# library match the committed ones, then strips a copy, prints its size and fails above the budget.
#
#   budget: 2,621,440 bytes (2.5 MiB) stripped, host x86_64 Linux (the stand-in for one Android ABI)
#
# Generation must happen before stripping: uniffi-bindgen reads the UNIFFI_META_* symbols from .symtab, which
# `strip` removes.
#
# Usage: bindings/scripts/size.sh [--sections]   (--sections: also print the ELF section sizes)
set -euo pipefail

budget=2621440
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

# LTO: cargo passes `-C lto` only when every crate type of the library can take it (an rlib among them silently turns
# the profile's `lto = true` off). The rustc line of the library must carry it. A fresh (up-to-date) library prints
# no rustc line, so the library crate alone is rebuilt then (bindings only, not its dependencies).
build_log="$(mktemp)"
out="$(mktemp -d)"
trap 'rm -rf "$out" "$build_log"' EXIT
build() { cargo build --release --locked -p logto-uniffi -v 2>&1 | tee "$build_log" | grep -E '^(error|warning)' || true; }
build
if ! grep -q -- '--crate-name logto_uniffi' "$build_log"; then
  touch bindings/src/lib.rs
  build
fi
rustc_line="$(grep -- '--crate-name logto_uniffi' "$build_log" || true)"
[[ -n "$rustc_line" ]] || { echo "size.sh: the release build did not compile logto_uniffi:" >&2; tail -20 "$build_log" >&2; exit 1; }
crate_types="$(grep -oE -- '--crate-type [a-z]+' <<<"$rustc_line" | awk '{ print $2 }' | paste -sd ' ')"
if ! grep -qE -- '-C lto( |$|=)' <<<"$rustc_line"; then
  echo "size.sh: LTO did not run: the rustc line of logto_uniffi (crate types: $crate_types) has no -C lto" >&2
  exit 1
fi

lib="${CARGO_TARGET_DIR:-$root/target}/release/liblogto_uniffi.so"
bindings/scripts/generate.sh --check --lib "$lib"

cp "$lib" "$out/liblogto_uniffi.so"
strip --strip-all "$out/liblogto_uniffi.so"

unstripped=$(stat -c %s "$lib")
stripped=$(stat -c %s "$out/liblogto_uniffi.so")
gzipped=$(gzip -9 -c "$out/liblogto_uniffi.so" | wc -c)
relocations="$(readelf -d "$out/liblogto_uniffi.so" | grep -q '(RELR)' && echo "packed (RELR)" || echo "not packed")"
mib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1048576 }'; }
echo "target:      $(rustc -vV | sed -n 's/^host: //p')"
echo "LTO:         yes (-C lto on the rustc line; crate types: $crate_types)"
echo "relocations: $relocations"
echo "unstripped:  $unstripped bytes ($(mib "$unstripped") MiB)"
echo "stripped:    $stripped bytes ($(mib "$stripped") MiB)"
echo "gzip -9:     $gzipped bytes ($(mib "$gzipped") MiB)"
echo "budget:      $budget bytes ($(mib "$budget") MiB) stripped; $((budget - stripped)) bytes left"
if [[ "${1:-}" == --sections ]]; then
  size -A "$out/liblogto_uniffi.so" | awk 'NR > 2 && $2 > 4096 { printf "  %-20s %9d\n", $1, $2 }' | sort -k2 -n -r
fi
if ((stripped > budget)); then
  echo "size.sh: the stripped library is $stripped bytes, over the budget of $budget (2.5 MiB)" >&2
  exit 1
fi
