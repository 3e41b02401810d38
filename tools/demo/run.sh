#!/usr/bin/env bash
# The README's main command: sign in with Alipay (Web) through Logto, end to end, on this machine.
#
#   bash tools/demo/run.sh [options] [-- <extra arguments for the desktop example>]
#
# 1. Installs what it needs (Chromium from Debian, npm packages, the Rust desktop example).
# 2. Starts the dev IdP (tools/dev-idp: Logto's oidc-provider set-up, the unmodified Logto Alipay (Web) connector,
#    and a local Alipay stand-in on loopback).
# 3. Runs the desktop example (core/examples/desktop.rs, on logto-core: loopback redirect, system browser) with
#    tools/demo/person.mjs as the system browser: headless Chromium driven like a person would. The person clicks
#    "Continue with Alipay" on the sign-in page and approves on Alipay; the app prints `isAuthenticated: true` and
#    the ID token claims, signs out (the browser ends on the IdP's "signed out" page) and prints
#    `isAuthenticated: false`.
# 4. Prints the screenshots it saved, one per step.
#
# Options:
#   --keep-running         leave the IdP and the Alipay stand-in running afterwards (Ctrl-C stops them), for a
#                          person, a phone or an emulator; the ports then default to 3001 and 3002
#   --no-demo              with --keep-running: start the IdP only, do not run the example
#   --port <n>             the IdP's port (default: any free port; 3001 with --keep-running)
#   --alipay-port <n>      the Alipay stand-in's port (default: any free port; 3002 with --keep-running)
#   --host <addr>          bind address (default 127.0.0.1). 0.0.0.0 makes the IdP reachable from other devices
#   --public-host <host>   the host name devices use to reach it: this machine's LAN address, or 10.0.2.2 from the
#                          Android emulator (the issuer and every URL use it; use --no-demo with 10.0.2.2)
#   --direct-sign-in       ask for Logto's direct_sign_in=social:alipay (the IdP's page is skipped)
#   --screenshots <dir>    where the screenshots go (default tools/demo/screenshots; emptied first)
#   --idp-arg <arg>        one more argument for tools/dev-idp/bin/dev-idp (repeatable), e.g.
#                          --idp-arg --alipay-config --idp-arg my-alipay.json
#   -h, --help
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

keep_running=0
no_demo=0
port=""
alipay_port=""
host=127.0.0.1
public_host=""
screenshots="$demo_dir/screenshots"
desktop_args=()
idp_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --keep-running) keep_running=1 ;;
    --no-demo) no_demo=1 ;;
    --port) port="$2"; shift ;;
    --alipay-port) alipay_port="$2"; shift ;;
    --host) host="$2"; shift ;;
    --public-host) public_host="$2"; shift ;;
    --direct-sign-in) desktop_args+=(--direct-sign-in social:alipay) ;;
    --screenshots) screenshots="$(mkdir -p "$2" && cd "$2" && pwd)"; shift ;;
    --idp-arg) idp_args+=("$2"); shift ;;
    --) shift; desktop_args+=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$no_demo" = 1 ] && [ "$keep_running" = 0 ]; then
  echo "--no-demo needs --keep-running" >&2
  exit 2
fi
if [ "$keep_running" = 1 ]; then
  port="${port:-3001}"
  alipay_port="${alipay_port:-3002}"
fi

demo_install

workdir="$(mktemp -d "${TMPDIR:-/tmp}/logto-demo.XXXXXX")"
IDP_LOG="$workdir/dev-idp.log"
cleanup() {
  demo_stop_idp
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_args=(--port "${port:-0}" --alipay-port "${alipay_port:-0}" --host "$host")
[ -n "$public_host" ] && start_args+=(--public-host "$public_host")
demo_start_idp "${start_args[@]}" "${idp_args[@]}"
demo_say "dev IdP ready: $IDP_ENDPOINT (issuer $IDP_ENDPOINT/oidc), Alipay stand-in $ALIPAY_ORIGIN; log $IDP_LOG"

status=0
if [ "$no_demo" = 0 ]; then
  rm -rf "$screenshots"
  mkdir -p "$screenshots"
  export DEMO_SCREENSHOTS="$screenshots"
  export DEMO_PROFILE="$workdir/chromium-profile"
  export DEMO_TRACE="$workdir/person-trace.jsonl"
  browser_command="$(demo_browser_command)"
  demo_say "running: $demo_desktop --endpoint $IDP_ENDPOINT --browser-command \"$browser_command\" ${desktop_args[*]:-}"
  echo
  "$demo_desktop" --endpoint "$IDP_ENDPOINT" --browser-command "$browser_command" "${desktop_args[@]}" || status=$?
  demo_wait_for_person "$DEMO_PROFILE" || true
  echo
  if [ "$status" != 0 ]; then
    demo_say "the desktop example failed (exit status $status); the dev IdP's log:"
    cat "$IDP_LOG" >&2
  fi
  demo_say "screenshots in $screenshots:"
  ls -1 "$screenshots" | sed 's/^/    /' >&2
fi

if [ "$keep_running" = 1 ]; then
  shown_host="${public_host:-$host}"
  [ "$shown_host" = 0.0.0.0 ] && shown_host=127.0.0.1
  cat >&2 <<EOF

The dev IdP keeps running; press Ctrl-C to stop it.
  endpoint          $IDP_ENDPOINT   (issuer $IDP_ENDPOINT/oidc)
  app id            dev-native-app  (native, public client, PKCE)
  redirect URIs     com.example.app://callback, http://127.0.0.1:<any port>/callback
  sign-out URIs     com.example.app://callback/sign-out (matched exactly; or sign out without one; add one
                    with --idp-arg --post-logout-redirect-uri --idp-arg <uri>)
  Alipay stand-in   $ALIPAY_ORIGIN   (approve on its page; test account 2088000000000001, 支付宝用户)
  password accounts alice / alice-password, bob / bob-password
  extra parameters  direct_sign_in=social:alipay, first_screen=register|sign_in

A phone or an emulator must reach both ports ($IDP_ENDPOINT and $ALIPAY_ORIGIN). Bind to every
interface and give the host name the device uses:
  bash tools/demo/run.sh --keep-running --host 0.0.0.0 --public-host <this machine's LAN address>
  bash tools/demo/run.sh --keep-running --no-demo --host 0.0.0.0 --public-host 10.0.2.2   # Android emulator
  (the iOS simulator shares this machine's network: the default 127.0.0.1 works)
EOF
  # The IdP lives as long as this script (its stdin is our pipe).
  wait "$IDP_PID" || true
fi
exit "$status"
