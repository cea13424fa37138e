#!/usr/bin/env bash
# external_project_test.sh: the installed package, used as a user uses it.
#
#   external_project_test.sh CMAKE BUILD_DIR PROJECT_DIR GENERATOR MAKE_PROGRAM CXX BUILD_TYPE
#
# Installs BUILD_DIR into a fresh prefix, configures and builds PROJECT_DIR
# (tests/external_project: find_package(gorewind), one scenario of its own,
# gorewind::main) out of tree against that prefix, then runs the program it
# makes: list shows its scenario, record records a failing run, replay
# replays it identically; the installed standalone gorewind reads the run's
# events but names that program to replay it or walk its stacks (bt); the
# program itself shows a goroutine's frames in its own source. Outputs are
# compared exactly, but for the frames' function names (the compiler's).
set -euo pipefail

cmake=$1 build=$2 project=$3 generator=$4 make_program=$5 cxx=$6 build_type=$7
work=$(mktemp -d "${TMPDIR:-/tmp}/gorewind_package.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() {
  printf 'external_project_test: %s\n' "$*" >&2
  exit 1
}

# expect STATUS OUTPUT COMMAND...: runs COMMAND in $work and checks its exit
# status and its output (stdout then stderr; the sanitizer build's notes
# about fiber switches left out).
expect() {
  local want_status=$1 want=$2 status=0 got
  shift 2
  (cd "$work" && "$@") >"$work/out" 2>"$work/err" || status=$?
  got=$(cat "$work/out"; grep -v -e AddressSanitizer -e "ASan doesn't fully support" "$work/err" || true)
  [ "$status" -eq "$want_status" ] || fail "$*: exit $status, expected $want_status; output:
$got"
  [ "$got" = "$want" ] || fail "$*: output differs
--- expected
$want
--- got
$got"
}

"$cmake" --install "$build" --prefix "$work/prefix" >"$work/install.log" || fail "install failed: $(cat "$work/install.log")"
# The Catch2 helper is installed with the other headers, for users' tests.
[ -f "$work/prefix/include/gorewind/catch2.hpp" ] || fail "gorewind/catch2.hpp is not installed"
"$cmake" -S "$project" -B "$work/build" -G "$generator" -DCMAKE_MAKE_PROGRAM="$make_program" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE="$build_type" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS=-g1 \
  >"$work/configure.log" 2>&1 || fail "configure failed: $(cat "$work/configure.log")"
"$cmake" --build "$work/build" >"$work/build.log" 2>&1 || fail "build failed: $(cat "$work/build.log")"

expect 0 "my_flaky  a reader can see the config loaded before its port is set" \
  build/my_tests list
expect 1 "run 1: check_failed (19 events)" \
  build/my_tests record my_flaky --seed 3 --db log.db
expect 0 "replayed run 1: identical (19 events)" \
  build/my_tests replay 1 --db log.db
expect 0 "19  0s      g3 reader   check_failed   \"a loaded config has its port\"  at flaky_config.cpp:32" \
  prefix/bin/gorewind show 1 --from 19 --db log.db
expect 2 "gorewind: error: run 1 is of scenario 'my_flaky' recorded by 'my_tests'; re-run the command with that program" \
  prefix/bin/gorewind replay 1 --db log.db

# Process state needs the program too: the user's program (built with line
# tables, -g1 above) walks the reader's own frames in the user's source, the
# standalone CLI names the program.
printf 'bt 3\n' >"$work/bt"
(cd "$work" && build/my_tests debug 1 --db log.db <bt) >"$work/out" 2>&1 || fail "my_tests debug: exit $?"
grep -qx "goroutine 3 \[running\]:" "$work/out" || fail "my_tests debug bt: no goroutine 3 header: $(cat "$work/out")"
grep -q "^	.*flaky_config.cpp:32$" "$work/out" || fail "my_tests debug bt: no frame at flaky_config.cpp:32: $(cat "$work/out")"
expect 0 "run 1 (my_flaky): check_failed (19 events)
19  0s      g3 reader   check_failed   \"a loaded config has its port\"  at flaky_config.cpp:32
bt: run 1 is of scenario 'my_flaky' recorded by 'my_tests'; re-run the command with that program" \
  sh -c 'prefix/bin/gorewind debug 1 --db log.db <bt'
