#!/usr/bin/env bash
# bench/dap_run.sh: a step backward in the editor (gorewind dap) beside the
# same step in the debug REPL, on one recorded run, in one run.
#
# Records ping_pong (n=100000 by default: about 1.15M events), then from the
# middle of the run takes 100 steps back three ways: the REPL's `back` and
# `goroutines` (bench/run.sh's debug_back), the adapter's stepBack alone
# (request to its stopped event), and stepBack with what an editor asks for
# after every stop (threads, the stopped thread's stackTrace, its scopes).
# Milliseconds per step, median of ROUNDS rounds.
#
#   bench/dap_run.sh [N]      # N: ping_pong's n
#
# Environment: ROUNDS (default 3), BUILD_DIR (default build).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-build}
[[ $build = /* ]] || build="$root/$build"
n=${1:-100000}
rounds=${ROUNDS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/gorewind-dap.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --build "$build" --target gorewind_cli >"$work/build.log" 2>&1 || { tail -20 "$work/build.log" >&2; exit 1; }
cli="$build/gorewind"
"$cli" record ping_pong --param n="$n" --db "$work/log.db" >/dev/null
events=$("$cli" runs --db "$work/log.db" --json | sed -n 's/.*"events":\([0-9]*\).*/\1/p' | head -1)
mid=$((events / 2))

repl_ms() {
  local t0 t1 base
  printf 'goto %d\ngoroutines\n' $mid >"$work/start"
  { cat "$work/start"; for _ in $(seq 100); do printf 'back\ngoroutines\n'; done; } >"$work/backs"
  t0=$(date +%s%N); "$cli" debug 1 --db "$work/log.db" <"$work/start" >/dev/null; t1=$(date +%s%N)
  base=$((t1 - t0))
  t0=$(date +%s%N); "$cli" debug 1 --db "$work/log.db" <"$work/backs" >/dev/null; t1=$(date +%s%N)
  awk -v a=$((t1 - t0)) -v b=$base 'BEGIN { printf "%.2f\n", (a - b) / 100 / 1e6 }'
}

# dap_ms FULL: the adapter driven over stdio by a small DAP client; FULL=1
# asks what an editor asks after each stop.
dap_ms() {
  python3 - "$cli" "$work/log.db" $mid "$1" <<'PY'
import json, subprocess, sys, time
cli, db, mid, full = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
p = subprocess.Popen([cli, "dap"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
seq = 0
def send(cmd, args=None):
    global seq
    seq += 1
    b = json.dumps({"seq": seq, "type": "request", "command": cmd, "arguments": args or {}}).encode()
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(b) + b)
    p.stdin.flush()
def recv():
    h = b""
    while not h.endswith(b"\r\n\r\n"):
        h += p.stdout.read(1)
    return json.loads(p.stdout.read(int(h.split(b":")[1])))
def until(kind, name):
    while True:
        m = recv()
        if m["type"] == kind and m.get("command", m.get("event")) == name:
            return m
send("initialize"); until("response", "initialize")
send("launch", {"db": db, "run": 1}); until("event", "initialized")
send("configurationDone"); until("event", "stopped")
send("goto", {"threadId": 1, "targetId": mid}); stop = until("event", "stopped")
t0 = time.perf_counter()
for _ in range(100):
    send("stepBack", {"threadId": 1})
    stop = until("event", "stopped")
    if full:
        send("threads"); until("response", "threads")
        send("stackTrace", {"threadId": stop["body"]["threadId"]}); frames = until("response", "stackTrace")
        send("scopes", {"frameId": frames["body"]["stackFrames"][0]["id"]}); until("response", "scopes")
print("%.2f" % ((time.perf_counter() - t0) * 1000 / 100))
send("disconnect"); until("response", "disconnect")
PY
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for ((r = 0; r < rounds; r++)); do
  repl_ms >>"$work/repl"
  dap_ms 0 >>"$work/dap"
  dap_ms 1 >>"$work/dap_full"
done
echo "ping_pong n=$n: $events events; 100 steps back from seq $mid; ms per step, median of $rounds rounds"
printf '%-52s %8s\n' "debug REPL: back + goroutines" "$(median <"$work/repl")"
printf '%-52s %8s\n' "dap: stepBack to its stopped event" "$(median <"$work/dap")"
printf '%-52s %8s\n' "dap: stepBack + threads + stackTrace + scopes" "$(median <"$work/dap_full")"
