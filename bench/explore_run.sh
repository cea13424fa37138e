#!/usr/bin/env bash
# bench/explore_run.sh: issue 5's exploration benchmarks, and the same buggy
# programs hunted the way a Go programmer does it today, in one run.
#
# Builds bench/explore_bench (Release, in build/ at the repo root) and the Go
# ports under bench/go/<program>/ (Debian's golang-go, installed here when
# `go` is missing; each also with -race), then prints three tables:
#   1. schedules per second on handoff and worker_pool, 1 and 2 processes
#      (target: 100,000 per second per core on handoff);
#   2. schedules to the first failure, random vs pct, over 20 starting seeds;
#   3. for WALL seconds each, interleaved: the Go binary run again and again
#      (a fresh process each time, GOMAXPROCS=2), its -race build, and
#      gorewind's explore (random, pct; keep going); runs and failures.
# Figures are reported, never enforced: the script exits 0 whatever they
# are, as long as everything built and ran.
#
#   bench/explore_run.sh [--quick]   # --quick: small sizes, WALL=1, a smoke test
#
# Environment: BUILD_DIR (default build), WALL (whole seconds per cell of table 3,
# default 10), KEEP=1 keeps the raw outputs (their folder is printed).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-build}
[[ $build = /* ]] || build="$root/$build"
quick=()
wall=${WALL:-10}
for a in "$@"; do
  case $a in
    --quick) quick=(--quick); wall=${WALL:-1} ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "explore_run.sh: unknown argument $a (try --help)" >&2; exit 2 ;;
  esac
done
programs=(flaky_order dining_philosophers)

work=$(mktemp -d "${TMPDIR:-/tmp}/gorewind-xbench.XXXXXX")
if [[ ${KEEP:-0} != 1 ]]; then trap 'rm -rf "$work"' EXIT; fi

# --- build the C++ side -------------------------------------------------------
if [[ -f $build/CMakeCache.txt ]]; then
  type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
  if [[ $type != Release ]]; then
    echo "explore_run.sh: $build is a '$type' build; benchmarking in $build-bench (Release) instead" >&2
    build="$build-bench"
  fi
fi
if [[ ! -f $build/CMakeCache.txt ]]; then
  gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  cmake -S "$root" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 ||
    { cat "$work/cmake.log" >&2; exit 1; }
fi
cmake --build "$build" --target explore_bench >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
ours="$build/bench/explore_bench"

# --- build the Go side --------------------------------------------------------
if ! command -v go >/dev/null; then
  echo "explore_run.sh: go not found; installing Debian's golang-go" >&2
  sudo=()
  [[ $(id -u) = 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y golang-go >"$work/apt.log" 2>&1 ||
    { "${sudo[@]}" apt-get update >>"$work/apt.log" 2>&1 && "${sudo[@]}" apt-get install -y golang-go >>"$work/apt.log" 2>&1; } ||
    { tail -20 "$work/apt.log" >&2; exit 1; }
fi
for p in "${programs[@]}"; do
  (cd "$here/go/$p" &&
    GOCACHE="$work/gocache" GO111MODULE=off go build -o "$work/$p" main.go &&
    GOCACHE="$work/gocache" GO111MODULE=off go build -race -o "$work/$p-race" main.go) || exit 1
done

echo "gorewind explore benchmarks: $(nproc) CPUs, $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "(the machine may be shared: figures are noisy; table 3 interleaves Go and gorewind so they share the noise)"

# --- 1 and 2: gorewind alone ----------------------------------------------------
echo
echo "1. schedules per second (random, keep going; J forked processes, one shard each; target >= 100000/s per core on handoff)"
echo "   wall: the whole, fork to last exit; per CPU-second: schedules over the workers' user+sys time, the per-core figure a shared machine cannot blur"
echo
"$ours" throughput "${quick[@]}" || { echo "explore_run.sh: explore_bench throughput failed" >&2; exit 1; }
echo
echo "2. schedules to the first failure"
echo
"$ours" first-failure "${quick[@]}" || { echo "explore_run.sh: explore_bench first-failure failed" >&2; exit 1; }

# --- 3: Go vs gorewind for the same wall time -----------------------------------
# go_loop BINARY: runs it again and again for $wall seconds (whole) and prints
# "runs failures first_failure_seconds exit_codes" (-1: no failure).
go_loop() {
  # Microseconds from EPOCHREALTIME (bash 5) keep the loop free of extra
  # processes: every fork here would be counted against Go.
  local start=${EPOCHREALTIME/./} runs=0 fails=0 first=-1 rc codes=""
  local deadline=$((start + ${wall%.*} * 1000000))
  while ((${EPOCHREALTIME/./} < deadline)); do
    rc=0
    GOMAXPROCS=2 "$1" 2>/dev/null || rc=$?
    ((++runs))
    if ((rc != 0)); then
      ((++fails))
      ((first != -1)) || first=$((${EPOCHREALTIME/./} - start))
      [[ " $codes " = *" $rc "* ]] || codes="$codes $rc"
    fi
  done
  ((first == -1)) || first=$(printf "%d.%06d" $((first / 1000000)) $((first % 1000000)))
  echo "$runs $fails $first ${codes:- -}"
}
for p in "${programs[@]}"; do
  echo "side by side: $p, ${wall}s each ..." >&2
  # Alternate Go and gorewind, so neither always runs on a quieter machine.
  echo "go $(go_loop "$work/$p")" >"$work/$p.1"
  echo "gorewind-random $("$ours" timed "$p" random "$wall") -" >"$work/$p.2"
  echo "go-race $(go_loop "$work/$p-race")" >"$work/$p.3"
  echo "gorewind-pct $("$ours" timed "$p" pct "$wall") -" >"$work/$p.4"
done

echo
echo "3. the same buggy program for ${wall}s: Go $(go env GOVERSION) run again and again (GOMAXPROCS=2) vs gorewind explore (1 process)"
echo
printf "%-20s | %-16s | %-9s | %-9s | %-9s | %-9s | %s\n" program runner runs "runs/s" failures "fail %" "first failure after"
printf -- "---------------------+------------------+-----------+-----------+-----------+-----------+--------------------\n"
for p in "${programs[@]}"; do
  cat "$work/$p".[1-4] | awk -v p="$p" -v wall="$wall" '{
    codes = $5 == "-" ? "" : " (exit " $5 ")"
    first = $4 < 0 ? "never" : sprintf("%.3fs", $4)
    printf "%-20s | %-16s | %-9d | %-9.0f | %-9d | %-9.3f | %s%s\n", p, $1, $2, $2 / wall, $3, $2 ? 100 * $3 / $2 : 0, first, codes
  }'
done
echo
echo "Go: a fresh process per run (startup included, as a Go programmer's loop pays it); exit 1 is the failed check,"
echo "exit 2 Go's \"all goroutines are asleep - deadlock!\", 66 a race report. gorewind: seeds from 1, stopping at the time budget."
[[ ${KEEP:-0} = 1 ]] && echo "raw outputs: $work"
exit 0
