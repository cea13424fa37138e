#!/usr/bin/env bash
# bench/dpor_run.sh: issue 26's table, dpor against an unbounded dfs: the
# schedules each runs and the traces they cover, on the soundness test's
# scenarios (and the issue's larger sizes, where dfs is cut after 60 s and
# its counts are lower bounds). Builds bench/explore_bench (Release, in
# build/ at the repo root). Figures are reported, never enforced.
#
#   bench/dpor_run.sh [--quick]   # --quick: dfs cut after 5 s
#
# Environment: BUILD_DIR (default build).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-build}
[[ $build = /* ]] || build="$root/$build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target explore_bench -j"$(nproc)" >/dev/null
"$build/bench/explore_bench" dpor "$@"
