#!/usr/bin/env bash
# Builds the cargo-fuzz targets of fuzz/ and runs each for a while, one libFuzzer process at a time, starting from a
# scratch corpus seeded with fuzz/seeds/<target>/. Prints per target the executions, exec/s, coverage (libFuzzer's
# cov/ft) and crashes. A crash (or hang, leak, out-of-memory) is copied to fuzz/regressions/<target>/, which the unit
# test in core/src/fuzzing.rs replays in `cargo test -p logto-core`, and makes this script fail.
#
# Usage: bash tools/fuzz.sh [seconds-per-target (60)] [targets... (all)]
# Environment: FUZZ_RUNS=N stops a target after N executions (the time limit still applies); FUZZ_WORK=dir keeps the
# scratch corpora there (default: fuzz/target/fuzz-run, emptied first); FUZZ_ARGS adds libFuzzer flags;
# FUZZ_SANITIZER=none builds without AddressSanitizer (cargo-fuzz's default is address).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"

seconds="${1:-60}"
[ $# -gt 0 ] && shift
all=(callback id_token jwks discovery token_response userinfo session_document)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is missing: bash tools/setup.sh" >&2; exit 1; }
# Release with debug assertions and overflow checks, AddressSanitizer (cargo-fuzz's defaults); Cargo.lock is ours.
build_start=$SECONDS
mkdir -p target
# FUZZ_SANITIZER=none builds without AddressSanitizer (faster; the code under test is safe Rust and ring).
sanitizer=()
[ -n "${FUZZ_SANITIZER:-}" ] && sanitizer=(--sanitizer "$FUZZ_SANITIZER")
if ! cargo +nightly fuzz build "${sanitizer[@]}" >target/build.log 2>&1; then
  cat target/build.log >&2
  echo "fuzz build failed" >&2
  exit 1
fi
echo "build: $((SECONDS - build_start)) s"
bin_dir="$root/fuzz/target/x86_64-unknown-linux-gnu/release"

work="${FUZZ_WORK:-$root/fuzz/target/fuzz-run}"
rm -rf "$work"
mkdir -p "$work"
failed=0
summary="$work/summary.tsv"
printf 'target\texecutions\texec/s\tcov\tft\tcorpus\tcrashes\tseconds\n' >"$summary"

for target in "${targets[@]}"; do
  [ -x "$bin_dir/$target" ] || { echo "no such fuzz target: $target" >&2; exit 1; }
  dir="$work/$target"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$root/fuzz/seeds/$target/"* "$dir/corpus/"
  runs=()
  [ -n "${FUZZ_RUNS:-}" ] && runs=("-runs=$FUZZ_RUNS")
  start=$SECONDS
  # -timeout: an input that takes 10 s is a hang, reported like a crash.
  # shellcheck disable=SC2086
  "$bin_dir/$target" "$dir/corpus" -artifact_prefix="$dir/artifacts/" -max_total_time="$seconds" \
    -timeout=10 -print_final_stats=1 "${runs[@]}" ${FUZZ_ARGS:-} >"$dir/log" 2>&1 || true
  wall=$((SECONDS - start))
  # The last status line: "#<runs> DONE cov: <n> ft: <n> corp: <n>/<size> ... exec/s: <n> rss: <n>Mb".
  status_line="$(grep -E '^#[0-9]+' "$dir/log" | tail -1)"
  field() { sed -nE "s/.*[[:space:]]$1:? ([0-9]+).*/\1/p" <<<"$status_line"; }
  stat() { sed -nE "s/^stat::$1:[[:space:]]+([0-9]+).*/\1/p" "$dir/log" | tail -1; }
  executions="$(stat number_of_executed_units)"
  executions="${executions:-$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$status_line")}"
  exec_per_sec="$(stat average_exec_per_sec)"
  crashes=0
  for artifact in "$dir/artifacts/"*; do
    [ -f "$artifact" ] || continue
    crashes=$((crashes + 1))
    mkdir -p "$root/fuzz/regressions/$target"
    cp "$artifact" "$root/fuzz/regressions/$target/"
    echo "CRASH in $target: fuzz/regressions/$target/$(basename "$artifact")" >&2
    grep -m1 -E 'panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer' "$dir/log" >&2 || true
  done
  if [ "$crashes" = 0 ] && ! grep -q 'Done [0-9]* runs\|DONE' "$dir/log"; then
    echo "$target did not finish normally; see $dir/log" >&2
    tail -20 "$dir/log" >&2
    crashes=1
  fi
  [ "$crashes" = 0 ] || failed=1
  corpus="$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$status_line")" # inputs in the corpus, as libFuzzer counts them
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "${executions:-?}" "${exec_per_sec:-?}" "$(field cov)" \
    "$(field ft)" "$corpus" "$crashes" "$wall" >>"$summary"
done

echo
column -t -s $'\t' "$summary"
if [ "$failed" != 0 ]; then
  echo "fuzzing found crashes: saved to fuzz/regressions/ (replayed by cargo test -p logto-core); fix them" >&2
  exit 1
fi
