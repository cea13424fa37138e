#!/usr/bin/env bash
# bench/serve_run.sh: what the web UI costs a user, beside the CLI that
# prints the same JSON (one `gorewind` process per request, its peer here;
# a request is timed as its client saw it, the CLI as a whole process):
# over a long run (ping_pong, N round trips), the time to load a whole
# timeline (every page of /api/runs/ID/events, as the page loads it, vs
# `show --json`), the state at the middle seq (/state vs `state --json`),
# the wait-for graph and the goroutine profile there. Figures are the best
# and the median wall clock (ms) over ROUNDS rounds, alternating the two.
#
#   bench/serve_run.sh [--quick]
#
# Environment: ROUNDS (default 5), BUILD_DIR (default build).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
rounds=${ROUNDS:-5}
build=${BUILD_DIR:-build}
[[ $build = /* ]] || build="$root/$build"
pings=5000
case ${1:-} in
  --quick) pings=500 ;;
  "") ;;
  *) echo "serve_run.sh: unknown argument $1 (try --quick)" >&2; exit 2 ;;
esac
command -v curl >/dev/null || { echo "serve_run.sh: needs curl" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gorewind-serve.XXXXXX")
server=
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
cmake --build "$build" --target gorewind_cli >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
g="$build/gorewind"
db="$work/log.db"
"$g" record ping_pong --param "n=$pings" --db "$db" >/dev/null
events=$("$g" runs --json --db "$db" | sed -n 's/.*"events":\([0-9]*\).*/\1/p')
mid=$((events / 2))

"$g" serve --db "$db" --http 127.0.0.1:0 --source-root "$root" >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 600); do grep -q '^listening' "$work/serve.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on \(.*\)\/$/\1/p' "$work/serve.out")
[ -n "$url" ] || { cat "$work/serve.err" >&2; exit 1; }

now_us() { echo $(( $(date +%s%N) / 1000 )); }
# fetch PATH: the request's time as the client saw it (µs), from connect to
# the last byte: what a browser waits, without curl's own start-up.
fetch() { curl -sf -o "$work/page.json" -w '%{time_total}\n' "$url$1" | awk '{ printf "%d", $1 * 1000000 }'; }
# timeline: every page of events, as the page asks for them.
timeline() {
  local from=1 total=0
  while :; do
    total=$((total + $(fetch "/api/runs/1/events?from=$from")))
    tail -c 20 "$work/page.json" | grep -q '"more":true' || break
    from=$(( $(head -c 100 "$work/page.json" | sed -n 's/.*"to":\([0-9]*\),"events".*/\1/p') + 1 ))
  done
  echo "$total"
}
declare -A took
cli() {  # cli NAME ARGS...: the wall clock of one gorewind process (µs)
  local t0 t1
  t0=$(now_us); "$g" "${@:2}" >/dev/null; t1=$(now_us)
  took[$1]+="$((t1 - t0)) "
}
for _ in $(seq "$rounds"); do
  took[timeline serve]+="$(timeline) "
  cli "timeline cli" show 1 --json --db "$db"
  took[state serve]+="$(fetch "/api/runs/1/state?seq=$mid") "
  cli "state cli" state 1 --at "$mid" --json --db "$db"
  took[waitfor serve]+="$(fetch "/api/runs/1/waitfor?seq=$mid") "
  took[profile serve]+="$(fetch "/api/runs/1/profile?kind=goroutine&seq=$mid") "
  cli "profile cli" profile 1 --kind goroutine --at "$mid" --json --db "$db"
done

stats() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { printf "%6.1f %6.1f", v[1] / 1000, v[int((NR + 1) / 2)] / 1000 }'; }
echo "ping_pong n=$pings: $events events; state, wait-for and profile at seq $mid; $rounds rounds"
printf '%-10s %-6s %6s %6s\n' what via best median
for what in timeline state waitfor profile; do
  for via in serve cli; do
    [ -n "${took[$what $via]:-}" ] || continue
    printf '%-10s %-6s %s\n' "$what" "$via" "$(stats <<<"${took[$what $via]}")"
  done
done
