#!/usr/bin/env bash
# Type-checks logto-core (and its TLS/crypto stack) and the native library crate (its JNI entry point) for
# aarch64-linux-android, the main Android ABI.
# No Android NDK exists on these machines: Debian's clang compiles ring's C files against glibc's aarch64 headers,
# which stand in for the NDK sysroot. This proves the Rust code and its dependencies build for Android; linking a
# real .so still needs the NDK (see android/README.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! rustup target list --installed | grep -qx aarch64-linux-android; then
  if ! rustup target add aarch64-linux-android; then
    echo "SKIPPED: the aarch64-linux-android Rust target could not be installed on this machine" >&2
    exit 0
  fi
fi
[ -f /usr/aarch64-linux-gnu/include/stdint.h ] || {
  echo "glibc's aarch64 headers are missing: run tools/setup.sh (apt-get install libc6-dev-arm64-cross)" >&2
  exit 1
}
CC_aarch64_linux_android=clang \
CFLAGS_aarch64_linux_android="--target=aarch64-linux-android24 -isystem /usr/aarch64-linux-gnu/include" \
AR_aarch64_linux_android=llvm-ar \
  cargo check -p logto-core -p logto-uniffi --target aarch64-linux-android --locked
echo "logto-core and logto-uniffi (with the JNI set-up of the platform trust store) type-check for aarch64-linux-android"
