#!/usr/bin/env bash
# Installs what the demo and the tests need on a fresh Debian machine (idempotent; quick when all is present).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need_apt=()
command -v cargo >/dev/null || { echo "Rust (cargo) is required: https://rustup.rs" >&2; exit 1; }
command -v node >/dev/null || need_apt+=(nodejs npm)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v clang >/dev/null || need_apt+=(clang)
command -v llvm-ar >/dev/null || need_apt+=(llvm)
command -v python3 >/dev/null || need_apt+=(python3)
command -v java >/dev/null || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need_apt+=(maven)
# 64-bit ARM: glibc's aarch64 headers (ring's C files for tools/check-android-target.sh, where no NDK exists), and
# the cross gcc and qemu-user that run the core's tests on aarch64 (tools/test-aarch64.sh).
[ -f /usr/aarch64-linux-gnu/include/stdint.h ] || need_apt+=(libc6-dev-arm64-cross)
command -v aarch64-linux-gnu-gcc >/dev/null || need_apt+=(gcc-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null || need_apt+=(qemu-user)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing with apt-get: ${need_apt[*]}"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# cargo-fuzz (tools/fuzz.sh) on the nightly toolchain; installed once, with its own lock file.
if ! command -v cargo-fuzz >/dev/null; then
  rustup toolchain list 2>/dev/null | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  cargo install cargo-fuzz --locked
fi

npm_ci() { # npm ci in $1 unless node_modules is newer than the lock file
  local dir="$root/$1"
  [ -f "$dir/package-lock.json" ] || return 0
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_ci tools/dev-idp
