#!/usr/bin/env python3
"""Refreshes the program outputs pasted in README.md, so that what the README shows is what the
program prints. Two kinds of block:

    <!-- output: ARGS -->            the fenced block right after it is the stdout of
    ```text                          `build/cli/vitperf ARGS`, run from the repository root;
    ...                              `<!-- output: ARGS | head N -->` keeps its first N lines
    ```

    <!-- script: COMMAND -->         the lines up to `<!-- /script -->` are the stdout of
    ...                              COMMAND (a script of scripts/, e.g. a Markdown table);
    <!-- /script -->                 `{binary}` in it stands for the vitperf binary

tests/cli/readme_test.cpp checks that the deterministic output blocks still match.

Usage: scripts/update_readme.py [--binary build/cli/vitperf]
"""
import argparse
import pathlib
import re
import shlex
import subprocess

OUTPUT = re.compile(r"^<!-- output: (.*?)(?: \| head (\d+))? -->$")
SCRIPT = re.compile(r"^<!-- script: (.*) -->$")
SCRIPT_END = "<!-- /script -->"


def run(command, root):
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)}: exit {result.returncode}: {result.stderr}")
    return result.stdout.rstrip("\n").split("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/cli/vitperf")
    args = ap.parse_args()
    root = pathlib.Path(__file__).resolve().parent.parent
    binary = str(root / args.binary)
    readme = root / "README.md"
    lines = readme.read_text().split("\n")
    out, i = [], 0
    while i < len(lines):
        out.append(lines[i])
        m = OUTPUT.match(lines[i])
        if m and i + 1 < len(lines) and lines[i + 1].startswith("```"):
            text = run([binary] + shlex.split(m.group(1)), root)
            if m.group(2):
                text = text[:int(m.group(2))]
            out.append(lines[i + 1])
            out.extend(text)
            j = i + 2
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            out.append("```")
            i = j + 1
            continue
        s = SCRIPT.match(lines[i])
        if s:
            out.extend(run(shlex.split(s.group(1).replace("{binary}", binary)), root))
            j = i + 1
            while j < len(lines) and lines[j] != SCRIPT_END:
                j += 1
            i = j  # the end marker is copied by the next round
            continue
        i += 1
    readme.write_text("\n".join(out))


if __name__ == "__main__":
    main()
