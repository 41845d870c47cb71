#!/usr/bin/env python3
"""Sets an architecture's overlapped_forward_slowdown from measured pipeline records: how much
slower a forward pass runs inside an overlapped pipeline than alone, beyond what the same
files' sequential pipelines show.

  python3 scripts/overlapped_forward_slowdown.py data/measurements/h100 data/measurements/h200 \
      [--arch data/arch/sm90.json]

Every end-to-end record of rq5_pipeline also times its forward pass alone, in the same process
and execution mode (`compute.median_ms`), beside the forward inside the pipeline
(`stage_ms.compute`). Over the uint8, pinned-memory records at batch >= 64, the constant is the
median ratio of the overlapped ones less the median ratio of the sequential ones: a sequential
forward pays the device normalisation of its input (which the model prices), an overlapped one
runs the next batch's copy and normalisation beside it. Without --arch it prints.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

from arch_constants import write_constants

NAME = "overlapped_forward_slowdown"
FILE = "rq5_pipeline.jsonl"
MIN_BATCH = 64


def ratios(path):
    """{pipeline: [in-pipeline forward over the forward alone, ...]} of the file's records."""
    out = {"overlapped": [], "sequential": []}
    for line in path.read_text().splitlines():
        r = json.loads(line)
        o = r.get("options", {})
        if (r.get("kind") != "pipeline" or r.get("status") != "ok" or o.get("compute_only")
                or o.get("input") != "uint8" or o.get("host_memory") != "pinned"
                or r.get("batch", 0) < MIN_BATCH or not isinstance(r.get("compute"), dict)):
            continue
        alone, inside = r["compute"]["median_ms"], r["stage_ms"]["compute"]
        if alone > 0 and o.get("pipeline") in out:
            out[o["pipeline"]].append(inside / alone)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folders", nargs="+", help="data/measurements/<gpu> folders")
    ap.add_argument("--arch", help="architecture file to update")
    args = ap.parse_args()
    pooled = {"overlapped": [], "sequential": []}
    for folder in map(Path, args.folders):
        path = folder / FILE
        if not path.is_file():
            sys.exit(f"folders: '{folder}' holds no {FILE}")
        found = ratios(path)
        for pipeline, values in found.items():
            pooled[pipeline] += values
        if found["overlapped"] and found["sequential"]:
            print(f"{folder.name}: overlapped {100 * (statistics.median(found['overlapped']) - 1):+.2f}% "
                  f"({len(found['overlapped'])}), sequential "
                  f"{100 * (statistics.median(found['sequential']) - 1):+.2f}% "
                  f"({len(found['sequential'])})")
    if not pooled["overlapped"] or not pooled["sequential"]:
        sys.exit("folders: no overlapped and sequential uint8 pinned records at batch >= 64")
    value = round(statistics.median(pooled["overlapped"]) - statistics.median(pooled["sequential"]),
                  5)
    print(f"{NAME}: {value} ({len(pooled['overlapped'])} overlapped, "
          f"{len(pooled['sequential'])} sequential records)")
    if args.arch:
        source = (f"this project's measurements: in {', '.join(f'{f}/{FILE}' for f in args.folders)}, "
                  f"the median ratio of the forward inside an overlapped pipeline to the same "
                  f"record's forward alone (uint8, pinned, batch >= {MIN_BATCH}; "
                  f"{len(pooled['overlapped'])} records) less that of the sequential ones "
                  f"({len(pooled['sequential'])}), via scripts/overlapped_forward_slowdown.py")
        write_constants(args.arch, {NAME: (value, [])}, None, None, {},
                        "overlapped_forward_slowdown.py", source=source)


if __name__ == "__main__":
    main()
