#!/usr/bin/env python3
"""readme_check.py: keep the README's command output real.

Every plain ``` block of README.md that starts with `$ COMMAND` lines is a
transcript: each command is run from the repository root (after `cd DIR &&`
if the command says so) and its stdout+stderr is compared with the lines
under it. Blocks holding "..." are abridged by hand and skipped.

  tools/readme_check.py            report commands whose output differs; exit 1 if any
  tools/readme_check.py --update   rewrite those blocks with the real output

Build first (tools/quickstart.sh build).
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def transcript_blocks(lines):
    """Yields (start, end) line ranges of the transcript blocks' contents,
    except the tutorial's: those run in the tutorial's own directory, and the
    ctest entry `tutorial` (tests/tutorial_test.sh) checks them."""
    start = None
    tutorial = False
    for i, line in enumerate(lines):
        if line.startswith("## "):
            tutorial = line.startswith("## Tutorial")
        if tutorial:
            continue
        if line.startswith("```"):
            if start is None:
                start = i + 1 if line == "```" else -1
            else:
                if start >= 0 and start < i and lines[start].startswith("$ "):
                    if not any("..." in l for l in lines[start:i]):
                        yield start, i
                start = None


def run(cmd):
    r = subprocess.run(cmd, shell=True, cwd=ROOT, capture_output=True, text=True)
    return (r.stdout + r.stderr).rstrip("\n").split("\n")


def main():
    update = "--update" in sys.argv[1:]
    lines = README.read_text().split("\n")
    out, pos, differ = [], 0, 0
    for start, end in transcript_blocks(lines):
        out.extend(lines[pos:start])
        block = lines[start:end]
        cmds = [i for i, l in enumerate(block) if l.startswith("$ ")] + [len(block)]
        new = []
        for a, b in zip(cmds, cmds[1:]):
            cmd = block[a][2:]
            got = run(cmd)
            want = block[a + 1:b]
            if got != want:
                differ += 1
                print(f"differs: {cmd}")
            new.append(block[a])
            new.extend(got)
        out.extend(new)
        pos = end
    out.extend(lines[pos:])
    if update:
        README.write_text("\n".join(out))
        print(f"updated {differ} command(s)")
        return 0
    print(f"{differ} command(s) differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
