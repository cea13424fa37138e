#!/usr/bin/env python3
"""readme_check.py: keep the command output shown in README.md and docs/ real.

Every plain ``` block of README.md and docs/*.md that starts with `$ COMMAND`
lines is a transcript: each command is run from the repository root (after
`cd DIR &&` if the command says so) and its stdout+stderr is compared with
the lines under it. Blocks with a line of "..." are abridged by hand and skipped,
and so is docs/tutorial.md, which tests/tutorial_test.sh runs in a directory
of its own.

  tools/readme_check.py [--build DIR]            report commands whose output differs; exit 1 if any
  tools/readme_check.py [--build DIR] --update   rewrite those blocks with the real output

The commands say `build/`: with --build (default: build/ itself) they run in
a copy of the root made of symlinks whose build/ is DIR. The files they make
under /tmp/ go to a scratch directory of this check instead, so two checks
never share a log. Elapsed times (` in 0.01 s`) may differ.
"""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md"] + sorted(p for p in (ROOT / "docs").glob("*.md") if p.name != "tutorial.md")
ELAPSED = re.compile(r" in [0-9]+\.[0-9]+ s")


def transcript_blocks(lines):
    """Yields (start, end, indent) of the transcript blocks' contents: a
    block in a list item is indented, fences and lines alike."""
    start = None
    for i, line in enumerate(lines):
        fence = line.lstrip(" ")
        if not fence.startswith("```"):
            continue
        if start is None:
            indent = len(line) - len(fence)
            start = i + 1 if fence == "```" else -1
        else:
            body = [l[indent:] for l in lines[start:i]] if start >= 0 else []
            if body and body[0].startswith("$ ") and not any(l.strip() == "..." for l in body):
                yield start, i, indent
            start = None


class Sandbox:
    """Where the commands run: the root (or its symlinked copy with another
    build/) and the scratch directory that stands for /tmp/."""

    def __init__(self, build, scratch):
        self.scratch = pathlib.Path(scratch)
        self.root = ROOT
        if build.resolve() != (ROOT / "build").resolve():
            self.root = self.scratch / "root"
            self.root.mkdir()
            for entry in ROOT.iterdir():
                if entry.name != "build":
                    (self.root / entry.name).symlink_to(entry)
            (self.root / "build").symlink_to(build.resolve())
        self.tmp = str(self.scratch / "tmp") + "/"
        pathlib.Path(self.tmp).mkdir()

    def run(self, cmd):
        r = subprocess.run(cmd.replace("/tmp/", self.tmp), shell=True, cwd=self.root, capture_output=True,
                           text=True)
        return (r.stdout + r.stderr).replace(self.tmp, "/tmp/").rstrip("\n").split("\n")


def check_page(page, sandbox, update):
    """Runs the page's transcripts; returns how many commands differ."""
    lines = page.read_text().split("\n")
    out, pos, differ = [], 0, 0
    for start, end, indent in transcript_blocks(lines):
        out.extend(lines[pos:start])
        block = [l[indent:] for l in lines[start:end]]
        cmds = [i for i, l in enumerate(block) if l.startswith("$ ")] + [len(block)]
        for a, b in zip(cmds, cmds[1:]):
            cmd = block[a][2:]
            got = sandbox.run(cmd)
            want = block[a + 1:b]
            if [ELAPSED.sub(" in T s", l) for l in got] != [ELAPSED.sub(" in T s", l) for l in want]:
                differ += 1
                print(f"{page.relative_to(ROOT)}: differs: {cmd}")
                if not update:
                    print("--- shown\n" + "\n".join(want) + "\n--- got\n" + "\n".join(got))
            out.extend((" " * indent + l).rstrip(" ") if l else l for l in [block[a]] + got)
        pos = end
    out.extend(lines[pos:])
    if update and differ:
        page.write_text("\n".join(out))
    return differ


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", type=pathlib.Path, default=ROOT / "build", help="the build to run (default build/)")
    parser.add_argument("--update", action="store_true", help="rewrite the blocks with the real output")
    args = parser.parse_args()
    differ = 0
    with tempfile.TemporaryDirectory(prefix="gorewind_docs.") as scratch:
        sandbox = Sandbox(args.build, scratch)
        for page in PAGES:
            differ += check_page(page, sandbox, args.update)
    if args.update:
        print(f"updated {differ} command(s)")
        return 0
    print(f"{differ} command(s) differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
