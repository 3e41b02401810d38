# Shared by tools/demo/run.sh and tools/demo/test.sh (source it; bash only).
#
#   demo_install        installs what the demo needs on a fresh Debian machine (idempotent, quick when done):
#                       Chromium (Debian package, /usr/bin/chromium; never a downloaded browser), a CJK font
#                       (fonts-wqy-microhei, for the Chinese Alipay pages), Node.js/npm if missing, `npm ci` in tools/dev-idp and tools/demo, and
#                       `cargo build --release -p logto-core --example desktop`
#   demo_start_idp ARGS start tools/dev-idp/bin/dev-idp with ARGS; sets IDP_ENDPOINT, IDP_PID, IDP_LOG,
#                       ALIPAY_ORIGIN. The IdP exits when this shell exits (its stdin is our pipe).
#   demo_stop_idp       stops it (SIGTERM to the pid we started)
#   demo_browser_command  prints the --browser-command for the desktop example (person.mjs under Node 22)
#   demo_wait_for_person  waits until no person.mjs holds the Chromium profile any more

demo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
demo_dir="$demo_root/tools/demo"
demo_node="$demo_root/tools/dev-idp/node_modules/node/bin/node"
demo_target_dir="${CARGO_TARGET_DIR:-$demo_root/target}"
demo_desktop="$demo_target_dir/release/examples/desktop"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

demo_say() { printf '==> %s\n' "$*" >&2; }

demo_npm_ci() { # npm ci in $1 unless node_modules is up to date with the lock file
  local dir="$demo_root/$1"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    demo_say "npm ci in $1"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}

demo_install() {
  local need_apt=()
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  # The Alipay pages are in Chinese: without a CJK font the screenshots show boxes.
  if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null | head -1)" ]; then
    need_apt+=(fonts-wqy-microhei)
  fi
  command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
  command -v cc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 || need_apt+=(gcc libc6-dev)
  if [ ${#need_apt[@]} -gt 0 ]; then
    demo_say "installing with apt-get: ${need_apt[*]}"
    local sudo_cmd=""
    [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >&2
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    echo "Rust (cargo) is required to build the desktop example: https://rustup.rs" >&2
    return 1
  fi
  demo_npm_ci tools/dev-idp
  demo_npm_ci tools/demo
  demo_say "cargo build --release -p logto-core --example desktop"
  (cd "$demo_root" && cargo build --release -p logto-core --example desktop >&2)
  [ -x "$demo_desktop" ] || { echo "the desktop example was not built at $demo_desktop" >&2; return 1; }
}

demo_start_idp() {
  IDP_LOG="${IDP_LOG:-$(mktemp "${TMPDIR:-/tmp}/dev-idp-log.XXXXXX")}"
  # A coprocess: its stdin is our pipe, so --exit-on-stdin-close ends it with this shell.
  coproc DEMO_IDP { exec "$demo_root/tools/dev-idp/bin/dev-idp" --exit-on-stdin-close "$@" 2>"$IDP_LOG"; }
  IDP_PID=$DEMO_IDP_PID
  local line=""
  if ! IFS= read -r -t 90 line <&"${DEMO_IDP[0]}" || [[ "$line" != DEV_IDP_READY\ endpoint=* ]]; then
    echo "the dev IdP did not start; its log ($IDP_LOG):" >&2
    cat "$IDP_LOG" >&2
    return 1
  fi
  IDP_ENDPOINT="${line#DEV_IDP_READY endpoint=}"
  ALIPAY_ORIGIN="$("$demo_node" -e '
    fetch(process.argv[1] + "/__dev/alipay").then((r) => r.json()).then((j) => console.log(j.standIn.origin))
      .catch(() => console.log("?"))' "$IDP_ENDPOINT")"
}

demo_stop_idp() {
  if [ -n "${IDP_PID:-}" ] && kill -0 "$IDP_PID" 2>/dev/null; then
    kill -TERM "$IDP_PID" 2>/dev/null || true
    wait "$IDP_PID" 2>/dev/null || true
  fi
  IDP_PID=""
}

demo_browser_command() {
  printf '%q %q' "$demo_node" "$demo_dir/person.mjs"
}

demo_wait_for_person() { # $1: the Chromium profile directory
  local i
  for i in $(seq 1 300); do
    [ -d "$1.lock" ] || return 0
    sleep 0.1
  done
  echo "person.mjs still holds $1 after 30 s" >&2
  return 1
}
