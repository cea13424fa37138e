#!/bin/sh
# dap_test.sh BIN SOURCE_DIR WORK: the DAP adapter against a real client.
# Installs tests/dap's npm packages, pinned by its package-lock.json, into
# WORK (npm ci: exactly the locked versions) and runs tests/dap/dap_test.js
# with node's test runner.
set -eu
bin=$1 src=$2 work=$3
mkdir -p "$work"
cp "$src/tests/dap/package.json" "$src/tests/dap/package-lock.json" "$src/tests/dap/dap_test.js" "$work/"
cd "$work"
npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1 || { cat npm.log >&2; exit 1; }
GOREWIND_BIN=$bin GOREWIND_SOURCE_DIR=$src node --test dap_test.js
