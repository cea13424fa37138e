#!/usr/bin/env bash
# bench/heap_run.sh: what `record --heap` costs, beside what Go's own exact
# heap profile costs (runtime.MemProfileRate = 1: every allocation, as
# --heap counts), in one run.
#
# - per allocation: bench/heap_bench (operator new and delete of 64 bytes:
#   the C library's own, through gorewind's hooks not counting, counting);
# - whole processes: `gorewind record` of backlog_growth (no stall: two
#   allocations per request) and of ping_pong (next to none), without and
#   with --heap, alternating ROUNDS times; and bench/go's backlog, the same
#   program in Go, with MemProfileRate 0 (off), Go's default (512 KiB) and 1.
# Figures are medians over the rounds (wall clock, ms; peak resident set,
# MB, of the process tree: with --heap that is addr2line's, which names the
# call sites once at the end).
#
#   bench/heap_run.sh [--quick]
#
# Environment: ROUNDS (default 5), BUILD_DIR (default build).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
rounds=${ROUNDS:-5}
build=${BUILD_DIR:-build}
[[ $build = /* ]] || build="$root/$build"
requests=200000 pings=1000000
case ${1:-} in
  --quick) requests=20000 pings=100000 ;;
  "") ;;
  *) echo "heap_run.sh: unknown argument $1 (try --quick)" >&2; exit 2 ;;
esac
command -v go >/dev/null || { echo "heap_run.sh: needs go (Debian's golang-go)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "heap_run.sh: needs GNU time (Debian's time)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gorewind-heap.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --build "$build" --target heap_bench gorewind_cli >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
(cd "$here/go" && GOCACHE="$work/gocache" GO111MODULE=off go build -o "$work/gopeer" main.go)

echo "== per allocation (heap_bench, 1M new/delete pairs of 64 bytes, 3 rounds)"
"$build/bench/heap_bench" | awk '{ v[$1] = v[$1] " " $2; u[$1] = $3 } END {
  for (k in v) printf "%-26s %s  %s\n", k, v[k], u[k] }' | sort

# sample NAME CMD...: one round of CMD, its wall ms and peak MB appended to NAME.
sample() {
  local name=$1 t0 t1
  shift
  rm -f "$work"/rec.db*
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$work/time" "$@" >"$work/out" 2>&1 || true
  t1=$(date +%s%N)
  echo "$(((t1 - t0) / 1000000)) $(($(tail -1 "$work/time") / 1024))" >>"$work/$name"
}
for ((r = 0; r < rounds; r++)); do
  sample backlog_plain "$build/gorewind" record backlog_growth --param requests=$requests --param stall=$requests --db "$work/rec.db"
  sample backlog_heap "$build/gorewind" record backlog_growth --param requests=$requests --param stall=$requests --db "$work/rec.db" --heap
  sample pingpong_plain "$build/gorewind" record ping_pong --param n=$pings --db "$work/rec.db"
  sample pingpong_heap "$build/gorewind" record ping_pong --param n=$pings --db "$work/rec.db" --heap
  sample go_backlog_off "$work/gopeer" -program backlog -n $requests -memprofilerate 0
  sample go_backlog_default "$work/gopeer" -program backlog -n $requests
  sample go_backlog_every "$work/gopeer" -program backlog -n $requests -memprofilerate 1
done
median() { sort -n -k"$2" "$work/$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'; }
echo
echo "== whole processes ($rounds rounds, medians): backlog n=$requests, ping_pong n=$pings"
printf '%-34s %10s %10s %10s\n' "" "ms" "peak MB" "x base"
row() {
  local name=$1 base=$2 label=$3 ms
  ms=$(median "$name" 1)
  printf '%-34s %10s %10s %10s\n' "$label" "$ms" "$(median "$name" 2)" \
    "$(awk -v a="$ms" -v b="$(median "$base" 1)" 'BEGIN { printf "%.2f", a / b }')"
}
row backlog_plain backlog_plain "gorewind record backlog"
row backlog_heap backlog_plain "gorewind record backlog --heap"
row pingpong_plain pingpong_plain "gorewind record ping_pong"
row pingpong_heap pingpong_plain "gorewind record ping_pong --heap"
row go_backlog_off go_backlog_off "go backlog MemProfileRate=0"
row go_backlog_default go_backlog_off "go backlog MemProfileRate=512K"
row go_backlog_every go_backlog_off "go backlog MemProfileRate=1"
