#!/usr/bin/env bash
# bench/debug_run.sh: issue 6's figures for replay and time travel, in one
# table. For ping_pong runs of about 10,000, 1,000,000 and 10,000,000 events
# (870, 87,000 and 870,000 round trips) it measures, with the release CLI:
#
#   record, replay     events per second, side by side (the same run)
#   state --at MID     one `state` at the middle event (a new process each time)
#   goto, back         the debugger's latency per command once started: a session
#                      of 1 goto plus K moves minus a session of the goto alone,
#                      divided by K (K = 200; the moves alternate far gotos
#                      and backs, so no answer comes from a cache)
#   back+bt            the same for `back` then `bt` (process state: each goroutine's
#                      native frames, by re-execution from the nearest checkpoint),
#                      over a session that already did `goto MID; bt`
#                      (build/bench/process_bench has the medians and percentiles)
#
# Targets (issue 6) are reported, never enforced: back at most 20 ms median
# whatever the length. Medians of ROUNDS (default 3) sessions.
#
#   bench/debug_run.sh [--quick]   # --quick: the two shorter runs only
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-build}
[[ $build = /* ]] || build="$root/$build"
rounds=${ROUNDS:-3}
sizes=(870 87000 870000)
for a in "$@"; do
  case $a in
    --quick) sizes=(870 87000) ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "debug_run.sh: unknown argument $a (try --help)" >&2; exit 2 ;;
  esac
done
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target gorewind_cli >/dev/null
g="$build/gorewind"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
# seconds CMD...: wall seconds the command took, output discarded.
seconds() {
  local t0 t1
  t0=$(now)
  "$@" >/dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

printf '%-12s %12s %12s %12s %14s %12s %12s %12s\n' events "record ev/s" "replay ev/s" "replay/rec" "state mid ms" "goto ms" "back ms" "back+bt ms"
for n in "${sizes[@]}"; do
  db="$work/n$n.db"
  t_rec=$(seconds "$g" record ping_pong --param n="$n" --db "$db")
  events=$("$g" runs --db "$db" --json | sed -n 's/.*"events":\([0-9]*\).*/\1/p')
  t_rep=$(seconds "$g" replay 1 --db "$db")
  mid=$((events / 2))
  state_ms=$(for _ in $(seq "$rounds"); do seconds "$g" state 1 --at "$mid" --db "$db"; done | median)
  # Scripts: the start alone, then 200 far gotos, then 200 backs from the middle.
  printf 'goto %d\n' "$mid" >"$work/start"
  { echo "goto $mid"; for i in $(seq 1 200); do echo "goto $(((i * 7919) % events))"; done; } >"$work/gotos"
  { echo "goto $mid"; for _ in $(seq 1 200); do echo back; done; } >"$work/backs"
  printf 'goto %d\nbt\n' "$mid" >"$work/start_bt"
  { echo "goto $mid"; echo bt; for _ in $(seq 1 100); do echo back; echo bt; done; } >"$work/backs_bt"
  base=$(for _ in $(seq "$rounds"); do seconds "$g" debug 1 --db "$db" <"$work/start"; done | median)
  gotos=$(for _ in $(seq "$rounds"); do seconds "$g" debug 1 --db "$db" <"$work/gotos"; done | median)
  backs=$(for _ in $(seq "$rounds"); do seconds "$g" debug 1 --db "$db" <"$work/backs"; done | median)
  base_bt=$(for _ in $(seq "$rounds"); do seconds "$g" debug 1 --db "$db" <"$work/start_bt"; done | median)
  backs_bt=$(for _ in $(seq "$rounds"); do seconds "$g" debug 1 --db "$db" <"$work/backs_bt"; done | median)
  printf '%-12s %12.0f %12.0f %12.2f %14.1f %12.2f %12.2f %12.2f\n' "$events" "$(echo "$events / $t_rec" | bc -l)" \
    "$(echo "$events / $t_rep" | bc -l)" "$(echo "$t_rec / $t_rep" | bc -l)" "$(echo "$state_ms * 1000" | bc -l)" \
    "$(echo "($gotos - $base) * 1000 / 200" | bc -l)" "$(echo "($backs - $base) * 1000 / 200" | bc -l)" \
    "$(echo "($backs_bt - $base_bt) * 1000 / 100" | bc -l)"
  rm -f "$db" "$db-wal" "$db-shm"
done
echo
echo "target: back <= 20 ms median at every length (back: a seek in the log; back+bt: with process state)"
