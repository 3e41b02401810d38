#!/usr/bin/env bash
# Rewrites the fuzz targets' seed corpora (fuzz/seeds/<target>/) from real answers of the dev IdP: starts it on a
# free port, signs in headlessly, saves discovery, JWKS, token responses, ID tokens, user info, a callback URL and the
# stored session documents (core/tests/fuzz_seeds.rs). The seeds are committed; run this when the IdP's answers change.
# Usage: bash tools/fuzz-seeds.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash tools/setup.sh
rm -rf fuzz/seeds
cargo test -p logto-core --locked --features fuzzing --test fuzz_seeds -- --ignored --nocapture
