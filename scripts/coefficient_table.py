#!/usr/bin/env python3
"""Prints the README's coefficient table: the fitted coefficients with their stage, unit,
meaning, sm90 prior and the H100 and H200 fitted values (with one standard error).

  python3 scripts/coefficient_table.py
"""
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    text = (ROOT / "model/coefficients.h").read_text().replace("\\\n", " ")
    rows = re.findall(r'X\((\w+),\s*[^,]+,\s*[^,]+,\s*[^,]+,\s*"([^"]*)",\s*(\w+),\s*((?:"[^"]*"\s*)+)\)',
                      text)
    h100 = json.loads((ROOT / "data/calibration/h100-sxm.json").read_text())["coefficients"]
    h200 = json.loads((ROOT / "data/calibration/h200.json").read_text())["coefficients"]

    def fmt(c):
        return f"{c['value']:.4g} ± {c['error']:.2g}"

    print("| coefficient | stage | unit | meaning | prior (sm90) | H100 SXM | H200 |")
    print("|---|---|---|---|---|---|---|")
    for name, unit, stage, meaning in rows:
        if stage == "architecture":
            continue
        meaning = " ".join(re.findall(r'"([^"]*)"', meaning))
        print(f"| `{name}` | {stage} | {unit} | {meaning} | {h100[name]['prior']:.4g} | "
              f"{fmt(h100[name])} | {fmt(h200[name])} |")


if __name__ == "__main__":
    main()
