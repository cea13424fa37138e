#!/usr/bin/env bash
# quickstart.sh: set up, build and try gorewind on a fresh Debian machine.
#
#   tools/quickstart.sh build   install what is missing, configure, build
#   tools/quickstart.sh demo    build, then hunt a flaky bug, replay it from the log, minimize it
#   tools/quickstart.sh test    build, then run the whole test suite with ctest
#   tools/quickstart.sh sanitize  the suite again in an AddressSanitizer+UBSan build (build-sanitize/)
#
# Missing Debian packages are installed with apt-get, as root or through sudo.
# The build goes to build/ at the repository root, wherever this is run from.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build"
PACKAGES=(libboost-context-dev libsqlite3-dev sqlite3 libcli11-dev libcereal-dev catch2 cmake ninja-build g++)

usage() {
  cat <<USAGE
usage: tools/quickstart.sh build|demo|test|sanitize

  build   install missing packages (${PACKAGES[*]}),
          configure a Release build in build/ with Ninja and build it
  demo    build, then hunt the flaky bug of scenario flaky_order (explore),
          replay the failing run from the log, show its last events, minimize it
  test    build, then run the test suite: ctest --test-dir build --output-on-failure -j2
  sanitize  build with -DGOREWIND_SANITIZE=ON in build-sanitize/ and run the suite there
USAGE
}

say() { printf '==> %s\n' "$*"; }

install_missing() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "quickstart: error: missing packages (${missing[*]}) and neither root nor sudo to install them" >&2
      exit 2
    fi
    sudo=(sudo)
  fi
  say "installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}

build() {
  install_missing
  say "configuring $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  say "building with $(nproc) jobs"
  cmake --build "$BUILD" --parallel "$(nproc)"
}

# field JSON KEY prints the value of a string or number field of the one-line
# JSON object that `gorewind run --json` prints.
field() {
  sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$1"
}

demo() {
  build
  local db="build/demo.db" out rc id
  cd "$ROOT"
  rm -f "$db" "$db-wal" "$db-shm"
  echo
  say "hunting a flaky bug: build/gorewind explore flaky_order --strategy pct --db $db"
  rc=0
  out="$(build/gorewind explore flaky_order --strategy pct --db "$db")" || rc=$?
  echo "$out"
  if [ "$rc" -ne 1 ]; then
    [ "$rc" -eq 0 ] && say "no failure found" && return
    echo "quickstart: error: gorewind explore failed with exit code $rc" >&2
    exit "$rc"
  fi
  id="$(sed -n 's/.*recorded as run \([0-9]*\).*/\1/p' <<<"$out" | head -1)"
  echo
  say "the same run again, decision by decision, checked against the log: build/gorewind replay $id --db $db"
  build/gorewind replay "$id" --db "$db"
  echo
  say "its last events: build/gorewind show $id --db $db | tail -8"
  build/gorewind show "$id" --db "$db" | tail -8
  echo
  say "the same failure with fewer preemptions: build/gorewind minimize $id --db $db"
  build/gorewind minimize "$id" --db "$db"
}

run_tests() {
  build
  say "testing"
  ctest --test-dir "$BUILD" --output-on-failure -j2
}

sanitize() {
  install_missing
  local dir="$ROOT/build-sanitize"
  say "configuring $dir (AddressSanitizer + UndefinedBehaviorSanitizer)"
  # -O1 -g1: line numbers in reports, and a build that fits CI's budget.
  cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DGOREWIND_SANITIZE=ON >/dev/null
  say "building with $(nproc) jobs"
  cmake --build "$dir" --parallel "$(nproc)"
  say "testing under the sanitizers"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j2
}

case "${1:-}" in
  build) build ;;
  demo) demo ;;
  test) run_tests ;;
  sanitize) sanitize ;;
  ""|-h|--help|help) usage ;;
  *)
    echo "quickstart: error: unknown command '$1'" >&2
    usage >&2
    exit 2
    ;;
esac
