#!/bin/sh
# web_test.sh BIN SOURCE_DIR WORK: gorewind serve's page in a real browser.
# Installs tests/web's npm packages, pinned by its package-lock.json, into
# WORK (npm ci: exactly the locked versions; puppeteer-core, which drives
# Debian's /usr/bin/chromium and downloads no browser), records a small event
# log into WORK, serves it on a free port and runs tests/web/web_test.js with
# node's test runner against it. Its screenshots land in WORK/screenshots.
set -eu
bin=$1 src=$2 work=$3
mkdir -p "$work"
cp "$src/tests/web/package.json" "$src/tests/web/package-lock.json" "$src/tests/web/web_test.js" "$work/"
cd "$work"
npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1 || { cat npm.log >&2; exit 1; }

db=$work/log.db
rm -f "$db" "$db-wal" "$db-shm"
rm -rf screenshots
mkdir screenshots

# record NAME ARGS...: one run into the log; exit 1 (the run failed) is a
# run too, exit 2 is an error.
record() {
  status=0
  "$bin" record "$@" --db "$db" >/dev/null || status=$?
  [ "$status" -le 1 ] || { echo "web_test.sh: gorewind record $*: exit $status" >&2; exit 1; }
}
# A leak (every schedule of leaky_handler leaks its worker).
record leaky_handler
# dining_philosophers: an ok run, then a deadlocked one found by explore,
# for the diff of the two.
seed=1
until "$bin" record dining_philosophers --seed "$seed" --db "$db" >/dev/null 2>&1; do
  seed=$((seed + 1))
  [ "$seed" -le 50 ] || { echo "web_test.sh: no ok run of dining_philosophers in seeds 1..50" >&2; exit 1; }
done
"$bin" explore dining_philosophers --runs 2000 --db "$db" --json >explore.json || true
grep -q '"failures":[1-9]' explore.json || { echo "web_test.sh: explore found no deadlock of dining_philosophers:" >&2; cat explore.json >&2; exit 1; }
# On Go's scheduler with four Ps (the timeline's P lanes): fails its check.
record runq_backlog --procs 4

# The server, on a port the system picks; its first line says which. It is
# stopped however this script ends.
"$bin" serve --db "$db" --http 127.0.0.1:0 --source-root "$src" >serve.out 2>serve.err &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
url=
tries=0
while [ -z "$url" ]; do
  line=$(head -n 1 serve.out)
  case $line in
    "listening on http://"*) url=${line#listening on } ;;
    *)
      kill -0 "$server" 2>/dev/null || { echo "web_test.sh: gorewind serve exited:" >&2; cat serve.err >&2; exit 1; }
      tries=$((tries + 1))
      [ "$tries" -le 300 ] || { echo "web_test.sh: gorewind serve said nothing in 30 s" >&2; cat serve.err >&2; exit 1; }
      sleep 0.1 ;;
  esac
done

GOREWIND_URL=$url GOREWIND_SOURCE_DIR=$src GOREWIND_SCREENSHOTS=$work/screenshots node --test web_test.js
