#!/usr/bin/env bash
# Runs logto-core's tests on 64-bit ARM, the CPU of nearly every phone, under qemu-user (CPU model `max`: NEON, AES,
# PMULL, SHA-2, as arm64 phones have). This is where the ARM code paths of our crypto run, which the x86_64 tests never
# reach: graviola's aarch64 P-384 (ES384 ID tokens; jwt::tests::es384_answers_the_same_on_graviola_and_ring checks it
# gives ring's answer on every case and is the one chosen on such a CPU) and ring's aarch64 assembly (TLS, SHA-2,
# ES256/RS256/PS256).
# Target aarch64-unknown-linux-gnu (Debian's cross gcc and glibc, which exist here; the Android NDK does not): the
# same instruction set and the same Rust code as aarch64-linux-android.
# Needs qemu-user, gcc-aarch64-linux-gnu and libc6-dev-arm64-cross (tools/setup.sh installs them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target=aarch64-unknown-linux-gnu
if ! rustup target list --installed | grep -qx "$target"; then
  if ! rustup target add "$target"; then
    echo "SKIPPED: the $target Rust target could not be installed on this machine" >&2
    exit 0
  fi
fi
if ! command -v qemu-aarch64 >/dev/null || ! command -v aarch64-linux-gnu-gcc >/dev/null \
  || [ ! -f /usr/aarch64-linux-gnu/include/stdint.h ]; then
  echo "the aarch64 cross tools are missing: run tools/setup.sh" \
    "(apt-get install qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross)" >&2
  exit 1
fi
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -cpu max -L /usr/aarch64-linux-gnu"
# Unit tests (JWT and its crypto, PKCE, sessions, storage, …), the protocol conformance tests and the TLS tests
# (private CA, the kept and left-out TLS parameters).
cargo test -p logto-core --locked --target "$target" --lib --test conformance --test tls
echo "logto-core's unit, conformance and TLS tests pass on aarch64 (qemu-user, CPU model max)"
