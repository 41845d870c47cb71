#!/usr/bin/env python3
"""The runs in measurement files: one line per run id (records' provenance.run_id), oldest
first, optionally with its date-time span, machine, revision and record count.

  python3 scripts/run_ids.py data/measurements/h200/campaign.jsonl [--details]
"""
import argparse
import json


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--details", action="store_true")
    a = ap.parse_args()
    runs = {}
    for path in a.files:
        for line in open(path):
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue
            p = r if r.get("kind") == "provenance" else r.get("provenance") or r
            rid = p.get("run_id")
            if not rid:
                continue
            run = runs.setdefault(rid, {"times": [], "revisions": set(), "devices": set(),
                                        "records": 0})
            if p.get("time_utc"):
                run["times"].append(p["time_utc"])
            run["revisions"].add(p.get("git_revision") or "?")
            run["devices"].add(p.get("device_name") or "?")
            run["records"] += r.get("kind") != "provenance"
    for rid in sorted(runs, key=lambda k: min(runs[k]["times"] or [k])):
        if not a.details:
            print(rid)
            continue
        run = runs[rid]
        t = sorted(run["times"])
        print(f"{rid}  {t[0] if t else '?'} .. {t[-1] if t else '?'}  "
              f"{', '.join(sorted(run['devices']))}  rev {', '.join(sorted(run['revisions']))}  "
              f"{run['records']} records")


if __name__ == "__main__":
    main()
