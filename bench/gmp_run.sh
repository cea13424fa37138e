#!/usr/bin/env bash
# bench/gmp_run.sh: what Go's scheduler on one P (`run --procs 1`) and on
# eight (`--procs 8`) costs beside gorewind's own model, and beside Go itself
# (bench/go's peer, GOMAXPROCS=1 and 8), in one run: whole processes of
# ping_pong (N round trips) and prime_sieve (N primes), each way, alternating
# ROUNDS times. Figures are the best and the median wall clock (ms) over the
# rounds. Issue 27's goal: --procs 1 within 10% of the default model.
#
#   bench/gmp_run.sh [--quick]
#
# Environment: ROUNDS (default 5), BUILD_DIR (default build).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
rounds=${ROUNDS:-5}
build=${BUILD_DIR:-build}
[[ $build = /* ]] || build="$root/$build"
pings=1000000 primes=2000
case ${1:-} in
  --quick) pings=100000 primes=500 ;;
  "") ;;
  *) echo "gmp_run.sh: unknown argument $1 (try --quick)" >&2; exit 2 ;;
esac
command -v go >/dev/null || { echo "gmp_run.sh: needs go (Debian's golang-go)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gorewind-gmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --build "$build" --target gorewind_cli >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
(cd "$here/go" && GOCACHE="$work/gocache" GO111MODULE=off go build -o "$work/gopeer" main.go)

# sample NAME CMD...: one round of CMD, its wall ms appended to NAME.
sample() {
  local name=$1 t0 t1
  shift
  t0=$(date +%s%N)
  "$@" >"$work/out" 2>&1
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000)) >>"$work/$name"
}
g="$build/gorewind"
for ((r = 0; r < rounds; r++)); do
  sample pingpong_random "$g" run ping_pong --param n=$pings
  sample pingpong_fifo "$g" run ping_pong --param n=$pings --strategy fifo
  sample pingpong_procs1 "$g" run ping_pong --param n=$pings --procs 1
  sample pingpong_go env GOMAXPROCS=1 "$work/gopeer" -program pingpong -n $pings
  sample pingpong_procs8 "$g" run ping_pong --param n=$pings --procs 8
  sample pingpong_go8 env GOMAXPROCS=8 "$work/gopeer" -program pingpong -n $pings
  sample sieve_random "$g" run prime_sieve --param n=$primes
  sample sieve_fifo "$g" run prime_sieve --param n=$primes --strategy fifo
  sample sieve_procs1 "$g" run prime_sieve --param n=$primes --procs 1
  sample sieve_go env GOMAXPROCS=1 "$work/gopeer" -program sieve -n $primes
  sample sieve_procs8 "$g" run prime_sieve --param n=$primes --procs 8
  sample sieve_go8 env GOMAXPROCS=8 "$work/gopeer" -program sieve -n $primes
done

printf '%-18s %8s %8s  (ms, whole process; ping_pong n=%d, prime_sieve n=%d, %d rounds)\n' \
  program best median "$pings" "$primes" "$rounds"
for name in pingpong_random pingpong_fifo pingpong_procs1 pingpong_go pingpong_procs8 pingpong_go8 \
  sieve_random sieve_fifo sieve_procs1 sieve_go sieve_procs8 sieve_go8; do
  sort -n "$work/$name" | awk -v name="$name" '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%-18s %8d %8d\n", name, v[1], m }'
done
