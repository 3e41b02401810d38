#!/usr/bin/env bash
# The shipped library's dependency graph (normal dependencies of logto-uniffi, for every target we ship) holds:
#   1. one crypto stack: ring (TLS, and JWT verification through jsonwebtoken's CryptoProvider on ring) plus
#      RustCrypto's p521 for ES512 only, and on x86_64/aarch64 graviola for ES384's P-384 arithmetic only (twice as
#      fast as ring's; core/src/jwt/crypto.rs). None of jsonwebtoken's back ends (`rust_crypto`: rsa, p256, p384,
#      ed25519-dalek…; `aws_lc_rs`: aws-lc-rs) and no OpenSSL;
#   2. one version of each crypto crate (no second generation of sha2, digest, elliptic-curve, base64…).
# Other duplicate versions are listed for information. Dev-dependencies (the test signers use jsonwebtoken's
# RustCrypto back end) are not part of the library: resolver 3 keeps their features out of it, and this checks the
# graph cargo builds for the library, not Cargo.lock as a whole.
#
# Usage: bindings/scripts/check-deps.sh   (cargo tree only: no build, no network with a complete Cargo.lock)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

targets=(
  x86_64-unknown-linux-gnu
  aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android
  aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin
)
# A second crypto stack: any of these in the library is a failure.
forbidden=(rsa p256 p384 ed25519-dalek curve25519-dalek aws-lc-rs aws-lc-sys openssl openssl-sys boring-sys)
# Crates of which only one version may ship. getrandom is not on the list: ring 0.17 pins 0.2, the core uses 0.3,
# uniffi's tooling 0.4 (a few hundred bytes of system-call glue each, no cryptography).
crypto=(
  ring p521 ecdsa elliptic-curve primeorder primefield crypto-bigint crypto-common digest block-buffer sha1 sha2 sha3
  signature hmac rfc6979 subtle zeroize der spki pkcs1 pkcs8 sec1 base16ct base64ct base64 rand_core hybrid-array ff group
  rustls rustls-webpki webpki-roots jsonwebtoken graviola
)

failed=0
for target in "${targets[@]}"; do
  graph="$(cargo tree -q --locked -p logto-uniffi -e normal --target "$target" --prefix none --format '{p}' |
    awk '{ print $1, $2 }' | sort -u)"
  for name in "${forbidden[@]}"; do
    if grep -q "^$name " <<<"$graph"; then
      echo "check-deps: $target: $name is in the library (a second crypto stack):" >&2
      cargo tree -q --locked -p logto-uniffi -e normal --target "$target" -i "$name" >&2 || true
      failed=1
    fi
  done
  dups="$(awk '{ print $1 }' <<<"$graph" | uniq -d)"
  for name in $dups; do
    versions="$(awk -v n="$name" '$1 == n { printf "%s ", $2 }' <<<"$graph")"
    if printf '%s\n' "${crypto[@]}" | grep -qx "$name"; then
      echo "check-deps: $target: two versions of crypto crate $name: $versions" >&2
      failed=1
    else
      echo "check-deps: $target: (info) $name $versions"
    fi
  done
done
[[ "$failed" == 0 ]] || exit 1
echo "check-deps: one crypto stack (ring + p521 for ES512 + graviola for ES384 on 64-bit), one version of each crypto crate, on ${#targets[@]} targets"
