#!/usr/bin/env bash
# Every test of issue 5 (Alipay sign-in through Logto, end to end), from a clean checkout; CI runs this.
#
#   bash tools/demo/test-all.sh
#
# 1. installs what is needed (Chromium from Debian, a CJK font, npm ci in tools/dev-idp and tools/demo,
#    cargo build --release -p logto-core --example desktop);
# 2. the dev IdP's suite (node:test): its Logto behaviour, plus the Alipay connector over HTTP (sign-in page,
#    direct sign-in, first_screen, register, each configuration error, each Alipay error response, the gateway's
#    signature checks and response shapes);
# 3. the demo's browser suite (tools/demo/test.sh): the Rust desktop example + headless Chromium.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

demo_say "prerequisites"
demo_install

demo_say "dev IdP tests (tools/dev-idp: npm test)"
(cd "$demo_root/tools/dev-idp" && npm test)

demo_say "demo tests (tools/demo/test.sh: desktop example + headless Chromium)"
bash "$demo_dir/test.sh"

demo_say "all issue 5 tests passed"
