#!/usr/bin/env bash
# bench/run.sh: gorewind and its Go peer side by side, in one run.
#
# Builds bench/gorewind_bench and the gorewind binary (Release, in build/ at
# the repo root) and bench/go/main.go (Debian's golang-go, installed here
# when `go` is missing, with GNU time), runs the two alternately ROUNDS times
# so they share the machine's noise, and prints one table: benchmark |
# gorewind | Go | ratio | target | met? In-run figures come from the two
# benchmark programs; whole-process ones time `gorewind run`, `record` and
# `explore` from outside, beside the Go program where there is one. Figures
# are the median over every repetition of every round (best in brackets);
# ratios are gorewind / Go. The targets (the table below, from the issues)
# are reported, never enforced: the script exits 0 whatever the figures, as
# long as everything built and ran. spawn_park (1M goroutines spawned,
# parked and released) runs in a process of its own on each side, under
# /usr/bin/time for its peak resident set.
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
cmake --build "$build" --target gorewind_bench gorewind_cli >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
ours="$build/bench/gorewind_bench"
cli="$build/gorewind"

# --- build the Go side --------------------------------------------------------
missing=()
command -v go >/dev/null || missing+=(golang-go)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
  echo "run.sh: installing Debian's ${missing[*]}" >&2
  sudo=()
  [[ $(id -u) = 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y "${missing[@]}" >"$work/apt.log" 2>&1 ||
    { "${sudo[@]}" apt-get update >>"$work/apt.log" 2>&1 && "${sudo[@]}" apt-get install -y "${missing[@]}" >>"$work/apt.log" 2>&1; } ||
    { tail -20 "$work/apt.log" >&2; exit 1; }
fi
peer="$work/gopeer"
(cd "$here/go" && GOCACHE="$work/gocache" GO111MODULE=off go build -o "$peer" main.go) || exit 1

# --- whole processes --------------------------------------------------------------
# What a user runs: the gorewind binary itself, timed from outside beside the
# Go peer's same program (bench/go/main.go -program), and the CLI paths that
# have no Go peer (record, explore). Each appends "<name> <v> <v> <unit>"
# lines to the round's file, one sample a round.
# timed OUT CMD...: runs CMD with its output in OUT; sets ms (wall clock) and
# kb (peak resident set, GNU time's %M).
timed() {
  local out=$1 t0 t1
  shift
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$work/time" "$@" >"$out" 2>&1 || { echo "run.sh: failed: $*" >&2; cat "$out" >&2; exit 1; }
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
  kb=$(tail -1 "$work/time")
}
# json_number OUT KEY: a number field of the one-line JSON in OUT.
json_number() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" "$1" | head -1; }
if ((${#quick[@]})); then sieve_n=200 pp_n=200000 rec_n=100000 explore_runs=20000; else
  sieve_n=2000 pp_n=2000000 rec_n=1000000 explore_runs=200000; fi
whole_ours() {
  local f="$work/ours.$1" o="$work/out"
  timed "$o" "$cli" run prime_sieve --param n=$sieve_n
  echo "run_prime_sieve $ms $ms ms" >>"$f"
  timed "$o" "$cli" run ping_pong --param n=$pp_n --json
  echo "run_ping_pong $ms $ms ms" >>"$f"
  rm -f "$work/rec.db"*
  timed "$o" "$cli" record ping_pong --param n=$rec_n --db "$work/rec.db" --json
  local events rec_ms=$ms
  events=$(json_number "$o" events)
  awk -v e="$events" -v ms="$rec_ms" 'BEGIN { v = e / (ms / 1000); printf "record_events %.0f %.0f events/s\n", v, v }' >>"$f"
  # The debugger on that log: `back` then `goroutines` (so the state there
  # is rebuilt, not just the event found), 100 times from the middle, less a
  # session that only goes to the middle.
  local mid=$((events / 2)) base
  printf 'goto %d\ngoroutines\n' $mid >"$work/start"
  { cat "$work/start"; for _ in $(seq 100); do printf 'back\ngoroutines\n'; done; } >"$work/backs"
  timed "$o" "$cli" debug 1 --db "$work/rec.db" <"$work/start"
  base=$ms
  timed "$o" "$cli" debug 1 --db "$work/rec.db" <"$work/backs"
  awk -v a="$ms" -v b="$base" 'BEGIN { v = (a - b) / 100; printf "debug_back %.2f %.2f ms/back\n", v, v }' >>"$f"
  timed "$o" "$cli" run ping_pong --param n=$rec_n
  awk -v r="$rec_ms" -v p="$ms" 'BEGIN { v = r / p; printf "record_over_run %.2f %.2f x\n", v, v }' >>"$f"
  awk -v e="$events" -v b="$(du -cb "$work/rec.db"* | tail -1 | cut -f1)" \
    'BEGIN { v = b / e; printf "record_bytes %.1f %.1f B/event\n", v, v }' >>"$f"
  timed "$o" "$cli" explore handoff --runs $explore_runs --jobs 1 --db "$work/explore.db"
  awk -v n=$explore_runs -v ms="$ms" 'BEGIN { v = n / (ms / 1000); printf "explore_handoff %.0f %.0f schedules/s\n", v, v }' >>"$f"
}
whole_go() {
  local f="$work/go.$1" o="$work/out"
  timed "$o" env GOMAXPROCS=1 "$peer" -program sieve -n $sieve_n
  echo "run_prime_sieve $ms $ms ms" >>"$f"
  timed "$o" env GOMAXPROCS=1 "$peer" -program pingpong -n $pp_n
  echo "run_ping_pong $ms $ms ms" >>"$f"
}

# --- run, alternating -----------------------------------------------------------
run_ours() {
  "$ours" "${quick[@]}" >"$work/ours.$1" || { echo "run.sh: gorewind_bench failed" >&2; exit 1; }
  whole_ours "$1"
}
run_go() {
  GOMAXPROCS=1 "$peer" "${quick[@]}" >"$work/go.$1" || { echo "run.sh: Go peer failed" >&2; exit 1; }
  whole_go "$1"
}
# spawn_park runs alone in a process of its own, whole, under /usr/bin/time
# for the peak resident set; its lines join that round's output.
spawn_n=1000000
((${#quick[@]})) && spawn_n=100000
run_spawn() {
  local side=$1 r=$2 cmd
  if [[ $side = ours ]]; then cmd=("$ours" --spawn-park "$spawn_n"); else cmd=(env GOMAXPROCS=1 "$peer" -spawnpark "$spawn_n"); fi
  timed "$work/spawn" "${cmd[@]}"
  cat "$work/spawn" >>"$work/$side.$r"
  echo "peak_rss_spawn_park $((kb / 1024)) $((kb / 1024)) MB" >>"$work/$side.$r"
}
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds ..." >&2
  # Alternate who goes first, so neither always runs on a cooler machine.
  if ((r % 2)); then run_ours "$r"; run_go "$r"; else run_go "$r"; run_ours "$r"; fi
  if ((r % 2)); then run_spawn ours "$r"; run_spawn go "$r"; else run_spawn go "$r"; run_spawn ours "$r"; fi
done

# --- the table ------------------------------------------------------------------
# One line a figure with a target: NAME ratio|at-least|at-most BOUND. A ratio
# is ours over Go's; the others bound our own figure. Figures without a line
# are reported for information.
cat >"$work/targets" <<'TARGETS'
rss_parked ratio 2
pingpong ratio 0.5
pingpong_random ratio 0.35
buffered ratio 0.5
select ratio 0.5
spawn_exit ratio 0.5
sieve_2000_clean ratio 0.5
sieve_2000 ratio 0.5
run_prime_sieve ratio 1.0
run_ping_pong ratio 0.5
record_events at-least 2000000
record_bytes at-most 40
explore_handoff at-least 600000
debug_back at-most 20
spawn_park_whole at-most 4
peak_rss_spawn_park ratio 1.5
TARGETS
echo
echo "gorewind vs Go $(go env GOVERSION) (GOMAXPROCS=1), $rounds rounds, $(nproc) CPUs, $(uname -m)"
echo
awk -v OFS='\t' '
  FILENAME ~ /\/targets$/ { kind[$1] = $2; bound[$1] = $3; next }
  # Each figure line: <name> <best> <median> <unit>; side from the file name.
  FNR == 1 { side = (FILENAME ~ /\/ours\.[0-9]+$/) ? "ours" : "go" }
  NF == 4 {
    k = side SUBSEP $1
    if (!(k in best) || (higher[$1] ? $2 > best[k] : $2 < best[k])) best[k] = $2
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
  BEGIN { higher["record_events"] = higher["explore_handoff"] = 1 }
  END {
    # Extra lines compared against another Go benchmark.
    peer["pingpong_random"] = "pingpong"; peer["pingpong_hashed"] = "pingpong"; peer["pingpong_observed"] = "pingpong"; peer["sieve_2000_wholerun"] = "sieve_2000"
    printf "%-20s | %-14s | %-22s | %-26s | %-9s | %-12s | %s\n", "benchmark", "unit", "gorewind med [best]", "Go med [best]", "ratio", "target", "met?"
    printf "%-20s-+-%-14s-+-%-22s-+-%-26s-+-%-9s-+-%-12s-+-%s\n", "--------------------", "--------------", "----------------------", "--------------------------", "---------", "------------", "-----"
    for (i = 1; i <= names; i++) {
      b = order[i]; ko = "ours" SUBSEP b
      g = (b in peer) ? peer[b] : b; kg = "go" SUBSEP g
      if (!(ko in n)) continue
      ov = median(ko); os = fmt(ov) " [" fmt(best[ko]) "]"
      ratio = -1
      if (kg in n) {
        gv = median(kg); gs = fmt(gv) " [" fmt(best[kg]) "]"
        if (g != b) gs = gs " (" g ")"
        ratio = gv > 0 ? ov / gv : 0; rs = sprintf("%.2fx", ratio)
      } else { gs = "-"; rs = "-" }
      tg = "-"; met = "(info)"
      if (kind[b] == "ratio" && ratio >= 0) { tg = "<= " bound[b] "x"; met = ratio <= bound[b] ? "yes" : "NO" }
      else if (kind[b] == "at-least") { tg = ">= " fmt(bound[b]); met = ov >= bound[b] ? "yes" : "NO" }
      else if (kind[b] == "at-most") { tg = "<= " fmt(bound[b]); met = ov <= bound[b] ? "yes" : "NO" }
      printf "%-20s | %-14s | %-22s | %-26s | %-9s | %-12s | %s\n", b, unit[b], os, gs, rs, tg, met
    }
    kh = "ours" SUBSEP "pingpong_hashed"; kp = "ours" SUBSEP "pingpong"; ko = "ours" SUBSEP "pingpong_observed"
    if (kh in n && kp in n && ko in n) {
      cost = median(kh) / median(kp) - 1
      printf "\ntrace hash: pingpong_hashed / pingpong = %+.0f%% (target <= 5%%): %s;", 100 * cost, cost <= 0.05 ? "yes" : "NO"
      printf " of it, building the events (pingpong_observed) %+.0f%%, hashing them %+.0f%%\n", 100 * (median(ko) / median(kp) - 1), 100 * (median(kh) - median(ko)) / median(kp)
    }
  }' "$work/targets" "$work"/ours.* "$work"/go.*
echo
echo "rss_parked: resident bytes per parked goroutine with 100,000 parked. rss_parked and sieve_2000: one sample per round."
echo "sieve_2000: the Go tour's sieve (leaves every goroutine blocked); _wholerun adds gorewind's teardown of them;"
echo "spawn_park: $spawn_n goroutines spawned, parked on one channel and released, each side alone in its process;"
echo "_whole is from the process's start to the end of the run (gorewind: teardown included), _in_run inside the run;"
echo "peak_rss_spawn_park: that process's peak resident set (/usr/bin/time %M)."
echo "sieve_2000_clean: the stopping variant of scenarios/prime_sieve.cpp. raw_switch: one Boost.Context fiber switch, the floor."
echo "run_*: the whole process, \`gorewind run\` (its default, the random strategy, and the trace hash) beside the Go program;"
echo "record_*: \`gorewind record ping_pong\` (events/s, its time over a plain run's, log bytes per event); explore_handoff: one job;"
echo "debug_back: in \`gorewind debug\` on that recording, one back plus the goroutines there, from its middle."
[[ ${KEEP:-0} = 1 ]] && echo "raw outputs: $work"
exit 0
