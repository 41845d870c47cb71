#!/usr/bin/env python3
"""Fills an architecture file's coefficient values from a calibrated profile.

  python3 scripts/arch_from_profile.py --profile data/hardware/h100-sxm.json \
      --arch data/arch/sm90.json --note "fit of 2026-11-24 over 15 runs"

The architecture constants (coefficients whose stage is `architecture` in
model/coefficients.h) take the profile's values, and so do the priors of the fitted
coefficients except the host-link rates (priors from each GPU's nominal link figures). Each
value's source names the profile file, its fit's git revision and observation count. The
architecture's other facts (matrix units, kernels, clocks) are left as they are.
"""
import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = {"h2d_pinned_gbs", "h2d_pageable_gbs", "d2h_pinned_gbs", "d2h_pageable_gbs"}


def coefficient_stages():
    text = (ROOT / "model/coefficients.h").read_text().replace("\\\n", " ")
    pattern = r'X\((\w+),\s*[^,]+,\s*[^,]+,\s*[^,]+,\s*"[^"]*",\s*(\w+),'
    return {m.group(1): m.group(2) for m in re.finditer(pattern, text)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", required=True)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--note", default="", help="added to each value's source")
    args = ap.parse_args()
    profile = json.loads(Path(args.profile).read_text())
    arch = json.loads(Path(args.arch).read_text())
    if not profile.get("calibrated"):
        sys.exit(f"profile: {args.profile} is not calibrated")
    values, fit = profile["coefficients"], profile.get("fit", {})
    unfitted = {k for k, c in fit.get("coefficients", {}).items() if not c.get("informed")}
    source = (f"fitted to this project's measurements: {args.profile}, fit at git "
              f"{fit.get('git_revision', '?')} over {fit.get('observations', '?')} observations")
    if args.note:
        source += f" ({args.note})"
    constants, priors = {}, {}
    sources = {k: v for k, v in arch.get("sources", {}).items()
               if k not in arch.get("constants", {}) and k not in arch.get("priors", {})}
    for name, stage in coefficient_stages().items():
        if stage != "architecture" and name in LINK:
            continue
        target = constants if stage == "architecture" else priors
        target[name] = round(values[name], 6)
        sources[name] = ("not informed by any measurement in that fit: the coefficient "
                         "table's physical default" if name in unfitted else source)
    arch["constants"], arch["priors"] = constants, priors
    arch["sources"] = dict(sorted(sources.items()))
    Path(args.arch).write_text(json.dumps(arch, indent=1) + "\n")


if __name__ == "__main__":
    main()
