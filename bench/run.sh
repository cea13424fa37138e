#!/usr/bin/env bash
# bench/run.sh: gorewind and its Go peer side by side, in one run.
#
# Builds bench/gorewind_bench (Release, in build/ at the repo root) and
# bench/go/main.go (Debian's golang-go, installed here when `go` is missing),
# runs the two alternately ROUNDS times so they share the machine's noise,
# and prints one table: benchmark | gorewind | Go | ratio | target | met?
# Times are the median over every repetition of every round (best in
# brackets); ratios are gorewind / Go. spawn_park (1M goroutines spawned,
# parked and released) runs in a process of its own on each side, under
# /usr/bin/time for its peak resident set. The targets (times at most 0.5x
# Go's, RSS per parked goroutine at most 2x Go's, spawn_park at most 4 us a
# goroutine with a peak RSS at most 1.5x Go's) are reported, never enforced:
# the script exits 0 whatever the figures, as long as everything built and ran.
#
#   bench/run.sh [--quick]          # --quick: small sizes, a smoke test
#
# Environment: ROUNDS (default 3), BUILD_DIR (default build), KEEP=1 keeps
# the raw outputs (their folder is printed).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
rounds=${ROUNDS:-3}
build=${BUILD_DIR:-build}
[[ $build = /* ]] || build="$root/$build"
quick=()
for a in "$@"; do
  case $a in
    --quick) quick=(--quick) ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $a (try --help)" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/gorewind-bench.XXXXXX")
if [[ ${KEEP:-0} != 1 ]]; then trap 'rm -rf "$work"' EXIT; fi

# --- build the C++ side -------------------------------------------------------
if [[ -f $build/CMakeCache.txt ]]; then
  type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
  if [[ $type != Release ]]; then
    echo "run.sh: $build is a '$type' build; benchmarking in $build-bench (Release) instead" >&2
    build="$build-bench"
  fi
fi
if [[ ! -f $build/CMakeCache.txt ]]; then
  gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  cmake -S "$root" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 ||
    { cat "$work/cmake.log" >&2; exit 1; }
fi
cmake --build "$build" --target gorewind_bench >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
ours="$build/bench/gorewind_bench"

# --- build the Go side --------------------------------------------------------
if ! command -v go >/dev/null; then
  echo "run.sh: go not found; installing Debian's golang-go" >&2
  sudo=()
  [[ $(id -u) = 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y golang-go >"$work/apt.log" 2>&1 ||
    { "${sudo[@]}" apt-get update >>"$work/apt.log" 2>&1 && "${sudo[@]}" apt-get install -y golang-go >>"$work/apt.log" 2>&1; } ||
    { tail -20 "$work/apt.log" >&2; exit 1; }
fi
peer="$work/gopeer"
(cd "$here/go" && GOCACHE="$work/gocache" GO111MODULE=off go build -o "$peer" main.go) || exit 1

# --- run, alternating -----------------------------------------------------------
run_ours() { "$ours" "${quick[@]}" >"$work/ours.$1" || { echo "run.sh: gorewind_bench failed" >&2; exit 1; }; }
run_go() { GOMAXPROCS=1 "$peer" "${quick[@]}" >"$work/go.$1" || { echo "run.sh: Go peer failed" >&2; exit 1; }; }
# spawn_park runs alone in a process of its own, whole, under /usr/bin/time
# for the peak resident set; its lines join that round's output.
spawn_n=1000000
((${#quick[@]})) && spawn_n=100000
run_spawn() {
  local side=$1 r=$2 cmd kb
  if [[ $side = ours ]]; then cmd=("$ours" --spawn-park "$spawn_n"); else cmd=(env GOMAXPROCS=1 "$peer" -spawnpark "$spawn_n"); fi
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f %M -o "$work/rss.$side.$r" "${cmd[@]}" >>"$work/$side.$r" ||
      { echo "run.sh: spawn_park ($side) failed" >&2; exit 1; }
    kb=$(tail -n 1 "$work/rss.$side.$r")
    echo "peak_rss_spawn_park $((kb / 1024)) $((kb / 1024)) MB" >>"$work/$side.$r"
  else
    "${cmd[@]}" >>"$work/$side.$r" || { echo "run.sh: spawn_park ($side) failed" >&2; exit 1; }
  fi
}
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds ..." >&2
  # Alternate who goes first, so neither always runs on a cooler machine.
  if ((r % 2)); then run_ours "$r"; run_go "$r"; else run_go "$r"; run_ours "$r"; fi
  if ((r % 2)); then run_spawn ours "$r"; run_spawn go "$r"; else run_spawn go "$r"; run_spawn ours "$r"; fi
done

# --- the table ------------------------------------------------------------------
echo
echo "gorewind vs Go $(go env GOVERSION) (GOMAXPROCS=1), $rounds rounds, $(nproc) CPUs, $(uname -m)"
echo
awk -v OFS='\t' '
  # Each input line: <name> <best> <median> <unit>; side from the file name.
  FNR == 1 { side = (FILENAME ~ /\/ours\.[0-9]+$/) ? "ours" : "go" }
  NF == 4 {
    k = side SUBSEP $1
    if (!(k in best) || $2 < best[k]) best[k] = $2
    n[k]++; med[k, n[k]] = $3; unit[$1] = $4
    if (!($1 in seen)) { seen[$1] = 1; order[++names] = $1 }
  }
  function median(k,    i, j, t, m, a) {
    m = n[k]
    for (i = 1; i <= m; i++) a[i] = med[k, i]
    for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  function fmt(v) { return v >= 100 ? sprintf("%.0f", v) : v >= 10 ? sprintf("%.1f", v) : sprintf("%.2f", v) }
  END {
    # Extra lines compared against another Go benchmark.
    peer["pingpong_random"] = "pingpong"; peer["pingpong_hashed"] = "pingpong"; peer["pingpong_observed"] = "pingpong"; peer["sieve_2000_wholerun"] = "sieve_2000"
    printf "%-20s | %-14s | %-22s | %-26s | %-9s | %-7s | %s\n", "benchmark", "unit", "gorewind med [best]", "Go med [best]", "ratio", "target", "met?"
    printf "%-20s-+-%-14s-+-%-22s-+-%-26s-+-%-9s-+-%-7s-+-%s\n", "--------------------", "--------------", "----------------------", "--------------------------", "---------", "-------", "-----"
    for (i = 1; i <= names; i++) {
      b = order[i]; ko = "ours" SUBSEP b
      g = (b in peer) ? peer[b] : b; kg = "go" SUBSEP g
      if (!(ko in n)) continue
      ov = median(ko); os = fmt(ov) " [" fmt(best[ko]) "]"
      if (kg in n) {
        gv = median(kg); gs = fmt(gv) " [" fmt(best[kg]) "]"
        if (g != b) gs = gs " (" g ")"
        ratio = gv > 0 ? ov / gv : 0; rs = sprintf("%.2fx", ratio)
      } else { gs = "-"; rs = "-" }
      if (b in peer || !(kg in n) || b == "spawn_park_in_run") { tg = "-"; met = "(info)" }
      else if (b == "rss_parked") { tg = "<= 2x"; met = ratio <= 2 ? "yes" : "NO" }
      else if (b == "peak_rss_spawn_park") { tg = "<= 1.5x"; met = ratio <= 1.5 ? "yes" : "NO" }
      else if (b == "spawn_park_whole") { tg = "<= 4 us"; met = ov <= 4 ? "yes" : "NO" }
      else { tg = "<= 0.5x"; met = ratio <= 0.5 ? "yes" : "NO" }
      printf "%-20s | %-14s | %-22s | %-26s | %-9s | %-7s | %s\n", b, unit[b], os, gs, rs, tg, met
    }
    kh = "ours" SUBSEP "pingpong_hashed"; kp = "ours" SUBSEP "pingpong"; ko = "ours" SUBSEP "pingpong_observed"
    if (kh in n && kp in n && ko in n) {
      cost = median(kh) / median(kp) - 1
      printf "\ntrace hash: pingpong_hashed / pingpong = %+.0f%% (target <= 5%%): %s;", 100 * cost, cost <= 0.05 ? "yes" : "NO"
      printf " of it, building the events (pingpong_observed) %+.0f%%, hashing them %+.0f%%\n", 100 * (median(ko) / median(kp) - 1), 100 * (median(kh) - median(ko)) / median(kp)
    }
  }' "$work"/ours.* "$work"/go.*
echo
echo "rss_parked: resident bytes per parked goroutine with 100,000 parked. rss_parked and sieve_2000: one sample per round."
echo "sieve_2000: the Go tour's sieve (leaves every goroutine blocked); _wholerun adds gorewind's teardown of them;"
echo "spawn_park: $spawn_n goroutines spawned, parked on one channel and released, each side alone in its process;"
echo "_whole is from the process's start to the end of the run (gorewind: teardown included), _in_run inside the run;"
echo "peak_rss_spawn_park: that process's peak resident set (/usr/bin/time %M)."
echo "sieve_2000_clean: the stopping variant of scenarios/prime_sieve.cpp. raw_switch: one Boost.Context fiber switch, the floor."
[[ ${KEEP:-0} = 1 ]] && echo "raw outputs: $work"
exit 0
