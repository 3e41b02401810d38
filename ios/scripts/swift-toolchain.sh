#!/usr/bin/env bash
# A Swift toolchain for Linux, from Debian's own packages: Debian 13 (trixie) ships `swiftlang` (Swift 6.0.3, with
# Foundation and XCTest). This machine is Debian 12, whose C library is too old for it, so the toolchain lives in a
# minimal trixie root file system (debootstrap) and runs there through chroot, in a private mount namespace in which
# the repository is bind-mounted at its own path (so file paths in diagnostics and #filePath are the real ones).
#
#   ios/scripts/swift-toolchain.sh install          # idempotent: ~2.5 min and ~2.3 GB the first time, then instant
#   ios/scripts/swift-toolchain.sh run DIR CMD...   # runs CMD (e.g. `swift build`) in DIR inside the toolchain root
#   ios/scripts/swift-toolchain.sh version
#
# Needs root (debootstrap, chroot, mount namespaces) and the Debian archive. LOGTO_SWIFT_ROOT moves the root file
# system (default /opt/logto-swift-trixie); it is kept between runs, like Cargo's and npm's caches.
set -euo pipefail

root_fs="${LOGTO_SWIFT_ROOT:-/opt/logto-swift-trixie}"
suite=trixie
mirror="${LOGTO_SWIFT_MIRROR:-http://deb.debian.org/debian}"
# The toolchain version the checks were written against; another trixie point release of 6.0.x is accepted.
expected_version="6.0"
ready="$root_fs/.logto-swift-ready"

die() { echo "swift-toolchain.sh: $*" >&2; exit 1; }

need_root() {
  [[ "$(id -u)" == 0 ]] || die "needs root (debootstrap, chroot, unshare -m); run as root or set LOGTO_SKIP_SWIFT=1"
}

install_toolchain() {
  need_root
  [[ -f "$ready" ]] && return 0
  exec 9>"$root_fs.lock" || die "cannot create $root_fs.lock"
  flock 9 # another check may be installing it right now
  [[ -f "$ready" ]] && return 0
  local started=$SECONDS
  command -v debootstrap >/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  }
  rm -rf "$root_fs"
  echo "swift-toolchain.sh: debootstrap $suite (minbase) into $root_fs"
  debootstrap --variant=minbase "$suite" "$root_fs" "$mirror" > "$root_fs.log" 2>&1 \
    || { tail -20 "$root_fs.log" >&2; die "debootstrap failed (full log: $root_fs.log)"; }
  echo "swift-toolchain.sh: apt-get install swiftlang libc6-dev (Debian $suite)"
  # libc6-dev: Glibc's headers, which the Swift compiler's Glibc module needs (a Recommends of gcc, not pulled in
  # with --no-install-recommends).
  in_root / sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends swiftlang libc6-dev && apt-get clean' \
    >> "$root_fs.log" 2>&1 || { tail -20 "$root_fs.log" >&2; die "installing swiftlang failed (full log: $root_fs.log)"; }
  local version
  version="$(in_root / swift --version 2>/dev/null | grep -o 'Swift version [0-9.]*' | head -1)"
  [[ "$version" == "Swift version $expected_version"* ]] || die "unexpected toolchain: '$version' (wanted $expected_version.x)"
  echo "$version" > "$ready"
  echo "swift-toolchain.sh: $version installed in $((SECONDS - started)) s"
}

# in_root DIR CMD...: runs CMD in DIR inside the root file system. The repository (and CARGO_TARGET_DIR, when it is
# elsewhere) are bind-mounted at the same paths; /proc is needed by the toolchain to find itself ($ORIGIN), /dev for
# /dev/null and friends. The mounts live in a private namespace and disappear with the command.
in_root() {
  local dir="$1"
  shift
  local repo
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
  local binds=("$repo")
  if [[ -n "${CARGO_TARGET_DIR:-}" && -d "$CARGO_TARGET_DIR" ]]; then
    local target
    target="$(cd "$CARGO_TARGET_DIR" && pwd -P)"
    [[ "$target" == "$repo"/* ]] || binds+=("$target")
  fi
  local script='set -e; fs="$1"; dir="$2"; shift 2
    mount -t proc proc "$fs/proc"
    mount --rbind /dev "$fs/dev"
    while [ "$1" != -- ]; do mkdir -p "$fs$1"; mount --bind "$1" "$fs$1"; shift; done; shift
    exec chroot "$fs" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb \
      sh -c '\''cd "$0" && exec "$@"'\'' "$dir" "$@"'
  unshare --mount --propagation private sh -c "$script" sh "$root_fs" "$dir" "${binds[@]}" -- "$@"
}

case "${1:-}" in
  install)
    install_toolchain
    ;;
  run)
    [[ $# -ge 3 ]] || die "usage: $0 run DIR CMD..."
    need_root
    [[ -f "$ready" ]] || install_toolchain
    shift
    in_root "$@"
    ;;
  version)
    [[ -f "$ready" ]] && cat "$ready" || die "not installed (run: $0 install)"
    ;;
  *)
    die "usage: $0 install | run DIR CMD... | version"
    ;;
esac
