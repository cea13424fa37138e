#!/usr/bin/env bash
# tutorial_test.sh: the tutorial (docs/tutorial.md), run as written.
#
#   tutorial_test.sh TUTORIAL BUILD_DIR
#
# Runs the page TUTORIAL in a fresh directory that is also $HOME: each ```sh block line by line as a script (except the
# `GOREWIND=` line, which points at this checkout with BUILD_DIR as its
# build), and each plain ``` block of `$ COMMAND` lines as a transcript:
# every command's stdout+stderr must be the lines under it. Elapsed times
# (` in 0.01 s`) are the one thing allowed to differ.
set -euo pipefail

tutorial=$1 build=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/gorewind_tutorial.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The tutorial's GOREWIND is a checkout whose build/ is the build under test.
mkdir "$work/checkout"
ln -s "$(cd "$build" && pwd)" "$work/checkout/build"

awk -v checkout="$work/checkout" '
  /^```/ {
    if (block == "") {
      block = ($0 == "```sh") ? "sh" : ($0 == "```") ? "transcript" : "other"
      n = 0
      if (block == "sh") print "GOREWIND=" checkout
      next
    }
    if (block == "transcript" && n > 0 && lines[1] ~ /^\$ /) emit_transcript()
    block = ""
    next
  }
  block == "sh" && $0 !~ /^GOREWIND=/ { print }
  block == "transcript" { lines[++n] = $0 }
  function emit_transcript(   i, j, cmd) {
    for (i = 1; i <= n; i++) {
      if (lines[i] !~ /^\$ /) continue
      cmd = substr(lines[i], 3)
      ++checks
      print "cat > \"$WANT/" checks "\" <<'\''__GOREWIND_WANT__'\''"
      for (j = i + 1; j <= n && lines[j] !~ /^\$ /; j++) print lines[j]
      print "__GOREWIND_WANT__"
      print "check " checks " <<'\''__GOREWIND_CMD__'\''"
      print cmd
      print "__GOREWIND_CMD__"
    }
  }
' "$tutorial" >"$work/tutorial.sh"
grep -q '^check ' "$work/tutorial.sh" || { echo "tutorial_test: no transcript in $tutorial" >&2; exit 1; }

cat >"$work/run.sh" <<'RUN'
set -euo pipefail
WANT=$(mktemp -d)
normalize() { sed -E 's/ in [0-9]+\.[0-9]+ s/ in T s/'; }
check() {
  local cmd got want
  cmd=$(cat)
  got=$( (eval "$cmd") 2>&1 | grep -v -e AddressSanitizer -e "ASan doesn't fully support" | normalize || true)
  want=$(normalize <"$WANT/$1")
  if [ "$got" != "$want" ]; then
    printf 'tutorial_test: the output of\n  %s\ndiffers from the tutorial\n--- tutorial\n%s\n--- got\n%s\n' "$cmd" "$want" "$got" >&2
    exit 1
  fi
}
RUN
cat "$work/tutorial.sh" >>"$work/run.sh"
cd "$work"
HOME="$work" bash "$work/run.sh"
echo "tutorial_test: $(grep -c '^check ' "$work/tutorial.sh") commands gave the tutorial's output"
