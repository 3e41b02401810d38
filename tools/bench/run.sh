#!/usr/bin/env bash
# Side-by-side benchmark of the sign-in flow: logto-core vs @logto/client 3.1.9 (see README.md). A measurement, not
# a test: it is not part of tools/test-all.sh. Takes about a minute after the builds.
#
# Usage: bash tools/bench/run.sh [rounds=10] [flows per round=10] [warm-up flows=10]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

# The Rust side with the release profile the native library ships with (opt-level z, LTO).
cargo build -q --release --locked -p logto-bench
# Node 22 and the dev IdP's test helpers come with tools/dev-idp; @logto/client 3.1.9 (exact) with tools/bench.
[[ -x tools/dev-idp/node_modules/.bin/node ]] || (cd tools/dev-idp && npm ci --no-audit --no-fund >&2)
[[ -d "$here/node_modules/@logto/client" ]] || (cd "$here" && npm ci --no-audit --no-fund >&2)
node="$root/tools/dev-idp/node_modules/.bin/node"

echo "node $("$node" --version), $(rustc --version), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$node" "$here/run.mjs" "${CARGO_TARGET_DIR:-$root/target}/release/logto-bench" "$@"
