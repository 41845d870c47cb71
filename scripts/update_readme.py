#!/usr/bin/env python3
"""Refreshes the command outputs pasted in README.md, so that what the README shows is what
the program prints. Each block to refresh is preceded by a marker line

    <!-- output: ARGS -->

and is the fenced block right after it; `build/cli/vitperf ARGS` is run from the repository root
and its stdout replaces the block's contents. tests/cli/readme_test.cpp checks that the
deterministic blocks still match.

Usage: scripts/update_readme.py [--binary build/cli/vitperf]
"""
import argparse
import pathlib
import re
import shlex
import subprocess

MARKER = re.compile(r"^<!-- output: (.*) -->$")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/cli/vitperf")
    args = ap.parse_args()
    root = pathlib.Path(__file__).resolve().parent.parent
    readme = root / "README.md"
    lines = readme.read_text().split("\n")
    out, i = [], 0
    while i < len(lines):
        out.append(lines[i])
        m = MARKER.match(lines[i])
        if m and i + 1 < len(lines) and lines[i + 1].startswith("```"):
            command = [str(root / args.binary)] + shlex.split(m.group(1))
            result = subprocess.run(command, cwd=root, capture_output=True, text=True)
            if result.returncode not in (0, 1):
                raise SystemExit(f"{m.group(1)}: exit {result.returncode}: {result.stderr}")
            out.append(lines[i + 1])
            out.extend(result.stdout.rstrip("\n").split("\n"))
            j = i + 2
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            out.append("```")
            i = j + 1
            continue
        i += 1
    readme.write_text("\n".join(out))


if __name__ == "__main__":
    main()
