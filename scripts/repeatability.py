#!/usr/bin/env python3
"""Run-to-run spread of the same measured points: the floor under any model's error.

Pairs pipeline records with the same id in two measurement sets (for example two runs of the
campaign, or the campaign and a second process over some of its sweeps) and prints
|measured A / measured B - 1| per predicted regime (regimes from `vitperf validate --json` with
the given profile on set A). --a-run / --b-run keep the named runs of a set (its records'
provenance.run_id).

  scripts/repeatability.py --a data/measurements/h100/campaign.jsonl --a-run h100-2026-11-24-0048 \
      --b data/measurements/studies/repeatability/h100-campaign_repeat.jsonl
"""
import argparse
import json
import statistics
import subprocess
import sys


def run_of(record):
    p = record.get("provenance")
    return p.get("run_id") if isinstance(p, dict) else record.get("run_id")


def ok_pipeline(paths, runs=None):
    out = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                try:
                    r = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn last line, as vitperf's reader skips it
                if runs and run_of(r) not in runs:
                    continue
                if r.get("kind") == "pipeline" and r.get("status") == "ok":
                    out[r["id"]] = r
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", nargs="+", required=True, help="first measurement files (JSONL)")
    ap.add_argument("--b", nargs="+", required=True, help="second measurement files (JSONL)")
    ap.add_argument("--a-run", action="append", help="keep only this run of set A (a run id; "
                    "repeatable)")
    ap.add_argument("--b-run", action="append", help="keep only this run of set B (repeatable)")
    ap.add_argument("--profile", default="h100", help="profile whose regimes group the points")
    ap.add_argument("--binary", default="build/cli/vitperf")
    args = ap.parse_args()

    a, b = ok_pipeline(args.a, args.a_run), ok_pipeline(args.b, args.b_run)
    common = sorted(set(a) & set(b))
    if not common:
        sys.exit("repeatability: no point id is in both sets")
    validation = json.loads(subprocess.run(
        [args.binary, "validate", "--profile", args.profile, "--json", "--data", *args.a,
         *[x for r in args.a_run or [] for x in ("--run", r)]],
        check=True, capture_output=True, text=True).stdout)
    regime = {p["id"]: p["regime"] for p in validation["points"]}

    groups = {}
    for i in common:
        diff = abs(a[i]["throughput_ips"] / b[i]["throughput_ips"] - 1)
        groups.setdefault(regime.get(i, "?"), []).append(diff)
        groups.setdefault("all", []).append(diff)
    print(f"{len(common)} points measured in both sets")
    print(f"{'regime':<11}{'points':>7}{'mean':>8}{'median':>8}{'P90':>8}")
    for name in sorted(groups, key=lambda g: (g == "all", g)):
        v = sorted(groups[name])
        p90 = v[min(len(v) - 1, int(0.9 * len(v)))]
        print(f"{name:<11}{len(v):>7}{100 * statistics.mean(v):>7.1f}%"
              f"{100 * statistics.median(v):>7.1f}%{100 * p90:>7.1f}%")


if __name__ == "__main__":
    main()
