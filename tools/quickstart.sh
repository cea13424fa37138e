#!/usr/bin/env bash
# quickstart.sh: set up, build and try gorewind on a fresh Debian machine.
#
#   tools/quickstart.sh build   install what is missing, configure, build
#   tools/quickstart.sh demo    build, then hunt a flaky bug, replay it, walk back from it, diff it against a pass
#   tools/quickstart.sh test    build, then run the whole test suite with ctest
#   tools/quickstart.sh sanitize  the suite again in an AddressSanitizer+UBSan build (build-sanitize/)
#   tools/quickstart.sh fuzz      build the libFuzzer targets with Clang (build-fuzz/) and run each
#                                 briefly (FUZZ_SECONDS each, 20 by default) on its seed corpus
#
# Missing Debian packages are installed with apt-get, as root or through sudo.
# The build goes to build/ at the repository root, wherever this is run from.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build"
# libcpp-httplib-dev, pkgconf and libjs-d3: serve's HTTP server, how CMake
# finds it, and its page's layouts.
PACKAGES=(libboost-context-dev libsqlite3-dev sqlite3 libcli11-dev libcereal-dev libxxhash-dev zlib1g-dev nlohmann-json3-dev
  libcpp-httplib-dev pkgconf libjs-d3 catch2 cmake ninja-build g++)
# Clang 16, not Debian 12's default 14: 14 lacks the builtin behind
# std::source_location, which every gorewind header uses.
FUZZ_PACKAGES=(clang-16 libclang-rt-16-dev)
# What the test suite needs beyond the build: python3 runs the docs' commands
# (tools/readme_check.py, ctest entry docs); golang-go's go tool pprof judges
# the pprof files (ctest entry pprof). The DAP test's client needs node
# (run_tests installs Debian's nodejs and npm only where node is missing);
# the web UI's test drives Debian's chromium (ctest entry web).
TEST_PACKAGES=(python3 golang-go chromium)

usage() {
  cat <<USAGE
usage: tools/quickstart.sh build|demo|test|sanitize|fuzz

  build   install missing packages (${PACKAGES[*]}),
          configure a Release build in build/ with Ninja and build it
  demo    build the gorewind binary alone, then hunt the flaky bug of scenario flaky_order (explore),
          replay the failing run from the log, walk back from its failure in
          the debugger, and diff a passing run against it
  test    build, then run the test suite: ctest --test-dir build --output-on-failure -j2
  sanitize  build with -DGOREWIND_SANITIZE=ON in build-sanitize/ and run the suite there
  fuzz    install ${FUZZ_PACKAGES[*]}, build the fuzz targets of tests/fuzz in
          build-fuzz/ and run each for FUZZ_SECONDS seconds (default 20)
USAGE
}

say() { printf '==> %s\n' "$*"; }

install_missing() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}" "$@"; do
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

# build [TARGET...] configures build/ and builds the targets given, or all.
build() {
  install_missing
  say "configuring $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGOREWIND_UNITY_BUILD=ON >/dev/null
  local targets=()
  [ "$#" -eq 0 ] || targets=(--target "$@")
  say "building ${*:-everything} with $(nproc) jobs"
  cmake --build "$BUILD" --parallel "$(nproc)" "${targets[@]}"
}

# field JSON KEY prints the value of a string or number field of the one-line
# JSON object that `gorewind run --json` prints.
field() {
  sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$1"
}

demo() {
  # The demo runs the gorewind binary alone, so it builds just that: the
  # tests and benchmarks are most of a full build.
  build gorewind_cli
  local db="build/demo.db" out rc id seed pass
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
  say "walking back from the failure in the debugger (where; back 2; where): the handler's lock came right after"
  say "the loader's first unlock, with ready set and the value not: build/gorewind debug $id --db $db"
  printf 'where\nback 2\nwhere\n' | build/gorewind debug "$id" --db "$db"
  echo
  # The passing run to compare with: the first seed under the same strategy
  # that passes (explore stopped at the lowest failing one).
  seed=1
  until build/gorewind run flaky_order --strategy pct --seed "$seed" >/dev/null; do seed=$((seed + 1)); done
  say "a passing run, seed $seed, recorded: build/gorewind record flaky_order --strategy pct --seed $seed --db $db"
  out="$(build/gorewind record flaky_order --strategy pct --seed "$seed" --db "$db")"
  echo "$out"
  pass="$(sed -n 's/^run \([0-9]*\):.*/\1/p' <<<"$out")"
  echo
  say "where the passing run and the failing run parted: build/gorewind diff $pass $id --db $db"
  build/gorewind diff "$pass" "$id" --db "$db" || true
}

run_tests() {
  install_missing "${TEST_PACKAGES[@]}"
  # The DAP test's client runs on node; Debian's nodejs only where there is
  # none (an image's own node brings its npm).
  command -v node >/dev/null || install_missing nodejs npm
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
    -DGOREWIND_SANITIZE=ON -DGOREWIND_UNITY_BUILD=ON >/dev/null
  say "building with $(nproc) jobs"
  cmake --build "$dir" --parallel "$(nproc)"
  say "testing under the sanitizers"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j2 --label-exclude "docs|go|node|browser"
}

fuzz() {
  install_missing "${FUZZ_PACKAGES[@]}"
  local dir="$ROOT/build-fuzz" seconds="${FUZZ_SECONDS:-20}" target work rc
  say "configuring $dir (libFuzzer, AddressSanitizer + UndefinedBehaviorSanitizer)"
  cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DGOREWIND_FUZZ=ON -DGOREWIND_BUILD_TESTS=OFF -DGOREWIND_BUILD_BENCH=OFF \
    -DGOREWIND_UNITY_BUILD=ON >/dev/null
  say "building the fuzz targets with $(nproc) jobs"
  cmake --build "$dir" --target fuzz_targets --parallel "$(nproc)"
  for target in fuzz_value fuzz_snapshot fuzz_event_rows fuzz_debug_commands fuzz_params fuzz_breakpoint_condition; do
    # New inputs go to a scratch corpus; the checked-in seeds stay as they are.
    work="$dir/corpus/$target"
    mkdir -p "$work"
    say "fuzzing $target for ${seconds}s"
    rc=0
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$dir/tests/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=512 \
      -print_final_stats=1 -artifact_prefix="$dir/$target-" "$work" "$ROOT/tests/fuzz/corpus/$target" \
      >"$dir/$target.log" 2>&1 || rc=$?
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$dir/$target.log" || true
    if [ "$rc" -ne 0 ]; then
      tail -40 "$dir/$target.log" >&2
      echo "quickstart: error: $target failed (exit $rc); the input is $dir/$target-crash-* (or leak-, oom-, timeout-)" >&2
      exit 1
    fi
  done
}

case "${1:-}" in
  build) build ;;
  demo) demo ;;
  test) run_tests ;;
  sanitize) sanitize ;;
  fuzz) fuzz ;;
  ""|-h|--help|help) usage ;;
  *)
    echo "quickstart: error: unknown command '$1'" >&2
    usage >&2
    exit 2
    ;;
esac
