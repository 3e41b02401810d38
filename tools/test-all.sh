#!/usr/bin/env bash
# Runs every test of the project from a fresh checkout, installing what it needs first.
# Usage: bash tools/test-all.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

section() { printf '\n==== %s ====\n' "$*"; }

section "prerequisites"
bash tools/setup.sh

section "Rust: logto-core unit, conformance and end-to-end tests (dev IdP)"
cargo test -p logto-core --locked
cargo clippy -p logto-core --all-targets --locked -- -D warnings
# The benchmark (tools/bench) is a measurement and is not run here; it is only kept compiling.
cargo clippy -p logto-bench --locked -- -D warnings
cargo fmt -p logto-core -p logto-uniffi -p logto-bench -- --check

# The fuzzing entry points (feature `fuzzing`, used only by fuzz/) stay lint-clean too.
cargo clippy -p logto-core --all-targets --features fuzzing --locked -- -D warnings

section "Fuzzing smoke test: every cargo-fuzz target of fuzz/ for 20 s (crashes saved to fuzz/regressions/)"
bash tools/fuzz.sh 20

section "logto-core builds for Android (cargo check, aarch64-linux-android)"
bash tools/check-android-target.sh

section "logto-core on 64-bit ARM: unit, conformance and TLS tests under qemu-user (graviola's and ring's ARM code)"
bash tools/test-aarch64.sh

section "dev IdP self-test (Node 22)"
(cd tools/dev-idp && npm test)

section "Alipay (Web) sign-in story: Rust desktop example + headless Chromium + dev IdP with the Alipay connector"
bash tools/demo/test.sh

section "Native libraries: UniFFI bindings (generated files current), Swift header/symbol/checksum checks, Kotlin on the JVM"
bash bindings/scripts/test-all.sh

section "Capacitor plugin: typecheck, build, vitest, Chromium e2e (dev IdP), Capacitor 8 CLI wiring"
bash capacitor-plugin/scripts/test-all.sh

section "all tests passed"
