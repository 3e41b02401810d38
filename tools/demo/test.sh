#!/usr/bin/env bash
# The demo's browser tests: the Rust desktop example signs in with Alipay through the dev IdP, with headless
# Chromium (tools/demo/person.mjs) as the system browser and the person. Asserts the printed output
# (isAuthenticated true, the claims of the Alipay account, isAuthenticated false), the same `sub` on a second run,
# direct sign-in (the first page is Alipay), first_screen=register, and that denying on Alipay, a bad signature and
# a wrong app id stay on the IdP's page as "The connector's response is invalid." with nothing sent to the app.
#
#   bash tools/demo/test.sh
#
# Installs what it needs first (see lib.sh: Chromium from Debian, npm ci, cargo build --release of the example).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

demo_install
cd "$demo_dir"
exec "$demo_node" --test --test-reporter=spec --test-concurrency=1 test/*.test.mjs
